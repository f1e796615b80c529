package org.televisit.android.screens

import org.robolectric.RuntimeEnvironment

/**
 * A phone as a clinician may hold it: its size in dp, its font size, light or dark, its language.
 * Applied to Robolectric's device before an activity is made, as Android does on a change.
 */
data class Configuration(val name: String, val widthDp: Int, val heightDp: Int, val fontScale: Float, val dark: Boolean, val locale: String? = null) {
    val rightToLeft: Boolean get() = locale in RIGHT_TO_LEFT

    fun apply() {
        // Qualifiers in Android's order: locale, width, height, night mode, density. Both sizes at
        // xhdpi (2 px a dp), so that a picture's pixels are the dp doubled.
        val qualifiers = listOfNotNull(locale, "w${widthDp}dp", "h${heightDp}dp", if (dark) "night" else "notnight", "xhdpi")
        RuntimeEnvironment.setQualifiers(qualifiers.joinToString("-"))
        RuntimeEnvironment.setFontScale(fontScale)
        // A phone set to a language changes the JVM's default locale too, which views laid out
        // with `layoutDirection="locale"` (a dialog's button bar) read.
        java.util.Locale.setDefault(locale?.let { java.util.Locale.forLanguageTag(it) } ?: ORIGINAL_LOCALE)
    }

    override fun toString() = name

    companion object {
        private val ORIGINAL_LOCALE: java.util.Locale = java.util.Locale.getDefault()

        /** The JVM's locale as it was: the tests after these ones run in it. */
        fun reset() = java.util.Locale.setDefault(ORIGINAL_LOCALE)

        private val RIGHT_TO_LEFT = setOf("ar", "fa", "he", "iw", "ur")

        private fun phone(size: String, w: Int, h: Int, font: Int, dark: Boolean, locale: String? = null) = Configuration(
            listOfNotNull(size, "font$font", if (dark) "dark" else "light", locale).joinToString("-"),
            w,
            h,
            font / 100f,
            dark,
            locale,
        )

        /** The goldens' configuration: a small phone, the default font, light. */
        val BASE = phone("small", 360, 640, 100, false)

        /**
         * A small phone (360×640 dp) and a large one (411×891 dp); the font at 100% and 200%;
         * light and dark; and one right-to-left language, Arabic.
         */
        val ALL: List<Configuration> = listOf(360 to 640, 411 to 891).flatMap { (w, h) ->
            val size = if (w == 360) "small" else "large"
            listOf(100, 200).flatMap { font -> listOf(false, true).map { dark -> phone(size, w, h, font, dark) } }
        } + phone("small", 360, 640, 100, false, "ar")
    }
}
