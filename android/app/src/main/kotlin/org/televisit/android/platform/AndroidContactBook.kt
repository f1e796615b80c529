package org.televisit.android.platform

import android.accounts.Account
import android.accounts.AccountManager
import android.content.ContentResolver
import android.content.ContentValues
import android.content.Context
import android.content.OperationApplicationException
import android.os.RemoteException
import android.provider.ContactsContract
import android.provider.ContactsContract.CommonDataKinds.Note
import android.provider.ContactsContract.CommonDataKinds.Phone
import android.provider.ContactsContract.CommonDataKinds.StructuredName
import android.provider.ContactsContract.Data
import org.televisit.core.BookContact
import org.televisit.core.ContactBook
import org.televisit.core.ContactBookException
import org.televisit.core.ContactCard
import org.televisit.core.DeleteOutcome
import org.televisit.core.ListScope

/**
 * The phone's contacts as the core's `ContactBook`. The core decides which contacts exist and
 * what they are called; this only reads and writes rows. Failures become the core's typed errors
 * with a reason that names the failure, never a contact.
 */
class AndroidContactBook(
    private val resolver: ContentResolver,
    /** After a delete: asks WhatsApp to sync, so that it drops its merged raw contact soon. */
    private val afterDelete: () -> Unit = {},
    /** Where new contacts go; asked before each batch. */
    private val account: () -> ContactAccount = { ContactAccount.OWN },
) : ContactBook {

    constructor(context: Context) : this(
        context.contentResolver,
        afterDelete = { AndroidWhatsAppDirectory(context.contentResolver).requestSyncAll() },
        account = { ContactAccounts.ensure(context) },
    )

    override fun create(card: ContactCard): String = provider {
        val results = resolver.applyBatch(ContactsContract.AUTHORITY, ContactRows(account()).create(card))
        val uri = results.firstOrNull()?.uri ?: throw ContactBookException.Failed("the contacts provider made no contact")
        uri.lastPathSegment ?: throw ContactBookException.Failed("the contacts provider returned no id")
    }

    override fun update(platformId: String, card: ContactCard) = provider {
        val rawId = rawId(platformId)
        if (get(platformId) == null) throw ContactBookException.NotFound()
        resolver.applyBatch(ContactsContract.AUTHORITY, ContactRows(account()).update(rawId, card))
        Unit
    }

    /**
     * One batch per contact, so one refusal does not undo the others; each deleted as its own
     * account would have it (`ContactRows.delete`). WhatsApp's own raw contact, merged with ours,
     * is WhatsApp's to remove at its next sync, which is asked for at once (`afterDelete`).
     */
    override fun delete(platformIds: List<String>): List<DeleteOutcome> {
        val outcomes = platformIds.map { id ->
            try {
                val rawId = id.toLongOrNull() ?: return@map DeleteOutcome.NotFound
                val account = accountTypeOf(rawId) ?: return@map DeleteOutcome.NotFound
                val results = resolver.applyBatch(ContactsContract.AUTHORITY, arrayListOf(ContactRows.delete(rawId, account.type)))
                if ((results.firstOrNull()?.count ?: 0) > 0) DeleteOutcome.Deleted else DeleteOutcome.NotFound
            } catch (e: SecurityException) {
                DeleteOutcome.Failed("contacts permission not granted")
            } catch (e: Exception) {
                DeleteOutcome.Failed("the contacts provider refused the delete (${e.javaClass.simpleName})")
            }
        }
        if (outcomes.any { it is DeleteOutcome.Deleted }) afterDelete()
        return outcomes
    }

    /** The raw contact's account type (null type: the phone's local account); null when gone. */
    private fun accountTypeOf(rawId: Long): RowAccount? = resolver.query(
        ContactsContract.RawContacts.CONTENT_URI,
        arrayOf(ContactsContract.RawContacts.ACCOUNT_TYPE, ContactsContract.RawContacts.DELETED),
        "${ContactsContract.RawContacts._ID} = ?",
        arrayOf(rawId.toString()),
        null,
    )?.use { c -> if (c.moveToFirst() && c.getInt(1) == 0) RowAccount(c.getString(0)) else null }

    private class RowAccount(val type: String?)

    override fun get(platformId: String): BookContact? = provider {
        val rawId = platformId.toLongOrNull() ?: return@provider null
        contacts("${Data.RAW_CONTACT_ID} = ?", arrayOf(rawId.toString())).firstOrNull()
    }

    override fun list(scope: ListScope): List<BookContact> = provider {
        when (scope) {
            ListScope.ALL -> contacts(null, null)
            // Marked by the note in either account; under our own account, every contact is ours.
            ListScope.OWNED -> contacts(null, null).filter { it.marker?.startsWith(MARKER_PREFIX) == true }
        }
    }

    override fun findByPhone(e164: String): List<BookContact> = provider {
        val ids = rawIdsWhere(
            "${Data.MIMETYPE} = ? AND (${Phone.NORMALIZED_NUMBER} = ? OR ${Phone.NUMBER} = ?)",
            arrayOf(Phone.CONTENT_ITEM_TYPE, e164, e164),
        )
        if (ids.isEmpty()) emptyList() else contacts("${Data.RAW_CONTACT_ID} IN (${ids.joinToString()})", null)
    }

    private fun rawIdsWhere(selection: String, args: Array<String>): Set<Long> {
        val ids = mutableSetOf<Long>()
        resolver.query(Data.CONTENT_URI, arrayOf(Data.RAW_CONTACT_ID), selection, args, null)?.use { c ->
            while (c.moveToNext()) ids += c.getLong(0)
        }
        return ids
    }

    /** Name, numbers and marker of each raw contact the selection matches, in id order. */
    private fun contacts(selection: String?, args: Array<String>?): List<BookContact> {
        val wanted = "${Data.MIMETYPE} IN (?, ?, ?)"
        val where = if (selection == null) wanted else "($selection) AND $wanted"
        val whereArgs = (args ?: emptyArray()) + arrayOf(StructuredName.CONTENT_ITEM_TYPE, Phone.CONTENT_ITEM_TYPE, Note.CONTENT_ITEM_TYPE)
        val byId = sortedMapOf<Long, BookContact>()
        val projection = arrayOf(Data.RAW_CONTACT_ID, Data.MIMETYPE, Data.DATA1, Phone.NORMALIZED_NUMBER)
        resolver.query(Data.CONTENT_URI, projection, where, whereArgs, null)?.use { c ->
            while (c.moveToNext()) {
                val id = c.getLong(0)
                val contact = byId.getOrPut(id) { BookContact(id.toString(), "", emptyList(), null) }
                val value = c.getString(2) ?: continue
                when (c.getString(1)) {
                    StructuredName.CONTENT_ITEM_TYPE -> contact.displayName = value
                    Phone.CONTENT_ITEM_TYPE -> contact.phones = contact.phones + (c.getString(3) ?: value)
                    Note.CONTENT_ITEM_TYPE -> if (value.startsWith(MARKER_PREFIX)) contact.marker = value
                }
            }
        }
        return byId.values.toList()
    }

    private fun rawId(platformId: String): Long =
        platformId.toLongOrNull() ?: throw ContactBookException.NotFound()

    /** The provider's failures as the core's errors: a denied permission is not "failed". */
    private inline fun <T> provider(action: () -> T): T = try {
        action()
    } catch (e: ContactBookException) {
        throw e
    } catch (e: SecurityException) {
        throw ContactBookException.PermissionDenied("Televisit may not read or write contacts (grant Contacts in the app's settings)")
    } catch (e: OperationApplicationException) {
        throw ContactBookException.Failed("the contacts provider refused the change")
    } catch (e: RemoteException) {
        throw ContactBookException.Failed("the contacts provider is not answering")
    } catch (e: IllegalArgumentException) {
        throw ContactBookException.Failed("the contacts provider refused the request")
    }

    companion object {
        const val MARKER_PREFIX = "televisit:"
    }
}

/** Televisit's contacts account: made once, through the app's own authenticator. */
object ContactAccounts {
    /**
     * Checked before each batch (the person may have removed the account in Settings, which
     * also removed its contacts): the account exists (or is made again) → contacts go under it.
     * When the authenticator is not registered (a broken install), the provider would purge the
     * account's contacts, so they go to the default account with the note marker instead.
     */
    fun ensure(context: Context): ContactAccount {
        val manager = AccountManager.get(context)
        val account = Account(ContactAccount.NAME, ContactAccount.TYPE)
        return try {
            val exists = manager.getAccountsByType(ContactAccount.TYPE).any { it.name == account.name }
            when {
                exists || manager.addAccountExplicitly(account, null, null) -> {
                    // Every time: the person may have hidden the account in their contacts app,
                    // and a restored or migrated provider may have lost the setting.
                    makeVisible(context.contentResolver)
                    ContactAccount.OWN
                }
                else -> ContactAccount.DEFAULT
            }
        } catch (e: SecurityException) {
            ContactAccount.DEFAULT
        }
    }

    /**
     * The contacts app hides an account's ungrouped contacts unless told otherwise. The setting
     * is one row per account: updated when there, inserted when not.
     */
    fun makeVisible(resolver: ContentResolver) {
        val values = ContentValues().apply { put(ContactsContract.Settings.UNGROUPED_VISIBLE, 1) }
        val where = "${ContactsContract.Settings.ACCOUNT_NAME} = ? AND ${ContactsContract.Settings.ACCOUNT_TYPE} = ?"
        val account = arrayOf(ContactAccount.NAME, ContactAccount.TYPE)
        try {
            if (resolver.update(ContactsContract.Settings.CONTENT_URI, values, where, account) == 0) {
                values.put(ContactsContract.Settings.ACCOUNT_NAME, ContactAccount.NAME)
                values.put(ContactsContract.Settings.ACCOUNT_TYPE, ContactAccount.TYPE)
                resolver.insert(ContactsContract.Settings.CONTENT_URI, values)
            }
        } catch (e: Exception) {
            // Visibility in the contacts app is a nicety; WhatsApp reads the rows either way.
        }
    }

    /**
     * Removing the account removes every contact under it: the last step of a wipe of the
     * contacts (after the core deleted each marked contact and wrote its receipt), so that none
     * is left behind under it whatever the receipt could count.
     */
    fun remove(context: Context) {
        val manager = AccountManager.get(context)
        manager.getAccountsByType(ContactAccount.TYPE).forEach { manager.removeAccountExplicitly(it) }
    }
}
