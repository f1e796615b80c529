package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
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

/** A session over the real core, with an in-memory key (Robolectric has no AndroidKeyStore). */
fun testSession(): Session {
    // Core calls run inline, so each click's effect is visible when performClick returns.
    Work.executor = Executor { it.run() }
    val app = RuntimeEnvironment.getApplication()
    return Session(app, secrets = KeystoreSecretStore.forTests(File(app.filesDir, "test-secrets")))
}

fun Session.started(): Televisit = (start() as? StartResult.Ready)?.televisit ?: error("session did not start: ${start()}")

/** MainActivity with the test's session instead of the application's. */
class TestMainActivity : MainActivity() {
    override fun findSession(): Session? = session

    companion object {
        var session: Session? = null
    }
}

/** A bare activity showing one screen, as MainActivity would once unlocked. */
fun <S : Screen> showScreen(make: (Activity) -> S): Pair<Activity, S> {
    val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
    val screen = make(activity)
    activity.setContentView(screen.view)
    screen.refresh()
    idle()
    return activity to screen
}

fun idle() = shadowOf(android.os.Looper.getMainLooper()).idle()

fun View.all(): List<View> = if (this is ViewGroup) listOf(this) + (0 until childCount).flatMap { getChildAt(it).all() } else listOf(this)

fun View.texts(): List<String> = all().filterIsInstance<TextView>().filter { it !is EditText }.map { it.text.toString() }

fun View.button(text: String): Button =
    all().filterIsInstance<Button>().firstOrNull { it.text.toString() == text } ?: error("no button '$text' in ${texts()}")

fun View.fieldWithHint(hint: String): EditText =
    all().filterIsInstance<EditText>().first { it.hint.toString().startsWith(hint) }

fun View.click(text: String) {
    button(text).performClick()
    idle()
}

fun latestDialog(): AlertDialog = ShadowAlertDialog.getLatestAlertDialog() ?: error("no dialog shown")

fun AlertDialog.messageText(): String = shadowOf(this).message.toString()
