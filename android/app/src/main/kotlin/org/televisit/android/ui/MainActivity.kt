package org.televisit.android.ui

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.widget.Button
import android.widget.FrameLayout
import android.widget.HorizontalScrollView
import android.widget.LinearLayout
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.android.TelevisitApp

/**
 * The launcher activity: a tab bar over five screens, behind the app lock. It starts the session
 * on every resume (which also finishes a pending wipe) and shows the session's message when the
 * store is not ready.
 */
class MainActivity : Activity() {
    private lateinit var content: FrameLayout
    private lateinit var tabBar: LinearLayout
    private var screens: List<Screen> = emptyList()
    private var selected = 0
    private var session: Session? = null
    private var gate: AppLockGate? = null


    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        selected = savedInstanceState?.getInt(SELECTED) ?: 0
        content = FrameLayout(this)
        tabBar = row()
        setContentView(column(HorizontalScrollView(this).apply { addView(tabBar) }, content).apply { setPadding(0, 0, 0, 0) })
        val s = sessionOverride ?: (application as? TelevisitApp)?.session ?: return showMessage("Televisit could not start.")
        session = s
        screens = listOf(PatientsScreen(this, s), ChecklistScreen(this, s), CleanupScreen(this, s), LogScreen(this, s), SettingsScreen(this, s))
        screens.forEachIndexed { i, screen ->
            tabBar.addView(button(screen.title) { selected = i; gate?.check() })
        }
        gate = AppLockGate(this, s, unlocked = { showSelected() }, locked = { showLocked(it) })
    }

    override fun onResume() {
        super.onResume()
        startSession()
    }

    private fun startSession() {
        val s = session ?: return
        background({ s.start() }) { result ->
            when (result) {
                is StartResult.Ready -> gate?.check()
                is StartResult.Wiped -> showMessage(result.message)
                is StartResult.Failed -> showMessage(result.message)
            }
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putInt(SELECTED, selected)
    }

    @Deprecated("Deprecated in Java")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        if (requestCode == LogScreen.REQUEST_EXPORT) {
            val target = data?.data.takeIf { resultCode == RESULT_OK }
            screens.filterIsInstance<LogScreen>().firstOrNull()?.onExportTarget(target)
            return
        }
        if (gate?.onActivityResult(requestCode, resultCode) != true) super.onActivityResult(requestCode, resultCode, data)
    }

    private fun showSelected() {
        val screen = screens.getOrNull(selected) ?: return
        setTabsEnabled(true)
        content.removeAllViews()
        content.addView(screen.view)
        screen.refresh()
    }

    private fun showLocked(reason: String) {
        setTabsEnabled(false)
        content.removeAllViews()
        content.addView(column(label(reason, 18f), button("Unlock") { gate?.prompt() }))
    }

    /** The store is not open (a failure, or a wipe just done): the message and a way to retry. */
    private fun showMessage(text: String) {
        setTabsEnabled(false)
        content.removeAllViews()
        content.addView(column(label(text, 18f), button("Try again") { startSession() }))
    }

    private fun setTabsEnabled(enabled: Boolean) {
        for (i in 0 until tabBar.childCount) (tabBar.getChildAt(i) as Button).isEnabled = enabled
    }

    companion object {
        private const val SELECTED = "selected"

        /**
         * Null in the app, which uses the application's session. Robolectric tests set a session
         * with an in-memory test key, since there is no AndroidKeyStore there.
         */
        @Volatile
        var sessionOverride: Session? = null
    }
}
