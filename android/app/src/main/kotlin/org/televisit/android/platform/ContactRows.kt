package org.televisit.android.platform

import android.content.ContentProviderOperation
import android.content.ContentValues
import android.net.Uri
import android.provider.ContactsContract
import android.provider.ContactsContract.CommonDataKinds.Note
import android.provider.ContactsContract.CommonDataKinds.Phone
import android.provider.ContactsContract.CommonDataKinds.StructuredName
import android.provider.ContactsContract.Data
import android.provider.ContactsContract.RawContacts
import org.televisit.core.ContactCard

/**
 * The `ContentProviderOperation` batches the contact book applies, built apart from the
 * provider so that tests can read them. A Televisit contact is one raw contact with three data
 * rows: the name, the mobile number, and a note holding the core's marker (`televisit:pt_…`).
 *
 * Under Televisit's own account the batch is applied as that account's sync adapter
 * (`CALLER_IS_SYNCADAPTER=true`): the provider then deletes at once instead of flagging rows
 * for a sync that no server will ever do, and the marker also goes in `SOURCE_ID`. In the
 * fallback (the default account, for when WhatsApp does not see other accounts' contacts) the
 * note is the only marker, and deletes are ordinary ones that the provider completes itself.
 */
class ContactRows(private val account: ContactAccount) {

    fun create(card: ContactCard): ArrayList<ContentProviderOperation> {
        val raw = ContentProviderOperation.newInsert(asAdapter(RawContacts.CONTENT_URI))
            .withValue(RawContacts.ACCOUNT_TYPE, account.type)
            .withValue(RawContacts.ACCOUNT_NAME, account.name)
        if (account.owned) raw.withValue(RawContacts.SOURCE_ID, card.marker)
        val rows = dataRows(card).map { insertData(it).withValueBackReference(Data.RAW_CONTACT_ID, 0).build() }
        return arrayListOf(raw.build()).apply { addAll(rows) }
    }

    /** Puts name and number right on an existing raw contact: its three rows are replaced. */
    fun update(rawId: Long, card: ContactCard): ArrayList<ContentProviderOperation> {
        val rows = arrayListOf<ContentProviderOperation>()
        for (mime in listOf(StructuredName.CONTENT_ITEM_TYPE, Phone.CONTENT_ITEM_TYPE, Note.CONTENT_ITEM_TYPE)) {
            rows += ContentProviderOperation.newDelete(asAdapter(Data.CONTENT_URI))
                .withSelection("${Data.RAW_CONTACT_ID} = ? AND ${Data.MIMETYPE} = ?", arrayOf(rawId.toString(), mime))
                .build()
        }
        dataRows(card).forEach { rows += insertData(it).withValue(Data.RAW_CONTACT_ID, rawId).build() }
        return rows
    }

    /** The name, the mobile number and the marker note, as the provider's data rows. */
    private fun dataRows(card: ContactCard): List<ContentValues> = listOf(
        ContentValues().apply {
            put(Data.MIMETYPE, StructuredName.CONTENT_ITEM_TYPE)
            put(StructuredName.DISPLAY_NAME, card.displayName)
        },
        ContentValues().apply {
            put(Data.MIMETYPE, Phone.CONTENT_ITEM_TYPE)
            put(Phone.NUMBER, card.phone)
            put(Phone.NORMALIZED_NUMBER, card.phone)
            put(Phone.TYPE, Phone.TYPE_MOBILE)
        },
        ContentValues().apply {
            put(Data.MIMETYPE, Note.CONTENT_ITEM_TYPE)
            put(Note.NOTE, card.marker)
        },
    )

    private fun insertData(values: ContentValues) =
        ContentProviderOperation.newInsert(asAdapter(Data.CONTENT_URI)).withValues(values)

    /** Under our own account every write is the sync adapter's; in the fallback, an app's. */
    fun asAdapter(uri: Uri): Uri = if (!account.owned) uri else uri.buildUpon()
        .appendQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER, "true")
        .appendQueryParameter(RawContacts.ACCOUNT_NAME, account.name)
        .appendQueryParameter(RawContacts.ACCOUNT_TYPE, account.type)
        .build()

    companion object {
        /**
         * Deletes one raw contact as its own account would have it: one of Televisit's account as
         * that account's sync adapter (gone at once; no server would ever finish it), any other (a
         * confirmed lookalike in a Google or Exchange account, the default-account fallback) as an
         * ordinary app, so that the provider keeps the deletion for that account's sync to carry to
         * its server. Whose it is comes from the row (`accountType`), not from where Televisit writes
         * now.
         */
        fun delete(rawId: Long, accountType: String?): ContentProviderOperation {
            val uri = android.content.ContentUris.withAppendedId(RawContacts.CONTENT_URI, rawId)
            val own = accountType == ContactAccount.TYPE
            return ContentProviderOperation.newDelete(if (own) ContactRows(ContactAccount.OWN).asAdapter(uri) else uri).build()
        }
    }
}

/** Where Televisit's contacts live: its own account, or (fallback) the phone's default one. */
data class ContactAccount(val type: String?, val name: String?, val owned: Boolean) {
    companion object {
        const val TYPE = "org.televisit.account"
        const val NAME = "Televisit"
        val OWN = ContactAccount(TYPE, NAME, owned = true)

        /** The phone's local account: null type and name, as the contacts provider defines it. */
        val DEFAULT = ContactAccount(null, null, owned = false)
    }
}
