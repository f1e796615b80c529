package org.televisit.android.relay

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import org.televisit.android.Session
import org.televisit.android.TelevisitApp
import org.televisit.android.background.CheckIn
import org.televisit.core.RelayOutcome
import java.util.concurrent.TimeUnit

/**
 * The check-in through IT's fleet relay, besides the MDM: a lost phone with a data connection
 * takes its wipe within one period, and its receipt, report and log reach IT without the MDM's
 * app feedback (which Intune does not have). The core builds the signed request and applies the
 * answer through the same check-in as the managed configuration, so whichever brings newer signed
 * data wins and nothing is applied twice; this file only schedules it and carries the bytes.
 *
 * Two jobs, both needing a network (and only then run): a periodic one at the platform's
 * shortest period, persisted across reboots, and a one-off one "soon" after a boot, an update or
 * a configuration change. A run the relay asked to repeat (it or its database was not there, or
 * nothing answered) is finished with `reschedule`, so JobScheduler's exponential backoff times
 * the retry. The MDM path (`CheckIn`) needs no network and stays as it is: the fallback.
 */
object RelayCheckIn {
    const val JOB_ID = 4712
    const val SOON_JOB_ID = 4713
    val PERIOD_MILLIS: Long = TimeUnit.MINUTES.toMillis(15)
    val BACKOFF_MILLIS: Long = TimeUnit.SECONDS.toMillis(30)

    /** Schedules the periodic job unless it is already scheduled. */
    fun schedule(context: Context) {
        val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
        if (scheduler.allPendingJobs.any { it.id == JOB_ID }) return
        scheduler.schedule(job(context, JOB_ID).setPeriodic(PERIOD_MILLIS).build())
    }

    /** A check-in as soon as there is a network (replacing one already waiting). */
    fun soon(context: Context) {
        val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
        scheduler.schedule(job(context, SOON_JOB_ID).build())
    }

    private fun job(context: Context, id: Int): JobInfo.Builder =
        JobInfo.Builder(id, ComponentName(context, RelayCheckInJob::class.java))
            .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
            .setBackoffCriteria(BACKOFF_MILLIS, JobInfo.BACKOFF_POLICY_EXPONENTIAL)
            .setPersisted(true)

    /**
     * One check-in through the relay, on a background thread; never throws. The store is opened
     * first when no screen holds it (`Session.start`, which applies the managed configuration:
     * the MDM path runs too). Null when IT named no relay or the store would not open.
     */
    fun run(session: Session, http: RelayHttp = RelayHttp()): RelayOutcome? = try {
        // The policy's cleanup before the request is made, so that its report carries the counts
        // after it (a start runs it before the MDM's report too).
        if (session.televisit == null) session.start(withCleanup = true) else session.backgroundCleanup()
        session.checkInThroughRelay(http)
    } catch (e: Exception) {
        null
    } finally {
        session.managed.awaitHandOff(CheckIn.HAND_OFF_WAIT_MILLIS)
    }
}

/** Both relay jobs: one check-in off the main thread; a retry the relay asked for is rescheduled. */
class RelayCheckInJob : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        val session = (applicationContext as? TelevisitApp)?.session ?: return false
        Thread {
            val outcome = RelayCheckIn.run(session)
            jobFinished(params, outcome?.retry == true)
        }.start()
        return true
    }

    /** The network went or the system needs the time: run again later. */
    override fun onStopJob(params: JobParameters): Boolean = true
}
