package org.televisit.android.ui

import android.app.Activity
import android.app.KeyguardManager
import android.hardware.biometrics.BiometricManager.Authenticators.BIOMETRIC_STRONG
import android.hardware.biometrics.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import android.hardware.biometrics.BiometricPrompt
import android.os.Build
import android.os.CancellationSignal
import org.televisit.android.Session
import org.televisit.android.StartResult
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

    /** Unlocked already (counts as activity), or asks for the credential. */
    fun check() {
        if (prompting) return
        activity.background({ session.televisit?.touch() ?: false }) { open -> if (open) unlocked() else prompt() }
    }

    fun prompt() {
        if (prompting) return
        val keyguard = activity.getSystemService(KeyguardManager::class.java)
        if (keyguard == null || !keyguard.isDeviceSecure) {
            // No credential to ask for; the core's pre-flight blocks calls on such a phone as well.
            locked("Televisit needs a screen lock. Set a PIN, pattern or password in Android's Settings > Security, then come back.")
            return
        }
        prompting = true
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            BiometricPrompt.Builder(activity)
                .setTitle("Unlock Televisit")
                .setAllowedAuthenticators(BIOMETRIC_STRONG or DEVICE_CREDENTIAL)
                .build()
                .authenticate(CancellationSignal(), activity.mainExecutor, callback)
        } else {
            @Suppress("DEPRECATION")
            val intent = keyguard.createConfirmDeviceCredentialIntent("Unlock Televisit", null)
            if (intent == null) {
                prompting = false
                locked("Televisit needs a screen lock.")
            } else {
                @Suppress("DEPRECATION")
                activity.startActivityForResult(intent, REQUEST_CREDENTIAL)
            }
        }
    }

    private val callback = object : BiometricPrompt.AuthenticationCallback() {
        override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) = finished(true)

        // onAuthenticationFailed is one unrecognised finger while the prompt stays up: not an end.
        override fun onAuthenticationError(errorCode: Int, errString: CharSequence) = promptEnded(errorCode)
    }

    /**
     * The prompt ended without success. Only the system's lockout (too many wrong fingers, faces
     * or credentials in a row) is a failed unlock, counted toward the policy's wipe: Back,
     * Cancel, a timeout, the system taking the prompt away or the sensor being unavailable are
     * not, however often they happen. A wipe must never follow from a cancelled prompt.
     */
    fun promptEnded(errorCode: Int) {
        when (errorCode) {
            BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT, BiometricPrompt.BIOMETRIC_ERROR_LOCKOUT_PERMANENT -> finished(false)
            BiometricPrompt.BIOMETRIC_ERROR_HW_UNAVAILABLE, BiometricPrompt.BIOMETRIC_ERROR_HW_NOT_PRESENT -> {
                prompting = false
                locked("This phone cannot confirm it is you right now. Try again in a moment.")
            }
            else -> {
                prompting = false
                locked("Televisit is locked.")
            }
        }
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
            locked("Televisit is locked.")
        }
        return true
    }

    /** Reports the prompt's outcome to the core. */
    fun finished(success: Boolean) {
        prompting = false
        if (success) {
            activity.background({ session.televisit?.unlockSucceeded() }) { unlocked() }
            return
        }
        activity.background({
            try {
                val failed = session.televisit?.unlockFailed()
                when {
                    failed == null -> "Televisit is locked."
                    failed.wipeStarted -> when (val result = session.carryOutStartedWipe("Too many failed unlocks: Televisit's data was wiped.")) {
                        is StartResult.Wiped -> result.message
                        is StartResult.Failed -> result.message
                        is StartResult.Ready -> "Televisit's data was wiped."
                    }
                    else -> "Not unlocked. ${failed.attemptsLeft} more failed attempts wipe Televisit's data."
                }
            } catch (e: TelevisitException) {
                e.message ?: "Not unlocked. Televisit stays locked."
            }
        }) { locked(it) }
    }

    companion object {
        const val REQUEST_CREDENTIAL = 4201
    }
}
