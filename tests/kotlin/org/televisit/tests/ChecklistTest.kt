package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.ChecklistStatus
import org.televisit.core.Platform
import org.televisit.core.Requirement
import org.televisit.core.RunKind
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.checklistCatalog
import org.televisit.core.checklistCatalogVersion
import org.televisit.core.defaultPolicy
import java.time.Duration

class ChecklistTest {
    private val clock = TestClock()
    private val dir = tempProfile()
    private val secrets = InMemorySecretStore()
    private val tv = Televisit.openWithClock(dir.resolve("televisit.db").toString(), secrets, clock)
    private val phone = FakePhone()

    private fun answerAll(except: Map<String, String> = emptyMap()) {
        val run = tv.checklistRun()!!
        for (item in run.items.filter { !it.preAnswered }) {
            tv.checklistAnswer(item.item.id, except[item.item.id] ?: item.item.recommended)
        }
    }

    @Test
    fun `the catalog has every item with both paths`() {
        val catalog = checklistCatalog()
        assertTrue(catalog.size >= 21)
        assertTrue(catalog.all { it.androidPath.isNotEmpty() && it.iphonePath.isNotEmpty() })
        assertTrue(catalog.any { it.id == "two_step_verification" })
        assertEquals(2u, checklistCatalogVersion())
        assertTrue(catalog.any { it.id == "strict_account_settings" })
    }

    @Test
    fun `a run with a deviation, then compliant and current`() {
        assertEquals(ChecklistStatus.NEVER, tv.checklistStatus(phone))
        val run = tv.checklistStart(Platform.ANDROID, phone)
        assertTrue(run.items.first { it.item.id == "screen_lock" }.preAnswered)
        assertEquals("WhatsApp > Settings > Privacy > Read receipts", run.items.first { it.item.id == "read_receipts" }.path)
        answerAll(mapOf("chat_backup" to "unencrypted"))
        val result = tv.checklistFinish()
        assertFalse(result.compliant)
        assertEquals("Set Chats > Chat backup to Off: WhatsApp > Settings > Chats > Chat backup", result.deviations.single().instruction)
        assertEquals(ChecklistStatus.DUE, tv.checklistStatus(phone))
        tv.checklistStart(Platform.ANDROID, phone)
        answerAll()
        assertTrue(tv.checklistFinish().compliant)
        assertEquals(ChecklistStatus.CURRENT, tv.checklistStatus(phone))
        clock.advance(Duration.ofDays(31))
        assertEquals(ChecklistStatus.RECONFIRM, tv.checklistStatus(null), "a month on: re-confirm, not start over")
    }

    @Test
    fun `after a WhatsApp update only the changed items are asked, with one attestation`() {
        tv.checklistStart(Platform.ANDROID, phone)
        answerAll()
        assertTrue(tv.checklistFinish().compliant)
        phone.whatsappVersion = "2.26.2"
        assertEquals(ChecklistStatus.RECONFIRM, tv.checklistStatus(phone))
        // The organisation now requires Block unknown account messages off: that item alone is asked.
        val policy = defaultPolicy()
        tv.setPolicy(policy.copy(checklist = policy.checklist.copy(required = mapOf("block_unknown_account_messages" to Requirement.One("off")))))
        val run = tv.checklistStart(Platform.ANDROID, phone)
        assertEquals(RunKind.RECONFIRM, run.kind)
        assertEquals(listOf("block_unknown_account_messages"), run.items.filter { !it.preAnswered && !it.carried && !it.covered }.map { it.item.id })
        tv.checklistAnswer("block_unknown_account_messages", "off")
        // A carried answer can still be changed before finishing.
        assertEquals("off", tv.checklistAnswer("read_receipts", "off").items.first { it.item.id == "read_receipts" }.answer)
        val unattested = assertThrows<TelevisitException.InvalidInput> { tv.checklistFinish() }
        assertTrue(unattested.message!!.contains("nothing else changed"), unattested.message)
        assertTrue(tv.checklistAttestUnchanged().attestedUnchanged)
        assertTrue(tv.checklistFinish().compliant)
        assertEquals(ChecklistStatus.CURRENT, tv.checklistStatus(phone))
    }

    @Test
    fun `a half done run survives a restart and bad answers are refused`() {
        tv.checklistStart(Platform.IOS, phone)
        tv.checklistAnswer("read_receipts", "off")
        tv.destroy()
        val again = Televisit.openWithClock(dir.resolve("televisit.db").toString(), secrets, clock)
        val run = again.checklistStart(Platform.IOS, phone)
        assertEquals("off", run.items.first { it.item.id == "read_receipts" }.answer)
        assertThrows<TelevisitException.InvalidInput> { again.checklistAnswer("read_receipts", "maybe") }
        assertThrows<TelevisitException.InvalidInput> { again.checklistAnswer("no_such_item", "on") }
        val unanswered = assertThrows<TelevisitException.InvalidInput> { again.checklistFinish() }
        assertTrue(unanswered.message!!.contains("not answered yet"), unanswered.message)
    }

    @Test
    fun `the policy can require a value`() {
        val policy = defaultPolicy()
        tv.setPolicy(policy.copy(checklist = policy.checklist.copy(required = mapOf("read_receipts" to Requirement.One("on")))))
        tv.checklistStart(Platform.ANDROID, phone)
        answerAll()
        val result = tv.checklistFinish()
        assertEquals(listOf("read_receipts"), result.deviations.map { it.itemId })
        val bad = policy.copy(checklist = policy.checklist.copy(required = mapOf("read_receipts" to Requirement.One("sometimes"))))
        assertThrows<TelevisitException.InvalidInput> { tv.setPolicy(bad) }
    }
}
