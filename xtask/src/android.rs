//! `cargo xtask android`: the app's native libraries for devices. With an Android NDK
//! (`ANDROID_NDK_HOME`, or one under `ANDROID_HOME/ndk/`) and cargo-ndk, it builds
//! `libtelevisit_ffi.so` for arm64-v8a, armeabi-v7a and x86_64 into
//! `android/app/src/main/jniLibs/`, and the Kotlin bindings into the app's generated sources.
//! Without them it says exactly what is missing, and exits 1: nothing half-built is left.

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const ABIS: [&str; 3] = ["arm64-v8a", "armeabi-v7a", "x86_64"];
const TARGETS: [&str; 3] = ["aarch64-linux-android", "armv7-linux-androideabi", "x86_64-linux-android"];
/// The app's minSdk: the NDK's API level for the libraries.
const MIN_SDK: &str = "26";

pub fn run(root: &Path) -> Result<bool> {
    let missing = missing(root);
    if !missing.is_empty() {
        eprintln!("xtask android: cannot build the native libraries here. Missing:");
        for item in &missing {
            eprintln!("  - {item}");
        }
        eprintln!("The Kotlin app itself is compiled and tested without them: `cargo xtask test android`.");
        return Ok(false);
    }
    let jni = root.join("android/app/src/main/jniLibs");
    let mut cmd = super::cargo();
    cmd.current_dir(root).args(["ndk", "--platform", MIN_SDK, "-o"]).arg(&jni);
    for abi in ABIS {
        cmd.args(["-t", abi]);
    }
    cmd.args(["build", "--release", "-p", "televisit-ffi"]);
    super::run(&mut cmd, "cargo ndk build")?;
    let bindings = super::bindings(root)?;
    let generated = root.join("android/app/build/generated/televisit/kotlin");
    let _ = std::fs::remove_dir_all(&generated);
    copy_dir(&bindings.join("kotlin"), &generated)?;
    eprintln!("xtask android: jniLibs in {}, bindings in {}", jni.display(), generated.display());
    Ok(true)
}

fn missing(root: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if ndk().is_none() {
        missing.push(
            "an Android NDK: set ANDROID_NDK_HOME, or install one with the SDK manager (ANDROID_HOME/ndk/<version>)"
                .into(),
        );
    }
    let cargo_ndk = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["ndk", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !cargo_ndk {
        missing.push("cargo-ndk: cargo install cargo-ndk".into());
    }
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let installed = installed.map(|out| String::from_utf8_lossy(&out.stdout).into_owned()).unwrap_or_default();
    for target in TARGETS {
        if !installed.lines().any(|line| line.trim() == target) {
            missing.push(format!("the Rust target {target}: rustup target add {target}"));
        }
    }
    missing
}

fn ndk() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("ANDROID_NDK_HOME").map(PathBuf::from).filter(|p| p.is_dir()) {
        return Some(home);
    }
    let sdk = std::env::var_os("ANDROID_HOME").or_else(|| std::env::var_os("ANDROID_SDK_ROOT"))?;
    let versions = std::fs::read_dir(Path::new(&sdk).join("ndk")).ok()?;
    versions.flatten().map(|e| e.path()).filter(|p| p.is_dir()).max()
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().expect("a directory entry has a name"));
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else if std::fs::copy(&path, &target).is_err() {
            bail!("could not copy {}", path.display());
        }
    }
    Ok(())
}
