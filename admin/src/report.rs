//! What `televisit-admin` says about a device's receipt and a sealed log export, as text. The
//! binary prints it; the desktop demo shows the same text when it plays IT in-process.

use anyhow::Result;
use televisit_protocol::export::{self, Segment, SignedExport};
use televisit_protocol::text::shown;
use televisit_protocol::wipe::Receipt;

/// A receipt verified against the device's pinned key, one paragraph.
pub fn receipt_text(receipt: &Receipt) -> String {
    let steps: Vec<String> = receipt
        .steps
        .iter()
        .map(|s| match &s.reason {
            Some(reason) => format!("{} did not run ({})", s.step.code(), shown(reason)),
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

/// An opened export (`ledger::archive::open_sealed`) verified against the device key IT pinned
/// (none when the ledger does not know the device: then it is not verified), as `export_text`
/// says it.
pub fn verdict(signed: &SignedExport, pinned: Option<&str>) -> Result<Segment, String> {
    match pinned {
        Some(key) => export::verify(signed, key).map_err(|err| err.to_string()),
        None => Err("not verified: the ledger does not know this device (import its report first)".into()),
    }
}

/// How `log open` shows an opened export: one line per entry, then the verdict. Returns whether
/// it verified, and the text.
pub fn export_text(signed: &SignedExport, verdict: &Result<Segment, String>) -> (bool, String) {
    let body = &signed.body;
    // The verdict first, and the entries only of an export that verified: what does not verify
    // is anybody's text, and may be written to look like a verdict.
    let mut out = match verdict {
        Ok(segment) => format!(
            "verified: signed by the pinned device key; the entries lead from seq {} to the checkpoint at seq {}\n",
            segment.from.seq, segment.to.seq
        ),
        Err(reason) => format!("NOT VERIFIED: {}\n", shown(reason)),
    };
    out.push_str(&format!(
        "export of device {} (enrollment {}): entries {} to {} ({}{})\n",
        body.device_id,
        body.enrollment_id,
        body.from.n.saturating_add(1),
        body.to.n,
        body.entries.len(),
        if body.whole { ", all the phone holds" } else { ", since IT's last confirmation" }
    ));
    if verdict.is_err() {
        out.push_str("its entries are not shown: the export does not verify\n");
        return (false, out);
    }
    for e in &body.entries {
        let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>5}  {at}  {:<24} {:<9} {:<35} {}\n",
            e.seq,
            shown(&e.kind),
            shown(&e.actor),
            shown(e.patient.as_deref().unwrap_or("-")),
            shown(&e.detail)
        ));
    }
    (true, out)
}
