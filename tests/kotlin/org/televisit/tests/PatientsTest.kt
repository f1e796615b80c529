package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.Actor
import org.televisit.core.CleanupOutcome
import org.televisit.core.ConsentMethod
import org.televisit.core.ConsentState
import org.televisit.core.EnsureAction
import org.televisit.core.EntryKind
import org.televisit.core.ListSection
import org.televisit.core.LogQuery
import org.televisit.core.NewPatient
import org.televisit.core.PatientUpdate
import org.televisit.core.RemovalReason
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.Verification
import org.televisit.core.defaultPolicy
import java.time.Duration
import java.time.Instant

class PatientsTest {
    private val clock = TestClock()
    private val tv = Televisit.openWithClock(tempProfile().resolve("televisit.db").toString(), InMemorySecretStore(), clock).also {
        val policy = defaultPolicy()
        it.setPolicy(policy.copy(contacts = policy.contacts.copy(defaultRegion = "GB")))
    }
    private val book = MemoryContactBook()

    private fun susan(phone: String = "07400 123456") = NewPatient("Susan", "Smith", phone, null)

    @Test
    fun `add, list, update and archive a patient`() {
        val p = tv.patientAdd(susan())
        assertTrue(p.id.startsWith("pt_"))
        assertEquals("+447400123456", p.phone)
        assertEquals("Patient Susan Smith", p.contactName)
        assertEquals(ConsentState.None, p.consent)
        val twin = tv.patientAdd(susan("07400 654321"))
        assertEquals("Patient Susan Smith (2)", twin.contactName)
        val renamed = tv.patientUpdate(twin.id, PatientUpdate(familyName = "Jones"))
        assertEquals("Patient Susan Jones", renamed.contactName)
        tv.patientArchive(p.id)
        assertEquals(listOf(twin.id), tv.patients(false).map { it.id })
        assertEquals(2, tv.patients(true).size)
    }

    @Test
    fun `the day's list - today's visits first by time, namesakes told apart, done visits last`() {
        // The clock reads 09:00 UTC on 1 January; the phone's day is UTC's (FakePhone's offset 0).
        val late = tv.patientAdd(NewPatient("Susan", "Smith", "07400 654321", Instant.parse("2026-01-01T16:00:00Z")))
        val early = tv.patientAdd(NewPatient("Susan", "Smith", "07400 123456", Instant.parse("2026-01-01T08:00:00Z")))
        val none = tv.patientAdd(NewPatient("Una", "Lee", "07400 111111", null))
        val rows = tv.dayList(FakePhone(), false)
        assertEquals(listOf(early.id, late.id, none.id), rows.map { it.patient.id })
        assertEquals(listOf(ListSection.TODAY, ListSection.TODAY, ListSection.UNSCHEDULED), rows.map { it.section })
        assertEquals(listOf("Patient Susan Smith (2) · …3456", "Patient Susan Smith · …4321"), rows.take(2).map { it.label })

        tv.markVisitDone(early.id)
        val after = tv.dayList(FakePhone(), false)
        assertEquals(early.id, after.last().patient.id)
        assertEquals(ListSection.DONE, after.last().section)
        assertNotNull(after.last().visitDoneAt)
    }

    @Test
    fun `bad names, phones and duplicates are refused without echo`() {
        tv.patientAdd(susan())
        val dup = assertThrows<TelevisitException.InvalidInput> { tv.patientAdd(susan("+44 7400 123456")) }
        assertFalse(dup.message!!.contains("Susan"), dup.message)
        val phone = assertThrows<TelevisitException.InvalidInput> { tv.patientAdd(susan("12")) }
        assertTrue(phone.message!!.startsWith("invalid phone"), phone.message)
        assertThrows<TelevisitException.InvalidInput> { tv.patientAdd(NewPatient("\uD83D\uDE00", "Smith", "07400 111222", null)) }
        assertThrows<TelevisitException.InvalidInput> { tv.patient("Susan Smith") }
        assertThrows<TelevisitException.NotFound> { tv.patient("pt_0123456789abcdef") }
        assertEquals(1, tv.patients(false).size)
    }

    @Test
    fun `consent is recorded and revoked`() {
        val p = tv.patientAdd(susan())
        val given = tv.consentRecord(p.id, ConsentMethod.IN_APP, "v3", Actor.CLINICIAN)
        assertTrue(given is ConsentState.Given && given.method == ConsentMethod.IN_APP && given.textVersion == "v3")
        assertTrue(tv.consentRevoke(p.id, Actor.CLINICIAN) is ConsentState.Revoked)
        val kinds = tv.logList(LogQuery(patient = p.id)).map { it.kind }
        assertEquals(listOf(EntryKind.PATIENT_ADDED, EntryKind.CONSENT_RECORDED, EntryKind.CONSENT_REVOKED), kinds)
    }

    @Test
    fun `a decline is recorded as such and is not never asked`() {
        val p = tv.patientAdd(susan())
        val declined = tv.consentDecline(p.id, ConsentMethod.VERBAL, "v1", Actor.CLINICIAN)
        assertTrue(declined is ConsentState.Declined && declined.method == ConsentMethod.VERBAL)
        assertTrue(tv.patient(p.id).consent is ConsentState.Declined)
        val kinds = tv.logList(LogQuery(patient = p.id)).map { it.kind }
        assertEquals(listOf(EntryKind.PATIENT_ADDED, EntryKind.CONSENT_DECLINED), kinds)
        assertEquals(null, tv.policy().calls.consentText, "the default policy carries the wording's version only")
    }

    @Test
    fun `ensure contact creates, repairs and is idempotent through a Kotlin ContactBook`() {
        val p = tv.patientAdd(susan())
        val made = tv.ensureContact(book, p.id)
        assertEquals(EnsureAction.CREATED, made.action)
        assertEquals("Patient Susan Smith", book.contacts[made.platformId]!!.displayName)
        assertEquals("televisit:${p.id}", book.contacts[made.platformId]!!.marker)
        assertEquals(EnsureAction.UNCHANGED, tv.ensureContact(book, p.id).action)
        book.contacts[made.platformId] = book.contacts[made.platformId]!!.copy(displayName = "Susan dentist")
        assertEquals(EnsureAction.REPAIRED, tv.ensureContact(book, p.id).action)
        book.contacts.remove(made.platformId)
        val again = tv.ensureContact(book, p.id)
        assertEquals(EnsureAction.REPAIRED, again.action)
        assertNotNull(book.contacts[again.platformId])
        assertEquals(1, book.contacts.size)
    }

    @Test
    fun `contacts permission denied is a clear error`() {
        val p = tv.patientAdd(susan())
        book.denied = true
        val e = assertThrows<TelevisitException.ContactBook> { tv.ensureContact(book, p.id) }
        assertTrue(e.message!!.contains("READ_CONTACTS"), e.message)
    }

    @Test
    fun `cleanup dry run, lookalikes apart, failures kept and retried`() {
        val old = tv.patientAdd(susan())
        val done = tv.patientAdd(NewPatient("Ann", "Lee", "07400 222333", null))
        val busy = tv.patientAdd(NewPatient("Bo", "Ng", "07400 333444", null))
        val oldContact = tv.ensureContact(book, old.id).platformId
        clock.advance(Duration.ofDays(31))
        tv.ensureContact(book, done.id)
        val busyContact = tv.ensureContact(book, busy.id).platformId
        tv.markVisitDone(done.id)
        tv.patientArchive(busy.id)
        val lookalike = book.addByHand("PATIENT Maria Lopez", "+447400777888")
        book.failDelete += busyContact

        val plan = tv.cleanupPlan(book, null)
        assertEquals(listOf(RemovalReason.NotUsedFor(30u)), plan.remove.first { it.patient == old.id }.reasons)
        assertEquals(listOf(RemovalReason.VisitDone), plan.remove.first { it.patient == done.id }.reasons)
        assertEquals(listOf(lookalike), plan.lookalikes.map { it.platformId })
        assertEquals(4, book.contacts.size, "the dry run deleted nothing")

        val report = tv.cleanupApply(book, plan, emptyList())
        assertEquals(2u, report.deleted)
        assertEquals(1u, report.failed)
        val failed = report.results.first { it.platformId == busyContact }.outcome
        assertTrue(failed is CleanupOutcome.Failed && failed.reason.contains("busy"), "$failed")
        assertNull(book.contacts[oldContact])
        assertNotNull(book.contacts[lookalike], "the lookalike stays until confirmed")

        book.failDelete.clear()
        val retry = tv.cleanupPlan(book, null)
        assertTrue(RemovalReason.EarlierDeleteFailed in retry.remove.single().reasons)
        val second = tv.cleanupApply(book, retry, listOf(lookalike))
        assertEquals(2u, second.deleted)
        assertTrue(book.contacts.isEmpty())
        assertTrue(tv.logVerify() is Verification.Intact)
        assertEquals(2, tv.logList(LogQuery(kinds = listOf(EntryKind.CLEANUP_RUN))).size)
    }

    @Test
    fun `the naming matcher is reachable`() {
        assertTrue(tv.looksLikePatientContact("patient susan smith (2)"))
        assertFalse(tv.looksLikePatientContact("Mum"))
    }
}
