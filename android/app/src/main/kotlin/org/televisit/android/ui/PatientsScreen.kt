package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
import android.content.ActivityNotFoundException
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.widget.Button
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.android.launch.CallLaunch
import org.televisit.android.launch.LaunchOutcome
import org.televisit.core.Actor
import org.televisit.core.CheckStatus
import org.televisit.core.ConsentMethod
import org.televisit.core.ConsentState
import org.televisit.core.ListSection
import org.televisit.core.ListedPatient
import org.televisit.core.NewPatient
import org.televisit.core.Platform
import org.televisit.core.Preflight
import org.televisit.core.disclosureText
import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/**
 * The day's patients as the core orders them (today's visits first, done and archived out of the
 * way, namesakes told apart), with what a visit needs: consent and its withdrawal, the pre-flight
 * before Call, the call itself, visit done, archive. Every rule is the core's.
 */
class PatientsScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.patients_title)
    private val given = activity.field(activity.getString(R.string.patients_first_name), InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PERSON_NAME, patientData = true)
    private val family = activity.field(activity.getString(R.string.patients_last_name), InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PERSON_NAME, patientData = true)
    private val phone = activity.field(activity.getString(R.string.patients_mobile), InputType.TYPE_CLASS_PHONE, patientData = true)
    private val visit = activity.field(activity.getString(R.string.patients_visit_time), InputType.TYPE_CLASS_DATETIME or InputType.TYPE_DATETIME_VARIATION_TIME)
    private val callStatus = activity.label(size = 16f).apply { visibility = View.GONE }
    private val list = activity.stack()
    private var showArchived = false
    private val archivedToggle = activity.button(activity.getString(R.string.patients_show_archived)) {
        showArchived = !showArchived
        refresh()
    }
    private val callButtons = mutableListOf<Button>()
    private val access = ContactsAccess.of(activity)
    override val view = activity.scrolling(
        activity.column(callStatus, given, family, phone, visit, activity.button(activity.getString(R.string.patients_add)) { add() }, list, archivedToggle),
    )

    init {
        session.calls.observe { state -> if (!activity.isDestroyed) show(state) }
    }

    override fun refresh() {
        val archived = showArchived
        activity.background({ session.open().dayList(session.device, archived) }) { show(it) }
    }

    /** What was typed survives a rotation or the process being stopped. */
    override fun save(state: Bundle) {
        state.putStringArray(FIELDS, arrayOf(given, family, phone, visit).map { it.text.toString() }.toTypedArray())
        state.putBoolean(ARCHIVED, showArchived)
    }

    override fun restore(state: Bundle) {
        state.getStringArray(FIELDS)?.zip(listOf(given, family, phone, visit))?.forEach { (text, field) -> field.setText(text) }
        showArchived = state.getBoolean(ARCHIVED)
    }

    private fun show(rows: List<ListedPatient>) {
        list.removeAllViews()
        callButtons.clear()
        archivedToggle.text = activity.getString(if (showArchived) R.string.patients_hide_archived else R.string.patients_show_archived)
        if (rows.isEmpty()) list.addView(activity.label(activity.getString(R.string.patients_none)))
        var section: ListSection? = null
        for (row in rows) {
            if (row.section != section) {
                section = row.section
                list.addView(activity.heading(activity.getString(sectionTitle(row.section))))
            }
            list.addView(activity.label(row.label, 18f))
            list.addView(activity.label(detail(row), 14f))
            list.addView(actions(row))
        }
        enableCalls()
    }

    private fun detail(row: ListedPatient): String {
        val p = row.patient
        val consent = when (p.consent) {
            is ConsentState.Given -> R.string.consent_given
            is ConsentState.Revoked -> R.string.consent_withdrawn
            is ConsentState.Declined -> R.string.consent_declined
            ConsentState.None -> R.string.consent_none
        }
        val time = p.visitAt?.let { at ->
            val local = at.atZone(ZoneId.systemDefault())
            val format = if (local.toLocalDate() == LocalDate.now()) DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT) else DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT)
            activity.getString(R.string.visit_at, local.format(format))
        }
        return listOfNotNull(time, activity.getString(consent)).joinToString(" · ")
    }

    private fun actions(row: ListedPatient): View {
        val p = row.patient
        val buttons = mutableListOf<View>()
        if (row.section != ListSection.ARCHIVED) {
            val call = activity.button(activity.getString(R.string.patient_call)) { call(p.id) }
            call.contentDescription = activity.getString(R.string.patient_call_description, row.label)
            callButtons += call
            buttons += call
            buttons += if (p.consent is ConsentState.Given) {
                activity.button(activity.getString(R.string.patient_withdraw)) { withdraw(p.id) }
            } else {
                activity.button(activity.getString(R.string.patient_consent)) { askConsent(p.id) }
            }
            if (row.section != ListSection.DONE) {
                buttons += activity.button(activity.getString(R.string.patient_done)) {
                    activity.background({ session.open().markVisitDone(p.id) }) { refresh() }
                }
            }
            buttons += activity.button(activity.getString(R.string.patient_archive)) { archive(p.id) }
        }
        // Each button names its patient for TalkBack, which reads the row's label before it.
        buttons.filterIsInstance<Button>().filter { it.contentDescription == null }.forEach { it.contentDescription = "${it.text}: ${row.label}" }
        return activity.wrapping(*buttons.toTypedArray())
    }

    private fun sectionTitle(section: ListSection): Int = when (section) {
        ListSection.TODAY -> R.string.section_today
        ListSection.UPCOMING -> R.string.section_upcoming
        ListSection.UNSCHEDULED -> R.string.section_unscheduled
        ListSection.OVERDUE -> R.string.section_overdue
        ListSection.DONE -> R.string.section_done
        ListSection.ARCHIVED -> R.string.section_archived
    }

    private fun add() {
        // The visit time is only parsed here; the core validates names and the number.
        val visitAt = visit.text.toString().trim().takeIf { it.isNotEmpty() }?.let {
            try {
                LocalDate.now().atTime(LocalTime.parse(it)).atZone(ZoneId.systemDefault()).toInstant()
            } catch (e: java.time.format.DateTimeParseException) {
                message(activity, activity.getString(R.string.patients_visit_time_title), activity.getString(R.string.patients_visit_time_format))
                return
            }
        }
        val patient = NewPatient(given.text.toString(), family.text.toString(), phone.text.toString(), visitAt)
        activity.background({ session.open().patientAdd(patient) }) {
            listOf(given, family, phone, visit).forEach { f -> f.text.clear() }
            refresh()
        }
    }

    /** The organisation's wording first (what the clinician reads out), then the patient's answer, then how it was given. */
    private fun askConsent(id: String) {
        activity.background({ session.open().policy().calls }) { calls ->
            val version = calls.consentTextVersion
            secure(
                AlertDialog.Builder(activity)
                    .setTitle(activity.getString(R.string.consent_wording_title, version))
                    .setMessage(calls.consentText ?: activity.getString(R.string.consent_wording_version_only, version))
                    .setPositiveButton(R.string.consent_agreed) { _, _ -> askMethod(id, version, declined = false) }
                    .setNeutralButton(R.string.consent_said_no) { _, _ -> askMethod(id, version, declined = true) }
                    .setNegativeButton(R.string.cancel, null)
                    .create(),
            ).show()
        }
    }

    private fun askMethod(id: String, version: String, declined: Boolean) {
        val methods = listOf(
            ConsentMethod.VERBAL to R.string.consent_verbal,
            ConsentMethod.WRITTEN to R.string.consent_written,
            ConsentMethod.IN_APP to R.string.consent_in_app,
        )
        secure(
            AlertDialog.Builder(activity)
                .setTitle(R.string.consent_how)
                .setItems(methods.map { activity.getString(it.second) }.toTypedArray()) { _, which ->
                    val method = methods[which].first
                    activity.background({
                        val tv = session.open()
                        if (declined) {
                            tv.consentDecline(id, method, version, Actor.CLINICIAN)
                        } else {
                            tv.consentRecord(id, method, version, Actor.CLINICIAN)
                        }
                    }) { refresh() }
                }
                .setNegativeButton(R.string.cancel, null)
                .create(),
        ).show()
    }

    private fun withdraw(id: String) = confirm(R.string.withdraw_title, R.string.withdraw_message, R.string.withdraw_confirm) {
        activity.background({ session.open().consentRevoke(id, Actor.CLINICIAN) }) { refresh() }
    }

    private fun archive(id: String) = confirm(R.string.archive_title, R.string.archive_message, R.string.archive_confirm) {
        activity.background({ session.open().patientArchive(id) }) { refresh() }
    }

    private fun confirm(title: Int, text: Int, yes: Int, action: () -> Unit) {
        secure(
            AlertDialog.Builder(activity)
                .setTitle(title)
                .setMessage(text)
                .setPositiveButton(yes) { _, _ -> action() }
                .setNegativeButton(R.string.cancel, null)
                .create(),
        ).show()
    }

    /** First call: the disclosure once; then the contacts permission, the contact, the pre-flight. */
    private fun call(id: String) {
        if (session.calls.running) return
        activity.background({ session.open().disclosureAcknowledged() }) { acknowledged ->
            if (acknowledged) {
                access.thenRun { check(id) }
            } else {
                secure(
                    AlertDialog.Builder(activity)
                        .setTitle(R.string.first_call_title)
                        .setMessage(disclosureText())
                        .setPositiveButton(R.string.first_call_understood) { _, _ ->
                            activity.background({ session.open().acknowledgeDisclosure() }) { access.thenRun { check(id) } }
                        }
                        .setNegativeButton(R.string.cancel, null)
                        .create(),
                ).show()
            }
        }
    }

    /**
     * Runs the pre-flight; when the contact is the only thing in the way, makes (or repairs) it
     * and runs it again: all clear calls at once. No contact is made for a patient whose call is
     * blocked for another reason (no consent yet, say).
     */
    private fun check(id: String) {
        // The core makes or repairs the contact when it is the only thing in the way (prepareCall).
        activity.background({ session.open().prepareCall(session.book, session.device, id) }) { preflight ->
            if (preflight.checks.all { it.status == CheckStatus.PASS }) startCall(id) else showPreflight(id, preflight)
        }
    }

    /** Each check with its reason; what to do about the first blocking one, or "Call anyway". */
    private fun showPreflight(id: String, preflight: Preflight) {
        val lines = preflight.checks.joinToString("\n") { c ->
            val format = when (c.status) {
                CheckStatus.PASS -> R.string.preflight_pass
                CheckStatus.WARN -> R.string.preflight_warn
                CheckStatus.BLOCK -> R.string.preflight_block
            }
            activity.getString(format, c.message)
        }
        val builder = AlertDialog.Builder(activity).setTitle(R.string.preflight_title).setMessage(lines)
        if (!preflight.blocked) {
            builder.setPositiveButton(R.string.preflight_call_anyway) { _, _ -> startCall(id) }
        } else {
            val fix = preflight.checks.firstOrNull { it.status == CheckStatus.BLOCK }?.code?.let { fixFor(it, id) }
            if (fix != null) builder.setPositiveButton(fix.first) { _, _ -> fix.second() }
        }
        secure(builder.setNegativeButton(R.string.cancel, null).create()).show()
    }

    /** The screen's way to put a failed check right, where it has one. */
    private fun fixFor(code: String, id: String): Pair<Int, () -> Unit>? = when (code) {
        "consent_missing" -> R.string.preflight_record_consent to { askConsent(id) }
        "checklist_due", "checklist_never" -> R.string.preflight_open_checklist to { (activity as? MainActivity)?.showTab(ChecklistScreen::class.java) ?: Unit }
        "whatsapp_missing" -> R.string.preflight_install_whatsapp to { openStore() }
        else -> null
    }

    private fun openStore() {
        val store = Intent(Intent.ACTION_VIEW, Uri.parse("market://details?id=com.whatsapp"))
        try {
            activity.startActivity(store)
        } catch (e: ActivityNotFoundException) {
            activity.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse("https://play.google.com/store/apps/details?id=com.whatsapp")))
        }
    }

    /** The session's call runs it all (see `CallLaunch.start`): this screen may be gone by then. */
    private fun startCall(id: String) {
        session.calls.start(id) {
            val tv = session.open()
            val contact = tv.ensureContact(session.book, id)
            CallLaunch.Prepared(tv, tv.launchPlan(session.book, session.device, session.directory, id, Platform.ANDROID, null), contact.platformId)
        }
    }

    /** The call's progress, whichever activity started it; the outcome is said once. */
    private fun show(state: CallLaunch.State) {
        enableCalls()
        when (state) {
            CallLaunch.State.Idle -> clearStatus()
            is CallLaunch.State.Preparing -> status(R.string.call_preparing)
            is CallLaunch.State.WaitingForWhatsApp -> status(R.string.call_waiting)
            is CallLaunch.State.Refused -> {
                clearStatus()
                session.calls.acknowledge()
                // CallBlocked's message lists the failing checks; the other errors are shown as well.
                val title = if (state.blocked) R.string.call_blocked else R.string.app_name
                message(activity, activity.getString(title), state.message)
            }
            is CallLaunch.State.Finished -> {
                clearStatus()
                session.calls.acknowledge()
                when (val outcome = state.outcome) {
                    is LaunchOutcome.Opened -> outcome.instruction?.let { message(activity, activity.getString(R.string.call_in_whatsapp), it) }
                    is LaunchOutcome.Failed -> message(activity, activity.getString(R.string.call_not_started), outcome.message)
                    is LaunchOutcome.TapToOpen -> offerToOpen(outcome)
                }
                refresh()
            }
        }
    }

    /** The call was ready while Televisit was in the background: opened only on a tap, now. */
    private fun offerToOpen(pending: LaunchOutcome.TapToOpen) {
        secure(
            AlertDialog.Builder(activity)
                .setTitle(R.string.call_ready_title)
                .setMessage(R.string.call_ready_background)
                .setPositiveButton(R.string.call_open_whatsapp) { _, _ ->
                    val tv = session.televisit ?: return@setPositiveButton
                    when (val outcome = session.launcher.openNow(pending, tv)) {
                        is LaunchOutcome.Opened -> outcome.instruction?.let { message(activity, activity.getString(R.string.call_in_whatsapp), it) }
                        is LaunchOutcome.Failed -> message(activity, activity.getString(R.string.call_not_started), outcome.message)
                        is LaunchOutcome.TapToOpen -> {}
                    }
                    refresh()
                }
                .setNegativeButton(R.string.cancel, null)
                .create(),
        ).show()
    }

    private fun status(text: Int) {
        callStatus.text = activity.getString(text)
        callStatus.visibility = View.VISIBLE
        // TalkBack says the progress as it changes.
        callStatus.accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
    }

    private fun clearStatus() {
        callStatus.text = ""
        callStatus.visibility = View.GONE
    }

    private fun enableCalls() {
        val running = session.calls.running
        callButtons.forEach { it.isEnabled = !running }
    }

    private companion object {
        const val FIELDS = "patients.fields"
        const val ARCHIVED = "patients.archived"
    }
}
