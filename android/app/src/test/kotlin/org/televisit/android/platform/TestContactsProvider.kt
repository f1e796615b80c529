package org.televisit.android.platform

import android.content.ContentProvider
import android.content.ContentUris
import android.content.ContentValues
import android.database.Cursor
import android.database.sqlite.SQLiteDatabase
import android.net.Uri
import android.provider.ContactsContract

/**
 * The slice of Android's contacts provider the adapters use, on SQLite (Robolectric runs the
 * real SQLite): raw contacts and their data rows, the selections passed through as SQL so the
 * adapters' own WHERE clauses are exercised. A sync-adapter delete removes the row at once;
 * an app's delete only flags it, as the real provider does. Every raw contact is its own
 * aggregate (contact_id = raw id), and rows another app (WhatsApp) adds can be put in directly.
 */
class TestContactsProvider : ContentProvider() {
    lateinit var db: SQLiteDatabase

    /**
     * The contacts permission withdrawn: every call gets the SecurityException the real
     * provider throws (its manifest's read and write permissions) to a caller without it.
     */
    var denied = false

    private fun enforce() {
        if (denied) throw SecurityException("Permission Denial: requires android.permission.READ_CONTACTS")
    }

    override fun onCreate(): Boolean {
        db = SQLiteDatabase.create(null)
        db.execSQL(
            "CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY, account_type TEXT, account_name TEXT, " +
                "sourceid TEXT, deleted INTEGER NOT NULL DEFAULT 0, contact_id INTEGER)",
        )
        db.execSQL(
            "CREATE TABLE data_rows (_id INTEGER PRIMARY KEY, raw_contact_id INTEGER NOT NULL, mimetype TEXT, " +
                "data1 TEXT, data2 TEXT, data4 TEXT)",
        )
        db.execSQL(
            "CREATE VIEW data AS SELECT d.*, r.contact_id AS contact_id, r.account_type AS account_type " +
                "FROM data_rows d JOIN raw_contacts r ON r._id = d.raw_contact_id WHERE r.deleted = 0",
        )
        // ContactsContract.Settings: one row per account (the provider's own key).
        db.execSQL("CREATE TABLE settings (account_name TEXT, account_type TEXT, ungrouped_visible INTEGER, UNIQUE (account_name, account_type))")
        return true
    }

    private fun table(uri: Uri) = when (uri.pathSegments.firstOrNull()) {
        "raw_contacts" -> "raw_contacts"
        "data" -> "data_rows"
        "settings" -> "settings"
        else -> throw IllegalArgumentException("unsupported uri")
    }

    /** The account's `UNGROUPED_VISIBLE` rows, as (name, type, visible). */
    fun settingsRows(): List<Triple<String, String, Int>> =
        db.rawQuery("SELECT account_name, account_type, ungrouped_visible FROM settings", null).use { c ->
            generateSequence { if (c.moveToNext()) Triple(c.getString(0), c.getString(1), c.getInt(2)) else null }.toList()
        }

    private fun isAdapter(uri: Uri) = uri.getQueryParameter(ContactsContract.CALLER_IS_SYNCADAPTER) == "true"

    override fun insert(uri: Uri, values: ContentValues?): Uri {
        val table = table(uri)
        val id = db.insertOrThrow(table, null, values)
        if (table == "raw_contacts") db.execSQL("UPDATE raw_contacts SET contact_id = _id WHERE _id = $id")
        return ContentUris.withAppendedId(uri.buildUpon().clearQuery().build(), id)
    }

    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, args: Array<out String>?, order: String?): Cursor {
        enforce()
        val source = when (table(uri)) {
            "data_rows" -> "data"
            "settings" -> "settings"
            else -> "(SELECT * FROM raw_contacts WHERE deleted = 0)"
        }
        val columns = projection?.joinToString() ?: "*"
        val where = selection?.let { "WHERE $it" } ?: ""
        return db.rawQuery("SELECT $columns FROM $source $where ${order?.let { "ORDER BY $it" } ?: ""}", args?.map { it }?.toTypedArray())
    }

    override fun delete(uri: Uri, selection: String?, args: Array<out String>?): Int {
        enforce()
        val table = table(uri)
        val id = uri.pathSegments.getOrNull(1)
        val where = listOfNotNull(id?.let { "_id = $it" }, selection).joinToString(" AND ").ifEmpty { null }
        return if (table == "raw_contacts" && !isAdapter(uri)) {
            db.update(table, ContentValues().apply { put("deleted", 1) }, where, args?.map { it }?.toTypedArray())
        } else {
            if (table == "raw_contacts" && id != null) db.delete("data_rows", "raw_contact_id = ?", arrayOf(id))
            db.delete(table, where, args?.map { it }?.toTypedArray())
        }
    }

    override fun update(uri: Uri, values: ContentValues?, selection: String?, args: Array<out String>?): Int =
        db.update(table(uri), values, selection, args?.map { it }?.toTypedArray())

    override fun getType(uri: Uri): String? = null

    /** WhatsApp's side: after its sync, a raw contact of its own in the same aggregate, with a video row. */
    fun addWhatsAppRow(ourRawId: Long, mime: String): Long {
        val contactId = db.compileStatement("SELECT contact_id FROM raw_contacts WHERE _id = $ourRawId").simpleQueryForLong()
        val theirs = db.insert("raw_contacts", null, ContentValues().apply {
            put("account_type", "com.whatsapp")
            put("account_name", "WhatsApp")
            put("contact_id", contactId)
        })
        return db.insert("data_rows", null, ContentValues().apply {
            put("raw_contact_id", theirs)
            put("mimetype", mime)
            put("data1", "video call")
        })
    }

    /** A raw contact of another account (Google, Exchange), as its own sync would have made it. */
    fun addRawContact(accountType: String, accountName: String, name: String): Long {
        val raw = db.insert("raw_contacts", null, ContentValues().apply {
            put("account_type", accountType)
            put("account_name", accountName)
        })
        db.execSQL("UPDATE raw_contacts SET contact_id = _id WHERE _id = $raw")
        db.insert("data_rows", null, ContentValues().apply {
            put("raw_contact_id", raw)
            put("mimetype", ContactsContract.CommonDataKinds.StructuredName.CONTENT_ITEM_TYPE)
            put("data1", name)
        })
        return raw
    }

    fun flaggedAccounts(): List<String> =
        db.rawQuery("SELECT account_type FROM raw_contacts WHERE deleted = 1", null).use { c ->
            generateSequence { if (c.moveToNext()) c.getString(0) else null }.toList()
        }

    fun flaggedDeleted(): Int = db.compileStatement("SELECT count(*) FROM raw_contacts WHERE deleted = 1").simpleQueryForLong().toInt()
}
