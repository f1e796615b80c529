//! IT's tool, as the demo runs it: the real `televisit-admin` binary beside this one. `cargo run`
//! builds only the binary it runs, so on a fresh checkout that one may be missing; the demo then
//! does IT's side in-process, with the same functions (`televisit-admin`'s library over the
//! protocol crate), and says so.

use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use televisit_admin::ledger::Ledger;
use televisit_admin::{org, report};
use televisit_protocol::enrollment::{make_enroll_code, sign_policy, Validity, DEFAULT_CODE_VALID_SECONDS};
use televisit_protocol::keyset::Role;
use televisit_protocol::wipe::{self, WipeReason, WipeScope};
use televisit_protocol::Policy;

pub enum Admin {
    /// The `televisit-admin` beside this binary.
    Binary(PathBuf),
    /// Not built: the same functions, in this process.
    InProcess,
}

/// A command's exit code and output.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Admin {
    pub fn find() -> Admin {
        let beside = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("televisit-admin")));
        match beside {
            Some(path) if path.is_file() => Admin::Binary(path),
            _ => Admin::InProcess,
        }
    }

    /// What the demo says about where IT's side runs.
    pub fn describe(&self) -> String {
        match self {
            Admin::Binary(path) => format!("IT's tool is {}", path.display()),
            Admin::InProcess => {
                "televisit-admin was not built beside this binary (`cargo run` builds only the binary it runs;\n   \
                 `cargo build` builds both), so IT's side runs in-process: the same library functions as\n   \
                 televisit-admin, each shown as the command it stands for"
                    .to_owned()
            }
        }
    }

    fn run(path: &Path, dir: &Path, args: &[&str]) -> Result<Ran> {
        let out = Command::new(path)
            .current_dir(dir)
            .args(args.iter().map(OsStr::new))
            .output()
            .with_context(|| format!("cannot run {}", path.display()))?;
        Ok(Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs the binary in `dir`; its stdout, or an error with its stderr.
    fn ok(path: &Path, dir: &Path, args: &[&str]) -> Result<String> {
        let ran = Admin::run(path, dir, args)?;
        if ran.code != Some(0) {
            bail!("televisit-admin {} failed: {}", args.join(" "), ran.stderr.trim());
        }
        Ok(ran.stdout)
    }

    /// `devices import` of one file; a failure carries both streams (a refusal is told on stdout).
    fn import_devices(path: &Path, dir: &Path, org: &str, file: &str) -> Result<String> {
        let imported = Admin::run(path, dir, &["devices", "import", "--org", org, file])?;
        if imported.code != Some(0) {
            bail!("televisit-admin devices import failed: {}{}", imported.stdout.trim(), imported.stderr.trim());
        }
        Ok(imported.stdout)
    }

    fn json(path: &Path, dir: &Path, args: &[&str]) -> Result<serde_json::Value> {
        let out = Admin::ok(path, dir, &[&["--json"], args].concat())?;
        serde_json::from_str(&out).context("televisit-admin printed no JSON")
    }

    /// `org init --org ORG --name NAME`: the tool's report.
    pub fn org_init(&self, dir: &Path, org: &str, name: &str) -> Result<String> {
        match self {
            Admin::Binary(path) => Admin::ok(path, dir, &["org", "init", "--org", org, "--name", name]),
            Admin::InProcess => {
                let info = org::init(&dir.join(org), name)?;
                Ok(format!(
                    "organisation {} made in {org}\n  signing key (devices pin it): {}\n  export recipient: {}\nkeep {org} offline: it holds the keys\n",
                    info.name, info.signing_key, info.export_recipient
                ))
            }
        }
    }

    /// `policy sign FILE --org ORG`: the signed policy.
    pub fn sign_policy(&self, dir: &Path, file: &str, org: &str) -> Result<String> {
        match self {
            Admin::Binary(path) => {
                let out = Admin::json(path, dir, &["policy", "sign", file, "--org", org])?;
                out["signed"].as_str().map(str::to_owned).context("no signed policy")
            }
            Admin::InProcess => {
                let policy = Policy::from_json(&std::fs::read_to_string(dir.join(file))?)?;
                let org = org::load(&dir.join(org))?;
                let now = chrono::Utc::now().timestamp();
                Ok(sign_policy(&org.signer(None, Role::Policy, now)?.signer, &policy, now)?)
            }
        }
    }

    /// `enroll-code --org ORG --policy FILE`: the code.
    pub fn enroll_code(&self, dir: &Path, org: &str, signed_file: &str) -> Result<String> {
        match self {
            Admin::Binary(path) => {
                let out = Admin::json(path, dir, &["enroll-code", "--org", org, "--policy", signed_file])?;
                out["code"].as_str().map(str::to_owned).context("no enrollment code")
            }
            Admin::InProcess => {
                let org = org::load(&dir.join(org))?;
                let signed = std::fs::read_to_string(dir.join(signed_file))?;
                let validity = Validity::from(chrono::Utc::now().timestamp(), DEFAULT_CODE_VALID_SECONDS)?;
                let signer = org.signer(None, Role::Enroll, validity.issued_at)?.signer;
                Ok(make_enroll_code(&signer, &org.trust(), signed.trim(), validity)?)
            }
        }
    }

    /// `wipe issue --org ORG --device D --enrollment E --scope all --reason lost`: (command id, command).
    pub fn issue_wipe(&self, dir: &Path, org: &str, device: &str, enrollment: &str) -> Result<(String, String)> {
        match self {
            Admin::Binary(path) => {
                let out = Admin::json(
                    path,
                    dir,
                    &[
                        "wipe",
                        "issue",
                        "--org",
                        org,
                        "--unlisted",
                        "--device",
                        device,
                        "--enrollment",
                        enrollment,
                        "--scope",
                        "all",
                        "--reason",
                        "lost",
                    ],
                )?;
                let id = out["command_id"].as_str().context("no command id")?.to_owned();
                Ok((id, out["command"].as_str().context("no command")?.to_owned()))
            }
            Admin::InProcess => {
                let org_dir = dir.join(org);
                let org = org::load(&org_dir)?;
                let now = chrono::Utc::now().timestamp();
                let command =
                    televisit_admin::wipe_command(device, enrollment, WipeScope::All, WipeReason::Lost, 14, now)?;
                let text = wipe::issue(&org.signer(None, Role::Wipe, now)?.signer, &command)?;
                // Recorded in the ledger, as `wipe issue` does: its receipt is then one IT issued.
                Ledger::open(&org_dir, &org.info.signing_key)?.record_wipe(&command, &text, "demo", now)?;
                Ok((command.command_id.clone(), text))
            }
        }
    }

    /// `wipe verify-receipt FILE --device-key=KEY`: (valid, the tool's report).
    pub fn verify_receipt(&self, dir: &Path, file: &str, device_key: &str) -> Result<(bool, String)> {
        match self {
            Admin::Binary(path) => {
                let key = format!("--device-key={device_key}");
                let ran = Admin::run(path, dir, &["wipe", "verify-receipt", file, &key])?;
                Ok((ran.code == Some(0), format!("{}{}", ran.stdout, ran.stderr)))
            }
            Admin::InProcess => {
                let text = std::fs::read_to_string(dir.join(file))?;
                Ok(match wipe::verify_receipt(text.trim(), device_key) {
                    Ok(r) => (true, format!("{}\n", report::receipt_text(&r))),
                    Err(err) => (false, format!("televisit-admin: receipt refused: {err}\n")),
                })
            }
        }
    }

    /// IT takes a receipt into its ledger (`devices import`) and signs the next bulletin
    /// (`bulletin sign`), which confirms the receipt to its phone: (the import's line, the bulletin).
    pub fn confirm_receipt(&self, dir: &Path, org: &str, file: &str) -> Result<(String, String)> {
        match self {
            Admin::Binary(path) => {
                let imported = Admin::import_devices(path, dir, org, file)?;
                let bulletin = Admin::ok(path, dir, &["bulletin", "sign", "--org", org])?;
                Ok((imported.trim().to_owned(), bulletin.trim().to_owned()))
            }
            Admin::InProcess => {
                let org_dir = dir.join(org);
                let keys = org::load(&org_dir)?;
                let mut ledger = Ledger::open(&org_dir, &keys.info.signing_key)?;
                let now = chrono::Utc::now().timestamp();
                let imported = ledger.import_file(&dir.join(file), now)?;
                let signed = televisit_admin::bulletin_sign::sign_next(&keys, &mut ledger, None, 86_400, &[], now)?;
                Ok((televisit_admin::fleet::import_text(&imported), signed.text))
            }
        }
    }

    /// IT's side of an export: `devices import` of the device's report (which pins its key),
    /// `log import` of the export into the archive, then `log open`. Returns (verified and
    /// archived, the import's line, the open's report).
    pub fn archive_export(
        &self,
        dir: &Path,
        report_file: &str,
        file: &str,
        org: &str,
    ) -> Result<(bool, String, String)> {
        match self {
            Admin::Binary(path) => {
                Admin::import_devices(path, dir, org, report_file)?;
                let archived = Admin::run(path, dir, &["log", "import", "--org", org, file])?;
                if !matches!(archived.code, Some(0) | Some(3)) {
                    bail!("televisit-admin log import failed: {}", archived.stderr.trim());
                }
                let opened = Admin::run(path, dir, &["log", "open", file, "--org", org])?;
                if !matches!(opened.code, Some(0) | Some(3)) {
                    bail!("televisit-admin log open failed: {}", opened.stderr.trim());
                }
                Ok((
                    archived.code == Some(0) && opened.code == Some(0),
                    archived.stdout.trim().to_owned(),
                    opened.stdout,
                ))
            }
            Admin::InProcess => {
                let org_dir = dir.join(org);
                let keys = org::load(&org_dir)?;
                let mut ledger = Ledger::open(&org_dir, &keys.info.signing_key)?;
                let now = chrono::Utc::now().timestamp();
                ledger.import_file(&dir.join(report_file), now)?;
                let identity = org::export_identity(&org_dir)?;
                let sealed = std::fs::read(dir.join(file))?;
                let archived = ledger.archive_export(&sealed, &identity, now)?;
                let findings = ledger.check_log(&archived.device_id, &identity, now)?;
                let signed = televisit_admin::ledger::archive::open_sealed(&sealed, &identity)?;
                let verdict = report::verdict(&signed, ledger.device_key(&archived.device_id)?.as_deref());
                let (verified, out) = report::export_text(&signed, &verdict);
                Ok((verified && findings.is_empty(), archived.line(file), out))
            }
        }
    }
}
