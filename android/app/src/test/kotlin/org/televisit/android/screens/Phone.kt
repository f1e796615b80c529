package org.televisit.android.screens

import android.Manifest
import android.app.AlertDialog
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.android.mdm.KeyedAppStates
import org.televisit.android.mdm.ManagedConfig
import org.televisit.android.platform.TestContactsProvider
import org.televisit.android.ui.MainActivity
import org.televisit.android.ui.Ui
import org.televisit.android.ui.idle
import org.televisit.android.ui.testSession
import org.televisit.core.Actor
import org.televisit.core.CallChecks
import org.televisit.core.ConsentMethod
import org.televisit.core.NewPatient
import org.televisit.core.Platform
import org.televisit.core.Televisit

/** IT (`televisit-admin`) and the managed configuration its MDM delivers to the phone. */
class Mdm(val admin: org.televisit.android.Admin, val config: android.os.Bundle)

/**
 * A clinician's phone for one scene: the real core over a fresh store, Robolectric's contacts
 * provider, and the app's real MainActivity, launched afresh for each configuration as Android
 * recreates an activity when the configuration changes.
 */
class Phone(var session: Session = testSession()) {
    val app = RuntimeEnvironment.getApplication()

    /** IT and its MDM, for a phone under management (a scene's `prepare` sets it). */
    var mdm: Mdm? = null
    val tv: Televisit get() = session.open()

    init {
        startUnlocked()
        Robolectric.setupContentProvider(TestContactsProvider::class.java, android.provider.ContactsContract.AUTHORITY)
    }

    /** Starts the session and unlocks it, as the clinician does with the app lock's prompt. */
    fun startUnlocked() {
        (session.start() as? StartResult.Ready)?.televisit?.unlockSucceeded()
    }

    /**
     * The app started again over the same store and keys, as after the process was stopped;
     * with `managed`, under an MDM delivering that configuration (read afresh at each start).
     */
    fun restart(managed: (() -> android.os.Bundle)? = null) {
        session.close()
        session = if (managed == null) {
            Session(app, secrets = session.secrets)
        } else {
            Session(app, secrets = session.secrets, managed = ManagedConfig(app, restrictions = managed, feedback = KeyedAppStates(app)))
        }
        startUnlocked()
    }

    fun text(id: Int, vararg args: Any): String = app.getString(id, *args)

    fun grantContacts() = shadowOf(app).grantPermissions(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS)

    fun patient(given: String, family: String, phone: String): String = tv.patientAdd(NewPatient(given, family, phone, null)).id

    /** The patient's answer to the organisation's consent wording, said to the clinician. */
    fun consent(id: String, given: Boolean = true) {
        val version = tv.policy().calls.consentTextVersion
        if (given) tv.consentRecord(id, ConsentMethod.VERBAL, version, Actor.CLINICIAN) else tv.consentDecline(id, ConsentMethod.VERBAL, version, Actor.CLINICIAN)
    }

    /** The organisation's policy with the pre-flight's checks changed. */
    fun checks(change: (CallChecks) -> CallChecks) = tv.setPolicy(tv.policy().let { it.copy(calls = it.calls.copy(checks = change(it.calls.checks))) })

    /** Every item of the privacy checklist answered as recommended, except `deviating` (its first other choice). */
    fun answerChecklist(deviating: String? = null) {
        var run = tv.checklistStart(Platform.ANDROID, session.device)
        while (true) {
            val next = run.items.firstOrNull { it.answer == null && !it.preAnswered } ?: break
            val value = if (next.item.id == deviating) next.item.choices.first { it.value != next.item.recommended }.value else next.item.recommended
            run = tv.checklistAnswer(next.item.id, value)
        }
    }

    /** The checklist gone through and finished, every answer as recommended. */
    fun checklistDone() {
        answerChecklist()
        tv.checklistFinish()
    }

    /**
     * MainActivity on `tab` (a string resource; none: the first), after `then` acted on it as a
     * user would; the dialog it opened, if any, is the shot's top window.
     */
    fun main(tab: Int? = null, then: (Ui) -> Unit = {}): Shot {
        MainActivity.sessionOverride = session
        val before = ShadowAlertDialog.getLatestAlertDialog()
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        idle()
        val ui = Ui(controller.get().window.decorView, controller.get())
        tab?.let { ui.click(text(it)) }
        then(ui)
        idle()
        val latest = ShadowAlertDialog.getLatestAlertDialog() as AlertDialog?
        val dialog = latest?.takeIf { it !== before && it.isShowing }
        return Shot(controller, dialog)
    }

    /** Call tapped on the (first) patient of the list: what comes up. */
    fun tapCall(): Shot = main { it.click(text(R.string.patient_call)) }

    fun close() {
        MainActivity.sessionOverride = null
        session.close()
    }
}
