package org.televisit.android.ui

import android.app.Activity
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.televisit.core.ConsentState
import org.televisit.core.NewPatient
import org.televisit.core.Platform
import org.televisit.core.TelevisitException
import org.televisit.core.disclosureText

@RunWith(RobolectricTestRunner::class)
class PatientsScreenTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }

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

    @Test
    fun `a patient added through the form is stored and listed`() {
        val ui = addThroughForm("Susan", "Smith", "+44 7400 123456")
        val stored = tv.patients(false).single()
        assertEquals("Susan" to "Smith", stored.givenName to stored.familyName)
        assertTrue(ui.texts().contains("Susan Smith — no consent yet"))
        assertEquals("", ui.fieldText("First name"))
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
    fun `consent, the disclosure, then the call as the core decides it`() {
        val ui = addThroughForm("Susan", "Smith", "+44 7400 123456")
        val id = tv.patients(false).single().id

        ui.click("Consent")
        tv.setPolicy(tv.policy().let { it.copy(calls = it.calls.copy(consentTextVersion = "wording-2026.2")) })
        clickDialogItem(0)
        val given = tv.patient(id).consent as ConsentState.Given
        assertEquals("the policy's wording version is recorded", "wording-2026.2", given.textVersion)
        assertTrue(ui.texts().contains("Susan Smith — consent given"))

        ui.click("Call")
        assertEquals(disclosureText(), latestDialogMessage())
        val disclosure = latestDialogId()
        clickDialogPositive()
        assertTrue(tv.disclosureAcknowledged())

        // The same calls, made directly, say what the screen must show. Robolectric has no
        // contacts provider, so here the core reports that it could not make the contact.
        val expected = runCatching {
            tv.ensureContact(session.book, id)
            tv.launchPlan(session.book, session.device, session.directory, id, Platform.ANDROID, null)
        }.exceptionOrNull()
        assertTrue("expected the core to stop this call, got a plan", expected is TelevisitException)
        assertNotEquals(disclosure, latestDialogId())
        assertEquals(expected!!.message, latestDialogMessage())
        assertNull(shadowOf(ui.activity as Activity).nextStartedActivity)
        assertFalse(latestDialogMessage().contains("Susan") || latestDialogMessage().contains("7400"))
    }
}
