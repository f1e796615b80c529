//! Figure 5: the cleanup plan over 10,000 owned contacts, beside its floor.

use crate::file_secrets::FileSecretStore;
use crate::fixtures::{self, BenchClock, MemoryBook, Scratch, CONTACTS, DATABASE, SECRETS};
use crate::measure::{n, Sizes};
use crate::stats::{median, time_runs, Bound, Figure};
use crate::vcard_book::VcardContactBook;
use anyhow::{ensure, Result};
use serde_json::json;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use televisit_core::{CleanupRules, ContactBook, ListScope, StoreOptions, Televisit};

/// Figure 5: Cleanup plan over 10,000 owned contacts a month old (all due), with 100 hand-made
/// lookalikes; against one read of the same rows (contacts joined to patients) and the book's
/// list. Twice: with the core tests' in-memory book (the core's own cost: the phone's book is the
/// platform's), and with the desktop's vCard book (a real book that parses its files).
///
/// One store is seeded, through the core, with the vCard book (seeding is most of this figure's
/// time: 20,000 transactions); the in-memory book then holds the very same contacts, read from
/// the vCard files, and both plans run on that one store (a plan deletes nothing).
pub fn cleanup_plans(work: &Path, sizes: &Sizes) -> Result<Vec<Figure>> {
    let dir = work.join("cleanup-store");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let _scratch = Scratch(dir.clone());
    let vcard = VcardContactBook::open(&dir.join(CONTACTS))?;
    let secrets = FileSecretStore::new(&dir.join(SECRETS))?;
    let clock = Arc::new(BenchClock::at(chrono::Utc::now() - chrono::Duration::days(40)));
    let db = dir.join(DATABASE);
    let tv = Televisit::open(&db, &secrets, clock.clone(), &StoreOptions::default())?;
    for i in 0..sizes.cleanup_contacts {
        let patient = tv.patient_add(&fixtures::synthetic_patient(i))?;
        tv.ensure_contact(&fixtures::SeedBook(&vcard), &patient.id)?;
    }
    for i in 0..100 {
        let name = format!("Patient Hand {} {i}", fixtures::synthetic_patient(i).family_name);
        std::fs::write(
            vcard.dir().join(format!("hand-{}.vcf", name.replace(' ', "-"))),
            format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{name}\r\nTEL;TYPE=cell:+14155550199\r\nEND:VCARD\r\n"),
        )?;
    }
    clock.advance(chrono::Duration::days(31));
    let memory = MemoryBook::default();
    memory
        .contacts
        .lock()
        .map_err(|_| anyhow::anyhow!("the memory book's lock"))?
        .extend(vcard.list(ListScope::All)?.into_iter().map(|contact| (contact.platform_id.clone(), contact)));
    let store = Seeded { tv: &tv, db: &db, secrets: &secrets };
    Ok(vec![cleanup_plan(&store, sizes, &memory, "memory")?, cleanup_plan(&store, sizes, &vcard, "vcard")?])
}

/// The seeded store both plans run on.
struct Seeded<'a> {
    tv: &'a Televisit,
    db: &'a Path,
    secrets: &'a FileSecretStore,
}

fn cleanup_plan(store: &Seeded<'_>, sizes: &Sizes, contacts: &dyn ContactBook, book: &str) -> Result<Figure> {
    let tv = store.tv;
    let plan = tv.cleanup_plan(contacts, None)?;
    ensure!(plan.remove.len() == sizes.cleanup_contacts && plan.lookalikes.len() == 100, "unexpected plan");
    eprintln!("bench: 5. cleanup plan ({book} book): timing");
    let samples = time_runs(2, sizes.runs(11), || {
        black_box(tv.cleanup_plan(contacts, None::<CleanupRules>)?);
        Ok(())
    })?;
    let raw = fixtures::raw_connection(store.db, store.secrets)?;
    let floor = time_runs(2, sizes.runs(11), || {
        // The plan's own query (`core/src/cleanup.rs`): every owned contact with its patient and
        // latest consent, in one joined read. What the plan adds on top is the core's own cost.
        let mut stmt = raw.prepare(televisit_core::cleanup::PLANNING_QUERY)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<bool>>(8)?,
                    r.get::<_, Option<bool>>(9)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        black_box((rows, contacts.list(ListScope::All)?));
        Ok(())
    })?;
    let (m, b) = (median(&samples), median(&floor));
    let (id, what) = match book {
        "memory" => ("cleanup_plan", "the book in memory"),
        _ => ("cleanup_plan_vcard", "the desktop's vCard book"),
    };
    Ok(Figure::new(
        id,
        format!("cleanup plan ({} owned contacts, {what})", n(sizes.cleanup_contacts as u64)),
        m,
        "ms",
        "the plan's own joined read + the book's list",
        Some(b),
        Some(m / b),
        "floor's time",
    )
    .target("≤ 1.5× floor", &[Bound::RatioAtMost(1.5)])
    .samples(&samples)
    .detail(json!({ "baseline_samples_ms": floor, "lookalikes": 100, "book": book })))
}
