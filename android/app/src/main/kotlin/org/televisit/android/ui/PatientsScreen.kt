package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
import android.text.InputType
import org.televisit.android.Session
import org.televisit.android.launch.LaunchOutcome
import org.televisit.core.Actor
import org.televisit.core.ConsentMethod
import org.televisit.core.ConsentState
import org.televisit.core.NewPatient
import org.televisit.core.Patient
import org.televisit.core.Platform
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.disclosureText
import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneId

/** Today's patients: add one, record consent, and call. Every check is the core's pre-flight. */
class PatientsScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title = "Patients"
    private val given = activity.field("First name", InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PERSON_NAME)
    private val family = activity.field("Last name", InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PERSON_NAME)
    private val phone = activity.field("Mobile number", InputType.TYPE_CLASS_PHONE)
    private val visit = activity.field("Visit time today, HH:MM (optional)", InputType.TYPE_CLASS_DATETIME)
    private val list = activity.column()
    override val view = activity.scrolling(
        activity.column(given, family, phone, visit, activity.button("Add patient") { add() }, list),
    )

    override fun refresh() {
        activity.background({ session.open().patients(false) }) { show(it) }
    }

    private fun show(patients: List<Patient>) {
        list.removeAllViews()
        if (patients.isEmpty()) list.addView(activity.label("No patients yet."))
        for (p in patients) {
            val consent = when (p.consent) {
                is ConsentState.Given -> "consent given"
                is ConsentState.Revoked -> "consent withdrawn"
                ConsentState.None -> "no consent yet"
            }
            list.addView(activity.label("${p.givenName} ${p.familyName} — $consent", 18f))
            list.addView(
                activity.row(
                    activity.button("Consent") { askConsent(p.id) },
                    activity.button("Call") { call(p.id) },
                ),
            )
        }
    }

    private fun add() {
        // The visit time is only parsed here; the core validates names and the number.
        val visitAt = visit.text.toString().trim().takeIf { it.isNotEmpty() }?.let {
            try {
                LocalDate.now().atTime(LocalTime.parse(it)).atZone(ZoneId.systemDefault()).toInstant()
            } catch (e: java.time.format.DateTimeParseException) {
                message(activity, "Visit time", "Write the visit time as HH:MM, e.g. 14:30.")
                return
            }
        }
        val patient = NewPatient(given.text.toString(), family.text.toString(), phone.text.toString(), visitAt)
        activity.background({ session.open().patientAdd(patient) }) {
            listOf(given, family, phone, visit).forEach { f -> f.text.clear() }
            refresh()
        }
    }

    private fun askConsent(id: String) {
        val methods = listOf(ConsentMethod.VERBAL to "Verbal", ConsentMethod.WRITTEN to "Written", ConsentMethod.IN_APP to "In the app")
        AlertDialog.Builder(activity)
            .setTitle("How did the patient consent to WhatsApp calls?")
            .setItems(methods.map { it.second }.toTypedArray()) { _, which ->
                val method = methods[which].first
                activity.background({
                    // The wording the clinician read out is the organisation's, versioned by its policy.
                    val tv = session.open()
                    tv.consentRecord(id, method, tv.policy().calls.consentTextVersion, Actor.CLINICIAN)
                }) { refresh() }
            }
            .setNegativeButton("Cancel", null)
            .show()
    }

    /** First call: the disclosure once; then the contact, the plan, and the launch. */
    private fun call(id: String) {
        activity.background({ session.open().disclosureAcknowledged() }) { acknowledged ->
            if (acknowledged) {
                launch(id)
            } else {
                AlertDialog.Builder(activity)
                    .setTitle("Before your first call")
                    .setMessage(disclosureText())
                    .setPositiveButton("I understand") { _, _ ->
                        activity.background({ session.open().acknowledgeDisclosure() }) { launch(id) }
                    }
                    .setNegativeButton("Cancel", null)
                    .show()
            }
        }
    }

    private fun launch(id: String) {
        activity.background({
            val tv = session.open()
            val contact = tv.ensureContact(session.book, id)
            Triple(tv, tv.launchPlan(session.book, session.device, session.directory, id, Platform.ANDROID, null), contact.platformId)
        }, failed = { e ->
            // CallBlocked's message lists the failing checks; the other errors are shown as well.
            message(activity, if (e is TelevisitException.CallBlocked) "Call blocked" else "Televisit", e.message ?: "")
        }) { (tv, plan, contactId) ->
            session.launcher.launch(activity, tv, plan, contactId) { outcome ->
                when (outcome) {
                    is LaunchOutcome.Opened -> outcome.instruction?.let { message(activity, "In WhatsApp", it) }
                    is LaunchOutcome.Failed -> message(activity, "Call not started", outcome.message)
                }
                refresh()
            }
        }
    }
}
