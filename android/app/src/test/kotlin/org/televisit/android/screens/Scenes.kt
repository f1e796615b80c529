package org.televisit.android.screens

import android.os.Bundle
import android.view.View
import android.widget.ImageView
import android.widget.TextView
import org.televisit.android.R
import org.televisit.android.background.CheckIn
import org.televisit.android.ui.ContactsAccess
import org.televisit.android.ui.clickDialogPositive
import org.televisit.android.ui.installWhatsApp
import org.televisit.android.ui.setDeviceSecure
import org.televisit.android.Admin
import org.televisit.core.CallingHours
import org.televisit.core.Severity
import org.televisit.core.managedConfigKeys
import java.io.File

/**
 * One screen in one state, as a clinician meets it: `prepare` puts the phone in that state once
 * (through the core, as the app's own actions would), `show` opens it in each configuration.
 * `volatile` marks views whose content changes from run to run (ids, keys, times): the goldens
 * paint them over.
 */
class Scene(
    val name: String,
    val caption: String,
    val prepare: Phone.() -> Unit = {},
    val volatile: (View) -> Boolean = { false },
    val show: Phone.() -> Shot,
)

/** Every screen and state that matters on a clinician's day (issue 35's list), in the day's order. */
val SCENES: List<Scene> = listOf(
    Scene("lock", "The app lock, before the clinician unlocks", prepare = { setDeviceSecure(true) }) {
        tv.lock()
        main()
    },
    Scene("enrollment", "First start: Settings asks for IT's enrollment code") { main(R.string.settings_title) },
    Scene("contacts-ask", "Why Televisit asks for contacts, before Android's own question") { main(R.string.cleanup_title) },
    Scene("contacts-refused", "Contacts access refused: what Televisit cannot do without it") {
        main(R.string.cleanup_title) {
            clickDialogPositive()
            val denied = intArrayOf(android.content.pm.PackageManager.PERMISSION_DENIED, android.content.pm.PackageManager.PERMISSION_DENIED)
            (it.activity as android.app.Activity).onRequestPermissionsResult(ContactsAccess.REQUEST, ContactsAccess.PERMISSIONS, denied)
        }
    },
    Scene("patients-empty", "The patient list on a new phone") { main() },
    Scene("patients", "The day's patients: consent given, declined, not yet asked", prepare = {
        consent(patient("Susan", "Smith", "+44 7400 123456"))
        consent(patient("Tom", "Jones", "+44 7400 222333"), given = false)
        patient("Ann", "Lee", "+44 7400 444555")
    }) { main() },
    Scene("patients-namesakes", "Two patients of the same name, told apart by their numbers", prepare = {
        patient("Susan", "Smith", "+44 7400 123456")
        patient("Susan", "Smith", "+44 7400 654321")
    }) { main() },
    Scene("patient-refused-number", "Adding a patient with a number the core refuses") {
        main {
            it.type(text(R.string.patients_first_name), "Ann")
            it.type(text(R.string.patients_last_name), "Lee")
            it.type(text(R.string.patients_mobile), "not a number")
            it.click(text(R.string.patients_add))
        }
    },
    Scene("consent-wording", "Recording consent: the organisation's wording first", prepare = { patient("Susan", "Smith", "+44 7400 123456") }) {
        main { it.click(text(R.string.patient_consent)) }
    },
    Scene("preflight-first-call", "The pre-flight of a first call: no consent, no checklist, no WhatsApp", prepare = {
        patient("Susan", "Smith", "+44 7400 123456")
        readyToCall()
    }) { tapCall() },
    Scene("preflight-declined", "The pre-flight when the patient declined WhatsApp calls", prepare = {
        val id = patient("Susan", "Smith", "+44 7400 123456")
        readyToCall()
        installWhatsApp()
        checklistDone()
        consent(id, given = false)
    }) { tapCall() },
    Scene("preflight-checklist", "The pre-flight when the organisation requires the privacy checklist and it was never done", prepare = {
        consented()
        installWhatsApp()
        checks { it.copy(checklist = Severity.BLOCK) }
    }) { tapCall() },
    Scene("preflight-hours", "The pre-flight outside the clinic's calling days", prepare = {
        consented()
        installWhatsApp()
        checklistDone()
        // Every day but today: outside the calling hours whatever the time of the run.
        val today = java.time.LocalDate.now().dayOfWeek.value
        val days = (1..7).filter { it != today }.map { it.toByte() }.toByteArray()
        tv.setPolicy(
            tv.policy().let {
                it.copy(calls = it.calls.copy(hours = CallingHours("08:00", "18:00", days), checks = it.calls.checks.copy(callingHours = Severity.BLOCK)))
            },
        )
    }) { tapCall() },
    Scene("preflight-whatsapp", "The pre-flight when WhatsApp is not installed", prepare = {
        consented()
        checklistDone()
    }) { tapCall() },
    Scene("call-ready", "The call ready, with a warning the clinician may call past", prepare = {
        consented()
        installWhatsApp()
        checks { it.copy(checklist = Severity.WARN) }
    }) { tapCall() },
    Scene("checklist", "The privacy checklist, before the first run") { main(R.string.checklist_title) },
    Scene("checklist-item", "A checklist item: where the setting is and what is required") {
        // The run started in the first configuration is continued in the next ones.
        main(R.string.checklist_title) { it.click(text(if (it.hasButton(text(R.string.checklist_start))) R.string.checklist_start else R.string.checklist_continue)) }
    },
    Scene("checklist-review", "The checklist's review: every answer, each one can be changed", prepare = { answerChecklist() }) {
        main(R.string.checklist_title) { it.click(text(R.string.checklist_continue)) }
    },
    Scene("checklist-deviations", "The checklist's result: settings to change") {
        answerChecklist(deviating = "read_receipts")
        main(R.string.checklist_title) {
            it.click(text(R.string.checklist_continue))
            it.click(text(R.string.checklist_finish))
        }
    },
    Scene("cleanup-lookalike", "Cleanup's dry run: a contact to remove and a lookalike to tick", prepare = {
        grantContacts()
        val id = patient("Susan", "Smith", "+44 7400 123456")
        tv.ensureContact(session.book, id)
        tv.patientArchive(id)
        session.book.create(org.televisit.core.ContactCard("Patient Maria Lopez", "+447400777888", ""))
    }, volatile = ::timeOrId) { main(R.string.cleanup_title) },
    Scene("log", "The activity log: verified, ids and codes only", prepare = { patient("Susan", "Smith", "+44 7400 123456") }, volatile = ::timeOrId) {
        main(R.string.log_title)
    },
    Scene("log-rolled-back", "The log after an older copy of the store was put back", prepare = { rollBack() }, volatile = ::timeOrId) {
        main(R.string.log_title)
    },
    Scene("settings-report", "Settings: enrolled, the signed device report and its QR code for IT", prepare = {
        tv.enroll(Admin().enrollCode())
    }, volatile = { it is ImageView || (it is TextView && (it.text.startsWith("tv1.") || it.text.contains("(device "))) }) {
        main(R.string.settings_title)
    },
    Scene("managed-refused", "IT's configuration refused: what Settings says", prepare = { refusedConfiguration() }) {
        main(R.string.settings_title)
    },
    Scene("wipe", "IT's wipe carried out while the app was open", prepare = { managedBy(Admin()) }) {
        main { itWipes() }
    },
)

/** The first call's way cleared of what Call asks before the pre-flight: the disclosure, contacts access. */
private fun Phone.readyToCall() {
    tv.acknowledgeDisclosure()
    grantContacts()
}

private fun Phone.consented() {
    val id = patient("Susan", "Smith", "+44 7400 123456")
    readyToCall()
    consent(id)
}

/** A time of day, a date or an id in a line of text: different at every run. */
private fun timeOrId(view: View): Boolean = view is TextView && Regex("""\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|[0-9a-f]{8}""").containsMatchIn(view.text)

/**
 * The store copied aside, a patient added (the log moves on), then the older copy put back, as
 * someone holding the phone could: the next start must notice.
 */
private fun Phone.rollBack() {
    patient("Susan", "Smith", "+44 7400 123456")
    session.close()
    val aside = storeFiles().map { it to File(app.cacheDir, it.name).also { copy -> it.copyTo(copy, overwrite = true) } }
    restart()
    patient("Tom", "Jones", "+44 7400 222333")
    session.close()
    storeFiles().forEach { it.delete() }
    aside.forEach { (original, copy) -> copy.copyTo(original, overwrite = true) }
    restart()
}

/** The store's database and its journal files. */
private fun Phone.storeFiles(): List<File> = app.noBackupFilesDir.listFiles { f -> f.name.startsWith("televisit.db") }!!.toList()

/** The phone under IT's MDM: enrolled by the enrollment code in its managed configuration. */
private fun Phone.managedBy(admin: Admin) {
    val mdm = Mdm(admin, Bundle().apply { putString(managedConfigKeys().enrollmentCode, admin.enrollCode()) })
    this.mdm = mdm
    restart { mdm.config }
}

/**
 * IT wipes this phone for real while the app is on screen: a wipe command for its enrollment,
 * in a bulletin the MDM delivers, carried out by the background check-in, which tells the open
 * screen. The next configuration's phone enrolls again (a fresh store, a new device).
 */
private fun Phone.itWipes() {
    val mdm = mdm ?: error("the phone is not under IT's MDM (managedBy)")
    val enrolled = tv.enrollment() ?: error("the phone did not enroll from its managed configuration")
    mdm.config.putString(managedConfigKeys().bulletin, mdm.admin.bulletin(mdm.admin.wipe(enrolled.deviceId, enrolled.enrollmentId)))
    CheckIn.run(session)
    mdm.config.remove(managedConfigKeys().bulletin)
    check(session.televisit == null) { "the store is still open after IT's wipe" }
    startUnlocked()
}

/** IT's managed configuration holding an enrollment code that is not one. */
private fun Phone.refusedConfiguration() {
    val config = Bundle().apply { putString(managedConfigKeys().enrollmentCode, "not-a-code") }
    restart { config }
}
