package org.televisit.android.ui

import android.app.Activity
import org.televisit.android.Session
import org.televisit.core.DetailValue
import org.televisit.core.LogEntry
import org.televisit.core.LogQuery
import org.televisit.core.Verification
import org.televisit.core.tamperDescription

/** The activity log, newest first, under the result of verifying its HMAC chain. */
class LogScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title = "Log"
    private val status = activity.label("", 18f)
    private val entries = activity.column()
    override val view = activity.scrolling(activity.column(status, entries))

    override fun refresh() {
        activity.background({
            val tv = session.open()
            tv.logVerify() to tv.logList(LogQuery(newestFirst = true, limit = 200u))
        }) { (verification, list) ->
            status.text = when (verification) {
                is Verification.Intact -> "Log intact: ${verification.count} entries, verified."
                is Verification.Broken -> "Log broken at entry ${verification.seq}: ${tamperDescription(verification.problem)}. Tell IT."
            }
            entries.removeAllViews()
            list.forEach { entries.addView(activity.label(line(it), 14f)) }
        }
    }

    // The log holds opaque ids and codes only, so it can be shown as it is.
    private fun line(e: LogEntry): String {
        val detail = e.detail.entries.joinToString(", ") { (k, v) -> "$k=${value(v)}" }
        return listOfNotNull("#${e.seq}", e.at.toString(), e.kind.name.lowercase(), e.actor.name.lowercase(), e.patient, detail.ifEmpty { null })
            .joinToString("  ")
    }

    private fun value(v: DetailValue): String = when (v) {
        is DetailValue.Flag -> v.value.toString()
        is DetailValue.Number -> v.value.toString()
        is DetailValue.Code -> v.value
    }
}
