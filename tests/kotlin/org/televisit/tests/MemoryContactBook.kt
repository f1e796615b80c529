package org.televisit.tests

import org.televisit.core.BookContact
import org.televisit.core.ContactBook
import org.televisit.core.ContactBookException
import org.televisit.core.ContactCard
import org.televisit.core.DeleteOutcome
import org.televisit.core.ListScope
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

/** A Kotlin ContactBook, as a shell writes one: here the contacts live in a map. */
class MemoryContactBook : ContactBook {
    val contacts = ConcurrentHashMap<String, BookContact>()
    private val next = AtomicInteger()

    /** Deleting these ids fails, as a busy contacts provider would. */
    val failDelete = mutableSetOf<String>()

    /** When set, every call throws: contacts permission withdrawn. */
    var denied = false

    fun addByHand(name: String, phone: String): String {
        val id = "raw-${next.incrementAndGet()}"
        contacts[id] = BookContact(id, name, listOf(phone), null)
        return id
    }

    private fun check() {
        if (denied) throw ContactBookException.PermissionDenied("READ_CONTACTS was revoked")
    }

    override fun create(card: ContactCard): String {
        check()
        val id = "raw-${next.incrementAndGet()}"
        contacts[id] = BookContact(id, card.displayName, listOf(card.phone), card.marker)
        return id
    }

    override fun update(platformId: String, card: ContactCard) {
        check()
        if (!contacts.containsKey(platformId)) throw ContactBookException.NotFound()
        contacts[platformId] = BookContact(platformId, card.displayName, listOf(card.phone), card.marker)
    }

    override fun delete(platformIds: List<String>): List<DeleteOutcome> {
        check()
        return platformIds.map { id ->
            when {
                id in failDelete -> DeleteOutcome.Failed("the contacts provider is busy")
                contacts.remove(id) != null -> DeleteOutcome.Deleted
                else -> DeleteOutcome.NotFound
            }
        }
    }

    override fun get(platformId: String): BookContact? {
        check()
        return contacts[platformId]
    }

    override fun list(scope: ListScope): List<BookContact> {
        check()
        return contacts.values.filter { scope == ListScope.ALL || it.marker != null }.sortedBy { it.platformId }
    }

    override fun findByPhone(e164: String): List<BookContact> {
        check()
        return contacts.values.filter { e164 in it.phones }
    }
}
