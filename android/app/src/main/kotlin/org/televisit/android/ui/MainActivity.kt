package org.televisit.android.ui

import android.app.Activity
import android.content.Intent
import android.os.Build
import android.os.Bundle
import android.view.View
import android.view.WindowInsets
import android.view.WindowManager
import android.widget.Button
import android.widget.FrameLayout
import android.widget.LinearLayout
import org.televisit.android.R
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.android.TelevisitApp

/**
 * The launcher activity: a tab bar over five screens, behind the app lock. It starts the session
 * on every resume (which also finishes a pending wipe) and shows the session's message when the
 * store is not ready. Patient data never shows in screenshots or Recents (FLAG_SECURE), and the
 * screens are taken away whenever the app leaves the foreground, until the lock lets them back.
 */
class MainActivity : Activity() {
    private lateinit var content: FrameLayout
    private lateinit var tabBar: LinearLayout
    private var screens: List<Screen> = emptyList()
    private var selected = 0
    private var session: Session? = null
    /** The app lock; visible to tests, which answer its prompt as Android would. */
    var gate: AppLockGate? = null
        private set

    /** The contacts permission's requests, answered in onRequestPermissionsResult. */
    val contactsAccess by lazy { ContactsAccess(this) }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        selected = savedInstanceState?.getInt(SELECTED) ?: 0
        content = FrameLayout(this)
        tabBar = row()
        val root = column(scrollingTabs(tabBar), content)
        fitInsets(root)
        setContentView(root)
        val s = sessionOverride ?: (application as? TelevisitApp)?.session ?: return showMessage(getString(R.string.could_not_start))
        session = s
        screens = listOf(PatientsScreen(this, s), ChecklistScreen(this, s), CleanupScreen(this, s), LogScreen(this, s), SettingsScreen(this, s))
        screens.forEachIndexed { i, screen ->
            tabBar.addView(button(screen.title) { select(i) })
        }
        savedInstanceState?.let { state -> screens.forEach { it.restore(state) } }
        markSelectedTab()
        val cleanupSummary = CleanupSummary(this, s)
        gate = AppLockGate(this, s, unlocked = { showSelected(); cleanupSummary.offer() }, locked = { showLocked(it) })
    }

    /**
     * Edge to edge (forced from target SDK 35): the system bars, a display cutout and the
     * keyboard take space from the content as padding, so that no button sits under them.
     */
    private fun fitInsets(root: View) {
        val base = root.paddingLeft to root.paddingTop
        root.setOnApplyWindowInsetsListener { view, insets ->
            val (left, top, right, bottom) = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                val bars = insets.getInsets(WindowInsets.Type.systemBars() or WindowInsets.Type.displayCutout() or WindowInsets.Type.ime())
                listOf(bars.left, bars.top, bars.right, bars.bottom)
            } else {
                @Suppress("DEPRECATION")
                listOf(insets.systemWindowInsetLeft, insets.systemWindowInsetTop, insets.systemWindowInsetRight, insets.systemWindowInsetBottom)
            }
            view.setPadding(base.first + left, base.second + top, base.first + right, base.second + bottom)
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) WindowInsets.CONSUMED else @Suppress("DEPRECATION") insets.consumeSystemWindowInsets()
        }
    }

    /**
     * A wipe IT sends while the app is on screen (the restrictions receiver, the check-in job)
     * closes the store under the screens: they make way for what happened at once.
     */
    override fun onStart() {
        super.onStart()
        session?.wipeListener = { message -> runOnUiThread { if (!isFinishing && !isDestroyed) showMessage(message) } }
    }

    override fun onResume() {
        super.onResume()
        startSession()
    }

    /** Nothing of the screens stays in view behind another app or the lock screen. */
    override fun onStop() {
        super.onStop()
        session?.wipeListener = null
        gate?.leftForeground()
        if (session != null) hideContent(getString(R.string.hidden_while_away))
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
        screens.forEach { it.save(outState) }
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

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        if (!contactsAccess.onResult(requestCode, grantResults)) super.onRequestPermissionsResult(requestCode, permissions, grantResults)
    }

    /** Shows the screen of that kind (a pre-flight's "Open the checklist"). */
    fun showTab(kind: Class<out Screen>) {
        val index = screens.indexOfFirst { kind.isInstance(it) }
        if (index >= 0) select(index)
    }

    private fun select(index: Int) {
        selected = index
        markSelectedTab()
        gate?.check()
    }

    /** The selected tab is marked for TalkBack as well as drawn as selected. */
    private fun markSelectedTab() {
        for (i in 0 until tabBar.childCount) {
            val tab = tabBar.getChildAt(i) as Button
            tab.isSelected = i == selected
            tab.contentDescription = if (i == selected) getString(R.string.tab_selected, tab.text) else tab.text
        }
    }

    private fun showSelected() {
        val screen = screens.getOrNull(selected) ?: return
        setTabsEnabled(true)
        content.removeAllViews()
        content.addView(screen.view)
        screen.refresh()
    }

    private fun showLocked(reason: String) = hideContent(reason, getString(R.string.lock_unlock)) { gate?.prompt() }

    /** The store is not open (a failure, or a wipe just done): the message and a way to retry. */
    private fun showMessage(text: String) = hideContent(text, getString(R.string.try_again)) { startSession() }

    private fun hideContent(text: String, action: String? = null, onAction: () -> Unit = {}) {
        setTabsEnabled(false)
        content.removeAllViews()
        val column = column(label(text, 18f))
        if (action != null) column.addView(button(action, onAction))
        content.addView(column)
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
