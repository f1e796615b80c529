//! Running `televisit-admin` as IT does, for the package's integration tests.

#![allow(dead_code)] // each test file uses its own part of this

pub mod fleet;

use assert_cmd::Command;
use std::path::Path;

pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Whether this run keeps the tests' ledgers in PostgreSQL (`TELEVISIT_TEST_LEDGER=postgres`,
/// which `cargo xtask test` sets for a second run of these tests): the same tests, the other
/// backend.
pub fn on_postgres() -> bool {
    std::env::var("TELEVISIT_TEST_LEDGER").is_ok_and(|v| v == "postgres")
}

/// The ledger of the test working in `dir`: on PostgreSQL, a database of its own, made on first
/// use; otherwise `None` (the default, `ORG/ledger.db`).
pub fn ledger_for(dir: &Path) -> Option<String> {
    if !on_postgres() {
        return None;
    }
    static DATABASES: std::sync::Mutex<Vec<(std::path::PathBuf, String)>> = std::sync::Mutex::new(Vec::new());
    let mut known = DATABASES.lock().unwrap();
    if let Some((_, url)) = known.iter().find(|(d, _)| d == dir) {
        return Some(url.clone());
    }
    let url =
        televisit_test_postgres::database("admin").expect("a PostgreSQL server for TELEVISIT_TEST_LEDGER=postgres");
    known.push((dir.to_owned(), url.clone()));
    Some(url)
}

/// The ledger of the organisation in `dir/org`, opened as the tool opens it.
pub fn open_ledger(dir: &Path, org_key: &str) -> televisit_admin::ledger::Ledger {
    use televisit_admin::ledger::{Ledger, Location};
    let org = dir.join("org");
    let location = ledger_for(dir).map(|url| Location::parse(&url)).unwrap_or_else(|| Location::beside(&org));
    Ledger::open_at(&location, org_key).unwrap().with_archive_dir(org.join("archive"))
}

/// The binary in `dir`, with `env` added to its environment.
pub fn admin_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut cmd = Command::cargo_bin("televisit-admin").unwrap();
    cmd.current_dir(dir).args(args);
    cmd.env_remove("TELEVISIT_LEDGER");
    if let Some(url) = ledger_for(dir) {
        cmd.env("TELEVISIT_LEDGER", url);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn admin(dir: &Path, args: &[&str]) -> Ran {
    admin_env(dir, args, &[])
}

/// `--json`, which must succeed.
pub fn admin_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = admin(dir, &[&["--json"], args].concat());
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
