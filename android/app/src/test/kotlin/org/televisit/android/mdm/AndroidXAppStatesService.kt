package org.televisit.android.mdm

import android.app.Application
import android.app.Service
import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.os.Binder
import android.os.Bundle
import android.os.Handler
import android.os.IBinder
import android.os.IInterface
import android.os.Looper
import android.os.Message
import android.os.Messenger
import android.os.Parcel
import android.util.Log
import org.robolectric.Shadows.shadowOf

/**
 * The receiving side of keyed app states, as a DPC or Play runs it, written from AndroidX's
 * source (androidx/androidx `enterprise/feedback/src/main/java/androidx/enterprise/feedback/`)
 * and never from the app's code: its constants are copied here from `KeyedAppStatesReporter`
 * and `KeyedAppState`, not taken from [KeyedAppStates].
 * - `KeyedAppStatesService.onBind`: a `Messenger` over an `IncomingHandler`.
 * - `IncomingHandler.handleMessage`: `WHAT_STATE` → states without a sync request,
 *   `WHAT_IMMEDIATE_STATE` → with one; any other `what` goes to `super.handleMessage` (nothing
 *   is done; recorded here in [dropped]).
 * - `extractReceivedKeyedAppStates`: `(Bundle) message.obj`; a wrong type or null, or no
 *   parcelable list under `APP_STATES`, logs "Could not extract state bundles from message" and
 *   gives nothing; each state bundle failing `KeyedAppState.isValid` logs "Invalid KeyedAppState
 *   in bundle" and is skipped. `deduplicateStates` keeps one state per key.
 *
 * [remote] is what the sender binds to: a binder with no local interface, so that the sender's
 * `Messenger.send` goes through `IMessenger`'s proxy, the `Message` is written to a `Parcel`
 * (`Message.writeToParcel`) and read back (`Message.CREATOR`) as when crossing processes. A
 * non-`Parcelable` `obj` throws there, as on a phone.
 */
class AndroidXAppStatesService : Service() {
    data class Received(
        val key: String,
        val severity: Int,
        val message: String?,
        val data: String?,
        val requestSync: Boolean,
    )

    /** The states `onReceive` was given, in order. */
    val received = mutableListOf<Received>()

    /** Messages that gave no state, with the reason. */
    val dropped = mutableListOf<String>()

    /**
     * Off: the EMM has not enabled app reports for this app, and discards the states it is
     * handed ("lost forever", in Google's words); they are kept in [ignored] for the test.
     */
    @Volatile
    var reportsEnabled = true

    /** States handed over while [reportsEnabled] was off. */
    val ignored = mutableListOf<Received>()

    private val messenger = Messenger(IncomingHandler())

    val remote: IBinder = object : Binder() {
        override fun queryLocalInterface(descriptor: String): IInterface? = null

        override fun onTransact(code: Int, data: Parcel, reply: Parcel?, flags: Int): Boolean =
            messenger.binder.transact(code, data, reply, flags)
    }

    override fun onBind(intent: Intent): IBinder = remote

    private inner class IncomingHandler : Handler(Looper.getMainLooper()) {
        override fun handleMessage(message: Message) {
            when (message.what) {
                WHAT_STATE -> handleStateMessage(message, requestSync = false)
                WHAT_IMMEDIATE_STATE -> handleStateMessage(message, requestSync = true)
                else -> {
                    dropped += "what=${message.what}"
                    super.handleMessage(message)
                }
            }
        }

        private fun handleStateMessage(message: Message, requestSync: Boolean) {
            val states = extractReceivedKeyedAppStates(message, requestSync)
            if (states.isEmpty()) return
            val deduplicated = states.associateBy { it.key }.values
            if (reportsEnabled) received += deduplicated else ignored += deduplicated
        }

        private fun extractReceivedKeyedAppStates(message: Message, requestSync: Boolean): List<Received> {
            val bundle = message.obj as? Bundle
            if (bundle == null) {
                Log.e(LOG_TAG, "Could not extract state bundles from message")
                dropped += "no Bundle in obj"
                return emptyList()
            }
            @Suppress("DEPRECATION")
            val stateBundles = bundle.getParcelableArrayList<Bundle>(APP_STATES)
            if (stateBundles == null) {
                Log.e(LOG_TAG, "Could not extract state bundles from message")
                dropped += "no $APP_STATES"
                return emptyList()
            }
            val states = mutableListOf<Received>()
            for (state in stateBundles) {
                if (!isValid(state)) {
                    Log.e(LOG_TAG, "Invalid KeyedAppState in bundle")
                    dropped += "invalid state"
                    continue
                }
                states += Received(
                    state.getString(APP_STATE_KEY)!!,
                    state.getInt(APP_STATE_SEVERITY),
                    state.getString(APP_STATE_MESSAGE),
                    state.getString(APP_STATE_DATA),
                    requestSync,
                )
            }
            return states
        }
    }

    companion object {
        const val LOG_TAG = "KeyedAppStatesService"

        // KeyedAppStatesReporter.
        const val ACTION_APP_STATES = "androidx.enterprise.feedback.action.APP_STATES"
        const val WHAT_STATE = 1
        const val WHAT_IMMEDIATE_STATE = 2
        const val APP_STATES = "androidx.enterprise.feedback.APP_STATES"
        const val APP_STATE_KEY = "androidx.enterprise.feedback.APP_STATE_KEY"
        const val APP_STATE_SEVERITY = "androidx.enterprise.feedback.APP_STATE_SEVERITY"
        const val APP_STATE_MESSAGE = "androidx.enterprise.feedback.APP_STATE_MESSAGE"
        const val APP_STATE_DATA = "androidx.enterprise.feedback.APP_STATE_DATA"
        const val PHONESKY_PACKAGE_NAME = "com.android.vending"

        // KeyedAppState.
        const val SEVERITY_INFO = 1
        const val SEVERITY_ERROR = 2
        const val MAX_KEY_LENGTH = 100
        const val MAX_MESSAGE_LENGTH = 1000
        const val MAX_DATA_LENGTH = 1000

        /** KeyedAppState.isValid. */
        fun isValid(bundle: Bundle): Boolean {
            val key = bundle.getString(APP_STATE_KEY)
            if (key == null || key.length > MAX_KEY_LENGTH) return false
            val severity = bundle.getInt(APP_STATE_SEVERITY)
            if (severity != SEVERITY_INFO && severity != SEVERITY_ERROR) return false
            val message = bundle.getString(APP_STATE_MESSAGE)
            if (message != null && message.length > MAX_MESSAGE_LENGTH) return false
            val data = bundle.getString(APP_STATE_DATA)
            return data == null || data.length <= MAX_DATA_LENGTH
        }

        /**
         * Installs the service in Play's package (always allowed to receive app states) as the
         * one answering the action, and makes binding to it reach [remote].
         */
        fun install(app: Application): AndroidXAppStatesService {
            val component = ComponentName(PHONESKY_PACKAGE_NAME, "com.google.android.finsky.AppStatesService")
            shadowOf(app.packageManager).addServiceIfNotPresent(component)
            shadowOf(app.packageManager).addIntentFilterForService(component, IntentFilter(ACTION_APP_STATES))
            val service = AndroidXAppStatesService()
            shadowOf(app).setComponentNameAndServiceForBindService(component, service.remote)
            return service
        }
    }
}
