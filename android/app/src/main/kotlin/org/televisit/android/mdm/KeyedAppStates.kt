package org.televisit.android.mdm

import android.app.admin.DevicePolicyManager
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.content.ServiceConnection
import android.os.Bundle
import android.os.IBinder
import android.os.Message
import android.os.Messenger
import android.os.RemoteException

/**
 * Keyed app states, the channel Android Enterprise gives an app to report to its MDM. The
 * protocol is AndroidX's `enterprise-feedback` wire format (a `Message` to a bound service of
 * the device owner, profile owner or Play Store, answering the action below), written against
 * framework APIs because this app takes no AndroidX. The constants are that library's.
 */
class KeyedAppStates(private val context: Context) {

    /**
     * Sends one state to every receiver on the device; `delivered` runs after the first one took
     * it. False when nobody can receive it (no MDM), or the data is too long for the protocol.
     */
    fun send(key: String, severity: Int, message: String, data: String?, delivered: () -> Unit): Boolean {
        if (key.length > MAX_KEY || message.length > MAX_MESSAGE || (data?.length ?: 0) > MAX_DATA) return false
        val state = Bundle().apply {
            putString(APP_STATE_KEY, key)
            putInt(APP_STATE_SEVERITY, severity)
            putString(APP_STATE_MESSAGE, message)
            data?.let { putString(APP_STATE_DATA, it) }
        }
        val receivers = receivers()
        if (receivers.isEmpty()) return false
        var bound = false
        for (component in receivers) {
            val connection = object : ServiceConnection {
                override fun onServiceConnected(name: ComponentName, binder: IBinder) {
                    val msg = Message.obtain(null, WHAT_IMMEDIATE_STATE).apply {
                        setData(Bundle().apply { putParcelableArrayList(APP_STATES, arrayListOf(state)) })
                    }
                    try {
                        Messenger(binder).send(msg)
                        delivered()
                    } catch (e: RemoteException) {
                        // That receiver died; the others (or the next start) carry the state.
                    }
                    context.unbindService(this)
                }

                override fun onServiceDisconnected(name: ComponentName) {}
            }
            bound = context.bindService(Intent(ACTION_APP_STATES).setComponent(component), connection, Context.BIND_AUTO_CREATE) || bound
        }
        return bound
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

    companion object {
        const val ACTION_APP_STATES = "androidx.enterprise.feedback.action.APP_STATES"
        const val APP_STATES = "androidx.enterprise.feedback.APP_STATES"
        const val APP_STATE_KEY = "androidx.enterprise.feedback.APP_STATE_KEY"
        const val APP_STATE_SEVERITY = "androidx.enterprise.feedback.APP_STATE_SEVERITY"
        const val APP_STATE_MESSAGE = "androidx.enterprise.feedback.APP_STATE_MESSAGE"
        const val APP_STATE_DATA = "androidx.enterprise.feedback.APP_STATE_DATA"
        const val WHAT_IMMEDIATE_STATE = 2
        const val SEVERITY_INFO = 1
        const val MAX_KEY = 100
        const val MAX_MESSAGE = 1000
        const val MAX_DATA = 1000
        const val PLAY_STORE = "com.android.vending"
    }
}
