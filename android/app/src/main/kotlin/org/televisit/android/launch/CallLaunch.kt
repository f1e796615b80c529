package org.televisit.android.launch

import android.os.Handler
import android.os.Looper
import org.televisit.core.LaunchPlan
import org.televisit.core.Televisit
import java.util.concurrent.Executor

/**
 * The one call being launched, kept by the session rather than by a screen: a rotation (a new
 * activity) or leaving the screen changes nothing, and the screen shown when it ends tells the
 * outcome. A second launch while one runs is refused, so Call cannot be tapped twice.
 */
class CallLaunch(
    private val executor: LaunchExecutor,
    /** Where the ladder runs (it may wait for WhatsApp's sync); tests run it inline. */
    private val runner: Executor = Executor { Thread(it, "televisit-launch").start() },
) {
    sealed class State {
        object Idle : State()

        /** Getting the contact and the plan ready, or opening WhatsApp. */
        data class Preparing(val patientId: String) : State()

        /** A new contact: waiting for WhatsApp to see it, so that the video call opens directly. */
        data class WaitingForWhatsApp(val patientId: String) : State()

        /** Ended; shown once, then `acknowledge()` returns to Idle. */
        data class Finished(val patientId: String, val outcome: LaunchOutcome) : State()
    }

    private val main = Handler(Looper.getMainLooper())

    @Volatile
    var state: State = State.Idle
        private set

    /** The screen showing it now (main thread); a newer screen replaces an older one. */
    private var listener: ((State) -> Unit)? = null

    fun observe(listener: (State) -> Unit) {
        this.listener = listener
        listener(state)
    }

    val running: Boolean get() = state is State.Preparing || state is State.WaitingForWhatsApp

    /** Marks the launch as begun (the plan is being made); false when one runs already. */
    @Synchronized
    fun begin(patientId: String): Boolean {
        if (running) return false
        set(State.Preparing(patientId))
        return true
    }

    /** The plan could not be made (blocked, or an error): back to idle, the screen says why. */
    @Synchronized
    fun abandon() {
        if (running) set(State.Idle)
    }

    /** Carries the plan out; the state follows it to Finished. */
    fun launch(televisit: Televisit, plan: LaunchPlan, contactPlatformId: String?) {
        val patientId = (state as? State.Preparing)?.patientId ?: plan.patient
        runner.execute {
            val outcome = try {
                executor.run(plan, contactPlatformId, televisit, waiting = { set(State.WaitingForWhatsApp(patientId)) })
            } catch (e: Exception) {
                LaunchOutcome.Failed("The call could not be started (${e.javaClass.simpleName}).")
            }
            set(State.Finished(patientId, outcome))
        }
    }

    /** The outcome was shown. */
    @Synchronized
    fun acknowledge() {
        if (state is State.Finished) set(State.Idle)
    }

    private fun set(next: State) {
        state = next
        // In order, on the main thread: "waiting" can never be shown after the call opened.
        main.post { listener?.invoke(next) }
    }
}
