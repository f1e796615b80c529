package org.televisit.android.ui

import android.app.Activity
import android.content.Intent
import android.net.Uri
import org.televisit.android.Session
import org.televisit.core.DetailValue
import org.televisit.core.LogEntry
import org.televisit.core.LogQuery
import org.televisit.core.Verification
import org.televisit.core.tamperDescription

/**
 * The activity log, newest first, under the result of verifying its HMAC chain, and the export
 * for IT: the entries since IT's last confirmation (or all, when IT asks), signed by this phone's
 * key and sealed to the organisation, written where the clinician picks (the system's document
 * picker: no storage permission), with the range it holds said.
 */
class LogScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title = "Log"
    private val status = activity.label("", 18f)
    private val exported = activity.label("", 14f)
    private val entries = activity.column()
    private var exportWhole = false
    override val view = activity.scrolling(
        activity.column(
            status,
            activity.button("Export for IT") { pickExportTarget(whole = false) },
            activity.button("Export the whole log (IT asked)") { pickExportTarget(whole = true) },
            exported,
            entries,
        ),
    )

    private fun pickExportTarget(whole: Boolean) {
        exportWhole = whole
        val pick = Intent(Intent.ACTION_CREATE_DOCUMENT)
            .addCategory(Intent.CATEGORY_OPENABLE)
            .setType("application/octet-stream")
            .putExtra(Intent.EXTRA_TITLE, "televisit-log.age")
        @Suppress("DEPRECATION")
        activity.startActivityForResult(pick, REQUEST_EXPORT)
    }

    /** The picked document (from MainActivity's onActivityResult); null when the picker was cancelled. */
    fun onExportTarget(target: Uri?) {
        target ?: return
        val whole = exportWhole
        activity.background({
            val made = session.open().exportLog(whole)
            val out = activity.contentResolver.openOutputStream(target) ?: error("the chosen place cannot be written")
            out.use { it.write(made.sealed) }
            made
        }) { made ->
            val range = if (made.whole) "every entry this phone holds" else "the entries since IT's last confirmation"
            exported.text = "Exported entries ${made.fromSeq + 1u} to ${made.throughSeq} (${made.entries}, $range), signed by this phone's key and sealed to IT."
            refresh()
        }
    }

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

    companion object {
        const val REQUEST_EXPORT = 7301
    }

    private fun value(v: DetailValue): String = when (v) {
        is DetailValue.Flag -> v.value.toString()
        is DetailValue.Number -> v.value.toString()
        is DetailValue.Code -> v.value
    }
}
