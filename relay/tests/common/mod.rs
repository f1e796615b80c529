//! The fleet as it runs: IT's tool on its workstations, a real PostgreSQL ledger, the relay as its
//! own process serving TLS with a certificate from a CA made here, and desktop phones (profiles)
//! checking in over HTTPS. Nothing shares a process with anything else.

#![allow(dead_code)]

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

fn ran(mut cmd: Command) -> Ran {
    let out = cmd.output().unwrap();
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A CA made for the test, and a certificate for 127.0.0.1 and localhost it signed.
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Tls {
    pub fn make(dir: &Path) -> Tls {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "North Clinic test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let server_key = rcgen::KeyPair::generate().unwrap();
        let server_params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let server = server_params.signed_by(&server_key, &ca, &ca_key).unwrap();
        let tls = Tls { ca: dir.join("ca.pem"), cert: dir.join("relay.pem"), key: dir.join("relay.key") };
        std::fs::write(&tls.ca, ca.pem()).unwrap();
        std::fs::write(&tls.cert, server.pem()).unwrap();
        std::fs::write(&tls.key, server_key.serialize_pem()).unwrap();
        tls
    }
}

/// IT's side: an organisation, its ledger in PostgreSQL, an enrollment code.
pub struct It {
    pub dir: PathBuf,
    pub ledger: String,
    pub org_key: String,
    pub code: String,
}

impl It {
    pub fn new(root: &Path, ledger: &str) -> It {
        let dir = root.join("it");
        std::fs::create_dir_all(&dir).unwrap();
        let mut it = It { dir, ledger: ledger.to_owned(), org_key: String::new(), code: String::new() };
        it.ok(&["org", "init", "--org", "org", "--name", "North Clinic"]);
        let shown: serde_json::Value =
            serde_json::from_str(&it.ok(&["--json", "org", "show", "--org", "org"])).unwrap();
        it.org_key = shown["signing_key"].as_str().expect("org show names the signing key").to_owned();
        let defaults = it.ok(&["policy", "defaults"]);
        std::fs::write(it.dir.join("policy.json"), defaults).unwrap();
        let signed = it.ok(&["policy", "sign", "policy.json", "--org", "org"]);
        std::fs::write(it.dir.join("policy.signed"), signed.trim()).unwrap();
        it.code = it.ok(&["enroll-code", "--org", "org", "--policy", "policy.signed"]).trim().to_owned();
        it
    }

    /// Another admin's workstation: the organisation's folder copied, the same ledger.
    pub fn workstation(&self, root: &Path) -> It {
        let dir = root.join("it-2");
        copy_dir(&self.dir.join("org"), &dir.join("org"));
        It { dir, ledger: self.ledger.clone(), org_key: self.org_key.clone(), code: self.code.clone() }
    }

    pub fn run(&self, args: &[&str]) -> Ran {
        let mut cmd = Command::cargo_bin("televisit-admin").unwrap();
        cmd.current_dir(&self.dir).args(args).env("TELEVISIT_LEDGER", &self.ledger);
        ran(cmd)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, Some(0), "televisit-admin {args:?}: {}", out.stderr);
        out.stdout
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let text = self.ok(&[&["--json"], args].concat());
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The relay, as its own process.
pub struct Relay {
    pub child: Child,
    pub url: String,
    pub config: PathBuf,
    pub exports: PathBuf,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Relay {
    pub fn config(dir: &Path, org_key: &str, ledger: &str, tls: &Tls, extra: &str) -> PathBuf {
        let config = dir.join("relay.toml");
        let text = format!(
            "listen = \"127.0.0.1:0\"\norg_key = \"{org_key}\"\nledger = \"{ledger}\"\nexports = \"{}\"\n{extra}\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n",
            dir.join("exports").display(),
            tls.cert.display(),
            tls.key.display()
        );
        std::fs::write(&config, text).unwrap();
        config
    }

    pub fn start(config: &Path) -> Relay {
        Relay::start_with(config, std::process::Command::new(env!("CARGO_BIN_EXE_televisit-relay")))
    }

    /// As `start`, with SIGTERM blocked in the process it is started from (as a parent's
    /// thread may leave it: Swift's `Process` from a concurrency thread does).
    pub fn start_with_sigterm_blocked(config: &Path) -> Relay {
        use std::os::unix::process::CommandExt;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_televisit-relay"));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGTERM);
                libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                Ok(())
            });
        }
        Relay::start_with(config, command)
    }

    fn start_with(config: &Path, mut command: std::process::Command) -> Relay {
        let mut child = command
            .args(["serve", "--config"])
            .arg(config)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("televisit-relay: listening on ") {
                    let _ = tx.send(url.to_owned());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("the relay did not start"));
        let exports = config.parent().unwrap().join("exports");
        Relay { child, url, config: config.to_owned(), exports, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the relay logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Kills it at once (SIGKILL): a crash, not a shutdown.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks it to stop (SIGTERM) and waits: in-flight requests finish first.
    pub fn terminate(&mut self) -> Option<i32> {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A desktop phone: a `televisit` profile.
pub struct Phone {
    pub profile: PathBuf,
}

impl Phone {
    pub fn enroll(root: &Path, name: &str, code: &str) -> Phone {
        let phone = Phone { profile: root.join(name) };
        let out = phone.run(&["enroll", code]);
        assert_eq!(out.code, Some(0), "enroll: {}", out.stderr);
        phone
    }

    pub fn run(&self, args: &[&str]) -> Ran {
        let mut cmd = Command::cargo_bin("televisit").unwrap();
        cmd.arg("--profile").arg(&self.profile).args(args);
        ran(cmd)
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(&[&["--json"], args].concat());
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout))
    }

    pub fn check_in(&self, relay: &str, ca: &Path) -> Ran {
        self.run(&["--json", "checkin", "--relay", relay, "--ca", &ca.display().to_string()])
    }

    pub fn device_id(&self) -> String {
        let status = self.json(&["status"]);
        status["device_id"].as_str().unwrap_or_else(|| panic!("status names the device: {status}")).to_owned()
    }
}
