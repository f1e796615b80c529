package org.televisit.android.ui

import android.app.Activity
import android.widget.CheckBox
import java.text.DateFormat
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.CleanupEnd
import org.televisit.core.CleanupOutcome
import org.televisit.core.CleanupPlan
import org.televisit.core.CleanupReport
import org.televisit.core.CleanupState
import org.televisit.core.RemovalReason

/**
 * Removing patient contacts: first the core's dry run, then only what was shown is removed.
 * Lookalikes (contacts Televisit did not make) are removed only when ticked, one by one. Above
 * it, where cleanup stands on this phone, counted by the core as IT's fleet view reads it.
 */
class CleanupScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.cleanup_title)
    private val body = activity.column()
    private val access = ContactsAccess.of(activity)
    override val view = activity.scrolling(body)

    /** The dry run reads the contacts: the permission is asked for first only when it is missing. */
    override fun refresh() {
        access.thenRun {
            activity.background({
                val tv = session.open()
                Triple(tv.cleanupState(session.book), tv.policy().contacts.cleanupAutomatic, tv.cleanupPlan(session.book, null))
            }) { (state, automatic, plan) -> showPlan(state, automatic, plan) }
        }
    }

    private fun showState(state: CleanupState, automatic: Boolean) {
        body.addView(activity.label(activity.getString(R.string.cleanup_state_title), 16f))
        body.addView(activity.label(state.summary))
        val run = state.lastRun
        val end = state.lastEnd
        body.addView(
            activity.label(
                if (run == null || end == null) {
                    activity.getString(R.string.cleanup_never_run)
                } else {
                    val at = DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT).format(java.util.Date.from(run))
                    activity.getString(R.string.cleanup_last_run, at, endText(end))
                },
            ),
        )
        body.addView(activity.label(activity.getString(if (automatic) R.string.cleanup_automatic_on else R.string.cleanup_automatic_off)))
    }

    private fun endText(end: CleanupEnd): String = activity.getString(
        when (end) {
            CleanupEnd.DONE -> R.string.cleanup_end_done
            CleanupEnd.SOME_FAILED -> R.string.cleanup_end_some_failed
            CleanupEnd.LOOKALIKES_WAITING -> R.string.cleanup_end_lookalikes
        },
    )

    private fun showPlan(state: CleanupState, automatic: Boolean, plan: CleanupPlan) {
        body.removeAllViews()
        showState(state, automatic)
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
        val boxes = plan.lookalikes.map { l -> CheckBox(activity).apply { text = l.displayName; isChecked = false; tag = l.platformId; minHeight = activity.dp(48); textAlignment = android.view.View.TEXT_ALIGNMENT_VIEW_START } }
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
