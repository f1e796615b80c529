package org.televisit.android.platform

import android.app.KeyguardManager
import android.content.ContentProvider
import android.content.ContentProviderOperation
import android.content.ContentProviderResult
import android.content.ContentValues
import android.content.OperationApplicationException
import android.content.pm.PackageInfo
import android.database.Cursor
import android.net.Uri
import android.provider.ContactsContract
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.televisit.core.ContactBookException
import org.televisit.core.ContactCard
import org.televisit.core.DeleteOutcome
import org.televisit.core.ListScope
import org.televisit.core.WhatsAppApp

/** A contacts provider that refuses everything, the way a revoked permission or a full disk does. */
class RefusingProvider : ContentProvider() {
    companion object {
        var refusal: () -> Exception = { SecurityException("Permission Denial: reading com.android.providers.contacts") }
    }

    override fun onCreate() = true
    override fun query(uri: Uri, p: Array<out String>?, s: String?, a: Array<out String>?, o: String?): Cursor = throw refusal()
    override fun applyBatch(operations: ArrayList<ContentProviderOperation>): Array<ContentProviderResult> = throw refusal()
    override fun getType(uri: Uri): String? = null
    override fun insert(uri: Uri, values: ContentValues?): Uri = throw refusal()
    override fun delete(uri: Uri, s: String?, a: Array<out String>?): Int = throw refusal()
    override fun update(uri: Uri, v: ContentValues?, s: String?, a: Array<out String>?): Int = throw refusal()
}

@RunWith(RobolectricTestRunner::class)
class AdaptersTest {
    private val context = org.robolectric.RuntimeEnvironment.getApplication()
    private val card = ContactCard("Patient Susan Smith", "+447400123456", "televisit:pt_0123456789abcdef0123")

    @Test
    fun `a denied contacts permission and a refused write are the core's typed errors, naming no one`() {
        Robolectric.setupContentProvider(RefusingProvider::class.java, ContactsContract.AUTHORITY)
        val book = AndroidContactBook(context.contentResolver)
        RefusingProvider.refusal = { SecurityException("Permission Denial") }
        val denied = assertThrows(ContactBookException.PermissionDenied::class.java) { book.create(card) }
        assertTrue(denied.reason.contains("grant Contacts"))
        assertThrows(ContactBookException.PermissionDenied::class.java) { book.list(ListScope.OWNED) }
        assertEquals(listOf<DeleteOutcome>(DeleteOutcome.Failed("contacts permission not granted")), book.delete(listOf("7")))

        RefusingProvider.refusal = { OperationApplicationException("constraint failed for Susan") }
        val failed = assertThrows(ContactBookException.Failed::class.java) { book.create(card) }
        assertFalse(failed.reason.contains("Susan"))
        assertEquals(DeleteOutcome.NotFound, book.delete(listOf("not-a-row-id")).single())
    }

    @Test
    fun `device facts read the screen lock and the installed WhatsApp apps with their versions`() {
        val facts = AndroidDeviceFacts(context, rootSignals = emptyList(), buildTags = "release-keys")
        // A test-keys build (a custom ROM, an emulator, Robolectric's Android 8 image) is said on
        // Settings, and is not a rooted phone: nothing blocks or wipes for it.
        val testKeys = AndroidDeviceFacts(context, rootSignals = emptyList(), buildTags = "test-keys")
        assertFalse(testKeys.snapshot().compromised)
        assertTrue(testKeys.unofficialBuild)
        assertFalse(facts.unofficialBuild)
        shadowOf(context.getSystemService(KeyguardManager::class.java)).setIsDeviceSecure(false)
        assertFalse(facts.snapshot().passcodeSet)
        assertTrue(facts.snapshot().whatsapp.isEmpty())

        shadowOf(context.getSystemService(KeyguardManager::class.java)).setIsDeviceSecure(true)
        shadowOf(context.packageManager).installPackage(PackageInfo().apply { packageName = "com.whatsapp.w4b"; versionName = "2.26.3.1" })
        val snapshot = facts.snapshot()
        assertTrue(snapshot.passcodeSet)
        assertEquals(WhatsAppApp.BUSINESS, snapshot.whatsapp.single().app)
        assertEquals("2.26.3.1", snapshot.whatsapp.single().version)
        assertTrue(snapshot.osVersion.startsWith("Android"))
        assertFalse(snapshot.compromised)
        val rooted = AndroidDeviceFacts(context, rootSignals = listOf(tempFile().path))
        assertTrue(rooted.snapshot().compromised)
    }

    private fun tempFile() = java.io.File.createTempFile("su_signal", "").apply { deleteOnExit() }
}
