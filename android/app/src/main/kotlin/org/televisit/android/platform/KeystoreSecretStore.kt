package org.televisit.android.platform

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import org.televisit.core.SecretStore
import org.televisit.core.SecretStoreException
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's secrets (the database key, the device key, the wipe marker), each sealed with
 * AES-GCM under a key that never leaves AndroidKeyStore, and kept as a file in the app's
 * no-backup directory: the way Signal keeps its SQLCipher key. A backup or a copied file is
 * useless without this device's keystore.
 *
 * Files are written to a temporary name and renamed, so a crash leaves the old secret or the
 * new one, never half of one. The secret's name is bound to its ciphertext (AAD), so one
 * sealed file cannot be renamed into another secret's place.
 */
class KeystoreSecretStore(private val dir: File, private val key: () -> SecretKey) : SecretStore {

    override fun put(name: String, value: ByteArray) = guarded {
        dir.mkdirs()
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        cipher.updateAAD(name.toByteArray(Charsets.UTF_8))
        val sealed = cipher.iv + cipher.doFinal(value)
        val tmp = File(dir, fileName(name) + ".tmp")
        tmp.outputStream().use { out ->
            out.write(sealed)
            out.fd.sync()
        }
        if (!tmp.renameTo(file(name))) throw IOException("rename failed")
    }

    override fun get(name: String): ByteArray? = guarded {
        val file = file(name)
        if (!file.exists()) return@guarded null
        val sealed = file.readBytes()
        if (sealed.size < IV_BYTES + TAG_BYTES) throw GeneralSecurityException("too short")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BYTES * 8, sealed, 0, IV_BYTES))
        cipher.updateAAD(name.toByteArray(Charsets.UTF_8))
        cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES)
    }

    override fun delete(name: String) = guarded {
        val file = file(name)
        if (file.exists() && !file.delete()) throw IOException("delete failed")
    }

    private fun file(name: String) = File(dir, fileName(name))

    /** Names are the core's constants (`televisit.data-key.v1`…); anything else is refused. */
    private fun fileName(name: String): String {
        require(name.matches(Regex("[a-z0-9._-]{1,64}"))) { "unexpected secret name" }
        return "$name.sealed"
    }

    /** The core sees one typed error; the reason names the failure, never the secret. */
    private inline fun <T> guarded(action: () -> T): T = try {
        action()
    } catch (e: GeneralSecurityException) {
        // Before the first unlock after a reboot, or after the lock screen was removed, the
        // keystore refuses to use the key: say so rather than "crypto failed".
        throw SecretStoreException.Unavailable("the Android keystore refused the key (${e.javaClass.simpleName})")
    } catch (e: IOException) {
        throw SecretStoreException.Unavailable("the app's private storage failed (${e.javaClass.simpleName})")
    } catch (e: IllegalArgumentException) {
        throw SecretStoreException.Unavailable(e.message ?: "bad secret name")
    }

    companion object {
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_BYTES = 12
        private const val TAG_BYTES = 16
        const val KEY_ALIAS = "televisit.secrets.v1"

        fun inNoBackupDir(context: Context) =
            KeystoreSecretStore(File(context.noBackupFilesDir, "secrets")) { keystoreKey() }

        /** For tests on the JVM, where there is no AndroidKeyStore: the same sealing, a key in memory. */
        fun forTests(dir: File): KeystoreSecretStore {
            val key = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
            return KeystoreSecretStore(dir) { key }
        }

        /** The AES key in AndroidKeyStore, made on first use; it never leaves the secure hardware. */
        @Synchronized
        fun keystoreKey(): SecretKey {
            val store = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
            (store.getKey(KEY_ALIAS, null) as? SecretKey)?.let { return it }
            val spec = KeyGenParameterSpec.Builder(KEY_ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build()
            return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
                .apply { init(spec) }
                .generateKey()
        }
    }
}
