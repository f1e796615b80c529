//! JNA and the JUnit 5 console launcher from Maven Central, pinned by SHA-256.

use super::{remove_stale_temps, run_captured, temp_sibling, tools_dir};
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const MAVEN_CENTRAL: &str = "https://repo1.maven.org/maven2";

const JNA: JarSpec = JarSpec {
    group_path: "net/java/dev/jna",
    artifact: "jna",
    version: "5.17.0",
    sha256: "b3a9408e7c51e08ef0e3bfcc08f443f6ec0f6191ba8cd7c18d53d2b22e5bdbc0",
};

const JUNIT_CONSOLE: JarSpec = JarSpec {
    group_path: "org/junit/platform",
    artifact: "junit-platform-console-standalone",
    version: "1.11.4",
    sha256: "b016ef6b1c3454d6d7c2c88ce081dabf289699686af6622d6e4e2e1b54b4a2fc",
};

pub struct Jars {
    pub jna: PathBuf,
    pub junit_console: PathBuf,
}

struct JarSpec {
    group_path: &'static str,
    artifact: &'static str,
    version: &'static str,
    sha256: &'static str,
}

impl JarSpec {
    fn file_name(&self) -> String {
        format!("{}-{}.jar", self.artifact, self.version)
    }

    fn url(&self) -> String {
        let (g, a, v) = (self.group_path, self.artifact, self.version);
        format!("{MAVEN_CENTRAL}/{g}/{a}/{v}/{}", self.file_name())
    }
}

pub fn ensure_jars(root: &Path) -> Result<Jars> {
    let dir = tools_dir(root)?.join("jars");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(Jars { jna: ensure_jar(&dir, &JNA)?, junit_console: ensure_jar(&dir, &JUNIT_CONSOLE)? })
}

/// The checksum is the marker here: a cached jar is re-hashed on every run
/// (milliseconds), and a download is renamed into place only once it matches.
fn ensure_jar(dir: &Path, spec: &JarSpec) -> Result<PathBuf> {
    let path = dir.join(spec.file_name());
    if path.is_file() && sha256_file(&path)? == spec.sha256 {
        return Ok(path);
    }
    eprintln!("xtask: downloading {}", spec.file_name());
    download_jar(spec, &path).with_context(|| format!("failed to install {} {}", spec.artifact, spec.version))?;
    Ok(path)
}

fn download_jar(spec: &JarSpec, dest: &Path) -> Result<()> {
    remove_stale_temps(dest);
    let tmp = temp_sibling(dest);
    let url = spec.url();
    let mut curl = Command::new("curl");
    curl.args(["-fsSL", "--retry", "3", "--connect-timeout", "30", "-o"]).arg(&tmp).arg(&url);
    if let Err(e) = run_captured(&mut curl, &format!("curl {url}")) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let got = sha256_file(&tmp)?;
    if got != spec.sha256 {
        let _ = fs::remove_file(&tmp);
        bail!("checksum mismatch for {url}: expected sha256 {}, got {got}", spec.sha256);
    }
    fs::rename(&tmp, dest).with_context(|| format!("moving {} to {}", tmp.display(), dest.display()))
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!("{:x}", hasher.finalize()))
}
