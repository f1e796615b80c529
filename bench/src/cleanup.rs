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
pub fn cleanup_plans(work: &Path, sizes: &Sizes) -> Result<Vec<Figure>> {
    let memory = MemoryBook::default();
    let dir = work.join("cleanup-vcard");
    let _ = std::fs::remove_dir_all(&dir);
    let vcard = VcardContactBook::open(&dir.join(CONTACTS))?;
    let _scratch = Scratch(dir.clone());
    // Seeding is most of this figure's time (20,000 transactions a store): the two stores are
    // seeded at once, one on each core; the timings run afterwards, one at a time.
    let (in_memory, on_disk) = std::thread::scope(|scope| {
        let other = scope.spawn(|| seed(work, sizes, Book::Vcard(&vcard)));
        let mine = seed(work, sizes, Book::Memory(&memory));
        (mine, other.join().map_err(|_| anyhow::anyhow!("the seeding thread panicked")).and_then(|seeded| seeded))
    });
    let (in_memory, on_disk) = (in_memory?, on_disk?);
    Ok(vec![cleanup_plan(sizes, &in_memory)?, cleanup_plan(sizes, &on_disk)?])
}

/// The book a cleanup figure plans against, and how its hand-made lookalikes are made.
enum Book<'a> {
    Memory(&'a MemoryBook),
    Vcard(&'a VcardContactBook),
}

impl Book<'_> {
    fn book(&self) -> &dyn ContactBook {
        match self {
            Book::Memory(book) => *book,
            Book::Vcard(book) => *book,
        }
    }

    /// Seeding goes through the desktop's seeding book (no lookup by phone, which would read
    /// every file for every contact).
    fn seed(&self, tv: &Televisit, patient: &televisit_core::PatientRef) -> Result<()> {
        match self {
            Book::Memory(book) => tv.ensure_contact(*book, patient)?,
            Book::Vcard(book) => tv.ensure_contact(&fixtures::SeedBook(book), patient)?,
        };
        Ok(())
    }

    fn add_by_hand(&self, name: &str) -> Result<()> {
        match self {
            Book::Memory(book) => {
                book.add_by_hand(name, "+14155550199");
            }
            Book::Vcard(book) => std::fs::write(
                book.dir().join(format!("hand-{}.vcf", name.replace(' ', "-"))),
                format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{name}\r\nTEL;TYPE=cell:+14155550199\r\nEND:VCARD\r\n"),
            )?,
        }
        Ok(())
    }

    fn code(&self) -> &'static str {
        match self {
            Book::Memory(_) => "memory",
            Book::Vcard(_) => "vcard",
        }
    }
}

/// A store seeded for one book: 10,000 patients with their contacts a month old, 100 lookalikes.
struct Seeded<'a> {
    book: Book<'a>,
    tv: Televisit,
    secrets: FileSecretStore,
    db: std::path::PathBuf,
    _scratch: Scratch,
}

fn seed<'a>(work: &Path, sizes: &Sizes, book: Book<'a>) -> Result<Seeded<'a>> {
    let dir = work.join(format!("cleanup-{}-store", book.code()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let scratch = Scratch(dir.clone());
    let secrets = FileSecretStore::new(&dir.join(SECRETS))?;
    let clock = Arc::new(BenchClock::at(chrono::Utc::now() - chrono::Duration::days(40)));
    let db = dir.join(DATABASE);
    let tv = Televisit::open(&db, &secrets, clock.clone(), &StoreOptions::default())?;
    for i in 0..sizes.cleanup_contacts {
        let patient = tv.patient_add(&fixtures::synthetic_patient(i))?;
        book.seed(&tv, &patient.id)?;
    }
    for i in 0..100 {
        book.add_by_hand(&format!("Patient Hand {} {i}", fixtures::synthetic_patient(i).family_name))?;
    }
    clock.advance(chrono::Duration::days(31));
    Ok(Seeded { book, tv, secrets, db, _scratch: scratch })
}

fn cleanup_plan(sizes: &Sizes, seeded: &Seeded<'_>) -> Result<Figure> {
    let (tv, book, contacts) = (&seeded.tv, &seeded.book, seeded.book.book());
    let plan = tv.cleanup_plan(contacts, None)?;
    ensure!(plan.remove.len() == sizes.cleanup_contacts && plan.lookalikes.len() == 100, "unexpected plan");
    eprintln!("bench: 5. cleanup plan ({} book): seeded, timing", book.code());
    let samples = time_runs(2, sizes.runs(11), || {
        black_box(tv.cleanup_plan(contacts, None::<CleanupRules>)?);
        Ok(())
    })?;
    let raw = fixtures::raw_connection(&seeded.db, &seeded.secrets)?;
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
        Book::Memory(_) => ("cleanup_plan", "the book in memory"),
        Book::Vcard(_) => ("cleanup_plan_vcard", "the desktop's vCard book"),
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
    .detail(json!({ "baseline_samples_ms": floor, "lookalikes": 100, "book": book.code() })))
}
