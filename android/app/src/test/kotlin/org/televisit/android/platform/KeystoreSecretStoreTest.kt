package org.televisit.android.platform

import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.televisit.android.tempDir
import org.televisit.core.SecretStoreException
import java.io.File

@RunWith(RobolectricTestRunner::class)
class KeystoreSecretStoreTest {
    private val dir = tempDir()
    private val store = KeystoreSecretStore.forTests(dir)

    @Test
    fun `secrets round-trip sealed, never in the clear, and are deleted`() {
        val secret = "a very secret database key 0123456789".toByteArray()
        store.put("televisit.data-key.v1", secret)
        assertArrayEquals(secret, store.get("televisit.data-key.v1"))
        val file = File(dir, "televisit.data-key.v1.sealed")
        assertFalse(String(file.readBytes(), Charsets.ISO_8859_1).contains("secret database key"))
        assertTrue(dir.listFiles()!!.none { it.name.endsWith(".tmp") })
        store.delete("televisit.data-key.v1")
        assertNull(store.get("televisit.data-key.v1"))
        store.delete("televisit.data-key.v1") // deleting what is gone is fine
    }

    @Test
    fun `a sealed file moved under another name, or damaged, is refused with a typed error`() {
        store.put("televisit.device-key.v1", byteArrayOf(1, 2, 3))
        File(dir, "televisit.device-key.v1.sealed").copyTo(File(dir, "televisit.data-key.v1.sealed"))
        val moved = assertThrows(SecretStoreException.Unavailable::class.java) { store.get("televisit.data-key.v1") }
        assertTrue(moved.reason, moved.reason.contains("keystore"))
        File(dir, "televisit.device-key.v1.sealed").writeBytes(byteArrayOf(9, 9))
        assertThrows(SecretStoreException.Unavailable::class.java) { store.get("televisit.device-key.v1") }
        // Another device's key (another store) cannot open this one's secrets.
        store.put("televisit.wipe-pending.v1", byteArrayOf(7))
        val other = KeystoreSecretStore.forTests(dir)
        assertThrows(SecretStoreException.Unavailable::class.java) { other.get("televisit.wipe-pending.v1") }
        assertEquals("unexpected secret name", assertThrows(SecretStoreException.Unavailable::class.java) { store.get("../x") }.reason)
    }
}
