package org.televisit.android.ui

import android.app.Activity
import android.widget.CheckBox
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.CleanupOutcome
import org.televisit.core.CleanupPlan
import org.televisit.core.CleanupReport
import org.televisit.core.RemovalReason
import org.televisit.core.Televisit

/**
 * Removing patient contacts: first the core's dry run, then only what was shown is removed.
 * Lookalikes (contacts Televisit did not make) are removed only when ticked, one by one.
 */
class CleanupScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.cleanup_title)
    private val body = activity.column()
    private val access = ContactsAccess.of(activity)
    override val view = activity.scrolling(body)

    /** The dry run reads the contacts: the permission is asked for first only when it is missing. */
    override fun refresh() {
        access.thenRun {
            activity.background({ session.open().cleanupPlan(session.book, null) }) { showPlan(it) }
        }
    }

    private fun showPlan(plan: CleanupPlan) {
        body.removeAllViews()
        body.addView(activity.label(activity.getString(R.string.cleanup_dry_run), 18f))
        if (plan.remove.isEmpty()) {
            body.addView(activity.label(activity.getString(R.string.cleanup_none)))
        } else {
            body.addView(activity.label(activity.getString(R.string.cleanup_to_remove, plan.remove.size), 16f))
            for (r in plan.remove) {
                val reasons = r.reasons.joinToString("; ") { reasonText(it) }
                body.addView(activity.label(activity.getString(R.string.cleanup_contact, r.contactName, reasons)))
            }
        }
        val boxes = plan.lookalikes.map { l -> CheckBox(activity).apply { text = l.displayName; isChecked = false; tag = l.platformId } }
        if (boxes.isNotEmpty()) {
            body.addView(activity.label(activity.getString(R.string.cleanup_lookalikes), 16f))
            boxes.forEach { body.addView(it) }
        }
        if (plan.remove.isNotEmpty() || boxes.isNotEmpty()) {
            body.addView(
                activity.button(activity.getString(R.string.cleanup_confirm)) {
                    val confirmed = boxes.filter { it.isChecked }.map { it.tag as String }
                    activity.background({ session.open().cleanupApply(session.book, plan, confirmed) }) { showReport(it) }
                },
            )
        }
        body.addView(activity.button(activity.getString(R.string.cleanup_check_again)) { refresh() })
    }

    private fun reasonText(reason: RemovalReason): String = when (reason) {
        is RemovalReason.NotUsedFor -> {
            val days = reason.days.toInt()
            activity.resources.getQuantityString(R.plurals.cleanup_reason_not_used, days, days)
        }
        RemovalReason.VisitDone -> activity.getString(R.string.cleanup_reason_visit_done)
        RemovalReason.PatientArchived -> activity.getString(R.string.cleanup_reason_archived)
        RemovalReason.ConsentRevoked -> activity.getString(R.string.cleanup_reason_consent_withdrawn)
        RemovalReason.ConsentDeclined -> activity.getString(R.string.cleanup_reason_consent_declined)
        RemovalReason.EarlierDeleteFailed -> activity.getString(R.string.cleanup_reason_earlier_failed)
        RemovalReason.Orphaned -> activity.getString(R.string.cleanup_reason_orphaned)
    }

    private fun showReport(report: CleanupReport) {
        body.removeAllViews()
        // The counts are unsigned in the binding; %d formats a Long, not a UInt.
        val counts = activity.getString(
            R.string.cleanup_report,
            report.deleted.toLong(),
            report.alreadyGone.toLong(),
            report.failed.toLong(),
        )
        body.addView(activity.label(counts, 18f))
        for (r in report.results) {
            val outcome = r.outcome
            if (outcome is CleanupOutcome.Failed) {
                body.addView(activity.label(activity.getString(R.string.cleanup_not_removed, outcome.reason)))
            }
        }
        body.addView(activity.button(activity.getString(R.string.cleanup_done)) { refresh() })
    }
}
