package org.televisit.android.ui

import android.app.Activity
import android.graphics.Typeface
import android.text.InputType
import android.view.View
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.core.disclosureText
import org.televisit.core.qrCode

/**
 * Enrollment, the policy in force, what MDM last said, the device report for IT (text and QR
 * code, for when IT asks in person or by phone), a wipe receipt waiting for IT, and the disclosure.
 */
class SettingsScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title: String = activity.getString(R.string.settings_title)
    private val enrollment = activity.label()
    private val code = activity.field(
        activity.getString(R.string.settings_enrollment_code),
        InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS,
    )
    private val policy = activity.label()
    private val keys = activity.label()
    private val notice = activity.label()
    private val build = activity.label()
    private val disclosure = activity.label()
    private val reportStatus = activity.label()
    private val reportText = monospace()
    private val reportQr = activity.qrImage(activity.getString(R.string.settings_report_qr))
    private val copyReport = activity.button(activity.getString(R.string.settings_copy_report)) {
        copy(activity.getString(R.string.settings_device_report), reportText.text.toString())
    }
    private val receiptTitle = activity.label(activity.getString(R.string.settings_receipt_title), 18f)
    private val receiptText = monospace()
    private val receiptQr = activity.qrImage(activity.getString(R.string.settings_receipt_qr))
    override val view = activity.scrolling(
        activity.column(
            enrollment,
            code,
            activity.button(activity.getString(R.string.settings_enroll)) { enroll() },
            policy,
            keys,
            notice,
            build,
            activity.label(activity.getString(R.string.settings_report_title), 18f),
            reportStatus,
            reportQr,
            reportText,
            copyReport,
            receiptTitle,
            receiptQr,
            receiptText,
            activity.label(activity.getString(R.string.settings_about_calls), 18f),
            activity.label(disclosureText()),
            disclosure,
        ),
    )

    override fun refresh() {
        activity.background({
            val tv = session.open()
            Triple(tv.enrollment(), tv.policy() to tv.keySet(), tv.disclosureAcknowledged())
        }) { (info, policyAndKeys, acknowledged) ->
            val (p, keySet) = policyAndKeys
            enrollment.text = info?.let { activity.getString(R.string.settings_enrolled, it.orgName, it.deviceId) }
                ?: activity.getString(R.string.settings_not_enrolled)
            // Before IT's first policy arrives, the core runs on its built-in defaults (version 0, no organisation).
            policy.text = if (p.organisation.isEmpty()) {
                activity.getString(R.string.settings_policy_default)
            } else {
                activity.getString(R.string.settings_policy, p.version.toLong(), p.organisation)
            }
            // Who may sign what for the organisation, as the core holds it: names and roles only.
            keys.text = when {
                keySet == null -> ""
                keySet.version == 0uL -> activity.getString(R.string.settings_keys_legacy)
                else -> activity.getString(
                    R.string.settings_keys,
                    keySet.version.toLong(),
                    keySet.threshold.toInt(),
                    keySet.rootKeys.toInt(),
                    keySet.signers.joinToString("; ") { "${it.name}: ${it.roles.joinToString(", ")}" },
                )
            }
            keys.visibility = if (keySet == null) android.view.View.GONE else android.view.View.VISIBLE
            val said = listOfNotNull(session.lastNotice, session.relayNotice).joinToString(" ")
                .ifEmpty { activity.getString(R.string.settings_nothing_delivered) }
            notice.text = activity.getString(R.string.settings_managed_config, said)
            disclosure.text = activity.getString(if (acknowledged) R.string.settings_acknowledged else R.string.settings_not_acknowledged)
            build.text = if (session.device.unofficialBuild) activity.getString(R.string.settings_unofficial_build) else ""
            build.visibility = if (session.device.unofficialBuild) android.view.View.VISIBLE else android.view.View.GONE
        }
        showForIt()
    }

    /**
     * The report is made afresh (it carries the latest check-in) and handed to the MDM as well;
     * the QR code is the core's encoding, painted here. IT scans it or asks for the text.
     */
    private fun showForIt() {
        activity.background({
            session.publishReport()
            val report = session.deviceReport
            val receipt = session.pendingReceipt
            Triple(report, report?.let { qrCode(it) }, receipt?.let { it to qrCode(it) })
        }) { (report, qr, receipt) ->
            reportStatus.text = activity.getString(
                if (report == null) R.string.settings_report_before_enrollment else R.string.settings_report_sent,
            )
            reportText.text = report ?: ""
            reportText.visibility = if (report == null) View.GONE else View.VISIBLE
            copyReport.visibility = reportText.visibility
            reportQr.visibility = reportText.visibility
            qr?.let { reportQr.setImageBitmap(qrBitmap(it, QR_SCALE)) }
            val shown = if (receipt == null) View.GONE else View.VISIBLE
            receiptTitle.visibility = shown
            receiptText.visibility = shown
            receiptQr.visibility = shown
            receiptText.text = receipt?.first ?: ""
            receipt?.let { receiptQr.setImageBitmap(qrBitmap(it.second, QR_SCALE)) }
        }
    }

    private fun monospace() = activity.label(size = 11f).apply {
        typeface = Typeface.MONOSPACE
        setTextIsSelectable(true)
        visibility = View.GONE
    }

    private fun copy(label: String, text: String) {
        if (text.isEmpty()) return
        activity.copyToClipboard(label, text)
        // Android 13 and later confirm a copy themselves; before that, say so.
        if (android.os.Build.VERSION.SDK_INT < android.os.Build.VERSION_CODES.TIRAMISU) {
            message(activity, activity.getString(R.string.settings_copied), activity.getString(R.string.settings_copied_message, label))
        }
    }

    private fun enroll() {
        val text = code.text.toString().trim()
        activity.background({ session.open().enroll(text) }) {
            code.text.clear()
            refresh()
        }
    }

    private companion object {
        /** Pixels a module: a report's code (about 100 modules) is then about 400 px across. */
        const val QR_SCALE = 4
    }
}
