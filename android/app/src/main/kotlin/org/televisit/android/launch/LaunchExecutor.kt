package org.televisit.android.launch

import android.content.ActivityNotFoundException
import android.content.Context
import org.televisit.android.R
import android.os.Handler
import android.os.Looper
import org.televisit.android.platform.SyncingDirectory
import org.televisit.core.AttemptKind
import org.televisit.core.LaunchAttempt
import org.televisit.core.LaunchPlan
import org.televisit.core.LaunchStep
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.WhatsAppApp
import org.televisit.core.stepAfterSync
import org.televisit.core.whatsappPackage

/**
 * Carries out a launch plan: each attempt in order, moving on when it cannot be done (no
 * activity for the intent: WhatsApp was uninstalled between plan and launch; or WhatsApp's row
 * did not appear in time). Every attempt is recorded in the core's log. Waiting for a sync
 * happens on the caller's thread (`CallLaunch` runs it on one of its own).
 */
class LaunchExecutor(
    private val context: Context,
    private val directory: SyncingDirectory,
    private val sleep: (Long) -> Unit = { Thread.sleep(it) },
    /** Whether Televisit is on screen (`Foreground.visible` in the app; tests say). */
    private val inForeground: () -> Boolean = { true },
) {
    private val main = Handler(Looper.getMainLooper())

    /**
     * The ladder itself, synchronous (the caller's thread waits out a sync); `waiting` is told
     * when a sync wait begins, so that the screen can say so. Tests pass their own `start`.
     */
    fun run(
        plan: LaunchPlan,
        contactPlatformId: String?,
        televisit: Televisit,
        waiting: () -> Unit = {},
        start: (LaunchStep) -> Boolean = ::start,
    ): LaunchOutcome {
        for (attempt in plan.attempts) {
            val step = resolve(attempt, contactPlatformId, waiting) ?: run {
                record(televisit, plan, attempt.kind, false)
                null
            } ?: continue
            if (!inForeground()) {
                // Android would drop the start silently: not opened, and the clinician is
                // offered to open it with a tap once back in the app (`openNow`).
                record(televisit, plan, attempt.kind, false)
                return LaunchOutcome.TapToOpen(plan, attempt.kind, step, attempt.instruction)
            }
            val opened = start(step)
            record(televisit, plan, attempt.kind, opened)
            if (opened) return LaunchOutcome.Opened(attempt.kind, attempt.instruction)
        }
        return LaunchOutcome.Failed(context.getString(R.string.launch_not_opened))
    }

    /**
     * The clinician tapped "open": from the activity now on screen, the step the ladder had
     * reached, logged as opened or not, like any attempt.
     */
    fun openNow(pending: LaunchOutcome.TapToOpen, televisit: Televisit, start: (LaunchStep) -> Boolean = ::start): LaunchOutcome {
        val opened = start(pending.step)
        record(televisit, pending.plan, pending.kind, opened)
        return if (opened) {
            LaunchOutcome.Opened(pending.kind, pending.instruction)
        } else {
            LaunchOutcome.Failed(context.getString(R.string.launch_not_opened))
        }
    }

    /** What the screen says when the ladder itself failed (an exception, not a refused intent). */
    fun failureText(e: Exception): String = context.getString(R.string.launch_failed, e.javaClass.simpleName)

    /** A sync-then-video attempt becomes the direct intent once WhatsApp's row appears, or nothing. */
    private fun resolve(attempt: LaunchAttempt, contactPlatformId: String?, waiting: () -> Unit): LaunchStep? {
        val step = attempt.step
        if (step !is LaunchStep.AndroidSyncThenIntent) return step
        val id = contactPlatformId ?: return null
        val app = WhatsAppApp.values().firstOrNull { whatsappPackage(it) == step.`package` } ?: return null
        // A contact WhatsApp already knows needs no wait at all.
        directory.videoCallRow(id, app)?.let { row -> return stepAfterSync(step, row) }
        waiting()
        directory.requestSync(step.accountType)
        var waited = 0L
        while (waited <= step.timeoutMs.toLong()) {
            directory.videoCallRow(id, app)?.let { row -> return stepAfterSync(step, row) }
            sleep(step.pollIntervalMs.toLong())
            waited += step.pollIntervalMs.toLong()
        }
        return null
    }

    /**
     * Starts the step's activity from the application's context (WhatsApp opens in its own task),
     * on the main thread, so that a rotation of Televisit's activity meanwhile changes nothing.
     */
    private fun start(step: LaunchStep): Boolean {
        val intent = LaunchIntents.intentFor(step) ?: return false
        val open = {
            try {
                context.startActivity(intent)
                true
            } catch (e: ActivityNotFoundException) {
                false // the next attempt, e.g. the chat in the browser, or the store page
            } catch (e: SecurityException) {
                false
            }
        }
        if (Looper.myLooper() == Looper.getMainLooper()) return open()
        var started = false
        val latch = java.util.concurrent.CountDownLatch(1)
        main.post {
            started = open()
            latch.countDown()
        }
        latch.await()
        return started
    }

    private fun record(televisit: Televisit, plan: LaunchPlan, kind: AttemptKind, succeeded: Boolean) {
        try {
            televisit.recordLaunch(plan.patient, kind, plan.app, succeeded)
        } catch (e: TelevisitException) {
            // The log entry is evidence; the clinician's call goes ahead without it.
        }
    }
}

sealed class LaunchOutcome {
    data class Opened(val kind: AttemptKind, val instruction: String?) : LaunchOutcome()
    data class Failed(val message: String) : LaunchOutcome()

    /** Ready, but Televisit was no longer on screen: opened only when the clinician taps. */
    data class TapToOpen(val plan: LaunchPlan, val kind: AttemptKind, val step: LaunchStep, val instruction: String?) : LaunchOutcome()
}
