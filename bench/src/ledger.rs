//! Figure 8, IT's fleet ledger at a large fleet's scale, each beside its floor in the same run:
//! importing 10,000 device reports against verifying the same 10,000 reports alone (parse,
//! checks, Ed25519: what no import can skip); over a ledger of 10,000 devices and 100,000
//! reports, `devices list --stale` and `wipe status` against a bare scan of the same tables; and
//! `bulletin sign` from that ledger against the same from a ledger of 100 devices.

use crate::stats::{median, ms, time_runs, Bound, Figure};
use anyhow::{ensure, Result};
use rusqlite::Connection;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;
use televisit_admin::ledger::{DeviceFilter, Ledger};
use televisit_protocol::checkpoint::{Checkpoint, Point};
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};
use televisit_protocol::wipe::{self, Receipt, Step, StepDone, WipeCommand, WipeReason, WipeScope, COMMAND_VERSION};

pub struct LedgerSizes {
    pub devices: usize,
    pub reports_per_device: usize,
    pub wipes: usize,
    pub runs: usize,
}

impl LedgerSizes {
    pub fn full() -> LedgerSizes {
        LedgerSizes { devices: 10_000, reports_per_device: 10, wipes: 1_000, runs: 7 }
    }

    pub fn quick() -> LedgerSizes {
        LedgerSizes { devices: 1_000, reports_per_device: 3, wipes: 100, runs: 2 }
    }
}

fn device_key(i: usize) -> SigningKey {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SigningKey::from_seed(&seed).expect("a seed is a key")
}

/// The `round`th report of every device, one a line, as an MDM export would hold them.
fn reports(keys: &[SigningKey], org_id: &str, round: usize, now: i64) -> Result<String> {
    let mut out = String::with_capacity(keys.len() * 720);
    for (i, key) in keys.iter().enumerate() {
        // Every tenth device has been quiet for three days; the rest reported in the last hour.
        let at = if i % 10 == 0 { now - 3 * 86_400 } else { now - 3600 } - (10 - round as i64) * 60;
        let r = DeviceReport {
            v: REPORT_VERSION,
            dev: format!("dev_{i:024x}"),
            enr: format!("enr_{i:024x}"),
            key: key.public_key(),
            org: org_id.to_owned(),
            os: if i % 3 == 0 { "ios".into() } else { "android".into() },
            os_ver: "16".into(),
            app_ver: "0.1.0".into(),
            pol: 4,
            seen: Some(at - 600),
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: Some(format!("8d3f6c1e-52a4-4b7e-9c0d-{i:012x}")),
            mdm_user: Some(format!("clinician{i}@northclinic.example")),
            // Each round's log is ten entries longer: a checkpoint the ledger records and checks.
            cp: Some(Checkpoint::from_point(Point { seq: (round as u64 + 1) * 10, hash: [(i % 251) as u8; 32] })),
            conf: None,
            ks: None,
            cln: None,
            at,
        };
        out.push_str(&report::seal(key, &r)?);
        out.push('\n');
    }
    Ok(out)
}

pub fn ledger(work: &Path, sizes: &LedgerSizes) -> Result<Vec<Figure>> {
    let org = televisit_protocol::keyset::Signer::legacy(SigningKey::from_seed(&[3; 32])?);
    let org_key = org.key.public_key();
    let org_id = envelope::key_id(&org_key).expect("a key");
    let now = chrono::Utc::now().timestamp();
    let keys: Vec<SigningKey> = (0..sizes.devices).map(device_key).collect();
    eprintln!("bench: 8. ledger: signing {} reports", sizes.devices * sizes.reports_per_device);
    let rounds: Vec<String> =
        (0..sizes.reports_per_device).map(|round| reports(&keys, &org_id, round, now)).collect::<Result<_>>()?;

    // 8a. Import one export of every device's report into a fresh ledger, against verifying them.
    // The two alternate run by run, so that a machine that speeds up or slows down during the
    // run moves both alike.
    let first = rounds[0].as_bytes();
    let (mut import, mut verify) = (Vec::new(), Vec::new());
    for run in 0..=sizes.runs {
        let start = Instant::now();
        for line in rounds[0].lines() {
            black_box(report::verify(line, None)?);
        }
        let verified = ms(start.elapsed());
        let dir = work.join(format!("ledger-import-{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let mut ledger = Ledger::open(&dir, &org_key)?;
        let start = Instant::now();
        let outcome = ledger.import_bytes("export.csv", first, now)?;
        let imported = ms(start.elapsed());
        ensure!(outcome.reports as usize == sizes.devices && outcome.refused == 0, "unexpected import: {outcome:?}");
        if run > 0 {
            // The first run warms the caches.
            import.push(imported);
            verify.push(verified);
        }
        drop(ledger);
        std::fs::remove_dir_all(&dir)?;
    }
    let (m, b) = (median(&import), median(&verify));
    let mut figures = vec![Figure::new(
        "ledger_import",
        format!("ledger: import {} device reports", crate::stats::thousands(sizes.devices as u64)),
        m,
        "ms",
        "verifying the same reports alone",
        Some(b),
        Some(m / b),
        "the verification's time",
    )
    .target("≤ 2× verifying them", &[Bound::RatioAtMost(2.0)])
    .samples(&import)];

    // 8b, 8c. A ledger of every round's reports, wipes and receipts.
    let dir = work.join("ledger-fleet");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut ledger = Ledger::open(&dir, &org_key)?;
    for (round, text) in rounds.iter().enumerate() {
        ledger.import_bytes(&format!("round-{round}.csv"), text.as_bytes(), now)?;
    }
    add_wipes(&mut ledger, &org, &keys, sizes.wipes, sizes.devices, now)?;
    let raw = Connection::open(dir.join(televisit_admin::ledger::FILE))?;

    let stale = DeviceFilter { stale_seconds: Some(86_400), platform: None };
    let list = time_runs(1, sizes.runs * 2, || {
        black_box(ledger.devices(&stale, now)?);
        Ok(())
    })?;
    let scan_devices = time_runs(1, sizes.runs * 2, || scan(&raw, "devices"))?;
    let (m, b) = (median(&list), median(&scan_devices));
    figures.push(
        Figure::new(
            "ledger_stale",
            format!(
                "ledger: devices list --stale ({} devices, {} reports)",
                crate::stats::thousands(sizes.devices as u64),
                crate::stats::thousands((sizes.devices * sizes.reports_per_device) as u64)
            ),
            m,
            "ms",
            "a bare scan of the devices table",
            Some(b),
            Some(m / b),
            "the scan's time",
        )
        .target("≤ 5× the scan", &[Bound::RatioAtMost(5.0)])
        .samples(&list),
    );

    let status = time_runs(1, sizes.runs * 2, || {
        black_box(ledger.wipes(now)?);
        Ok(())
    })?;
    let scan_wipes = time_runs(1, sizes.runs * 2, || {
        for table in ["commands", "receipt_commands", "receipts", "devices"] {
            scan(&raw, table)?;
        }
        Ok(())
    })?;
    let (m, b) = (median(&status), median(&scan_wipes));
    figures.push(
        Figure::new(
            "ledger_wipe_status",
            format!("ledger: wipe status ({} wipes)", crate::stats::thousands(sizes.wipes as u64)),
            m,
            "ms",
            "a bare scan of the tables it reads",
            Some(b),
            Some(m / b),
            "the scan's time",
        )
        .target("≤ 5× the scan", &[Bound::RatioAtMost(5.0)])
        .samples(&status),
    );
    // 8d. The bulletin signed from this ledger, against the same from a ledger of 100 devices:
    // its size and its time must not grow with the fleet (it once failed outright past 2,000).
    let small_dir = work.join("ledger-fleet-100");
    let _ = std::fs::remove_dir_all(&small_dir);
    std::fs::create_dir_all(&small_dir)?;
    let mut small = Ledger::open(&small_dir, &org_key)?;
    let hundred: String = rounds[0].lines().take(100).map(|l| format!("{l}\n")).collect();
    small.import_bytes("round-0.csv", hundred.as_bytes(), now)?;
    // The same share of the fleet lost and wiped: a hundredth of the fleet, a hundredth of its wipes.
    let scale = (sizes.devices / 100).max(1);
    add_wipes(&mut small, &org, &keys, (sizes.wipes / scale).max(1), 100, now)?;
    let signer = &org;
    let keys = televisit_protocol::keyset::KeySet::legacy(&org_key, televisit_protocol::vectors::RECIPIENT);
    let sign = |ledger: &mut Ledger| -> Result<usize> {
        let confirmations = ledger.confirmations(now)?;
        let pending = ledger
            .pending_wipes(now)?
            .iter()
            .filter_map(|text| televisit_protocol::bulletin::FleetWipe::from_command(text, &keys).ok())
            .collect();
        let by = televisit_admin::fleet_bulletin::BulletinKeys { signer, keys: &keys, links: Vec::new() };
        let (_, text) = televisit_admin::fleet::make_fleet_bulletin(&by, 86_400, &[], pending, confirmations, now)?;
        Ok(text.len())
    };
    let size = sign(&mut ledger)?;
    ensure!(size <= televisit_admin::fleet::MAX_BULLETIN_CHARS, "a bulletin of {size} characters");
    let large = time_runs(1, sizes.runs * 2, || {
        black_box(sign(&mut ledger)?);
        Ok(())
    })?;
    let hundred_time = time_runs(1, sizes.runs * 2, || {
        black_box(sign(&mut small)?);
        Ok(())
    })?;
    let (m, b) = (median(&large), median(&hundred_time));
    figures.push(
        Figure::new(
            "ledger_bulletin",
            format!(
                "ledger: bulletin sign ({} devices, {} wipes; {} characters)",
                crate::stats::thousands(sizes.devices as u64),
                crate::stats::thousands(sizes.wipes as u64),
                crate::stats::thousands(size as u64)
            ),
            m,
            "ms",
            "the same from 100 devices and a hundredth of the wipes",
            Some(b),
            Some(m / b),
            "100 devices' time",
        )
        .target("≤ 100× 100 devices' (a hundred times the fleet)", &[Bound::RatioAtMost(100.0)])
        .samples(&large),
    );
    drop(small);
    let _ = std::fs::remove_dir_all(&small_dir);
    drop(ledger);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figures)
}

/// `count` wipes spread over `devices` devices, a quarter of them expired, and every other one
/// answered by its receipt (imported as the MDM would hand it over).
fn add_wipes(
    ledger: &mut Ledger,
    org: &televisit_protocol::keyset::Signer,
    keys: &[SigningKey],
    count: usize,
    devices: usize,
    now: i64,
) -> Result<()> {
    let mut receipts = String::new();
    for w in 0..count {
        let i = w * (devices / count).max(1);
        let command = WipeCommand {
            v: COMMAND_VERSION,
            device_id: format!("dev_{i:024x}"),
            enrollment_id: format!("enr_{i:024x}"),
            command_id: format!("cmd_{w:024x}"),
            issued_at: now - 86_400,
            not_before: now - 86_400,
            expires_at: if w % 4 == 0 { now - 3600 } else { now + 13 * 86_400 },
            scope: WipeScope::All,
            reason: WipeReason::Lost,
            signed_by: None,
        };
        let text = wipe::issue(org, &command)?;
        ledger.record_wipe(&command, &text, "bench", now - 86_400)?;
        if w % 2 == 1 {
            let receipt = Receipt {
                v: COMMAND_VERSION,
                device_id: command.device_id.clone(),
                enrollment_id: command.enrollment_id.clone(),
                command_id: command.command_id.clone(),
                scope: WipeScope::All,
                reason: WipeReason::Lost,
                completed_at: now - 600,
                steps: vec![StepDone { step: Step::DestroyKey, count: 1, failed: 0, reason: None }],
                device_key: keys[i].public_key(),
                merged_command_ids: Vec::new(),
            };
            receipts.push_str(&wipe::seal_receipt(&keys[i], &receipt));
            receipts.push('\n');
        }
    }
    let outcome = ledger.import_bytes("receipts.txt", receipts.as_bytes(), now)?;
    ensure!(outcome.refused == 0, "receipts refused: {:?}", outcome.problems.first());
    Ok(())
}

/// The floor: every column of every row of a table, read into memory.
fn scan(raw: &Connection, table: &str) -> Result<()> {
    let mut stmt = raw.prepare(&format!("SELECT * FROM {table}"))?;
    let width = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            (0..width).map(|c| r.get::<_, rusqlite::types::Value>(c)).collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    black_box(rows);
    Ok(())
}
