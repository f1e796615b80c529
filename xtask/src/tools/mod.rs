//! External tools for the test run: the Kotlin compiler, JNA + the JUnit 5
//! console launcher, Chromium, and a Swift toolchain.
//!
//! Everything is installed by this module itself into `<root>/target/tools/`
//! and cached there. Each install either lands in a temporary directory that
//! is renamed into place once complete, or writes its marker file last, so an
//! interrupted install is never trusted by a later run.
//!
//! - `kotlin`: kotlinc from npm, compiling bindings + tests
//! - `jars`: JNA and the JUnit console launcher from Maven Central, SHA-256 pinned
//! - `junit`: running the console launcher and reading its results
//! - `android`: Robolectric's jars (via Maven), compiling the Android app and its tests
//! - `swift_root`: Swift 6.0.3 in a Debian trixie root (debootstrap, chroot), cached outside the clone
//! - `swift`: the generated header, bindings and the iOS shell compiled there; XCTest against the core
//! - `android_res`: the manifest and res/ checked and packaged with Debian's aapt
//! - `apt`: Debian's packages (Chromium, aapt), cached
//! - `browser`: Debian's Chromium, for IT's fleet report

mod android;
mod android_res;
mod apt;
mod browser;
pub mod fuzz;
mod jars;
mod junit;
mod kotlin;
pub mod openssl_min;
pub mod postgres;
mod swift;
mod swift_root;

pub use android::{ensure_android_jars, run_android_tests};
pub use browser::ensure_chromium;
pub use jars::ensure_jars;
pub use kotlin::{ensure_kotlin, run_kotlin_tests};
pub use swift::{check_swift, SwiftInputs, SwiftReport};
pub use swift_root::ensure_swift_root;

use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Written inside an install directory once the install is complete and tested.
const MARKER: &str = ".televisit-installed";

pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub failures: Vec<String>,
    /// The names of the tests that passed, as each runner reports them (a Rust test's path, a
    /// JUnit method, an XCTest case): what `evidence` holds the docs' citations to.
    pub passed_names: Vec<String>,
}

impl Counts {
    pub fn zero() -> Self {
        Counts { passed: 0, failed: 0, failures: Vec::new(), passed_names: Vec::new() }
    }

    pub fn failed(failures: Vec<String>) -> Self {
        Counts { failed: failures.len().max(1), failures, ..Counts::zero() }
    }
}

fn tools_dir(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target").join("tools");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn marker_matches(dir: &Path, want: &str) -> bool {
    fs::read_to_string(dir.join(MARKER)).is_ok_and(|got| got == want)
}

/// A per-process name next to `path`, so concurrent runs do not collide and
/// a crashed run's leftovers are never mistaken for the real thing.
fn temp_sibling(path: &Path) -> PathBuf {
    let mut name: OsString = path.file_name().map(OsString::from).unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Removes temp siblings of `path` left by runs that were killed. Only on
/// Linux, where /proc tells whether the owning process is still alive; a
/// leftover elsewhere just costs disk space.
fn remove_stale_temps(path: &Path) {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!("{name}.tmp-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let alive = pid.parse::<u32>().is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists());
        if !alive {
            let _ = remove_path(&entry.path());
        }
    }
}

/// Swaps a completed install directory in. If another run got there first
/// with the same version, its copy is kept and ours is discarded.
fn move_into_place(tmp: &Path, dir: &Path, want: &str) -> Result<()> {
    remove_path(dir)?;
    if let Err(e) = fs::rename(tmp, dir) {
        if marker_matches(dir, want) {
            return remove_path(tmp);
        }
        return Err(e).with_context(|| format!("moving {} to {}", tmp.display(), dir.display()));
    }
    Ok(())
}

fn remove_path(path: &Path) -> Result<()> {
    let result = match fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    };
    result.with_context(|| format!("removing {}", path.display()))
}

fn write_if_changed(path: &Path, contents: &str) -> Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// Files under `dir` (recursively) with the given extension.
pub(crate) fn collect_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        if path.is_dir() {
            collect_files(&path, ext, out)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

fn join_classpath(entries: &[PathBuf]) -> Result<OsString> {
    std::env::join_paths(entries).context("a classpath entry contains the path separator")
}

/// Runs to completion with output captured; on failure the error names
/// `what` and carries the tool's own output.
fn run_captured(cmd: &mut Command, what: &str) -> Result<Output> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{what}: could not start `{}`", cmd.get_program().to_string_lossy()))?;
    if !out.status.success() {
        bail!("{what} failed ({}):\n{}", out.status, combined_output(&out));
    }
    Ok(out)
}

fn combined_output(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text.trim_end().to_owned()
}
