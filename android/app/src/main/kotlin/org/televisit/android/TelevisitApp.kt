package org.televisit.android

import android.app.Application
import android.content.Intent
import android.content.IntentFilter
import org.televisit.android.background.CheckIn
import org.televisit.android.mdm.RestrictionsReceiver

/** Holds the one `Session`; the activity, the restrictions receiver and the services share it. */
class TelevisitApp : Application() {
    val session: Session by lazy { Session(this) }

    override fun onCreate() {
        super.onCreate()
        // Whether an activity is on screen, for launches that finish after the clinician left.
        registerActivityLifecycleCallbacks(org.televisit.android.launch.Foreground)
        // Restriction changes reach only receivers registered while the app runs. No exported
        // flag: the receiver takes one protected system broadcast only, which Android 14's rule
        // for context-registered receivers exempts (a flag is required only for receivers of
        // non-system broadcasts); no other app can send ACTION_APPLICATION_RESTRICTIONS_CHANGED.
        registerReceiver(RestrictionsReceiver(), IntentFilter(Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED))
        // Managed configuration is applied without the app open too (see CheckIn).
        CheckIn.schedule(this)
        // And IT's fleet relay, when IT named one, whenever there is a network.
        org.televisit.android.relay.RelayCheckIn.schedule(this)
    }
}
