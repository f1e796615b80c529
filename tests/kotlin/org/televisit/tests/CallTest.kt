package org.televisit.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.televisit.core.Actor
import org.televisit.core.AttemptKind
import org.televisit.core.CheckStatus
import org.televisit.core.ConsentMethod
import org.televisit.core.DeviceFacts
import org.televisit.core.DeviceSnapshot
import org.televisit.core.EntryKind
import org.televisit.core.InstalledWhatsApp
import org.televisit.core.LaunchStep
import org.televisit.core.LogQuery
import org.televisit.core.MessageRequest
import org.televisit.core.NewPatient
import org.televisit.core.PhiKind
import org.televisit.core.Platform
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.TemplateId
import org.televisit.core.WhatsAppApp
import org.televisit.core.WhatsAppDirectory
import org.televisit.core.adbCommand
import org.televisit.core.defaultPolicy
import org.televisit.core.disclosureText
import java.net.URI
import java.net.URLDecoder

/** A Kotlin DeviceFacts, as the Android shell's adapter reports the phone. */
class FakePhone(var apps: List<WhatsAppApp> = listOf(WhatsAppApp.CONSUMER), var whatsappVersion: String = "2.26.1") : DeviceFacts {
    override fun snapshot() = DeviceSnapshot(true, false, "Android 15", apps.map { InstalledWhatsApp(it, whatsappVersion) }, 0)
}

class RowDirectory(private val row: Long?) : WhatsAppDirectory {
    override fun videoCallRow(contactPlatformId: String, app: WhatsAppApp): Long? = row
}

class CallTest {
    private val tv = Televisit.openWithClock(tempProfile().resolve("televisit.db").toString(), InMemorySecretStore(), TestClock()).also {
        val policy = defaultPolicy()
        it.setPolicy(policy.copy(contacts = policy.contacts.copy(defaultRegion = "GB")))
    }
    private val book = MemoryContactBook()
    private val phone = FakePhone()
    private val patient = tv.patientAdd(NewPatient("Susan", "Smith", "07400 123456", null))

    private fun query(uri: String, key: String): String? =
        URI(uri).rawQuery?.split("&")?.map { it.split("=", limit = 2) }?.firstOrNull { it[0] == key }?.let { URLDecoder.decode(it[1], "UTF-8") }

    @Test
    fun `blocked without consent, then a plan once everything is in place`() {
        tv.unlockSucceeded()
        val blocked = tv.preflight(book, phone, patient.id)
        assertTrue(blocked.blocked)
        assertEquals(listOf("consent_missing", "contact_missing", "disclosure_pending"), blocked.checks.filter { it.status == CheckStatus.BLOCK }.map { it.code })
        val e = assertThrows<TelevisitException.CallBlocked> { tv.launchPlan(book, phone, null, patient.id, Platform.ANDROID, null) }
        assertTrue(e.message!!.contains("consent_missing"), e.message)

        tv.consentRecord(patient.id, ConsentMethod.VERBAL, "v1", Actor.CLINICIAN)
        tv.ensureContact(book, patient.id)
        assertTrue(disclosureText().contains("your own phone number"))
        tv.acknowledgeDisclosure()
        val plan = tv.launchPlan(book, phone, RowDirectory(41), patient.id, Platform.ANDROID, null)
        assertFalse(plan.preflight.blocked)
        assertEquals(listOf(AttemptKind.DIRECT_VIDEO, AttemptKind.CHAT), plan.attempts.map { it.kind })
        val direct = plan.attempts[0].step as LaunchStep.AndroidIntent
        assertEquals("content://com.android.contacts/data/41", direct.data)
        assertEquals("vnd.android.cursor.item/vnd.com.whatsapp.video.call", direct.mimeType)
        assertEquals("com.whatsapp", direct.`package`)
        assertTrue(adbCommand(direct)!!.startsWith("am start -a android.intent.action.VIEW"))
        val chat = URI((plan.attempts[1].step as LaunchStep.OpenUrl).url)
        assertEquals("wa.me", chat.host)
        assertEquals("/447400123456", chat.path)
    }

    @Test
    fun `ios plan with a prefilled message that parses back`() {
        tv.unlockSucceeded()
        tv.consentRecord(patient.id, ConsentMethod.WRITTEN, "v1", Actor.CLINICIAN)
        tv.ensureContact(book, patient.id)
        tv.acknowledgeDisclosure()
        val message = MessageRequest(TemplateId.VIDEO_CALL_AT, mapOf("clinic" to "North Clinic", "time" to "10:30 & sharp"))
        val plan = tv.launchPlan(book, phone, null, patient.id, Platform.IOS, message)
        val url = (plan.attempts[0].step as LaunchStep.OpenUrl).url
        assertEquals("whatsapp", URI(url).scheme)
        assertEquals("447400123456", query(url, "phone"))
        assertEquals(plan.message, query(url, "text"))
        assertTrue(plan.message!!.contains("10:30 & sharp"))
        assertTrue(plan.attempts[0].instruction!!.contains("video"))
    }

    @Test
    fun `the PHI lint stops a message and names what it found`() {
        val rendered = tv.renderMessage(MessageRequest(TemplateId.VIDEO_CALL_AT, mapOf("clinic" to "North Clinic", "time" to "10:30, bring your MRN A1234567")))
        assertEquals(listOf(PhiKind.RECORD_NUMBER), rendered.findings.map { it.kind }.distinct())
        val e = assertThrows<TelevisitException.InvalidInput> {
            tv.renderMessage(MessageRequest(TemplateId.DIRECTIONS, mapOf("clinic" to "X", "link" to "y", "extra" to "z")))
        }
        assertTrue(e.message!!.contains("{extra}"), e.message)
    }

    @Test
    fun `whatsapp missing leads to the store, and launches are recorded`() {
        tv.unlockSucceeded()
        tv.consentRecord(patient.id, ConsentMethod.VERBAL, "v1", Actor.CLINICIAN)
        tv.ensureContact(book, patient.id)
        tv.acknowledgeDisclosure()
        val none = FakePhone(emptyList())
        assertEquals(listOf("whatsapp_missing"), tv.preflight(book, none, patient.id).checks.filter { it.status == CheckStatus.BLOCK }.map { it.code })
        tv.recordLaunch(patient.id, AttemptKind.SYNC_THEN_VIDEO, WhatsAppApp.CONSUMER, false)
        tv.recordLaunch(patient.id, AttemptKind.CHAT, WhatsAppApp.CONSUMER, true)
        val kinds = tv.logList(LogQuery(patient = patient.id, newestFirst = true, limit = 2u)).map { it.kind }
        assertEquals(listOf(EntryKind.CALL_LAUNCHED, EntryKind.CALL_ATTEMPT_FAILED), kinds)
        assertEquals(1u, tv.metrics(7u).single().callsLaunched)
    }

    @Test
    fun `the app locks and failed unlocks are logged`() {
        assertFalse(tv.touch())
        tv.unlockSucceeded()
        assertTrue(tv.touch())
        tv.unlockFailed()
        assertFalse(tv.touch())
        assertEquals(1, tv.logList(LogQuery(kinds = listOf(EntryKind.UNLOCK_FAILED))).size)
        assertNull(tv.policy().calls.hours)
    }
}
