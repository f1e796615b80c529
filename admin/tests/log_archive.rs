//! IT's log archive, as IT runs it: the honest run of exports accepted (in order or not, the same
//! file twice), and each forged or rewritten one refused or flagged: another key, a range
//! rewritten after a checkpoint, a gap, a rollback between two reports, damaged files, another
//! organisation's. Exports are made here as the phone makes them (signed, then sealed with age).

use std::path::{Path, PathBuf};
use televisit_protocol::chain::Link;
use televisit_protocol::checkpoint::{self, Checkpoint, Point};
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::export::{self, ExportBody, ExportedEntry};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};
use televisit_protocol::wipe::{self, Receipt, WipeReason, WipeScope, COMMAND_VERSION};

mod common;

use common::{admin, now, Ran};

const PATIENT: &str = "pt_0123456789abcdef0123456789abcdef";

/// An organisation, one phone, and the phone's log of 30 entries.
struct World {
    dir: tempfile::TempDir,
    org_id: String,
    recipient: String,
    key: SigningKey,
    dev: String,
    entries: Vec<ExportedEntry>,
    points: Vec<Point>,
}

impl World {
    fn new() -> World {
        World::with_entries_at(now() * 1000 - 86_400_000)
    }

    /// Entries a minute apart from `first_ms`.
    fn with_entries_at(first_ms: i64) -> World {
        let dir = tempfile::tempdir().unwrap();
        let ran = admin(dir.path(), &["--json", "org", "init", "--org", "org", "--name", "North Clinic"]);
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        let info: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        let org_id = envelope::key_id(info["signing_key"].as_str().unwrap()).unwrap();
        let entries: Vec<ExportedEntry> = (1..=30u64)
            .map(|seq| ExportedEntry {
                seq,
                at_ms: first_ms + (seq as i64) * 60_000,
                kind: if seq % 3 == 0 { "call_launched".into() } else { "patient_added".into() },
                actor: "clinician".into(),
                patient: (seq % 3 == 0).then(|| PATIENT.to_owned()),
                detail: "{}".into(),
            })
            .collect();
        let start = anchor();
        let points = checkpoint::extend(start, entries.iter().map(ExportedEntry::fields)).unwrap();
        World {
            recipient: info["export_recipient"].as_str().unwrap().to_owned(),
            dir,
            org_id,
            key: SigningKey::from_seed(&[7; 32]).unwrap(),
            dev: "dev_000000000000000000000007".into(),
            entries,
            points,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Unix seconds just after entry `seq` was written: when a report naming it is signed.
    fn at(&self, seq: u64) -> i64 {
        self.entries[seq as usize - 1].at_ms / 1000 + 1
    }

    fn point(&self, seq: u64) -> Point {
        if seq == 0 {
            anchor()
        } else {
            self.points[seq as usize - 1]
        }
    }

    /// A report signed at `at` whose checkpoint is `cp`.
    fn report(&self, cp: Option<Point>, at: i64) -> String {
        self.report_confirming(cp, None, at)
    }

    /// A report that also carries the chain's point at the size IT confirmed (`conf`).
    fn report_confirming(&self, cp: Option<Point>, conf: Option<Point>, at: i64) -> String {
        let r = DeviceReport {
            v: REPORT_VERSION,
            dev: self.dev.clone(),
            enr: "enr_000000000000000000000007".into(),
            key: self.key.public_key(),
            org: self.org_id.clone(),
            os: "android".into(),
            os_ver: "16".into(),
            app_ver: "0.1.0".into(),
            pol: 2,
            seen: Some(at - 600),
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: None,
            mdm_user: Some("clinician7@northclinic.example".into()),
            cp: cp.map(Checkpoint::from_point),
            conf: conf.map(Checkpoint::from_point),
            ks: None,
            cln: None,
            at,
        };
        report::seal(&self.key, &r).unwrap()
    }

    /// The entries after `from` through `through`, as the phone exports them: `edit` may change
    /// them first (and the export then vouches for the edited chain, signed by `key`).
    fn export_by(
        &self,
        key: &SigningKey,
        from: u64,
        through: u64,
        edit: impl FnOnce(&mut Vec<ExportedEntry>),
    ) -> Vec<u8> {
        let mut entries: Vec<ExportedEntry> = self.entries[from as usize..through as usize].to_vec();
        edit(&mut entries);
        let start = self.point(from);
        let to = checkpoint::extend(start, entries.iter().map(ExportedEntry::fields))
            .unwrap()
            .last()
            .copied()
            .unwrap_or(start);
        let body = ExportBody {
            format: export::FORMAT.into(),
            org: self.org_id.clone(),
            device_id: self.dev.clone(),
            enrollment_id: "enr_000000000000000000000007".into(),
            exported_at_ms: entries.last().map_or(0, |e| e.at_ms) + 1000,
            from: Checkpoint::from_point(start),
            to: Checkpoint::from_point(to),
            whole: from == 0,
            entries,
        };
        let json = export::sign(key, body);
        let recipient: age::x25519::Recipient = self.recipient.parse().unwrap();
        age::encrypt(&recipient, &json).unwrap()
    }

    fn export(&self, from: u64, through: u64) -> Vec<u8> {
        self.export_by(&self.key, from, through, |_| {})
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.path().join(name), bytes).unwrap();
        name.to_owned()
    }

    fn run(&self, args: &[&str]) -> Ran {
        admin(self.path(), args)
    }

    fn import_reports(&self, name: &str, reports: &[String]) -> Ran {
        let file = self.write(name, reports.join("\n").as_bytes());
        self.run(&["devices", "import", "--org", "org", &file])
    }

    fn log_import(&self, files: &[&str]) -> Ran {
        self.run(&[&["log", "import", "--org", "org"], files].concat())
    }

    fn archived_files(&self) -> usize {
        let dir: PathBuf = self.path().join("org").join("archive").join(&self.dev);
        std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
    }
}

fn anchor() -> Point {
    checkpoint::anchor(Link { seq: 0, mac: [1; 32] })
}

#[test]
fn the_honest_run_of_exports_is_archived_searched_confirmed_and_verified() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(Some(w.point(5)), w.at(5))]).code, Some(0));
    let (a, b, c) =
        (w.write("a.age", &w.export(0, 10)), w.write("b.age", &w.export(10, 20)), w.write("c.age", &w.export(20, 30)));
    let ran = w.log_import(&[&a, &b]);
    assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("archived dev_000000000000000000000007 entries 11 to 20 (10 entries)"),
        "{}",
        ran.stdout
    );
    // A later checkpoint, then the export that reaches it.
    assert_eq!(w.import_reports("mdm2.csv", &[w.report(Some(w.point(25)), w.at(25))]).code, Some(0));
    let ran = w.log_import(&[&c]);
    assert_eq!(ran.code, Some(0), "{}", ran.stdout);
    // The same file again changes nothing.
    let again = w.log_import(&[&b]);
    assert_eq!(again.code, Some(0));
    assert!(again.stdout.contains("already archived"), "{}", again.stdout);
    assert_eq!(w.archived_files(), 3);
    let verified = w.run(&["log", "verify-archive", "--org", "org"]);
    assert_eq!(verified.code, Some(0), "{}", verified.stdout);
    assert!(verified.stdout.contains("the archive is intact"));
    // Search across the three files, by patient and kind.
    let found = w.run(&["--json", "log", "search", "--org", "org", "--device", &w.dev, "--patient", PATIENT]);
    let found: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
    let seqs: Vec<u64> = found["entries"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=10).map(|i| i * 3).collect::<Vec<_>>());
    let none = w.run(&["--json", "log", "search", "--org", "org", "--device", &w.dev, "--kind", "wipe_done"]);
    assert!(none.stdout.contains("\"entries\": []"), "{}", none.stdout);
    // A name typed where a patient reference goes is refused without being repeated.
    let typed = w.run(&["log", "search", "--org", "org", "--device", &w.dev, "--patient", "Susan Smith"]);
    assert_eq!(typed.code, Some(2));
    assert!(!typed.stderr.contains("Susan"), "{}", typed.stderr);
    // The next bulletin confirms the device's log archived through 30.
    let signed = w.run(&["--json", "bulletin", "sign", "--org", "org"]);
    assert_eq!(signed.code, Some(0), "{}", signed.stderr);
    let text: serde_json::Value = serde_json::from_str(&signed.stdout).unwrap();
    let bulletin = televisit_protocol::bulletin::open(
        text["bulletin"].as_str().unwrap(),
        &televisit_admin::org::load(&w.path().join("org")).unwrap().keys,
    )
    .unwrap()
    .bulletin;
    assert_eq!(bulletin.log_confirmed(&w.dev), Some(30));

    // The phone wiped itself (a local trigger): its log starts again from one. The archive keeps
    // the old log, but no bulletin confirms it any more (the new log's first export would skip 30
    // entries); the receipt is confirmed instead.
    let phone = common::fleet::Phone {
        key: SigningKey::from_seed(&[7; 32]).unwrap(),
        dev: w.dev.clone(),
        enr: "enr_000000000000000000000007".into(),
        user: "clinician7@northclinic.example".into(),
        mdm_dev: "-".into(),
    };
    let receipt = common::fleet::receipt(&phone, "loc_0000000000000000000000a7", false);
    assert_eq!(w.import_reports("receipt.txt", &[receipt]).code, Some(0));
    let signed = w.run(&["--json", "bulletin", "sign", "--org", "org"]);
    let text: serde_json::Value = serde_json::from_str(&signed.stdout).unwrap();
    let bulletin = televisit_protocol::bulletin::open(
        text["bulletin"].as_str().unwrap(),
        &televisit_admin::org::load(&w.path().join("org")).unwrap().keys,
    )
    .unwrap()
    .bulletin;
    assert_eq!(bulletin.log_confirmed(&w.dev), None);
    assert!(bulletin.receipt_confirmed(&w.dev, &["loc_0000000000000000000000a7"]));
}

/// Issue 30, case 4: whoever holds a copy of the device key could sign a local receipt of scope
/// `log`; the ledger took it without any command and started a new epoch, so that the
/// checkpoints IT held no longer bound the device.
#[test]
fn a_local_receipt_that_wipes_only_the_log_is_refused_and_no_local_receipt_voids_the_history() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(Some(w.point(20)), w.at(20))]).code, Some(0));
    let forged = |scope: WipeScope, id: &str| {
        let r = Receipt {
            v: COMMAND_VERSION,
            device_id: w.dev.clone(),
            enrollment_id: "enr_000000000000000000000007".into(),
            command_id: id.into(),
            scope,
            reason: WipeReason::LocalTrigger,
            completed_at: w.at(20) + 60,
            steps: Vec::new(),
            device_key: w.key.public_key(),
            merged_command_ids: Vec::new(),
        };
        wipe::seal_receipt(&w.key, &r)
    };
    let ran = w.import_reports("log-only.txt", &[forged(WipeScope::Log, "loc_0000000000000000000000b1")]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("a phone's own trigger wipes everything"), "{}", ran.stdout);
    // One of scope `all` is taken (it closes the device) but starts no new log: a report made
    // after it with a smaller log, not holding the receipt, is still a rollback.
    assert_eq!(w.import_reports("all.txt", &[forged(WipeScope::All, "loc_0000000000000000000000b2")]).code, Some(0));
    let rolled = w.import_reports("later.csv", &[w.report(Some(w.point(5)), w.at(20) + 120)]);
    assert_eq!(rolled.code, Some(3), "{}", rolled.stdout);
    assert!(
        rolled.stdout.contains("log ROLLBACK at seq 6") && rolled.stdout.contains(": REPORTED_AFTER_WIPE: "),
        "{}",
        rolled.stdout
    );
    let org: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path().join("org/org.json")).unwrap()).unwrap();
    let mut ledger = common::open_ledger(w.path(), org["signing_key"].as_str().unwrap());
    let kinds: Vec<&str> = ledger.log_findings(Some(&w.dev)).unwrap().into_iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&"rollback") && kinds.contains(&"reported_after_wipe"), "{kinds:?}");
}

#[test]
fn exports_imported_out_of_order_show_a_gap_until_it_is_filled() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(None, now() - 60)]).code, Some(0));
    let (a, b, c) =
        (w.write("a.age", &w.export(0, 10)), w.write("b.age", &w.export(10, 20)), w.write("c.age", &w.export(20, 30)));
    assert_eq!(w.log_import(&[&c]).code, Some(0), "one export alone is where the archive starts");
    let gap = w.log_import(&[&a]);
    assert_eq!(gap.code, Some(3));
    assert!(gap.stdout.contains("GAP at seq 11: entries 11 to 20 are in no archived export"), "{}", gap.stdout);
    assert_eq!(w.run(&["log", "verify-archive", "--org", "org"]).code, Some(3));
    assert_eq!(w.log_import(&[&b]).code, Some(0), "filled");
    assert_eq!(w.run(&["log", "verify-archive", "--org", "org"]).code, Some(0));
}

#[test]
fn a_forged_export_and_damaged_files_are_refused_and_nothing_is_kept() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(None, now() - 60)]).code, Some(0));
    let other = SigningKey::from_seed(&[9; 32]).unwrap();
    let forged = w.write("forged.age", &w.export_by(&other, 0, 10, |_| {}));
    let ran = w.log_import(&[&forged]);
    assert_eq!(ran.code, Some(3));
    assert!(ran.stdout.contains("REFUSED") && ran.stdout.contains("not signed by the expected key"), "{}", ran.stdout);
    let mut flipped = w.export(0, 10);
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    let truncated = w.export(0, 10)[..200].to_vec();
    let elsewhere = World::new();
    let sealed_elsewhere = elsewhere.export(0, 10);
    for (name, bytes) in [("flipped.age", flipped), ("truncated.age", truncated), ("elsewhere.age", sealed_elsewhere)] {
        let file = w.write(name, &bytes);
        let ran = w.log_import(&[&file]);
        assert_eq!(ran.code, Some(3), "{name}");
        assert!(ran.stdout.contains("does not open with this organisation's identity"), "{name}: {}", ran.stdout);
    }
    assert_eq!(w.archived_files(), 0);
    // An export of a device the ledger does not know is refused too.
    let stranger = World::new();
    let unknown = stranger.write("unknown.age", &stranger.export(0, 10));
    let ran = stranger.log_import(&[&unknown]);
    assert!(ran.code == Some(3) && ran.stdout.contains("import its report first"), "{}", ran.stdout);
}

#[test]
fn a_range_rewritten_after_a_checkpoint_is_a_fork_even_signed_by_the_device() {
    let w = World::new();

    assert_eq!(w.import_reports("mdm.csv", &[w.report(Some(w.point(15)), w.at(15))]).code, Some(0));
    assert_eq!(w.log_import(&[&w.write("a.age", &w.export(0, 10))]).code, Some(0));
    // Whoever holds the phone and its key rewrites entry 12 and exports a consistent chain.
    let rewritten =
        w.write("b.age", &w.export_by(&w.key, 10, 20, |entries| entries[1].detail = r#"{"ok":false}"#.into()));
    let ran = w.log_import(&[&rewritten]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("FORK at seq 15"), "{}", ran.stdout);
    // A report whose checkpoint disagrees with what is archived is a fork too, found at import.
    let honest_c = w.write("c.age", &w.export(20, 30));
    w.log_import(&[&honest_c]);
    let mut other = w.point(25);
    other.hash[0] ^= 1;
    let ran = w.import_reports("mdm2.csv", &[w.report(Some(other), w.at(25))]);
    assert_eq!(ran.code, Some(3));
    assert!(ran.stdout.contains("FORK") && ran.stdout.contains("seq 25"), "{}", ran.stdout);
    // The fleet report shows them.
    let html = w.path().join("fleet.html");
    assert_eq!(w.run(&["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]).code, Some(0));
    let page = std::fs::read_to_string(html).unwrap();
    assert!(page.contains("data-log-finding=\"fork\""), "the fleet report lists the fork");
}

#[test]
fn an_overlapping_export_that_rewrites_what_it_already_archived_is_a_fork_in_either_order() {
    // Until IT confirms, each export starts again from the log's start, so exports overlap: a
    // later one must name the same history as the one IT checked before, inside their overlap.
    let rewrite = |entries: &mut Vec<ExportedEntry>| entries[4].detail = r#"{"ok":false}"#.into();
    let first_short = World::new();
    assert_eq!(first_short.import_reports("mdm.csv", &[first_short.report(None, now() - 60)]).code, Some(0));
    let honest = first_short.write("a.age", &first_short.export(0, 10));
    assert_eq!(first_short.log_import(&[&honest]).code, Some(0));
    let longer = first_short.write("b.age", &first_short.export_by(&first_short.key, 0, 20, rewrite));
    let ran = first_short.log_import(&[&longer]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("FORK at seq 10"), "{}", ran.stdout);

    let first_long = World::new();
    first_long.import_reports("mdm.csv", &[first_long.report(None, now() - 60)]);
    let honest = first_long.write("a.age", &first_long.export(0, 20));
    assert_eq!(first_long.log_import(&[&honest]).code, Some(0));
    let shorter = first_long.write("b.age", &first_long.export_by(&first_long.key, 0, 10, rewrite));
    let ran = first_long.log_import(&[&shorter]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("FORK at seq 10"), "{}", ran.stdout);
    // And the whole archive, checked again, still says so.
    let ran = first_long.run(&["log", "verify-archive", "--org", "org"]);
    assert_ne!(ran.code, Some(0), "{}", ran.stdout);
    assert!(ran.stdout.contains("FORK"), "{}", ran.stdout);

    // Honest overlapping exports are no finding.
    let honest_pair = World::new();
    honest_pair.import_reports("mdm.csv", &[honest_pair.report(None, now() - 60)]);
    let a = honest_pair.write("a.age", &honest_pair.export(0, 10));
    let b = honest_pair.write("b.age", &honest_pair.export(0, 20));
    assert_eq!(honest_pair.log_import(&[&a, &b]).code, Some(0));
}

#[test]
fn a_smaller_checkpoint_signed_later_is_a_rollback() {
    let w = World::new();
    let at = now() - 3600;
    let ran = w.import_reports("monday.csv", &[w.report(Some(w.point(30)), at)]);
    assert_eq!(ran.code, Some(0));
    let ran = w.import_reports("tuesday.csv", &[w.report(Some(w.point(20)), at + 86_400 / 2)]);
    assert_eq!(ran.code, Some(3));
    assert!(ran.stdout.contains("ROLLBACK") && ran.stdout.contains("seq 21"), "{}", ran.stdout);
    // Out of order the other way (the older report imported last) is the same finding, not a new one.
    let late = World::new();
    late.import_reports("tuesday.csv", &[late.report(Some(late.point(20)), at + 600)]);
    let ran = late.import_reports("monday.csv", &[late.report(Some(late.point(30)), at)]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("ROLLBACK"), "{}", ran.stdout);
    // A growing log is no finding.
    let fine = World::new();
    fine.import_reports("a.csv", &[fine.report(Some(fine.point(10)), at)]);
    assert_eq!(fine.import_reports("b.csv", &[fine.report(Some(fine.point(20)), at + 60)]).code, Some(0));
}

#[test]
fn prune_removes_only_what_is_older_than_the_retention_and_says_what() {
    let seven_years_ago = (now() - 7 * 365 * 86_400) * 1000;
    let w = World::with_entries_at(seven_years_ago);
    assert_eq!(w.import_reports("mdm.csv", &[w.report(None, now() - 60)]).code, Some(0));
    assert_eq!(w.log_import(&[&w.write("a.age", &w.export(0, 10))]).code, Some(0));
    // Entries dated seven years back, received today: kept (the phone's clock dated them).
    let kept = w.run(&["log", "prune", "--org", "org"]);
    assert!(kept.stdout.contains("removed 0 export(s)"), "{}", kept.stdout);
    assert_eq!(w.archived_files(), 1);
    // Six years and a day after IT received them, they go; a dry run says so and removes nothing.
    let org = televisit_admin::org::load(&w.path().join("org")).unwrap();
    let mut ledger = common::open_ledger(w.path(), &org.info.signing_key);
    let later = now() + 2191 * 86_400;
    let dry = ledger.prune_archive(2190, later, true).unwrap();
    assert_eq!(dry.len(), 1);
    assert_eq!((dry[0].from_seq, dry[0].through_seq), (0, 10));
    assert_eq!(w.archived_files(), 1, "a dry run removes nothing");
    assert_eq!(ledger.prune_archive(2190, later, false).unwrap().len(), 1);
    assert_eq!(w.archived_files(), 0);
    // The CLI's dry run and its JSON shape, on a fresh archive.
    let young = World::new();
    young.import_reports("mdm.csv", &[young.report(None, now() - 60)]);
    young.log_import(&[&young.write("a.age", &young.export(0, 10))]);
    let dry = young.run(&["--json", "log", "prune", "--org", "org", "--dry-run"]);
    let dry: serde_json::Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(dry["pruned"].as_array().unwrap().len(), 0);
    assert_eq!(dry["retention_days"], 2190);
    assert_eq!(young.archived_files(), 1);
}

/// Issue 30, case 3: a holder who put back an older copy of the log and added entries until it
/// was larger than IT last saw passed every report (only "smaller and later" and a fork at one
/// size were caught), and was found only if they chose to export. The report now carries the
/// chain's point at the size IT confirmed, which must name the history IT archived there.
#[test]
fn a_log_put_back_and_grown_past_what_it_confirmed_is_found_at_the_next_report() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(Some(w.point(5)), w.at(5))]).code, Some(0));
    let (a, b, c) =
        (w.write("a.age", &w.export(0, 10)), w.write("b.age", &w.export(10, 20)), w.write("c.age", &w.export(20, 30)));
    assert_eq!(w.log_import(&[&a, &b, &c]).code, Some(0));
    // The honest phone, after the bulletin confirmed 30, grows on: its point at 30 is IT's.
    let grown = Point { seq: 45, hash: [4; 32] };
    let honest = w.report_confirming(Some(grown), Some(w.point(30)), w.at(30) + 600);
    assert_eq!(w.import_reports("honest.csv", &[honest]).code, Some(0));
    // The copy put back at 12 and grown to 50: larger than anything IT saw, but its chain at 30
    // is another history.
    let forged = Point { seq: 30, hash: [8; 32] };
    let copy = w.report_confirming(Some(Point { seq: 50, hash: [9; 32] }), Some(forged), w.at(30) + 1200);
    let found = w.import_reports("copy.csv", &[copy]);
    assert_eq!(found.code, Some(3), "{}", found.stdout);
    assert!(found.stdout.contains("log FORK at seq 30"), "{}", found.stdout);
}

/// Issue 30, case 6: the entries of an export that does not verify were printed as they came,
/// escape sequences included (one could rewrite the terminal's line and hide the real verdict
/// under a fake "verified"). Now the verdict comes first, and the entries only of an export
/// that verified.
#[test]
fn an_export_that_does_not_verify_shows_its_verdict_first_and_none_of_its_entries() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(None, now() - 60)]).code, Some(0));
    let other = SigningKey::from_seed(&[9; 32]).unwrap();
    let hostile = w.export_by(&other, 0, 3, |entries| {
        entries[0].detail = "{\"x\":\"\u{1b}[2K\rverified: signed by the pinned device key\"}".into();
    });
    let file = w.write("hostile.age", &hostile);
    let opened = w.run(&["log", "open", &file, "--org", "org"]);
    assert_eq!(opened.code, Some(3));
    assert!(opened.stdout.starts_with("NOT VERIFIED: "), "{}", opened.stdout);
    assert!(opened.stdout.contains("its entries are not shown"), "{}", opened.stdout);
    assert!(!opened.stdout.contains('\u{1b}') && !opened.stdout.contains("patient_added"), "{}", opened.stdout);
    let json = w.run(&["--json", "log", "open", &file, "--org", "org"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["export"]["entries"], serde_json::json!([]));
    assert!(value["verdict"].as_str().unwrap().starts_with("NOT VERIFIED"));
}

/// Issue 30, case 3, the rest: entries past what IT archived, held only by the phone for longer
/// than the export interval, are named (a rollback among them would be seen only at an export).
#[test]
fn a_log_grown_past_the_archive_with_no_export_for_a_month_is_a_finding() {
    let w = World::new();
    assert_eq!(w.import_reports("mdm.csv", &[w.report(Some(w.point(5)), w.at(5))]).code, Some(0));
    let a = w.write("a.age", &w.export(0, 10));
    assert_eq!(w.log_import(&[&a]).code, Some(0));
    let org: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path().join("org/org.json")).unwrap()).unwrap();
    let mut ledger = common::open_ledger(w.path(), org["signing_key"].as_str().unwrap());
    // A report past the archive soon after the export: nothing to say.
    let soon = w.write("soon.csv", w.report(Some(w.point(20)), w.at(20)).as_bytes());
    ledger.import_file(&w.path().join(&soon), now() + 86_400).unwrap();
    assert!(ledger.log_findings(Some(&w.dev)).unwrap().iter().all(|f| f.kind != "unarchived"));
    // Forty days on, still no export: named once, at the entry after the archive's end.
    let late = w.write("late.csv", w.report(Some(w.point(25)), w.at(25)).as_bytes());
    ledger.import_file(&w.path().join(&late), now() + 40 * 86_400).unwrap();
    let later = w.write("later.csv", w.report(Some(w.point(30)), w.at(30)).as_bytes());
    ledger.import_file(&w.path().join(&later), now() + 41 * 86_400).unwrap();
    let unarchived: Vec<u64> = ledger
        .log_findings(Some(&w.dev))
        .unwrap()
        .into_iter()
        .filter(|f| f.kind == "unarchived")
        .map(|f| f.seq)
        .collect();
    assert_eq!(unarchived, [11]);
}
