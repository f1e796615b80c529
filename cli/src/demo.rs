//! `televisit demo`: the product end to end in a fresh temporary profile, narrated step by step.
//! Everything is real: a SQLCipher file, a random key, the HMAC chain. The patient is named only
//! by an opaque id; the demo never handles a name or a phone number.

use crate::profile::{Profile, DATABASE, SECRETS};
use crate::view;
use anyhow::{Context, Result};
use std::fs;
use std::path::Path;
use televisit_core::secrets::names;
use televisit_core::{
    Actor, Detail, EntryKind, LogQuery, NewEntry, PatientRef, Policy, SecretStore, Televisit, Verification,
};

pub fn run() -> Result<()> {
    let temp =
        tempfile::Builder::new().prefix("televisit-demo-").tempdir().context("cannot make a temporary folder")?;
    println!("Televisit demo, in a fresh profile at {}\n", temp.path().display());

    let profile = Profile::resolve(Some(&temp.path().join("profile")))?;
    let tv = store_step(&profile)?;
    policy_step(&tv)?;
    activity_step(&tv)?;
    let head = verify_step(&tv)?;
    drop(tv); // closing checkpoints the WAL, so the copy below is complete
    tamper_step(&profile, &temp.path().join("tampered-copy"), head)?;
    check_step(&profile)?;

    println!("\nDone. The temporary profile is removed now.");
    Ok(())
}

fn store_step(profile: &Profile) -> Result<Televisit> {
    println!("1. The encrypted store");
    let tv = profile.open()?;
    let salt = hex::encode(fs::read(profile.database())?.iter().take(8).copied().collect::<Vec<u8>>());
    println!(
        "   created {} (SQLCipher, WAL, schema v{})",
        profile.database().display(),
        televisit_core::schema::SCHEMA_VERSION
    );
    println!("   its 256-bit key came from the system RNG and is kept by the secret store:");
    println!(
        "   here a 0600 file in {}/ (desktop development only; AndroidKeyStore or the Keychain on phones)",
        SECRETS
    );
    println!("   the file starts {salt}…, a random salt: no \"SQLite format 3\" header, nothing readable\n");
    Ok(tv)
}

fn policy_step(tv: &Televisit) -> Result<()> {
    println!("2. The organisation's policy");
    let policy = Policy { version: 1, organisation: "St Elsewhere Hospital".into(), ..Policy::default() };
    tv.set_policy(&policy)?;
    println!(
        "   applied version {} for {}: contacts named \"{}\", log kept {} days, lock after {} s idle\n",
        policy.version,
        policy.organisation,
        policy.contacts.name_template,
        policy.log.retention_days,
        policy.app_lock.inactivity_timeout_seconds
    );
    Ok(())
}

fn activity_step(tv: &Televisit) -> Result<()> {
    println!("3. The activity log: each action leaves an entry, chained by HMAC-SHA256");
    let patient = PatientRef::generate()?;
    let entries = [
        NewEntry::new(EntryKind::PatientAdded, Actor::Clinician).patient(patient.clone()),
        NewEntry::new(EntryKind::ConsentRecorded, Actor::Clinician)
            .patient(patient.clone())
            .detail(Detail::new().code("method", "verbal").int("text_version", 1)),
        NewEntry::new(EntryKind::ContactCreated, Actor::Clinician).patient(patient.clone()),
        NewEntry::new(EntryKind::CallLaunched, Actor::Clinician)
            .patient(patient.clone())
            .detail(Detail::new().code("app", "com.whatsapp")),
        NewEntry::new(EntryKind::CleanupRun, Actor::Staff).detail(Detail::new().int("deleted", 1).int("failed", 0)),
    ];
    for entry in &entries {
        tv.log_append(entry)?;
    }
    println!("   appended {} entries; the patient appears only as the opaque id {patient}", entries.len());
    print!("{}", indent(&view::entries_table(&tv.log_list(&LogQuery::default())?)));
    println!();
    Ok(())
}

fn verify_step(tv: &Televisit) -> Result<u64> {
    println!("4. Verify the chain");
    let verification = tv.log_verify()?;
    println!("   {}\n", view::verification_line(&verification));
    match verification {
        Verification::Intact { head, .. } => Ok(head.seq),
        Verification::Broken { .. } => anyhow::bail!("a fresh log did not verify"),
    }
}

fn tamper_step(profile: &Profile, copy_dir: &Path, head_seq: u64) -> Result<()> {
    let target = head_seq - 2;
    println!("5. Tamper with a copy, as someone holding the database key could");
    copy_profile(&profile.dir, copy_dir)?;
    let copy = Profile::resolve(Some(copy_dir))?;
    let key = copy.secrets.get(names::DATA_KEY)?.context("the copy has no key")?;
    let raw = rusqlite::Connection::open(copy.database())?;
    raw.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode_upper(&key)))?;
    raw.execute("UPDATE log_entries SET at_ms = at_ms - 3600000 WHERE seq = ?1", [target as i64])?;
    drop(raw);
    println!(
        "   in {}, moved entry {target}'s time back one hour (a plain SQL UPDATE, MAC left as it was)",
        copy_dir.display()
    );
    let tampered = copy.open()?.log_verify()?;
    println!("   verify the copy:   {}", view::verification_line(&tampered));
    let original = profile.open()?.log_verify()?;
    println!("   verify the original: {}\n", view::verification_line(&original));
    match tampered {
        Verification::Broken { seq, .. } if seq == target => Ok(()),
        other => anyhow::bail!("the tampering was not found where it was made: {other:?}"),
    }
}

fn check_step(profile: &Profile) -> Result<()> {
    println!("6. Full integrity check of the original");
    let report = profile.open()?.integrity_check()?;
    println!("   pages: {}", if report.pages_ok { "every page's HMAC checks out" } else { "damaged" });
    println!(
        "   structure: {}",
        if report.problems.is_empty() { "ok".to_string() } else { report.problems.join("; ") }
    );
    println!("   chain: {}", view::verification_line(&report.chain));
    Ok(())
}

fn copy_profile(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to.join(SECRETS))?;
    fs::copy(from.join(DATABASE), to.join(DATABASE))?;
    for file in fs::read_dir(from.join(SECRETS))? {
        let file = file?;
        fs::copy(file.path(), to.join(SECRETS).join(file.file_name()))?;
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("   {line}\n")).collect()
}
