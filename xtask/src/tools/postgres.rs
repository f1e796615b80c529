//! Debian's PostgreSQL for the test run: installed through `apt` when missing, and one cluster
//! made for the run (`televisit-test-postgres`), which every test that needs a server shares
//! through `TELEVISIT_TEST_POSTGRES`, each in a database of its own.

use anyhow::{anyhow, Result};
use std::path::Path;
use televisit_test_postgres::Cluster;

/// A server for the run, installing the package first when no server binaries are there.
pub fn start_for_run(root: &Path) -> Result<Cluster> {
    ensure_installed(root)?;
    Cluster::start().map_err(|e| anyhow!("cannot start PostgreSQL for the tests: {e}"))
}

/// Debian's `postgresql`, installed when its server programs are missing.
pub fn ensure_installed(root: &Path) -> Result<()> {
    let present = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| d.ok()).any(|d| d.path().join("bin").join("initdb").exists()))
        .unwrap_or(false);
    if !present {
        // Debian bookworm's postgresql is version 15.
        super::apt::ensure_packages(root, &["postgresql"], &[Path::new("/usr/lib/postgresql/15/bin/initdb")])?;
    }
    Ok(())
}
