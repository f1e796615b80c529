package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.Actor
import org.televisit.core.DetailValue
import org.televisit.core.EntryKind
import org.televisit.core.LogQuery
import org.televisit.core.NewLogEntry
import org.televisit.core.Tamper
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.Verification
import org.televisit.core.defaultPolicy
import org.televisit.core.policyFromJson
import java.nio.file.Files
import java.time.Duration

class FoundationTest {
    private val dir = tempProfile()
    private val db = dir.resolve("televisit.db")
    private val secrets = InMemorySecretStore()

    private fun call(n: Long) = NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, null, mapOf("n" to DetailValue.Number(n)))

    @Test
    fun `first open makes the key through the Kotlin SecretStore`() {
        val tv = Televisit.open(db.toString(), secrets)
        assertTrue(tv.wasCreated())
        assertEquals(48, secrets.raw("televisit.data-key.v1")!!.size)
        val header = Files.readAllBytes(db).copyOfRange(0, 15).toString(Charsets.US_ASCII)
        assertFalse(header.startsWith("SQLite format"), "the file is encrypted")
        tv.destroy()
        assertFalse(Televisit.open(db.toString(), secrets).wasCreated())
    }

    @Test
    fun `the Apple store keeps SQLite's header in the clear, and still refuses another key`() {
        val tv = Televisit.openForApplePlatforms(db.toString(), secrets)
        assertTrue(tv.wasCreated())
        tv.logAppend(call(1))
        tv.destroy()
        val header = Files.readAllBytes(db).copyOfRange(0, 16).toString(Charsets.US_ASCII)
        assertEquals("SQLite format 3\u0000", header, "iOS sees a WAL database and spares the suspended app")
        val reopened = Televisit.openForApplePlatforms(db.toString(), secrets)
        assertTrue(reopened.logVerify() is Verification.Intact)
        reopened.destroy()
        val other = InMemorySecretStore()
        Televisit.openForApplePlatforms(dir.resolve("other.db").toString(), other).destroy()
        assertThrows<TelevisitException.WrongKey> { Televisit.openForApplePlatforms(db.toString(), other) }
    }

    @Test
    fun `a reinstall that kept the old key makes a new Apple store only when the shell says it is fresh`() {
        val tv = Televisit.openForApplePlatforms(db.toString(), secrets)
        tv.logAppend(call(1))
        tv.destroy()
        val oldKey = secrets.raw("televisit.data-key.v1")!!
        Files.list(dir).use { files -> files.forEach { Files.delete(it) } } // the app and its files deleted
        assertThrows<TelevisitException.DatabaseMissing> { Televisit.openForApplePlatforms(db.toString(), secrets) }
        val fresh = Televisit.openForApplePlatforms(db.toString(), secrets, freshInstall = true)
        assertTrue(fresh.wasCreated())
        assertFalse(oldKey.contentEquals(secrets.raw("televisit.data-key.v1")!!), "a new key")
        val first = fresh.logList(LogQuery()).first()
        assertEquals(EntryKind.STORE_CREATED, first.kind)
        assertEquals(DetailValue.Flag(true), first.detail["after_reinstall"])
        fresh.destroy()
    }

    @Test
    fun `append, list and verify`() {
        val tv = Televisit.open(db.toString(), secrets)
        val patient = "pt_0123456789abcdef0123456789abcdef"
        val added = tv.logAppend(
            NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, patient, mapOf("step" to DetailValue.Code("chat"))),
        )
        assertEquals(2uL, added.seq)
        for (n in 1L..3L) tv.logAppend(call(n))
        val all = tv.logList(LogQuery())
        assertEquals(listOf(EntryKind.STORE_CREATED, EntryKind.CALL_LAUNCHED, EntryKind.CALL_LAUNCHED, EntryKind.CALL_LAUNCHED, EntryKind.CALL_LAUNCHED), all.map { it.kind })
        assertEquals(DetailValue.Code("chat"), all[1].detail["step"])
        val calls = tv.logList(LogQuery(kinds = listOf(EntryKind.CALL_LAUNCHED), limit = 2u, newestFirst = true))
        // The kinds the core writes with its own actions are not a shell's to write.
        for (kind in listOf(EntryKind.LOG_PURGED, EntryKind.ENROLLED, EntryKind.POLICY_APPLIED, EntryKind.WIPE_DONE, EntryKind.CONSENT_RECORDED)) {
            val refused = assertThrows<TelevisitException.InvalidInput> { tv.logAppend(NewLogEntry(kind, Actor.SYSTEM, null, emptyMap())) }
            assertTrue(refused.message!!.contains("written by Televisit itself"), refused.message)
        }
        assertEquals(listOf(5uL, 4uL), calls.map { it.seq })
        assertEquals(listOf(2uL), tv.logList(LogQuery(patient = patient)).map { it.seq })
        val verified = tv.logVerify()
        assertTrue(verified is Verification.Intact, "$verified")
        assertEquals(5uL, (verified as Verification.Intact).count)
        assertEquals(64, verified.headMacHex.length)
    }

    @Test
    fun `a tampered row is named by its sequence number`() {
        val tv = Televisit.open(db.toString(), secrets)
        for (n in 1L..5L) tv.logAppend(call(n))
        val changed = TestSupport.exec(db, secrets, "UPDATE log_entries SET kind = 'wipe_done' WHERE seq = 4;")
        assertEquals(1L, changed)
        assertEquals(Verification.Broken(4uL, Tamper.CHANGED), tv.logVerify())
        val report = tv.integrityCheck()
        assertFalse(report.ok)
        assertTrue(report.pagesOk)
    }

    @Test
    fun `an older copy of the database put back is found, with what it lacks`() {
        var tv = Televisit.open(db.toString(), secrets)
        for (n in 1L..3L) tv.logAppend(call(n))
        val oldHead = (tv.logVerify() as Verification.Intact).headSeq
        tv.destroy()
        val backup = dir.resolve("backup.db")
        Files.copy(db, backup)
        tv = Televisit.open(db.toString(), secrets)
        for (n in 4L..6L) tv.logAppend(call(n))
        val expected = tv.logProtectedHead()
        tv.destroy()
        Files.copy(backup, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        tv = Televisit.open(db.toString(), secrets)
        assertEquals(Verification.Broken(oldHead + 1uL, Tamper.ROLLED_BACK), tv.logVerify())
        assertEquals(expected, tv.logProtectedHead())
        assertTrue(org.televisit.core.tamperDescription(Tamper.ROLLED_BACK).contains("older copy of the database"))
    }

    @Test
    fun `a deleted row is named as missing`() {
        val tv = Televisit.open(db.toString(), secrets)
        for (n in 1L..5L) tv.logAppend(call(n))
        TestSupport.exec(db, secrets, "DELETE FROM log_entries WHERE seq = 3;")
        assertEquals(Verification.Broken(3uL, Tamper.MISSING), tv.logVerify())
    }

    @Test
    fun `a wrong key gives a readable TelevisitException`() {
        Televisit.open(db.toString(), secrets).destroy()
        val other = InMemorySecretStore()
        Televisit.open(dir.resolve("other.db").toString(), other).destroy()
        // The other profile's key does not open this database.
        val e = assertThrows<TelevisitException.WrongKey> { Televisit.open(db.toString(), other) }
        assertEquals("the database key does not open this database (it was made with another key)", e.message)
    }

    @Test
    fun `a missing key and a locked keystore are typed errors`() {
        Televisit.open(db.toString(), secrets).destroy()
        val e = assertThrows<TelevisitException.KeyMissing> { Televisit.open(db.toString(), InMemorySecretStore()) }
        assertTrue(e.message!!.contains("key is missing"), e.message)
        secrets.unavailable = true
        val locked = assertThrows<TelevisitException.SecretStore> { Televisit.open(db.toString(), secrets) }
        assertTrue(locked.message!!.contains("keystore locked"), locked.message)
    }

    @Test
    fun `bad input is refused without echoing patient data`() {
        val tv = Televisit.open(db.toString(), secrets)
        val name = assertThrows<TelevisitException.InvalidInput> {
            tv.logAppend(NewLogEntry(EntryKind.PATIENT_ADDED, Actor.CLINICIAN, "Susan Smith", emptyMap()))
        }
        assertFalse(name.message!!.contains("Susan"), name.message)
        val phone = assertThrows<TelevisitException.InvalidInput> {
            tv.logAppend(NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, null, mapOf("to" to DetailValue.Code("447700900123"))))
        }
        assertFalse(phone.message!!.contains("447700900123"), phone.message)
        // Phone numbers as people write them, and names typed where a code belongs.
        for (text in listOf("415-555-0132", "+1.415.555.0132", "(415) 555 0132", "1.415.555.0132", "Susan", "SusanSmith")) {
            val refused = assertThrows<TelevisitException.InvalidInput> {
                tv.logAppend(NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, null, mapOf("to" to DetailValue.Code(text))))
            }
            assertFalse(refused.message!!.contains(text), refused.message)
        }
        // A number written as a count, or hidden in a key.
        val count = assertThrows<TelevisitException.InvalidInput> {
            tv.logAppend(NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, null, mapOf("n" to DetailValue.Number(4155550132L))))
        }
        assertFalse(count.message!!.contains("4155550132"), count.message)
        assertThrows<TelevisitException.InvalidInput> {
            tv.logAppend(NewLogEntry(EntryKind.CALL_LAUNCHED, Actor.CLINICIAN, null, mapOf("tel4155550132" to DetailValue.Flag(true))))
        }
        assertThrows<TelevisitException.InvalidInput> { tv.logPurgeOlderThan(0) }
        assertEquals(1, tv.logList(LogQuery()).size)
    }

    @Test
    fun `purge keeps a checkpoint and the policy round-trips`() {
        val clock = TestClock()
        val tv = Televisit.openWithClock(db.toString(), secrets, clock)
        val policy = defaultPolicy().let { it.copy(version = 2uL, log = it.log.copy(retentionDays = 10u)) }
        tv.setPolicy(policy)
        assertEquals(policy, tv.policy())
        for (n in 1L..6L) {
            clock.advance(Duration.ofDays(5))
            tv.logAppend(call(n))
        }
        val report = tv.logPurgeOlderThan(10)
        assertTrue(report.removed > 0uL)
        assertTrue(tv.logVerify() is Verification.Intact)
        assertEquals(EntryKind.LOG_PURGED, tv.logList(LogQuery()).last().kind)
    }

    @Test
    fun `policy JSON errors name the field`() {
        val e = assertThrows<TelevisitException.InvalidInput> { policyFromJson("""{"contacts": {"default_region": "Britain"}}""") }
        assertTrue(e.message!!.contains("contacts.default_region"), e.message)
        assertNotNull(policyFromJson("""{"version": 4}"""))
    }
}
