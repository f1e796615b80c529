package org.televisit.android.mdm

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import org.televisit.android.TelevisitApp

/**
 * IT changed the managed configuration while the app runs. Android delivers this broadcast only
 * to receivers registered at run time (`TelevisitApp.onCreate`), never through the manifest.
 * The work (signature checks, maybe a wipe) runs off the main thread.
 */
class RestrictionsReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED) return
        val session = (context.applicationContext as? TelevisitApp)?.session ?: return
        val pending = goAsync()
        Thread {
            try {
                session.applyManagedConfig()
            } catch (e: Exception) {
                // The session keeps the message for the settings screen; a broadcast has no screen.
            } finally {
                pending.finish()
            }
        }.start()
    }
}
