//! The ledger's commands: `devices import|list|show|repin`, `wipe status`, `fleet report`, and
//! how `wipe issue`, `bulletin sign` and `enroll-code` record what they issue.

use crate::{print, text_or_file, FAILED_CHECK};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_admin::ledger::views::is_stale;
use televisit_admin::ledger::{self, DeviceFilter, DeviceKey, DeviceRow, Ledger, WipeRow, WipeState};
use televisit_admin::org;
use televisit_admin::{fleet, fleet_cleanup};

#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Import device reports and wipe receipts: text, JSON, or an MDM console's CSV export (found
    /// by their prefix in any column); an Android Management API devices.get/devices.list
    /// response; an Apple ManagedApplicationFeedback command result (XML plist); a Graph
    /// app-configuration deviceStatuses list (whether the configuration reached each device).
    /// Importing a file again changes nothing. Exit 3 when any record was refused (listed by line
    /// or record); exit 1 when a file breaks the shape of its format (nothing from it is written).
    Import {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// How to read the files (default: by their content).
        #[arg(long, value_enum, default_value = "auto")]
        format: FormatArg,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The fleet's devices. With --stale, only those with no report for that long; with
    /// --cleanup-overdue, only those holding patient contacts past their cleanup age, worst first
    /// (exit 3 when any).
    List {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// No report for this long: 24h, 2d.
        #[arg(long, value_parser = stale_duration)]
        stale: Option<i64>,
        /// Only phones holding contacts past their cleanup age (by their newest report), the
        /// oldest contact first; phones whose counts are unknown (no contacts access) are named
        /// after them, not counted.
        #[arg(long, conflicts_with = "stale")]
        cleanup_overdue: bool,
        #[arg(long, value_enum)]
        platform: Option<PlatformArg>,
    },
    /// One device: by its id, its MDM user or its MDM device id (exit 1 when none matches).
    Show {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[command(flatten)]
        which: Which,
    },
    /// Retire a device (replaced, returned, lost for good): closed like a wiped one, never stale,
    /// skipped by `wipe issue --user`, its log no longer confirmed by bulletins; logged.
    Retire {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        device: String,
        /// Who does it (default: the account running the tool).
        #[arg(long)]
        by: Option<String>,
    },
    /// Pin a device's new key on purpose (a reinstall IT knows about), from a report of it; logged.
    Repin {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        device: String,
        #[arg(long, value_name = "FILE|TEXT")]
        report: String,
        /// Who does it (default: the account running the tool).
        #[arg(long)]
        by: Option<String>,
    },
}

/// A device as IT knows it: its id, or what the MDM calls it and its user.
#[derive(Args, Clone)]
#[group(required = true, multiple = false)]
pub struct Which {
    /// The device id (dev_…).
    device: Option<String>,
    /// The MDM's user (e.g. the user principal name).
    #[arg(long)]
    user: Option<String>,
    /// The MDM's own device id.
    #[arg(long)]
    mdm_device: Option<String>,
}

impl Which {
    pub fn new(device: Option<String>, user: Option<String>, mdm_device: Option<String>) -> Which {
        Which { device, user, mdm_device }
    }

    fn key(&self) -> DeviceKey<'_> {
        match (&self.device, &self.user, &self.mdm_device) {
            (Some(id), _, _) => DeviceKey::Id(id),
            (_, Some(user), _) => DeviceKey::User(user),
            (_, _, Some(mdm)) => DeviceKey::MdmDevice(mdm),
            // clap's group requires one of them.
            (None, None, None) => DeviceKey::Id(""),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Text,
    Ama,
    AppleFeedback,
    GraphStatuses,
}

impl FormatArg {
    fn format(self) -> ledger::Format {
        match self {
            FormatArg::Auto => ledger::Format::Auto,
            FormatArg::Text => ledger::Format::Text,
            FormatArg::Ama => ledger::Format::Ama,
            FormatArg::AppleFeedback => ledger::Format::AppleFeedback,
            FormatArg::GraphStatuses => ledger::Format::GraphStatuses,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PlatformArg {
    Android,
    Ios,
    Desktop,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WipeStateArg {
    Pending,
    Done,
    Failed,
    Expired,
    Local,
    Cancelled,
}

#[derive(Subcommand)]
pub enum FleetCommand {
    /// One self-contained HTML page: counts, the devices and their state, the phones holding
    /// contacts past their cleanup age (worst first), the commands.
    Report {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// Quiet for this long counts as stale: 48h.
        #[arg(long, default_value = "48h", value_parser = stale_duration)]
        stale: i64,
    },
}

fn stale_duration(text: &str) -> Result<i64, televisit_admin::usage::Refusal> {
    fleet::parse_duration(text, 3650 * 86_400).map_err(televisit_admin::usage::Refusal)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `--ledger` (or `TELEVISIT_LEDGER`), as given for this run.
static LEDGER: std::sync::OnceLock<Option<ledger::Location>> = std::sync::OnceLock::new();

pub fn use_ledger(location: Option<&str>) {
    let _ = LEDGER.set(location.filter(|l| !l.trim().is_empty()).map(ledger::Location::parse));
}

/// The organisation and its ledger: the one `--ledger` names, or `ORG/ledger.db`. Sealed log
/// exports stay in `ORG/archive` whichever database the ledger is in.
pub fn open(org_dir: &std::path::Path) -> Result<(org::Org, Ledger)> {
    let org = org::load(org_dir)?;
    let location = LEDGER.get().cloned().flatten().unwrap_or_else(|| ledger::Location::beside(org_dir));
    let ledger =
        Ledger::open_at(&location, &org.info.signing_key)?.with_archive_dir(org_dir.join(ledger::archive::DIR));
    Ok((org, ledger))
}

pub fn devices(command: DevicesCommand, json: bool) -> Result<ExitCode> {
    match command {
        DevicesCommand::Import { org, format, files } => {
            let (_, mut ledger) = open(&org)?;
            let before = ledger.log_findings(None)?;
            let mut outcomes = Vec::new();
            for file in &files {
                outcomes.push(ledger.import_file_as(file, format.format(), now())?);
            }
            // The reports' checkpoints, held to the archive where it covers them.
            let identity = org::export_identity(&org)?;
            for device in ledger.devices_with_unchecked_checkpoints()? {
                ledger.check_log(&device, &identity, now())?;
            }
            let found: Vec<_> = ledger.log_findings(None)?.into_iter().filter(|f| !before.contains(f)).collect();
            let refused: u32 = outcomes.iter().map(|o| o.refused).sum();
            let mut text = outcomes.iter().map(fleet::import_text).collect::<Vec<_>>().join("\n");
            for f in &found {
                text.push_str(&format!("\n{}", f.line()));
            }
            print(json, serde_json::json!({"files": outcomes, "refused": refused, "log_findings": found}), text);
            Ok(if refused > 0 || !found.is_empty() { ExitCode::from(FAILED_CHECK) } else { ExitCode::SUCCESS })
        }
        DevicesCommand::List { org, stale, cleanup_overdue, platform } => {
            let (_, mut ledger) = open(&org)?;
            let platform = platform.map(|p| match p {
                PlatformArg::Android => "android".to_owned(),
                PlatformArg::Ios => "ios".to_owned(),
                PlatformArg::Desktop => "desktop".to_owned(),
            });
            if cleanup_overdue {
                return list_cleanup_overdue(&mut ledger, platform, json);
            }
            let rows = ledger.devices(&DeviceFilter { stale_seconds: stale, platform }, now())?;
            let text = if rows.is_empty() {
                if stale.is_some() {
                    "no stale devices".into()
                } else {
                    "no devices in the ledger yet: import their reports".into()
                }
            } else {
                rows.iter().map(|d| fleet::device_line(d, now())).collect::<Vec<_>>().join("\n")
            };
            print(json, serde_json::json!({"devices": rows}), text);
            Ok(if stale.is_some() && !rows.is_empty() { ExitCode::from(FAILED_CHECK) } else { ExitCode::SUCCESS })
        }
        DevicesCommand::Show { org, which } => {
            let (org, mut ledger) = open(&org)?;
            let rows = ledger.find_devices(which.key(), now())?;
            if rows.is_empty() {
                bail!("no device in the ledger matches");
            }
            let wipes = ledger.wipes(now())?;
            let text = rows
                .iter()
                .map(|d| {
                    format!(
                        "{}\n  key set: {}",
                        fleet::device_text(d, &wipes),
                        fleet::key_set_text(d, org.keys.version)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n");
            let theirs: Vec<&WipeRow> =
                wipes.iter().filter(|w| rows.iter().any(|d| d.device_id == w.device_id)).collect();
            print(json, serde_json::json!({"devices": rows, "wipes": theirs}), text);
            Ok(ExitCode::SUCCESS)
        }
        DevicesCommand::Retire { org, device, by } => {
            let (_, mut ledger) = open(&org)?;
            let was_live = ledger.retire(&device, &ledger::issuer(by.as_deref()), now())?;
            let text =
                if was_live { format!("{device} retired (logged)") } else { format!("{device} was retired already") };
            print(json, serde_json::json!({"device_id": device, "retired": true, "was_live": was_live}), text);
            Ok(ExitCode::SUCCESS)
        }
        DevicesCommand::Repin { org, device, report, by } => {
            let (_, mut ledger) = open(&org)?;
            let report =
                televisit_protocol::report::verify(&text_or_file(&report)?, None).context("the device report")?;
            let old = ledger.repin(&device, &report, &ledger::issuer(by.as_deref()), now())?;
            print(
                json,
                serde_json::json!({"device_id": device, "old_key": old, "new_key": report.key}),
                format!("{device}: key {} pinned in place of {} (logged)", report.key, old),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `devices list --cleanup-overdue`: as `--stale` is, the phones to act on and exit 3 when any;
/// the phones whose counts are unknown are named after them (they may hold any number, but
/// nothing says they are past their age, so they do not fail the check).
fn list_cleanup_overdue(ledger: &mut Ledger, platform: Option<String>, json: bool) -> Result<ExitCode> {
    let rows = ledger.cleanup_overdue(platform.as_deref(), now())?;
    let unknown: Vec<String> = ledger
        .devices(&DeviceFilter { stale_seconds: None, platform }, now())?
        .into_iter()
        .filter(|d| fleet_cleanup::state(d) == "unknown")
        .map(|d| d.device_id)
        .collect();
    let mut text = if rows.is_empty() {
        "no phone holds contacts past its cleanup age".to_owned()
    } else {
        rows.iter().map(|d| fleet::device_line(d, now())).collect::<Vec<_>>().join("\n")
    };
    if !unknown.is_empty() {
        text.push_str(&format!(
            "\n{} phone(s) not counted: their counts are unknown (no contacts access); devices list shows which",
            unknown.len()
        ));
    }
    print(json, serde_json::json!({"devices": rows, "counts_unknown": unknown}), text);
    Ok(if rows.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(FAILED_CHECK) })
}

/// `wipe status`: every wipe and its state; filtered by the flags given.
pub fn wipe_status(org: &std::path::Path, states: &[WipeStateArg], json: bool) -> Result<ExitCode> {
    let (org, mut ledger) = open(org)?;
    // Pending wipes phones would refuse (signed by a key the set no longer holds, or one that
    // expired), which `bulletin sign` leaves out.
    let keys = org.keys_as_phones_judge(now());
    let refused: std::collections::HashMap<String, &'static str> = ledger
        .pending_wipes(now())?
        .iter()
        .filter_map(|text| {
            let refusal = televisit_protocol::bulletin::FleetWipe::from_command(text, &keys).err()?;
            Some((televisit_protocol::wipe::claimed_command_id(text)?, refusal.describe()))
        })
        .collect();
    let wanted: Vec<WipeState> = states
        .iter()
        .map(|s| match s {
            WipeStateArg::Pending => WipeState::Pending,
            WipeStateArg::Done => WipeState::Done,
            WipeStateArg::Failed => WipeState::Failed,
            WipeStateArg::Expired => WipeState::Expired,
            WipeStateArg::Local => WipeState::Local,
            WipeStateArg::Cancelled => WipeState::Cancelled,
        })
        .collect();
    let rows: Vec<WipeRow> =
        ledger.wipes(now())?.into_iter().filter(|w| wanted.is_empty() || wanted.contains(&w.state)).collect();
    let text = if rows.is_empty() {
        "no wipes".into()
    } else {
        rows.iter().map(fleet::wipe_line).collect::<Vec<_>>().join("\n")
    };
    let hints: Vec<Option<String>> = rows
        .iter()
        .map(|row| match refused.get(&row.command_id) {
            Some(why) => Some(format!(
                "phones refuse it ({why}): issue it again, wipe issue --org DIR --device {} --key ADMIN-KEY",
                row.device_id
            )),
            None => row.hint(),
        })
        .collect();
    let text = if refused.is_empty() {
        text
    } else {
        format!(
            "{text}\n{} pending wipe(s) phones would refuse: see the hints (--json), and issue them again",
            refused.len()
        )
    };
    print(json, serde_json::json!({"wipes": rows, "hints": hints}), text);
    Ok(ExitCode::SUCCESS)
}

pub fn fleet_report(command: FleetCommand, json: bool) -> Result<ExitCode> {
    let FleetCommand::Report { org, html, stale } = command;
    let (org, mut ledger) = open(&org)?;
    let now = now();
    let devices = ledger.devices(&DeviceFilter::default(), now)?;
    let devices: Vec<DeviceRow> = devices
        .into_iter()
        .map(|d| DeviceRow { stale: is_stale(d.last_report_at, d.wiped, now.saturating_sub(stale)), ..d })
        .collect();
    let wipes = ledger.wipes(now)?;
    let findings = ledger.log_findings(None)?;
    let page = televisit_admin::fleet_html::page(&org.info.name, &devices, &wipes, &findings, now);
    let tmp = html.with_extension("html.tmp");
    std::fs::write(&tmp, page.as_bytes()).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &html).with_context(|| format!("cannot write {}", html.display()))?;
    let cleanup = fleet_cleanup::Summary::of(&devices);
    print(
        json,
        serde_json::json!({"html": html, "devices": devices.len(), "wipes": wipes.len(), "cleanup": cleanup}),
        format!(
            "fleet report written to {} ({} devices, {} wipes)\n{}",
            html.display(),
            devices.len(),
            wipes.len(),
            cleanup.line()
        ),
    );
    Ok(ExitCode::SUCCESS)
}

/// `wipe issue`: the device (and its enrollment) from the ledger, found by id, user or MDM
/// device id; an unknown device only with `--unlisted` and both ids.
pub fn resolve_wipe_target(
    ledger: &mut Ledger,
    which: &Which,
    enrollment: Option<&str>,
    unlisted: bool,
) -> Result<(String, String)> {
    let now = now();
    let found = ledger.find_devices(which.key(), now)?;
    // By a user or an MDM device id, a device that is closed (wiped in full) is no candidate: a
    // clinician's earlier phone, wiped or replaced, must not make their current one ambiguous.
    // By its own id any device can be named.
    let matched = found.len();
    let found: Vec<DeviceRow> =
        if which.device.is_some() { found } else { found.into_iter().filter(|d| !d.closed()).collect() };
    if found.is_empty() && matched > 0 {
        bail!(
            "each of the {matched} device(s) that match is wiped or retired: to wipe one again, name it with --device"
        );
    }
    match (found.as_slice(), &which.device, enrollment) {
        ([one], _, given) => {
            if given.is_some_and(|e| e != one.enrollment_id) {
                bail!(
                    "the ledger has {} under enrollment {}, not the one given: leave out --enrollment",
                    one.device_id,
                    one.enrollment_id
                );
            }
            Ok((one.device_id.clone(), one.enrollment_id.clone()))
        }
        ([], Some(device), Some(enrollment)) if unlisted => Ok((device.clone(), enrollment.to_owned())),
        ([], Some(_), _) if unlisted => bail!("--unlisted needs both --device and --enrollment"),
        ([], _, _) => bail!(
            "no device in the ledger matches: import its report (devices import), or give --device, --enrollment and --unlisted"
        ),
        (many, _, _) => bail!(
            "{} devices that are not wiped or retired match: name one with --device\n{}",
            many.len(),
            many.iter()
                .map(|d| format!(
                    "  {} ({}, {} {}, last report {})",
                    d.device_id,
                    fleet::device_state(d),
                    d.platform,
                    d.os_version,
                    fleet::ago(d.last_report_at, now)
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}
