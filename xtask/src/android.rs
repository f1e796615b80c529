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
/// Where the Kotlin bindings go: `app/build.gradle.kts` adds it as a source folder.
pub const GENERATED: &str = "android/app/src/generated/kotlin";
/// The page size Android 15 devices may use; Play requires it for apps targeting API 35.
const PAGE_16K: u64 = 16 * 1024;

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
    // Each ABI links an OpenSSL built for SQLCipher only (ADR 17), built once per target with
    // the NDK's compiler; `openssl-sys` reads the folder from its per-target variable.
    let ndk = ndk().ok_or_else(|| anyhow::anyhow!("no Android NDK"))?;
    cmd.env("OPENSSL_NO_VENDOR", "1").env("OPENSSL_STATIC", "1");
    for target in TARGETS {
        let compiler = ndk_compilers(&ndk, target);
        let prefix = crate::tools::openssl_min::build_with(root, target, &compiler)?;
        cmd.env(format!("{}_OPENSSL_DIR", target.to_uppercase().replace('-', "_")), prefix);
    }
    super::run(&mut cmd, "cargo ndk build")?;
    for abi in ABIS {
        let lib = jni.join(abi).join("libtelevisit_ffi.so");
        check_16k_pages(&lib)?;
        eprintln!("xtask android: {} is aligned for 16 KB pages", lib.display());
    }
    let bindings = super::bindings(root)?;
    // A source folder of the app's own (git-ignored), which `gradle clean` leaves alone.
    let generated = root.join(GENERATED);
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

/// The NDK's clang for `target` at the app's minSdk, and its archiver, as OpenSSL's build wants them.
fn ndk_compilers(ndk: &Path, target: &str) -> Vec<(String, String)> {
    let bin = ndk.join("toolchains/llvm/prebuilt/linux-x86_64/bin");
    // The NDK names armv7's clang after the triple LLVM uses for it.
    let clang_target = if target == "armv7-linux-androideabi" { "armv7a-linux-androideabi" } else { target };
    vec![
        ("CC".into(), bin.join(format!("{clang_target}{MIN_SDK}-clang")).display().to_string()),
        ("AR".into(), bin.join("llvm-ar").display().to_string()),
        ("RANLIB".into(), bin.join("llvm-ranlib").display().to_string()),
    ]
}

fn ndk() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("ANDROID_NDK_HOME").map(PathBuf::from).filter(|p| p.is_dir()) {
        return Some(home);
    }
    let sdk = std::env::var_os("ANDROID_HOME").or_else(|| std::env::var_os("ANDROID_SDK_ROOT"))?;
    let versions = std::fs::read_dir(Path::new(&sdk).join("ndk")).ok()?;
    versions.flatten().map(|e| e.path()).filter(|p| p.is_dir()).max()
}

/// Every LOAD segment of the library aligned to 16 KB (`readelf -lW`), or an error naming it.
pub fn check_16k_pages(lib: &Path) -> Result<()> {
    let out = Command::new("readelf").arg("-lW").arg(lib).output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        _ => bail!("readelf -lW {} failed (binutils installed?)", lib.display()),
    };
    let aligns = load_alignments(&String::from_utf8_lossy(&out.stdout));
    if aligns.is_empty() {
        bail!("{}: readelf shows no LOAD segment", lib.display());
    }
    if let Some(bad) = aligns.iter().find(|a| **a < PAGE_16K || **a % PAGE_16K != 0) {
        bail!(
            "{}: a LOAD segment is aligned to {bad:#x}, not 16 KB (link with -Wl,-z,max-page-size=16384; see .cargo/config.toml)",
            lib.display()
        );
    }
    Ok(())
}

/// The `Align` column of each `LOAD` line of `readelf -lW`.
pub fn load_alignments(readelf: &str) -> Vec<u64> {
    readelf
        .lines()
        .filter(|line| line.trim_start().starts_with("LOAD "))
        .filter_map(|line| line.split_whitespace().last())
        .filter_map(|align| u64::from_str_radix(align.trim_start_matches("0x"), 16).ok())
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignments_from_readelf() {
        let out = "  Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align\n  \
                   PHDR 0x000040 0x40 0x40 0x268 0x268 R 0x8\n  \
                   LOAD 0x000000 0x0 0x0 0x5c93bc 0x5c93bc R 0x4000\n  \
                   LOAD 0x5c93bc 0x5ca3bc 0x5ca3bc 0xc1dbc4 0xc1dbc4 R E 0x1000\n  \
                   GNU_STACK 0x0 0x0 0x0 0x0 0x0 RW 0\n";
        assert_eq!(load_alignments(out), vec![0x4000, 0x1000]);
    }

    /// The check on real libraries: one linked as the Android targets are, one as by default.
    #[test]
    fn a_library_linked_for_16k_pages_passes_and_a_default_one_does_not() {
        let dir = std::env::temp_dir().join(format!("xtask-16k-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("lib.c");
        std::fs::write(&source, "int televisit_answer(void) { return 42; }\n").unwrap();
        let build = |name: &str, flags: &[&str]| {
            let lib = dir.join(name);
            let ok = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&lib).arg(&source).args(flags).status();
            assert!(ok.is_ok_and(|s| s.success()), "cc could not build {name}");
            lib
        };
        let aligned = build("aligned.so", &["-Wl,-z,max-page-size=16384"]);
        let default = build("default.so", &["-Wl,-z,max-page-size=4096"]);
        assert!(check_16k_pages(&aligned).is_ok());
        let err = check_16k_pages(&default).unwrap_err().to_string();
        assert!(err.contains("not 16 KB"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
