//! The cargo-fuzz targets in `fuzz/`, over the protocol crate alone, run for a bounded time
//! each. cargo-fuzz needs a nightly toolchain; where none is installed the part says so and is
//! skipped, never failed. Each target starts from the protocol's test vectors
//! (`protocol/vectors/`), so that mutations begin at real messages.

use super::Counts;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Each target and the vectors it starts from.
pub const TARGETS: &[(&str, &[&str])] = &[
    (
        "envelope",
        &[
            "signed_policy.txt",
            "enroll_code.txt",
            "wipe_command.txt",
            "receipt.txt",
            "bulletin.txt",
            "report.txt",
            "report_v1.txt",
            "keyset.txt",
        ],
    ),
    ("policy_json", &["policy.json"]),
    ("signed_policy", &["signed_policy.txt"]),
    ("enroll_code", &["enroll_code.txt"]),
    ("wipe_command", &["wipe_command.txt"]),
    ("receipt", &["receipt.txt"]),
    ("bulletin", &["bulletin.txt", "bulletin_named.txt"]),
    ("keyset", &["keyset.txt", "keyset_rotated.txt"]),
    ("report", &["report.txt", "report_v1.txt"]),
    ("export", &["export.json"]),
    ("chain", &[]),
    ("relay_request", &["relay_request.txt"]),
];

/// What a run of every target found.
pub struct FuzzRun {
    pub counts: Counts,
    pub executions: u64,
}

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

fn cargo_fuzz(root: &Path, cargo_fuzz: &Path) -> Result<Command> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![cargo_fuzz.parent().map(Path::to_path_buf).unwrap_or_default()];
    dirs.extend(std::env::split_paths(&path));
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root.join("fuzz")).env("PATH", std::env::join_paths(&dirs)?).arg("+nightly").arg("fuzz");
    Ok(cmd)
}

/// The build is shared by every target and kept under target/ between runs. `-a`: debug
/// assertions, and with them overflow checks, so an unchecked addition is a crash. No sanitizer:
/// the protocol crate forbids unsafe code, and AddressSanitizer would cost half the executions
/// (its one C dependency, ring, is fuzzed by its own project).
fn build_args(root: &Path) -> Vec<String> {
    ["-a", "--sanitizer", "none", "--target-dir"]
        .into_iter()
        .map(str::to_owned)
        .chain([root.join("target/fuzz").display().to_string()])
        .collect()
}

/// Each target's corpus, under target/, seeded with its vectors (without the files' last newline).
fn corpus(root: &Path, target: &str, seeds: &[&str]) -> Result<PathBuf> {
    let dir = root.join("target/fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for seed in seeds {
        let text = std::fs::read(root.join("protocol/vectors").join(seed)).with_context(|| format!("vector {seed}"))?;
        let trimmed = text.strip_suffix(b"\n").unwrap_or(&text);
        std::fs::write(dir.join(format!("vector-{seed}")), trimmed)?;
    }
    Ok(dir)
}

/// Builds every target once, then runs each for `seconds`; a crash (or a property the target
/// asserts, which is a panic) is a failure, with the input left in fuzz/artifacts/.
pub fn run(root: &Path, cargo_fuzz_bin: &Path, seconds: u32) -> Result<FuzzRun> {
    let status = cargo_fuzz(root, cargo_fuzz_bin)?
        .arg("build")
        .args(build_args(root))
        .status()
        .context("could not start cargo fuzz build")?;
    anyhow::ensure!(status.success(), "cargo fuzz build failed ({status})");
    let mut run = FuzzRun { counts: Counts::zero(), executions: 0 };
    // Each fuzzer is one process on one core: two at a time on a machine of two cores halves the
    // part's wall time in CI.
    let parallel = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2);
    for chunk in TARGETS.chunks(parallel) {
        let outputs: Vec<Result<std::process::Output>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(target, seeds)| scope.spawn(move || fuzz_one(root, cargo_fuzz_bin, target, seeds, seconds)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the fuzz runner thread panicked"))))
                .collect()
        });
        for ((target, _), output) in chunk.iter().zip(outputs) {
            let output = output?;
            let log = String::from_utf8_lossy(&output.stderr);
            let executions = executions(&log);
            eprintln!("xtask: fuzz {target}: {executions} executions in {seconds} s");
            run.executions += executions;
            if output.status.success() {
                run.counts.passed += 1;
            } else {
                eprint!("{}", tail(&log, 60));
                run.counts.failed += 1;
                run.counts.failures.push(format!("fuzz target {target} found a crash (see fuzz/artifacts/{target})"));
            }
        }
    }
    Ok(run)
}

/// One target for `seconds`, from its corpus; libFuzzer's output is returned for its counts.
fn fuzz_one(
    root: &Path,
    cargo_fuzz_bin: &Path,
    target: &str,
    seeds: &[&str],
    seconds: u32,
) -> Result<std::process::Output> {
    let corpus = corpus(root, target, seeds)?;
    cargo_fuzz(root, cargo_fuzz_bin)?
        .arg("run")
        .args(build_args(root))
        .arg(target)
        .arg(&corpus)
        .args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-max_len=4096",
            "-rss_limit_mb=2048",
            "-print_final_stats=1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("could not start cargo fuzz run {target}"))
}

/// libFuzzer's final count (`stat::number_of_executed_units: N`).
fn executions(log: &str) -> u64 {
    log.lines()
        .filter_map(|line| line.strip_prefix("stat::number_of_executed_units:"))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .sum()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let mut out = all[all.len().saturating_sub(lines)..].join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzers_execution_count() {
        let log = "#1024 pulse\nstat::number_of_executed_units: 123456\nstat::average_exec_per_sec:     6172\n";
        assert_eq!(executions(log), 123_456);
        assert_eq!(executions("crashed"), 0);
    }
}
