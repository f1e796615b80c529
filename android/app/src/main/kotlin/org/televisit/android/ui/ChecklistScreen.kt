package org.televisit.android.ui

import android.app.Activity
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.ChecklistResult
import org.televisit.core.ChecklistRun
import org.televisit.core.ChecklistStatus
import org.televisit.core.Platform
import org.televisit.core.Requirement
import org.televisit.core.RunItem

/**
 * The WhatsApp privacy checklist, one item at a time. The core holds the run (it survives a
 * restart), pre-answers what the phone can tell, and decides what deviates.
 */
class ChecklistScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.checklist_title)
    private val body = activity.column()
    override val view = activity.scrolling(body)

    override fun refresh() {
        activity.background({ session.open().let { it.checklistStatus(session.device) to it.checklistRun() } }) { (status, run) ->
            body.removeAllViews()
            body.addView(activity.label(statusText(status), 18f))
            body.addView(
                activity.button(activity.getString(if (run == null) R.string.checklist_start else R.string.checklist_continue)) {
                    activity.background({ session.open().checklistStart(Platform.ANDROID, session.device) }) { showRun(it) }
                },
            )
        }
    }

    private fun statusText(status: ChecklistStatus): String = activity.getString(
        when (status) {
            ChecklistStatus.CURRENT -> R.string.checklist_status_current
            ChecklistStatus.DUE -> R.string.checklist_status_due
            ChecklistStatus.NEVER -> R.string.checklist_status_never
        },
    )

    private fun showRun(run: ChecklistRun) {
        body.removeAllViews()
        val open = run.items.filter { it.answer == null && !it.preAnswered }
        val next = open.firstOrNull()
        if (next == null) {
            body.addView(activity.label(activity.getString(R.string.checklist_all_answered), 18f))
            body.addView(
                activity.button(activity.getString(R.string.checklist_finish)) {
                    activity.background({ session.open().checklistFinish() }) { showResult(it) }
                },
            )
            return
        }
        body.addView(activity.label(activity.getString(R.string.checklist_progress, run.items.size - open.size + 1, run.items.size), 14f))
        showItem(next)
    }

    private fun showItem(run: RunItem) {
        val item = run.item
        body.addView(activity.label(item.title, 20f))
        body.addView(activity.label(item.why))
        body.addView(activity.label(activity.getString(R.string.checklist_where, run.path)))
        val recommended = item.choices.firstOrNull { it.value == item.recommended }?.label ?: item.recommended
        body.addView(activity.label(activity.getString(R.string.checklist_recommended, recommended, item.recommendedWhy)))
        requiredText(run.required, item.choices.associate { it.value to it.label })?.let { body.addView(activity.label(it)) }
        body.addView(activity.label(activity.getString(R.string.checklist_question), 16f))
        for (choice in item.choices) {
            body.addView(
                activity.button(choice.label) {
                    activity.background({ session.open().checklistAnswer(item.id, choice.value) }) { showRun(it) }
                },
            )
        }
    }

    private fun requiredText(required: Requirement, labels: Map<String, String>): String? = when (required) {
        is Requirement.One -> activity.getString(R.string.checklist_requires, labels[required.v1] ?: required.v1)
        is Requirement.AnyOf -> activity.getString(
            R.string.checklist_accepts,
            required.v1.joinToString(activity.getString(R.string.checklist_or)) { labels[it] ?: it },
        )
        Requirement.NotChecked -> null
    }

    private fun showResult(result: ChecklistResult) {
        body.removeAllViews()
        if (result.compliant) {
            body.addView(activity.label(activity.getString(R.string.checklist_compliant), 18f))
        } else {
            body.addView(activity.label(activity.getString(R.string.checklist_to_change, result.deviations.size), 18f))
            for (d in result.deviations) {
                body.addView(activity.label(activity.getString(R.string.checklist_deviation, d.title, d.answer), 16f))
                body.addView(activity.label(d.instruction))
            }
        }
        body.addView(activity.button(activity.getString(R.string.checklist_done)) { refresh() })
    }
}
