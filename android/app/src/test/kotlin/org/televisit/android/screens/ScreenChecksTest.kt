package org.televisit.android.screens

import android.app.Activity
import android.graphics.Bitmap
import android.graphics.Color
import android.graphics.Rect
import android.text.TextUtils
import android.view.View
import android.widget.Button
import android.widget.FrameLayout
import android.widget.HorizontalScrollView
import android.widget.ImageView
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.televisit.android.ui.button
import org.televisit.android.ui.column
import org.televisit.android.ui.dp
import org.televisit.android.ui.field
import org.televisit.android.ui.idle
import org.televisit.android.ui.label
import org.televisit.android.ui.row
import org.televisit.android.ui.wrapping
import java.io.File
import java.nio.file.Files

/**
 * The screenshot checks fail when they should: a button shrunk under 48 dp, a label cut off at
 * 200% font, text too light, buttons on top of each other, an image with no description, a row
 * of buttons running off the screen; and they pass the same views done right.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class ScreenChecksTest {
    private fun problems(config: Configuration = Configuration.BASE, build: (Activity) -> View): List<String> {
        config.apply()
        // No action bar: the views under test are the whole window.
        val controller = Robolectric.buildActivity(Activity::class.java)
        controller.get().setTheme(if (config.dark) android.R.style.Theme_Material_NoActionBar else android.R.style.Theme_Material_Light_NoActionBar)
        controller.setup()
        controller.get().setContentView(build(controller.get()))
        idle()
        val shot = Shot(controller, null)
        try {
            return ScreenChecks(shot, shot.render()).problems(config.rightToLeft)
        } finally {
            shot.close()
            Configuration.reset()
        }
    }

    @Test
    fun `views done right pass`() {
        val found = problems { a -> a.column(a.label("Patient Susan Smith · …3456", 18f), a.wrapping(a.button("Call") {}, a.button("Consent") {})) }
        assertEquals(emptyList<String>(), found)
    }

    @Test
    fun `a button shrunk under 48 dp is named, with its size`() {
        val found = problems { a -> a.column(a.button("Call") {}.apply { minHeight = 0; minimumHeight = 0; layoutParams = android.widget.LinearLayout.LayoutParams(a.dp(120), a.dp(40)) }) }
        assertTrue(found.toString(), found.any { it.startsWith("Button \"Call\"") && it.contains("touch target 120×40 dp, under 48×48 dp") })
    }

    @Test
    fun `a label that fits at 100% but is cut off at 200% font is named in that configuration only`() {
        val label = { a: Activity -> a.column(a.label("Patient Susan Smith · …3456", 18f).apply { maxLines = 1; ellipsize = TextUtils.TruncateAt.END }) }
        assertEquals(emptyList<String>(), problems(Configuration.BASE, label))
        val large = Configuration.ALL.first { it.fontScale == 2f && it.widthDp == 360 && !it.dark }
        val found = problems(large, label)
        assertTrue(found.toString(), found.any { it.startsWith("TextView \"Patient Susan Smith") && it.endsWith("ellipsized") })
        // Cut off without an ellipsis: a fixed height too small for the larger text.
        val fixed = problems(large) { a -> a.column(a.label("Blocked: consent declined", 16f).apply { layoutParams = android.widget.LinearLayout.LayoutParams(a.dp(300), a.dp(20)) }) }
        assertTrue(fixed.toString(), fixed.any { it.contains("cut off at the bottom") })
    }

    @Test
    fun `text too light for its background is found from the drawn pixels`() {
        val found = problems { a -> a.column(a.label("consent given", 14f).apply { setTextColor(Color.rgb(0xBB, 0xBB, 0xBB)) }) }
        assertTrue(found.toString(), found.any { it.startsWith("TextView \"consent given\"") && it.contains("under 4.5:1") })
        // The same text in the theme's colour reads.
        assertEquals(emptyList<String>(), problems { a -> a.column(a.label("consent given", 14f)) })
    }

    @Test
    fun `buttons on top of each other and an image with no description are named`() {
        val found = problems { a ->
            FrameLayout(a).apply {
                addView(a.button("Call") {})
                addView(a.button("Archive") {})
                addView(ImageView(a).apply { setImageBitmap(Bitmap.createBitmap(96, 96, Bitmap.Config.ARGB_8888)) }, FrameLayout.LayoutParams(a.dp(48), a.dp(48), android.view.Gravity.BOTTOM))
            }
        }
        assertTrue(found.toString(), found.any { it.startsWith("Button \"Call\"") && it.contains("and Button \"Archive\"") && it.contains("overlap") })
        assertTrue(found.toString(), found.any { it.startsWith("ImageView") && it.endsWith("an image with no content description") })
    }

    @Test
    fun `a row of buttons that scrolls sideways with its last one hidden is caught, the wrapping row is not`() {
        val buttons = { a: Activity -> arrayOf(a.button("Call") {}, a.button("Withdraw consent") {}, a.button("Visit done") {}, a.button("Archive") {}) }
        val scrolling = problems { a -> a.column(HorizontalScrollView(a).apply { addView(a.row(*buttons(a))) }) }
        assertTrue(scrolling.toString(), scrolling.any { it.startsWith("Button \"Archive\"") && it.endsWith("partly hidden by HorizontalScrollView") })
        assertEquals(emptyList<String>(), problems { a -> a.column(a.wrapping(*buttons(a))) })
    }

    @Test
    fun `in a right-to-left language a column's text that stays at the left is named`() {
        val arabic = Configuration.ALL.single { it.rightToLeft }
        val found = problems(arabic) { a -> a.column(a.label("المرضى").apply { layoutDirection = View.LAYOUT_DIRECTION_LTR }) }
        assertTrue(found.toString(), found.any { it.contains("laid out left to right") })
        assertEquals(emptyList<String>(), problems(arabic) { a -> a.column(a.label("المرضى"), a.wrapping(a.button("اتصال") {}, a.button("أرشفة") {})) })
        // A Latin name in a full-width view of an Arabic screen: aligned by its own direction
        // (left), it is named; aligned to the screen's start, it is not.
        val byText = problems(arabic) { a -> a.column(android.widget.TextView(a).apply { text = "Patient Maria Lopez" }) }
        assertTrue(byText.toString(), byText.any { it.endsWith("text against the left in a right-to-left language") })
        assertEquals(emptyList<String>(), problems(arabic) { a -> a.column(a.label("Patient Maria Lopez")) })
    }

    @Test
    fun `a field's hint cut off is named, a wrapping field's is not`() {
        val large = Configuration.ALL.first { it.fontScale == 2f && it.widthDp == 360 && !it.dark }
        val oneLine = problems(large) { a -> a.column(android.widget.EditText(a).apply { hint = "Visit time today, HH:MM (optional)"; isSingleLine = true }) }
        assertTrue(oneLine.toString(), oneLine.any { it.startsWith("EditText field \"Visit time today") && it.contains("its hint cut off") })
        assertEquals(emptyList<String>(), problems(large) { a -> a.column(a.field("Visit time today, HH:MM (optional)")) })
    }

    @Test
    fun `a golden matches itself, and a moved button fails with a diff image`() {
        val dir = Files.createTempDirectory("goldens").toFile()
        val goldens = Goldens(File(dir, "goldens"), File(dir, "out"))
        val picture = { shift: Int ->
            Bitmap.createBitmap(360, 640, Bitmap.Config.ARGB_8888).apply {
                eraseColor(Color.WHITE)
                android.graphics.Canvas(this).drawRect(Rect(40 + shift, 100, 200 + shift, 196), android.graphics.Paint().apply { color = Color.DKGRAY })
            }
        }
        val first = goldens.candidate(picture(0), emptyList())
        assertTrue(goldens.compare("scene", first)!!.contains("no golden for scene yet"))
        File(dir, "out/candidates/scene.png").copyTo(File(dir, "goldens/scene.png"))
        assertNull(goldens.compare("scene", goldens.candidate(picture(0), emptyList())))
        val moved = goldens.compare("scene", goldens.candidate(picture(24), emptyList()))
        assertNotNull(moved)
        assertTrue(moved!!, moved.contains("differs from its golden") && File(dir, "out/diff/scene.png").exists())
        // What changes from run to run (an id, a QR code), painted over in both, is no difference.
        val volatile = listOf(Rect(0, 80, 360, 220))
        goldens.compare("masked", goldens.candidate(picture(0), volatile))
        File(dir, "out/candidates/masked.png").copyTo(File(dir, "goldens/masked.png"))
        assertNull(goldens.compare("masked", goldens.candidate(picture(24), volatile)))
    }
}
