//! The demo's rollback step: the phone's holder puts an older copy of the database back (`cp`,
//! no key needed) to make the log say less. The head kept in the secret store beyond the
//! database finds it.

use crate::profile::{Profile, DATABASE};
use crate::view;
use anyhow::Result;
use std::fs;
use std::path::Path;
use televisit_core::log::{Actor, EntryKind, NewEntry, Tamper, Verification};

/// `copy_dir` holds a copy of the profile (database and secrets) made by the caller.
pub fn run(copy_dir: &Path) -> Result<()> {
    let copy = Profile::resolve(Some(copy_dir))?;
    let older = copy_dir.join("older-copy.db");
    fs::copy(copy.database(), &older)?;
    let tv = copy.open()?;
    for _ in 0..2 {
        tv.log_append(&NewEntry::new(EntryKind::CallLaunched, Actor::Clinician))?;
    }
    let expected = tv.log_protected_head()?.unwrap_or(0);
    drop(tv);
    fs::copy(&older, copy.database())?;
    for leftover in ["-wal", "-shm"] {
        let _ = fs::remove_file(copy_dir.join(format!("{DATABASE}{leftover}")));
    }
    println!("   in a second copy, two more calls were logged, then the older database file was put back (cp, no key)");
    let verdict = copy.open()?.log_verify()?;
    println!(
        "   verify it:         {} (the secret store says the log reaches seq {expected})",
        view::verification_line(&verdict)
    );
    match verdict {
        Verification::Broken { problem: Tamper::RolledBack, .. } => Ok(()),
        other => anyhow::bail!("the older copy was not found: {other:?}"),
    }
}
