package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.Actor
import org.televisit.core.CleanupEnd
import org.televisit.core.CleanupSkipped
import org.televisit.core.EntryKind
import org.televisit.core.LogQuery
import org.televisit.core.NewPatient
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.defaultPolicy
import java.time.Duration

/** Where cleanup stands, and the phone's own cleanup at a background check-in, through the bindings. */
class CleanupFleetTest {
    private val clock = TestClock()
    private val tv = Televisit.openWithClock(tempProfile().resolve("televisit.db").toString(), InMemorySecretStore(), clock)
    private val book = MemoryContactBook()

    private fun policy(automatic: Boolean, age: UInt = 30u) {
        val current = tv.policy()
        tv.setPolicy(
            current.copy(
                version = current.version + 1u,
                contacts = current.contacts.copy(defaultRegion = "GB", cleanupAutomatic = automatic, cleanupAfterDays = age),
            ),
        )
    }

    private fun contact(given: String, phone: String): String =
        tv.ensureContact(book, tv.patientAdd(NewPatient(given, "Smith", phone, null)).id).platformId

    @Test
    fun `the cleanup state counts what IT's fleet view reads, in the same words`() {
        policy(automatic = false)
        contact("Ann", "07400 100001")
        clock.advance(Duration.ofDays(93))
        contact("Bo", "07400 100002")
        val state = tv.cleanupState(book)
        assertEquals(listOf(2u, 1u, 93u), listOf(state.contactsHeld, state.pastAge, state.oldestDays))
        assertEquals("1 of 2 patient contacts past 30 days; the oldest is 93 days old", state.summary)
        assertTrue(state.overdue)
        assertNull(state.lastRun)

        book.denied = true
        val unknown = tv.cleanupState(book)
        assertNull(unknown.contactsHeld, "unknown, not zero")
        assertFalse(unknown.overdue)
        assertTrue(unknown.summary.startsWith("Unknown"))
    }

    @Test
    fun `off by default, a background check-in removes nothing`() {
        assertFalse(defaultPolicy().contacts.cleanupAutomatic)
        policy(automatic = false)
        val ann = contact("Ann", "07400 100001")
        clock.advance(Duration.ofDays(40))
        val done = tv.backgroundCleanup(book)
        assertEquals(CleanupSkipped.OFF, done.skipped)
        assertNotNull(book.contacts[ann])
        assertNull(tv.automaticCleanupSummary())
    }

    @Test
    fun `on, it removes the phone's own due contacts, never a lookalike, and leaves a summary for the next open`() {
        policy(automatic = true)
        val ann = contact("Ann", "07400 100001")
        val bo = contact("Bo", "07400 100002")
        clock.advance(Duration.ofDays(31))
        val lookalike = book.addByHand("Patient Maria Lopez", "+447400777888")
        book.failDelete += bo

        val first = tv.backgroundCleanup(book)
        assertNull(first.skipped)
        assertEquals(listOf(1u, 1u), listOf(first.removed, first.failed))
        assertNull(book.contacts[ann])
        assertNotNull(book.contacts[lookalike], "a lookalike waits for a person")
        assertEquals(CleanupEnd.SOME_FAILED, first.state.lastEnd)
        val deleted = tv.logList(LogQuery(kinds = listOf(EntryKind.CONTACT_DELETED)))
        assertEquals(listOf(Actor.SYSTEM), deleted.map { it.actor })

        // Failures are retried at a later check-in, not at every one.
        book.failDelete.clear()
        assertEquals(CleanupSkipped.RAN_RECENTLY, tv.backgroundCleanup(book).skipped)
        clock.advance(Duration.ofMinutes(61))
        val second = tv.backgroundCleanup(book)
        assertEquals(1u, second.removed)
        assertNull(book.contacts[bo])

        val summary = tv.automaticCleanupSummary()!!
        assertEquals(listOf(2u, 0u, 1u, 2u, 30u), listOf(summary.removed, summary.failed, summary.lookalikesWaiting, summary.runs, summary.ageDays))
        tv.automaticCleanupSeen()
        assertNull(tv.automaticCleanupSummary())
    }

    @Test
    fun `a policy that makes cleanup automatic at age 0 is refused and the one in force stays`() {
        policy(automatic = false)
        val refused = assertThrows<TelevisitException> { policy(automatic = true, age = 0u) }
        assertTrue(refused.message!!.contains("contacts.cleanup_after_days"), refused.message)
        assertFalse(tv.policy().contacts.cleanupAutomatic)
    }
}
