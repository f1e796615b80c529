package org.televisit.android.platform

import android.content.ContentProviderOperation
import android.content.ContentProviderResult
import android.net.Uri
import android.provider.ContactsContract
import android.provider.ContactsContract.CommonDataKinds.Note
import android.provider.ContactsContract.CommonDataKinds.Phone
import android.provider.ContactsContract.CommonDataKinds.StructuredName
import android.provider.ContactsContract.Data
import android.provider.ContactsContract.RawContacts
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.televisit.core.ContactCard

@RunWith(RobolectricTestRunner::class)
class ContactRowsTest {
    private val card = ContactCard("Patient Susan Smith", "+447400123456", "televisit:pt_0123456789abcdef0123")
    private val rawUri = Uri.parse("content://com.android.contacts/raw_contacts/7")

    /** The values an operation writes, with back-references resolved as the provider would. */
    private fun values(op: ContentProviderOperation) =
        op.resolveValueBackReferences(arrayOf(ContentProviderResult(rawUri)), 1)

    @Test
    fun `under Televisit's account a contact is one raw contact and three rows, written as its sync adapter`() {
        val ops = ContactRows(ContactAccount.OWN).create(card)
        assertEquals(4, ops.size)
        assertTrue(ops.all { it.isInsert })
        assertTrue(ops.all { it.uri.getQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER) == "true" })
        assertTrue(ops.all { it.uri.getQueryParameter(RawContacts.ACCOUNT_TYPE) == "org.televisit.account" })
        val raw = values(ops[0])
        assertEquals(RawContacts.CONTENT_URI.path, ops[0].uri.path)
        assertEquals("org.televisit.account", raw.getAsString(RawContacts.ACCOUNT_TYPE))
        assertEquals("Televisit", raw.getAsString(RawContacts.ACCOUNT_NAME))
        assertEquals(card.marker, raw.getAsString(RawContacts.SOURCE_ID))
        val rows = ops.drop(1).map { values(it) }
        assertTrue(ops.drop(1).all { it.uri.path == Data.CONTENT_URI.path })
        assertTrue("rows refer to the raw contact made first", rows.all { it.getAsLong(Data.RAW_CONTACT_ID) == 7L })
        assertEquals(listOf(StructuredName.CONTENT_ITEM_TYPE, Phone.CONTENT_ITEM_TYPE, Note.CONTENT_ITEM_TYPE), rows.map { it.getAsString(Data.MIMETYPE) })
        assertEquals(card.displayName, rows[0].getAsString(StructuredName.DISPLAY_NAME))
        assertEquals(card.phone, rows[1].getAsString(Phone.NUMBER))
        assertEquals(Phone.TYPE_MOBILE, rows[1].getAsInteger(Phone.TYPE))
        assertEquals(card.marker, rows[2].getAsString(Note.NOTE))
    }

    @Test
    fun `the fallback writes to the default account as an app, and marks by the note alone`() {
        val ops = ContactRows(ContactAccount.DEFAULT).create(card)
        assertTrue(ops.all { it.uri.getQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER) == null })
        val raw = values(ops[0])
        assertNull(raw.getAsString(RawContacts.ACCOUNT_TYPE))
        assertNull(raw.getAsString(RawContacts.SOURCE_ID))
        assertEquals(card.marker, values(ops[3]).getAsString(Note.NOTE))
    }

    @Test
    fun `a contact is deleted as its own account would have it, updates replace the rows`() {
        val delete = ContactRows.delete(7, ContactAccount.TYPE)
        assertTrue(delete.isDelete)
        assertEquals("7", delete.uri.lastPathSegment)
        assertEquals("true", delete.uri.getQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER))
        // The default account's, a Google or an Exchange contact: an ordinary app's delete, which
        // the provider keeps as a deletion for that account's sync to carry to its server.
        for (other in listOf(null, "com.google", "com.android.exchange")) {
            val fallback = ContactRows.delete(7, other)
            assertNull(fallback.uri.getQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER))
            assertNull(fallback.uri.getQueryParameter(RawContacts.ACCOUNT_TYPE))
        }

        val update = ContactRows(ContactAccount.OWN).update(7, card.copy(displayName = "Patient Susan Smith (2)"))
        assertEquals(3, update.count { it.isDelete })
        val inserted = update.filter { it.isInsert }.map { values(it) }
        assertTrue(inserted.all { it.getAsLong(Data.RAW_CONTACT_ID) == 7L })
        assertEquals("Patient Susan Smith (2)", inserted.first().getAsString(StructuredName.DISPLAY_NAME))
    }
}
