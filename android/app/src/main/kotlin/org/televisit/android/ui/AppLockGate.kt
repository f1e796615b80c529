package org.televisit.android.ui

import android.app.Activity
import android.app.KeyguardManager
import android.hardware.biometrics.BiometricManager.Authenticators.BIOMETRIC_STRONG
import android.hardware.biometrics.BiometricManager.Authenticators.BIOMETRIC_WEAK
import android.hardware.biometrics.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import android.hardware.biometrics.BiometricPrompt
import android.os.Build
import android.os.CancellationSignal
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.core.BiometricClass
import org.televisit.core.TelevisitException

/**
 * The app lock. The core decides whether Televisit is unlocked (`touch()`, which also applies the
 * inactivity timeout) and what repeated failures lead to; this class only asks Android for the
 * device credential and reports the outcome back to the core.
 */
class AppLockGate(
    private val activity: Activity,
    private val session: Session,
    /** Televisit is unlocked: show the screens. */
    private val unlocked: () -> Unit,
    /** Still locked, with the reason to show next to an "Unlock" button. */
    private val locked: (String) -> Unit,
) {
    /** Set while Android's prompt is up, so the resume it causes does not prompt a second time. */
    private var prompting = false

    /** This prompt has had its failed attempt counted already. */
    private var failedThisPrompt = false

    /** What the last failed attempt said (the attempts left); cleared by a success. */
    private var lastFailure: String? = null

    /** The prompt up now, so that a wipe reached while it is up can take it away. */
    private var cancel: CancellationSignal? = null

    /**
     * The wipe just carried out: taking the prompt away makes Android answer with a cancel,
     * which must not replace what happened with "locked".
     */
    private var wipeNotice: String? = null

    /**
     * Unlocked already (counts as activity), or asks for the credential. While locked, the
     * screens are taken away first, so nothing is seen behind the prompt after the inactivity
     * timeout.
     */
    fun check() {
        if (prompting) return
        activity.background({ session.televisit?.touch() ?: false }) { open ->
            if (open) {
                unlocked()
            } else {
                locked(lastFailure ?: activity.getString(R.string.lock_locked))
                if (promptOnCheck) prompt()
            }
        }
    }

    /**
     * Whether a check may put the prompt up by itself. Not after the person dismissed one: the
     * device credential's screen resumes the activity when cancelled, and prompting again then
     * would trap them in a loop. The "Unlock" button asks; leaving the app and coming back does.
     */
    private var promptOnCheck = true

    /** The app left the foreground (from onStop): coming back prompts again. */
    fun leftForeground() {
        if (!prompting) promptOnCheck = true
    }

    /** Prompts shown, for tests (Robolectric's BiometricPrompt never answers by itself). */
    var promptsShown = 0
        private set

    fun prompt() {
        if (prompting) return
        val keyguard = activity.getSystemService(KeyguardManager::class.java)
        if (keyguard == null || !keyguard.isDeviceSecure) {
            // No credential to ask for; the core's pre-flight blocks calls on such a phone as well.
            locked(activity.getString(R.string.lock_needs_screen_lock))
            return
        }
        prompting = true
        promptsShown++
        failedThisPrompt = false
        wipeNotice = null
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
            val signal = CancellationSignal()
            cancel = signal
            val builder = BiometricPrompt.Builder(activity).setTitle(activity.getString(R.string.lock_prompt_title))
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                // The policy's choice: class 3 only, or class 2 (camera face unlock) as well.
                val biometric = if (session.lockBiometrics == BiometricClass.WEAK) BIOMETRIC_WEAK else BIOMETRIC_STRONG
                builder.setAllowedAuthenticators(biometric or DEVICE_CREDENTIAL)
            } else {
                // API 28-29: a fingerprint, or the device credential, in the one prompt.
                @Suppress("DEPRECATION")
                builder.setDeviceCredentialAllowed(true)
            }
            builder.build().authenticate(signal, activity.mainExecutor, callback)
        } else {
            @Suppress("DEPRECATION")
            val intent = keyguard.createConfirmDeviceCredentialIntent(activity.getString(R.string.lock_prompt_title), null)
            if (intent == null) {
                prompting = false
                locked(activity.getString(R.string.lock_needs_screen_lock))
            } else {
                @Suppress("DEPRECATION")
                activity.startActivityForResult(intent, REQUEST_CREDENTIAL)
            }
        }
    }

    /**
     * Android's answers while the prompt is up; tests call it as the system would. Made on first
     * use only: BiometricPrompt is API 28, and the app runs from API 26 (where the lock screen's
     * own confirmation is asked instead, below).
     */
    val callback by lazy { promptCallback() }

    private fun promptCallback() = object : BiometricPrompt.AuthenticationCallback() {
        override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) = finished(true)

        /**
         * A finger or face that was not recognised: the one real failure the app is told of. It
         * counts once per prompt, as iOS's `authenticationFailed` does: a wet finger tried five
         * times in one prompt (which Android then locks out itself) is one failed unlock, not the
         * default policy's five that wipe.
         */
        override fun onAuthenticationFailed() {
            // With class 2 allowed, a miss is mostly a camera that saw no face it knows (the
            // person looked away): not an attempt at all.
            if (session.lockBiometrics == BiometricClass.WEAK) return
            if (failedThisPrompt) return
            failedThisPrompt = true
            finished(false)
        }

        override fun onAuthenticationError(errorCode: Int, errString: CharSequence) = promptEnded(errorCode)
    }

    /**
     * The prompt ended without success. None of these is a failed unlock, however often it
     * happens: Back, Cancel, a timeout, the system taking the prompt away, the sensor being
     * unavailable, and the system's own lockout (which follows failures already counted one by
     * one). A wipe must never follow from a cancelled prompt.
     */
    fun promptEnded(errorCode: Int) {
        prompting = false
        promptOnCheck = false
        cancel = null
        val notice = wipeNotice
        wipeNotice = null
        if (notice != null && errorCode == BiometricPrompt.BIOMETRIC_ERROR_CANCELED) return locked(notice)
        locked(
            when (errorCode) {
                BiometricPrompt.BIOMETRIC_ERROR_HW_UNAVAILABLE, BiometricPrompt.BIOMETRIC_ERROR_HW_NOT_PRESENT -> activity.getString(R.string.lock_unavailable)
                BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT, BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT_PERMANENT -> activity.getString(R.string.lock_lockout)
                // The attempts left, if a failure said so, stay in view after Back or Cancel.
                else -> lastFailure ?: activity.getString(R.string.lock_locked)
            },
        )
    }

    /** From the activity's onActivityResult (below API 30); true when it was the gate's request. */
    fun onActivityResult(requestCode: Int, resultCode: Int): Boolean {
        if (requestCode != REQUEST_CREDENTIAL) return false
        if (resultCode == Activity.RESULT_OK) {
            finished(true)
        } else {
            // The lock screen's confirmation counts wrong attempts itself; the app only learns
            // that the person backed out, which is not a failed unlock.
            prompting = false
            promptOnCheck = false
            locked(activity.getString(R.string.lock_locked))
        }
        return true
    }

    /**
     * Reports an outcome to the core. A failure leaves Android's prompt up (the person may try
     * again) and says how many attempts are left; the failure that reaches the policy's limit
     * takes the prompt away and wipes at once.
     */
    fun finished(success: Boolean) {
        if (success) {
            prompting = false
            promptOnCheck = true
            cancel = null
            lastFailure = null
            activity.background({ session.televisit?.unlockSucceeded() }) { unlocked() }
            return
        }
        activity.background({
            try {
                val failed = session.televisit?.unlockFailed()
                when {
                    failed == null -> Outcome(activity.getString(R.string.lock_locked), wiped = false)
                    failed.wipeStarted -> {
                        val said = activity.getString(R.string.lock_wiped)
                        val text = when (val result = session.carryOutStartedWipe(said)) {
                            is StartResult.Wiped -> result.message
                            is StartResult.Failed -> result.message
                            is StartResult.Ready -> said
                        }
                        Outcome(text, wiped = true)
                    }
                    else -> Outcome(
                        activity.resources.getQuantityString(R.plurals.lock_attempts_left, failed.attemptsLeft.toInt(), failed.attemptsLeft.toInt()),
                        wiped = false,
                    )
                }
            } catch (e: TelevisitException) {
                Outcome(e.message ?: activity.getString(R.string.lock_locked), wiped = false)
            }
        }) { outcome ->
            if (outcome.wiped) {
                wipeNotice = outcome.text.takeIf { cancel != null }
                cancel?.cancel()
                cancel = null
                prompting = false
                lastFailure = null
            } else {
                lastFailure = outcome.text
            }
            locked(outcome.text)
        }
    }

    private class Outcome(val text: String, val wiped: Boolean)

    companion object {
        const val REQUEST_CREDENTIAL = 4201
    }
}
