package org.televisit.android.ui

import android.app.Activity
import android.text.InputType
import org.televisit.android.Session
import org.televisit.core.disclosureText

/** Enrollment, the policy in force, what MDM last said, and the disclosure. */
class SettingsScreen(private val activity: Activity, private val session: Session) : Screen {
    override val title = "Settings"
    private val enrollment = activity.label()
    private val code = activity.field("Paste an enrollment code", InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS)
    private val policy = activity.label()
    private val notice = activity.label()
    private val disclosure = activity.label()
    override val view = activity.scrolling(
        activity.column(
            enrollment,
            code,
            activity.button("Enroll") { enroll() },
            policy,
            notice,
            activity.label("About WhatsApp calls", 18f),
            activity.label(disclosureText()),
            disclosure,
        ),
    )

    override fun refresh() {
        activity.background({
            val tv = session.open()
            Triple(tv.enrollment(), tv.policy(), tv.disclosureAcknowledged())
        }) { (info, p, acknowledged) ->
            enrollment.text = info?.let { "Enrolled with ${it.orgName} (device ${it.deviceId})." } ?: "Not enrolled with an organisation."
            policy.text = "Policy version ${p.version} from ${p.organisation}."
            notice.text = "Managed configuration: ${session.lastNotice ?: "nothing delivered"}"
            disclosure.text = if (acknowledged) "You have acknowledged this." else "Not acknowledged yet: you will be asked before your first call."
        }
    }

    private fun enroll() {
        val text = code.text.toString().trim()
        activity.background({ session.open().enroll(text) }) {
            code.text.clear()
            refresh()
        }
    }
}
