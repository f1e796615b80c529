//! Swift syntax checking with tree-sitter-swift, from PyPI into a venv.

use super::{marker_matches, remove_path, run_captured, tools_dir, write_if_changed, Counts, MARKER};
use anyhow::{anyhow, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// PyPI pins. tree-sitter-swift 0.7.x ships a grammar with language ABI 15,
/// which needs the py-tree-sitter 0.25 line (0.24 and older reject it).
const TREE_SITTER_VERSION: &str = "0.25.2";
const TREE_SITTER_SWIFT_VERSION: &str = "0.7.4";

/// Parses every file named on the command line in one process and prints one
/// JSON object: {"files": [{"path", "ok", "line", "col", "kind", "error"}]}.
/// `--self-test` proves the two PyPI packages load and work together.
const SWIFT_CHECK_PY: &str = include_str!("swift_syntax_check.py");

/// Reads the generated bindings and the hand-written files, and names each call, initialiser,
/// enum case and protocol implementation that the bindings do not declare with those labels
/// (no Swift compiler runs here). Imports the syntax checker's directive blanking.
const BINDING_CHECK_PY: &str = include_str!("swift_binding_check.py");

pub struct SwiftChecker {
    pub python: PathBuf,
    pub script: PathBuf,
    pub binding_script: PathBuf,
}

/// What the Swift part found: files free of syntax errors and binding drift, and how many
/// binding calls were matched against the generated declarations.
pub struct SwiftReport {
    pub counts: Counts,
    pub binding_calls: u64,
}

pub fn ensure_swift_checker(root: &Path) -> Result<SwiftChecker> {
    let tools = tools_dir(root)?;
    let venv = tools.join("venv");
    let script = tools.join("swift_syntax_check.py");
    write_if_changed(&script, SWIFT_CHECK_PY)?;
    let binding_script = tools.join("swift_binding_check.py");
    write_if_changed(&binding_script, BINDING_CHECK_PY)?;

    let want = format!("tree-sitter=={TREE_SITTER_VERSION} tree-sitter-swift=={TREE_SITTER_SWIFT_VERSION}");
    let checker = SwiftChecker { python: venv_python(&venv), script, binding_script };
    if !marker_matches(&venv, &want) {
        eprintln!("xtask: installing {want} (pip) into {}", venv.display());
        install_swift_checker(&venv, &checker, &want)
            .with_context(|| format!("failed to install the Swift syntax checker ({want}) into {}", venv.display()))?;
    }
    Ok(checker)
}

/// A venv cannot be moved after creation, so it is built in place and the
/// marker is written last; a leftover without a marker is wiped and rebuilt.
fn install_swift_checker(venv: &Path, checker: &SwiftChecker, want: &str) -> Result<()> {
    remove_path(venv)?;
    run_captured(
        Command::new("python3").args(["-m", "venv"]).arg(venv),
        "python3 -m venv (is python3 with the venv module installed?)",
    )?;
    let mut pip = Command::new(&checker.python);
    pip.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("tree-sitter=={TREE_SITTER_VERSION}"))
        .arg(format!("tree-sitter-swift=={TREE_SITTER_SWIFT_VERSION}"));
    run_captured(&mut pip, "pip install tree-sitter tree-sitter-swift")?;
    run_captured(Command::new(&checker.python).arg(&checker.script).arg("--self-test"), "Swift checker self-test")?;
    fs::write(venv.join(MARKER), want).context("writing install marker")
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

pub fn check_swift(checker: &SwiftChecker, files: &[PathBuf], generated: &Path) -> Result<SwiftReport> {
    let mut counts = Counts::zero();
    if files.is_empty() {
        return Ok(SwiftReport { counts, binding_calls: 0 });
    }
    let out = run_captured(Command::new(&checker.python).arg(&checker.script).args(files), "Swift syntax checker")?;
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("Swift syntax checker printed invalid JSON")?;
    let results = report["files"].as_array().ok_or_else(|| anyhow!("Swift syntax checker output lacks `files`"))?;

    // The drift check proves itself first: a deliberately wrong call must be caught.
    run_captured(
        Command::new(&checker.python).arg(&checker.binding_script).arg("--self-test"),
        "Swift binding check self-test",
    )?;
    let out = run_captured(
        Command::new(&checker.python).arg(&checker.binding_script).arg(generated).args(files),
        "Swift binding check",
    )?;
    let bindings: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("Swift binding check printed invalid JSON")?;
    let drift = bindings["files"].as_array().ok_or_else(|| anyhow!("Swift binding check output lacks `files`"))?;
    let binding_calls = bindings["matched"].as_u64().unwrap_or(0);

    for (result, drifted) in results.iter().zip(drift) {
        let mut problems: Vec<String> = swift_failure(result).into_iter().collect();
        if let Some(found) = drifted["problems"].as_array() {
            problems.extend(found.iter().filter_map(|p| p.as_str()).map(|p| format!("{p} (binding drift)")));
        }
        if problems.is_empty() {
            counts.passed += 1;
        } else {
            counts.failed += 1;
            counts.failures.extend(problems);
        }
    }
    Ok(SwiftReport { counts, binding_calls })
}

/// None for a clean file, else the `path:line:col: syntax error` line.
fn swift_failure(result: &serde_json::Value) -> Option<String> {
    if result["ok"].as_bool() == Some(true) {
        return None;
    }
    let path = result["path"].as_str().unwrap_or("?");
    if let Some(error) = result["error"].as_str() {
        return Some(format!("{path}: cannot read: {error}"));
    }
    let line = result["line"].as_u64().unwrap_or(0);
    let col = result["col"].as_u64().unwrap_or(0);
    Some(format!("{path}:{line}:{col}: syntax error"))
}
