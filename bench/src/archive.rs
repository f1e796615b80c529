//! Figure 9: IT's side of the log. Verifying an export of 100,000 entries as `log import` does it
//! (parse the canonical JSON, check the device's signature, walk the public chain to the
//! checkpoint) against the bare floor: one SHA-256 over the same bytes. And the sizes that must
//! fit: a checkpoint inside a device report, and what proves that a later log extends an earlier
//! one at 1,000,000 entries (beside an RFC 6962 consistency proof's, for ADR 14).

use crate::stats::{median, ms, Figure};
use anyhow::Result;
use std::time::Instant;
use televisit_protocol::chain::Link;
use televisit_protocol::checkpoint::{self, Checkpoint, Point, MAX_SIZE};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::export::{self, ExportBody, ExportedEntry};

fn body(entries: u64) -> Result<ExportBody> {
    let start = checkpoint::anchor(Link { seq: 0, mac: [1; 32] });
    let entries: Vec<ExportedEntry> = (1..=entries)
        .map(|seq| ExportedEntry {
            seq,
            at_ms: 1_795_953_600_000 + i64::try_from(seq).unwrap_or(0) * 1000,
            kind: "call_launched".into(),
            actor: "clinician".into(),
            patient: Some(format!("pt_{:032x}", seq % 500)),
            detail: r#"{"app":"com.whatsapp","step":"sync_then_video"}"#.into(),
        })
        .collect();
    let to = checkpoint::extend(start, entries.iter().map(ExportedEntry::fields))?.last().copied().unwrap_or(start);
    Ok(ExportBody {
        format: export::FORMAT.into(),
        org: "AAAAAAAAAAAAAAAA".into(),
        device_id: "dev_000000000000000000000001".into(),
        enrollment_id: "enr_000000000000000000000001".into(),
        exported_at_ms: 1_795_953_600_000,
        from: Checkpoint::from_point(start),
        to: Checkpoint::from_point(to),
        whole: true,
        entries,
    })
}

pub fn archive(quick: bool) -> Result<Vec<Figure>> {
    let n: u64 = if quick { 20_000 } else { 100_000 };
    let key = SigningKey::from_seed(&[9; 32])?;
    let json = export::sign(&key, body(n)?);
    let public = key.public_key();
    let rounds = if quick { 3 } else { 5 };
    let (mut verify, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        let parsed = export::parse(&json)?;
        let segment = export::verify(&parsed, &public)?;
        anyhow::ensure!(segment.to.seq == n, "the bench export does not verify to its end");
        verify.push(ms(start.elapsed()));
        let start = Instant::now();
        let digest = ring::digest::digest(&ring::digest::SHA256, &json);
        std::hint::black_box(digest);
        floor.push(ms(start.elapsed()).max(0.001));
    }
    let (v, f) = (median(&verify), median(&floor));
    let mut figures = vec![Figure::new(
        "export_verify",
        format!(
            "IT verifies an export of {n} entries ({:.1} MB): parse, signature, public chain",
            json.len() as f64 / 1e6
        ),
        v,
        "ms",
        "one SHA-256 over the same bytes",
        Some(f),
        Some(v / f),
        "the hashing floor",
    )
    .samples(&verify)];
    // The checkpoint as a report carries it, at the largest size a log can reach.
    let cp = Checkpoint::from_point(Point { seq: MAX_SIZE, hash: [0xff; 32] });
    let cp_json = serde_json::to_string(&cp)?;
    // In the report's base64url payload: 4 characters per 3 bytes, plus its key `"cp":`.
    let cp_chars = ((cp_json.len() + 6) * 4).div_ceil(3) as f64;
    figures.push(Figure::new(
        "checkpoint_size",
        "a checkpoint inside a device report (the report's limit is 1,000 characters)",
        cp_chars,
        "characters",
        "—",
        None,
        None,
        "",
    ));
    // Consistency of a later log with an earlier one at 1,000,000 entries: the hash chain needs no
    // proof beyond the entries IT archives anyway; an RFC 6962 tree needs ceil(log2(n)) hashes.
    let tree_proof = (f64::from(1_000_000u32).log2().ceil()) * 32.0;
    figures.push(Figure::new(
        "consistency_proof_size",
        "extra bytes proving a later log extends an earlier one, 1,000,000 entries (entries are archived anyway)",
        0.0,
        "bytes",
        "an RFC 6962 consistency proof",
        Some(tree_proof),
        None,
        "",
    ));
    Ok(figures)
}
