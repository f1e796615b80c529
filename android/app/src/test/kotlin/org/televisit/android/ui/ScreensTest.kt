package org.televisit.android.ui

import android.app.KeyguardManager
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.televisit.core.ChecklistStatus
import org.televisit.core.NewPatient
import org.televisit.core.Verification

@RunWith(RobolectricTestRunner::class)
class ScreensTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }

    @After
    fun closeSession() = session.close()

    @Test
    fun `the checklist goes item by item and the core records the run`() {
        shadowOf(RuntimeEnvironment.getApplication().getSystemService(KeyguardManager::class.java)).setIsDeviceSecure(true)
        val (_, screen) = showScreen { ChecklistScreen(it, session) }
        val view = screen.view
        assertEquals(ChecklistStatus.NEVER, tv.checklistStatus(session.device))
        view.click("Start the checklist")
        var answered = 0
        while (true) {
            val next = tv.checklistRun()!!.items.firstOrNull { it.answer == null && !it.preAnswered } ?: break
            assertTrue(view.texts().contains(next.item.title))
            assertTrue(view.texts().contains("Where: ${next.path}"))
            view.click(next.item.choices.first { it.value == next.item.recommended }.label)
            assertEquals(next.item.recommended, tv.checklistRun()!!.items.first { it.item.id == next.item.id }.answer)
            answered++
        }
        assertTrue(answered > 0)
        view.click("Finish")
        val status = tv.checklistStatus(session.device)
        assertTrue(status != ChecklistStatus.NEVER)
        // Recommended answers on a locked-down phone: compliant, unless a pre-answered item deviates.
        val compliant = view.texts().contains("Your settings match your organisation's requirements.")
        assertEquals(compliant, status == ChecklistStatus.CURRENT)
    }

    @Test
    fun `the cleanup dry run on an empty book lists nothing to remove`() {
        val (_, screen) = showScreen { CleanupScreen(it, session) }
        val plan = tv.cleanupPlan(session.book, null)
        assertTrue(plan.remove.isEmpty() && plan.lookalikes.isEmpty())
        assertTrue(screen.view.texts().contains("No patient contacts to remove."))
        assertFalse(screen.view.texts().contains("Confirm removal"))
    }

    @Test
    fun `the log shows its verification and no patient data`() {
        val p = tv.patientAdd(NewPatient("Susan", "Smith", "+44 7400 123456", null))
        val (_, screen) = showScreen { LogScreen(it, session) }
        val verification = tv.logVerify() as Verification.Intact
        val texts = screen.view.texts()
        assertEquals("Log intact: ${verification.count} entries, verified.", texts.first())
        assertTrue(texts.any { it.contains("patient_added") && it.contains(p.id) })
        assertFalse(texts.any { it.contains("Susan") || it.contains("7400") })
    }

    @Test
    fun `settings show the policy, enrollment and a refused code's error`() {
        val (_, screen) = showScreen { SettingsScreen(it, session) }
        val texts = screen.view.texts()
        assertTrue(texts.contains("Policy version ${tv.policy().version} from ${tv.policy().organisation}."))
        assertTrue(texts.contains(if (tv.enrollment() == null) "Not enrolled with an organisation." else "Enrolled with ${tv.enrollment()!!.orgName} (device ${tv.enrollment()!!.deviceId})."))
        assertTrue(texts.contains("Not acknowledged yet: you will be asked before your first call."))
        screen.view.fieldWithHint("Paste an enrollment code").setText("not-a-code")
        screen.view.click("Enroll")
        val refused = runCatching { tv.enroll("not-a-code") }.exceptionOrNull()!!
        assertEquals(refused.message, latestDialog().messageText())
    }
}
