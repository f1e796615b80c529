package org.televisit.android.ui

import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import android.graphics.Color
import android.graphics.drawable.BitmapDrawable
import android.widget.ImageView
import org.televisit.android.Admin
import org.televisit.core.ChecklistStatus
import org.televisit.core.NewPatient
import org.televisit.core.Verification
import org.televisit.core.qrCode

@RunWith(RobolectricTestRunner::class)
class ScreensTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }

    @After
    fun closeSession() = session.close()

    @Test
    fun `the checklist goes item by item and the core records the run`() {
        setDeviceSecure(true)
        installWhatsApp()
        val ui = showScreen(ChecklistScreen::class.java, session)
        assertEquals(ChecklistStatus.NEVER, tv.checklistStatus(session.device))
        ui.click("Start the checklist")
        var answered = 0
        while (true) {
            val next = tv.checklistRun()!!.items.firstOrNull { it.answer == null && !it.preAnswered } ?: break
            assertTrue(ui.texts().contains(next.item.title))
            assertTrue(ui.texts().contains("Where: ${next.path}"))
            ui.click(next.item.choices.first { it.value == next.item.recommended }.label)
            assertEquals(next.item.recommended, tv.checklistRun()!!.items.first { it.item.id == next.item.id }.answer)
            answered++
        }
        assertTrue(answered > 0)
        ui.click("Finish")
        // Recommended answers, a screen lock and WhatsApp installed: nothing deviates.
        assertTrue(ui.texts().toString(), ui.texts().contains("Your settings match your organisation's requirements."))
        assertEquals(ChecklistStatus.CURRENT, tv.checklistStatus(session.device))
    }

    @Test
    fun `a mis-tapped answer is undone with Back, and every answer can be changed from the review`() {
        setDeviceSecure(true)
        installWhatsApp()
        val ui = showScreen(ChecklistScreen::class.java, session)
        ui.click("Start the checklist")
        val first = tv.checklistRun()!!.items.first { !it.preAnswered }
        val wrong = first.item.choices.first { it.value != first.item.recommended }
        ui.click(wrong.label)
        assertEquals(wrong.value, tv.checklistRun()!!.items.first { it.item.id == first.item.id }.answer)
        ui.click("Back to the previous item")
        assertTrue(ui.texts().contains(first.item.title))
        ui.click(first.item.choices.first { it.value == first.item.recommended }.label)
        assertEquals(first.item.recommended, tv.checklistRun()!!.items.first { it.item.id == first.item.id }.answer)
        // Answer the rest, then change one from the review before finishing.
        while (true) {
            val next = tv.checklistRun()!!.items.firstOrNull { it.answer == null && !it.preAnswered } ?: break
            ui.click(next.item.choices.first { it.value == next.item.recommended }.label)
        }
        val receipts = tv.checklistRun()!!.items.first { it.item.id == "read_receipts" }
        ui.click("${receipts.item.title}: Off")
        ui.click("On")
        assertEquals("on", tv.checklistRun()!!.items.first { it.item.id == "read_receipts" }.answer)
        assertTrue(ui.texts().contains("Finish"))
    }

    @Test
    fun `the cleanup asks for contacts access first, then its dry run on an empty book lists nothing to remove`() {
        val asked = showScreen(CleanupScreen::class.java, session)
        assertTrue(latestDialogMessage().startsWith("WhatsApp calls only people in your contacts"))
        assertFalse(asked.texts().contains("No patient contacts to remove."))

        org.robolectric.Shadows.shadowOf(org.robolectric.RuntimeEnvironment.getApplication())
            .grantPermissions(android.Manifest.permission.READ_CONTACTS, android.Manifest.permission.WRITE_CONTACTS)
        val ui = showScreen(CleanupScreen::class.java, session)
        val plan = tv.cleanupPlan(session.book, null)
        assertTrue(plan.remove.isEmpty() && plan.lookalikes.isEmpty())
        assertTrue(ui.texts().contains("No patient contacts to remove."))
        assertFalse(ui.hasButton("Confirm removal"))
    }

    @Test
    fun `the log's integrity check says what the core found`() {
        val ui = showScreen(LogScreen::class.java, session)
        assertTrue(tv.integrityCheck().ok)
        ui.click("Check the store's integrity")
        assertTrue(ui.texts().contains("Integrity check passed: every page and the log's chain verified."))
    }

    @Test
    fun `the log shows its verification and no patient data`() {
        val p = tv.patientAdd(NewPatient("Susan", "Smith", "+44 7400 123456", null))
        val ui = showScreen(LogScreen::class.java, session)
        val verification = tv.logVerify() as Verification.Intact
        val texts = ui.texts()
        assertEquals("Log intact: ${verification.count} entries, verified.", texts.first())
        assertTrue(texts.any { it.contains("patient_added") && it.contains(p.id) })
        assertFalse(texts.any { it.contains("Susan") || it.contains("7400") })
    }

    @Test
    fun `settings show the policy and enrollment, and a refused code's error`() {
        val ui = showScreen(SettingsScreen::class.java, session)
        val texts = ui.texts()
        val policy = tv.policy()
        // No organisation's policy before enrollment: the defaults, said as such (not "version 0 from .").
        assertEquals("", policy.organisation)
        assertTrue(texts.contains("No policy from an organisation yet: Televisit's own defaults apply."))
        assertFalse(texts.any { it.startsWith("Policy version") })
        val enrolled = tv.enrollment()
        assertTrue(texts.contains(if (enrolled == null) "Not enrolled with an organisation." else "Enrolled with ${enrolled.orgName} (device ${enrolled.deviceId})."))
        assertTrue(texts.contains("Not acknowledged yet: you will be asked before your first call."))
        ui.type("Paste an enrollment code", "not-a-code")
        ui.click("Enroll")
        val refused = runCatching { tv.enroll("not-a-code") }.exceptionOrNull()!!
        assertEquals(refused.message, latestDialogMessage())
    }

    @Test
    fun `settings show who signs for IT, from the key set the bulletin brought`() {
        val admin = Admin()
        tv.enroll(admin.enrollCode())
        assertTrue(showScreen(SettingsScreen::class.java, session).texts().contains("IT's keys: the organisation's one key signs everything."))
        admin.run("keys", "rotate-bulletin", "--org", "org", "--out", "cron.pk8")
        admin.run("keys", "add-admin", "alice", "--org", "org", "--out", "alice.pk8")
        tv.applyBulletin(admin.run("bulletin", "sign", "--org", "org", "--key", "cron.pk8"))
        val texts = showScreen(SettingsScreen::class.java, session).texts()
        assertTrue(
            texts.toString(),
            texts.contains("IT's keys: version 2, root 1 of 1. org: policy, enroll, wipe; bulletin: bulletin; alice: wipe."),
        )
    }

    @Test
    fun `the log exports for IT where the clinician picks, and says the range it holds`() {
        Admin().let { tv.enroll(it.enrollCode()) }
        val activity = org.robolectric.Robolectric.buildActivity(android.app.Activity::class.java).setup().get()
        val screen = LogScreen(activity, session)
        activity.setContentView(screen.view)
        screen.refresh()
        val ui = Ui(activity.window.decorView, activity)
        ui.click("Export for IT")
        val asked = org.robolectric.Shadows.shadowOf(activity).nextStartedActivityForResult
        assertEquals(android.content.Intent.ACTION_CREATE_DOCUMENT, asked.intent.action)
        assertEquals(LogScreen.REQUEST_EXPORT, asked.requestCode)
        // A cancelled picker exports nothing.
        screen.onExportTarget(null)
        idle()
        assertFalse(ui.texts().any { it.startsWith("Exported entries") })
        // The document the picker returned, as the system's provider would hand it over.
        val target = android.net.Uri.parse("content://com.android.externalstorage.documents/document/primary%3Atelevisit-log.age")
        val written = java.io.ByteArrayOutputStream()
        org.robolectric.Shadows.shadowOf(activity.contentResolver).registerOutputStream(target, written)
        screen.onExportTarget(target)
        idle()
        val said = ui.texts().singleOrNull { it.startsWith("Exported entries") } ?: error("no range said in ${ui.texts()}")
        assertTrue(said, said.startsWith("Exported entries 1 to ") && said.contains("since IT's last confirmation"))
        assertEquals("age-encryption.org/v1", String(written.toByteArray().copyOf(21)))
    }

    @Test
    fun `settings show the device report as text IT can check and as a QR code`() {
        val before = showScreen(SettingsScreen::class.java, session)
        assertTrue(before.texts().contains("After enrollment this phone makes a signed report that IT pins its key from."))
        assertFalse(before.hasButton("Copy the report"))

        val admin = Admin()
        val enrolled = tv.enroll(admin.enrollCode())
        val ui = showScreen(SettingsScreen::class.java, session)
        val report = ui.texts().single { it.startsWith("tv1.report.") }
        // IT's own tool checks what the screen shows, and finds this phone in it.
        val checked = admin.run("device", "check", report, "--device-key", enrolled.deviceKey)
        assertTrue(checked, checked.contains(enrolled.deviceId))
        assertEquals(report, session.deviceReport)

        // The code on screen is the core's encoding of that text, painted module by module.
        val code = qrCode(report)
        val image = ui.views().filterIsInstance<ImageView>().first { it.visibility == android.view.View.VISIBLE }
        val bitmap = (image.drawable as BitmapDrawable).bitmap
        val scale = 4
        assertEquals((code.width.toInt() + 2 * QR_QUIET_ZONE) * scale, bitmap.width)
        val width = code.width.toInt()
        for ((x, y) in listOf(0 to 0, width - 1 to 0, 0 to width - 1, 8 to 8, width / 2 to width / 2, 3 to 9)) {
            val pixel = bitmap.getPixel((x + QR_QUIET_ZONE) * scale + 1, (y + QR_QUIET_ZONE) * scale + 1)
            assertEquals("module $x,$y", if (code.dark[y * width + x]) Color.BLACK else Color.WHITE, pixel)
        }
        assertEquals("the quiet zone", Color.WHITE, bitmap.getPixel(1, 1))

        ui.click("Copy the report")
        val clipboard = (ui.activity as android.app.Activity).getSystemService(android.content.ClipboardManager::class.java)
        assertEquals(report, clipboard.primaryClip!!.getItemAt(0).text.toString())
    }
}
