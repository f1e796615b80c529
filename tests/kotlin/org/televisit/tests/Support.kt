package org.televisit.tests

import com.sun.jna.Library
import com.sun.jna.Native
import org.televisit.core.Clock
import org.televisit.core.SecretStore
import org.televisit.core.SecretStoreException
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap

/** A Kotlin SecretStore, as a shell writes one: here the secrets live in memory. */
class InMemorySecretStore : SecretStore {
    private val secrets = ConcurrentHashMap<String, ByteArray>()
    var unavailable = false

    override fun put(name: String, value: ByteArray) {
        check()
        secrets[name] = value.copyOf()
    }

    override fun get(name: String): ByteArray? {
        check()
        return secrets[name]?.copyOf()
    }

    override fun delete(name: String) {
        check()
        secrets.remove(name)
    }

    fun raw(name: String): ByteArray? = secrets[name]

    private fun check() {
        if (unavailable) throw SecretStoreException.Unavailable("keystore locked")
    }
}

/** A clock the tests move by hand. */
class TestClock(var instant: Instant = Instant.parse("2026-01-01T09:00:00Z")) : Clock {
    override fun now(): Instant = instant

    fun advance(by: Duration) {
        instant = instant.plus(by)
    }
}

/** Raw SQL on a store, with its key: the tamperer the log must catch (tests/support). */
interface TestSupport : Library {
    fun televisit_test_exec(path: String, keyHex: String, sql: String): Long

    companion object {
        val lib: TestSupport by lazy { Native.load("televisit_test_support", TestSupport::class.java) }

        fun exec(db: Path, secrets: InMemorySecretStore, sql: String): Long {
            val key = secrets.raw("televisit.data-key.v1") ?: error("no data key")
            val hex = key.joinToString("") { "%02X".format(it) }
            return lib.televisit_test_exec(db.toString(), hex, sql)
        }
    }
}

fun tempProfile(): Path = Files.createTempDirectory("televisit-kotlin-test")
