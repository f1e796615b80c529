package org.televisit.android.mdm

import android.app.admin.DevicePolicyManager
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.content.ServiceConnection
import android.os.Bundle
import android.os.Handler
import android.os.IBinder
import android.os.Looper
import android.os.Message
import android.os.Messenger
import android.os.RemoteException
import android.util.Log
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean

/**
 * Keyed app states, the channel Android Enterprise gives an app to report to its MDM, written
 * against framework APIs because this app takes no AndroidX. The wire format and the constants
 * are AndroidX `enterprise-feedback`'s (androidx/androidx, `enterprise/feedback/src/main/java/
 * androidx/enterprise/feedback/`), whose receiving side (`KeyedAppStatesService`) DPCs and Play
 * run:
 * - the receivers are the services answering [ACTION_APP_STATES] in the device owner's and
 *   profile owners' packages and in Play's (`DefaultKeyedAppStatesReporter.bind`,
 *   `KeyedAppStatesReporter.canPackageReceiveAppStates`), bound with `BIND_AUTO_CREATE`;
 * - each gets a `Message` whose `what` is [WHAT_STATE] or [WHAT_IMMEDIATE_STATE] and whose
 *   **`obj`** is a `Bundle` holding an `ArrayList<Bundle>` under [APP_STATES]
 *   (`SendableMessage.createStateMessage`, `DefaultKeyedAppStatesReporter.buildStatesBundle`,
 *   `KeyedAppState.toStateBundle`). The receiver reads nothing else: `KeyedAppStatesService`'s
 *   `IncomingHandler.extractReceivedKeyedAppStates` casts `message.obj` to a `Bundle` and drops
 *   the message ("Could not extract state bundles from message") when it is null, of another
 *   type, or has no [APP_STATES] list; `Message.setData` is never read. Across processes `obj`
 *   must be a `Parcelable` (`Message.writeToParcel`), which a `Bundle` is;
 * - a state bundle the receiver finds invalid is skipped (`KeyedAppState.isValid`), so [send]
 *   refuses it before sending, never cut.
 *
 * The connection: AndroidX's `BufferedServiceConnection` queues messages sent while it connects
 * (`send`, up to `MAX_BUFFER_SIZE` = 100) and sends them from `onServiceConnected`
 * (`sendBufferedMessages`); it stays bound for the reporter's lifetime (one instance per app,
 * `DefaultKeyedAppStatesReporter`'s `mServiceConnections`) and is unbound only when a later
 * `setStates` finds it dead or no longer allowed (`unbindOldBindings`). This app does the same,
 * except that a connection is unbound [lingerMillis] after its last hand-off (or, if it never
 * connects, after its bind), so that a process started for a check-in does not hold the MDM's
 * service forever. One instance per app (the session's `ManagedConfig` holds it).
 */
class KeyedAppStates(context: Context, private val lingerMillis: Long = LINGER_MILLIS) {
    private val context: Context = context.applicationContext ?: context
    private val main = Handler(Looper.getMainLooper())
    private val lock = Object()

    /** The receivers bound now, by component. Guarded by [lock]. */
    private val connections = HashMap<ComponentName, Connection>()

    /** Messages queued for a receiver and neither handed off nor dropped yet. Guarded by [lock]. */
    private var waiting = 0

    /**
     * Sends one state to every receiver on the device; `delivered` runs (on whichever thread
     * handed it off) once the first receiver's `Messenger` took it. `immediate` asks the
     * receiver for an upload now (`WHAT_IMMEDIATE_STATE`: Play and the Android Management API
     * allow about one a minute and queue the rest), for what IT waits on (a wipe receipt, an
     * error); routine reports (the device report) go as `WHAT_STATE`. False when nobody can
     * receive it (no MDM) or the state breaks the protocol's limits (`KeyedAppState.isValid`).
     */
    fun send(key: String, severity: Int, message: String?, data: String?, immediate: Boolean, delivered: () -> Unit): Boolean {
        if (!isValid(key, severity, message, data)) return false
        // KeyedAppState.toStateBundle: message and data only when set.
        val state = Bundle().apply {
            putString(APP_STATE_KEY, key)
            putInt(APP_STATE_SEVERITY, severity)
            message?.let { putString(APP_STATE_MESSAGE, it) }
            data?.let { putString(APP_STATE_DATA, it) }
        }
        // DefaultKeyedAppStatesReporter.buildStatesBundle: the list, as a parcelable ArrayList.
        val states = Bundle().apply { putParcelableArrayList(APP_STATES, arrayListOf(state)) }
        val what = if (immediate) WHAT_IMMEDIATE_STATE else WHAT_STATE
        val receivers = receivers()
        if (receivers.isEmpty()) return false
        val once = AtomicBoolean(false)
        val handedOff = { if (once.compareAndSet(false, true)) delivered() }
        val done = mutableListOf<() -> Unit>()
        var queued = false
        synchronized(lock) {
            for (component in receivers) {
                val connection = connections[component] ?: Connection(component).takeIf { it.bind() } ?: continue
                connection.enqueue(Pending(what, states, handedOff), done)
                queued = true
            }
        }
        done.forEach { it() }
        return queued
    }

    /**
     * Waits until every state sent so far was handed to its receiver (or given up), at most
     * `timeoutMillis`; true when nothing is left waiting. Never blocks the main thread (the
     * connections call back on it): there it only tells. The check-in job and the receivers call
     * it before they finish, so that the process is not let go with a state still queued.
     */
    fun awaitHandOff(timeoutMillis: Long): Boolean {
        synchronized(lock) {
            if (Looper.myLooper() == Looper.getMainLooper()) return waiting == 0
            // Real time (not SystemClock's uptime, which a test's paused clock would stop).
            val end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis)
            while (waiting > 0) {
                val left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())
                if (left <= 0) return false
                lock.wait(left)
            }
            return true
        }
    }

    /** The services answering the action in the packages allowed to receive app states. */
    fun receivers(): List<ComponentName> {
        val policy = context.getSystemService(DevicePolicyManager::class.java)
        val owners = policy?.activeAdmins.orEmpty().map { it.packageName }
            .filter { policy?.isDeviceOwnerApp(it) == true || policy?.isProfileOwnerApp(it) == true }
        return (owners + PLAY_STORE).distinct().flatMap { pkg ->
            @Suppress("DEPRECATION")
            context.packageManager.queryIntentServices(Intent(ACTION_APP_STATES).setPackage(pkg), 0)
                .map { ComponentName(it.serviceInfo.packageName, it.serviceInfo.name) }
        }
    }

    /** `KeyedAppStatesReporter.canPackageReceiveAppStates`, checked again at connection. */
    private fun mayReceive(pkg: String): Boolean {
        val policy = context.getSystemService(DevicePolicyManager::class.java)
        return pkg == PLAY_STORE || policy?.isDeviceOwnerApp(pkg) == true || policy?.isProfileOwnerApp(pkg) == true
    }

    private class Pending(val what: Int, val states: Bundle, val handedOff: () -> Unit)

    /** One bound receiver, its queue while connecting, and the timer that unbinds it. */
    private inner class Connection(private val component: ComponentName) : ServiceConnection {
        private var messenger: Messenger? = null
        private val queue = ArrayDeque<Pending>()
        private val expire = Runnable { synchronized(lock) { close("unused for ${lingerMillis / 1000} s") } }

        /** Under [lock]. */
        fun bind(): Boolean {
            val bound = try {
                context.bindService(Intent(ACTION_APP_STATES).setComponent(component), this, Context.BIND_AUTO_CREATE)
            } catch (e: SecurityException) {
                false
            }
            if (!bound) {
                // The documented release of a binding that failed.
                try {
                    context.unbindService(this)
                } catch (e: IllegalArgumentException) {
                }
                return false
            }
            connections[component] = this
            linger()
            return true
        }

        /** Under [lock]: hands the message off now when connected, else queues it. */
        fun enqueue(pending: Pending, done: MutableList<() -> Unit>) {
            waiting++
            val now = messenger
            if (now == null) {
                // BufferedServiceConnection.send: the oldest is dropped beyond MAX_BUFFER_SIZE.
                while (queue.size >= MAX_QUEUE) drop(queue.removeFirst())
                queue.addLast(pending)
            } else {
                handOff(now, pending, done)
            }
        }

        private fun handOff(to: Messenger, pending: Pending, done: MutableList<() -> Unit>) {
            // A Message is used once (DefaultKeyedAppStatesReporter.send makes one per receiver).
            val message = Message.obtain().apply {
                what = pending.what
                obj = pending.states
            }
            try {
                to.send(message)
                done += pending.handedOff
            } catch (e: RemoteException) {
                // BufferedServiceConnection.trySendMessage reports it and moves on; the next
                // check-in sends the report again, and the core keeps a receipt until delivered.
                Log.w(TAG, "$component did not take the state", e)
            }
            waiting--
            lock.notifyAll()
            linger()
        }

        private fun drop(pending: Pending) {
            waiting--
            lock.notifyAll()
            Log.w(TAG, "state for $component dropped (what=${pending.what})")
        }

        private fun linger() {
            main.removeCallbacks(expire)
            main.postDelayed(expire, lingerMillis)
        }

        override fun onServiceConnected(name: ComponentName, binder: IBinder?) {
            val done = mutableListOf<() -> Unit>()
            synchronized(lock) {
                if (connections[component] !== this) return
                // BufferedServiceConnection.onServiceConnected: the package is checked again.
                if (binder == null || !mayReceive(component.packageName)) {
                    close("not a receiver of app states")
                    return
                }
                val now = Messenger(binder)
                messenger = now
                while (queue.isNotEmpty()) handOff(now, queue.removeFirst(), done)
            }
            done.forEach { it() }
        }

        /** The receiver's process died; the system binds again when it restarts (queue kept). */
        override fun onServiceDisconnected(name: ComponentName) {
            synchronized(lock) { messenger = null }
        }

        override fun onBindingDied(name: ComponentName) {
            synchronized(lock) { close("binding died") }
        }

        override fun onNullBinding(name: ComponentName) {
            synchronized(lock) { close("no binder") }
        }

        /** Under [lock]: unbinds, and gives up what is still queued. */
        fun close(why: String) {
            if (connections[component] !== this) return
            connections.remove(component)
            main.removeCallbacks(expire)
            messenger = null
            while (queue.isNotEmpty()) drop(queue.removeFirst())
            Log.i(TAG, "unbinding $component: $why")
            try {
                context.unbindService(this)
            } catch (e: IllegalArgumentException) {
            }
        }
    }

    companion object {
        private const val TAG = "KeyedAppStates"

        // KeyedAppStatesReporter (static final fields).
        const val ACTION_APP_STATES = "androidx.enterprise.feedback.action.APP_STATES"
        const val APP_STATES = "androidx.enterprise.feedback.APP_STATES"
        const val APP_STATE_KEY = "androidx.enterprise.feedback.APP_STATE_KEY"
        const val APP_STATE_SEVERITY = "androidx.enterprise.feedback.APP_STATE_SEVERITY"
        const val APP_STATE_MESSAGE = "androidx.enterprise.feedback.APP_STATE_MESSAGE"
        const val APP_STATE_DATA = "androidx.enterprise.feedback.APP_STATE_DATA"
        const val WHAT_STATE = 1
        const val WHAT_IMMEDIATE_STATE = 2
        const val PLAY_STORE = "com.android.vending" // PHONESKY_PACKAGE_NAME

        // KeyedAppState.
        const val SEVERITY_INFO = 1
        const val SEVERITY_ERROR = 2
        const val MAX_KEY = 100 // MAX_KEY_LENGTH
        const val MAX_MESSAGE = 1000 // MAX_MESSAGE_LENGTH
        const val MAX_DATA = 1000 // MAX_DATA_LENGTH

        // BufferedServiceConnection.MAX_BUFFER_SIZE.
        const val MAX_QUEUE = 100

        /** How long a connection stays bound after its last hand-off (ours; AndroidX keeps it). */
        val LINGER_MILLIS: Long = TimeUnit.SECONDS.toMillis(30)

        /** KeyedAppState.isValid: what the receiver accepts. */
        fun isValid(key: String?, severity: Int, message: String?, data: String?): Boolean =
            key != null && key.length <= MAX_KEY &&
                (severity == SEVERITY_INFO || severity == SEVERITY_ERROR) &&
                (message == null || message.length <= MAX_MESSAGE) &&
                (data == null || data.length <= MAX_DATA)
    }
}
