package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.FailedUnlock
import org.televisit.core.ManagedOutcome
import org.televisit.core.NewPatient
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.Triggers
import org.televisit.core.WipeScope
import org.televisit.core.managedConfigKeys
import org.televisit.core.Platform
import org.televisit.core.managedProblems
import org.televisit.core.receiveBulletin
import org.televisit.core.heldWipeReceipt
import org.televisit.core.resumePendingWipe
import org.televisit.core.wipePending
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** IT's side played by the real `televisit-admin` binary. */
class Admin(private val dir: Path) {
    private val bin = System.getProperty("televisit.bin") ?: "target/debug"
    val org: Path = dir.resolve("org")

    /** Its standard output (what IT's scripts capture); its notes on stderr only explain a failure. */
    fun run(vararg args: String): String {
        val errors = Files.createTempFile("televisit-admin", ".err").toFile()
        val process = ProcessBuilder(listOf("$bin/televisit-admin") + args).redirectError(errors).start()
        val out = process.inputStream.bufferedReader().readText()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS))
        assertEquals(0, process.exitValue(), out + errors.readText())
        errors.delete()
        return out.trim()
    }

    fun exit(vararg args: String): Int {
        val process = ProcessBuilder(listOf("$bin/televisit-admin") + args).redirectErrorStream(true).start()
        process.inputStream.readAllBytes()
        process.waitFor(60, TimeUnit.SECONDS)
        return process.exitValue()
    }

    fun signedPolicy(version: Int): String {
        val file = dir.resolve("policy-$version.json")
        Files.writeString(file, """{"version": $version, "organisation": "North Clinic"}""")
        return run("policy", "sign", file.toString(), "--org", org.toString())
    }

    init {
        run("org", "init", "--org", org.toString(), "--name", "North Clinic")
    }
}

class ItTest {
    private val dir = tempProfile()
    private val db = dir.resolve("televisit.db").toString()
    private val secrets = InMemorySecretStore()
    private val admin = Admin(dir)
    private val book = MemoryContactBook()

    @Test
    fun `enroll, apply signed policies, refuse an older one`() {
        val tv = Televisit.open(db, secrets)
        val code = admin.run("enroll-code", "--org", admin.org.toString(), "--policy", admin.signedPolicy(1))
        val enrolled = tv.enroll(code)
        assertTrue(enrolled.deviceId.startsWith("dev_"))
        assertEquals("North Clinic", enrolled.orgName)
        assertEquals(enrolled, tv.enrollment())
        assertEquals(3uL, tv.applySignedPolicy(admin.signedPolicy(3)).version)
        val older = assertThrows<TelevisitException.PolicyOutdated> { tv.applySignedPolicy(admin.signedPolicy(2)) }
        assertTrue(older.message!!.contains("older"), older.message)
        assertThrows<TelevisitException.InvalidInput> { tv.applySignedPolicy("tv1.policy.garbage.garbage") }
        assertEquals(Triggers.Clear, tv.evaluateTriggers(FakePhone()))
        // Enrolled, the device takes only what its organisation signed: setPolicy is refused.
        val unsigned = assertThrows<TelevisitException.InvalidInput> { tv.setPolicy(tv.policy().copy(version = 9uL)) }
        assertTrue(unsigned.message!!.contains("only policies its organisation signed"), unsigned.message)
        assertEquals(3uL, tv.policy().version)
    }

    @Test
    fun `managed configuration applies once, is unchanged when delivered again, refuses garbage by key`() {
        val tv = Televisit.open(db, secrets)
        val keys = managedConfigKeys()
        assertEquals("enrollment_code", keys.enrollmentCode)
        assertEquals("wipe_receipt", keys.wipeReceipt)
        val code = admin.run("enroll-code", "--org", admin.org.toString(), "--policy", admin.signedPolicy(1))
        val config = mapOf(keys.enrollmentCode to code, keys.signedPolicy to admin.signedPolicy(2))
        val first = tv.applyManagedConfig(config)
        assertTrue(first.enrollment is ManagedOutcome.Applied, first.toString())
        assertEquals(ManagedOutcome.Applied("policy version 2 in force"), first.policy)
        assertEquals(ManagedOutcome.NotSet, first.wipe)
        val again = tv.applyManagedConfig(config)
        assertEquals(ManagedOutcome.Unchanged, again.enrollment)
        assertEquals(ManagedOutcome.Unchanged, again.policy)

        val garbage = tv.applyManagedConfig(config + (keys.wipeCommand to "Susan Smith +14155550132"))
        val refused = garbage.wipe as ManagedOutcome.Refused
        assertEquals("malformed", refused.code)
        assertFalse(garbage.wipeStarted)
        val problems = managedProblems(garbage)
        assertEquals(1, problems.size)
        assertTrue(problems[0].startsWith("wipe_command: "), problems[0])
        assertFalse(problems[0].contains("Susan") || problems[0].contains("4155550132"), problems[0])
    }

    @Test
    fun `a wipe from IT leaves nothing and answers with a receipt IT verifies`() {
        var tv = Televisit.open(db, secrets)
        val enrolled = tv.enroll(admin.run("enroll-code", "--org", admin.org.toString(), "--policy", admin.signedPolicy(1)))
        val patient = tv.patientAdd(NewPatient("Susan", "Smith", "+14155550132", null))
        tv.ensureContact(book, patient.id)
        // IT pins the device key from the report (whose checkpoint names the log's size), then
        // archives the export, which says what range it holds.
        val checkpoint = tv.logCheckpoint()
        val report = dir.resolve("report.txt")
        Files.writeString(report, tv.deviceReport(Platform.ANDROID, "16", "0.1.0"))
        admin.run("devices", "import", "--org", admin.org.toString(), report.toString())
        val made = tv.exportLog(false)
        assertEquals(0UL, made.fromSeq)
        assertEquals(checkpoint.size + 1UL, made.throughSeq, "the export's own entry is one more")
        assertFalse(made.whole)
        val export = dir.resolve("log.age")
        Files.write(export, made.sealed)
        val archived = admin.run("log", "import", "--org", admin.org.toString(), export.toString())
        assertTrue(archived.contains("entries 1 to ${made.throughSeq}"), archived)
        assertTrue(admin.run("log", "open", export.toString(), "--org", admin.org.toString()).contains("verified: signed by the pinned device key"))

        val command = admin.run("wipe", "issue", "--org", admin.org.toString(), "--unlisted", "--device", enrolled.deviceId, "--enrollment", enrolled.enrollmentId)
        val other = assertThrows<TelevisitException.WipeRefused> {
            tv.receiveWipe(command.substring(0, command.length - 4))
        }
        assertTrue(other.message!!.contains("damaged"), other.message)
        assertEquals(WipeScope.ALL, tv.receiveWipe(command).scope)
        assertTrue(wipePending(secrets))
        tv.destroy()
        val receipt = resumePendingWipe(db, secrets, book)
        assertNotNull(receipt)
        assertTrue(book.contacts.isEmpty())
        assertFalse(Files.exists(Path.of(db)))
        assertNull(secrets.raw("televisit.data-key.v1"))
        assertEquals(0, admin.exit("wipe", "verify-receipt", receipt!!, "--device-key=${enrolled.deviceKey}"))
        assertEquals(3, admin.exit("wipe", "verify-receipt", receipt.replaceRange(20, 22, "AA"), "--device-key=${enrolled.deviceKey}"))
        // Without the pinned key IT's tool calls no receipt valid.
        assertEquals(2, admin.exit("wipe", "verify-receipt", receipt))
        // Handed to the MDM is not received by IT: the receipt is held, and handed on again at
        // every check-in, until IT's bulletin confirms it.
        assertFalse(wipePending(secrets), "the wipe itself is done")
        assertEquals(receipt, resumePendingWipe(db, secrets, book))
        assertEquals(receipt, heldWipeReceipt(secrets))
        val published = dir.resolve("receipt.txt")
        Files.writeString(published, receipt + "\n")
        assertTrue(admin.run("devices", "import", "--org", admin.org.toString(), published.toString()).contains("1 new receipts"))
        val confirming = receiveBulletin(secrets, admin.run("bulletin", "sign", "--org", admin.org.toString()))
        assertTrue(confirming.receiptConfirmed, confirming.toString())
        assertNull(heldWipeReceipt(secrets))
        assertNull(resumePendingWipe(db, secrets, book))
        // Replaying the command on the new, unenrolled store is refused.
        tv = Televisit.open(db, secrets)
        assertThrows<TelevisitException.WipeRefused> { tv.receiveWipe(command) }
    }

    @Test
    fun `the fifth failed unlock starts the wipe at once`() {
        val tv = Televisit.open(db, secrets)
        repeat(4) { i ->
            assertEquals(FailedUnlock(failedAttempts = (i + 1).toUInt(), attemptsLeft = (4 - i).toUInt(), wipeStarted = false), tv.unlockFailed())
        }
        val last = tv.unlockFailed()
        assertTrue(last.wipeStarted && last.attemptsLeft == 0u, last.toString())
        // No trigger evaluation, no restart: the wipe is already pending.
        tv.destroy()
        assertNotNull(resumePendingWipe(db, secrets, book))
        assertFalse(Files.exists(Path.of(db)))
    }

    @Test
    fun `the fleet loop - a report IT pins, a bulletin in the background, a wipe for this phone only`() {
        var tv = Televisit.open(db, secrets)
        val enrolled = tv.enroll(admin.run("enroll-code", "--org", admin.org.toString(), "--policy", admin.signedPolicy(1)))
        val keys = managedConfigKeys()
        assertEquals("bulletin", keys.bulletin)
        assertEquals("device_report", keys.deviceReport)
        assertEquals(Triggers.Clear, tv.evaluateTriggers(FakePhone()))
        val report = tv.deviceReport(Platform.ANDROID, "16", "0.1.0")
        assertTrue(report.length <= 1000, "one keyed app state message")
        assertTrue(admin.run("device", "check", report).contains(enrolled.deviceId))
        assertEquals(0, admin.exit("device", "check", report, "--device-key=${enrolled.deviceKey}"))
        assertNotNull(tv.lastCheckin())

        val empty = admin.run("bulletin", "sign", "--org", admin.org.toString())
        val first = tv.applyBulletin(empty)
        assertTrue(first.applied && !first.wipeStarted, first.toString())
        assertFalse(tv.applyBulletin(empty).applied, "delivered again by the MDM: nothing new")

        // The phone is lost: its wipe arrives in the fleet's bulletin, taken by a background job
        // with no store open.
        val command = admin.run("wipe", "issue", "--org", admin.org.toString(), "--unlisted", "--device", enrolled.deviceId, "--enrollment", enrolled.enrollmentId)
        val fleet = admin.run("bulletin", "sign", "--org", admin.org.toString(), "--wipe", command)
        tv.destroy()
        val background = receiveBulletin(secrets, fleet)
        assertTrue(background.wipeStarted, background.toString())
        val receipt = resumePendingWipe(db, secrets, book)
        assertNotNull(receipt)
        assertEquals(0, admin.exit("wipe", "verify-receipt", receipt!!, "--device-key=${enrolled.deviceKey}"))
        val bad = assertThrows<TelevisitException.InvalidInput> { receiveBulletin(secrets, fleet.substring(0, fleet.length - 5)) }
        assertFalse(bad.message!!.contains(fleet.substring(10, 30)), bad.message)
    }

    @Test
    fun `keys a hospital runs - the bulletin key keeps the phone in touch, an admin's key wipes, a revoked admin's is refused`() {
        val tv = Televisit.open(db, secrets)
        val enrolled = tv.enroll(admin.run("enroll-code", "--org", admin.org.toString(), "--policy", admin.signedPolicy(1)))
        assertEquals(0uL, tv.keySet()!!.version, "the organisation's one key, before key sets")
        val org = admin.org.toString()
        val cron = dir.resolve("cron.pk8").toString()
        val alice = dir.resolve("alice.pk8").toString()
        val bob = dir.resolve("bob.pk8").toString()
        admin.run("keys", "rotate-bulletin", "--org", org, "--out", cron)
        admin.run("keys", "add-admin", "alice", "--org", org, "--out", alice)
        admin.run("keys", "add-admin", "bob", "--org", org, "--out", bob)
        admin.run("keys", "revoke", "org", "--org", org)
        val first = tv.applyBulletin(admin.run("bulletin", "sign", "--org", org, "--key", cron))
        assertEquals(4uL, first.keySetVersion, first.toString())
        assertEquals("bulletin", first.signedBy)
        val held = tv.keySet()!!
        assertEquals(listOf("bulletin", "alice", "bob"), held.signers.map { it.name })
        assertEquals(listOf("wipe"), held.signers.first { it.name == "alice" }.roles)
        assertNotNull(held.signers.first { it.name == "alice" }.expiresAt)
        // Bob leaves; his wipe, delivered anyway, is refused by a phone that took the new set.
        val bobs = admin.run("wipe", "issue", "--org", org, "--unlisted", "--device", enrolled.deviceId, "--enrollment", enrolled.enrollmentId, "--key", bob)
        admin.run("keys", "revoke", "bob", "--org", org)
        assertEquals(5uL, tv.applyBulletin(admin.run("bulletin", "sign", "--org", org, "--key", cron)).keySetVersion)
        val refused = assertThrows<TelevisitException.WipeRefused> { tv.receiveWipe(bobs) }
        assertTrue(refused.message!!.contains("no longer trusts"), refused.message)
        assertFalse(wipePending(secrets))
        // The cron host's key cannot issue a wipe; Alice's can.
        assertEquals(1, admin.exit("wipe", "issue", "--org", org, "--unlisted", "--device", enrolled.deviceId, "--enrollment", enrolled.enrollmentId, "--key", cron))
        admin.run("wipe", "issue", "--org", org, "--unlisted", "--device", enrolled.deviceId, "--enrollment", enrolled.enrollmentId, "--key", alice)
        val wiping = tv.applyBulletin(admin.run("bulletin", "sign", "--org", org, "--key", cron))
        assertTrue(wiping.wipeStarted, wiping.toString())
        tv.destroy()
        assertNotNull(resumePendingWipe(db, secrets, book))
    }
}
