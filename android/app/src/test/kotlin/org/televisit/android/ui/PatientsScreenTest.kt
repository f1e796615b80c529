package org.televisit.android.ui

import android.app.AlertDialog
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.televisit.core.ConsentState
import org.televisit.core.TelevisitException
import org.televisit.core.Platform
import org.televisit.core.disclosureText

@RunWith(RobolectricTestRunner::class)
class PatientsScreenTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }

    @After
    fun closeSession() = session.close()

    private fun addThroughForm(): android.view.View {
        val (_, screen) = showScreen { PatientsScreen(it, session) }
        val view = screen.view
        view.fieldWithHint("First name").setText("Susan")
        view.fieldWithHint("Last name").setText("Smith")
        view.fieldWithHint("Mobile number").setText("+44 7400 123456")
        view.click("Add patient")
        return view
    }

    @Test
    fun `a patient added through the form is stored and listed`() {
        val view = addThroughForm()
        val stored = tv.patients(false).single()
        assertEquals("Susan" to "Smith", stored.givenName to stored.familyName)
        assertTrue(view.texts().contains("Susan Smith — no consent yet"))
        assertEquals("", view.fieldWithHint("First name").text.toString())
    }

    @Test
    fun `a number the core refuses is shown as its error`() {
        val (_, screen) = showScreen { PatientsScreen(it, session) }
        screen.view.fieldWithHint("First name").setText("Ann")
        screen.view.fieldWithHint("Last name").setText("Lee")
        screen.view.fieldWithHint("Mobile number").setText("not a number")
        screen.view.click("Add patient")
        val expected = runCatching { tv.patientAdd(org.televisit.core.NewPatient("Ann", "Lee", "not a number", null)) }.exceptionOrNull()
        assertTrue(expected is TelevisitException.InvalidInput)
        assertEquals(expected!!.message, latestDialog().messageText())
        assertTrue(tv.patients(false).isEmpty())
    }

    @Test
    fun `consent, the disclosure, then a call the core decides about`() {
        val view = addThroughForm()
        val id = tv.patients(false).single().id

        view.click("Consent")
        shadowOf(latestDialog()).clickOnItem(0)
        idle()
        assertTrue(tv.patient(id).consent is ConsentState.Given)
        assertTrue(view.texts().contains("Susan Smith — consent given"))

        view.click("Call")
        val disclosure = latestDialog()
        assertEquals(disclosureText(), disclosure.messageText())
        disclosure.getButton(AlertDialog.BUTTON_POSITIVE).performClick()
        idle()
        assertTrue(tv.disclosureAcknowledged())

        // Robolectric's phone has no WhatsApp: whatever the core says about this call is shown.
        val outcome = runCatching {
            tv.ensureContact(session.book, id)
            tv.launchPlan(session.book, session.device, session.directory, id, Platform.ANDROID, null)
        }
        val shown = latestDialog()
        assertTrue(shown !== disclosure)
        val error = outcome.exceptionOrNull()
        if (error != null) {
            assertEquals(error.message, shown.messageText())
        } else {
            assertTrue(outcome.getOrThrow().preflight.blocked.not())
        }
        assertTrue("no patient data in the message", !shown.messageText().contains("Susan") && !shown.messageText().contains("7400"))
    }
}
