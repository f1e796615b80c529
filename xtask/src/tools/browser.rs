//! Debian's Chromium, for rendering IT's fleet report as a person would see it (installed
//! through `apt`, its packages cached under `target/tools/`).

use anyhow::Result;
use std::path::{Path, PathBuf};

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
    super::apt::ensure_packages(root, &["chromium"], &[&path])?;
    Ok(path)
}
