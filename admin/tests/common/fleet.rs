//! An organisation's folder and the phones that report to it, for the ledger's tests: reports
//! and receipts signed here with each phone's own key, as phones sign them.

#![allow(dead_code)] // each test file uses its own part of this

use super::{admin, admin_json, now, Ran};
use std::path::{Path, PathBuf};
use televisit_admin::ledger::{Ledger, WipeState};
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};
use televisit_protocol::wipe::{self, Receipt, Step, StepDone, WipeReason, WipeScope, COMMAND_VERSION};

pub struct Fleet {
    dir: tempfile::TempDir,
    pub org_id: String,
    pub org_key: String,
}

pub struct Phone {
    pub key: SigningKey,
    pub dev: String,
    pub enr: String,
    pub user: String,
    /// Intune's `{{deviceid}}` is a GUID, so a Graph status id can name it.
    pub mdm_dev: String,
}

impl Fleet {
    pub fn new(name: &str) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let info = admin_json(dir.path(), &["org", "init", "--org", "org", "--name", name]);
        let org_key = info["signing_key"].as_str().unwrap().to_owned();
        Fleet { org_id: envelope::key_id(&org_key).unwrap(), org_key, dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The organisation's key set as its folder holds it now.
    pub fn keys(&self) -> televisit_protocol::keyset::KeySet {
        televisit_admin::org::load(&self.org()).unwrap().keys
    }

    /// A bulletin `bulletin sign` printed, as a phone holding the legacy set opens it.
    pub fn open_bulletin(&self, text: &str) -> televisit_protocol::bulletin::Bulletin {
        let legacy = televisit_protocol::keyset::KeySet::legacy(&self.org_key, &self.recipient());
        televisit_protocol::bulletin::open(text, &legacy).unwrap().bulletin
    }

    fn recipient(&self) -> String {
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.org().join("org.json")).unwrap()).unwrap();
        info["export_recipient"].as_str().unwrap().to_owned()
    }

    pub fn org(&self) -> PathBuf {
        self.dir.path().join("org")
    }

    pub fn phone(&self, n: u8) -> Phone {
        Phone {
            key: SigningKey::from_seed(&[n; 32]).unwrap(),
            dev: format!("dev_{:024x}", n),
            enr: format!("enr_{:024x}", n),
            user: format!("clinician{n}@northclinic.example"),
            mdm_dev: format!("{n:08x}-5d1e-4c3b-9a2f-00000000000{n}"),
        }
    }

    pub fn report(&self, phone: &Phone, at: i64) -> String {
        self.signed_report(phone, at, &self.org_id, "0.1.0")
    }

    /// A report naming another organisation.
    pub fn report_with(&self, phone: &Phone, at: i64, org: &str) -> String {
        self.signed_report(phone, at, org, "0.1.0")
    }

    /// A report from another version of the app.
    pub fn report_from_app(&self, phone: &Phone, at: i64, app_ver: &str) -> String {
        self.signed_report(phone, at, &self.org_id, app_ver)
    }

    /// A report made while the phone holds the receipt of this wipe (after the wipe, before IT
    /// confirmed it).
    pub fn report_holding(&self, phone: &Phone, at: i64, receipt_for: &str) -> String {
        let mut r = self.report_body(phone, at, &self.org_id, "0.1.0");
        r.rcpt = Some(receipt_for.to_owned());
        report::seal(&phone.key, &r).unwrap()
    }

    /// A report carrying the phone's contacts cleanup (`None`: an app that predates it).
    pub fn report_cleanup(&self, phone: &Phone, at: i64, cln: Option<report::CleanupState>) -> String {
        let mut r = self.report_body(phone, at, &self.org_id, "0.2.0");
        r.cln = cln;
        report::seal(&phone.key, &r).unwrap()
    }

    fn signed_report(&self, phone: &Phone, at: i64, org: &str, app_ver: &str) -> String {
        report::seal(&phone.key, &self.report_body(phone, at, org, app_ver)).unwrap()
    }

    fn report_body(&self, phone: &Phone, at: i64, org: &str, app_ver: &str) -> DeviceReport {
        DeviceReport {
            v: REPORT_VERSION,
            dev: phone.dev.clone(),
            enr: phone.enr.clone(),
            key: phone.key.public_key(),
            org: org.to_owned(),
            os: "android".into(),
            os_ver: "16".into(),
            app_ver: app_ver.into(),
            pol: 2,
            seen: Some(at - 600),
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: Some(phone.mdm_dev.clone()),
            mdm_user: Some(phone.user.clone()),
            cp: None,
            conf: None,
            ks: None,
            cln: None,
            at,
        }
    }

    /// A fixture of tests/fixtures/mdm with its placeholders filled, written into the folder.
    pub fn fixture(&self, name: &str, fill: &[(&str, &str)]) -> String {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mdm").join(name);
        let mut text = std::fs::read_to_string(here).unwrap();
        for (placeholder, value) in fill {
            text = text.replace(&format!("{{{{{placeholder}}}}}"), value);
        }
        assert!(!text.contains("{{"), "{name}: a placeholder left unfilled");
        self.write(name, &text)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// `devices import` with `args` (files, and flags such as `--format`).
    pub fn import(&self, args: &[&str]) -> Ran {
        admin(self.path(), &[&["--json", "devices", "import", "--org", "org"], args].concat())
    }

    pub fn ledger(&self) -> Ledger {
        super::open_ledger(self.path(), &self.org_key)
    }

    pub fn wipe_state(&self, command: &str) -> Option<WipeState> {
        self.ledger().wipes(now()).unwrap().into_iter().find(|w| w.command_id == command).map(|w| w.state)
    }
}

/// A full wipe's receipt, signed by the phone; the contacts step failed when asked.
pub fn receipt(phone: &Phone, command_id: &str, failed_contacts: bool) -> String {
    let done = |step, failed: bool| StepDone {
        step,
        count: u32::from(!failed),
        failed: u32::from(failed),
        reason: failed.then(|| "permission_denied".to_owned()),
    };
    let r = Receipt {
        v: COMMAND_VERSION,
        device_id: phone.dev.clone(),
        enrollment_id: phone.enr.clone(),
        command_id: command_id.into(),
        scope: WipeScope::All,
        reason: if command_id.starts_with("loc_") { WipeReason::LocalTrigger } else { WipeReason::Lost },
        completed_at: now(),
        steps: vec![
            done(Step::DestroyKey, false),
            done(Step::DeleteContacts, failed_contacts),
            done(Step::DeleteFiles, false),
        ],
        device_key: phone.key.public_key(),
        merged_command_ids: Vec::new(),
    };
    wipe::seal_receipt(&phone.key, &r)
}
