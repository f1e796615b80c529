package org.televisit.android

import org.televisit.core.BookContact
import org.televisit.core.ContactBook
import org.televisit.core.ContactBookException
import org.televisit.core.ContactCard
import org.televisit.core.DeleteOutcome
import org.televisit.core.DeviceFacts
import org.televisit.core.DeviceSnapshot
import org.televisit.core.InstalledWhatsApp
import org.televisit.core.ListScope
import org.televisit.core.WhatsAppApp
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/** An in-memory contact book, for tests that are about something else than the provider. */
class ListBook : ContactBook {
    private val contacts = linkedMapOf<String, BookContact>()
    private var next = 1

    override fun create(card: ContactCard): String {
        val id = (next++).toString()
        contacts[id] = BookContact(id, card.displayName, listOf(card.phone), card.marker)
        return id
    }

    override fun update(platformId: String, card: ContactCard) {
        if (platformId !in contacts) throw ContactBookException.NotFound()
        contacts[platformId] = BookContact(platformId, card.displayName, listOf(card.phone), card.marker)
    }

    override fun delete(platformIds: List<String>) =
        platformIds.map { if (contacts.remove(it) != null) DeleteOutcome.Deleted else DeleteOutcome.NotFound }

    override fun get(platformId: String) = contacts[platformId]
    override fun list(scope: ListScope) = contacts.values.filter { scope == ListScope.ALL || it.marker != null }
    override fun findByPhone(e164: String) = contacts.values.filter { e164 in it.phones }
}

/** A phone with a screen lock and the given WhatsApp apps. */
class TestPhone(private val apps: List<WhatsAppApp> = listOf(WhatsAppApp.CONSUMER)) : DeviceFacts {
    override fun snapshot() = DeviceSnapshot(true, false, "Android 14", apps.map { InstalledWhatsApp(it, "2.26.1") }, 0)
}

fun tempDir(): java.io.File = Files.createTempDirectory("televisit-android").toFile()

/** Every `attribute` (android namespace) of every `tag` in one of the app's XML files, under `android/`. */
fun attributes(path: String, tag: String, attribute: String): List<String> {
    val root = java.io.File(System.getProperty("televisit.android") ?: "android")
    val parser = android.util.Xml.newPullParser()
    parser.setFeature(org.xmlpull.v1.XmlPullParser.FEATURE_PROCESS_NAMESPACES, true)
    java.io.File(root, path).reader().use { reader ->
        parser.setInput(reader)
        val found = mutableListOf<String>()
        while (parser.next() != org.xmlpull.v1.XmlPullParser.END_DOCUMENT) {
            if (parser.eventType == org.xmlpull.v1.XmlPullParser.START_TAG && parser.name == tag) {
                found += parser.getAttributeValue("http://schemas.android.com/apk/res/android", attribute) ?: continue
            }
        }
        return found
    }
}

/** IT's side: the real `televisit-admin` (built by `cargo xtask test`) in a folder of its own. */
class Admin {
    val dir = tempDir()
    private val bin = System.getProperty("televisit.bin") ?: "target/debug"

    /** Its standard output (what IT's scripts capture); its notes on stderr only explain a failure. */
    fun run(vararg args: String): String {
        val errors = java.io.File.createTempFile("televisit-admin", ".err")
        val process = ProcessBuilder(listOf("$bin/televisit-admin") + args).directory(dir).redirectError(errors).start()
        val out = process.inputStream.bufferedReader().readText()
        check(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0) { out + errors.readText() }
        errors.delete()
        return out.trim()
    }

    init {
        run("org", "init", "--org", "org", "--name", "North Clinic")
    }

    fun signedPolicy(version: Int): String {
        java.io.File(dir, "p$version.json").writeText("""{"version": $version, "organisation": "North Clinic"}""")
        return run("policy", "sign", "p$version.json", "--org", "org")
    }

    fun enrollCode(): String = run("enroll-code", "--org", "org", "--policy", signedPolicy(1))

    fun wipe(device: String, enrollment: String): String =
        run("wipe", "issue", "--org", "org", "--unlisted", "--device", device, "--enrollment", enrollment, "--scope", "all")

    /** `devices import` of what the MDM collected (reports, receipts), one per line. */
    fun import(vararg published: String): String {
        val file = java.io.File(dir, "published-${System.nanoTime()}.txt")
        file.writeText(published.joinToString("\n") + "\n")
        return run("devices", "import", "--org", "org", file.path)
    }

    /** The fleet's bulletin, holding these wipe commands (and confirming what the ledger holds). */
    fun bulletin(vararg wipes: String): String =
        run("bulletin", "sign", "--org", "org", *wipes.flatMap { listOf("--wipe", it) }.toTypedArray())
}
