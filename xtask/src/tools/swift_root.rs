//! Swift 6.0.3 (the compiler in Xcode 16.2) on this Debian 12 machine: Debian's trixie suite
//! has `swiftlang`, which needs glibc 2.38+, so it runs in a minimal trixie root made with
//! `debootstrap` and entered with `chroot` (ADR 18). Bookworm itself is never given a trixie
//! package.
//!
//! The root is cached outside the clone (`TELEVISIT_SWIFT_ROOT`, else
//! `$HOME/.cache/televisit/swift-6.0.3-trixie`, or `/var/cache/televisit/…` with no home): about 3.3 GB that a fresh clone on the same
//! machine reuses. It is built under a temporary name and renamed into place once the compiler
//! answers, with a marker naming what it holds, so a run that was killed half-way is never
//! trusted. `/proc` is mounted inside only while a command runs (swiftc cannot load
//! libswiftCore without it), and unmounted after, whatever happened.

use super::{
    apt, combined_output, marker_matches, move_into_place, remove_path, remove_stale_temps, run_captured, temp_sibling,
    MARKER,
};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SUITE: &str = "trixie";
const MIRROR: &str = "http://deb.debian.org/debian";
/// The compiler, and the C library and C++ headers it builds against.
const PACKAGES: &[&str] = &["swiftlang", "libc6-dev", "libstdc++-14-dev"];
const VERSION_LINE: &str = "Swift version 6.0.3";
/// Clang from the Swift toolchain (it is not on the root's PATH).
pub const CLANG: &str = "/usr/libexec/swift/bin/clang";
/// What the marker records: a root made for other packages is rebuilt.
const WANT: &str = "debian trixie minbase; swiftlang libc6-dev libstdc++-14-dev; Swift version 6.0.3";

/// A prepared root with the Swift toolchain.
pub struct SwiftRoot {
    pub dir: PathBuf,
}

pub fn ensure_swift_root(root: &Path) -> Result<SwiftRoot> {
    let dir = cache_dir()?;
    if marker_matches(&dir, WANT) {
        return Ok(SwiftRoot { dir });
    }
    if !is_root_user() {
        bail!(
            "the Swift part needs root: it makes a Debian trixie root with debootstrap and runs Swift \
             6.0.3 in it with chroot (ADR 18). Run `cargo xtask test swift` as root, or point \
             TELEVISIT_SWIFT_ROOT at a root someone prepared (its marker file {MARKER} must read \"{WANT}\")"
        );
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    remove_stale_temps(&dir);
    let tmp = temp_sibling(&dir);
    remove_path(&tmp)?;
    eprintln!(
        "xtask: making a Debian {SUITE} root for Swift in {} (about 3 minutes, 530 MB of downloads)",
        dir.display()
    );
    let made = build_root(root, &tmp);
    if let Err(err) = made {
        let _ = unmount_proc(&tmp);
        let _ = remove_path(&tmp);
        return Err(err.context(format!(
            "could not make the Swift root (needs root, and the network to Debian's archive at {MIRROR})"
        )));
    }
    move_into_place(&tmp, &dir, WANT)?;
    Ok(SwiftRoot { dir })
}

fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("TELEVISIT_SWIFT_ROOT").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".cache")))
        // Root makes the root; with no home to keep it in, the system's cache folder does.
        .unwrap_or_else(|| PathBuf::from("/var/cache"));
    Ok(cache.join("televisit").join("swift-6.0.3-trixie"))
}

fn is_root_user() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn build_root(workspace: &Path, tmp: &Path) -> Result<()> {
    apt::ensure_packages(workspace, &["debootstrap"], &[Path::new("/usr/sbin/debootstrap")])?;
    run_captured(
        Command::new("/usr/sbin/debootstrap").args(["--variant=minbase", SUITE]).arg(tmp).arg(MIRROR),
        "debootstrap trixie",
    )?;
    fs::copy("/etc/resolv.conf", tmp.join("etc/resolv.conf")).context("copying /etc/resolv.conf into the root")?;
    let swift = SwiftRoot { dir: tmp.to_owned() };
    swift.run("apt-get update -q", &[]).context("apt-get update in the trixie root")?;
    swift
        .run(
            &format!("apt-get install -y -q --no-install-recommends {}", PACKAGES.join(" ")),
            &[("DEBIAN_FRONTEND", "noninteractive")],
        )
        .context("installing swiftlang in the trixie root")?;
    // The packages' downloads are not needed again.
    let _ = swift.run("apt-get clean", &[]);
    let version = swift.run("swiftc --version", &[])?;
    let text = String::from_utf8_lossy(&version.stdout);
    if !text.contains(VERSION_LINE) {
        bail!("the trixie root's swiftc says {:?}, not {VERSION_LINE}", text.trim());
    }
    fs::write(tmp.join(MARKER), WANT).context("writing the Swift root's marker")
}

impl SwiftRoot {
    /// Runs `script` with `sh -c` inside the root, with a clean environment (PATH, HOME, a UTF-8
    /// locale, and `env`): nothing of the host's environment leaks into the build. Fails with
    /// the command's own output when it exits non-zero.
    pub fn run(&self, script: &str, env: &[(&str, &str)]) -> Result<Output> {
        let out = self.output(script, env)?;
        if !out.status.success() {
            bail!("`{script}` in the Swift root failed ({}):\n{}", out.status, combined_output(&out));
        }
        Ok(out)
    }

    /// As `run`, returning the output whatever the exit status.
    pub fn output(&self, script: &str, env: &[(&str, &str)]) -> Result<Output> {
        let _proc = ProcMount::mount(&self.dir)?;
        let mut cmd = Command::new("chroot");
        cmd.arg(&self.dir).args([
            "/usr/bin/env",
            "-i",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
        ]);
        for (key, value) in env {
            cmd.arg(format!("{key}={value}"));
        }
        cmd.args(["/bin/sh", "-c", script]);
        cmd.stdin(Stdio::null()).output().with_context(|| format!("could not start chroot for `{script}`"))
    }

    /// A path inside the root, as the host sees it.
    pub fn host_path(&self, inside: &str) -> PathBuf {
        self.dir.join(inside.trim_start_matches('/'))
    }
}

/// `/proc` inside the root for as long as this lives; unmounted on drop when this mounted it.
struct ProcMount {
    target: Option<PathBuf>,
}

impl ProcMount {
    fn mount(root: &Path) -> Result<Self> {
        let target = root.join("proc");
        if is_mounted(&target) {
            return Ok(ProcMount { target: None });
        }
        fs::create_dir_all(&target)?;
        run_captured(Command::new("mount").args(["-t", "proc", "proc"]).arg(&target), "mount -t proc")?;
        Ok(ProcMount { target: Some(target) })
    }
}

impl Drop for ProcMount {
    fn drop(&mut self) {
        if let Some(target) = self.target.take() {
            let _ = Command::new("umount").arg(&target).status();
        }
    }
}

fn unmount_proc(root: &Path) -> Result<()> {
    let target = root.join("proc");
    if is_mounted(&target) {
        run_captured(Command::new("umount").arg(&target), "umount proc")?;
    }
    Ok(())
}

fn is_mounted(target: &Path) -> bool {
    let Ok(canonical) = target.canonicalize() else {
        return false;
    };
    let wanted = canonical.to_string_lossy().into_owned();
    fs::read_to_string("/proc/mounts").is_ok_and(|mounts| mounts.lines().any(|l| l.split(' ').nth(1) == Some(&wanted)))
}
