//! Debian's packages the test run needs (Chromium, aapt), installed by apt (as root, or through
//! `sudo -n`) the first time, their `.deb`s cached under `target/tools/apt-archives/` so that a
//! later install on a fresh machine of the same kind downloads nothing it already has.

use super::{run_captured, tools_dir};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;

/// Installs `packages` unless every path in `provides` exists already.
pub(super) fn ensure_packages(root: &Path, packages: &[&str], provides: &[&Path]) -> Result<()> {
    if provides.iter().all(|p| p.exists()) {
        return Ok(());
    }
    let archives = tools_dir(root)?.join("apt-archives");
    std::fs::create_dir_all(archives.join("partial"))?;
    let root_user = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let apt = |args: &[&str]| {
        let mut cmd = if root_user { Command::new("apt-get") } else { Command::new("sudo") };
        if !root_user {
            cmd.args(["-n", "apt-get"]);
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive").arg(format!("-o=Dir::Cache::archives={}", archives.display()));
        cmd.args(args);
        cmd
    };
    let what = format!("apt-get install {}", packages.join(" "));
    eprintln!(
        "xtask: installing Debian's {} (apt-get, packages cached in {})",
        packages.join(", "),
        archives.display()
    );
    let mut install = vec!["install", "-y", "-q", "--no-install-recommends"];
    install.extend_from_slice(packages);
    if run_captured(&mut apt(&install), &what).is_err() {
        // The package lists may be missing or stale on a fresh machine.
        run_captured(&mut apt(&["update", "-q"]), "apt-get update")?;
        run_captured(&mut apt(&install), &what)?;
    }
    if let Some(missing) = provides.iter().find(|p| !p.exists()) {
        bail!("{what} succeeded, but {} is missing", missing.display());
    }
    Ok(())
}
