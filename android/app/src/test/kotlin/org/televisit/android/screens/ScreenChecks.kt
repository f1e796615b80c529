package org.televisit.android.screens

import android.graphics.Bitmap
import android.graphics.Rect
import android.view.View
import android.view.ViewGroup
import android.widget.EditText
import android.widget.HorizontalScrollView
import android.widget.ImageView
import android.widget.ScrollView
import android.widget.TextView
import org.televisit.android.ui.SCROLLING_TABS
import org.televisit.android.ui.withDescendants
import kotlin.math.max
import kotlin.math.min

/**
 * What a clinician needs from every screen, checked on the views Android laid out and the pixels
 * it drew: text read in full (not cut off, not ellipsized), touch targets of at least 48×48 dp
 * that do not overlap, a description on every image, and text with a contrast of at least 4.5:1
 * against what is behind it (WCAG 2's AA level for body text). Each problem names the view.
 */
class ScreenChecks(private val shot: Shot, private val picture: Bitmap) {
    private val density = shot.activity.resources.displayMetrics.density
    private val shown: List<View> = shot.top.withDescendants().filter { it.isShown && it.width > 0 && it.height > 0 }

    fun problems(rightToLeft: Boolean = false): List<String> = shown.flatMap { view ->
        textProblems(view) + targetProblems(view) + descriptionProblems(view) + contrastProblems(view) + mirroringProblems(view, rightToLeft)
    } + overlaps()

    /**
     * In a right-to-left language, lines start at the right: a view narrower than the column
     * holding it (or the first button of a row) sits against the right edge, and a line of text
     * shorter than its view sits at the view's right (whatever the text's own direction: a
     * patient's Latin name, the core's English).
     */
    private fun mirroringProblems(view: View, rightToLeft: Boolean): List<String> {
        val problems = mutableListOf<String>()
        if (rightToLeft != (view.layoutDirection == View.LAYOUT_DIRECTION_RTL)) {
            problems += "${name(view)}: laid out ${if (rightToLeft) "left to right" else "right to left"}"
        }
        if (!rightToLeft) return problems
        val parent = view.parent as? ViewGroup
        val column = parent is android.widget.LinearLayout && parent.orientation == android.widget.LinearLayout.VERTICAL
        val firstInRow = parent is org.televisit.android.ui.FlowRow && (0 until parent.childCount).map { parent.getChildAt(it) }.firstOrNull { it.visibility != View.GONE } === view
        if (parent != null && (column || firstInRow)) {
            val gapLeft = view.left - parent.paddingLeft
            val gapRight = parent.width - parent.paddingRight - view.right
            if (gapRight > gapLeft + 1) problems += "${name(view)}: not mirrored (against the left edge in a right-to-left language)"
        }
        val text = view as? TextView
        val layout = text?.layout
        if (text != null && layout != null && !text.text.isNullOrEmpty() && text.gravity and android.view.Gravity.HORIZONTAL_GRAVITY_MASK != android.view.Gravity.CENTER_HORIZONTAL && layout.width < 100_000) {
            val leftAligned = (0 until layout.lineCount).any { line ->
                layout.getLineMax(line) < layout.width - density && layout.getLineLeft(line) < 1f && layout.getLineRight(line) < layout.width - density
            }
            if (leftAligned) problems += "${name(view)}: text against the left in a right-to-left language"
        }
        return problems
    }

    /** Cut off by its own box (too little height or width for its lines) or by a parent's. */
    private fun textProblems(view: View): List<String> {
        val text = view as? TextView ?: return emptyList()
        if (text.text.isNullOrEmpty()) return hintProblems(text)
        val layout = text.layout ?: return emptyList()
        val problems = mutableListOf<String>()
        if ((0 until layout.lineCount).any { layout.getEllipsisCount(it) > 0 }) problems += "${name(view)}: ellipsized"
        val room = room(text)
        if (layout.height > room + 1) problems += "${name(view)}: cut off at the bottom (its lines need ${dp(layout.height)} dp, it has ${dp(room)} dp)"
        // Wrapped text is laid out to the view's width; text laid out wider (one line that
        // does not wrap) and longer than the view is cut at its side.
        val across = across(text)
        val widest = (0 until layout.lineCount).maxOf { layout.getLineMax(it) }
        if (layout.width > across + 1 && widest > across + density) problems += "${name(view)}: cut off at the side (its text needs ${dp(widest.toInt())} dp, it has ${dp(across)} dp)"
        clippingParent(view)?.let { problems += "${name(view)}: partly hidden by ${it.javaClass.simpleName}" }
        return problems
    }

    /**
     * An empty field's hint says what to type: read in full too. A field laid out on one
     * unbounded line cuts a hint wider than itself; one that wraps, a hint taller than itself.
     */
    private fun hintProblems(text: TextView): List<String> {
        val hint = text.hint?.toString()
        val layout = text.layout
        if (hint.isNullOrEmpty() || layout == null) return emptyList()
        val across = across(text)
        val room = room(text)
        if (layout.width > across + 1) {
            val needs = text.paint.measureText(hint)
            return if (needs > across + density) listOf("${name(text)}: its hint cut off at the side (needs ${dp(needs.toInt())} dp, has ${dp(across)} dp)") else emptyList()
        }
        val wrapped = android.text.StaticLayout.Builder.obtain(hint, 0, hint.length, text.paint, across.coerceAtLeast(1)).build()
        val cut = wrapped.lineCount > text.maxLines || wrapped.height > room + 1
        return if (cut) listOf("${name(text)}: its hint cut off (${wrapped.lineCount} line(s) in ${dp(room)} dp)") else emptyList()
    }

    /** The width the text's lines have inside its padding and drawables. */
    private fun across(text: TextView): Int = text.width - text.totalPaddingLeft - text.totalPaddingRight

    /** The height inside the padding (not totalPadding*, which for centred text is measured from the lines themselves). */
    private fun room(text: TextView): Int = text.height - text.compoundPaddingTop - text.compoundPaddingBottom

    /**
     * The first parent that cuts the view off. A scroll view cuts along its scrolling direction
     * on purpose (the rest is a scroll away), except a sideways one other than the tab bar: its
     * hidden part had no sign of being there.
     */
    private fun clippingParent(view: View): View? {
        val box = shot.boundsOf(view)
        var parent = view.parent as? ViewGroup
        // Past a scroll view, the view's place along its direction is a scroll away, not cut off.
        var upDownFree = false
        var sidewaysFree = false
        while (parent != null) {
            val outer = shot.boundsOf(parent)
            val sideways = box.left < outer.left - 1 || box.right > outer.right + 1
            val upDown = box.top < outer.top - 1 || box.bottom > outer.bottom + 1
            // The tab bar scrolls sideways on purpose, as Material's scrollable tabs do.
            if (parent is ScrollView) upDownFree = true
            if (parent is HorizontalScrollView && parent.tag == SCROLLING_TABS) sidewaysFree = true
            if ((sideways && !sidewaysFree) || (upDown && !upDownFree)) return parent
            parent = parent.parent as? ViewGroup
        }
        return null
    }

    /** Android's accessibility guideline: at least 48×48 dp for anything that takes a tap. */
    private fun targetProblems(view: View): List<String> {
        if (!view.isClickable && !view.isLongClickable) return emptyList()
        if (view === shot.top || view.parent == null) return emptyList()
        val least = MIN_TARGET_DP * density - 0.5f
        return if (view.width < least || view.height < least) listOf("${name(view)}: touch target ${dp(view.width)}×${dp(view.height)} dp, under $MIN_TARGET_DP×$MIN_TARGET_DP dp") else emptyList()
    }

    /** TalkBack reads an image by its description; a picture without one is read as nothing. */
    private fun descriptionProblems(view: View): List<String> {
        if (view !is ImageView || view.importantForAccessibility == View.IMPORTANT_FOR_ACCESSIBILITY_NO) return emptyList()
        return if (view.contentDescription.isNullOrBlank()) listOf("${name(view)}: an image with no content description") else emptyList()
    }

    private fun overlaps(): List<String> {
        val targets = shown.filter { (it.isClickable || it.isLongClickable) && it !== shot.top }
        val problems = mutableListOf<String>()
        for (i in targets.indices) for (j in i + 1 until targets.size) {
            val a = targets[i]
            val b = targets[j]
            if (isAncestor(a, b) || isAncestor(b, a)) continue
            // Where they are on screen: a button scrolled out of its scroll view is under nothing.
            val inter = Rect()
            if (inter.setIntersect(shot.visibleBoundsOf(a), shot.visibleBoundsOf(b)) && inter.width() > 1 && inter.height() > 1) {
                problems += "${name(a)} and ${name(b)} overlap (${dp(inter.width())}×${dp(inter.height())} dp)"
            }
        }
        return problems
    }

    /**
     * The contrast of the text's colour with its background, from the drawn pixels over the
     * text's lines: the background is the commonest colour there, the text the colour (seen in
     * a few pixels at least, past anti-aliasing) that stands out most from it. Disabled buttons
     * are left out, as WCAG leaves out inactive controls.
     */
    private fun contrastProblems(view: View): List<String> {
        val text = view as? TextView ?: return emptyList()
        val shows = if (text.text.isNullOrEmpty()) (text as? EditText)?.hint else text.text
        if (shows.isNullOrBlank() || !text.isEnabled || text.layout == null) return emptyList()
        val box = shot.boundsOf(view)
        val lines = Rect(
            box.left + text.totalPaddingLeft,
            box.top + text.totalPaddingTop,
            box.right - text.totalPaddingRight,
            min(box.bottom - text.totalPaddingBottom, box.top + text.totalPaddingTop + text.layout.height),
        )
        // Text cut by the screen's edge is a scroll away from being read: judged where it is whole.
        val visible = shot.visibleBoundsOf(view)
        if (lines.isEmpty || !visible.contains(lines) || lines.right > picture.width || lines.bottom > picture.height) return emptyList()
        val counts = HashMap<Int, Int>()
        for (y in lines.top until lines.bottom) for (x in lines.left until lines.right) {
            val pixel = picture.getPixel(x, y) or OPAQUE
            counts[pixel] = (counts[pixel] ?: 0) + 1
        }
        val background = counts.maxByOrNull { it.value }?.key ?: return emptyList()
        val ratio = counts.filter { it.value >= MIN_PIXELS }.keys.maxOfOrNull { contrast(it, background) } ?: return emptyList()
        return if (ratio < MIN_CONTRAST) listOf("${name(view)}: contrast %.2f:1, under %.1f:1".format(ratio, MIN_CONTRAST)) else emptyList()
    }

    private fun name(view: View): String {
        val kind = view.javaClass.simpleName
        val words = when (view) {
            is EditText -> "field \"${view.hint ?: ""}\""
            is TextView -> "\"${view.text.toString().take(48)}${if (view.text.length > 48) "…" else ""}\""
            else -> view.contentDescription?.let { "\"$it\"" } ?: ""
        }
        val box = shot.boundsOf(view)
        return "$kind $words at ${dp(box.left)},${dp(box.top)} dp".replace("  ", " ")
    }

    private fun dp(px: Int): Int = Math.round(px / density)

    companion object {
        const val MIN_TARGET_DP = 48
        const val MIN_CONTRAST = 4.5
        private const val MIN_PIXELS = 3
        private const val OPAQUE = 0xFF000000.toInt()

        private fun isAncestor(parent: View, child: View): Boolean {
            var at = child.parent
            while (at != null) {
                if (at === parent) return true
                at = at.parent
            }
            return false
        }

        /** WCAG 2's contrast ratio of two opaque colours. */
        fun contrast(a: Int, b: Int): Double {
            val la = luminance(a)
            val lb = luminance(b)
            return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
        }

        private fun luminance(colour: Int): Double {
            fun channel(c: Int): Double {
                val s = c / 255.0
                return if (s <= 0.03928) s / 12.92 else Math.pow((s + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * channel((colour shr 16) and 0xFF) + 0.7152 * channel((colour shr 8) and 0xFF) + 0.0722 * channel(colour and 0xFF)
        }
    }
}
