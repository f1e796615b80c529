package org.televisit.android.mdm

import android.content.Context
import org.televisit.android.R
import android.content.RestrictionsManager
import android.os.Bundle
import org.televisit.core.ManagedOutcome
import org.televisit.core.ManagedReport
import org.televisit.core.managedConfigKeys
import org.televisit.core.managedReadKeys
import org.televisit.core.managedProblems

/**
 * IT's managed configuration (Android app restrictions, set by the MDM from
 * `res/xml/app_restrictions.xml`) read for the core, and the wipe receipt sent back as a keyed
 * app state. The core applies the values idempotently, so the app simply hands over everything
 * at every start and on every change.
 */
class ManagedConfig(
    private val context: Context,
    private val restrictions: () -> Bundle = {
        context.getSystemService(RestrictionsManager::class.java)?.applicationRestrictions ?: Bundle()
    },
    private val feedback: KeyedAppStates = KeyedAppStates(context),
) {
    /** The string values IT set; keys of ours holding anything else are named in `wrongType`. */
    data class Values(val strings: Map<String, String>, val wrongType: List<String>)

    fun read(): Values = fromBundle(restrictions())

    /**
     * Hands the receipt to the MDM: as an *immediate* state when the wipe just finished (IT waits
     * on it; the receiver may still queue it under its quota), as a routine one when it is sent
     * again at a check-in. Taken by a receiver is not received by IT: the core keeps the receipt
     * until IT's bulletin confirms it, so nothing here forgets it.
     */
    fun publishReceipt(receipt: String, immediate: Boolean = true): Boolean =
        feedback.send(managedConfigKeys().wipeReceipt, KeyedAppStates.SEVERITY_INFO, "wipe done", receipt, immediate) {}

    /**
     * Publishes the signed device report (one keyed app state: at most 1,000 characters) as a
     * routine state (`WHAT_STATE`): it is sent at every check-in and Settings visit, and the
     * receivers allow about one immediate upload a minute.
     */
    fun publishReport(report: String): Boolean =
        feedback.send(managedConfigKeys().deviceReport, KeyedAppStates.SEVERITY_INFO, "device report", report, immediate = false) {}

    /** Waits, off the main thread and at most `timeoutMillis`, until the states sent were handed off. */
    fun awaitHandOff(timeoutMillis: Long): Boolean = feedback.awaitHandOff(timeoutMillis)

    companion object {
        fun fromBundle(bundle: Bundle): Values {
            val ours = managedReadKeys().toSet()
            val strings = mutableMapOf<String, String>()
            val wrongType = mutableListOf<String>()
            for (key in bundle.keySet().filter { it in ours }.sorted()) {
                @Suppress("DEPRECATION")
                when (val value = bundle.get(key)) {
                    null -> {}
                    is String -> strings[key] = value
                    else -> wrongType += key
                }
            }
            return Values(strings, wrongType)
        }

        /** One line for the screen: what changed, or every refusal by its key (never a value). */
        fun describe(context: Context, report: ManagedReport, wrongType: List<String>): String? {
            val problems = managedProblems(report) + wrongType.map { context.getString(R.string.managed_not_text, it) }
            if (problems.isNotEmpty()) return context.getString(R.string.managed_refused, problems.joinToString("; "))
            val applied = listOf(report.enrollment, report.policy, report.mdmIds, report.relay, report.bulletin, report.wipe)
                .filterIsInstance<ManagedOutcome.Applied>()
            return applied.takeIf { it.isNotEmpty() }?.joinToString("; ") { it.summary }
        }
    }
}
