//! How the shell prints what the core returns: a table for people, JSON for scripts.

use chrono::SecondsFormat;
use serde::Serialize;
use televisit_core::{Entry, IntegrityReport, Tamper, Verification};

#[derive(Serialize)]
pub struct EntryView {
    pub seq: u64,
    pub at: String,
    pub kind: &'static str,
    pub actor: &'static str,
    pub patient: Option<String>,
    pub detail: serde_json::Value,
}

impl From<&Entry> for EntryView {
    fn from(entry: &Entry) -> Self {
        EntryView {
            seq: entry.seq,
            at: entry.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            kind: entry.kind.code(),
            actor: entry.actor.code(),
            patient: entry.patient.as_ref().map(|p| p.to_string()),
            detail: serde_json::to_value(&entry.detail).unwrap_or_default(),
        }
    }
}

pub fn entries_table(entries: &[Entry]) -> String {
    let mut out = format!(
        "{:>5}  {:<20}  {:<24}  {:<9}  {:<35}  {}\n",
        "seq", "time (UTC)", "kind", "actor", "patient", "detail"
    );
    for entry in entries {
        let view = EntryView::from(entry);
        out.push_str(&format!(
            "{:>5}  {:<20}  {:<24}  {:<9}  {:<35}  {}\n",
            view.seq,
            view.at,
            view.kind,
            view.actor,
            view.patient.as_deref().unwrap_or("-"),
            if entry.detail.fields().is_empty() { "-".to_string() } else { view.detail.to_string() }
        ));
    }
    out
}

#[derive(Serialize)]
pub struct VerificationView {
    pub intact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_mac: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
}

impl From<&Verification> for VerificationView {
    fn from(v: &Verification) -> Self {
        match v {
            Verification::Intact { count, head } => VerificationView {
                intact: true,
                count: Some(*count),
                head_seq: Some(head.seq),
                head_mac: Some(hex::encode(head.mac)),
                broken_at_seq: None,
                problem: None,
            },
            Verification::Broken { seq, problem } => VerificationView {
                intact: false,
                count: None,
                head_seq: None,
                head_mac: None,
                broken_at_seq: Some(*seq),
                problem: Some(problem.describe()),
            },
        }
    }
}

pub fn verification_line(v: &Verification) -> String {
    match v {
        Verification::Intact { count, head } => {
            format!("intact: {count} entries, head at seq {} (MAC {}…)", head.seq, &hex::encode(head.mac)[..16])
        }
        Verification::Broken {
            seq,
            problem: problem @ (Tamper::RolledBack | Tamper::TailCut | Tamper::Emptied | Tamper::HeadForged),
        } => format!("BROKEN at seq {seq}: {}", problem.describe()),
        Verification::Broken { seq, problem } => format!("BROKEN at seq {seq}: entry {}", problem.describe()),
    }
}

#[derive(Serialize)]
pub struct IntegrityView {
    pub ok: bool,
    pub pages_ok: bool,
    pub problems: Vec<String>,
    pub chain: VerificationView,
}

impl From<&IntegrityReport> for IntegrityView {
    fn from(r: &IntegrityReport) -> Self {
        IntegrityView { ok: r.is_ok(), pages_ok: r.pages_ok, problems: r.problems.clone(), chain: (&r.chain).into() }
    }
}

/// A plain-text table: each column as wide as its widest cell (in characters), two spaces apart.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

pub fn time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn print_json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}
