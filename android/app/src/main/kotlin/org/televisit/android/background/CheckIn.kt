package org.televisit.android.background

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.BroadcastReceiver
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import org.televisit.android.Session
import org.televisit.android.TelevisitApp
import java.util.concurrent.TimeUnit

/**
 * A wipe must not wait for anyone to open the app. Android delivers the restrictions-changed
 * broadcast only to receivers registered while the app runs, so the managed configuration (a
 * bulletin with this phone's wipe, a wipe command) is also applied, with no screen shown:
 * - by a periodic `JobScheduler` job, at the platform's shortest period (15 minutes), persisted
 *   across reboots;
 * - at boot and after an app update (`BOOT_COMPLETED`, `MY_PACKAGE_REPLACED`), which also
 *   schedule the job again.
 * Each runs `Session.start()`: a pending wipe is finished first, then the store is opened, the
 * local triggers read and the configuration applied (which may wipe), and the device report
 * published, after the policy's cleanup (`Session.backgroundCleanup`: counts for IT, and the
 * phone's own due contacts removed when the policy makes cleanup automatic); the job and the receivers finish only once the keyed app states were handed to
 * the MDM's receiver (or after `HAND_OFF_WAIT_MILLIS`).
 */
object CheckIn {
    const val JOB_ID = 4711
    val PERIOD_MILLIS: Long = TimeUnit.MINUTES.toMillis(15)

    /** Schedules the periodic job unless it is already scheduled. */
    fun schedule(context: Context) {
        val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
        if (scheduler.allPendingJobs.any { it.id == JOB_ID }) return
        val job = JobInfo.Builder(JOB_ID, ComponentName(context, CheckInJob::class.java))
            .setPeriodic(PERIOD_MILLIS)
            .setPersisted(true)
            .build()
        scheduler.schedule(job)
    }

    /**
     * One check-in; never throws (a background run has no screen to show an error on, and an
     * exception on the job's thread would end the process). A store the app already holds open
     * is kept, and the configuration applied to it again; a store that will not open still takes
     * IT's wipe (`Session.start`). A wipe is told to the screen, if one is showing.
     */
    fun run(session: Session): String? = try {
        val result = if (session.televisit == null) session.start(withCleanup = true) else session.applyManagedConfig(withCleanup = true)
        result?.let(session::wiped)
        session.lastNotice
    } catch (e: Exception) {
        e.message
    } finally {
        // The report and any receipt went to the MDM's receivers asynchronously (bind, then
        // hand-off): the job or receiver must not finish, letting the process go, before the
        // hand-off. Bounded; on the main thread (tests) it does not wait.
        session.managed.awaitHandOff(HAND_OFF_WAIT_MILLIS)
    }

    /** How long a background check-in waits for its keyed app states to be handed off. */
    val HAND_OFF_WAIT_MILLIS: Long = TimeUnit.SECONDS.toMillis(10)
}

/** The periodic job: one check-in off the main thread. */
class CheckInJob : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        val session = (applicationContext as? TelevisitApp)?.session ?: return false
        Thread {
            CheckIn.run(session)
            jobFinished(params, false)
        }.start()
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean = true
}

/** Boot and app update: schedule the job again and check in once now. */
class CheckInReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Intent.ACTION_BOOT_COMPLETED && intent.action != Intent.ACTION_MY_PACKAGE_REPLACED) return
        CheckIn.schedule(context)
        org.televisit.android.relay.RelayCheckIn.schedule(context)
        org.televisit.android.relay.RelayCheckIn.soon(context)
        val session = (context.applicationContext as? TelevisitApp)?.session ?: return
        val pending = goAsync()
        Thread {
            try {
                CheckIn.run(session)
            } finally {
                pending.finish()
            }
        }.start()
    }
}
