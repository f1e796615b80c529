package org.televisit.android.ui

import android.app.Activity
import android.widget.CheckBox
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
    override val title = "Cleanup"
    private val body = activity.column()
    override val view = activity.scrolling(body)

    override fun refresh() {
        activity.background({ session.open().cleanupPlan(session.book, null) }) { showPlan(it) }
    }

    private fun showPlan(plan: CleanupPlan) {
        body.removeAllViews()
        body.addView(activity.label("Dry run: nothing is removed until you confirm.", 18f))
        if (plan.remove.isEmpty()) {
            body.addView(activity.label("No patient contacts to remove."))
        } else {
            body.addView(activity.label("${plan.remove.size} contact(s) to remove:", 16f))
            for (r in plan.remove) {
                body.addView(activity.label("${r.contactName} — ${r.reasons.joinToString("; ") { reasonText(it) }}"))
            }
        }
        val boxes = plan.lookalikes.map { l -> CheckBox(activity).apply { text = l.displayName; isChecked = false; tag = l.platformId } }
        if (boxes.isNotEmpty()) {
            body.addView(activity.label("These look like patient contacts but were not made by Televisit. Tick only those to remove:", 16f))
            boxes.forEach { body.addView(it) }
        }
        if (plan.remove.isNotEmpty() || boxes.isNotEmpty()) {
            body.addView(
                activity.button("Confirm removal") {
                    val confirmed = boxes.filter { it.isChecked }.map { it.tag as String }
                    activity.background({ session.open().cleanupApply(session.book, plan, confirmed) }) { showReport(it) }
                },
            )
        }
        body.addView(activity.button("Check again") { refresh() })
    }

    private fun reasonText(reason: RemovalReason) = when (reason) {
        is RemovalReason.NotUsedFor -> "not used for ${reason.days} days"
        RemovalReason.VisitDone -> "visit done"
        RemovalReason.PatientArchived -> "patient archived"
        RemovalReason.ConsentRevoked -> "consent withdrawn"
        RemovalReason.EarlierDeleteFailed -> "an earlier removal failed"
        RemovalReason.Orphaned -> "no longer a patient in Televisit"
    }

    private fun showReport(report: CleanupReport) {
        body.removeAllViews()
        body.addView(activity.label("Removed ${report.deleted}, already gone ${report.alreadyGone}, failed ${report.failed}.", 18f))
        for (r in report.results) {
            val outcome = r.outcome
            if (outcome is CleanupOutcome.Failed) body.addView(activity.label("Not removed: ${outcome.reason}"))
        }
        body.addView(activity.button("Done") { refresh() })
    }
}
