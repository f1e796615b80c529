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
import org.televisit.core.RunKind

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
            ChecklistStatus.RECONFIRM -> R.string.checklist_status_reconfirm
            ChecklistStatus.DUE -> R.string.checklist_status_due
            ChecklistStatus.NEVER -> R.string.checklist_status_never
        },
    )

    /** The item being changed from the review (or by Back), when not the next unanswered one. */
    private var editing: String? = null

    /**
     * The next item to answer; when every item is answered, the review: each answer (those kept
     * from the last check and those Strict account settings covers marked), each one tappable to
     * change it, then the attestation of a re-confirmation, then Finish.
     */
    private fun showRun(run: ChecklistRun) {
        body.removeAllViews()
        val asked = run.items.filter { !it.preAnswered }
        val open = asked.filter { it.answer == null }
        val next = editing?.let { id -> asked.firstOrNull { it.item.id == id } } ?: open.firstOrNull()
        if (next != null) {
            val position = asked.indexOf(next)
            body.addView(activity.label(activity.getString(R.string.checklist_progress, position + 1, asked.size), 14f))
            showItem(run, next, asked.getOrNull(position - 1))
            return
        }
        val reconfirm = run.kind == RunKind.RECONFIRM
        body.addView(activity.label(activity.getString(if (reconfirm) R.string.checklist_review_reconfirm else R.string.checklist_all_answered), 18f))
        for (item in asked) {
            val answer = item.item.choices.firstOrNull { it.value == item.answer }?.label ?: item.answer.orEmpty()
            val text = when {
                item.covered -> activity.getString(R.string.checklist_answer_covered, item.item.title, answer)
                item.carried -> activity.getString(R.string.checklist_answer_kept, item.item.title, answer)
                else -> activity.getString(R.string.checklist_answer, item.item.title, answer)
            }
            body.addView(activity.button(text) { editing = item.item.id; showRun(run) })
        }
        if (reconfirm && !run.attestedUnchanged) {
            body.addView(
                activity.button(activity.getString(R.string.checklist_attest)) {
                    activity.background({ session.open().checklistAttestUnchanged() }) { showRun(it) }
                },
            )
            return
        }
        body.addView(
            activity.button(activity.getString(R.string.checklist_finish)) {
                activity.background({ session.open().checklistFinish() }) { showResult(it) }
            },
        )
    }

    private fun showItem(run: ChecklistRun, current: RunItem, previous: RunItem?) {
        val item = current.item
        body.addView(activity.label(item.title, 20f))
        body.addView(activity.label(item.why))
        body.addView(activity.label(activity.getString(R.string.checklist_where, current.path)))
        val recommended = item.choices.firstOrNull { it.value == item.recommended }?.label ?: item.recommended
        body.addView(activity.label(activity.getString(R.string.checklist_recommended, recommended, item.recommendedWhy)))
        requiredText(current.required, item.choices.associate { it.value to it.label })?.let { body.addView(activity.label(it)) }
        body.addView(activity.label(activity.getString(R.string.checklist_question), 16f))
        for (choice in item.choices) {
            val label = if (choice.value == current.answer) activity.getString(R.string.checklist_current_choice, choice.label) else choice.label
            body.addView(
                activity.button(label) {
                    editing = null
                    activity.background({ session.open().checklistAnswer(item.id, choice.value) }) { showRun(it) }
                },
            )
        }
        // A mis-tap is undone here: Back re-opens the item before, and an item being changed can be left as it was.
        if (previous != null) {
            body.addView(activity.button(activity.getString(R.string.checklist_back)) { editing = previous.item.id; showRun(run) })
        }
        if (current.answer != null) {
            body.addView(activity.button(activity.getString(R.string.checklist_keep)) { editing = null; showRun(run) })
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
                body.addView(activity.label(activity.getString(R.string.checklist_deviation, d.title, d.answerLabel), 16f))
                body.addView(activity.label(d.instruction))
            }
        }
        body.addView(activity.button(activity.getString(R.string.checklist_done)) { refresh() })
    }
}
