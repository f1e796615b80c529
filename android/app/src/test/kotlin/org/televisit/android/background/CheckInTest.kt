package org.televisit.android.background

import android.app.job.JobScheduler
import android.content.Intent
import android.os.Bundle
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.televisit.android.Admin
import org.televisit.android.Session
import org.televisit.android.attributes
import org.televisit.android.mdm.AndroidXAppStatesService
import org.televisit.android.mdm.KeyedAppStates
import org.televisit.android.mdm.ManagedConfig
import org.televisit.android.platform.AndroidContactBook
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.android.tempDir
import org.televisit.android.ui.idle
import org.televisit.core.heldWipeReceipt
import org.televisit.core.managedConfigKeys

@RunWith(RobolectricTestRunner::class)
class CheckInTest {
    private val app = RuntimeEnvironment.getApplication()

    @Test
    fun `the check-in job is scheduled once, persisted, at the platform's shortest period`() {
        val scheduler = app.getSystemService(JobScheduler::class.java)
        scheduler.cancelAll()
        CheckIn.schedule(app)
        val job = scheduler.allPendingJobs.single { it.id == CheckIn.JOB_ID }
        assertEquals(CheckIn.PERIOD_MILLIS, job.intervalMillis)
        assertTrue(job.isPersisted)
        assertEquals(CheckInJob::class.java.name, job.service.className)
        // Scheduling again (every start, every boot) keeps one job.
        CheckIn.schedule(app)
        assertEquals(1, scheduler.allPendingJobs.count { it.id == CheckIn.JOB_ID })
        scheduler.cancelAll()
        CheckIn.schedule(app)
        assertEquals(1, scheduler.allPendingJobs.count { it.id == CheckIn.JOB_ID })
    }

    @Test
    fun `the manifest declares the boot and update receiver, the job service, and the permission to run at boot`() {
        val manifest = "app/src/main/AndroidManifest.xml"
        assertTrue(CheckInReceiver::class.java.name in attributes(manifest, "receiver", "name"))
        val actions = attributes(manifest, "action", "name")
        assertTrue(actions.containsAll(listOf(Intent.ACTION_BOOT_COMPLETED, Intent.ACTION_MY_PACKAGE_REPLACED)))
        assertEquals(listOf(CheckInJob::class.java.name), attributes(manifest, "service", "name").filter { it.endsWith(".CheckInJob") })
        assertTrue("android.permission.BIND_JOB_SERVICE" in attributes(manifest, "service", "permission"))
        assertTrue("android.permission.RECEIVE_BOOT_COMPLETED" in attributes(manifest, "uses-permission", "name"))
    }

    /** Robolectric has no contacts provider: the book reads as empty, which the wipe handles. */
    private fun phone(secrets: KeystoreSecretStore = KeystoreSecretStore.forTests(tempDir()), config: () -> Bundle) = Session(
        app,
        secrets = secrets,
        book = AndroidContactBook(app.contentResolver),
        managed = ManagedConfig(app, restrictions = config, feedback = KeyedAppStates(app)),
    )

    @Test
    fun `a check-in with no screen enrolls, reports, and carries out the fleet bulletin's wipe for this phone only`() {
        val admin = Admin()
        val keys = managedConfigKeys()
        var config = Bundle().apply {
            putString(keys.enrollmentCode, admin.enrollCode())
            putString(keys.mdmUser, "dr.lee@northclinic.example")
        }
        val lost = phone { config }
        val kept = phone { config }
        CheckIn.run(lost)
        CheckIn.run(kept)
        val report = lost.deviceReport
        assertNotNull("the device report is made at the check-in", report)
        assertTrue(report!!.length <= 1000)
        val enrolled = lost.open().enrollment()!!
        assertTrue(admin.run("device", "check", report).contains("dr.lee@northclinic.example"))

        // The lost phone's wipe goes into the fleet's bulletin, pushed to every phone.
        org.televisit.android.platform.ContactAccounts.ensure(app)
        val accounts = android.accounts.AccountManager.get(app)
        assertEquals(1, accounts.getAccountsByType(org.televisit.android.platform.ContactAccount.TYPE).size)
        val bulletin = admin.bulletin(admin.wipe(enrolled.deviceId, enrolled.enrollmentId))
        config = Bundle(config).apply { putString(keys.bulletin, bulletin) }
        CheckIn.run(lost)
        CheckIn.run(kept)
        assertNull("the lost phone wiped, with no screen", lost.televisit)
        assertTrue(lost.pendingReceipt!!.startsWith("tv1.receipt."))
        assertEquals("the account goes as the wipe's last step", 0, accounts.getAccountsByType(org.televisit.android.platform.ContactAccount.TYPE).size)
        assertNotNull("the other phone carries on", kept.televisit)
        assertNull(kept.pendingReceipt)
        assertTrue(kept.lastNotice.orEmpty(), kept.lastNotice.orEmpty().contains("in touch with IT"))
    }

    @Test
    fun `a phone whose store will not open still carries out IT's wipe at a check-in, and tells the screen`() {
        val admin = Admin()
        val keys = managedConfigKeys()
        var config = Bundle().apply { putString(keys.enrollmentCode, admin.enrollCode()) }
        val secrets = KeystoreSecretStore.forTests(tempDir())
        val lost = phone(secrets) { config }
        CheckIn.run(lost)
        val enrolled = lost.open().enrollment()!!
        // The store's key is lost (a damaged keystore): the store no longer opens.
        lost.close()
        secrets.delete("televisit.data-key.v1")
        CheckIn.run(lost)
        assertNull(lost.televisit)
        var told: String? = null
        lost.wipeListener = { told = it }
        config = Bundle(config).apply { putString(keys.bulletin, admin.bulletin(admin.wipe(enrolled.deviceId, enrolled.enrollmentId))) }
        CheckIn.run(lost)
        assertTrue("the wipe ran from the secret store alone", lost.pendingReceipt.orEmpty().startsWith("tv1.receipt."))
        assertNotNull("the screen is told", told)
    }

    @Test
    fun `a background check-in finishes only after its device report was handed to the MDM's receiver`() {
        val admin = Admin()
        val config = Bundle().apply { putString(managedConfigKeys().enrollmentCode, admin.enrollCode()) }
        val phone = phone { config }
        CheckIn.run(phone) // enrolled; no receiver on the phone yet
        val dpc = AndroidXAppStatesService.install(app)
        // The job's thread: the check-in, then the wait for the hand-off (the job finishes after).
        val job = Thread { CheckIn.run(phone) }
        job.start()
        val end = System.nanoTime() + 30_000_000_000L
        while (job.state != Thread.State.TIMED_WAITING && job.state != Thread.State.TERMINATED && System.nanoTime() < end) Thread.sleep(5)
        assertEquals("the job waits for the connection (made on the main thread)", Thread.State.TIMED_WAITING, job.state)
        assertTrue(dpc.received.isEmpty())
        while (job.isAlive && System.nanoTime() < end) {
            idle()
            job.join(10)
        }
        assertFalse(job.isAlive)
        idle()
        val report = dpc.received.singleOrNull() ?: error(dpc.received.joinToString { "${it.key}=${it.data?.take(60)}" })
        assertEquals(managedConfigKeys().deviceReport, report.key)
        assertEquals(phone.deviceReport, report.data)
        assertFalse("a routine state", report.requestSync)
    }

    @Test
    fun `a receipt the MDM dropped is sent again at every check-in and forgotten only on IT's bulletin`() {
        val admin = Admin()
        val keys = managedConfigKeys()
        var config = Bundle().apply { putString(keys.enrollmentCode, admin.enrollCode()) }
        val secrets = KeystoreSecretStore.forTests(tempDir())
        val lost = phone(secrets) { config }
        CheckIn.run(lost)
        val report = lost.deviceReport!!
        val enrolled = lost.open().enrollment()!!
        // An EMM that has not turned app reports on: it takes the states and discards them.
        val dpc = AndroidXAppStatesService.install(app).apply { reportsEnabled = false }
        config = Bundle(config).apply { putString(keys.bulletin, admin.bulletin(admin.wipe(enrolled.deviceId, enrolled.enrollmentId))) }
        CheckIn.run(lost)
        idle()
        val receipt = lost.pendingReceipt!!
        assertTrue(receipt.startsWith("tv1.receipt."))
        assertEquals(receipt, dpc.ignored.single { it.key == keys.wipeReceipt }.data)
        assertTrue("the first send was immediate", dpc.ignored.single { it.key == keys.wipeReceipt }.requestSync)
        assertTrue(dpc.received.isEmpty())

        // IT turns app reports on. The next check-in (a fresh store: the old one was wiped) hands
        // the same receipt on again; nothing on the phone forgot it.
        dpc.reportsEnabled = true
        CheckIn.run(lost)
        idle()
        assertEquals(receipt, heldWipeReceipt(secrets))
        assertEquals(receipt, dpc.received.last { it.key == keys.wipeReceipt }.data)
        assertEquals(receipt, lost.pendingReceipt)

        // IT imports what the MDM collected; its next bulletin confirms the receipt.
        admin.import(report, receipt)
        config = Bundle(config).apply { putString(keys.bulletin, admin.bulletin()) }
        CheckIn.run(lost)
        idle()
        assertNull("forgotten on IT's word", heldWipeReceipt(secrets))
        assertNull("and no longer shown", lost.pendingReceipt)
        dpc.received.clear()
        CheckIn.run(lost)
        idle()
        assertTrue("no longer sent", dpc.received.none { it.key == keys.wipeReceipt })
    }
}
