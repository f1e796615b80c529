package org.televisit.android.ui

import android.graphics.Bitmap
import android.graphics.Canvas
import android.view.View
import org.junit.After
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.televisit.core.NewPatient
import java.io.File
import java.io.FileOutputStream

/**
 * The screens as a clinician sees them, drawn by Android's own graphics (Robolectric's native
 * mode, on for every test: `-Drobolectric.graphicsMode=NATIVE`) into PNG files under target/android-screens/. A first step of issue 35: one screen, one
 * configuration; the checks and goldens come next.
 */
@RunWith(RobolectricTestRunner::class)
@Config(qualifiers = "w360dp-h640dp-xhdpi")
class ScreenshotsTest {
    private val session = testSession()
    private val tv = session.started().also { it.unlockSucceeded() }

    @After
    fun closeSession() = session.close()

    private fun draw(view: View, name: String): File {
        val dir = File(System.getProperty("televisit.screens") ?: "target/android-screens")
        dir.mkdirs()
        val width = view.resources.displayMetrics.widthPixels
        val height = view.resources.displayMetrics.heightPixels
        view.measure(View.MeasureSpec.makeMeasureSpec(width, View.MeasureSpec.EXACTLY), View.MeasureSpec.makeMeasureSpec(height, View.MeasureSpec.EXACTLY))
        view.layout(0, 0, width, height)
        val bitmap = Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888)
        bitmap.eraseColor(android.graphics.Color.WHITE)
        view.draw(Canvas(bitmap))
        val file = File(dir, "$name-api${android.os.Build.VERSION.SDK_INT}.png")
        FileOutputStream(file).use { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }
        return file
    }

    @Test
    fun `the day's patient list is drawn by Android's own graphics`() {
        tv.patientAdd(NewPatient("Susan", "Smith", "+44 7400 123456", null))
        tv.patientAdd(NewPatient("Susan", "Smith", "+44 7400 654321", null))
        tv.patientAdd(NewPatient("Tom", "Jones", "+44 7400 222333", null))
        val ui = showScreen(PatientsScreen::class.java, session)
        val file = draw((ui.activity as android.app.Activity).window.decorView.rootView, "patients")
        assertTrue(file.length() > 1000)
        // Something was drawn: the picture holds more than one colour.
        val back = android.graphics.BitmapFactory.decodeFile(file.path)
        val colours = (0 until back.height step 8).flatMap { y -> (0 until back.width step 8).map { x -> back.getPixel(x, y) } }.toSet()
        assertTrue("the screen is drawn, not blank: ${colours.size} colours", colours.size > 2)
    }
}
