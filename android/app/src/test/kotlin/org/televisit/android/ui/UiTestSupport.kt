package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
import android.app.KeyguardManager
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.core.Televisit
import java.io.File
import java.util.concurrent.Executor

// The tests see the screens as a user does: texts, buttons by label, fields by hint.

/** A session over the real core, with an in-memory key (Robolectric has no AndroidKeyStore). */
fun testSession(clock: org.televisit.core.Clock? = null): Session {
    // Core calls run inline, so each click's effect is visible when performClick returns.
    Work.executor = Executor { it.run() }
    // Robolectric's Android 8 image is a test-keys build, which Settings mentions: these tests
    // are of a release phone.
    org.robolectric.util.ReflectionHelpers.setStaticField(android.os.Build::class.java, "TAGS", "release-keys")
    val app = RuntimeEnvironment.getApplication()
    return Session(app, secrets = KeystoreSecretStore.forTests(File(app.filesDir, "test-secrets")), clock = clock)
}

fun Session.started(): Televisit = (start() as? StartResult.Ready)?.televisit ?: error("session did not start: ${start()}")

fun setDeviceSecure(secure: Boolean) {
    val keyguard = RuntimeEnvironment.getApplication().getSystemService(KeyguardManager::class.java)
    shadowOf(keyguard).setIsDeviceSecure(secure)
}

/** Puts WhatsApp on Robolectric's phone, as the device facts read it from the package manager. */
fun installWhatsApp() {
    val app = RuntimeEnvironment.getApplication()
    val info = android.content.pm.PackageInfo().apply {
        packageName = "com.whatsapp"
        versionName = "2.26.1"
        applicationInfo = android.content.pm.ApplicationInfo().apply { packageName = "com.whatsapp" }
    }
    shadowOf(app.packageManager).installPackage(info)
}

fun idle() = shadowOf(Looper.getMainLooper()).idle()

/** Launches MainActivity on `session` and returns its window's views. */
fun launchMain(session: Session): Ui {
    MainActivity.sessionOverride = session
    val activity = Robolectric.buildActivity(MainActivity::class.java).setup().get()
    idle()
    return Ui(activity.window.decorView, activity)
}

/** A bare activity showing one screen, as MainActivity shows it once unlocked. */
fun showScreen(kind: Class<out Screen>, session: Session): Ui {
    val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
    val screen = kind.getConstructor(Activity::class.java, Session::class.java).newInstance(activity, session)
    activity.setContentView(screen.view)
    screen.refresh()
    idle()
    return Ui(screen.view, activity)
}

/** The view and every view under it, parents before their children. */
fun View.withDescendants(): List<View> {
    val group = this as? ViewGroup ?: return listOf(this)
    return listOf(this) + (0 until group.childCount).flatMap { group.getChildAt(it).withDescendants() }
}

/** The views under `root` (an android.view.View), found by what the user sees. */
class Ui(private val root: Any, val activity: Any) {
    fun views(): List<Any> = (root as View).withDescendants()

    /** Texts shown (labels and buttons, not input fields). */
    fun texts(): List<String> = views().filter { it is TextView && it !is EditText }.map { (it as TextView).text.toString() }

    private fun buttonNamed(text: String): Any =
        views().firstOrNull { it is Button && it.text.toString() == text && (it as View).isShown } ?: error("no button '$text' in ${texts()}")

    fun hasButton(text: String): Boolean = views().any { it is Button && it.text.toString() == text && (it as View).isShown }

    fun buttonEnabled(text: String): Boolean = (buttonNamed(text) as Button).isEnabled

    fun click(text: String) {
        (buttonNamed(text) as Button).performClick()
        idle()
    }

    /** The `n`th shown button with this text (a list has one per patient). */
    fun clickNth(text: String, n: Int) {
        val buttons = views().filter { it is Button && it.text.toString() == text && (it as View).isShown }
        (buttons.getOrNull(n) as? Button ?: error("no button '$text' number $n in ${texts()}")).performClick()
        idle()
    }

    private fun field(hint: String): Any = views().first { it is EditText && it.hint.toString().startsWith(hint) }

    fun type(hint: String, text: String) = (field(hint) as EditText).setText(text)

    fun fieldText(hint: String): String = (field(hint) as EditText).text.toString()

    /** The field's EditText, for what the keyboard is told about it. */
    fun editText(hint: String): EditText = field(hint) as EditText
}

private fun dialog(): Any = ShadowAlertDialog.getLatestAlertDialog() ?: error("no dialog shown")

/** The latest dialog, identified for "is this a new one" checks. */
fun latestDialogId(): Int = System.identityHashCode(ShadowAlertDialog.getLatestAlertDialog())

fun latestDialogMessage(): String = shadowOf(dialog() as AlertDialog).message.toString()

fun clickDialogItem(index: Int) {
    shadowOf(dialog() as AlertDialog).clickOnItem(index)
    idle()
}

fun clickDialogPositive() {
    (dialog() as AlertDialog).getButton(AlertDialog.BUTTON_POSITIVE).performClick()
    idle()
}

fun clickDialogNeutral() {
    (dialog() as AlertDialog).getButton(AlertDialog.BUTTON_NEUTRAL).performClick()
    idle()
}
