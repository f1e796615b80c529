package org.televisit.android.launch

import android.content.Intent
import android.net.Uri
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.televisit.android.ListBook
import org.televisit.android.TestPhone
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.android.platform.SyncingDirectory
import org.televisit.android.tempDir
import org.televisit.core.Actor
import org.televisit.core.AttemptKind
import org.televisit.core.ConsentMethod
import org.televisit.core.EntryKind
import org.televisit.core.LaunchStep
import org.televisit.core.LogQuery
import org.televisit.core.NewPatient
import org.televisit.core.Platform
import org.televisit.core.Televisit
import org.televisit.core.WhatsAppApp

/** WhatsApp's rows as a test sets them: the row appears after `appearsAfter` lookups. */
class SlowDirectory(private val row: Long?, private val appearsAfter: Int = 0) : SyncingDirectory {
    var lookups = 0
    val syncs = mutableListOf<String>()
    override fun videoCallRow(contactPlatformId: String, app: WhatsAppApp): Long? = row.takeIf { lookups++ >= appearsAfter }
    override fun requestSync(accountType: String) {
        syncs += accountType
    }
}

@RunWith(RobolectricTestRunner::class)
class LaunchExecutorTest {
    private val tv = Televisit.open(tempDir().resolve("televisit.db").path, KeystoreSecretStore.forTests(tempDir()))
    private val book = ListBook()
    private val patient = tv.patientAdd(NewPatient("Susan", "Smith", "+447400123456", null)).also {
        tv.unlockSucceeded()
        tv.consentRecord(it.id, ConsentMethod.VERBAL, "v1", Actor.CLINICIAN)
        tv.ensureContact(book, it.id)
        tv.acknowledgeDisclosure()
    }
    private val contactId = tv.contactRecords().single().platformId

    private fun plan(directory: SyncingDirectory?, apps: List<WhatsAppApp> = listOf(WhatsAppApp.CONSUMER)) =
        tv.launchPlan(book, TestPhone(apps), directory, patient.id, Platform.ANDROID, null)

    @Test
    fun `the direct video intent carries the row, WhatsApp's video MIME type, the package and a new task`() {
        val intent = LaunchIntents.intentFor(plan(SlowDirectory(41)).attempts[0].step)!!
        assertEquals(Intent.ACTION_VIEW, intent.action)
        assertEquals(Uri.parse("content://com.android.contacts/data/41"), intent.data)
        assertEquals("vnd.android.cursor.item/vnd.com.whatsapp.video.call", intent.type)
        assertEquals("com.whatsapp", intent.`package`)
        assertTrue(intent.flags and Intent.FLAG_ACTIVITY_NEW_TASK != 0)

        val business = LaunchIntents.intentFor(plan(SlowDirectory(9), listOf(WhatsAppApp.BUSINESS)).attempts[0].step)!!
        assertEquals("vnd.android.cursor.item/vnd.com.whatsapp.w4b.video.call", business.type)
        assertEquals("com.whatsapp.w4b", business.`package`)

        val chat = LaunchIntents.intentFor(plan(SlowDirectory(41)).attempts[1].step)!!
        assertEquals("wa.me", chat.data!!.host)
        assertEquals("/447400123456", chat.data!!.path)
        assertEquals("com.whatsapp", chat.`package`)
    }

    @Test
    fun `WhatsApp gone between plan and launch - the next attempt is tried, and both are logged`() {
        val tried = mutableListOf<LaunchStep>()
        val outcome = LaunchExecutor(org.robolectric.RuntimeEnvironment.getApplication(), SlowDirectory(41)).run(plan(SlowDirectory(41)), contactId, tv) {
            tried += it
            it is LaunchStep.OpenUrl // the video intent finds no activity; the chat opens
        }
        assertEquals(LaunchOutcome.Opened(AttemptKind.CHAT, plan(SlowDirectory(41)).attempts[1].instruction), outcome)
        assertEquals(2, tried.size)
        val kinds = tv.logList(LogQuery(null, null, listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), null, null, false)).map { it.kind }
        assertEquals(listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), kinds)

        val nothing = LaunchExecutor(org.robolectric.RuntimeEnvironment.getApplication(), SlowDirectory(41)).run(plan(SlowDirectory(41)), contactId, tv) { false }
        assertTrue(nothing is LaunchOutcome.Failed)
    }

    @Test
    fun `a new contact - sync WhatsApp, poll for its row, then open the video call directly`() {
        val plan = plan(null)
        assertEquals(AttemptKind.SYNC_THEN_VIDEO, plan.attempts[0].kind)
        val directory = SlowDirectory(77, appearsAfter = 3)
        val waits = mutableListOf<Long>()
        val started = mutableListOf<LaunchStep>()
        val executor = LaunchExecutor(org.robolectric.RuntimeEnvironment.getApplication(), directory, sleep = { waits += it })
        var waitingSaid = 0
        val outcome = executor.run(plan, contactId, tv, waiting = { waitingSaid++ }) { started += it; true }
        assertEquals(AttemptKind.SYNC_THEN_VIDEO, (outcome as LaunchOutcome.Opened).kind)
        assertEquals(listOf("com.whatsapp"), directory.syncs)
        // One look before asking for a sync, then polls: the third look finds the row.
        assertEquals(2, waits.size)
        assertEquals("the screen is told once that the wait began", 1, waitingSaid)
        assertEquals(Uri.parse("content://com.android.contacts/data/77"), LaunchIntents.intentFor(started.single())!!.data)

        // WhatsApp knows the contact already: no sync, no wait, nothing said.
        val known = SlowDirectory(77)
        var saidForKnown = 0
        LaunchExecutor(org.robolectric.RuntimeEnvironment.getApplication(), known, sleep = { waits += it })
            .run(plan, contactId, tv, waiting = { saidForKnown++ }) { true }
        assertEquals(emptyList<String>(), known.syncs)
        assertEquals(0, saidForKnown)

        // The row never comes: the wait is bounded by the policy, then the chat.
        val never = SlowDirectory(null)
        val waited = mutableListOf<Long>()
        val fallback = LaunchExecutor(org.robolectric.RuntimeEnvironment.getApplication(), never, sleep = { waited += it })
            .run(plan, contactId, tv) { true }
        assertEquals(AttemptKind.CHAT, (fallback as LaunchOutcome.Opened).kind)
        val step = plan.attempts[0].step as LaunchStep.AndroidSyncThenIntent
        assertTrue(waited.sum() in step.timeoutMs.toLong()..(step.timeoutMs.toLong() + step.pollIntervalMs.toLong()))
    }

    @Test
    fun `the real start - with Android checking activities, the video intent finds none and the chat opens`() {
        val app = org.robolectric.RuntimeEnvironment.getApplication()
        // Android resolves intents for real: WhatsApp (com.whatsapp) answers wa.me links only, as
        // after an update that dropped the video-call activity, or before its sync.
        org.robolectric.Shadows.shadowOf(app).checkActivities(true)
        val chatActivity = android.content.ComponentName("com.whatsapp", "com.whatsapp.Conversation")
        val pm = org.robolectric.Shadows.shadowOf(app.packageManager)
        pm.addActivityIfNotPresent(chatActivity)
        pm.addIntentFilterForActivity(
            chatActivity,
            android.content.IntentFilter(Intent.ACTION_VIEW).apply {
                addCategory(Intent.CATEGORY_DEFAULT)
                addDataScheme("https")
                addDataAuthority("wa.me", null)
            },
        )
        val outcome = LaunchExecutor(app, SlowDirectory(41)).run(plan(SlowDirectory(41)), contactId, tv)
        assertEquals(AttemptKind.CHAT, (outcome as LaunchOutcome.Opened).kind)
        val started = org.robolectric.Shadows.shadowOf(app).nextStartedActivity
        assertEquals("wa.me", started.data!!.host)
        assertEquals("com.whatsapp", started.`package`)
        val kinds = tv.logList(LogQuery(null, null, listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), null, null, false)).map { it.kind }
        assertEquals(listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), kinds)

        // WhatsApp uninstalled as well: nothing answers, the clinician is told, nothing crashes.
        pm.removeActivity(chatActivity)
        val nothing = LaunchExecutor(app, SlowDirectory(41)).run(plan(SlowDirectory(41)), contactId, tv)
        assertTrue(nothing is LaunchOutcome.Failed)
    }

    @Test
    fun `a call ready after the clinician left the app is not opened in the background but offered, and opened on a tap`() {
        val app = org.robolectric.RuntimeEnvironment.getApplication()
        var visible = false
        val started = mutableListOf<LaunchStep>()
        val executor = LaunchExecutor(app, SlowDirectory(41), inForeground = { visible })
        val outcome = executor.run(plan(SlowDirectory(41)), contactId, tv) { started += it; true }
        val pending = outcome as LaunchOutcome.TapToOpen
        assertEquals(AttemptKind.DIRECT_VIDEO, pending.kind)
        assertTrue("nothing was started from the background", started.isEmpty())
        val logged = { tv.logList(LogQuery(null, null, listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), null, null, false)).map { it.kind } }
        assertEquals("logged as not opened", listOf(EntryKind.CALL_ATTEMPT_FAILED), logged())

        // Back in the app, the clinician taps "Open WhatsApp".
        visible = true
        val opened = executor.openNow(pending, tv) { started += it; true }
        assertEquals(LaunchOutcome.Opened(AttemptKind.DIRECT_VIDEO, pending.instruction), opened)
        assertEquals(pending.step, started.single())
        assertEquals(listOf(EntryKind.CALL_ATTEMPT_FAILED, EntryKind.CALL_LAUNCHED), logged())
    }

    @Test
    fun `the foreground tracker follows the app's started activities`() {
        // TelevisitApp (the manifest's application, which Robolectric makes) registered it.
        assertTrue(org.robolectric.RuntimeEnvironment.getApplication() is org.televisit.android.TelevisitApp)
        val before = Foreground.startedActivities
        val controller = org.robolectric.Robolectric.buildActivity(android.app.Activity::class.java).setup()
        assertEquals(before + 1, Foreground.startedActivities)
        assertTrue(Foreground.visible)
        controller.stop()
        assertEquals(before, Foreground.startedActivities)
    }
}
