package org.televisit.android.relay

import org.televisit.core.RelayRequest
import org.televisit.core.relayPinHolds
import java.io.IOException
import java.net.HttpURLConnection
import java.net.Socket
import java.net.URL
import java.security.KeyStore
import java.security.cert.CertificateException
import java.security.cert.X509Certificate
import javax.net.ssl.HttpsURLConnection
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLEngine
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509ExtendedTrustManager
import javax.net.ssl.X509TrustManager

/** What the relay answered: its status and body; status 0 when nothing came back at all. */
class RelayAnswer(val status: Int, val body: ByteArray, val pinRefused: Boolean = false)

/**
 * Carries the core's check-in request over the platform's HTTP (`HttpURLConnection`), which
 * honours the hospital's proxy, a per-app VPN and, through the network security configuration,
 * the CAs its MDM installed. The bytes go as the core made them; the answer goes back to the
 * core as it came. When IT pinned the relay's CA, the chain the platform verified must also end
 * at that CA (the core decides whether it does), or nothing is sent.
 *
 * `trust` is the platform's trust manager; a test gives one holding the CA it made.
 */
class RelayHttp(private val trust: X509TrustManager = platformTrust()) {
    fun send(request: RelayRequest): RelayAnswer {
        val pin = request.caSha256
        val pinned = pin?.let { PinnedTrust(trust, it) }
        return try {
            val connection = URL(request.url).openConnection() as HttpURLConnection
            if (connection is HttpsURLConnection && pinned != null) {
                val tls = SSLContext.getInstance("TLS")
                tls.init(null, arrayOf(pinned), null)
                connection.sslSocketFactory = tls.socketFactory
            }
            connection.requestMethod = request.method
            connection.instanceFollowRedirects = false
            connection.doOutput = true
            connection.connectTimeout = CONNECT_TIMEOUT_MILLIS
            connection.readTimeout = READ_TIMEOUT_MILLIS
            connection.setFixedLengthStreamingMode(request.body.size)
            request.headers.forEach { connection.setRequestProperty(it.name, it.value) }
            try {
                connection.outputStream.use { it.write(request.body) }
                val status = connection.responseCode
                val stream = if (status < 400) connection.inputStream else connection.errorStream
                RelayAnswer(status, stream?.use(::readBounded) ?: ByteArray(0))
            } finally {
                connection.disconnect()
            }
        } catch (e: IOException) {
            // No answer (offline, refused, timed out, a certificate not trusted): the core
            // counts status 0 as "try again later". The exception's text may name the host only.
            RelayAnswer(0, ByteArray(0), pinRefused = pinned?.refused == true)
        }
    }

    /** At most `MAX_ANSWER_BYTES` (`readNBytes` is Android 13+ only). */
    private fun readBounded(stream: java.io.InputStream): ByteArray {
        val out = java.io.ByteArrayOutputStream()
        val buffer = ByteArray(8192)
        while (out.size() < MAX_ANSWER_BYTES) {
            val read = stream.read(buffer, 0, minOf(buffer.size, MAX_ANSWER_BYTES - out.size()))
            if (read < 0) break
            out.write(buffer, 0, read)
        }
        return out.toByteArray()
    }

    companion object {
        const val CONNECT_TIMEOUT_MILLIS = 15_000
        const val READ_TIMEOUT_MILLIS = 60_000
        /** An answer is a bulletin, an inbox bulletin and a wipe command: far below this. */
        const val MAX_ANSWER_BYTES = 1 shl 20

        /** The platform's default trust: the system's CAs and, as the network security configuration allows, the user's (MDM-installed). */
        fun platformTrust(): X509TrustManager = trustFrom(null)

        fun trustFrom(keys: KeyStore?): X509TrustManager {
            val factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
            factory.init(keys)
            return factory.trustManagers.filterIsInstance<X509TrustManager>().first()
        }
    }
}

/**
 * The platform's verification first (chain, validity, and the host name after it); then the
 * chain, with the trust anchor it ends at, must hold the CA IT pinned. A chain as the server sent
 * it stops before the root, so the anchor is found among the platform's trusted issuers.
 */
internal class PinnedTrust(private val platform: X509TrustManager, private val pin: String) : X509ExtendedTrustManager() {
    @Volatile
    var refused = false
        private set

    private fun pinned(chain: Array<X509Certificate>) {
        val anchors = chain.lastOrNull()?.let { last ->
            platform.acceptedIssuers.filter { it.subjectX500Principal == last.issuerX500Principal && verifies(last, it) }
        } ?: emptyList()
        val ders = (chain.toList() + anchors).map { it.encoded }
        if (!relayPinHolds(pin, ders)) {
            refused = true
            throw CertificateException("the relay's certificate does not chain to the CA IT pinned")
        }
    }

    private fun verifies(cert: X509Certificate, issuer: X509Certificate): Boolean = try {
        cert.verify(issuer.publicKey)
        true
    } catch (e: Exception) {
        false
    }

    override fun checkServerTrusted(chain: Array<X509Certificate>, authType: String) {
        platform.checkServerTrusted(chain, authType)
        pinned(chain)
    }

    override fun checkServerTrusted(chain: Array<X509Certificate>, authType: String, socket: Socket?) {
        if (platform is X509ExtendedTrustManager) platform.checkServerTrusted(chain, authType, socket)
        else platform.checkServerTrusted(chain, authType)
        pinned(chain)
    }

    override fun checkServerTrusted(chain: Array<X509Certificate>, authType: String, engine: SSLEngine?) {
        if (platform is X509ExtendedTrustManager) platform.checkServerTrusted(chain, authType, engine)
        else platform.checkServerTrusted(chain, authType)
        pinned(chain)
    }

    override fun checkClientTrusted(chain: Array<X509Certificate>, authType: String) =
        throw CertificateException("the relay's client does not take client certificates")

    override fun checkClientTrusted(chain: Array<X509Certificate>, authType: String, socket: Socket?) =
        checkClientTrusted(chain, authType)

    override fun checkClientTrusted(chain: Array<X509Certificate>, authType: String, engine: SSLEngine?) =
        checkClientTrusted(chain, authType)

    override fun getAcceptedIssuers(): Array<X509Certificate> = platform.acceptedIssuers
}
