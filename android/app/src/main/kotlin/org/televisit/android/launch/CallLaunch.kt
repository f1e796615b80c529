package org.televisit.android.launch

import android.os.Handler
import android.os.Looper
import org.televisit.core.LaunchPlan
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
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

        /**
         * The contact or the plan could not be made: `blocked` when the pre-flight refused (its
         * message lists the checks). Shown once, then `acknowledge()` returns to Idle.
         */
        data class Refused(val patientId: String, val blocked: Boolean, val message: String) : State()
    }

    /** What `start`'s preparation makes: the store, the plan, and the contact's row id. */
    data class Prepared(val televisit: Televisit, val plan: LaunchPlan, val contactPlatformId: String?)

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

    /**
     * The whole call, off the main thread: `prepare` makes the contact and the plan, then the
     * plan is carried out. Both run here, not on a screen, so that a rotation (or leaving the
     * screen) while the contact is being made loses nothing: the screen shown at the end says
     * the outcome, or why it was refused. False when a call runs already.
     */
    fun start(patientId: String, prepare: () -> Prepared): Boolean {
        if (!begin(patientId)) return false
        runner.execute {
            val prepared = try {
                prepare()
            } catch (e: Exception) {
                set(State.Refused(patientId, e is TelevisitException.CallBlocked, e.message ?: e.javaClass.simpleName))
                return@execute
            }
            carryOut(patientId, prepared)
        }
        return true
    }

    /** Carries a plan made elsewhere out; the state follows it to Finished. */
    fun launch(televisit: Televisit, plan: LaunchPlan, contactPlatformId: String?) {
        val patientId = (state as? State.Preparing)?.patientId ?: plan.patient
        runner.execute { carryOut(patientId, Prepared(televisit, plan, contactPlatformId)) }
    }

    private fun carryOut(patientId: String, prepared: Prepared) {
        val outcome = try {
            executor.run(prepared.plan, prepared.contactPlatformId, prepared.televisit, waiting = { set(State.WaitingForWhatsApp(patientId)) })
        } catch (e: Exception) {
            LaunchOutcome.Failed(executor.failureText(e))
        }
        set(State.Finished(patientId, outcome))
    }

    /** The outcome, or the refusal, was shown. */
    @Synchronized
    fun acknowledge() {
        if (state is State.Finished || state is State.Refused) set(State.Idle)
    }

    private fun set(next: State) {
        state = next
        // In order, on the main thread: "waiting" can never be shown after the call opened.
        main.post { listener?.invoke(next) }
    }
}
