package org.televisit.android.ui

import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.televisit.core.EntryKind
import org.televisit.core.LogQuery

@RunWith(RobolectricTestRunner::class)
class MainActivityTest {
    private val session = testSession()

    @After
    fun closeSession() {
        MainActivity.sessionOverride = null
        session.close()
    }

    @Test
    fun `an unlocked app shows the five tabs and today's patients`() {
        session.started().unlockSucceeded()
        val ui = launchMain(session)
        assertEquals(TITLES, ui.texts().filter { it in TITLES })
        assertTrue(TITLES.all { ui.buttonEnabled(it) })
        assertTrue(ui.hasButton("Add patient"))
        ui.click("Log")
        assertTrue(ui.texts().any { it.startsWith("Log intact") })
        assertFalse(ui.hasButton("Add patient"))
    }

    @Test
    fun `without a screen lock the app stays locked and says why`() {
        session.started()
        setDeviceSecure(false)
        val ui = launchMain(session)
        assertTrue(ui.texts().any { it.contains("needs a screen lock") })
        assertTrue(TITLES.none { ui.buttonEnabled(it) })
        assertFalse(ui.hasButton("Add patient"))
    }

    @Test
    fun `the gate reports the prompt's outcome to the core`() {
        val tv = session.started()
        val ui = launchMain(session)
        var unlocked = 0
        var locked = 0
        val gate = AppLockGate(ui.activity as android.app.Activity, session, unlocked = { unlocked++ }, locked = { locked++ })
        gate.finished(false)
        assertFalse(tv.touch())
        assertEquals(1, tv.logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size)
        assertEquals(1 to 0, locked to unlocked)
        gate.finished(true)
        assertTrue(tv.touch())
        assertEquals(1, unlocked)
    }

    @Test
    fun `Back, Cancel, timeouts and the system's lockout are never failed unlocks`() {
        val tv = session.started()
        val ui = launchMain(session)
        var locked = 0
        val gate = AppLockGate(ui.activity as android.app.Activity, session, unlocked = {}, locked = { locked++ })
        val failed = { tv.logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size }
        val notFailures = listOf(
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_USER_CANCELED,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_NEGATIVE_BUTTON,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_TIMEOUT,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_CANCELED,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_HW_UNAVAILABLE,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT,
            android.hardware.biometrics.BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT_PERMANENT,
        )
        repeat(3) { notFailures.forEach(gate::promptEnded) }
        assertEquals("21 prompts ended without success count nothing", 0, failed())
        assertEquals(21, locked)
        gate.onActivityResult(AppLockGate.REQUEST_CREDENTIAL, android.app.Activity.RESULT_CANCELED)
        assertEquals(0, failed())
        assertTrue("nothing wiped", session.televisit === tv)
    }

    @Test
    fun `with class 2 biometrics allowed, a face not recognised is not a failed unlock`() {
        // BiometricPrompt is API 28; below it the lock screen's own confirmation is asked.
        org.junit.Assume.assumeTrue(android.os.Build.VERSION.SDK_INT >= 28)
        val tv = session.started()
        val ui = launchMain(session)
        val gate = AppLockGate(ui.activity as android.app.Activity, session, unlocked = {}, locked = {})
        val failed = { tv.logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size }
        val withBiometrics = { biometrics: org.televisit.core.BiometricClass ->
            tv.setPolicy(tv.policy().let { it.copy(appLock = it.appLock.copy(androidBiometrics = biometrics)) })
            session.applyManagedConfig() // read again at every configuration change
            assertEquals(biometrics, session.lockBiometrics)
        }
        withBiometrics(org.televisit.core.BiometricClass.WEAK)
        repeat(5) { gate.callback.onAuthenticationFailed() }
        assertEquals("five passive face misses count nothing", 0, failed())
        assertTrue("nothing wiped", session.televisit === tv)
        withBiometrics(org.televisit.core.BiometricClass.STRONG)
        gate.callback.onAuthenticationFailed()
        assertEquals("a fingerprint not recognised is a failed unlock", 1, failed())
    }

    private companion object {
        val TITLES = listOf("Patients", "Checklist", "Cleanup", "Log", "Settings")
    }
}
