package org.televisit.android.mdm

import android.os.Bundle
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.televisit.android.Admin
import org.televisit.android.attributes
import org.televisit.android.Session
import org.televisit.android.StartResult
import org.televisit.android.platform.AndroidContactBook
import org.televisit.android.platform.ContactAccount
import org.televisit.android.platform.KeystoreSecretStore
import org.televisit.android.tempDir
import org.televisit.core.WhatsAppApp
import org.televisit.core.managedConfigKeys
import org.televisit.core.managedReadKeys
import org.televisit.core.whatsappPackage

@RunWith(RobolectricTestRunner::class)
class ManagedConfigTest {
    private val app = RuntimeEnvironment.getApplication()
    @Test
    fun `the restrictions, queries and authenticator name what the core and adapters use`() {
        val keys = managedConfigKeys()
        val read = listOf(
            keys.enrollmentCode, keys.signedPolicy, keys.mdmDeviceId, keys.mdmUser, keys.relayUrl, keys.relayCaSha256,
            keys.bulletin, keys.wipeCommand,
        )
        assertEquals(read, managedReadKeys())
        assertEquals(read, attributes("app/src/main/res/xml/app_restrictions.xml", "restriction", "key"))
        val queried = attributes("app/src/main/AndroidManifest.xml", "package", "name")
        assertEquals(WhatsAppApp.values().map { whatsappPackage(it) }, queried)
        assertEquals(listOf(ContactAccount.TYPE), attributes("app/src/main/res/xml/authenticator.xml", "account-authenticator", "accountType"))
        val permissions = attributes("app/src/main/AndroidManifest.xml", "uses-permission", "name")
        assertTrue(permissions.containsAll(listOf("android.permission.READ_CONTACTS", "android.permission.WRITE_CONTACTS")))
        assertTrue("android.accounts.AccountAuthenticator" in attributes("app/src/main/AndroidManifest.xml", "action", "name"))
    }

    @Test
    fun `restriction values - strings are handed over, anything else is named by its key and dropped`() {
        val keys = managedConfigKeys()
        val bundle = Bundle().apply {
            putString(keys.enrollmentCode, "tv1.enroll.x.y")
            putInt(keys.wipeCommand, 42)
            putString("something_else", "ignored")
        }
        val values = ManagedConfig.fromBundle(bundle)
        assertEquals(mapOf(keys.enrollmentCode to "tv1.enroll.x.y"), values.strings)
        assertEquals(listOf(keys.wipeCommand), values.wrongType)
    }

    /** Robolectric has no contacts provider: the book reads as empty, which the wipe handles. */
    private fun session(bundle: () -> Bundle, secrets: KeystoreSecretStore) = Session(
        app,
        secrets = secrets,
        book = AndroidContactBook(app.contentResolver),
        managed = ManagedConfig(app, restrictions = bundle, feedback = KeyedAppStates(app)),
    )

    @Test
    fun `MDM enrolls the app at start, garbage is refused on screen by key, a wipe command wipes`() {
        val admin = Admin()
        val keys = managedConfigKeys()
        var config = Bundle().apply { putString(keys.enrollmentCode, admin.enrollCode()) }
        val secrets = KeystoreSecretStore.forTests(tempDir())
        val session = session({ config }, secrets)
        val ready = session.start() as StartResult.Ready
        val enrollment = ready.televisit.enrollment()!!
        assertTrue(session.lastNotice!!.contains("enrolled with North Clinic"))

        config = Bundle(config).apply { putString(keys.signedPolicy, "Susan Smith +447400123456") }
        session.applyManagedConfig()
        val notice = session.lastNotice!!
        assertTrue(notice, notice.contains("signed_policy: invalid signed policy"))
        assertFalse(notice.contains("Susan") || notice.contains("7400123456"))

        config = Bundle().apply {
            putString(keys.enrollmentCode, config.getString(keys.enrollmentCode))
            putString(keys.wipeCommand, admin.wipe(enrollment.deviceId, enrollment.enrollmentId))
        }
        val wiped = session.applyManagedConfig()
        assertTrue(wiped is StartResult.Wiped)
        assertNull(session.televisit)
        // No MDM on this test phone to take the receipt: it is kept, and shown until one does.
        assertTrue(session.pendingReceipt!!.startsWith("tv1.receipt."))
    }
}
