package org.televisit.android.screens

import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.Rect
import java.io.File
import java.io.FileOutputStream

/**
 * The reviewed pictures of every screen in the base configuration, kept in the repository at
 * half size (a dp a pixel) under android/app/src/test/goldens/. Each run draws a candidate; one
 * that differs from its golden by more than anti-aliasing does fails with a diff image (the
 * golden greyed, the changed pixels red). `cargo xtask screens accept` takes the candidates as
 * the new goldens, once someone has looked at them.
 */
class Goldens(private val goldens: File, private val out: File) {
    /** What is compared: parts that change from run to run (ids, keys, times) painted over. */
    fun candidate(picture: Bitmap, volatile: List<Rect>): Bitmap {
        val copy = picture.copy(Bitmap.Config.ARGB_8888, true)
        val paint = Paint().apply { color = VOLATILE }
        volatile.forEach { Canvas(copy).drawRect(it, paint) }
        return Bitmap.createScaledBitmap(copy, picture.width / 2, picture.height / 2, true)
    }

    /** Null when the candidate matches its golden; otherwise what is wrong, with the diff's path. */
    fun compare(scene: String, candidate: Bitmap): String? {
        val written = candidate.writePng(File(out, "candidates/$scene.png"))
        val golden = File(goldens, "$scene.png")
        if (!golden.exists()) return "no golden for $scene yet: look at ${written.path}, then run `cargo xtask screens accept`"
        // The golden is read back from its file, as the candidate is: both went through PNG.
        val expected = BitmapFactory.decodeFile(golden.path) ?: return "the golden ${golden.path} could not be read"
        val actual = BitmapFactory.decodeFile(written.path) ?: return "the candidate ${written.path} could not be read back"
        if (expected.width != actual.width || expected.height != actual.height) {
            return "$scene is ${actual.width}×${actual.height}, its golden ${expected.width}×${expected.height}: see ${written.path}"
        }
        val diff = Bitmap.createBitmap(actual.width, actual.height, Bitmap.Config.ARGB_8888)
        var changed = 0
        val blocks = HashMap<Int, Int>()
        for (y in 0 until actual.height) for (x in 0 until actual.width) {
            val was = expected.getPixel(x, y)
            val now = actual.getPixel(x, y)
            if (perceptibly(was, now)) {
                changed++
                val block = (y / BLOCK) * (actual.width / BLOCK + 1) + x / BLOCK
                blocks[block] = (blocks[block] ?: 0) + 1
                diff.setPixel(x, y, Color.RED)
            } else {
                val grey = (Color.red(was) * 0.3 + Color.green(was) * 0.59 + Color.blue(was) * 0.11).toInt() / 3 + 170
                diff.setPixel(x, y, Color.rgb(grey, grey, grey))
            }
        }
        val share = changed.toDouble() / (actual.width * actual.height)
        // Anti-aliasing moves scattered pixels along edges; a changed digit or word changes a
        // dense patch, however few pixels it is of the whole.
        val densest = blocks.values.maxOrNull() ?: 0
        if (share <= TOLERANCE && densest < BLOCK_CHANGED) return null
        val diffFile = diff.writePng(File(out, "diff/$scene.png"))
        return "$scene differs from its golden in %.2f%% of its pixels (allowed %.2f%%, and fewer than $BLOCK_CHANGED in any $BLOCK×$BLOCK patch; here $densest): see ${diffFile.path}; if the change is meant, `cargo xtask screens accept`".format(share * 100, TOLERANCE * 100)
    }

    companion object {
        /** Changed pixels allowed: anti-aliasing moving by a pixel, not a button moving. */
        const val TOLERANCE = 0.001

        /** A patch of BLOCK×BLOCK pixels (a dp each) with BLOCK_CHANGED changed ones is a change, not noise. */
        const val BLOCK = 8
        const val BLOCK_CHANGED = 10
        private const val VOLATILE = 0xFF9E9E9E.toInt()

        /**
         * Whether two pixels look different, by the colour distance in YIQ space that pixelmatch
         * uses (Kotsarenko and Ramos, "Measuring perceived color difference using YIQ NTSC
         * transmission color space"), at pixelmatch's default threshold of 0.1.
         */
        fun perceptibly(a: Int, b: Int): Boolean {
            if (a == b) return false
            val dr = (Color.red(a) - Color.red(b)).toDouble()
            val dg = (Color.green(a) - Color.green(b)).toDouble()
            val db = (Color.blue(a) - Color.blue(b)).toDouble()
            val y = dr * 0.29889531 + dg * 0.58662247 + db * 0.11448223
            val i = dr * 0.59597799 - dg * 0.27417610 - db * 0.32180189
            val q = dr * 0.21147017 - dg * 0.52261711 + db * 0.31114694
            val delta = 0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q
            return delta > MAX_YIQ_DELTA * THRESHOLD * THRESHOLD
        }

        private const val MAX_YIQ_DELTA = 35215.0
        private const val THRESHOLD = 0.1
    }
}

/** The picture as a PNG file (lossless), its folders made. */
fun Bitmap.writePng(file: File): File {
    file.parentFile.mkdirs()
    FileOutputStream(file).use { compress(Bitmap.CompressFormat.PNG, 100, it) }
    return file
}
