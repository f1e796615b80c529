package org.televisit.android.screens

import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.ParameterizedRobolectricTestRunner
import org.robolectric.annotation.Config
import org.televisit.android.ui.withDescendants
import java.io.File

/**
 * Every screen of SCENES drawn by Android's own graphics (Robolectric's native mode, on for every
 * test run by xtask) in every configuration, written as PNG under target/android-screens/,
 * checked (ScreenChecks), and, in the base configuration, compared with its golden. xtask makes
 * the index page from shots.tsv. One SDK, the app's target: the pictures are for people to look
 * at, and three copies of each would say the same.
 */
@RunWith(ParameterizedRobolectricTestRunner::class)
@Config(sdk = [35])
class ScreenshotsTest(private val sceneName: String) {
    @Test
    fun `drawn, checked and compared with its golden in every configuration`() {
        val scene = SCENES.single { it.name == sceneName }
        val phone = Phone()
        val problems = mutableListOf<String>()
        try {
            scene.prepare(phone)
            for (config in Configuration.ALL) {
                config.apply()
                val shot = scene.show(phone)
                try {
                    val picture = shot.render()
                    val file = picture.writePng(File(screens, "${scene.name}/${config.name}.png"))
                    val found = ScreenChecks(shot, picture).problems(config.rightToLeft).toMutableList()
                    if (config == Configuration.BASE) {
                        val volatile = shot.top.withDescendants().filter { it.isShown && scene.volatile(it) }.map { shot.boundsOf(it) }
                        goldens.compare(scene.name, goldens.candidate(picture, volatile))?.let { found += it }
                    }
                    record(scene, config, file, found)
                    problems += found.map { "${scene.name} [${config.name}] $it" }
                } finally {
                    shot.close()
                }
            }
        } finally {
            phone.close()
            Configuration.reset()
        }
        assertTrue("${problems.size} problem(s):\n" + problems.joinToString("\n"), problems.isEmpty())
    }

    /** A line of shots.tsv, which xtask turns into the index page: scene, caption, configuration, picture, problems. */
    private fun record(scene: Scene, config: Configuration, file: File, problems: List<String>) {
        val fields = listOf(scene.name, scene.caption, config.name, file.relativeTo(screens).path) + problems
        File(screens, "shots.tsv").appendText(fields.joinToString("\t") { it.replace('\t', ' ').replace('\n', ' ') } + "\n")
    }

    companion object {
        private val screens = File(System.getProperty("televisit.screens") ?: "target/android-screens")
        private val goldens = Goldens(File(System.getProperty("televisit.goldens") ?: "android/app/src/test/goldens"), screens)

        @JvmStatic
        @ParameterizedRobolectricTestRunner.Parameters(name = "{0}")
        fun scenes(): List<Array<Any>> = SCENES.map { arrayOf<Any>(it.name) }
    }
}
