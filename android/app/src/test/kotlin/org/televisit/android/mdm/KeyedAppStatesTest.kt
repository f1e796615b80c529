package org.televisit.android.mdm

import android.content.ComponentName
import android.content.IntentFilter
import android.os.Handler
import android.os.Looper
import android.os.Message
import android.os.Messenger
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.televisit.android.ui.idle

/** The device report reaches the MDM's receiver as keyed app states, in AndroidX's wire format. */
@RunWith(RobolectricTestRunner::class)
class KeyedAppStatesTest {
    private val app = RuntimeEnvironment.getApplication()

    @Test
    fun `a state is delivered to the Play Store's receiving service as AndroidX's message`() {
        val states = KeyedAppStates(app)
        assertFalse("no receiver on the phone: nothing bound, nothing delivered", states.send("k", 1, "m", null) {})

        // A receiving service in the Play Store's package, as on a managed phone.
        val component = ComponentName(KeyedAppStates.PLAY_STORE, "com.google.android.finsky.AppStatesService")
        shadowOf(app.packageManager).addServiceIfNotPresent(component)
        shadowOf(app.packageManager).addIntentFilterForService(component, IntentFilter(KeyedAppStates.ACTION_APP_STATES))
        val received = mutableListOf<Message>()
        val messenger = Messenger(object : Handler(Looper.getMainLooper()) {
            override fun handleMessage(msg: Message) {
                received += Message.obtain(msg)
            }
        })
        shadowOf(app).setComponentNameAndServiceForBindService(component, messenger.binder)

        var delivered = 0
        assertTrue(states.send("televisit.device_report", KeyedAppStates.SEVERITY_INFO, "device report", "tvr1.report", { delivered++ }))
        idle()
        assertEquals(1, delivered)
        val message = received.single()
        assertEquals(KeyedAppStates.WHAT_IMMEDIATE_STATE, message.what)
        val state = message.data.getParcelableArrayList<android.os.Bundle>(KeyedAppStates.APP_STATES)!!.single()
        assertEquals("televisit.device_report", state.getString(KeyedAppStates.APP_STATE_KEY))
        assertEquals("tvr1.report", state.getString(KeyedAppStates.APP_STATE_DATA))
        assertEquals(KeyedAppStates.SEVERITY_INFO, state.getInt(KeyedAppStates.APP_STATE_SEVERITY))

        assertFalse("longer than the protocol allows: refused, never cut", states.send("k", 1, "m", "x".repeat(KeyedAppStates.MAX_DATA + 1)) {})
    }
}
