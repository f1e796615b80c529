//! The iOS shell's Swift, met by a real compiler: Swift 6.0.3 in the trixie root
//! (`swift_root`). Three checks, each of which can fail the part:
//!
//! 1. The generated C header (`TelevisitFFI.h`) parses with clang as C and as Objective-C (a
//!    C keyword used as an argument name stops it), and the check proves itself first on a copy
//!    with an argument named `signed`.
//! 2. `ios/LinuxCheck/Run`: the generated Swift bindings and every shell file that imports no
//!    Apple-only framework, compiled in Swift 5 and Swift 6 language modes and linked against the
//!    real core (`libtelevisit_ffi.so`); its XCTest suite runs against it, with the real
//!    `televisit-admin` playing IT.
//! 3. `ios/LinuxCheck/Typecheck`: every other Swift file of the app (SwiftUI views, the app
//!    model, the adapters over Contacts, LocalAuthentication, Keychain, BackgroundTasks)
//!    compiled in both modes against stand-in modules that declare the Apple API it uses.
//!
//! The packages are staged inside the root (`/televisit-stage`): their committed parts mirrored
//! from the clone, the generated and shell sources copied in. Build folders stay between runs,
//! so a second run compiles only what changed.

use super::swift_root::{SwiftRoot, CLANG};
use super::Counts;
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const STAGE: &str = "/televisit-stage";
/// The modules a shell file may import and still be compiled and run on Linux.
const PORTABLE_IMPORTS: &[&str] = &["Foundation", "FoundationNetworking", "Dispatch", "TelevisitCore"];
/// Links the core's shared library wherever the generated header's module is imported.
const MODULE_MAP: &str =
    "module TelevisitFFI {\n    header \"TelevisitFFI.h\"\n    link \"televisit_ffi\"\n    export *\n}\n";
const MODES: &[&str] = &["6", "5"];
/// An expression the type checker cannot solve in this many seconds is an error ("unable to
/// type-check this expression in reasonable time") instead of minutes of a stalled run; the
/// compiler's own limit is ten minutes.
const SOLVER_SECONDS: u32 = 30;

/// What the Swift part did: files compiled (typechecked ones included) and the XCTest counts.
pub struct SwiftReport {
    pub files_compiled: usize,
    pub counts: Counts,
}

/// The inputs the build needs from the workspace.
pub struct SwiftInputs<'a> {
    pub workspace: &'a Path,
    /// The generated `TelevisitCore.swift` and `TelevisitFFI.h`.
    pub bindings: &'a Path,
    /// `libtelevisit_ffi.so` and `televisit-admin`.
    pub debug_dir: &'a Path,
}

pub fn check_swift(swift: &SwiftRoot, inputs: &SwiftInputs) -> Result<SwiftReport> {
    let mut counts = Counts::zero();
    let mut compiled = BTreeSet::new();
    let staged = stage(swift, inputs, &mut compiled)?;

    if let Err(err) = check_header(swift) {
        fail(&mut counts, format!("C header: {err:#}"));
    }
    let run_built = MODES.iter().fold(true, |ok, mode| {
        let built = build(swift, "Run", mode, true);
        if let Err(err) = &built {
            fail(&mut counts, format!("Run package, Swift {mode} mode: {err:#}"));
        }
        ok && built.is_ok()
    });
    if run_built {
        match run_tests(swift) {
            Ok(tests) => {
                counts.passed += tests.passed;
                counts.failed += tests.failed;
                counts.failures.extend(tests.failures);
                counts.passed_names.extend(tests.passed_names);
            }
            Err(err) => fail(&mut counts, format!("XCTest: {err:#}")),
        }
    }
    if staged.typecheck {
        for mode in MODES {
            if let Err(err) = build(swift, "Typecheck", mode, false) {
                fail(&mut counts, format!("Typecheck package, Swift {mode} mode: {err:#}"));
            }
        }
    } else {
        fail(
            &mut counts,
            "ios/LinuxCheck/Typecheck/Package.swift is missing: the Apple-only files were not compiled".into(),
        );
    }
    Ok(SwiftReport { files_compiled: compiled.len(), counts })
}

fn fail(counts: &mut Counts, message: String) {
    counts.failed += 1;
    counts.failures.push(format!("swift: {message}"));
}

struct Staged {
    typecheck: bool,
}

/// Mirrors the committed package parts into the root and copies in the generated bindings,
/// the header with its module map, the shell's sources, the core library and IT's tool.
/// `compiled` collects every Swift source given to the compiler, by its path in the clone.
fn stage(swift: &SwiftRoot, inputs: &SwiftInputs, compiled: &mut BTreeSet<PathBuf>) -> Result<Staged> {
    let ios = inputs.workspace.join("ios");
    let stage = swift.host_path(STAGE);
    let core_swift = inputs.bindings.join("TelevisitCore.swift");
    let header = inputs.bindings.join("TelevisitFFI.h");
    for needed in [&core_swift, &header] {
        if !needed.is_file() {
            bail!("{} is missing: the Swift bindings were not generated", needed.display());
        }
    }

    let shell = swift_files(&ios.join("Sources/TelevisitShell"))?;
    let mut portable = Vec::new();
    for file in &shell {
        let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        if imports(&text).iter().all(|m| PORTABLE_IMPORTS.contains(&m.as_str())) {
            portable.push(file.clone());
        }
    }
    let app = swift_files(&ios.join("App/TelevisitApp"))?;

    // Run: the generated bindings, the portable shell, the tests.
    let run = stage.join("Run");
    mirror(&ios.join("LinuxCheck/Run"), &run, &["Sources"])?;
    fill(&run.join("Sources/TelevisitFFI"), &[(header.clone(), "TelevisitFFI.h")], Some(MODULE_MAP))?;
    fill_files(&run.join("Sources/TelevisitCore"), std::slice::from_ref(&core_swift))?;
    fill_files(&run.join("Sources/TelevisitShell"), &portable)?;
    compiled.insert(core_swift.clone());
    compiled.extend(portable);
    compiled.extend(swift_files(&ios.join("LinuxCheck/Run/Tests"))?);

    // Typecheck: the stand-ins, the whole shell, the app.
    let typecheck_src = ios.join("LinuxCheck/Typecheck");
    let typecheck = typecheck_src.join("Package.swift").is_file();
    if typecheck {
        let dir = stage.join("Typecheck");
        mirror(&typecheck_src, &dir, &["Sources"])?;
        fill(&dir.join("Sources/TelevisitFFI"), &[(header.clone(), "TelevisitFFI.h")], Some(MODULE_MAP))?;
        fill_files(&dir.join("Sources/TelevisitCore"), std::slice::from_ref(&core_swift))?;
        fill_files(&dir.join("Sources/TelevisitShell"), &shell)?;
        fill_files(&dir.join("Sources/TelevisitApp"), &app)?;
        compiled.extend(shell);
        compiled.extend(app);
        compiled.extend(swift_files(&typecheck_src.join("StandIns"))?);
    }

    // The header alone, for clang; the library and IT's tool for the tests.
    fill(&stage.join("header"), &[(header, "TelevisitFFI.h")], None)?;
    let debug = inputs.debug_dir;
    fill(
        &stage.join("lib"),
        &[
            (debug.join("libtelevisit_ffi.so"), "libtelevisit_ffi.so"),
            (debug.join("televisit-admin"), "televisit-admin"),
            (debug.join("televisit-relay"), "televisit-relay"),
        ],
        None,
    )?;
    Ok(Staged { typecheck })
}

/// The modules a Swift file imports (`import X`, `@testable import X`, `import struct X.Y`).
pub fn imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace().skip_while(|w| w.starts_with('@'));
        if words.next() != Some("import") {
            continue;
        }
        let mut target = words.next();
        if matches!(target, Some("struct" | "class" | "enum" | "protocol" | "func" | "var" | "let" | "typealias")) {
            target = words.next();
        }
        if let Some(module) = target.and_then(|t| t.split('.').next()) {
            found.push(module.to_owned());
        }
    }
    found
}

fn swift_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        super::collect_files(dir, "swift", &mut files)?;
    }
    files.sort();
    Ok(files)
}

/// Makes `dst` a copy of `src`, leaving alone build folders (`.build*`) and the folders named in
/// `keep` (filled separately): unchanged files are not rewritten, so builds stay incremental.
fn mirror(src: &Path, dst: &Path, keep: &[&str]) -> Result<()> {
    fs::create_dir_all(dst).with_context(|| format!("creating {}", dst.display()))?;
    let mut wanted = BTreeSet::new();
    for entry in fs::read_dir(src).with_context(|| format!("listing {}", src.display()))? {
        let path = entry?.path();
        let name = path.file_name().expect("a listed entry has a name").to_owned();
        let to = dst.join(&name);
        if path.is_dir() {
            mirror(&path, &to, &[])?;
        } else {
            copy_if_changed(&path, &to)?;
        }
        wanted.insert(name);
    }
    for entry in fs::read_dir(dst)? {
        let path = entry?.path();
        let name = path.file_name().expect("a listed entry has a name").to_owned();
        let text = name.to_string_lossy();
        if wanted.contains(&name) || text.starts_with(".build") || keep.contains(&text.as_ref()) {
            continue;
        }
        super::remove_path(&path)?;
    }
    Ok(())
}

fn fill_files(dir: &Path, files: &[PathBuf]) -> Result<()> {
    let named: Vec<(PathBuf, &str)> =
        files.iter().map(|f| (f.clone(), f.file_name().and_then(|n| n.to_str()).unwrap_or_default())).collect();
    fill(dir, &named, None)
}

/// Makes `dir` hold exactly these files (and a `module.modulemap` when given).
fn fill(dir: &Path, files: &[(PathBuf, &str)], module_map: Option<&str>) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut wanted: BTreeSet<String> = files.iter().map(|(_, name)| (*name).to_owned()).collect();
    for (from, name) in files {
        copy_if_changed(from, &dir.join(name))?;
    }
    if let Some(map) = module_map {
        super::write_if_changed(&dir.join("module.modulemap"), map)?;
        wanted.insert("module.modulemap".into());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.file_name().is_some_and(|n| wanted.contains(n.to_string_lossy().as_ref())) {
            super::remove_path(&path)?;
        }
    }
    Ok(())
}

fn copy_if_changed(from: &Path, to: &Path) -> Result<()> {
    let bytes = fs::read(from).with_context(|| format!("reading {}", from.display()))?;
    if fs::read(to).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    // Written beside it and renamed over it: a binary still running from an earlier run (a relay
    // a killed test left behind) cannot be written in place ("Text file busy"), but replaced.
    let staged = to.with_file_name(format!(".{}.new", to.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
    fs::write(&staged, &bytes).with_context(|| format!("writing {}", staged.display()))?;
    let mode = fs::metadata(from)?.permissions();
    fs::set_permissions(&staged, mode).with_context(|| format!("copying the mode of {}", from.display()))?;
    fs::rename(&staged, to).with_context(|| format!("replacing {}", to.display()))
}

/// The header as C and as Objective-C, after proving that a C keyword as an argument name is
/// caught: the way UniFFI's own header stopped clang before (`RustBuffer signed`).
fn check_header(swift: &SwiftRoot) -> Result<()> {
    let dir = swift.host_path(&format!("{STAGE}/header"));
    let header = fs::read_to_string(dir.join("TelevisitFFI.h"))?;
    let probe = format!("{header}\nvoid televisit_keyword_probe(RustBuffer signed);\n");
    super::write_if_changed(&dir.join("keyword-probe.h"), &probe)?;
    for language in ["c", "objective-c"] {
        let probe =
            swift.output(&format!("{CLANG} -fsyntax-only -x {language} {STAGE}/header/keyword-probe.h"), &[])?;
        if probe.status.success() {
            bail!("clang accepted an argument named `signed` as {language}: the header check proves nothing");
        }
        swift
            .run(
                &format!(
                    "{CLANG} -fsyntax-only -Wno-pragma-once-outside-header -x {language} {STAGE}/header/TelevisitFFI.h"
                ),
                &[],
            )
            .with_context(|| format!("the generated TelevisitFFI.h does not parse as {language}"))?;
    }
    Ok(())
}

fn build(swift: &SwiftRoot, package: &str, mode: &str, tests: bool) -> Result<()> {
    let script = format!(
        "cd {STAGE}/{package} && swift build --build-path .build-{mode} {} -Xlinker -L{STAGE}/lib \
         -Xswiftc -Xfrontend -Xswiftc -solver-expression-time-threshold={SOLVER_SECONDS}",
        if tests { "--build-tests" } else { "" }
    );
    let out = swift.output(&script, &[("TELEVISIT_SWIFT_MODE", mode)])?;
    if out.status.success() {
        return Ok(());
    }
    let text = super::combined_output(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("error:")).take(40).collect();
    if errors.is_empty() {
        bail!("swift build failed ({}):\n{text}", out.status);
    }
    bail!("swift build failed:\n{}", errors.join("\n"))
}

/// The XCTest suite against the real core, IT played by the real `televisit-admin`.
fn run_tests(swift: &SwiftRoot) -> Result<Counts> {
    let out = swift.output(
        &format!("cd {STAGE}/Run && swift test --skip-build --build-path .build-6"),
        &[
            ("LD_LIBRARY_PATH", &format!("{STAGE}/lib")),
            ("TELEVISIT_ADMIN", &format!("{STAGE}/lib/televisit-admin")),
            ("TELEVISIT_RELAY", &format!("{STAGE}/lib/televisit-relay")),
        ],
    )?;
    let text = super::combined_output(&out);
    println!("{text}");
    let mut counts = xctest_counts(&text).context("swift test printed no XCTest summary")?;
    if !out.status.success() && counts.failed == 0 {
        counts.failed = 1;
        counts.failures.push(format!("swift: swift test exited with {}", out.status));
    }
    Ok(counts)
}

/// Reads `Executed N tests, with M failures` of the 'All tests' suite, and each failed case.
pub fn xctest_counts(text: &str) -> Option<Counts> {
    let mut counts = Counts::zero();
    let mut lines = text.lines();
    let mut found = false;
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("Test Case '").and_then(|l| l.split_once("' failed")).map(|(n, _)| n) {
            counts.failures.push(format!("swift: {name}"));
        }
        // `Test Case 'CleanupTests.testX' passed` on Linux, `'-[Module.CleanupTests testX]'` on macOS.
        if let Some(name) = line.strip_prefix("Test Case '").and_then(|l| l.split_once("' passed")).map(|(n, _)| n) {
            counts.passed_names.push(name.trim_start_matches("-[").trim_end_matches(']').replace(' ', ".").to_owned());
        }
        if line.starts_with("Test Suite 'All tests'") && (line.contains(" passed at ") || line.contains(" failed at "))
        {
            let summary = lines.next()?.trim();
            let rest = summary.strip_prefix("Executed ")?;
            let executed: usize = rest.split(' ').next()?.parse().ok()?;
            let failed: usize = rest.split("with ").nth(1)?.split(' ').next()?.parse().ok()?;
            counts.passed = executed.checked_sub(failed)?;
            counts.failed = failed;
            found = true;
        }
    }
    found.then_some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_read_with_attributes_and_kinds() {
        let text = "import Foundation\n@preconcurrency import UIKit\n@testable import TelevisitShell\nimport struct SwiftUI.Color\n// import Contacts\nlet x = 1\n";
        assert_eq!(imports(text), ["Foundation", "UIKit", "TelevisitShell", "SwiftUI"]);
    }

    #[test]
    fn xctest_summary_and_failures_are_read() {
        let text = "Test Case 'A.testOne' passed (0.1 seconds)\nTest Case 'A.testTwo' failed (0.2 seconds)\n\
                    Test Suite 'All tests' failed at 2026-12-06 10:00:00.000\n\t Executed 2 tests, with 1 failure (0 unexpected) in 0.3 (0.3) seconds\n";
        let counts = xctest_counts(text).unwrap();
        assert_eq!((counts.passed, counts.failed), (1, 1));
        assert_eq!(counts.failures, ["swift: A.testTwo"]);
        assert_eq!(counts.passed_names, ["A.testOne"], "what the evidence pages are held to");
        let mac = xctest_counts("Test Case '-[Shell.A testOne]' passed (0.1 seconds).\nTest Suite 'All tests' passed at x\n\t Executed 1 test, with 0 failures (0 unexpected) in 0.1 (0.1) seconds\n");
        assert_eq!(mac.unwrap().passed_names, ["Shell.A.testOne"]);
        assert!(xctest_counts("error: build failed").is_none());
    }
}
