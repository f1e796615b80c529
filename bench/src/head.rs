//! Figure 2b: what keeping the log's head beyond the database costs per append. The same
//! appends, one per transaction, to two stores side by side: one keeping its head in the
//! desktop's file secret store after every commit (as the shells open it), one not.

use crate::file_secrets::FileSecretStore;
use crate::fixtures::{self, Scratch, DATABASE, SECRETS};
use crate::stats::{median, ms, per_second, Figure};
use anyhow::Result;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use televisit_core::Televisit;

pub fn head_protection(work: &Path, quick: bool) -> Result<Figure> {
    let dir = work.join("head");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let _scratch = Scratch(dir.clone());
    let open = |name: &str, guarded: bool| -> Result<Televisit> {
        let profile = dir.join(name);
        std::fs::create_dir_all(&profile)?;
        let secrets = FileSecretStore::new(&profile.join(SECRETS))?;
        let tv = fixtures::open(&profile.join(DATABASE), &secrets)?;
        if guarded {
            tv.protect_log_head(Arc::new(FileSecretStore::new(&profile.join(SECRETS))?))?;
        }
        Ok(tv)
    };
    let (kept, bare) = (open("kept", true)?, open("bare", false)?);
    let refs = fixtures::patient_refs(64)?;
    let per_round: u64 = if quick { 200 } else { 1_000 };
    let rounds = if quick { 3 } else { 7 };
    let round = |tv: &Televisit| -> Result<f64> {
        let start = Instant::now();
        for i in 0..per_round {
            tv.log_append(&fixtures::entry(i, &refs))?;
        }
        Ok(per_second(per_round, ms(start.elapsed())))
    };
    round(&kept)?;
    round(&bare)?;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        with.push(round(&kept)?);
        without.push(round(&bare)?);
    }
    let (m, b) = (median(&with), median(&without));
    Ok(Figure::new(
        "append_head_kept",
        "log append, 1 entry per transaction, head kept beyond the database",
        m,
        "entries/s",
        "the same appends without it",
        Some(b),
        Some(b / m),
        "the plain append's time",
    )
    .samples(&with))
}
