package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.AutomaticCleanupSummary

/**
 * What automatic cleanup did while the app was closed, shown once when the app is next opened
 * and unlocked, never as a notification (a lock screen would show it to whoever holds the
 * phone). Counts only; it is marked seen when the clinician closes it, so a dialog lost to a
 * rotation comes back.
 */
class CleanupSummary(private val activity: Activity, private val session: Session) {
    private var showing = false

    fun offer() {
        if (showing) return
        showing = true
        activity.background({ session.televisit?.automaticCleanupSummary() }, failed = { showing = false }) { summary ->
            if (summary == null) {
                showing = false
                return@background
            }
            AlertDialog.Builder(activity)
                .setTitle(R.string.cleanup_summary_title)
                .setMessage(text(summary))
                .setCancelable(false)
                .setPositiveButton(R.string.cleanup_summary_ok) { _, _ ->
                    activity.background({ session.televisit?.automaticCleanupSeen() }, failed = { showing = false }) { showing = false }
                }
                .show()
        }
    }

    fun text(summary: AutomaticCleanupSummary): String {
        val res = activity.resources
        val removed = summary.removed.toInt()
        val parts = mutableListOf(res.getQuantityString(R.plurals.cleanup_summary_removed, removed, removed, summary.ageDays.toInt()))
        val failed = summary.failed.toInt()
        if (failed > 0) parts += res.getQuantityString(R.plurals.cleanup_summary_failed, failed, failed)
        val waiting = summary.lookalikesWaiting.toInt()
        if (waiting > 0) parts += res.getQuantityString(R.plurals.cleanup_summary_lookalikes, waiting, waiting)
        return parts.joinToString(" ")
    }
}
