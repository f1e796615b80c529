package org.televisit.android.relay

import android.app.job.JobInfo
import android.app.job.JobScheduler
import android.os.Bundle
import org.junit.After
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
import org.televisit.android.mdm.KeyedAppStates
import org.televisit.android.mdm.ManagedConfig
import org.televisit.android.platform.AndroidContactBook
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.android.tempDir
import org.televisit.core.heldWipeReceipt
import org.televisit.core.managedConfigKeys
import java.io.File
import java.security.KeyStore
import java.security.cert.CertificateFactory
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The check-in through IT's relay as the phone's jobs run it: the real `televisit-relay` serving
 * TLS with a certificate from a CA made here (the hospital's, as its MDM would install it), IT's
 * real `televisit-admin` naming the relay and pinning that CA in the enrollment code, and
 * `HttpURLConnection` carrying the core's bytes.
 */
@RunWith(RobolectricTestRunner::class)
class RelayCheckInTest {
    private val app = RuntimeEnvironment.getApplication()
    private val bin = System.getProperty("televisit.bin") ?: "target/debug"
    private var relay: Process? = null

    @After
    fun stop() {
        relay?.destroy()
        relay?.waitFor(20, TimeUnit.SECONDS)
    }

    @Test
    fun `both relay jobs need a network, back off exponentially and survive a reboot`() {
        val scheduler = app.getSystemService(JobScheduler::class.java)
        scheduler.cancelAll()
        RelayCheckIn.schedule(app)
        RelayCheckIn.schedule(app)
        val periodic = scheduler.allPendingJobs.single { it.id == RelayCheckIn.JOB_ID }
        assertEquals(RelayCheckIn.PERIOD_MILLIS, periodic.intervalMillis)
        RelayCheckIn.soon(app)
        RelayCheckIn.soon(app)
        val soon = scheduler.allPendingJobs.single { it.id == RelayCheckIn.SOON_JOB_ID }
        assertFalse(soon.isPeriodic)
        for (job in listOf(periodic, soon)) {
            @Suppress("DEPRECATION")
            assertEquals(JobInfo.NETWORK_TYPE_ANY, job.networkType)
            assertEquals(JobInfo.BACKOFF_POLICY_EXPONENTIAL, job.backoffPolicy)
            assertEquals(RelayCheckIn.BACKOFF_MILLIS, job.initialBackoffMillis)
            assertTrue(job.isPersisted)
            assertEquals(RelayCheckInJob::class.java.name, job.service.className)
        }
    }

    @Test
    fun `the manifest lets the app reach the relay over HTTPS only, trusting the MDM's CAs`() {
        val manifest = "app/src/main/AndroidManifest.xml"
        val permissions = attributes(manifest, "uses-permission", "name")
        assertTrue(permissions.containsAll(listOf("android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE")))
        assertTrue(RelayCheckInJob::class.java.name in attributes(manifest, "service", "name"))
        assertEquals(listOf("@xml/network_security_config"), attributes(manifest, "application", "networkSecurityConfig"))
        val root = File(System.getProperty("televisit.android") ?: "android")
        val config = File(root, "app/src/main/res/xml/network_security_config.xml").readText()
        assertTrue(config.contains("cleartextTrafficPermitted=\"false\""))
        assertTrue(config.contains("src=\"system\"") && config.contains("src=\"user\""))
    }

    /** A CA (the hospital's) and the relay's certificate for 127.0.0.1, made with openssl. */
    private class Ca(val dir: File) {
        val ca = File(dir, "ca.pem")
        val cert = File(dir, "relay.pem")
        val key = File(dir, "relay.key")

        init {
            dir.mkdirs()
            openssl(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=North Clinic test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            )
            openssl(
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "relay.key", "-out", "relay.csr", "-subj", "/CN=localhost",
            )
            File(dir, "ext.cnf").writeText("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
            openssl(
                "x509", "-req", "-in", "relay.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-out", "relay.pem", "-extfile", "ext.cnf",
            )
        }

        private fun openssl(vararg args: String) {
            val process = ProcessBuilder(listOf("openssl") + args).directory(dir).redirectErrorStream(true).start()
            val out = process.inputStream.bufferedReader().readText()
            check(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0) { out }
        }

        /** The platform's trust as the MDM leaves it: this CA installed. */
        fun trust(): javax.net.ssl.X509TrustManager {
            val keys = KeyStore.getInstance(KeyStore.getDefaultType()).apply { load(null, null) }
            keys.setCertificateEntry("hospital", CertificateFactory.getInstance("X.509").generateCertificate(ca.inputStream()))
            return RelayHttp.trustFrom(keys)
        }
    }

    /** The relay, serving TLS on loopback, sharing IT's one-workstation ledger; its URL. */
    private fun startRelay(admin: Admin, tls: Ca): String {
        val shown = admin.run("--json", "org", "show", "--org", "org")
        val key = Regex("\"signing_key\"\\s*:\\s*\"([^\"]+)\"").find(shown)!!.groupValues[1]
        val config = File(admin.dir, "relay.toml")
        config.writeText(
            "listen = \"127.0.0.1:0\"\norg_key = \"$key\"\nledger = \"${File(admin.dir, "org/ledger.db")}\"\n" +
                "exports = \"${File(admin.dir, "exports")}\"\n[tls]\ncert = \"${tls.cert}\"\nkey = \"${tls.key}\"\n",
        )
        val process = ProcessBuilder("$bin/televisit-relay", "serve", "--config", config.path).start()
        relay = process
        val address = LinkedBlockingQueue<String>()
        Thread {
            process.errorStream.bufferedReader().forEachLine { line ->
                line.removePrefix("televisit-relay: listening on ").takeIf { it != line }?.let(address::put)
            }
        }.apply { isDaemon = true }.start()
        return address.poll(30, TimeUnit.SECONDS) ?: error("the relay did not start")
    }

    private fun phone(config: () -> Bundle) = Session(
        app,
        secrets = KeystoreSecretStore.forTests(tempDir()),
        book = AndroidContactBook(app.contentResolver),
        managed = ManagedConfig(app, restrictions = config, feedback = KeyedAppStates(app)),
    )

    private fun json(admin: Admin, vararg args: String) = org.json.JSONObject(admin.run("--json", *args))

    @Test
    fun `a lost phone is wiped at its next relay check-in with no screen, and its receipt reaches IT at the one after`() {
        val admin = Admin()
        val tls = Ca(File(admin.dir, "tls"))
        val url = startRelay(admin, tls)
        val keys = managedConfigKeys()
        val code = admin.run(
            "enroll-code", "--org", "org", "--policy", admin.signedPolicy(1), "--relay-url", url, "--relay-ca", tls.ca.path,
        )
        val config = Bundle().apply { putString(keys.enrollmentCode, code) }
        val lost = phone { config }
        val http = RelayHttp(tls.trust())

        // First contact: the job opens the store (the MDM path enrolls), then checks in.
        val first = RelayCheckIn.run(lost, http)
        assertNotNull("IT named a relay", first)
        assertTrue(first.toString(), first!!.checkedIn)
        assertTrue(lost.relayNotice.orEmpty(), lost.relayNotice.orEmpty().contains("127.0.0.1"))
        val device = lost.open().enrollment()!!.deviceId
        val shown = json(admin, "devices", "show", "--org", "org", device).getJSONArray("devices").getJSONObject(0)
        assertEquals(1, shown.getJSONObject("relay_checkin").getInt("count"))

        // The phone is lost: IT issues the wipe, which the relay serves in its inbox.
        admin.run("wipe", "issue", "--org", "org", "--device", device, "--reason", "lost")
        var told: String? = null
        lost.wipeListener = { told = it }
        val wiped = RelayCheckIn.run(lost, http)!!
        assertTrue(wiped.toString(), wiped.wipeStarted)
        assertNull("the store was closed and wiped", lost.televisit)
        assertNotNull("a screen showing is told", told)
        val receipt = lost.pendingReceipt
        assertTrue(receipt.orEmpty().startsWith("tv1.receipt."))

        // The next run opens the fresh store and carries the receipt to IT's ledger.
        val after = RelayCheckIn.run(lost, http)!!
        assertTrue(after.toString(), after.checkedIn)
        val wipes = json(admin, "wipe", "status", "--org", "org").getJSONArray("wipes")
        val row = (0 until wipes.length()).map { wipes.getJSONObject(it) }.single { it.getString("device_id") == device }
        assertEquals("done", row.getString("state"))
        // Held until IT's signed word: publish, check in, forgotten.
        assertEquals(receipt, heldWipeReceipt(lost.secrets))
        admin.run("relay", "publish", "--org", "org")
        RelayCheckIn.run(lost, http)
        assertNull(heldWipeReceipt(lost.secrets))
    }

    @Test
    fun `a relay whose chain does not end at the pinned CA is sent nothing, and one not answering is retried`() {
        val admin = Admin()
        val tls = Ca(File(admin.dir, "tls"))
        val other = Ca(File(admin.dir, "other"))
        val url = startRelay(admin, tls)
        // IT pinned another CA than the one the relay's certificate chains to; the phone trusts both.
        val code = admin.run(
            "enroll-code", "--org", "org", "--policy", admin.signedPolicy(1), "--relay-url", url, "--relay-ca", other.ca.path,
        )
        val phone = phone { Bundle().apply { putString(managedConfigKeys().enrollmentCode, code) } }
        val bothTrusted = KeyStore.getInstance(KeyStore.getDefaultType()).apply {
            load(null, null)
            val x509 = CertificateFactory.getInstance("X.509")
            setCertificateEntry("hospital", x509.generateCertificate(tls.ca.inputStream()))
            setCertificateEntry("other", x509.generateCertificate(other.ca.inputStream()))
        }
        val outcome = RelayCheckIn.run(phone, RelayHttp(RelayHttp.trustFrom(bothTrusted)))!!
        assertFalse(outcome.checkedIn)
        assertTrue("tried again later", outcome.retry)
        assertTrue(phone.relayNotice.orEmpty(), phone.relayNotice.orEmpty().contains("certificate IT pinned"))
        assertEquals("nothing reached IT", 0, json(admin, "devices", "list", "--org", "org").getJSONArray("devices").length())

        // The relay goes away: no answer, a retry for JobScheduler's backoff, nothing lost.
        relay?.destroy()
        relay?.waitFor(20, TimeUnit.SECONDS)
        val gone = RelayCheckIn.run(phone, RelayHttp(tls.trust()))!!
        assertTrue(gone.retry)
        assertNotNull(phone.televisit)
    }

    @Test
    fun `a phone whose code names no relay sends nothing and keeps the MDM path`() {
        val admin = Admin()
        val phone = phone { Bundle().apply { putString(managedConfigKeys().enrollmentCode, admin.enrollCode()) } }
        assertNull(RelayCheckIn.run(phone, RelayHttp()))
        assertNotNull("enrolled through the MDM path all the same", phone.open().enrollment())
        assertNull(phone.relayNotice)
    }
}
