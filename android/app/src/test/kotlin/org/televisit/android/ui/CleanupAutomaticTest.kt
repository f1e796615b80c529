package org.televisit.android.ui

import android.Manifest
import android.app.Activity
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.televisit.android.background.CheckIn
import org.televisit.core.Clock
import org.televisit.core.ContactCard
import org.televisit.core.ListScope
import org.televisit.core.NewPatient
import java.time.Duration
import java.time.Instant

/**
 * The periodic cleanup as the phone does it by itself: the background check-in removes the
 * phone's own due contacts when IT's policy says so (never a lookalike), the Cleanup screen
 * shows the counts IT's fleet view reads, and the summary waits for the next open, once.
 */
@RunWith(RobolectricTestRunner::class)
class CleanupAutomaticTest {
    private class TestClock(var now: Instant = Instant.now()) : Clock {
        override fun now(): Instant = now
    }

    private val clock = TestClock()
    private val session = testSession(clock)
    private val tv = session.started().also { it.unlockSucceeded() }
    private val contacts = Robolectric.setupContentProvider(
        org.televisit.android.platform.TestContactsProvider::class.java,
        android.provider.ContactsContract.AUTHORITY,
    )

    init {
        shadowOf(RuntimeEnvironment.getApplication()).grantPermissions(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS)
    }

    @After
    fun closeSession() = session.close()

    private fun policy(automatic: Boolean) {
        val current = tv.policy()
        tv.setPolicy(current.copy(version = current.version + 1u, contacts = current.contacts.copy(defaultRegion = "GB", cleanupAutomatic = automatic)))
    }

    /** Two patients' contacts made 31 days ago, and a contact named like one made by hand. */
    private fun monthOldContacts(): String {
        for ((given, phone) in listOf("Susan" to "07400 100001", "Tom" to "07400 100002")) {
            tv.ensureContact(session.book, tv.patientAdd(NewPatient(given, "Smith", phone, null)).id)
        }
        clock.now = clock.now.plus(Duration.ofDays(31))
        return session.book.create(ContactCard("Patient Maria Lopez", "+447400777888", ""))
    }

    @Test
    fun `under a policy that allows it the background check-in removes the phone's own due contacts and the next open says so once`() {
        policy(automatic = true)
        val lookalike = monthOldContacts()
        CheckIn.run(session)
        assertEquals("the patients' contacts went; the hand-made one waits", listOf(lookalike), session.book.list(ListScope.ALL).map { it.platformId })

        val ui = showScreen(CleanupScreen::class.java, session)
        val texts = ui.texts()
        assertTrue(texts.toString(), texts.contains("No patient contacts on this phone"))
        assertTrue(texts.toString(), texts.any { it.startsWith("Last cleanup: ") && it.endsWith("(contacts named like patients that Televisit did not make wait for you)") })
        assertTrue(texts.any { it.startsWith("Automatic cleanup is on") })

        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        CleanupSummary(activity, session).offer()
        idle()
        val message = latestDialogMessage()
        assertTrue(message, message.startsWith("As IT's policy asks, Televisit removed 2 patient contacts that were due (past 30 days"))
        assertTrue(message, message.contains("1 contact named like a patient that Televisit did not make waits for you in Cleanup."))
        assertFalse("counts only", message.contains("Susan") || message.contains("7400"))
        clickDialogPositive()
        assertNull("seen once", tv.automaticCleanupSummary())
    }

    @Test
    fun `with the policy's default the check-in removes nothing and the screen shows what IT sees`() {
        assertFalse(tv.policy().contacts.cleanupAutomatic)
        policy(automatic = false)
        monthOldContacts()
        CheckIn.run(session)
        assertEquals(3, session.book.list(ListScope.ALL).size)
        val state = tv.cleanupState(session.book)
        assertTrue(state.overdue)
        val ui = showScreen(CleanupScreen::class.java, session)
        assertTrue(ui.texts().toString(), ui.texts().contains("2 of 2 patient contacts past 30 days; the oldest is 31 days old"))
        assertTrue(ui.texts().contains("Cleanup has not run on this phone yet."))
        assertTrue(ui.texts().any { it.startsWith("Automatic cleanup is off") })
        assertNull(tv.automaticCleanupSummary())
    }

    @Test
    fun `without contacts access the count is unknown, not zero, and nothing is removed`() {
        policy(automatic = true)
        monthOldContacts()
        shadowOf(RuntimeEnvironment.getApplication()).denyPermissions(Manifest.permission.READ_CONTACTS, Manifest.permission.WRITE_CONTACTS)
        contacts.denied = true
        val done = session.backgroundCleanup()
        assertNotNull(done)
        assertNull(done!!.state.contactsHeld)
        assertEquals(0u, done.removed)
        contacts.denied = false
        assertEquals(3, session.book.list(ListScope.ALL).size)
    }
}
