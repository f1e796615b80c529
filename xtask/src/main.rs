//! `cargo xtask`: the project's build and test tasks, in Rust so they run the same everywhere.
//!
//!   cargo xtask bindings   generate Kotlin, Swift and Python bindings into target/bindings/
//!   cargo xtask test [PART...] every test, every language; one summary line per part
//!   cargo xtask android    the Android native libraries (cargo-ndk) and Kotlin bindings for the app
//!   cargo xtask fuzz [S]   the cargo-fuzz targets of the protocol crate, S seconds each (nightly)
//!   cargo xtask ios        the iOS package's generated parts (bindings; XCFramework on macOS)
//!   cargo xtask bench      the benchmark: each figure beside its baseline; target/bench.json
//!   cargo xtask screens accept   the Android screenshots' candidates become the goldens

mod android;
mod bench;
mod evidence;
mod ios;
mod screens;
mod tools;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use tools::Counts;

const LANGUAGES: &[&str] = &["kotlin", "swift", "python"];
/// The parts of `cargo xtask test`, in the order they run.
const PARTS: &[&str] = &["rust", "browser", "kotlin", "android", "swift", "fuzz", "evidence"];
/// Seconds each fuzz target runs in `cargo xtask test` (`TELEVISIT_FUZZ_SECONDS` changes it).
const FUZZ_SECONDS: u32 = 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("bindings") => bindings(&root).map(|_| true),
        Some("android") => android::run(&root),
        Some("test") => test(&root, &args[1..].iter().map(String::as_str).collect::<Vec<_>>()),
        Some("bench") => {
            bench::bench(&root, args.iter().any(|a| a == "--quick"), args.iter().any(|a| a == "--reuse-core"))
        }
        Some("fuzz") => {
            let seconds = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
            fuzz(&root, seconds).map(|run| {
                println!("{}", fuzz_line(&run));
                run.counts.failed == 0
            })
        }
        Some("ios") => ios::run_ios(&root),
        Some("screens") if args.get(1).map(String::as_str) == Some("accept") => {
            screens::accept(&root, args.iter().any(|a| a == "--prune"))
        }
        _ => {
            eprintln!("usage: cargo xtask <bindings|test [PART...]|android|ios|bench [--quick] [--reuse-core]|fuzz [SECONDS]|screens accept [--prune]>\n\n  bindings  generate Kotlin, Swift and Python bindings into target/bindings/\n  test      Rust tests, Kotlin tests on the JVM, the Android app under Robolectric, Swift compiled and tested (Swift 6.0.3 in a trixie root), fuzzing, the evidence pages (PART: rust, browser, kotlin, android, swift, fuzz, evidence; several may be named)\n  android   the Android native libraries with cargo-ndk (needs an NDK)\n  ios       Swift bindings into ios/Generated/; on macOS also TelevisitFFI.xcframework\n  bench     the benchmark, each figure beside its baseline; table, and target/bench.json\n  fuzz      the protocol crate's cargo-fuzz targets (nightly), SECONDS each (default 60)\n  screens accept  the Android screenshots' last candidates become the goldens (look at target/android-screens/index.html first; --prune drops goldens no scene drew)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd.status().with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn host_library(root: &Path) -> PathBuf {
    let name = if cfg!(target_os = "macos") { "libtelevisit_ffi.dylib" } else { "libtelevisit_ffi.so" };
    root.join("target/debug").join(name)
}

/// Builds the host library and generates each language's bindings from it (library mode: the
/// metadata and uniffi.toml come from the built crate, so bindings always match the library).
fn bindings(root: &Path) -> Result<PathBuf> {
    run(cargo().current_dir(root).args(["build", "-p", "televisit-ffi"]), "cargo build -p televisit-ffi")?;
    let out = root.join("target/bindings");
    for language in LANGUAGES {
        let dir = out.join(language);
        let _ = std::fs::remove_dir_all(&dir);
        run(
            cargo()
                .current_dir(root)
                .args([
                    "run",
                    "--quiet",
                    "-p",
                    "televisit-bindgen",
                    "--bin",
                    "uniffi-bindgen",
                    "--",
                    "generate",
                    "--no-format",
                    "--library",
                ])
                .arg(host_library(root))
                .args(["--language", language, "--out-dir"])
                .arg(&dir),
            &format!("uniffi-bindgen for {language}"),
        )?;
    }
    eprintln!("xtask: bindings in {}", out.display());
    Ok(out)
}

/// Every part runs even when an earlier one fails, so one run shows everything that is wrong.
/// `only` (any of `PARTS`) runs those parts alone, for a quicker loop: `test android evidence`
/// holds the evidence pages to the Android tests that ran.
fn test(root: &Path, only: &[&str]) -> Result<bool> {
    for part in only {
        anyhow::ensure!(PARTS.contains(part), "unknown part {part}; one of: {}", PARTS.join(", "));
    }
    let wanted = |part: &str| only.is_empty() || only.contains(&part);
    let mut summary = Summary { lines: Vec::new(), total: Counts::zero(), ran: evidence::Ran::new() };

    if wanted("rust") {
        summary.record("rust", rust_tests(root), "passed");
    }
    if wanted("browser") {
        summary.record("browser", browser_tests(root), "passed");
    }
    let needs_bindings = ["kotlin", "android", "swift"].iter().any(|part| wanted(part));
    let bindings = if needs_bindings {
        bindings(root).and_then(|dir| {
            // The test-only native helper, and televisit-admin, which plays IT in the Kotlin tests.
            run(
                cargo().current_dir(root).args([
                    "build",
                    "-p",
                    "televisit-test-support",
                    "-p",
                    "televisit-admin",
                    "-p",
                    "televisit-relay",
                ]),
                "cargo build -p televisit-test-support -p televisit-admin -p televisit-relay",
            )?;
            Ok(dir)
        })
    } else {
        Err(anyhow::anyhow!("not needed"))
    };
    let generated =
        |language: &str| bindings.as_ref().map(|dir| dir.join(language)).map_err(|e| anyhow::anyhow!("{e:#}"));
    if wanted("kotlin") {
        summary.record("kotlin", generated("kotlin").and_then(|dir| kotlin_tests(root, &dir)), "passed");
    }
    if wanted("android") {
        summary.record("android", generated("kotlin").and_then(|dir| android_tests(root, &dir)), "passed");
    }
    if wanted("swift") {
        match generated("swift").and_then(|dir| swift_check(root, &dir)) {
            Ok(report) => {
                let line = format!(
                    "swift: {} files compiled, {} tests passed, {} failed",
                    report.files_compiled, report.counts.passed, report.counts.failed
                );
                summary.add("swift", line, report.counts);
            }
            Err(err) => summary.record("swift", Err(err), "tests passed"),
        }
    }
    // The fuzz targets build over the protocol crate alone (no SQLCipher, no OpenSSL), so every
    // run fuzzes each of them for a bounded time.
    if wanted("fuzz") {
        let seconds = std::env::var("TELEVISIT_FUZZ_SECONDS").ok().and_then(|s| s.parse::<u32>().ok());
        let seconds = seconds.unwrap_or(FUZZ_SECONDS);
        if tools::fuzz::nightly_available() {
            match fuzz(root, seconds) {
                Ok(run) => summary.add("fuzz", fuzz_line(&run), run.counts),
                Err(err) => summary.record("fuzz", Err(err), "targets"),
            }
        } else {
            summary.lines.push("fuzz: skipped (cargo-fuzz needs a nightly toolchain; none is installed)".into());
        }
    }

    // Last: the evidence pages hold to the tests that passed above (a part not run here is
    // checked for its tests' declarations only).
    if wanted("evidence") {
        let checked = evidence::check(root, &summary.ran);
        summary.record("evidence", checked, "citations and links hold");
    }

    println!();
    for failure in &summary.total.failures {
        println!("FAILED {failure}");
    }
    for line in &summary.lines {
        println!("{line}");
    }
    println!("all: {} passed, {} failed", summary.total.passed, summary.total.failed);
    Ok(summary.total.failed == 0)
}

/// One line per part, and the counts of all of them.
struct Summary {
    lines: Vec<String>,
    total: Counts,
    /// The tests each part reported passed, for the evidence pages.
    ran: evidence::Ran,
}

impl Summary {
    /// `part: N unit, M failed`; an error counts as one failure, named.
    fn record(&mut self, part: &str, counts: Result<Counts>, unit: &str) {
        let counts = counts.unwrap_or_else(|err| Counts::failed(vec![format!("{part}: {err:#}")]));
        self.add(part, format!("{part}: {} {unit}, {} failed", counts.passed, counts.failed), counts);
    }

    fn add(&mut self, part: &str, line: String, counts: Counts) {
        self.ran.entry(part.to_owned()).or_default().extend(counts.passed_names);
        self.lines.push(line);
        self.total.passed += counts.passed;
        self.total.failed += counts.failed;
        self.total.failures.extend(counts.failures);
    }
}

/// `cargo test` for the workspace, with a real PostgreSQL for the tests that need one; then IT's
/// tool's tests again with every ledger in PostgreSQL (the same tests, the other backend).
/// Counts come from the `test result:` lines.
fn rust_tests(root: &Path) -> Result<Counts> {
    let cluster = tools::postgres::start_for_run(root)?;
    let with_server = |command: &mut Command| {
        command.env("TELEVISIT_TEST_POSTGRES", cluster.url()).env("TELEVISIT_REQUIRE_POSTGRES", "1");
    };
    let mut workspace = cargo();
    workspace.current_dir(root).args(["test", "--workspace", "--no-fail-fast", "--color", "never"]);
    with_server(&mut workspace);
    let mut counts = cargo_tests(&mut workspace, "rust")?;
    let mut on_postgres = cargo();
    on_postgres.current_dir(root).args(["test", "-p", "televisit-admin", "--no-fail-fast", "--color", "never"]);
    on_postgres.env("TELEVISIT_TEST_LEDGER", "postgres");
    with_server(&mut on_postgres);
    let second = cargo_tests(&mut on_postgres, "rust (ledger on PostgreSQL)")?;
    counts.passed += second.passed;
    counts.failed += second.failed;
    counts.failures.extend(second.failures);
    counts.passed_names.extend(second.passed_names);
    Ok(counts)
}

/// IT's fleet report rendered by Chromium (installed from Debian's packages when missing): its
/// DOM checked, a screenshot left in `target/fleet-report/fleet.png`. Then every SVG figure the
/// docs show, drawn by the same browser (`evidence::renders`).
fn browser_tests(root: &Path) -> Result<Counts> {
    let chromium = tools::ensure_chromium(root)?;
    let mut counts = cargo_tests(
        cargo()
            .current_dir(root)
            .args(["test", "-p", "televisit-admin", "--test", "browser", "--color", "never", "--", "--ignored"])
            .env("TELEVISIT_CHROMIUM", &chromium)
            .env("TELEVISIT_REPORT_DIR", root.join("target").join("fleet-report")),
        "browser",
    )?;
    let work = root.join("target").join("figures");
    for figure in evidence::figures(root)? {
        let shown = figure.strip_prefix(root).unwrap_or(&figure).display().to_string();
        if evidence::renders(&chromium, &figure, &work)? {
            counts.passed += 1;
            counts.passed_names.push(format!("figure {shown}"));
        } else {
            counts.failed += 1;
            counts.failures.push(format!("browser: {shown} does not draw in Chromium"));
        }
    }
    Ok(counts)
}

fn cargo_tests(command: &mut Command, part: &str) -> Result<Counts> {
    let output = command.stderr(std::process::Stdio::inherit()).output().context("could not start cargo test")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    let mut counts = Counts::zero();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test result: ") {
            counts.passed += number_before(rest, " passed");
            counts.failed += number_before(rest, " failed");
        } else if let Some(name) = line.strip_prefix("test ").and_then(|l| l.strip_suffix(" ... FAILED")) {
            counts.failures.push(format!("{part}: {name}"));
        } else if let Some(name) = line.strip_prefix("test ").and_then(|l| l.strip_suffix(" ... ok")) {
            counts.passed_names.push(name.to_owned());
        }
    }
    if !output.status.success() && counts.failed == 0 {
        counts.failed = 1;
        counts.failures.push(format!("{part}: cargo test exited with {}", output.status));
    }
    Ok(counts)
}

fn number_before(text: &str, label: &str) -> usize {
    text.split(';')
        .find_map(|part| part.trim().strip_suffix(label))
        .and_then(|n| n.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

/// `fuzz: N targets, M executions, K crashes`: the line `cargo xtask test` ends its fuzz part with.
fn fuzz_line(run: &tools::fuzz::FuzzRun) -> String {
    format!(
        "fuzz: {} targets, {} executions, {} crashes",
        run.counts.passed + run.counts.failed,
        run.executions,
        run.counts.failed
    )
}

fn fuzz(root: &Path, seconds: u32) -> Result<tools::fuzz::FuzzRun> {
    anyhow::ensure!(
        tools::fuzz::nightly_available(),
        "cargo-fuzz needs a nightly toolchain (rustup toolchain install nightly)"
    );
    let cargo_fuzz = tools::fuzz::ensure_cargo_fuzz(root)?;
    tools::fuzz::run(root, &cargo_fuzz, seconds)
}

/// The Android app compiled against the real framework jar, its tests run under Robolectric.
fn android_tests(root: &Path, bindings: &Path) -> Result<Counts> {
    let kotlin = tools::ensure_kotlin(root)?;
    let jars = tools::ensure_jars(root)?;
    let android = tools::ensure_android_jars(root)?;
    screens::clear(root)?;
    let counts = tools::run_android_tests(root, &kotlin, &jars, &android, bindings, &root.join("target/debug"));
    // The index page is written whatever the tests found: it is where a failure is looked at.
    if let Some((page, shown)) = screens::write_index(root)? {
        eprintln!("xtask: {shown} screenshots, side by side: {}", page.display());
    }
    counts
}

fn kotlin_tests(root: &Path, bindings: &Path) -> Result<Counts> {
    let kotlin = tools::ensure_kotlin(root)?;
    let jars = tools::ensure_jars(root)?;
    tools::run_kotlin_tests(root, &kotlin, &jars, bindings, &root.join("tests/kotlin"), &root.join("target/debug"))
}

/// The iOS shell's Swift compiled by Swift 6.0.3 (installed in a trixie root when missing):
/// the generated header checked by clang, the bindings and the portable shell built and tested
/// against the real core, the rest typechecked against Apple stand-ins (`tools::swift`).
fn swift_check(root: &Path, generated: &Path) -> Result<tools::SwiftReport> {
    let swift = tools::ensure_swift_root(root)?;
    let debug = root.join("target/debug");
    tools::check_swift(&swift, &tools::SwiftInputs { workspace: root, bindings: generated, debug_dir: &debug })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_result_lines() {
        let line = "ok. 17 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 5.19s";
        assert_eq!(number_before(line, " passed"), 17);
        assert_eq!(number_before(line, " failed"), 2);
    }
}
