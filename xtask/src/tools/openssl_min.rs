//! OpenSSL's libcrypto built with only what SQLCipher needs, for the release builds of the phone
//! libraries (and the size figure of `cargo xtask bench`).
//!
//! SQLCipher calls AES-256-CBC, HMAC-SHA1/256/512 (through EVP_MAC), PBKDF2 and a random source,
//! nothing else. The vendored build (`openssl-src`, through `openssl-sys`'s `vendored` feature)
//! compiles all of OpenSSL, and OpenSSL 3's default provider names every algorithm it has, so the
//! linker keeps them all. This builds the same sources (the `openssl-src` crate's copy, the
//! version `Cargo.lock` pins) with the protocols, curves, legacy ciphers and formats switched off
//! by `Configure` options, installs it under `target/openssl-min/<target>/`, and hands back the
//! environment that makes `openssl-sys` link it instead (`OPENSSL_NO_VENDOR`, `OPENSSL_DIR`,
//! `OPENSSL_STATIC`). A plain `cargo build` is untouched: it still uses the vendored build.
//!
//! The build is reproducible from the pinned sources and the options below, and kept until
//! either changes (a stamp file holds both).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `Configure` options: what SQLCipher never calls. Each is a documented OpenSSL option
/// (INSTALL.md, "Enable and Disable Features"). Kept: AES, SHA-1/2, HMAC, PBKDF2, the DRBGs.
pub const DISABLED: &[&str] = &[
    // Build shape, as openssl-src builds it.
    "no-shared",
    "no-module",
    "no-tests",
    "no-comp",
    "no-zlib",
    "no-legacy",
    "no-engine",
    "no-async",
    "no-dso",
    "no-ui-console",
    "no-autoload-config",
    "no-filenames",
    // Protocols and formats: SQLCipher speaks none.
    "no-sock",
    "no-dgram",
    "no-ssl",
    "no-tls",
    "no-dtls",
    "no-quic",
    "no-srtp",
    "no-psk",
    "no-nextprotoneg",
    "no-ct",
    "no-ocsp",
    "no-cms",
    "no-ts",
    "no-cmp",
    "no-http",
    "no-srp",
    // Public-key algorithms other than the RSA OpenSSL cannot leave out.
    "no-ec",
    "no-ec2m",
    "no-ecx",
    "no-sm2",
    "no-dh",
    "no-dsa",
    "no-ml-kem",
    "no-ml-dsa",
    "no-slh-dsa",
    "no-lms",
    "no-gost",
    // Ciphers, digests and KDFs other than AES, SHA-1/2 and PBKDF2.
    "no-sm3",
    "no-sm4",
    "no-des",
    "no-rc2",
    "no-rc4",
    "no-rc5",
    "no-md2",
    "no-md4",
    "no-mdc2",
    "no-rmd160",
    "no-whirlpool",
    "no-blake2",
    "no-bf",
    "no-cast",
    "no-camellia",
    "no-idea",
    "no-seed",
    "no-aria",
    "no-chacha",
    "no-poly1305",
    "no-siphash",
    "no-siv",
    "no-ocb",
    "no-scrypt",
    "no-argon2",
    "no-multiblock",
    // Error strings (SQLCipher logs only the code) and APIs deprecated in OpenSSL 3.
    "no-err",
    "no-deprecated",
    "no-cached-fetch",
    "no-stdio",
];

/// The environment under which `openssl-sys` links the trimmed libcrypto for `target`.
pub fn env_for(root: &Path, target: &str) -> Result<Vec<(String, String)>> {
    let prefix = build(root, target)?;
    Ok(vec![
        ("OPENSSL_NO_VENDOR".into(), "1".into()),
        ("OPENSSL_STATIC".into(), "1".into()),
        ("OPENSSL_DIR".into(), prefix.display().to_string()),
    ])
}

/// Builds (once) and installs the trimmed OpenSSL for `target` with the host's compiler;
/// returns its prefix.
pub fn build(root: &Path, target: &str) -> Result<PathBuf> {
    build_with(root, target, &[])
}

/// As `build`, with the compiler and archiver in `tools` (`CC`, `AR`, `RANLIB`: an NDK's, for
/// a phone's target).
pub fn build_with(root: &Path, target: &str, tools: &[(String, String)]) -> Result<PathBuf> {
    let source = source_dir(root)?;
    let prefix = root.join("target/openssl-min").join(target);
    let stamp = prefix.join("televisit-stamp");
    let wanted = format!("{}\n{}\n{}\n", source.display(), configure_target(target)?, DISABLED.join(" "));
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
        && prefix.join("lib/libcrypto.a").exists()
    {
        return Ok(prefix);
    }
    let build = root.join("target/openssl-min/build").join(target);
    let _ = std::fs::remove_dir_all(&build);
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&build)?;
    eprintln!("xtask: building OpenSSL's libcrypto for SQLCipher only ({target}; a few minutes, once)");
    crate::run(
        Command::new("perl")
            .current_dir(&build)
            .envs(tools.iter().map(|(k, v)| (k, v)))
            .arg(source.join("Configure"))
            .arg(configure_target(target)?)
            .arg(format!("--prefix={}", prefix.display()))
            .arg("--libdir=lib")
            .arg(format!("--openssldir={}", prefix.join("ssl").display()))
            .args(DISABLED),
        "OpenSSL Configure",
    )?;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get()).to_string();
    crate::run(
        Command::new("make").current_dir(&build).envs(tools.iter().map(|(k, v)| (k, v))).args([
            "-j",
            &jobs,
            "build_libs",
        ]),
        "make build_libs",
    )?;
    crate::run(Command::new("make").current_dir(&build).arg("install_dev"), "make install_dev")?;
    std::fs::write(&stamp, wanted)?;
    let _ = std::fs::remove_dir_all(&build);
    Ok(prefix)
}

/// OpenSSL's own name for a Rust target, as `openssl-src` maps them (Android builds use the
/// Linux targets with the NDK's compiler in `CC`).
fn configure_target(target: &str) -> Result<&'static str> {
    Ok(match target {
        "x86_64-unknown-linux-gnu" | "x86_64-linux-android" => "linux-x86_64",
        "aarch64-unknown-linux-gnu" | "aarch64-linux-android" => "linux-aarch64",
        "armv7-linux-androideabi" => "linux-armv4",
        "i686-linux-android" => "linux-elf",
        other => bail!("no trimmed OpenSSL build for {other}"),
    })
}

/// The OpenSSL sources inside the `openssl-src` crate that `Cargo.lock` pins.
fn source_dir(root: &Path) -> Result<PathBuf> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let version = lock
        .split("[[package]]")
        .find(|block| block.contains("name = \"openssl-src\""))
        .and_then(|block| block.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .context("Cargo.lock pins no openssl-src")?;
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .context("no CARGO_HOME or HOME")?;
    for index in std::fs::read_dir(home.join("registry/src")).context("no cargo registry sources")? {
        let dir = index?.path().join(format!("openssl-src-{version}/openssl"));
        if dir.join("Configure").exists() {
            return Ok(dir);
        }
    }
    bail!("openssl-src {version} is not in the cargo registry: run `cargo fetch` first")
}
