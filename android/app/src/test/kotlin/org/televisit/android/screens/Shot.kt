package org.televisit.android.screens

import android.app.Activity
import android.app.Dialog
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Rect
import android.view.View
import org.robolectric.android.controller.ActivityController

/**
 * What the phone shows at one moment: an activity's window, and the dialog over it when there is
 * one. Only the top window takes touches, so only its views are checked.
 */
class Shot(private val controller: ActivityController<out Activity>, val dialog: Dialog?) {
    val activity: Activity get() = controller.get()

    /** The window the user acts on: the dialog's when one is up. */
    val top: View get() = dialog?.window?.decorView ?: activity.window.decorView

    private var dialogAt = Rect()

    /**
     * Draws the screen with Android's own graphics: the activity's window at the phone's size,
     * then (as the window manager would) a dim over it and the dialog in the middle, at the
     * width its theme gives it.
     */
    fun render(): Bitmap {
        val metrics = activity.resources.displayMetrics
        val width = metrics.widthPixels
        val height = metrics.heightPixels
        val root = activity.window.decorView
        root.measure(exactly(width), exactly(height))
        root.layout(0, 0, width, height)
        val bitmap = Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888)
        bitmap.eraseColor(Color.BLACK)
        val canvas = Canvas(bitmap)
        root.draw(canvas)
        val window = dialog?.window ?: return bitmap
        canvas.drawColor(DIM)
        val decor = window.decorView
        decor.measure(View.MeasureSpec.makeMeasureSpec(width, View.MeasureSpec.AT_MOST), View.MeasureSpec.makeMeasureSpec(height, View.MeasureSpec.AT_MOST))
        val left = (width - decor.measuredWidth) / 2
        val top = (height - decor.measuredHeight) / 2
        decor.layout(0, 0, decor.measuredWidth, decor.measuredHeight)
        dialogAt = Rect(left, top, left + decor.measuredWidth, top + decor.measuredHeight)
        canvas.save()
        canvas.translate(left.toFloat(), top.toFloat())
        decor.draw(canvas)
        canvas.restore()
        return bitmap
    }

    /** Where a view of the top window is in the picture. */
    fun boundsOf(view: View): Rect {
        val at = IntArray(2)
        view.getLocationInWindow(at)
        val x = at[0] + dialogAt.left
        val y = at[1] + dialogAt.top
        return Rect(x, y, x + view.width, y + view.height)
    }

    /** The part of a view of the top window that is on screen, not cut away by a parent. */
    fun visibleBoundsOf(view: View): Rect {
        val visible = Rect()
        if (!view.getGlobalVisibleRect(visible)) return Rect()
        visible.offset(dialogAt.left, dialogAt.top)
        return visible
    }

    fun close() {
        dialog?.dismiss()
        controller.pause().stop().destroy()
    }

    private fun exactly(size: Int) = View.MeasureSpec.makeMeasureSpec(size, View.MeasureSpec.EXACTLY)

    private companion object {
        /** The window manager's dim behind a dialog (Material's backgroundDimAmount, 0.6). */
        const val DIM = 0x99000000.toInt()
    }
}
