package org.televisit.android.mdm

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import org.televisit.android.TelevisitApp
import org.televisit.android.background.CheckIn

/**
 * IT changed the managed configuration while the app runs. Android delivers this broadcast only
 * to receivers registered at run time (`TelevisitApp.onCreate`), never through the manifest.
 * The work (signature checks, maybe a wipe) runs off the main thread.
 */
class RestrictionsReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED) return
        val session = (context.applicationContext as? TelevisitApp)?.session ?: return
        // The relay may have moved, or IT wants this phone's news: a relay check-in once there is a network.
        org.televisit.android.relay.RelayCheckIn.soon(context)
        val pending = goAsync()
        Thread {
            try {
                // A check-in: applied to the open store, or the store opened first (one that will
                // not open still takes IT's wipe); never throws, keeps its message for Settings;
                // returns once its keyed app states were handed off (bounded), so `finish` after.
                CheckIn.run(session)
            } finally {
                pending.finish()
            }
        }.start()
    }
}
