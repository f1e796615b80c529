//! The demo's rollback steps. The phone's holder puts an older copy of the database back (`cp`,
//! no key needed) to make the log say less: the head kept in the secret store beyond the
//! database finds it. A holder who also puts the secret store back (the keys with it) leaves a
//! phone that cannot tell; IT can, from the checkpoint an earlier report carried.

use crate::profile::{Profile, DATABASE};
use crate::view;
use anyhow::Result;
use std::fs;
use std::path::Path;
use televisit_admin::ledger::Ledger;
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

/// `copy_dir` holds a copy of an enrolled profile; `org_dir` the organisation's public info.
/// IT's side runs against a ledger of its own in `it_dir`, so the demo's other steps see none of it.
pub fn caught_by_it(copy_dir: &Path, before_dir: &Path, org_key: &str, it_dir: &Path) -> Result<()> {
    let copy = Profile::resolve(Some(copy_dir))?;
    super::copy_profile(copy_dir, before_dir)?;
    let tv = copy.open()?;
    for _ in 0..2 {
        tv.log_append(&NewEntry::new(EntryKind::CallLaunched, Actor::Clinician))?;
    }
    let report = tv.device_report(&copy.secrets, &crate::report_cmd::desktop_facts())?;
    let reported = tv.log_checkpoint()?.n;
    drop(tv);
    let mut ledger = Ledger::open(it_dir, org_key)?;
    let now = chrono::Utc::now().timestamp();
    ledger.import_bytes("monday.csv", report.as_bytes(), now)?;
    println!("   two more calls are logged; the next check-in's report carries the checkpoint (size {reported}), which IT imports");
    // The holder, keys and all: the database and the whole secret store put back as they were.
    fs::remove_dir_all(copy_dir)?;
    super::copy_profile(before_dir, copy_dir)?;
    let tv = copy.open()?;
    let verdict = tv.log_verify()?;
    println!(
        "   the holder puts back the database AND the secret store from before the calls; the phone itself: {}",
        view::verification_line(&verdict)
    );
    // Reports are signed to the second: the next check-in is a later one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let later = tv.device_report(&copy.secrets, &crate::report_cmd::desktop_facts())?;
    let now_size = tv.log_checkpoint()?.n;
    drop(tv);
    let outcome = ledger.import_bytes("tuesday.csv", later.as_bytes(), chrono::Utc::now().timestamp())?;
    let findings = ledger.log_findings(None)?;
    println!(
        "   $ televisit-admin devices import tuesday.csv   → {} (the report says {now_size}; exit 3)",
        findings.iter().map(televisit_admin::ledger::Finding::line).collect::<Vec<_>>().join("; ")
    );
    anyhow::ensure!(outcome.refused == 0, "IT refused the later report");
    match findings.first() {
        Some(f) if f.kind == "rollback" && f.seq == now_size.saturating_add(1) => Ok(()),
        _ => anyhow::bail!("IT did not catch the rolled-back phone: {findings:?}"),
    }
}
