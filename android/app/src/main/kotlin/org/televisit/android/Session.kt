package org.televisit.android

import android.content.Context
import android.os.Build
import org.televisit.android.launch.CallLaunch
import org.televisit.android.launch.LaunchExecutor
import org.televisit.android.mdm.ManagedConfig
import org.televisit.android.platform.AndroidContactBook
import org.televisit.core.BackgroundCleanup
import org.televisit.core.Clock
import org.televisit.android.platform.AndroidDeviceFacts
import org.televisit.android.platform.AndroidWhatsAppDirectory
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.android.relay.RelayHttp
import org.televisit.core.BiometricClass
import org.televisit.core.ManagedReport
import org.televisit.core.Platform
import org.televisit.core.RelayOutcome
import org.televisit.core.applyRelayAnswer
import org.televisit.core.relayHost
import org.televisit.core.Televisit
import org.televisit.core.TelevisitException
import org.televisit.core.Triggers
import org.televisit.core.heldWipeReceipt
import org.televisit.core.checkInWithoutStore
import org.televisit.core.resumePendingWipe
import org.televisit.core.WipeScope
import org.televisit.core.wipeUnderWay
import org.televisit.android.platform.ContactAccounts
import java.io.File

/**
 * The app's one Televisit: the platform adapters and the open store, and the start-up order
 * every entry point follows (a pending wipe first, then the store, then the local triggers and
 * the managed configuration). Screens ask it for `televisit`; after a wipe it is closed and
 * the next `start()` opens a fresh, empty store.
 */
class Session(
    val context: Context,
    val secrets: KeystoreSecretStore = KeystoreSecretStore.inNoBackupDir(context),
    val book: AndroidContactBook = AndroidContactBook(context),
    val device: AndroidDeviceFacts = AndroidDeviceFacts(context),
    val directory: AndroidWhatsAppDirectory = AndroidWhatsAppDirectory(context.contentResolver),
    val managed: ManagedConfig = ManagedConfig(context),
    /** The device's clock unless a test gives one (the core keeps its own high-water mark). */
    private val clock: Clock? = null,
) {
    val launcher = LaunchExecutor(context.applicationContext ?: context, directory, inForeground = { org.televisit.android.launch.Foreground.visible })

    /** The call being launched: the session's, so that it outlives a rotation. */
    var calls = CallLaunch(launcher)
    private val database: File = File(context.noBackupFilesDir, "televisit.db")

    /** Null until `start()` succeeds, and again after a wipe. */
    @Volatile
    var televisit: Televisit? = null
        private set

    /**
     * A wipe receipt IT has not yet confirmed holding, for the settings screen to show (IT can
     * copy it). Handed to the MDM again at every check-in until a bulletin confirms it.
     */
    @Volatile
    var pendingReceipt: String? = null
        private set

    /** The open store, for a screen acting on it; it was closed (a wipe) if this throws. */
    fun open(): Televisit = televisit ?: throw IllegalStateException(context.getString(R.string.session_not_open))

    /**
     * The policy's choice of biometrics for the app lock (read at every start and configuration
     * change, so that the prompt, on the main thread, asks the core nothing).
     */
    @Volatile
    var lockBiometrics: BiometricClass = BiometricClass.STRONG
        private set

    private fun readLockPolicy(tv: Televisit) {
        lockBiometrics = try {
            tv.policy().appLock.androidBiometrics
        } catch (e: TelevisitException) {
            lockBiometrics
        }
    }

    /** What the last start or configuration change said, for the settings screen. */
    @Volatile
    var lastNotice: String? = null
        private set

    /**
     * Opens the store, in the order that keeps a wipe safe. Never throws: a failure is returned
     * as a message for the screen (the store's own error text, which never holds patient data).
     */
    @Synchronized
    fun start(withCleanup: Boolean = false): StartResult {
        televisit?.let { return StartResult.Ready(it) }
        return try {
            finishPendingWipe()
            val tv = Televisit.openWithClock(database.path, secrets, clock)
            televisit = tv
            when (val triggers = tv.evaluateTriggers(device)) {
                is Triggers.Wipe -> {
                    close()
                    finishPendingWipe()
                    return StartResult.Wiped(context.getString(R.string.session_local_wipe, triggers.reason))
                }
                is Triggers.Blocked -> lastNotice = context.getString(R.string.session_blocked, triggers.reasons.joinToString())
                Triggers.Clear -> {}
            }
            readLockPolicy(tv)
            applyManagedConfig(withCleanup)?.let { return it }
            sweepOrphanedContacts(tv)
            publishReport()
            StartResult.Ready(televisit ?: return StartResult.Failed(context.getString(R.string.session_closed_while_starting)))
        } catch (e: TelevisitException) {
            if (televisit == null) wipeWithoutStore()?.let { return it }
            republishHeldReceipt()
            StartResult.Failed(e.message ?: context.getString(R.string.session_could_not_open))
        }
    }

    /**
     * The store would not open (damaged, its key gone, a reinstall): IT's wipe still reaches the
     * phone, from the bulletin or the wipe command, verified from the secret store alone.
     * Returns null when there is none for this phone, or it cannot be carried out now.
     */
    private fun wipeWithoutStore(): StartResult? {
        // Which keys, in which order, and whether a wipe started: the core's one rule.
        val outcome = checkInWithoutStore(secrets, managed.read().strings)
        if (!outcome.wipeStarted) return null
        return try {
            finishPendingWipe()
            StartResult.Wiped(context.getString(R.string.session_it_wipe_done))
        } catch (e: TelevisitException) {
            // The marker stays: the next start or check-in finishes the wipe.
            StartResult.Failed(e.message ?: context.getString(R.string.session_wipe_unfinished))
        }
    }

    /**
     * Told, on any thread, when a wipe ran while the app may be on screen (the restrictions
     * receiver, the check-in job), so that the screen stops showing what was wiped.
     */
    @Volatile
    var wipeListener: ((String) -> Unit)? = null

    fun wiped(result: StartResult) {
        if (result is StartResult.Wiped) wipeListener?.invoke(result.message)
    }

    /**
     * Applies what MDM delivered; called at start and by the restrictions receiver. A background
     * check-in asks `withCleanup`: the policy's cleanup runs before the report is made, so that
     * the report carries the counts after it.
     */
    @Synchronized
    fun applyManagedConfig(withCleanup: Boolean = false): StartResult? {
        val tv = televisit ?: return null
        val values = managed.read()
        val report: ManagedReport = try {
            tv.applyManagedConfig(values.strings)
        } catch (e: TelevisitException) {
            lastNotice = context.getString(R.string.session_config_not_applied, e.message ?: "")
            return null
        }
        lastNotice = ManagedConfig.describe(context, report, values.wrongType)
        readLockPolicy(tv)
        if (report.wipeStarted) {
            close()
            finishPendingWipe()
            return StartResult.Wiped(context.getString(R.string.session_it_wipe_done))
        }
        if (withCleanup) backgroundCleanup()
        publishReport()
        republishHeldReceipt()
        return null
    }

    /**
     * The cleanup step of a background check-in, before its report: the counts IT's fleet view
     * reads, and, when IT's policy makes cleanup automatic, this phone's own due contacts
     * removed (never a lookalike). Never throws; null when no store is open or the core failed
     * (the counts stay as last made, and the next check-in tries again).
     */
    @Synchronized
    fun backgroundCleanup(): BackgroundCleanup? {
        val tv = televisit ?: return null
        return try {
            tv.backgroundCleanup(book)
        } catch (e: TelevisitException) {
            null
        }
    }

    /** The signed device report IT pins this phone's key from; null before enrollment. */
    @Volatile
    var deviceReport: String? = null
        private set

    /** Makes the device report and hands it to the MDM (after enrollment, at every check-in). */
    fun publishReport() {
        val tv = televisit ?: return
        val report = try {
            tv.deviceReport(Platform.ANDROID, Build.VERSION.RELEASE ?: "unknown", appVersion())
        } catch (e: TelevisitException) {
            deviceReport = null
            return // not enrolled: no one to report to
        }
        deviceReport = report
        managed.publishReport(report)
    }

    /** What the last check-in through the relay said, for the settings screen. */
    @Volatile
    var relayNotice: String? = null
        private set

    /**
     * One check-in through IT's relay, when IT named one (the core decides which, and what the
     * request holds). The request is made and the answer applied under the session's lock; the
     * HTTP in between is not, so a screen is never held up by the network. A wipe the answer
     * starts is carried out now, as one from the MDM is. Null: no relay, no store, not enrolled.
     */
    fun checkInThroughRelay(http: RelayHttp): RelayOutcome? {
        val request = synchronized(this) {
            val tv = televisit ?: return null
            try {
                tv.relayRequest(Platform.ANDROID, Build.VERSION.RELEASE ?: "unknown", appVersion())
            } catch (e: TelevisitException) {
                null // not enrolled, or the store failed: the MDM path stays
            }
        } ?: return null
        val answer = http.send(request)
        synchronized(this) {
            val outcome = applyRelayAnswer(secrets, answer.status.toUShort(), answer.body)
            val host = try { relayHost(secrets) } catch (e: TelevisitException) { null } ?: ""
            relayNotice = when {
                answer.pinRefused -> context.getString(R.string.relay_pin_refused, host)
                outcome.refused != null && outcome.retry -> context.getString(R.string.relay_retry, host)
                outcome.refused != null -> context.getString(R.string.relay_refused, host, outcome.refused)
                outcome.bulletinRefused -> context.getString(R.string.relay_bulletin_refused, host)
                else -> context.getString(R.string.relay_checked_in, host)
            }
            if (outcome.wipeStarted) {
                close()
                try {
                    finishPendingWipe()
                    wiped(StartResult.Wiped(context.getString(R.string.session_it_wipe_done)))
                } catch (e: TelevisitException) {
                    // The marker stays: the next start or check-in finishes the wipe.
                }
            } else {
                republishHeldReceipt()
            }
            return outcome
        }
    }

    private fun appVersion(): String = try {
        context.packageManager.getPackageInfo(context.packageName, 0).versionName ?: "unknown"
    } catch (e: Exception) {
        "unknown"
    }

    /**
     * Finishes a wipe left pending, and hands its receipt (just written, or held since) to the
     * MDM. A send that returns proves nothing (an EMM without app reports drops it): the core
     * keeps the receipt until IT's bulletin confirms it, and every check-in sends it again.
     */
    fun finishPendingWipe() {
        val underWay = wipeUnderWay(secrets)
        val receipt = resumePendingWipe(database.path, secrets, book)
        pendingReceipt = receipt
        if (underWay == null || receipt == null) return
        // Just written: at once. One held since goes again with the check-in's report.
        managed.publishReceipt(receipt)
        // The account goes last, with whatever it still holds (a contact the provider would not
        // delete one by one). A wipe of the log only keeps the contacts, as IT chose.
        if (underWay.scope != WipeScope.LOG) {
            try {
                ContactAccounts.remove(context)
            } catch (e: SecurityException) {
                // Not the account's authenticator (a broken install): the core's step stands.
            }
        }
    }

    /**
     * Clearing the app's data (or an EMM's clear-data command) leaves Televisit's contacts in the
     * phone's book with no store that knows them: the new store sweeps them once, before its
     * first patient (the core decides when; see `sweepOrphanedContacts`).
     */
    private fun sweepOrphanedContacts(tv: Televisit) {
        try {
            tv.sweepOrphanedContacts(book)
        } catch (e: TelevisitException) {
            // Tried again at the next start.
        }
    }

    /**
     * After a configuration was applied: a bulletin may have confirmed the receipt (the core
     * forgot it: stop showing it); one still held is handed on again with the report.
     */
    private fun republishHeldReceipt() {
        val held = try {
            heldWipeReceipt(secrets)
        } catch (e: TelevisitException) {
            return // the secret store failed: the receipt is still there, for the next check-in
        }
        if (held != pendingReceipt) pendingReceipt = held
        held?.let { managed.publishReceipt(it, immediate = false) }
    }

    /**
     * The core started a wipe while the store was open (the failed-unlock limit): closes the
     * store and carries the wipe out now, as the core's contract asks, not at the next start,
     * then opens the fresh store a wiped app starts with.
     */
    @Synchronized
    fun carryOutStartedWipe(message: String): StartResult {
        close()
        return try {
            finishPendingWipe()
            // A fresh, empty store, as after any wipe, so the screens have one to work on.
            when (val reopened = start()) {
                is StartResult.Failed -> reopened
                else -> StartResult.Wiped(message)
            }
        } catch (e: TelevisitException) {
            // The marker stays: the next start (or the check-in job) finishes the wipe.
            StartResult.Failed(e.message ?: context.getString(R.string.session_wipe_unfinished))
        }
    }

    @Synchronized
    fun close() {
        televisit?.close()
        televisit = null
    }
}

sealed class StartResult {
    data class Ready(val televisit: Televisit) : StartResult()
    data class Wiped(val message: String) : StartResult()
    data class Failed(val message: String) : StartResult()
}
