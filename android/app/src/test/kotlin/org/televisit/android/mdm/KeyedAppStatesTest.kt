package org.televisit.android.mdm

import android.content.ComponentName
import android.os.Bundle
import android.os.Looper
import android.os.Message
import android.os.Messenger
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowLog
import org.televisit.android.ui.idle
import org.televisit.core.managedConfigKeys
import java.time.Duration
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * Keyed app states reach a receiver written from AndroidX's `KeyedAppStatesService`
 * ([AndroidXAppStatesService]), the message parcelled across a `Messenger` as between processes.
 */
@RunWith(RobolectricTestRunner::class)
class KeyedAppStatesTest {
    private val app = RuntimeEnvironment.getApplication()
    private val keys = managedConfigKeys()
    private fun managed(states: KeyedAppStates = KeyedAppStates(app)) =
        ManagedConfig(app, restrictions = { Bundle() }, feedback = states)

    @Test
    fun `the device report reaches AndroidX's receiving side as a routine state`() {
        val dpc = AndroidXAppStatesService.install(app)
        assertTrue(managed().publishReport("tv1.report.abc"))
        idle()
        assertEquals(listOf<String>(), dpc.dropped)
        val state = dpc.received.single()
        assertEquals(keys.deviceReport, state.key)
        assertEquals("tv1.report.abc", state.data)
        assertEquals("device report", state.message)
        assertEquals(AndroidXAppStatesService.SEVERITY_INFO, state.severity)
        assertFalse("WHAT_STATE: no immediate upload asked for a routine report", state.requestSync)
    }

    @Test
    fun `a wipe receipt reaches AndroidX's receiving side as an immediate state when just written, routine after`() {
        val dpc = AndroidXAppStatesService.install(app)
        assertTrue(managed().publishReceipt("tv1.receipt.abc"))
        idle()
        assertEquals(listOf<String>(), dpc.dropped)
        val state = dpc.received.single()
        assertEquals(keys.wipeReceipt, state.key)
        assertEquals("tv1.receipt.abc", state.data)
        assertTrue("WHAT_IMMEDIATE_STATE", state.requestSync)
        assertTrue(managed().publishReceipt("tv1.receipt.abc", immediate = false))
        idle()
        assertFalse("sent again at a check-in: WHAT_STATE", dpc.received.last().requestSync)
    }

    @Test
    fun `the receiver drops what is not AndroidX's message, and the message is really parcelled`() {
        val dpc = AndroidXAppStatesService.install(app)
        val state = Bundle().apply {
            putString(AndroidXAppStatesService.APP_STATE_KEY, "k")
            putInt(AndroidXAppStatesService.APP_STATE_SEVERITY, AndroidXAppStatesService.SEVERITY_INFO)
        }
        val list = Bundle().apply { putParcelableArrayList(AndroidXAppStatesService.APP_STATES, arrayListOf(state)) }
        val sender = Messenger(dpc.remote)
        // The states in setData, as this app once sent them: never read.
        sender.send(Message.obtain(null, AndroidXAppStatesService.WHAT_IMMEDIATE_STATE).apply { data = list })
        // An unknown what.
        sender.send(Message.obtain(null, 7).apply { obj = list })
        idle()
        assertEquals(listOf("no Bundle in obj", "what=7"), dpc.dropped)
        assertTrue(dpc.received.isEmpty())
        assertTrue(ShadowLog.getLogsForTag(AndroidXAppStatesService.LOG_TAG).any { it.msg == "Could not extract state bundles from message" })
        // Crossing the Messenger writes the Message to a Parcel: a non-Parcelable obj cannot.
        try {
            sender.send(Message.obtain(null, AndroidXAppStatesService.WHAT_STATE).apply { obj = "not parcelable" })
            fail("a non-Parcelable obj was not parcelled")
        } catch (e: RuntimeException) {
            assertTrue(e.message.orEmpty(), e.message.orEmpty().contains("Parcelable"))
        }
        // And the right message is accepted.
        sender.send(Message.obtain(null, AndroidXAppStatesService.WHAT_STATE).apply { obj = list })
        idle()
        assertEquals("k", dpc.received.single().key)
    }

    @Test
    fun `a state over the protocol's limits is refused before sending, and one at the limits goes`() {
        val dpc = AndroidXAppStatesService.install(app)
        val states = KeyedAppStates(app)
        val info = KeyedAppStates.SEVERITY_INFO
        assertFalse(states.send("k".repeat(101), info, "m", null, immediate = false) {})
        assertFalse(states.send("k", info, "m".repeat(1001), null, immediate = false) {})
        assertFalse(states.send("k", info, "m", "x".repeat(1001), immediate = true) {})
        assertFalse(states.send("k", 3, "m", null, immediate = false) {})
        idle()
        assertTrue("nothing bound", shadowOf(app).boundServiceConnections.isEmpty())
        assertTrue(dpc.received.isEmpty() && dpc.dropped.isEmpty())

        assertTrue(states.send("k".repeat(100), KeyedAppStates.SEVERITY_ERROR, "m".repeat(1000), "x".repeat(1000), immediate = true) {})
        idle()
        assertEquals(listOf<String>(), dpc.dropped)
        assertEquals(AndroidXAppStatesService.SEVERITY_ERROR, dpc.received.single().severity)
    }

    @Test
    fun `with no receiver installed nothing is bound and send says false`() {
        var delivered = false
        assertFalse(KeyedAppStates(app).send("k", KeyedAppStates.SEVERITY_INFO, "m", "d", immediate = true) { delivered = true })
        idle()
        assertTrue(shadowOf(app).boundServiceConnections.isEmpty())
        assertFalse(delivered)
        assertFalse(managed().publishReport("tv1.report.abc"))
    }

    @Test
    fun `the connection is kept until the hand-off, the sender waits for it, and it is unbound after the linger`() {
        val dpc = AndroidXAppStatesService.install(app)
        val states = KeyedAppStates(app)
        val shadow = shadowOf(app)
        val sent = CountDownLatch(1)
        var handedOff: Boolean? = null
        // A background check-in: sends, then waits for the hand-off before its job finishes.
        val worker = Thread {
            states.send("televisit.device_report", KeyedAppStates.SEVERITY_INFO, "device report", "one", immediate = false) {}
            sent.countDown()
            handedOff = states.awaitHandOff(10_000)
        }
        worker.start()
        assertTrue(sent.await(10, TimeUnit.SECONDS))
        worker.join(300)
        assertTrue("the worker waits while the connection is being made", worker.isAlive)
        assertEquals(1, shadow.boundServiceConnections.size)
        assertTrue("queued while connecting", dpc.received.isEmpty())
        assertFalse("the main thread never waits", states.awaitHandOff(10_000))
        // onServiceConnected runs on the main thread: the queued state is handed off.
        val end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (worker.isAlive && System.nanoTime() < end) {
            idle()
            worker.join(10)
        }
        assertFalse(worker.isAlive)
        assertEquals(true, handedOff)
        idle()
        assertEquals(listOf("one"), dpc.received.map { it.data })
        assertTrue("still bound after the hand-off", shadow.unboundServiceConnections.isEmpty())

        // A second state in the window goes over the same connection, at once.
        assertTrue(states.send("televisit.device_report", KeyedAppStates.SEVERITY_INFO, "device report", "two", immediate = false) {})
        assertTrue(states.awaitHandOff(0))
        idle()
        assertEquals(listOf("one", "two"), dpc.received.map { it.data })
        assertEquals(1, shadow.boundServiceConnections.size)

        // Unbound once the linger after the last hand-off is over, not before.
        val main = shadowOf(Looper.getMainLooper())
        main.idleFor(Duration.ofMillis(KeyedAppStates.LINGER_MILLIS - 1_000))
        assertTrue(shadow.unboundServiceConnections.isEmpty())
        main.idleFor(Duration.ofMillis(2_000))
        assertTrue(shadow.boundServiceConnections.isEmpty())
        assertEquals(1, shadow.unboundServiceConnections.size)

        // The next state binds again.
        assertTrue(states.send("televisit.device_report", KeyedAppStates.SEVERITY_INFO, "device report", "three", immediate = false) {})
        idle()
        assertEquals(listOf("one", "two", "three"), dpc.received.map { it.data })
        assertEquals(1, shadow.boundServiceConnections.size)
    }

    @Test
    fun `a receiver that cannot be bound leaves nothing bound or waiting, and send says false`() {
        // Play's service exists but binding reaches nothing (bindService says false).
        val dpc = AndroidXAppStatesService.install(app)
        shadowOf(app).declareComponentUnbindable(ComponentName(AndroidXAppStatesService.PHONESKY_PACKAGE_NAME, "com.google.android.finsky.AppStatesService"))
        val states = KeyedAppStates(app)
        assertFalse(states.send("k", KeyedAppStates.SEVERITY_INFO, "m", null, immediate = true) {})
        assertTrue("nothing left waiting", states.awaitHandOff(0))
        assertTrue(shadowOf(app).boundServiceConnections.isEmpty())
        assertTrue(dpc.received.isEmpty())
    }
}
