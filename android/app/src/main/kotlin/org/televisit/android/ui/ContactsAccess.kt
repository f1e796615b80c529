package org.televisit.android.ui

import android.Manifest.permission.READ_CONTACTS
import android.Manifest.permission.WRITE_CONTACTS
import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.provider.Settings
import org.televisit.android.R

/**
 * Asks for the contacts permission before the first action that needs it (add a patient's
 * contact, call, cleanup), with a line saying why. When Android will no longer show its own
 * dialog ("don't ask again", or denied twice on Android 11+), the app says so and offers the app's
 * settings instead. An EMM can grant the permission in advance (android/README.md says how).
 */
class ContactsAccess(private val activity: Activity) {
    /** The action waiting for the user's answer; at most one. */
    private var waiting: (() -> Unit)? = null

    /** Whether Android would show a rationale before this request: it had been denied once. */
    private var deniedBefore = false

    fun granted(): Boolean = PERMISSIONS.all { activity.checkSelfPermission(it) == PackageManager.PERMISSION_GRANTED }

    /** Runs `action` now if the permission is there; otherwise after it has been granted. */
    fun thenRun(action: () -> Unit) {
        if (granted()) return action()
        waiting = action
        secure(
            AlertDialog.Builder(activity)
                .setTitle(R.string.contacts_why_title)
                .setMessage(R.string.contacts_why)
                .setPositiveButton(R.string.contacts_continue) { _, _ ->
                    deniedBefore = PERMISSIONS.any { activity.shouldShowRequestPermissionRationale(it) }
                    activity.requestPermissions(PERMISSIONS, REQUEST)
                }
                .setNegativeButton(R.string.cancel) { _, _ -> waiting = null }
                .create(),
        ).show()
    }

    /** From the activity's onRequestPermissionsResult; true when it was this request. */
    fun onResult(requestCode: Int, grantResults: IntArray): Boolean {
        if (requestCode != REQUEST) return false
        val action = waiting
        waiting = null
        val allGranted = grantResults.isNotEmpty() && grantResults.all { it == PackageManager.PERMISSION_GRANTED }
        val rationaleNow = PERMISSIONS.any { activity.shouldShowRequestPermissionRationale(it) }
        when {
            allGranted -> action?.invoke()
            // The request was interrupted (another dialog, a rotation): nothing was answered.
            grantResults.isEmpty() -> {}
            // Denied after an earlier denial, and Android offers no rationale any more: it will
            // not show its dialog again ("don't ask again", or a second denial on Android 11+).
            // Only then is "turned off, open Settings" true. A first denial with no rationale is
            // a dismissed dialog (Android 11+ counts it as nothing), which the next tap asks again.
            deniedBefore && !rationaleNow -> blocked()
            else -> message(activity, activity.getString(R.string.contacts_why_title), activity.getString(R.string.contacts_denied))
        }
        return true
    }

    private fun blocked() {
        secure(
            AlertDialog.Builder(activity)
                .setTitle(R.string.contacts_why_title)
                .setMessage(R.string.contacts_blocked)
                .setPositiveButton(R.string.contacts_open_settings) { _, _ ->
                    activity.startActivity(
                        Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", activity.packageName, null)),
                    )
                }
                .setNegativeButton(R.string.cancel, null)
                .create(),
        ).show()
    }

    companion object {
        const val REQUEST = 5101

        /** The activity's own (MainActivity routes the answer to it), or one for a bare activity. */
        fun of(activity: Activity): ContactsAccess = (activity as? MainActivity)?.contactsAccess ?: ContactsAccess(activity)
        val PERMISSIONS = arrayOf(READ_CONTACTS, WRITE_CONTACTS)
    }
}
