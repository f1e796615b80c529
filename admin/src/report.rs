//! What `televisit-admin` says about a device's receipt and a sealed log export, as text. The
//! binary prints it; the desktop demo shows the same text when it plays IT in-process.

use anyhow::{Context, Result};
use televisit_protocol::chain::Verification;
use televisit_protocol::export::{self, Export};
use televisit_protocol::wipe::Receipt;

/// A receipt verified against the device's pinned key, one paragraph.
pub fn receipt_text(receipt: &Receipt) -> String {
    let steps: Vec<String> = receipt
        .steps
        .iter()
        .map(|s| match &s.reason {
            Some(reason) => format!("{} did not run ({reason})", s.step.code()),
            None => format!("{} {} (failed {})", s.step.code(), s.count, s.failed),
        })
        .collect();
    let when = chrono::DateTime::from_timestamp(receipt.completed_at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
    format!(
        "valid receipt: command {} on device {} (enrollment {}) completed at {when}\n  steps: {}\n  signed by {}, the enrolled device's key",
        receipt.command_id,
        receipt.device_id,
        receipt.enrollment_id,
        steps.join(", "),
        receipt.device_key,
    )
}

/// Decrypts a sealed export with the organisation's export identity, reads it and verifies its chain.
pub fn open_export(sealed: &[u8], identity: &str) -> Result<(Export, Verification)> {
    let identity: age::x25519::Identity =
        identity.trim().parse().map_err(|_| anyhow::anyhow!("the export identity is not an age X25519 identity"))?;
    let json = zeroize::Zeroizing::new(age::decrypt(&identity, sealed).map_err(|_| {
        anyhow::anyhow!("invalid log export: does not open with this identity (another organisation's, or damaged)")
    })?);
    let export = export::parse(&json)?;
    let verification = export::verify(&export).context("the export's chain")?;
    Ok((export, verification))
}

/// How `log open` shows an opened export: one line per entry, then the chain's verdict.
/// Returns whether the chain is intact, and the text.
pub fn export_text(export: &Export, verification: &Verification) -> (bool, String) {
    let mut out = format!(
        "export of device {} (enrollment {}), {} entries\n",
        export.device_id,
        export.enrollment_id,
        export.entries.len()
    );
    for e in &export.entries {
        let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>5}  {at}  {:<24} {:<9} {:<35} {}\n",
            e.seq,
            e.kind,
            e.actor,
            e.patient.as_deref().unwrap_or("-"),
            e.detail_raw
        ));
    }
    let intact = matches!(verification, Verification::Intact { .. });
    out.push_str(&match verification {
        Verification::Intact { count, head } => format!("chain intact: {count} entries, head at seq {}\n", head.seq),
        Verification::Broken { seq, problem } => format!("chain BROKEN at seq {seq}: entry {}\n", problem.describe()),
    });
    (intact, out)
}
