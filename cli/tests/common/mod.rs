//! How the shell tests run the binaries, shared by every test file.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// `televisit --profile <profile>`.
pub fn televisit(profile: &Path) -> Command {
    let mut cmd = Command::cargo_bin("televisit").unwrap();
    cmd.arg("--profile").arg(profile);
    cmd
}

/// What a command did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run_command(mut cmd: Command, stdin: Option<&str>) -> Run {
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_owned());
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub fn run_with(profile: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = televisit(profile);
    cmd.args(args);
    run_command(cmd, stdin)
}

pub fn run(profile: &Path, args: &[&str]) -> Run {
    run_with(profile, args, None)
}

/// A command that must succeed, with nothing on stderr.
pub fn ok(profile: &Path, args: &[&str]) -> String {
    let out = run(profile, args);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    out.stdout
}

/// `ok` with `--json`, parsed.
pub fn json(profile: &Path, args: &[&str]) -> Value {
    let text = ok(profile, &[&["--json"], args].concat());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}

/// `televisit-admin`, run in the folder IT keeps its files in.
pub fn admin(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::cargo_bin("televisit-admin").unwrap();
    cmd.current_dir(dir).args(args);
    run_command(cmd, None)
}
