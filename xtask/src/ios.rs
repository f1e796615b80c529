//! `cargo xtask ios`: the iOS package's generated parts, in `ios/Generated/` (gitignored).
//!
//! Everywhere: the Swift bindings (`Generated/TelevisitCore/TelevisitCore.swift`) and the C
//! header and module map of the FFI (`Generated/include/`), from the host library, as
//! `cargo xtask bindings` makes them. On macOS with Xcode: also `TelevisitFFI.xcframework`, the
//! core as a static library for devices (aarch64-apple-ios) and the simulator (aarch64 and
//! x86_64, joined by `lipo`), made by `xcodebuild -create-xcframework`.
//!
//! Elsewhere it says what the XCFramework needs and exits 0: the bindings it could make are
//! made (CI proves they generate), and nothing that needs a Mac is pretended.

use crate::{bindings, cargo, run};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEVICE: &str = "aarch64-apple-ios";
const SIMULATORS: &[&str] = &["aarch64-apple-ios-sim", "x86_64-apple-ios"];
const LIBRARY: &str = "libtelevisit_ffi.a";
/// The app's deployment target (ios/Package.swift, the Xcode project): C code (SQLCipher,
/// OpenSSL) is compiled for it too, so the linker has nothing newer to warn about.
const DEPLOYMENT_TARGET: &str = "16.0";

pub fn run_ios(root: &Path) -> Result<bool> {
    let generated = root.join("ios/Generated");
    let include = generated.join("include");
    swift_sources(root, &generated, &include)?;
    println!("ios: Swift bindings in {}", generated.join("TelevisitCore").display());

    if !cfg!(target_os = "macos") {
        println!(
            "ios: generated bindings; the XCFramework needs macOS: Xcode (xcodebuild, lipo) and \
             `rustup target add {DEVICE} {}`. Run `cargo xtask ios` on a Mac, then open \
             ios/App/TelevisitApp.xcodeproj.",
            SIMULATORS.join(" ")
        );
        return Ok(true);
    }
    check_mac_tools()?;
    let xcframework = xcframework(root, &generated, &include)?;
    println!("ios: {}", xcframework.display());
    Ok(true)
}

/// The Swift file for the `TelevisitCore` target, and the header and module map that the
/// XCFramework carries for the `TelevisitFFI` module it imports.
fn swift_sources(root: &Path, generated: &Path, include: &Path) -> Result<()> {
    let swift = bindings(root)?.join("swift");
    let core = generated.join("TelevisitCore");
    fs::create_dir_all(&core).with_context(|| format!("creating {}", core.display()))?;
    fs::create_dir_all(include).with_context(|| format!("creating {}", include.display()))?;
    copy(&swift.join("TelevisitCore.swift"), &core.join("TelevisitCore.swift"))?;
    copy(&swift.join("TelevisitFFI.h"), &include.join("TelevisitFFI.h"))?;
    // An XCFramework's headers folder must name its module map `module.modulemap`.
    copy(&swift.join("TelevisitFFI.modulemap"), &include.join("module.modulemap"))?;
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn check_mac_tools() -> Result<()> {
    for (tool, args) in [("xcodebuild", &["-version"][..]), ("lipo", &["-info", "/usr/bin/true"][..])] {
        let ok = Command::new(tool).args(args).output().is_ok_and(|out| out.status.success());
        if !ok {
            bail!("`{tool}` is missing: install Xcode and run `sudo xcode-select -s /Applications/Xcode.app`");
        }
    }
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    let missing: Vec<&str> = std::iter::once(DEVICE)
        .chain(SIMULATORS.iter().copied())
        .filter(|t| !installed.lines().any(|l| l == *t))
        .collect();
    if !missing.is_empty() {
        bail!("missing Rust targets: run `rustup target add {}`", missing.join(" "));
    }
    Ok(())
}

/// Release static libraries for each target, the simulator slices joined into one, then the
/// XCFramework (replaced whole: xcodebuild refuses to write over one).
fn xcframework(root: &Path, generated: &Path, include: &Path) -> Result<PathBuf> {
    for target in std::iter::once(DEVICE).chain(SIMULATORS.iter().copied()) {
        let mut build = cargo();
        build.current_dir(root).env("IPHONEOS_DEPLOYMENT_TARGET", DEPLOYMENT_TARGET);
        run(
            build.args(["build", "--release", "--lib", "-p", "televisit-ffi", "--target", target]),
            &format!("cargo build --release -p televisit-ffi --target {target}"),
        )?;
    }
    let lib = |target: &str| root.join("target").join(target).join("release").join(LIBRARY);
    let simulator = root.join("target/ios-simulator").join(LIBRARY);
    fs::create_dir_all(simulator.parent().expect("has a parent"))?;
    let mut lipo = Command::new("lipo");
    lipo.arg("-create");
    for target in SIMULATORS {
        lipo.arg(lib(target));
    }
    run(lipo.arg("-output").arg(&simulator), "lipo -create (simulator slices)")?;

    let out = generated.join("TelevisitFFI.xcframework");
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("removing the old {}", out.display()))?;
    }
    run(
        Command::new("xcodebuild")
            .arg("-create-xcframework")
            .arg("-library")
            .arg(lib(DEVICE))
            .arg("-headers")
            .arg(include)
            .arg("-library")
            .arg(&simulator)
            .arg("-headers")
            .arg(include)
            .arg("-output")
            .arg(&out),
        "xcodebuild -create-xcframework",
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The required-reason API categories the app and its statically linked core use on iOS,
    /// each with one of Apple's reasons. A category missing from the manifest makes App Store
    /// Connect reject the upload (ITMS-91053).
    const REQUIRED: &[(&str, &str, &str)] = &[
        (
            "NSPrivacyAccessedAPICategoryUserDefaults",
            "CA92.1",
            "the app's settings; managed configuration and feedback",
        ),
        ("NSPrivacyAccessedAPICategoryFileTimestamp", "C617.1", "SQLite stats the database files in the container"),
        ("NSPrivacyAccessedAPICategorySystemBootTime", "35F9.1", "std::time::Instant: elapsed time between events"),
        // SQLite's os_unix.c, with SQLITE_ENABLE_LOCKING_STYLE (on by default for __APPLE__),
        // calls statfs and fstatfs when it opens a database: not seen in a Linux build.
        ("NSPrivacyAccessedAPICategoryDiskSpace", "E174.1", "SQLCipher's statfs/fstatfs on Apple platforms"),
    ];

    #[test]
    fn the_privacy_manifest_declares_every_required_reason_api_the_app_uses() {
        let path = crate::workspace_root().join("ios/App/TelevisitApp/PrivacyInfo.xcprivacy");
        let text = std::fs::read_to_string(&path).unwrap();
        for (category, reason, why) in REQUIRED {
            let start = text
                .find(&format!("<string>{category}</string>"))
                .unwrap_or_else(|| panic!("{} lacks {category} ({why})", path.display()));
            let entry = &text[start..text[start..].find("</dict>").map_or(text.len(), |end| start + end)];
            assert!(
                entry.contains(&format!("<string>{reason}</string>")),
                "{category} lacks its reason {reason} ({why})"
            );
        }
    }
}
