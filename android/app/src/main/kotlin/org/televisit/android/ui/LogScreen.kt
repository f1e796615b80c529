package org.televisit.android.ui

import android.app.Activity
import android.content.Intent
import android.net.Uri
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.DetailValue
import org.televisit.core.IntegrityReport
import org.televisit.core.LogEntry
import org.televisit.core.LogQuery
import org.televisit.core.Verification
import org.televisit.core.tamperDescription

/**
 * The activity log, newest first, under the result of verifying its HMAC chain, and the export
 * for IT: the entries since IT's last confirmation (or all, when IT asks), signed by this phone's
 * key and sealed to the organisation, written where the clinician picks (the system's document
 * picker: no storage permission), with the range it holds said. The store's integrity check
 * (every page's HMAC, SQLite's structure, the chain) runs when asked, and says what it found.
 */
class LogScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.log_title)
    private val status = activity.label("", 18f)
    private val exported = activity.label("", 14f)
    private val integrity = activity.label("", 14f)
    private val entries = activity.stack()
    private var exportWhole = false
    override val view = activity.scrolling(
        activity.column(
            status,
            activity.button(activity.getString(R.string.log_export)) { pickExportTarget(whole = false) },
            activity.button(activity.getString(R.string.log_export_whole)) { pickExportTarget(whole = true) },
            exported,
            activity.button(activity.getString(R.string.log_integrity_check)) { checkIntegrity() },
            integrity,
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
            val out = activity.contentResolver.openOutputStream(target) ?: error(activity.getString(R.string.log_export_not_writable))
            out.use { it.write(made.sealed) }
            made
        }) { made ->
            val range = activity.getString(if (made.whole) R.string.log_range_whole else R.string.log_range_since_confirmation)
            exported.text = activity.getString(
                R.string.log_exported,
                (made.fromSeq + 1u).toLong(),
                made.throughSeq.toLong(),
                made.entries.toLong(),
                range,
            )
            refresh()
        }
    }

    override fun refresh() {
        activity.background({
            val tv = session.open()
            tv.logVerify() to tv.logList(LogQuery(newestFirst = true, limit = 200u))
        }) { (verification, list) ->
            status.text = when (verification) {
                is Verification.Intact -> activity.getString(R.string.log_intact, verification.count.toLong())
                is Verification.Broken -> {
                    activity.getString(R.string.log_broken, verification.seq.toLong(), tamperDescription(verification.problem))
                }
            }
            entries.removeAllViews()
            list.forEach { entries.addView(activity.label(line(it), 14f)) }
        }
    }

    /** SQLCipher's page check, SQLite's structure check and the chain, as the core runs them; its problems are shown as they are. */
    private fun checkIntegrity() {
        activity.background({ session.open().integrityCheck() }) { report -> integrity.text = integrityText(report) }
    }

    private fun integrityText(report: IntegrityReport): String {
        if (report.ok) return activity.getString(R.string.log_integrity_ok)
        val chain = report.chain
        // The pages and the structure report problems; a broken chain alone is said by the core's description.
        val found = report.problems.joinToString("; ").ifEmpty {
            if (chain is Verification.Broken) tamperDescription(chain.problem) else ""
        }
        return activity.getString(R.string.log_integrity_problems, found)
    }

    // The log holds opaque ids and codes only, so it can be shown as it is.
    private fun line(e: LogEntry): String {
        val detail = e.detail.entries.joinToString(", ") { (k, v) -> "$k=${value(v)}" }
        return listOfNotNull("#${e.seq}", TIME.format(e.at), e.kind.name.lowercase(), e.actor.name.lowercase(), e.patient, detail.ifEmpty { null })
            .joinToString("  ")
    }

    companion object {
        const val REQUEST_EXPORT = 7301

        /** The phone's local time, to the second, always the same width (lines wrap the same way). */
        private val TIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneId.systemDefault())
    }

    private fun value(v: DetailValue): String = when (v) {
        is DetailValue.Flag -> v.value.toString()
        is DetailValue.Number -> v.value.toString()
        is DetailValue.Code -> v.value
    }
}
