package org.televisit.android.ui

import android.Manifest
import android.app.Activity
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.televisit.core.ConsentState
import org.televisit.core.NewPatient
import org.televisit.core.TelevisitException
import org.televisit.core.disclosureText
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId

@RunWith(RobolectricTestRunner::class)
class PatientsScreenTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }
    private val contacts = org.robolectric.Robolectric.setupContentProvider(
        org.televisit.android.platform.TestContactsProvider::class.java,
        android.provider.ContactsContract.AUTHORITY,
    )

    @After
    fun closeSession() = session.close()

    private fun addThroughForm(first: String, last: String, phone: String): Ui {
        val ui = showScreen(PatientsScreen::class.java, session)
        ui.type("First name", first)
        ui.type("Last name", last)
        ui.type("Mobile number", phone)
        ui.click("Add patient")
        return ui
    }

    private fun today(hour: Int): Instant = LocalDate.now().atTime(hour, 0).atZone(ZoneId.systemDefault()).toInstant()

    @Test
    fun `a patient added through the form is stored and listed under its contact name and last digits`() {
        val ui = addThroughForm("Susan", "Smith", "+44 7400 123456")
        val stored = tv.patients(false).single()
        assertEquals("Susan" to "Smith", stored.givenName to stored.familyName)
        assertTrue(ui.texts().toString(), ui.texts().contains("Patient Susan Smith · …3456"))
        assertTrue(ui.texts().contains("no consent yet"))
        assertEquals("", ui.fieldText("First name"))
    }

    @Test
    fun `two patients of the same name are told apart, today's visits come first, done and archived ones move away`() {
        val later = tv.patientAdd(NewPatient("Susan", "Smith", "+447400654321", today(16)))
        val earlier = tv.patientAdd(NewPatient("Susan", "Smith", "+447400123456", today(8)))
        val ui = showScreen(PatientsScreen::class.java, session)
        val labels = { ui.texts().filter { it.startsWith("Patient ") } }
        assertEquals(listOf("Patient Susan Smith (2) · …3456", "Patient Susan Smith · …4321"), labels())
        assertEquals("Today", ui.texts().first { it in SECTIONS })

        ui.clickNth("Visit done", 0)
        assertEquals("the done visit goes last", listOf("Patient Susan Smith · …4321", "Patient Susan Smith (2) · …3456"), labels())
        assertTrue(ui.texts().contains("Visits done"))

        ui.clickNth("Archive", 0)
        clickDialogPositive()
        assertEquals(listOf("Patient Susan Smith (2) · …3456"), labels())
        assertTrue(tv.patient(later.id).archivedAt != null)
        ui.click("Show archived patients")
        assertTrue(ui.texts().contains("Archived"))
        assertEquals(2, labels().size)
        assertTrue(tv.patient(earlier.id).archivedAt == null)
    }

    @Test
    fun `consent is recorded with the policy's wording, and withdrawn after a confirmation`() {
        val ui = addThroughForm("Susan", "Smith", "+44 7400 123456")
        val id = tv.patients(false).single().id
        val wording = "We would like to hold your visit by WhatsApp video. WhatsApp is run by Meta. Do you agree?"
        tv.setPolicy(tv.policy().let { it.copy(calls = it.calls.copy(consentTextVersion = "wording-2026.2", consentText = wording)) })
        ui.click("Consent")
        // The wording comes first: what the clinician reads to the patient.
        assertEquals(wording, latestDialogMessage())
        clickDialogPositive()
        clickDialogItem(0)
        val given = tv.patient(id).consent as ConsentState.Given
        assertEquals("the policy's wording version is recorded", "wording-2026.2", given.textVersion)
        assertTrue(ui.texts().contains("consent given"))

        ui.click("Withdraw consent")
        assertTrue(tv.patient(id).consent is ConsentState.Given) // not before the confirmation
        clickDialogPositive()
        assertTrue(tv.patient(id).consent is ConsentState.Revoked)
        assertTrue(ui.texts().contains("consent withdrawn"))

        // Asked again, the patient says no: a decline, shown as such.
        ui.click("Consent")
        clickDialogNeutral()
        clickDialogItem(0)
        assertTrue(tv.patient(id).consent is ConsentState.Declined)
        assertTrue(ui.texts().contains("Declined WhatsApp"))
    }

    @Test
    fun `a number the core refuses is shown as the core's error`() {
        val expected = runCatching { tv.patientAdd(NewPatient("Ann", "Lee", "not a number", null)) }.exceptionOrNull()
        assertTrue(expected is TelevisitException.InvalidInput)
        addThroughForm("Ann", "Lee", "not a number")
        assertEquals(expected!!.message, latestDialogMessage())
        assertTrue(tv.patients(false).isEmpty())
    }

    @Test
    fun `Call - the disclosure, the contacts permission with its reason, then the pre-flight with what to do`() {
        val ui = addThroughForm("Susan", "Smith", "+44 7400 123456")
        val id = tv.patients(false).single().id

        ui.click("Call")
        assertEquals(disclosureText(), latestDialogMessage())
        clickDialogPositive()
        assertTrue(tv.disclosureAcknowledged())

        // No contacts permission yet: the reason first, then Android's own dialog.
        assertTrue(latestDialogMessage().startsWith("WhatsApp calls only people in your contacts"))
        clickDialogPositive()
        val request = shadowOf(ui.activity as Activity).lastRequestedPermission
        assertEquals(listOf(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS), request.requestedPermissions.toList())
        assertEquals(ContactsAccess.REQUEST, request.requestCode)
        assertEquals("android.content.pm.action.REQUEST_PERMISSIONS", shadowOf(ui.activity as Activity).nextStartedActivity.action)

        // Granted (a bare activity: the answer is handed over as MainActivity would).
        shadowOf(RuntimeEnvironment.getApplication()).grantPermissions(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS)
        val before = latestDialogId()
        val access = ContactsAccess.of(ui.activity as Activity)
        // The screen's own instance holds the waiting action; a second one holds none.
        assertFalse(access.onResult(ContactsAccess.REQUEST + 1, intArrayOf()))
        // The pre-flight runs when the screen's call is tried again with the permission there.
        ui.click("Call")
        assertNotEquals(before, latestDialogId())
        val preflight = latestDialogMessage()
        val checks = tv.preflight(session.book, session.device, id).checks
        checks.forEach { assertTrue("each check is listed: ${it.message}", preflight.contains(it.message)) }
        assertTrue(preflight.lines().any { it.startsWith("✗ ") })
        assertFalse("no name or number", preflight.contains("Susan") || preflight.contains("7400"))
        assertEquals("no contact for a patient whose call is blocked by more than the contact", 0, tv.contactRecords().size)
        assertEquals(null, shadowOf(ui.activity as Activity).nextStartedActivity)
        // What to do about the first blocking check: consent is missing, so "Record consent":
        // the wording, the patient's answer, then how it was given.
        clickDialogPositive()
        clickDialogPositive()
        clickDialogItem(0)
        assertTrue(tv.patient(id).consent is ConsentState.Given)

        // With consent on record, the contact is the call's to make: Call makes it on the way.
        // (WhatsApp installed, and the checklist a warning here, so that only the contact is in the way.)
        installWhatsApp()
        tv.setPolicy(tv.policy().let { it.copy(calls = it.calls.copy(checks = it.calls.checks.copy(checklist = org.televisit.core.Severity.WARN))) })
        ui.click("Call")
        assertEquals("the contact was made on the way", 1, tv.contactRecords().size)
        assertTrue("the warning is said, and the call may go on", latestDialogMessage().lines().any { it.startsWith("! ") })
    }

    private companion object {
        val SECTIONS = setOf("Today", "Later visits", "No visit time", "Earlier visits not marked done", "Visits done", "Archived")
    }
}
