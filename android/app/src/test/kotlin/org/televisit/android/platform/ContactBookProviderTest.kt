package org.televisit.android.platform

import android.provider.ContactsContract
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.televisit.android.TestPhone
import org.televisit.android.tempDir
import org.televisit.core.Actor
import org.televisit.core.AttemptKind
import org.televisit.core.ConsentMethod
import org.televisit.core.ContactBookException
import org.televisit.core.ContactCard
import org.televisit.core.DeleteOutcome
import org.televisit.core.EnsureAction
import org.televisit.core.ListScope
import org.televisit.core.NewPatient
import org.televisit.core.Platform
import org.televisit.core.Televisit
import org.televisit.core.WhatsAppApp
import org.televisit.core.videoCallMime

/** The real contact book against a provider that runs its SQL, driven by the real core. */
@RunWith(RobolectricTestRunner::class)
class ContactBookProviderTest {
    private val app = RuntimeEnvironment.getApplication()
    private val provider = Robolectric.setupContentProvider(TestContactsProvider::class.java, ContactsContract.AUTHORITY)
    private val card = ContactCard("Patient Susan Smith", "+447400123456", "televisit:pt_0123456789abcdef0123")

    @Test
    fun `create, read back, find by phone, update and delete at once as the account's sync adapter`() {
        val book = AndroidContactBook(app.contentResolver) { ContactAccount.OWN }
        val id = book.create(card)
        val read = book.get(id)!!
        assertEquals(card.displayName, read.displayName)
        assertEquals(listOf(card.phone), read.phones)
        assertEquals(card.marker, read.marker)
        assertEquals(listOf(id), book.findByPhone("+447400123456").map { it.platformId })
        assertTrue(book.findByPhone("+447400999999").isEmpty())

        book.update(id, card.copy(displayName = "Patient Susan Smith (2)"))
        assertEquals("Patient Susan Smith (2)", book.get(id)!!.displayName)
        assertEquals("the old number row was replaced, not added to", 1, book.get(id)!!.phones.size)
        assertThrows(ContactBookException.NotFound::class.java) { book.update("999", card) }

        assertEquals(listOf(DeleteOutcome.Deleted, DeleteOutcome.NotFound), book.delete(listOf(id, "999")))
        assertNull(book.get(id))
        assertEquals("a sync adapter's delete is final", 0, provider.flaggedDeleted())
    }

    @Test
    fun `owned contacts are the marked ones, in either account, a hand-made lookalike is not`() {
        val own = AndroidContactBook(app.contentResolver) { ContactAccount.OWN }
        val fallback = AndroidContactBook(app.contentResolver) { ContactAccount.DEFAULT }
        val a = own.create(card)
        val b = fallback.create(card.copy(marker = "televisit:pt_fedcba9876543210fedc", phone = "+447400000001"))
        val byHand = fallback.create(ContactCard("Patient Hand Made", "+447400000002", "a note of someone's own"))
        assertEquals(listOf(a, b), own.list(ListScope.OWNED).map { it.platformId })
        assertEquals(listOf(a, b, byHand), own.list(ListScope.ALL).map { it.platformId })
        assertNull(own.get(byHand)!!.marker)
        assertEquals(listOf(DeleteOutcome.Deleted), fallback.delete(listOf(b)))
        assertEquals("an app's delete is flagged for the provider to finish", 1, provider.flaggedDeleted())
        assertNull(own.get(b))
    }

    @Test
    fun `the core ensures the contact through the provider, and finds WhatsApp's row after its sync`() {
        val tv = Televisit.open(tempDir().resolve("televisit.db").path, KeystoreSecretStore.forTests(tempDir()))
        val book = AndroidContactBook(app.contentResolver) { ContactAccount.OWN }
        val patient = tv.patientAdd(NewPatient("Susan", "Smith", "+447400123456", null))
        assertEquals(EnsureAction.CREATED, tv.ensureContact(book, patient.id).action)
        assertEquals(EnsureAction.UNCHANGED, tv.ensureContact(book, patient.id).action)
        val rawId = tv.contactRecords().single().platformId

        val directory = AndroidWhatsAppDirectory(app.contentResolver)
        assertNull(directory.videoCallRow(rawId, WhatsAppApp.CONSUMER))
        val row = provider.addWhatsAppRow(rawId.toLong(), videoCallMime(WhatsAppApp.CONSUMER))
        assertEquals(row, directory.videoCallRow(rawId, WhatsAppApp.CONSUMER))
        assertNull(directory.videoCallRow(rawId, WhatsAppApp.BUSINESS))

        tv.unlockSucceeded()
        tv.consentRecord(patient.id, ConsentMethod.VERBAL, "v1", Actor.CLINICIAN)
        tv.acknowledgeDisclosure()
        val plan = tv.launchPlan(book, TestPhone(), directory, patient.id, Platform.ANDROID, null)
        assertEquals(AttemptKind.DIRECT_VIDEO, plan.attempts[0].kind)
    }

    @Test
    fun `a lookalike of a Google account is deleted as an app, so that Google deletes it too, ours at once, and WhatsApp is asked to sync`() {
        var syncs = 0
        val book = AndroidContactBook(app.contentResolver, afterDelete = { syncs++ }) { ContactAccount.OWN }
        val ours = book.create(card)
        val google = provider.addRawContact("com.google", "clinic@example.org", "Patient Made By Hand")
        val results = book.delete(listOf(ours, google.toString(), "424242"))
        assertEquals(listOf(DeleteOutcome.Deleted, DeleteOutcome.Deleted, DeleteOutcome.NotFound), results)
        assertEquals("Google's contact is flagged for its account's sync, ours is gone at once", 1, provider.flaggedDeleted())
        assertEquals(listOf("com.google"), provider.flaggedAccounts())
        assertEquals("one sync request for the batch", 1, syncs)
        assertEquals(listOf(DeleteOutcome.NotFound), book.delete(listOf(google.toString())))
        assertEquals("nothing deleted, no sync asked for", 1, syncs)
    }

    @Test
    fun `the account removed in Settings is made again before the next batch`() {
        val manager = android.accounts.AccountManager.get(app)
        assertEquals(ContactAccount.OWN, ContactAccounts.ensure(app))
        assertEquals(1, manager.getAccountsByType(ContactAccount.TYPE).size)
        manager.getAccountsByType(ContactAccount.TYPE).forEach { manager.removeAccountExplicitly(it) }
        assertEquals(0, manager.getAccountsByType(ContactAccount.TYPE).size)
        val book = AndroidContactBook(app)
        book.create(card)
        assertEquals("the batch went under a fresh account", 1, manager.getAccountsByType(ContactAccount.TYPE).size)
    }

    @Test
    fun `the account's contacts are made visible at every ensure, in one settings row`() {
        ContactAccounts.ensure(app)
        assertEquals(listOf(Triple(ContactAccount.NAME, ContactAccount.TYPE, 1)), provider.settingsRows())
        // Hidden in the contacts app (or lost in a migration): the next batch shows them again.
        provider.db.execSQL("UPDATE settings SET ungrouped_visible = 0")
        ContactAccounts.ensure(app)
        assertEquals(listOf(Triple(ContactAccount.NAME, ContactAccount.TYPE, 1)), provider.settingsRows())
    }

    @Test
    fun `a new store sweeps the contacts an earlier one left behind, and only Televisit's`() {
        val book = AndroidContactBook(app.contentResolver)
        val left = book.create(card)
        val google = provider.addRawContact("com.google", "dr.lee@gmail.com", "Patient Susan Smith")
        val tv = Televisit.open(tempDir().resolve("televisit.db").path, KeystoreSecretStore.forTests(tempDir()))
        assertEquals(org.televisit.core.OrphanSweep.Swept(1u, 0u), tv.sweepOrphanedContacts(book))
        assertNull(book.get(left))
        assertEquals("a lookalike in another account is not Televisit's", "Patient Susan Smith", book.get(google.toString())!!.displayName)
        assertEquals(org.televisit.core.OrphanSweep.NotDue, tv.sweepOrphanedContacts(book))
    }
}
