//! The log archive's commands: `log open|import|search|verify-archive|prune`.

use crate::{print, FAILED_CHECK};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_admin::ledger::archive::{self, Finding, DEFAULT_RETENTION_DAYS, MAX_EXPORT_BYTES};
use televisit_admin::ledger::SearchQuery;
use televisit_admin::usage::Refusal;
use televisit_admin::{org, report};
use televisit_protocol::Policy;

#[derive(Subcommand)]
pub enum LogCommand {
    /// Decrypt a sealed export and verify it against the device key the ledger pinned (exit 3
    /// when it does not verify, or the ledger does not know the device).
    Open {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
    },
    /// Verify sealed exports against the pinned device keys, hold them to every checkpoint seen,
    /// and keep them in the archive (ORG/archive). The same file twice changes nothing. Exit 3
    /// when a file is refused or the device's log shows a fork, a gap or a rollback.
    Import {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// What happened on a device, from its archived exports (opened as needed).
    Search {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long, value_name = "DEVICE_ID")]
        device: String,
        /// A patient's opaque reference (pt_…), as the phone shows it.
        #[arg(long, value_parser = patient_ref)]
        patient: Option<String>,
        /// An entry kind (call_launched, contact_deleted, …); repeat for more.
        #[arg(long = "kind", value_parser = kind_code)]
        kinds: Vec<String>,
        /// From this day or time (2026-11-30, or RFC 3339).
        #[arg(long, value_parser = time_ms)]
        since: Option<i64>,
        /// Before this day or time.
        #[arg(long, value_parser = time_ms)]
        until: Option<i64>,
    },
    /// Re-check every archived file and every checkpoint (exit 3 on any problem or finding).
    VerifyArchive {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
    },
    /// Remove archived exports whose newest entry is older than the retention, and say which.
    /// The retention is the signed policy's (--policy), six years without one; never shorter.
    Prune {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The organisation's signed policy, whose log retention applies.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Say what would be removed, and remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn patient_ref(text: &str) -> Result<String, Refusal> {
    let ok = text
        .strip_prefix("pt_")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    ok.then(|| text.to_owned()).ok_or_else(|| Refusal("a patient reference is pt_ and letters or digits".into()))
}

fn kind_code(text: &str) -> Result<String, Refusal> {
    let ok = !text.is_empty() && text.len() <= 40 && text.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    ok.then(|| text.to_owned()).ok_or_else(|| Refusal("an entry kind is lower-case letters and _".into()))
}

fn time_ms(text: &str) -> Result<i64, Refusal> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| Refusal("a day (2026-11-30) or an RFC 3339 time".into()))
}

fn findings_text(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {}", f.line())).collect::<Vec<_>>().join("\n")
}

pub fn run(command: LogCommand, json: bool) -> Result<ExitCode> {
    let now = crate::ledger_cli::now();
    match command {
        LogCommand::Open { file, org } => {
            let (_, mut ledger) = crate::ledger_cli::open(&org)?;
            let identity = org::export_identity(&org)?;
            let sealed = read_export(&file)?;
            let signed = archive::open_sealed(&sealed, &identity)?;
            let pinned = ledger.device_key(&signed.body.device_id)?;
            let verdict = report::verdict(&signed, pinned.as_deref());
            let (verified, text) = report::export_text(&signed, &verdict);
            if json {
                let verdict = text.lines().next().unwrap_or_default();
                // The entries only of an export that verified (see `export_text`).
                let mut body = signed.body.clone();
                if !verified {
                    body.entries.clear();
                }
                let value = serde_json::json!({"verified": verified, "verdict": verdict, "export": body});
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print!("{text}");
            }
            Ok(if verified { ExitCode::SUCCESS } else { ExitCode::from(FAILED_CHECK) })
        }
        LogCommand::Import { org, files } => {
            let (_, mut ledger) = crate::ledger_cli::open(&org)?;
            let identity = org::export_identity(&org)?;
            let mut lines = Vec::new();
            let mut results = Vec::new();
            let mut failed = false;
            let mut devices = Vec::new();
            for file in &files {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                match read_export(file).and_then(|sealed| ledger.archive_export(&sealed, &identity, now)) {
                    Ok(a) => {
                        lines.push(a.line(&name));
                        if !devices.contains(&a.device_id) {
                            devices.push(a.device_id.clone());
                        }
                        results.push(serde_json::json!({"file": name, "archived": a}));
                    }
                    Err(err) => {
                        failed = true;
                        lines.push(format!("{name}: REFUSED: {err:#}"));
                        results.push(serde_json::json!({"file": name, "refused": format!("{err:#}")}));
                    }
                }
            }
            let mut findings = Vec::new();
            for device in &devices {
                findings.extend(ledger.check_log(device, &identity, now)?);
            }
            if !findings.is_empty() {
                lines.push(format!("the archive found {} problem(s):\n{}", findings.len(), findings_text(&findings)));
            }
            print(json, serde_json::json!({"files": results, "findings": findings}), lines.join("\n"));
            Ok(if failed || !findings.is_empty() { ExitCode::from(FAILED_CHECK) } else { ExitCode::SUCCESS })
        }
        LogCommand::Search { org, device, patient, kinds, since, until } => {
            let (_, mut ledger) = crate::ledger_cli::open(&org)?;
            let identity = org::export_identity(&org)?;
            let query = SearchQuery { device_id: device, patient, kinds, since_ms: since, until_ms: until };
            let found = ledger.search_log(&query, &identity)?;
            let text = found
                .iter()
                .map(|found| {
                    let e = &found.entry;
                    let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                        .unwrap_or_default();
                    format!(
                        "{:>6}  {at}  {:<24} {:<9} {:<35} {}",
                        e.seq,
                        e.kind,
                        e.actor,
                        e.patient.as_deref().unwrap_or("-"),
                        e.detail
                    )
                })
                .chain(std::iter::once(format!("{} entries", found.len())))
                .collect::<Vec<_>>()
                .join("\n");
            print(json, serde_json::json!({"entries": found}), text);
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::VerifyArchive { org } => {
            let (_, mut ledger) = crate::ledger_cli::open(&org)?;
            let identity = org::export_identity(&org)?;
            let (problems, findings) = ledger.verify_archive(&identity, now)?;
            let mut text = if problems.is_empty() && findings.is_empty() {
                "the archive is intact: every export verifies and every checkpoint holds".to_owned()
            } else {
                format!("the archive has {} problem(s) and {} finding(s)", problems.len(), findings.len())
            };
            for problem in &problems {
                text.push_str(&format!("\n  {problem}"));
            }
            if !findings.is_empty() {
                text.push_str(&format!("\n{}", findings_text(&findings)));
            }
            print(json, serde_json::json!({"problems": problems, "findings": findings}), text);
            Ok(if problems.is_empty() && findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(FAILED_CHECK)
            })
        }
        LogCommand::Prune { org, policy, dry_run } => {
            let (org_keys, mut ledger) = crate::ledger_cli::open(&org)?;
            let retention = match policy {
                Some(file) => {
                    let text =
                        std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                    let signed = televisit_protocol::enrollment::open_policy(text.trim(), &org_keys.keys)?;
                    signed.policy.log.retention_days.max(DEFAULT_RETENTION_DAYS)
                }
                None => Policy::default().log.retention_days.max(DEFAULT_RETENTION_DAYS),
            };
            let pruned = ledger.prune_archive(retention, now, dry_run)?;
            let verb = if dry_run { "would remove" } else { "removed" };
            let mut text =
                format!("{verb} {} export(s) whose newest entry is older than {retention} days", pruned.len());
            for p in &pruned {
                text.push_str(&format!(
                    "\n  {} entries {} to {} ({})",
                    p.device_id,
                    p.from_seq.saturating_add(1),
                    p.through_seq,
                    &p.digest[..12]
                ));
            }
            print(json, serde_json::json!({"dry_run": dry_run, "retention_days": retention, "pruned": pruned}), text);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_export(file: &std::path::Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if len > MAX_EXPORT_BYTES {
        anyhow::bail!("{} is larger than any export", file.display());
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}
