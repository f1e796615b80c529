package org.televisit.android.ui

import android.widget.Button
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import android.app.KeyguardManager
import org.televisit.core.EntryKind
import org.televisit.core.LogQuery

@RunWith(RobolectricTestRunner::class)
class MainActivityTest {
    private val session = testSession()

    @After
    fun closeSession() = session.close()

    private fun launch(): MainActivity {
        TestMainActivity.session = session
        val activity = Robolectric.buildActivity(TestMainActivity::class.java).setup().get()
        idle()
        return activity
    }

    private fun tabs(activity: MainActivity) =
        activity.window.decorView.all().filterIsInstance<Button>().filter { it.text.toString() in TITLES }

    @Test
    fun `an unlocked app shows the five tabs and today's patients`() {
        session.started().unlockSucceeded()
        val activity = launch()
        val root = activity.window.decorView
        assertEquals(TITLES, tabs(activity).map { it.text.toString() })
        assertTrue(root.button("Add patient").isShown)
        root.click("Log")
        assertTrue(root.texts().any { it.startsWith("Log intact") })
    }

    @Test
    fun `without a screen lock the app stays locked and says why`() {
        session.started()
        shadowOf(RuntimeEnvironment.getApplication().getSystemService(KeyguardManager::class.java)).setIsDeviceSecure(false)
        val activity = launch()
        val root = activity.window.decorView
        assertTrue(root.texts().any { it.contains("needs a screen lock") })
        assertTrue(tabs(activity).none { it.isEnabled })
        assertFalse(root.all().filterIsInstance<Button>().any { it.text.toString() == "Add patient" })
    }

    @Test
    fun `the gate reports the prompt's outcome to the core`() {
        val tv = session.started()
        val activity = launch()
        val gate = AppLockGate(activity, session, unlocked = {}, locked = {})
        gate.finished(false)
        assertFalse(tv.touch())
        assertEquals(1, tv.logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size)
        gate.finished(true)
        assertTrue(tv.touch())
    }

    private companion object {
        val TITLES = listOf("Patients", "Checklist", "Cleanup", "Log", "Settings")
    }
}
