package org.televisit.android.launch

import android.content.Intent
import android.net.Uri
import org.televisit.core.LaunchStep

/**
 * A launch step as the Intent that carries it out: the core says action, data, type and
 * package; this only spells them in Android's terms. A sync-then-video step has no intent of
 * its own until WhatsApp's row exists (`stepAfterSync` in the core turns it into one).
 */
object LaunchIntents {
    fun intentFor(step: LaunchStep): Intent? = when (step) {
        is LaunchStep.AndroidIntent -> Intent(step.action).apply {
            val data = Uri.parse(step.data)
            // setData alone would clear the type, and setType alone the data: set both at once.
            if (step.mimeType != null) setDataAndType(data, step.mimeType) else setData(data)
            step.`package`?.let { setPackage(it) }
            addFlags(FLAGS)
        }
        is LaunchStep.OpenUrl -> Intent(Intent.ACTION_VIEW, Uri.parse(step.url)).apply {
            step.`package`?.let { setPackage(it) }
            addFlags(FLAGS)
        }
        is LaunchStep.AndroidSyncThenIntent -> null
    }

    /** WhatsApp starts in its own task, so Back returns to it rather than into Televisit's form. */
    const val FLAGS = Intent.FLAG_ACTIVITY_NEW_TASK
}
