package org.televisit.android.platform

import android.accounts.Account
import android.content.ContentResolver
import android.os.Bundle
import android.provider.ContactsContract
import android.provider.ContactsContract.Data
import org.televisit.core.WhatsAppApp
import org.televisit.core.WhatsAppDirectory
import org.televisit.core.videoCallMime
import org.televisit.core.whatsappPackage

/**
 * WhatsApp's own rows in the contacts Data table: for each contact it knows, WhatsApp adds a
 * raw contact under its account with a video-call row (`vnd.android.cursor.item/
 * vnd.com.whatsapp.video.call`, or `…w4b…` for Business). Opening that row's `_ID` starts the
 * video call. The row belongs to the same aggregate contact as ours, so it is found through
 * our raw contact's `CONTACT_ID`.
 */
class AndroidWhatsAppDirectory(private val resolver: ContentResolver) : SyncingDirectory {

    override fun videoCallRow(contactPlatformId: String, app: WhatsAppApp): Long? = try {
        val rawId = contactPlatformId.toLongOrNull()
        val contactId = rawId?.let { aggregateOf(it) }
        contactId?.let { videoRow(it, videoCallMime(app)) } // the MIME type is the core's
    } catch (e: SecurityException) {
        null // without contacts access the plan falls back to the chat, which needs none
    }

    /** Asks WhatsApp's sync adapter to look at the contacts now (it adds its rows as it goes). */
    override fun requestSync(accountType: String) {
        val extras = Bundle().apply {
            putBoolean(ContentResolver.SYNC_EXTRAS_MANUAL, true)
            putBoolean(ContentResolver.SYNC_EXTRAS_EXPEDITED, true)
        }
        // WhatsApp's account is named after the phone number it is registered with; any account
        // of its type will do, so the sync is requested for each one the provider knows.
        val seen = mutableSetOf<Pair<String, String>>()
        resolver.query(
            ContactsContract.RawContacts.CONTENT_URI,
            arrayOf(ContactsContract.RawContacts.ACCOUNT_NAME, ContactsContract.RawContacts.ACCOUNT_TYPE),
            "${ContactsContract.RawContacts.ACCOUNT_TYPE} = ?",
            arrayOf(accountType),
            null,
        )?.use { c -> while (c.moveToNext()) seen += (c.getString(0) ?: continue) to accountType }
        for ((name, type) in seen) {
            ContentResolver.requestSync(Account(name, type), ContactsContract.AUTHORITY, extras)
        }
    }

    /** Both WhatsApps' accounts: after a delete, so that WhatsApp drops its merged raw contact. */
    fun requestSyncAll() {
        for (app in WhatsAppApp.values()) {
            try {
                requestSync(whatsappPackage(app))
            } catch (e: SecurityException) {
                // Without contacts access there is nothing of ours for WhatsApp to drop either.
            }
        }
    }

    private fun aggregateOf(rawId: Long): Long? = resolver.query(
        ContactsContract.RawContacts.CONTENT_URI,
        arrayOf(ContactsContract.RawContacts.CONTACT_ID),
        "${ContactsContract.RawContacts._ID} = ?",
        arrayOf(rawId.toString()),
        null,
    )?.use { c -> if (c.moveToFirst() && !c.isNull(0)) c.getLong(0) else null }

    private fun videoRow(contactId: Long, mime: String): Long? = resolver.query(
        Data.CONTENT_URI,
        arrayOf(Data._ID),
        "${Data.CONTACT_ID} = ? AND ${Data.MIMETYPE} = ?",
        arrayOf(contactId.toString(), mime),
        null,
    )?.use { c -> if (c.moveToFirst()) c.getLong(0) else null }
}

/** The directory, and a way to make WhatsApp look at new contacts sooner. */
interface SyncingDirectory : WhatsAppDirectory {
    fun requestSync(accountType: String)
}
