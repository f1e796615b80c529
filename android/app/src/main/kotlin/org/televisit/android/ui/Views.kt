package org.televisit.android.ui

import android.app.Activity
import android.app.AlertDialog
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.graphics.Bitmap
import android.graphics.Color
import android.os.Bundle
import android.view.View
import android.view.WindowManager
import android.widget.Button
import android.widget.EditText
import android.widget.HorizontalScrollView
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import org.televisit.android.R
import org.televisit.core.QrCode
import java.util.concurrent.Executor
import java.util.concurrent.Executors

/** A screen of the tab bar: builds its view and reloads what the core says when shown. */
interface Screen {
    val title: String
    val view: View
    fun refresh()

    /** What the user typed, kept across a rotation or the process being stopped. */
    fun save(state: Bundle) {}

    fun restore(state: Bundle) {}
}

/**
 * Where core calls run: one background thread, so the store is never touched on the main thread
 * and calls stay in order. Tests swap in a direct executor to run everything synchronously.
 */
object Work {
    @Volatile
    var executor: Executor = Executors.newSingleThreadExecutor { r -> Thread(r, "televisit-core").apply { isDaemon = true } }
}

/**
 * Runs `work` off the main thread, then `then` with its result on the main thread; an exception
 * goes to `failed` (by default an error dialog showing the core's message, which holds no PHI).
 */
fun <T> Activity.background(work: () -> T, failed: (Exception) -> Unit = { showError(this, it) }, then: (T) -> Unit) {
    Work.executor.execute {
        val result = try {
            Result.success(work())
        } catch (e: Exception) {
            Result.failure(e)
        }
        runOnUiThread {
            if (isFinishing || isDestroyed) return@runOnUiThread
            result.fold(then) { failed(it as Exception) }
        }
    }
}

/** The core's errors carry plain, PHI-free messages; the shell shows them as they are. */
fun showError(context: Context, e: Throwable) {
    message(context, context.getString(R.string.app_name), e.message ?: e.javaClass.simpleName)
}

fun message(context: Context, title: String, text: String) {
    secure(AlertDialog.Builder(context).setTitle(title).setMessage(text).setPositiveButton(R.string.ok, null).create()).show()
}

/**
 * A dialog is a window of its own: without the flag, what it shows (a patient's name) would be in
 * screenshots and the Recents thumbnail even though the activity's window has it.
 */
fun secure(dialog: AlertDialog): AlertDialog {
    dialog.window?.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
    // The message starts at the screen's start edge even when it is the core's English in an
    // Arabic screen, as the labels do (Views.label).
    dialog.setOnShowListener { dialog.findViewById<TextView>(android.R.id.message)?.textAlignment = View.TEXT_ALIGNMENT_VIEW_START }
    return dialog
}

/** Density-independent pixels, as layouts are sized. */
fun Context.dp(value: Int): Int = (value * resources.displayMetrics.density).toInt()

fun Context.column(vararg children: View): LinearLayout = LinearLayout(this).apply {
    orientation = LinearLayout.VERTICAL
    val pad = dp(16)
    setPadding(pad, pad, pad, pad)
    children.forEach { addView(it) }
}

/** Views one under another inside a screen's column: no padding of its own, so they line up with the rest. */
fun Context.stack(): LinearLayout = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }

fun Context.row(vararg children: View): LinearLayout = LinearLayout(this).apply {
    orientation = LinearLayout.HORIZONTAL
    children.forEach { addView(it) }
}

/**
 * Buttons side by side, going on to a new line when the screen is narrow or the font large: every
 * button stays in view (a row that scrolled sideways hid its last button with no sign of it).
 */
fun Context.wrapping(vararg children: View): View = FlowRow(this).apply { children.forEach { addView(it) } }

/**
 * The tab bar: tabs side by side, scrolling sideways when they do not fit, as Material's
 * scrollable tabs do. Tagged, so that the screenshot checks know a tab past the edge is meant.
 */
fun Context.scrollingTabs(tabs: LinearLayout): HorizontalScrollView = HorizontalScrollView(this).apply {
    tag = SCROLLING_TABS
    addView(tabs)
}

const val SCROLLING_TABS = "televisit.scrolling-tabs"

/** A section's title, announced as a heading by TalkBack. */
fun Context.heading(text: String): TextView = label(text, 14f).apply {
    setTypeface(typeface, android.graphics.Typeface.BOLD)
    setPadding(0, dp(12), 0, dp(4))
    if (android.os.Build.VERSION.SDK_INT >= android.os.Build.VERSION_CODES.P) isAccessibilityHeading = true
}

fun Context.scrolling(content: View): ScrollView = ScrollView(this).apply { addView(content) }

fun Context.label(text: String = "", size: Float = 16f): TextView = TextView(this).apply {
    this.text = text
    textSize = size
    // Aligned to the screen's start, whatever the text's own direction: a patient's Latin name
    // in an Arabic screen lines up with the Arabic text around it, at the right.
    textAlignment = View.TEXT_ALIGNMENT_VIEW_START
}

fun Context.button(text: String, onClick: () -> Unit): Button = Button(this).apply {
    this.text = text
    isAllCaps = false
    setOnClickListener { onClick() }
}

/**
 * A text field. `patientData` (a name, a number): the keyboard neither suggests from it nor
 * learns it (`IME_FLAG_NO_PERSONALIZED_LEARNING`, which keyboards honour as incognito typing), so
 * a patient's name does not come back as a suggestion in another app.
 */
fun Context.field(hint: String, inputType: Int = android.text.InputType.TYPE_CLASS_TEXT, patientData: Boolean = false): EditText = EditText(this).apply {
    this.hint = hint
    val isText = inputType and android.text.InputType.TYPE_MASK_CLASS == android.text.InputType.TYPE_CLASS_TEXT
    this.inputType = if (patientData && isText) inputType or android.text.InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS else inputType
    if (patientData) imeOptions = imeOptions or android.view.inputmethod.EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
    // A touch target of at least 48 dp, whatever the font.
    minHeight = dp(48)
    // The hint says what to type: at 200% font it wraps rather than running off the field's
    // edge. (The input type keeps the keyboard's single-line behaviour: Enter does not add a line.)
    setHorizontallyScrolling(false)
    maxLines = FIELD_LINES
}

private const val FIELD_LINES = 4

/** Light modules on each side of a QR code, as the standard asks, so that cameras find it. */
const val QR_QUIET_ZONE = 4

/**
 * Paints the core's QR code (`qrCode(text)`): `scale` pixels a module, black on white, with its
 * quiet zone. The encoder is the core's; this only paints.
 */
fun qrBitmap(code: QrCode, scale: Int): Bitmap {
    val modules = code.width.toInt() + 2 * QR_QUIET_ZONE
    val side = modules * scale
    val pixels = IntArray(side * side) { i ->
        val x = (i % side) / scale - QR_QUIET_ZONE
        val y = (i / side) / scale - QR_QUIET_ZONE
        val inside = x >= 0 && y >= 0 && x < code.width.toInt() && y < code.width.toInt()
        if (inside && code.dark[y * code.width.toInt() + x]) Color.BLACK else Color.WHITE
    }
    return Bitmap.createBitmap(pixels, side, side, Bitmap.Config.ARGB_8888)
}

/** A QR code's image; `description` says what it holds, for TalkBack. */
fun Context.qrImage(description: String): ImageView = ImageView(this).apply {
    contentDescription = description
    adjustViewBounds = true
    scaleType = ImageView.ScaleType.FIT_CENTER
    visibility = View.GONE
}

/** Copies text IT asked for (a report or receipt: ids and signatures, never patient data). */
fun Context.copyToClipboard(label: String, text: String) {
    getSystemService(ClipboardManager::class.java)?.setPrimaryClip(ClipData.newPlainText(label, text))
}
