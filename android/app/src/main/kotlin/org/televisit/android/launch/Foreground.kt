package org.televisit.android.launch

import android.app.Activity
import android.app.Application
import android.os.Bundle

/**
 * Whether one of Televisit's activities is visible. Android 10+ blocks an activity start from an
 * app with no visible window (the background-activity-start rules) without an exception: the
 * call returns and nothing opens. So the launch asks this first, and a call whose preparation
 * ended after the clinician left the app is offered as "tap to open" instead of being logged
 * as opened. Registered once, in `TelevisitApp.onCreate`.
 */
object Foreground : Application.ActivityLifecycleCallbacks {
    @Volatile
    private var started = 0

    val visible: Boolean get() = started > 0

    /** How many of the app's activities are started (visible), for tests. */
    val startedActivities: Int get() = started

    override fun onActivityStarted(activity: Activity) {
        started++
    }

    override fun onActivityStopped(activity: Activity) {
        if (started > 0) started--
    }

    override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) {}

    override fun onActivityResumed(activity: Activity) {}

    override fun onActivityPaused(activity: Activity) {}

    override fun onActivitySaveInstanceState(activity: Activity, outState: Bundle) {}

    override fun onActivityDestroyed(activity: Activity) {}
}
