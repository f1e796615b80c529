package org.televisit.tests

import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.televisit.core.Platform
import org.televisit.core.RelayRequest
import org.televisit.core.Televisit
import org.televisit.core.applyRelayAnswer
import org.televisit.core.relayHost
import org.televisit.core.relayPinHolds
import java.net.HttpURLConnection
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A check-in through the real `televisit-relay`, sent as Android sends it: the core builds and
 * signs the request, `HttpURLConnection` (the platform's HTTP, on the JVM here) carries the
 * bytes, the core applies the answer. The relay shares IT's one-workstation ledger file.
 */
class RelayTest {
    private val dir = tempProfile()
    private val db = dir.resolve("televisit.db").toString()
    private val secrets = InMemorySecretStore()
    private val admin = Admin(dir)
    private val bin = System.getProperty("televisit.bin") ?: "target/debug"
    private var relay: Process? = null

    @AfterEach
    fun stop() {
        relay?.destroy()
        relay?.waitFor(20, TimeUnit.SECONDS)
    }

    /** The relay on loopback (plain HTTP there only); its address once it listens. */
    private fun startRelay(): String {
        val shown = admin.run("--json", "org", "show", "--org", admin.org.toString())
        val key = Regex("\"signing_key\"\\s*:\\s*\"([^\"]+)\"").find(shown)!!.groupValues[1]
        val config = dir.resolve("relay.toml")
        Files.writeString(
            config,
            "listen = \"127.0.0.1:0\"\norg_key = \"$key\"\nledger = \"${admin.org.resolve("ledger.db")}\"\n" +
                "exports = \"${dir.resolve("exports")}\"\nplain_http = true\n",
        )
        val process = ProcessBuilder("$bin/televisit-relay", "serve", "--config", config.toString()).start()
        relay = process
        val address = LinkedBlockingQueue<String>()
        Thread {
            process.errorStream.bufferedReader().forEachLine { line ->
                line.removePrefix("televisit-relay: listening on ").takeIf { it != line }?.let(address::put)
            }
        }.apply { isDaemon = true }.start()
        return address.poll(30, TimeUnit.SECONDS) ?: error("the relay did not start")
    }

    private fun send(request: RelayRequest): Pair<Int, ByteArray> {
        val connection = URI(request.url).toURL().openConnection() as HttpURLConnection
        connection.requestMethod = request.method
        connection.doOutput = true
        connection.connectTimeout = 15_000
        connection.readTimeout = 60_000
        request.headers.forEach { connection.setRequestProperty(it.name, it.value) }
        connection.outputStream.use { it.write(request.body) }
        val status = connection.responseCode
        val body = (if (status < 400) connection.inputStream else connection.errorStream)?.use { it.readBytes() } ?: ByteArray(0)
        return status to body
    }

    @Test
    fun `a check-in over HttpURLConnection is signed and applied by the core, and a replay is refused`() {
        val tv = Televisit.open(db, secrets)
        val policy = admin.signedPolicy(1)
        val noRelay = tv.enroll(admin.run("enroll-code", "--org", admin.org.toString(), "--policy", policy))
        // A code naming no relay: the MDM is the only way to IT, and there is nothing to send.
        assertNull(tv.relayRequest(Platform.ANDROID, "16", "0.1.0"))
        val base = startRelay()
        // The code IT issues now names the relay: enrolling again with it keeps the ids.
        val code = admin.run("enroll-code", "--org", admin.org.toString(), "--policy", policy, "--relay-url", base)
        val enrolled = tv.enroll(code)
        assertEquals(noRelay.deviceId, enrolled.deviceId)
        assertEquals(base.removePrefix("http://").substringBefore(':'), relayHost(secrets))
        val request = tv.relayRequest(Platform.ANDROID, "16", "0.1.0")!!
        assertEquals("$base/v1/checkin", request.url)
        assertNull(request.caSha256)
        assertTrue(request.headers.any { it.name == "televisit-signature" })
        val (status, body) = send(request)
        assertEquals(200, status, String(body))
        val outcome = applyRelayAnswer(secrets, status.toUShort(), body)
        assertTrue(outcome.checkedIn, outcome.toString())
        assertNull(outcome.refused)
        // IT's ledger pinned the phone from its first contact.
        assertTrue(admin.run("--json", "devices", "list", "--org", admin.org.toString()).contains(enrolled.deviceId))
        // The same bytes again are a replay: a fixed code, nothing to try again.
        val (again, refusal) = send(request)
        assertEquals(401, again)
        assertEquals("{\"error\":\"replayed\"}", String(refusal))
        val replayed = applyRelayAnswer(secrets, again.toUShort(), refusal)
        assertEquals("replayed", replayed.refused)
        assertFalse(replayed.retry)
        // No answer at all (the relay unreachable): try again later, nothing changed.
        val gone = applyRelayAnswer(secrets, 0u, ByteArray(0))
        assertTrue(gone.retry)
        assertFalse(gone.checkedIn)
        tv.close()
    }

    @Test
    fun `a pin holds only for a chain holding the CA certificate IT pinned`() {
        val ca = "the CA certificate's DER".toByteArray()
        val pin = java.security.MessageDigest.getInstance("SHA-256").digest(ca).joinToString("") { "%02x".format(it) }
        assertTrue(relayPinHolds(pin, listOf("leaf".toByteArray(), ca)))
        assertFalse(relayPinHolds(pin, listOf("leaf".toByteArray(), "another CA".toByteArray())))
        assertFalse(relayPinHolds(pin, emptyList()))
    }
}
