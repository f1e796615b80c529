//! Figure 4: a wipe as the desktop carries it out, step by step, beside its floors.

use crate::file_secrets::FileSecretStore;
use crate::fixtures::{self, Org, Scratch, TimedSecrets, CONTACTS, DATABASE, SECRETS};
use crate::measure::{n, Sizes};
use crate::stats::{median, ms, Bound, Figure};
use crate::vcard_book::VcardContactBook;
use anyhow::{ensure, Context, Result};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use televisit_core::it::wipe;
use televisit_core::{SecretStore, StoreOptions, Televisit};

/// Milliseconds from the command's arrival to each step of one desktop wipe.
#[derive(Debug, Clone, Default)]
struct WipeTimes {
    marker_written: f64,
    contacts_deleted: f64,
    key_destroyed: f64,
    files_deleted: f64,
    receipt_written: f64,
    done: f64,
    contacts: u32,
}

/// One wipe as `televisit wipe apply` carries it out (`cli/src/it_cmd.rs`, `apply_wipe`): the
/// store opened to verify and log the command, closed, the pending wipe run with the profile's
/// vCard book, its receipt written (and held until IT's bulletin confirms it). The clock starts
/// when the command arrives.
fn wipe_once(dir: &Path, org: &Org, enrollment: &televisit_core::it::enrollment::Enrollment) -> Result<WipeTimes> {
    let db = dir.join(DATABASE);
    let files = FileSecretStore::new(&dir.join(SECRETS))?;
    let secrets = TimedSecrets::new(&files);
    let token = org.wipe(enrollment)?;
    // IT pins the device key from the device's report; here, read before the wipe.
    let pinned = {
        let tv = Televisit::open(&db, &files, Arc::new(televisit_core::SystemClock), &StoreOptions::default())?;
        tv.enrollment(&files)?.context("not enrolled")?.1
    };
    let start = Instant::now();
    let tv = Televisit::open(&db, &secrets, Arc::new(televisit_core::SystemClock), &StoreOptions::default())?;
    tv.receive_wipe(&secrets, &token)?;
    drop(tv);
    let book = VcardContactBook::open(&dir.join(CONTACTS))?;
    let receipt =
        wipe::resume_pending(&db, &secrets, &book, chrono::Utc::now())?.context("the wipe left no receipt")?;
    let done = start.elapsed();
    let receipt = wipe::verify_receipt(&receipt, &pinned)?;
    ensure!(!db.exists() && files.get(televisit_core::secrets::names::DATA_KEY)?.is_none(), "the wipe left data");
    let at = |t: Option<Instant>| t.map_or(f64::NAN, |t| ms(t.duration_since(start)));
    let pending = wipe::PENDING;
    // The marker is written once before the steps and once after each, in the receipt's order.
    let after = |step: wipe::Step| receipt.steps.iter().position(|s| s.step == step).map(|i| i + 1);
    let after_step = |step| at(after(step).and_then(|n| secrets.nth_put(pending, n)));
    Ok(WipeTimes {
        marker_written: at(secrets.nth_put(pending, 0)),
        contacts_deleted: after_step(wipe::Step::DeleteContacts),
        key_destroyed: at(secrets.deleted(televisit_core::secrets::names::DATA_KEY)),
        files_deleted: after_step(wipe::Step::DeleteFiles),
        // The receipt lists the steps before it: its own marker write is the one after them.
        receipt_written: at(secrets.nth_put(pending, receipt.steps.len() + 1)),
        done: ms(done),
        contacts: receipt.steps.iter().find(|s| s.step == wipe::Step::DeleteContacts).map_or(0, |s| s.count),
    })
}

fn wipe_runs(work: &Path, name: &str, org: &Org, contacts: usize, entries: u64, runs: usize) -> Result<Vec<WipeTimes>> {
    let template = work.join(format!("{name}-template"));
    let _ = std::fs::remove_dir_all(&template);
    let _keep = Scratch(template.clone());
    let enrollment = fixtures::desktop_profile(&template, org, contacts, entries)?;
    let mut out = Vec::new();
    for i in 0..runs {
        let dir = work.join(format!("{name}-{i}"));
        let _ = std::fs::remove_dir_all(&dir);
        let _scratch = Scratch(dir.clone());
        fixtures::copy_dir(&template, &dir)?;
        out.push(wipe_once(&dir, org, &enrollment)?);
    }
    Ok(out)
}

/// Figure 4: Wipe of a desktop profile with the log filled and 5,000 contacts (vCard book): until the
/// key is destroyed, and until done; against the same wipe of an enrolled profile with no data.
pub fn wipe(work: &Path, sizes: &Sizes) -> Result<Vec<Figure>> {
    let org = Org::new()?;
    let full = wipe_runs(work, "wipe-full", &org, sizes.wipe_contacts, sizes.entries, sizes.runs(3))?;
    let empty = wipe_runs(work, "wipe-empty", &org, 0, 0, sizes.runs(5))?;
    ensure!(full.iter().all(|t| t.contacts as usize == sizes.wipe_contacts), "not every contact was deleted");
    let steps = |runs: &[WipeTimes]| {
        let col = |f: fn(&WipeTimes) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
        json!({
            "marker_written_ms": col(|t| t.marker_written),
            "contacts_deleted_ms": col(|t| t.contacts_deleted),
            "key_destroyed_ms": col(|t| t.key_destroyed),
            "files_deleted_ms": col(|t| t.files_deleted),
            "receipt_written_ms": col(|t| t.receipt_written),
            "done_ms": col(|t| t.done),
        })
    };
    let detail = json!({ "with_data": steps(&full), "empty_profile": steps(&empty) });
    let what = format!("{} entries, {} vCard contacts", n(sizes.entries), n(sizes.wipe_contacts as u64));
    let figure = |id, label: String, f: fn(&WipeTimes) -> f64, target: Option<(&str, Bound)>| {
        let samples: Vec<f64> = full.iter().map(f).collect();
        let (m, b) = (median(&samples), median(&empty.iter().map(f).collect::<Vec<_>>()));
        let fig = Figure::new(id, label, m, "ms", "same wipe, empty profile", Some(b), Some(m / b), "empty's time")
            .samples(&samples)
            .detail(detail.clone());
        match target {
            Some((text, bound)) => fig.target(text, &[bound]),
            None => fig,
        }
    };
    Ok(vec![
        figure(
            "wipe_unreadable",
            format!("wipe to unreadable, key destroyed ({what})"),
            |t| t.key_destroyed,
            Some(("≤ 50 ms", Bound::MeasuredAtMost(50.0))),
        ),
        figure("wipe_done", "wipe done, receipt written".to_owned(), |t| t.done, None),
    ])
}
