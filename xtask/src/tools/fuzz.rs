//! The cargo-fuzz targets in `fuzz/`, run for a few seconds each. cargo-fuzz needs a nightly
//! toolchain; where none is installed the part says so and is skipped, never failed.

use super::Counts;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const CARGO_FUZZ_VERSION: &str = "0.13.2";
pub const TARGETS: &[&str] = &["wipe_token", "policy"];

pub fn nightly_available() -> bool {
    Command::new("cargo").args(["+nightly", "--version"]).output().is_ok_and(|o| o.status.success())
}

/// cargo-fuzz from crates.io, installed under target/tools/cargo-fuzz.
pub fn ensure_cargo_fuzz(root: &Path) -> Result<PathBuf> {
    let install = root.join("target/tools/cargo-fuzz");
    let bin = install.join("bin/cargo-fuzz");
    let ok = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ_VERSION));
    if !ok {
        eprintln!("xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION} into {}", install.display());
        let status = Command::new("cargo")
            .args(["install", "--locked", "--version", CARGO_FUZZ_VERSION, "cargo-fuzz", "--root"])
            .arg(&install)
            .status()
            .context("could not start cargo install")?;
        anyhow::ensure!(status.success(), "cargo install cargo-fuzz {CARGO_FUZZ_VERSION} failed ({status})");
    }
    Ok(bin)
}

/// Runs each target for `seconds`; a crash (or a panic the target asserts) is a failure.
pub fn run(root: &Path, cargo_fuzz: &Path, seconds: u32) -> Result<Counts> {
    let mut counts = Counts { passed: 0, failed: 0, failures: Vec::new() };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![cargo_fuzz.parent().map(Path::to_path_buf).unwrap_or_default()];
    dirs.extend(std::env::split_paths(&path));
    for target in TARGETS {
        let status = Command::new("cargo")
            .current_dir(root.join("fuzz"))
            .env("PATH", std::env::join_paths(&dirs)?)
            .args([
                "+nightly",
                "fuzz",
                "run",
                target,
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ])
            .status()
            .with_context(|| format!("could not start cargo fuzz run {target}"))?;
        if status.success() {
            counts.passed += 1;
        } else {
            counts.failed += 1;
            counts.failures.push(format!("fuzz target {target} found a crash (see fuzz/artifacts/{target})"));
        }
    }
    Ok(counts)
}
