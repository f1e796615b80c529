package org.televisit.android.account

import android.accounts.Account
import android.app.Service
import android.content.AbstractThreadedSyncAdapter
import android.content.ContentProviderClient
import android.content.Context
import android.content.Intent
import android.content.SyncResult
import android.os.Bundle
import android.os.IBinder

/**
 * The contacts sync adapter of Televisit's account (`res/xml/syncadapter.xml`,
 * `res/xml/contacts.xml`). Contacts apps list an account's contacts, and offer its account type
 * in their filters, only when the account has a sync adapter for the contacts authority with
 * its `ContactsAccountType` structure. There is nothing to sync: the app writes its rows itself.
 */
class SyncService : Service() {
    private val adapter by lazy { NothingToSync(applicationContext) }

    override fun onBind(intent: Intent): IBinder = adapter.syncAdapterBinder
}

class NothingToSync(context: Context) : AbstractThreadedSyncAdapter(context, true) {
    override fun onPerformSync(
        account: Account,
        extras: Bundle,
        authority: String,
        provider: ContentProviderClient,
        syncResult: SyncResult,
    ) {
        // No server: the rows are the app's, written when a patient's contact is made.
    }
}
