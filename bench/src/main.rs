//! `televisit-bench`: figures 1 to 5 and 8 of the benchmark (open to ready, log append, chain
//! verify, wipe, cleanup plan; IT's fleet ledger and log archive), each measured beside its baseline in the same run, written as JSON.
//! `cargo xtask bench` builds it in release, runs it, adds the library's size and the demo's
//! peak memory, and prints the table. Speed targets are reported here, never asserted in tests.
//!
//!   televisit-bench [--out FILE] [--work DIR] [--quick] [--only open|append|verify|wipe|cleanup|ledger|archive|relay]
//!
//! `--quick` shrinks every profile (a smoke run; its figures are not the benchmark's); `--only`
//! runs one figure, for a profiler.

// The desktop shell's secret store and vCard book, compiled from the shell's own sources: the
// shell has no library target, and the wipe must be measured with the code the desktop runs.
#[allow(dead_code)]
#[path = "../../cli/src/file_secrets.rs"]
mod file_secrets;
#[allow(dead_code)]
#[path = "../../cli/src/vcard_book.rs"]
mod vcard_book;

mod archive;
mod cleanup;
mod fixtures;
mod head;
mod ledger;
mod measure;
mod page_cost;
mod relay_load;
mod stats;
mod wipe;

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("televisit-bench: error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<()> {
    let mut out = PathBuf::from("target/bench/core.json");
    let mut work = None;
    let mut sizes = measure::Sizes::full();
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().context("--out needs a file")?.into(),
            "--work" => work = Some(PathBuf::from(args.next().context("--work needs a folder")?)),
            "--quick" => sizes = measure::Sizes::quick(),
            "--only" => only = Some(args.next().context("--only needs a figure")?),
            _ => anyhow::bail!(
                "usage: televisit-bench [--out FILE] [--work DIR] [--quick] [--only open|append|verify|wipe|cleanup|ledger|archive|relay]"
            ),
        }
    }
    let work = match work {
        Some(dir) => dir,
        None => out.parent().map(|p| p.join("work")).unwrap_or_else(|| PathBuf::from("bench-work")),
    };
    std::fs::create_dir_all(&work)?;
    let work = work.canonicalize()?;

    let mut figures = Vec::new();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let step = |what: &str| eprintln!("bench: {what}");
    if wanted("open") || wanted("verify") {
        step(&format!("filling a log of {} entries", sizes.entries));
        let profile = measure::log_profile(&work, &sizes)?;
        if wanted("open") {
            step("1. open to ready (and the passphrase database)");
            figures.push(measure::open_to_ready(&work, &sizes, &profile)?);
        }
        if wanted("append") {
            step("2. log append");
            figures.extend(measure::log_append(&work, &sizes)?);
            figures.push(head::head_protection(&work, sizes.quick)?);
        }
        if wanted("verify") {
            step("3. full chain verify");
            figures.push(measure::verify(&sizes, &profile)?);
        }
    } else if wanted("append") {
        step("2. log append");
        figures.extend(measure::log_append(&work, &sizes)?);
        figures.push(head::head_protection(&work, sizes.quick)?);
    }
    if wanted("wipe") {
        step("4. wipe (seeding the vCard contacts takes a while)");
        figures.extend(wipe::wipe(&work, &sizes)?);
    }
    if wanted("cleanup") {
        step("5. cleanup plan");
        figures.extend(cleanup::cleanup_plans(&work, &sizes)?);
    }
    if wanted("archive") {
        step("9. IT's log archive: verifying an export, checkpoint and proof sizes");
        figures.extend(archive::archive(sizes.quick)?);
    }
    if wanted("ledger") {
        step("8. IT's fleet ledger");
        let ledger_sizes = if sizes.quick { ledger::LedgerSizes::quick() } else { ledger::LedgerSizes::full() };
        figures.extend(ledger::ledger(&work, &ledger_sizes)?);
    }

    if wanted("relay") {
        step("10. the fleet relay under a fleet's load (PostgreSQL, TLS)");
        let relay_sizes = if sizes.quick { relay_load::RelaySizes::quick() } else { relay_load::RelaySizes::full() };
        figures.extend(relay_load::relay(&work, &relay_sizes)?);
        figures.push(relay_load::fleet_bulletin_size(&work, if sizes.quick { 10_000 } else { 100_000 })?);
    }

    let report = serde_json::json!({
        "quick": sizes.quick,
        "sizes": {
            "entries": sizes.entries,
            "wipe_contacts": sizes.wipe_contacts,
            "cleanup_contacts": sizes.cleanup_contacts,
        },
        "figures": figures,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("cannot write {}", out.display()))?;
    for f in &figures {
        eprintln!("bench: {:<60} {:>16}  {}", f.figure, f.measured_text, f.ratio_text);
    }
    Ok(())
}
