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

/// The binary in `dir`, with `env` added to its environment.
pub fn admin_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut cmd = Command::cargo_bin("televisit-admin").unwrap();
    cmd.current_dir(dir).args(args);
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
