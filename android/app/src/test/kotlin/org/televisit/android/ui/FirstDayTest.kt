package org.televisit.android.ui

import android.Manifest
import android.app.Activity
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Insets
import android.provider.Settings
import android.view.View
import android.view.WindowInsets
import android.view.WindowManager
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNotSame
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlertDialog
import org.televisit.android.launch.CallLaunch
import org.televisit.android.launch.LaunchOutcome
import org.televisit.core.EntryKind
import org.televisit.core.LogQuery
import java.util.concurrent.Executor

/** A clinician's first morning: the lock, the screen's privacy, insets, rotation, permissions. */
@RunWith(RobolectricTestRunner::class)
class FirstDayTest {
    private val session = testSession()

    @After
    fun closeSession() {
        MainActivity.sessionOverride = null
        session.close()
    }

    private fun failedUnlocks() = session.open().logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size

    @Test
    @Config(sdk = [34, 35]) // BiometricPrompt's callback; below 30 the device credential's screen answers
    fun `a rejected finger counts once per prompt, the attempts left are said, and the limit wipes at once`() {
        val tv = session.started()
        setDeviceSecure(true)
        val ui = launchMain(session)
        val said = mutableListOf<String>()
        val gate = AppLockGate(ui.activity as Activity, session, unlocked = {}, locked = { said += it })

        gate.prompt()
        gate.callback.onAuthenticationFailed()
        gate.callback.onAuthenticationFailed() // the same prompt: the same failed unlock
        assertEquals(1, failedUnlocks())
        assertEquals("Not recognised. 4 more failed attempts wipe Televisit's data.", said.last())
        gate.promptEnded(android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_USER_CANCELED)
        assertEquals("Back after a failure keeps the attempts left in view", said[said.size - 2], said.last())

        repeat(3) {
            gate.prompt()
            gate.callback.onAuthenticationFailed()
            gate.promptEnded(android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_USER_CANCELED)
        }
        assertEquals("Not recognised. 1 more failed attempt wipes Televisit's data.", said.last())
        assertTrue("nothing wiped yet", session.televisit === tv)

        gate.prompt()
        gate.callback.onAuthenticationFailed()
        assertTrue(said.last(), said.last().contains("wiped"))
        assertNotSame("the store was wiped and opened afresh at once, not at the next start", tv, session.televisit)
        assertEquals(0, failedUnlocks())
        // Taking the prompt away makes Android answer with a cancel: the wipe stays what is said.
        gate.callback.onAuthenticationError(android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_CANCELED, "Cancelled")
        assertTrue(said.last(), said.last().contains("wiped"))
    }

    @Test
    fun `a dismissed prompt is not put up again by itself, the Unlock button and coming back do`() {
        session.started()
        setDeviceSecure(true)
        MainActivity.sessionOverride = session
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        idle()
        val gate = controller.get().gate!!
        assertEquals("locked at start: the prompt comes up by itself", 1, gate.promptsShown)
        gate.promptEnded(android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_USER_CANCELED)
        idle()
        // The device credential's screen resumes the activity when cancelled: no second prompt.
        controller.pause().resume()
        idle()
        assertEquals(1, gate.promptsShown)
        val ui = Ui(controller.get().window.decorView, controller.get())
        ui.click("Unlock")
        assertEquals(2, gate.promptsShown)
        gate.promptEnded(android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_NEGATIVE_BUTTON)
        // Home, then back to the app: the prompt comes up again.
        controller.pause().stop().restart().start().resume()
        idle()
        assertEquals(3, gate.promptsShown)
        assertEquals("none of this was a failed unlock", 0, failedUnlocks())
    }

    @Test
    fun `patient data never shows in screenshots or Recents, and is hidden when the app leaves the foreground`() {
        session.started().unlockSucceeded()
        val controller = Robolectric.buildActivity(MainActivity::class.java).also { MainActivity.sessionOverride = session }.setup()
        idle()
        val activity = controller.get()
        assertTrue(activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        val ui = Ui(activity.window.decorView, activity)
        assertTrue(ui.hasButton("Add patient"))
        message(activity, "Televisit", "a dialog")
        val dialog = ShadowAlertDialog.getLatestAlertDialog()
        assertTrue(dialog.window!!.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        dialog.dismiss()

        controller.pause().stop()
        idle()
        assertFalse("nothing of the screens behind another app", ui.hasButton("Add patient"))
        assertTrue(ui.texts().contains("Televisit is hidden while in the background."))
        controller.restart().start().resume()
        idle()
        assertTrue("back, still unlocked: the screens return", ui.hasButton("Add patient"))

        session.open().lock()
        controller.pause().stop().restart().start().resume()
        idle()
        assertFalse("locked: the screens stay away behind the prompt", ui.hasButton("Add patient"))
        assertTrue(ui.hasButton("Unlock"))
    }

    @Test
    @Config(sdk = [34, 35]) // WindowInsets.Type (API 30); below, the system window insets
    fun `the system bars, a cutout and the keyboard push the content in`() {
        session.started().unlockSucceeded()
        val ui = launchMain(session)
        val root = (ui.activity as Activity).findViewById<View>(android.R.id.content).let { (it as android.view.ViewGroup).getChildAt(0) }
        root.dispatchApplyWindowInsets(WindowInsets.Builder().build())
        val base = root.paddingTop
        val insets = WindowInsets.Builder()
            .setInsets(WindowInsets.Type.statusBars(), Insets.of(0, 60, 0, 0))
            .setInsets(WindowInsets.Type.navigationBars(), Insets.of(0, 0, 0, 48))
            .setInsets(WindowInsets.Type.displayCutout(), Insets.of(30, 0, 0, 0))
            .setInsets(WindowInsets.Type.ime(), Insets.of(0, 0, 0, 700))
            .build()
        root.dispatchApplyWindowInsets(insets)
        assertEquals(base + 60, root.paddingTop)
        assertEquals("the keyboard, taller than the navigation bar, wins", base + 700, root.paddingBottom)
        assertEquals(base + 30, root.paddingLeft)
    }

    @Test
    fun `typed fields survive a rotation, and a launch in progress ends on the new screen without a crash`() {
        val tv = session.started()
        tv.unlockSucceeded()
        // The launch thread, held until the rotation is done.
        var pending: Runnable? = null
        session.calls = CallLaunch(session.launcher, runner = Executor { pending = it })
        MainActivity.sessionOverride = session
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        idle()
        val first = Ui(controller.get().window.decorView, controller.get())
        first.type("First name", "Susan")
        first.type("Mobile number", "+44 7400 123456")

        val patient = tv.patientAdd(org.televisit.core.NewPatient("Ann", "Lee", "+447400000001", null))
        // Rotated while the contact and the plan are still being made: that work is the call's,
        // not the screen's, so nothing of it is lost with the old activity.
        var prepared = false
        assertTrue(session.calls.start(patient.id) { prepared = true; CallLaunch.Prepared(tv, emptyPlan(patient.id), null) })
        idle()
        assertTrue(first.texts().contains("Getting the call ready…"))

        controller.recreate()
        idle()
        val second = Ui(controller.get().window.decorView, controller.get())
        assertEquals("Susan", second.fieldText("First name"))
        // The keyboard neither suggests from nor learns a patient's name or number.
        for (hint in listOf("First name", "Last name", "Mobile number")) {
            val field = second.editText(hint)
            assertTrue(hint, field.imeOptions and android.view.inputmethod.EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING != 0)
        }
        assertTrue(second.editText("First name").inputType and android.text.InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS != 0)
        assertEquals("+44 7400 123456", second.fieldText("Mobile number"))
        assertTrue("the new screen shows the launch still running", second.texts().contains("Getting the call ready…"))

        pending!!.run() // the plan is made, and the ladder ends (an empty plan: nothing could be opened)
        idle()
        assertTrue(prepared)
        assertEquals(CallLaunch.State.Idle, session.calls.state)
        assertTrue(latestDialogMessage(), latestDialogMessage().startsWith("WhatsApp could not be opened"))
        assertFalse(second.texts().contains("Getting the call ready…"))
    }

    @Test
    fun `the call's messages come in order, and Call is disabled while one runs`() {
        val tv = session.started()
        tv.unlockSucceeded()
        val patient = tv.patientAdd(org.televisit.core.NewPatient("Ann", "Lee", "+447400000001", null))
        val seen = mutableListOf<String>()
        val calls = CallLaunch(session.launcher, runner = Executor { it.run() })
        calls.observe { seen += it.javaClass.simpleName }
        assertTrue(calls.begin(patient.id))
        assertFalse("a second tap while one runs is refused", calls.begin(patient.id))
        calls.launch(tv, emptyPlan(patient.id), null)
        idle()
        assertEquals(listOf("Idle", "Preparing", "Finished"), seen)
        assertTrue((calls.state as CallLaunch.State.Finished).outcome is LaunchOutcome.Failed)
        calls.acknowledge()
        assertEquals(CallLaunch.State.Idle, calls.state)
        // A plan that cannot be made is refused once, with its reason, and Call is free again.
        assertTrue(calls.start(patient.id) { throw IllegalStateException("Televisit is not open.") })
        idle()
        assertEquals("Refused", seen.last())
        assertEquals("Televisit is not open.", (calls.state as CallLaunch.State.Refused).message)
        calls.acknowledge()
        assertTrue(calls.begin(patient.id))
    }

    /** A plan with no attempts: the ladder ends at once, with nothing opened. */
    private fun emptyPlan(patient: String) = org.televisit.core.LaunchPlan(
        patient,
        org.televisit.core.Platform.ANDROID,
        org.televisit.core.WhatsAppApp.CONSUMER,
        emptyList(),
        null,
        emptyList(),
        org.televisit.core.Preflight(emptyList(), null, false),
    )

    @Test
    fun `contacts access denied for good - the app says so and opens its settings page`() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        val access = ContactsAccess(activity)
        var ran = 0
        val denied = intArrayOf(PackageManager.PERMISSION_DENIED, PackageManager.PERMISSION_DENIED)
        // The first dialog dismissed (Android 11+ answers "denied", with no rationale): not "turned
        // off", since Android asks again at the next tap.
        access.thenRun { ran++ }
        clickDialogPositive()
        assertTrue(access.onResult(ContactsAccess.REQUEST, denied))
        assertFalse(latestDialogMessage().startsWith("Contacts access is turned off for Televisit"))
        // Denied once: Android now offers a rationale. Denied again, and the rationale is gone:
        // Android will not show its dialog any more, and only then does the app say so.
        for (permission in ContactsAccess.PERMISSIONS) shadowOf(activity.packageManager).setShouldShowRequestPermissionRationale(permission, true)
        access.thenRun { ran++ }
        clickDialogPositive()
        for (permission in ContactsAccess.PERMISSIONS) shadowOf(activity.packageManager).setShouldShowRequestPermissionRationale(permission, false)
        assertTrue(access.onResult(ContactsAccess.REQUEST, denied))
        assertEquals(0, ran)
        assertTrue(latestDialogMessage().startsWith("Contacts access is turned off for Televisit"))
        clickDialogPositive()
        val settings = shadowOf(activity).nextStartedActivity
        assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, settings.action)
        assertEquals("package:org.televisit.android", settings.data.toString())

        // Granted later in Settings: the next action runs at once, with no question.
        shadowOf(RuntimeEnvironment.getApplication()).grantPermissions(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS)
        val before = latestDialogId()
        access.thenRun { ran++ }
        assertEquals(1, ran)
        assertEquals(before, latestDialogId())
    }

    @Test
    fun `the app's real manifest is loaded - receivers, services, the authenticator, strings`() {
        val app = RuntimeEnvironment.getApplication()
        assertEquals("org.televisit.android", app.packageName)
        val pm = app.packageManager
        val boot = pm.queryBroadcastReceivers(Intent(Intent.ACTION_BOOT_COMPLETED).setPackage(app.packageName), 0)
        assertEquals(listOf("org.televisit.android.background.CheckInReceiver"), boot.map { it.activityInfo.name })
        val authenticator = pm.queryIntentServices(Intent("android.accounts.AccountAuthenticator").setPackage(app.packageName), PackageManager.GET_META_DATA)
        assertEquals("org.televisit.android.account.AuthenticatorService", authenticator.single().serviceInfo.name)
        assertNotNull(authenticator.single().serviceInfo.metaData)
        // The contacts sync adapter and structure, so contacts apps show the account's contacts.
        val sync = pm.queryIntentServices(Intent("android.content.SyncAdapter").setPackage(app.packageName), PackageManager.GET_META_DATA).single()
        assertEquals("org.televisit.android.account.SyncService", sync.serviceInfo.name)
        assertTrue(sync.serviceInfo.metaData.containsKey("android.content.SyncAdapter"))
        assertTrue(sync.serviceInfo.metaData.containsKey("android.provider.CONTACTS_STRUCTURE"))
        // No other app may start a check-in: the boot receiver is not exported.
        val receiver = pm.getReceiverInfo(android.content.ComponentName(app, "org.televisit.android.background.CheckInReceiver"), 0)
        assertFalse(receiver.exported)
        val launcher = pm.getLaunchIntentForPackage(app.packageName)
        assertEquals("org.televisit.android.ui.MainActivity", launcher!!.component!!.className)
        assertEquals("Televisit", app.getString(org.televisit.android.R.string.app_name))
    }
}
