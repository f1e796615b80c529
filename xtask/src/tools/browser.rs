//! Debian's Chromium, for rendering IT's fleet report as a person would see it. Installed by
//! apt (as root, or through `sudo -n`) the first time, its packages cached under
//! `target/tools/apt-archives/` so that a later install (a fresh machine of the same kind)
//! downloads nothing it already has.

use super::{run_captured, tools_dir};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser's path, installing Debian's `chromium` package when it is missing.
pub fn ensure_chromium(root: &Path) -> Result<PathBuf> {
    if let Ok(given) = std::env::var("TELEVISIT_CHROMIUM") {
        return Ok(PathBuf::from(given));
    }
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return Ok(path);
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
    eprintln!("xtask: installing Debian's chromium (apt-get, packages cached in {})", archives.display());
    if run_captured(
        &mut apt(&["install", "-y", "-q", "--no-install-recommends", "chromium"]),
        "apt-get install chromium",
    )
    .is_err()
    {
        // The package lists may be missing or stale on a fresh machine.
        run_captured(&mut apt(&["update", "-q"]), "apt-get update")?;
        run_captured(
            &mut apt(&["install", "-y", "-q", "--no-install-recommends", "chromium"]),
            "apt-get install chromium",
        )?;
    }
    if !path.exists() {
        bail!("apt-get installed chromium, but {CHROMIUM} is missing");
    }
    Ok(path)
}
