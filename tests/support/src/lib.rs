//! Lets the JVM tests tamper with a store the way someone holding its key could: run SQL on the
//! decrypted database. Loaded by JNA in `tests/kotlin`; never part of the product.

use std::ffi::{c_char, CStr};

/// Runs `sql` on the SQLCipher database at `path`, opened with the raw key-and-salt `key_hex`.
/// Returns the number of rows changed, or -1 on any failure.
///
/// # Safety
/// The three pointers must be valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn televisit_test_exec(path: *const c_char, key_hex: *const c_char, sql: *const c_char) -> i64 {
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().ok().map(str::to_owned);
    let (Some(path), Some(key_hex), Some(sql)) = (text(path), text(key_hex), text(sql)) else {
        return -1;
    };
    let run = || -> rusqlite::Result<i64> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";"))?;
        let before = conn.total_changes();
        conn.execute_batch(&sql)?;
        Ok((conn.total_changes() - before) as i64)
    };
    run().unwrap_or(-1)
}
