//! `cargo xtask bench`: every figure of issue 9 beside its baseline, in one run, on this machine.
//!
//! 1-5 come from `televisit-bench` (built and run in release): open to ready, log append, chain
//! verify, wipe, cleanup plan. Here are added 6, the release cdylib's size (stripped), with what
//! SQLCipher and OpenSSL take of it, and 7, the peak memory of `televisit demo`. One table is
//! printed at the end and everything goes to `target/bench.json`. Targets are reported, never
//! enforced: the command fails only when a measurement cannot be made.
//!
//! Size attribution: the cdylib is linked once with a linker map (`-Wl,-Map`), which lists every
//! input section kept in the library with its size and the object (or archive member) it came
//! from. SQLCipher is the C object libsqlite3-sys builds, OpenSSL the libcrypto objects that
//! openssl-sys bundles (both arrive inside those crates' rlibs); Rust objects, ring's C and
//! assembly, and the C runtime are the rest. Only sections that take room in the file count
//! (code, read-only data, data, unwind tables); the stripped file also holds relocations, the
//! dynamic symbol table, merged strings and headers, which belong to no one part and are left
//! unattributed.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

const MB: f64 = 1_000_000.0;

/// `reuse_core`: take figures 1-5, 8 and 9 from the last run's `target/bench/core.json` instead of
/// measuring them again (when only the library or the table is wanted).
pub fn bench(root: &Path, quick: bool, reuse_core: bool) -> Result<bool> {
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    // The machine may be shared: its load beside the figures says how far to trust them.
    let load_before = load_average();
    let core_json = out_dir.join("core.json");

    // 1-5, 8-10.
    if !(reuse_core && core_json.exists()) {
        // The relay's figures need PostgreSQL's server programs (the bench makes its own cluster).
        crate::tools::postgres::ensure_installed(root)?;
        crate::run(
            crate::cargo().current_dir(root).args(["build", "--release", "-p", "televisit-bench"]),
            "cargo build --release -p televisit-bench",
        )?;
        let mut cmd = Command::new(root.join("target/release/televisit-bench"));
        cmd.current_dir(root).arg("--out").arg(&core_json).arg("--work").arg(out_dir.join("work"));
        if quick {
            cmd.arg("--quick");
        }
        crate::run(&mut cmd, "televisit-bench")?;
    }
    let core: Value = serde_json::from_str(&std::fs::read_to_string(&core_json)?)?;
    let mut figures: Vec<Value> = core["figures"].as_array().context("core.json has no figures")?.clone();

    // 6. The library as it ships, and the builds before each lever, each in a target folder of
    // its own so that a second run links nothing again (the one with the workspace's own
    // settings is the workspace's target folder, which the release build above shares).
    eprintln!("bench: 6. release cdylib size (linking with a map), before and after each lever");
    let every_feature = library_size(
        root,
        &out_dir,
        Some("size-full"),
        // An empty list overrides the one in .cargo/config.toml: libsqlite3-sys's own defaults.
        &[("LIBSQLITE3_FLAGS".into(), String::new())],
    )?;
    let sqlite_trimmed = library_size(root, &out_dir, None, &[])?;
    let openssl_env = crate::tools::openssl_min::env_for(root, &host_target()?)?;
    let size = library_size(root, &out_dir, Some("size-min"), &openssl_env)?;
    figures.extend(size.figures());
    figures.extend(lever_figures(&[
        ("libsqlite3-sys's defaults, vendored OpenSSL", &every_feature),
        ("unused SQLite features left out (.cargo/config.toml)", &sqlite_trimmed),
        ("and OpenSSL built for SQLCipher only (xtask openssl_min)", &size),
    ]));

    // 7.
    eprintln!("bench: 7. peak memory of televisit demo");
    crate::run(
        crate::cargo().current_dir(root).args(["build", "--release", "-p", "televisit", "--bin", "televisit"]),
        "cargo build --release -p televisit",
    )?;
    let televisit = root.join("target/release/televisit");
    let demo = peak_rss_kb(&televisit, &["demo"])?;
    let floor = peak_rss_kb(&televisit, &["--help"])?;
    figures.push(rss_figure(demo, floor));

    let report = json!({
        "command": "cargo xtask bench",
        "date": command_line("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]),
        "machine": machine(),
        "load_average_1_5_15": { "before": load_before, "after": load_average() },
        "quick": quick,
        "sizes": core["sizes"],
        "library": size.json(),
        "figures": figures,
    });
    let json_path = root.join("target/bench.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)? + "\n")?;
    if !quick {
        performance_table(root, &report, &figures)?;
    }
    println!("{}", table(&figures));
    println!("load average (1, 5, 15 min) before: {load_before}; after: {}", load_average());
    println!("json: {}", json_path.display());
    Ok(true)
}

/// Writes the table and the run's machine, date and load into docs/performance.md, between its
/// bench markers, so that the page always shows the last full run.
fn performance_table(root: &Path, report: &Value, figures: &[Value]) -> Result<()> {
    const START: &str = "<!-- bench:start (cargo xtask bench writes this block) -->";
    const END: &str = "<!-- bench:end -->";
    let path = root.join("docs/performance.md");
    let text = std::fs::read_to_string(&path)?;
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        bail!("docs/performance.md has no bench markers");
    };
    let load = &report["load_average_1_5_15"];
    let block = format!(
        "{START}\nLast full run: {} on {}; load average (1, 5, 15 min) {} before, {} after.\n\n```\n{}\n```\n",
        report["date"].as_str().unwrap_or("?"),
        machine_line(&report["machine"]),
        load["before"].as_str().unwrap_or("?"),
        load["after"].as_str().unwrap_or("?"),
        table(figures).trim_end(),
    );
    std::fs::write(&path, format!("{}{block}{}", &text[..a], &text[b..]))?;
    Ok(())
}

/// One table: figure, measured, baseline, ratio, target, met.
pub fn table(figures: &[Value]) -> String {
    let text = |f: &Value, key: &str| f[key].as_str().unwrap_or("—").to_owned();
    let mut rows = vec![["figure", "measured", "baseline", "ratio", "target", "met?"].map(str::to_owned).to_vec()];
    for f in figures {
        let baseline = match (text(f, "baseline_text").as_str(), text(f, "baseline_label").as_str()) {
            ("—", _) => "—".to_owned(),
            (value, "") => value.to_owned(),
            (value, label) => format!("{value} ({label})"),
        };
        let met = match f["met"].as_bool() {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "—",
        };
        rows.push(vec![
            text(f, "figure"),
            text(f, "measured_text"),
            baseline,
            text(f, "ratio_text"),
            text(f, "target_text"),
            met.to_owned(),
        ]);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.chars().count())))
            .collect();
        out.push_str(cells.join(" | ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-|-"));
            out.push('\n');
        }
    }
    out
}

struct LibrarySize {
    unstripped: u64,
    stripped: u64,
    /// Bytes of file-backed sections by part (sqlcipher, openssl, rust, ring, other).
    parts: BTreeMap<&'static str, u64>,
}

impl LibrarySize {
    fn figures(&self) -> Vec<Value> {
        let total = self.stripped as f64 / MB;
        let mut figures = vec![json!({
            "id": "library_size",
            "figure": "release cdylib, stripped (opt-level z, LTO, OpenSSL for SQLCipher only)",
            "measured": total,
            "unit": "MB",
            "measured_text": format!("{total:.2} MB"),
            "baseline_label": "unstripped",
            "baseline": self.unstripped as f64 / MB,
            "baseline_text": format!("{:.2} MB", self.unstripped as f64 / MB),
            "ratio": self.stripped as f64 / self.unstripped as f64,
            "ratio_text": format!("{:.0}% of unstripped", 100.0 * self.stripped as f64 / self.unstripped as f64),
            "target_text": "≤ 6.5 MB",
            "met": total <= 6.5,
        })];
        for (id, name, part) in [
            ("library_sqlcipher", "of which SQLCipher", "sqlcipher"),
            ("library_openssl", "of which OpenSSL", "openssl"),
        ] {
            let bytes = self.parts.get(part).copied().unwrap_or(0) as f64;
            figures.push(json!({
                "id": id,
                "figure": name,
                "measured": bytes / MB,
                "unit": "MB",
                "measured_text": format!("{:.2} MB", bytes / MB),
                "baseline_label": "stripped total",
                "baseline": total,
                "baseline_text": format!("{total:.2} MB"),
                "ratio": bytes / self.stripped as f64,
                "ratio_text": format!("{:.0}% of total", 100.0 * bytes / self.stripped as f64),
                "target_text": "—",
                "met": null,
            }));
        }
        figures
    }

    fn json(&self) -> Value {
        json!({
            "unstripped_bytes": self.unstripped,
            "stripped_bytes": self.stripped,
            "attributed_bytes_by_part": self.parts,
            "unattributed_bytes": self.stripped.saturating_sub(self.parts.values().sum()),
            "method": "linker map of the release link: file-backed input sections by source archive",
        })
    }
}

/// The host's target triple (`rustc -vV`): the library measured here is the host's build of
/// the phone library.
fn host_target() -> Result<String> {
    let info = command_line("rustc", &["-vV"]);
    info.lines().find_map(|line| line.strip_prefix("host: ")).map(str::to_owned).context("rustc -vV names no host")
}

/// One figure per lever: the stripped library after it, and what it saved from the step before.
fn lever_figures(steps: &[(&str, &LibrarySize)]) -> Vec<Value> {
    let mut figures = Vec::new();
    for (i, (name, size)) in steps.iter().enumerate() {
        let mb = size.stripped as f64 / MB;
        let before = i.checked_sub(1).map(|j| steps[j].1.stripped as f64 / MB);
        figures.push(json!({
            "id": format!("library_lever_{i}"),
            "figure": format!("  lever {i}: {name}"),
            "measured": mb,
            "unit": "MB",
            "measured_text": format!("{mb:.2} MB"),
            "baseline_label": if before.is_some() { "the step before" } else { "—" },
            "baseline": before,
            "baseline_text": before.map_or("—".to_string(), |b| format!("{b:.2} MB")),
            "ratio": before.map(|b| b - mb),
            "ratio_text": before.map_or("—".to_string(), |b| format!("saved {:.2} MB", b - mb)),
            "target_text": "—",
            "met": null,
            "parts_mb": size.parts.iter().map(|(k, v)| (k.to_string(), *v as f64 / MB)).collect::<BTreeMap<_, _>>(),
        }));
    }
    figures
}

/// Builds the release cdylib (the release profile: opt-level z, LTO, one codegen unit) into
/// `target/<folder>` (the workspace's `target/` itself for none) under `env`, with a linker map
/// beside it, strips a copy and attributes its sections.
fn library_size(root: &Path, out_dir: &Path, folder: Option<&str>, env: &[(String, String)]) -> Result<LibrarySize> {
    // When the library is already built with these flags, cargo does not link again and the
    // map of that link still holds.
    let target_dir = folder.map_or_else(|| root.join("target"), |f| root.join("target").join(f));
    let label = folder.unwrap_or("workspace");
    let map = out_dir.join(format!("televisit_ffi.{label}.map"));
    crate::run(
        crate::cargo()
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &target_dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["rustc", "--release", "-p", "televisit-ffi", "--lib", "--"])
            .arg(format!("-Clink-arg=-Wl,-Map={}", map.display())),
        "cargo rustc --release -p televisit-ffi (with a linker map)",
    )?;
    let library = target_dir.join("release/libtelevisit_ffi.so");
    let copy = out_dir.join(format!("libtelevisit_ffi.{label}.stripped.so"));
    std::fs::copy(&library, &copy)?;
    crate::run(Command::new("strip").arg(&copy), "strip")?;
    let text = std::fs::read_to_string(&map).context("the linker wrote no map")?;
    Ok(LibrarySize {
        unstripped: std::fs::metadata(&library)?.len(),
        stripped: std::fs::metadata(&copy)?.len(),
        parts: attribute(&text),
    })
}

/// Which part of the library an input file (an object, or `archive(member)`) belongs to. The C
/// libraries arrive inside their -sys crates' rlibs, beside those crates' own Rust objects.
fn part_of(file: &str) -> &'static str {
    let lower = file.to_ascii_lowercase();
    if lower.trim_end_matches(')').ends_with(".rcgu.o") {
        "rust"
    } else if lower.contains("sqlite3") || lower.contains("sqlcipher") {
        "sqlcipher"
    } else if lower.contains("openssl") || lower.contains("libcrypto") {
        "openssl"
    } else if lower.contains("ring") {
        "ring"
    } else {
        "other"
    }
}

/// Whether an input section takes room in the stripped file.
fn in_file(section: &str) -> bool {
    [".text", ".rodata", ".data", ".eh_frame", ".gcc_except_table", ".init_array", ".fini_array", ".tdata"]
        .iter()
        .any(|p| section == *p || section.starts_with(&format!("{p}.")))
        && !section.starts_with(".data.rel.ro.local.bss")
}

/// Sums input section sizes by part, from a GNU ld or an LLD map.
fn attribute(map: &str) -> BTreeMap<&'static str, u64> {
    let mut parts = BTreeMap::new();
    if map.lines().next().is_some_and(|l| l.split_whitespace().collect::<Vec<_>>().starts_with(&["VMA", "LMA"])) {
        // LLD: "VMA LMA Size Align Out In Symbol"; an input section is `file:(section)` in column 5.
        for line in map.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() != 5 {
                continue;
            }
            let Some((file, section)) = cols[4].rsplit_once(":(") else { continue };
            // A piece of a split section (unwind tables) is named `.eh_frame+0x18`.
            let section = section.trim_end_matches(')');
            let section = section.split_once('+').map_or(section, |(name, _)| name);
            if let (true, Ok(size)) = (in_file(section), u64::from_str_radix(cols[2], 16)) {
                *parts.entry(part_of(file)).or_insert(0) += size;
            }
        }
        return parts;
    }
    // GNU ld: after "Linker script and memory map", ` section addr size file`, the section name
    // alone on its line when it is long, the rest on the next.
    let body = map.split("Linker script and memory map").nth(1).unwrap_or("");
    let mut pending: Option<&str> = None;
    for line in body.lines() {
        if !line.starts_with(' ') {
            pending = None;
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (section, rest) = match (cols.first(), pending.take()) {
            (Some(first), None) if first.starts_with('.') && cols.len() == 1 => {
                pending = Some(first);
                continue;
            }
            (Some(first), None) if first.starts_with('.') => (*first, &cols[1..]),
            (Some(_), Some(section)) => (section, &cols[..]),
            _ => continue,
        };
        if rest.len() < 3 || !rest[0].starts_with("0x") || !rest[1].starts_with("0x") {
            continue;
        }
        if let (true, Ok(size)) = (in_file(section), u64::from_str_radix(rest[1].trim_start_matches("0x"), 16)) {
            *parts.entry(part_of(&rest[2..].join(" "))).or_insert(0) += size;
        }
    }
    parts
}

/// Peak resident memory of one run, in kB: GNU time's report when it is installed, else the
/// child's own rusage from wait4.
fn peak_rss_kb(program: &Path, args: &[&str]) -> Result<u64> {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let output = Command::new(time)
            .arg("-v")
            .arg(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .context("could not run /usr/bin/time")?;
        let report = String::from_utf8_lossy(&output.stderr);
        if let Some(kb) = max_rss_from_time(&report) {
            return Ok(kb);
        }
    }
    let child = Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill; the pid is our own child's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if pid <= 0 {
        bail!("wait4 failed for {}", program.display());
    }
    Ok(usage.ru_maxrss as u64)
}

fn max_rss_from_time(report: &str) -> Option<u64> {
    report.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):")?.trim().parse().ok())
}

fn rss_figure(demo_kb: u64, floor_kb: u64) -> Value {
    let mb = |kb: u64| kb as f64 * 1024.0 / MB;
    json!({
        "id": "demo_peak_rss",
        "figure": "peak memory of televisit demo (release)",
        "measured": mb(demo_kb),
        "unit": "MB",
        "measured_text": format!("{:.1} MB", mb(demo_kb)),
        "baseline_label": "televisit --help",
        "baseline": mb(floor_kb),
        "baseline_text": format!("{:.1} MB", mb(floor_kb)),
        "ratio": demo_kb as f64 / floor_kb as f64,
        "ratio_text": format!("{:.2}× --help's", demo_kb as f64 / floor_kb as f64),
        "target_text": "≤ 40 MB",
        "met": mb(demo_kb) <= 40.0,
    })
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn machine_line(machine: &Value) -> String {
    format!(
        "{} × {}, {}, {}",
        machine["cpus"],
        machine["cpu"].as_str().unwrap_or("?"),
        machine["kernel"].as_str().unwrap_or("?"),
        machine["rustc"].as_str().unwrap_or("?")
    )
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")?.split(':').nth(1)).unwrap_or("").trim();
    json!({
        "cpu": model,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "kernel": command_line("uname", &["-sr"]),
        "rustc": command_line("rustc", &["-V"]),
        "memory": std::fs::read_to_string("/proc/meminfo").unwrap_or_default().lines().next().unwrap_or("").to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_the_library_by_source_archive() {
        let deps = "/w/target/release/deps";
        assert_eq!(part_of(&format!("{deps}/liblibsqlite3_sys-1.rlib(c4-sqlcipher.o)")), "sqlcipher");
        assert_eq!(part_of(&format!("{deps}/libopenssl_sys-2.rlib(libcrypto-lib-aes.o)")), "openssl");
        assert_eq!(part_of(&format!("{deps}/libopenssl_sys-2.rlib(libdefault-lib-encode_key2any.o)")), "openssl");
        assert_eq!(part_of(&format!("{deps}/libopenssl_sys-2.rlib(openssl_sys-2.openssl_sys.9-cgu.0.rcgu.o)")), "rust");
        assert_eq!(part_of(&format!("{deps}/libring-3.rlib(25ac62e5b3c53843-curve25519.o)")), "ring");
        assert_eq!(part_of("/w/target/release/deps/televisit_ffi.televisit_ffi.abc-cgu.0.rcgu.o"), "rust");
        assert_eq!(part_of("/usr/lib/gcc/x86_64-linux-gnu/12/crtbeginS.o"), "other");
    }

    #[test]
    fn reads_a_gnu_ld_map() {
        let map = "Discarded input sections\n .text.unused 0x0 0x999 /x/libsqlite3.a(sqlite3.o)\n\
                   Linker script and memory map\n\
                   .text           0x0000000000001000    0x300\n \
                   .text.sqlite3_open\n                0x0000000000001000      0x100 /x/libsqlite3.a(sqlite3.o)\n \
                   .text.EVP_foo  0x0000000000001100       0x80 /x/libcrypto.a(e.o)\n \
                   .bss.big       0x0000000000009000     0x5000 /x/libcrypto.a(e.o)\n \
                   .rodata.k      0x0000000000002000       0x20 /x/televisit_ffi.rcgu.o\n";
        let parts = attribute(map);
        assert_eq!(parts.get("sqlcipher"), Some(&0x100), "the discarded section does not count");
        assert_eq!(parts.get("openssl"), Some(&0x80), ".bss takes no room in the file");
        assert_eq!(parts.get("rust"), Some(&0x20));
    }

    #[test]
    fn reads_an_lld_map() {
        let map = "             VMA              LMA     Size Align Out     In      Symbol\n\
                   1000 1000 300 16 .text\n\
                   1000 1000 100 16         /x/libsqlite3.a(sqlite3.o):(.text.sqlite3_open)\n\
                   1000 1000 0 1                 sqlite3_open\n\
                   1100 1100 80 16         /x/libcrypto.a(e.o):(.text.EVP_foo)\n\
                   9000 9000 5000 16         /x/libcrypto.a(e.o):(.bss.big)\n\
                   a000 a000 40 8         /x/libsqlite3.a(sqlite3.o):(.eh_frame+0x18)\n";
        let parts = attribute(map);
        assert_eq!(parts.get("sqlcipher"), Some(&0x140), "its code and its piece of the unwind tables");
        assert_eq!(parts.get("openssl"), Some(&0x80));
    }

    #[test]
    fn reads_gnu_time_and_prints_one_aligned_table() {
        assert_eq!(
            max_rss_from_time("\tCommand being timed: \"x\"\n\tMaximum resident set size (kbytes): 23456\n"),
            Some(23456)
        );
        let rows = vec![
            json!({"figure": "open", "measured_text": "1.00 ms", "baseline_label": "passphrase", "baseline_text": "300 ms",
                   "ratio_text": "300× faster", "target_text": "≤ 5 ms", "met": true}),
            rss_figure(50_000, 5_000),
        ];
        let t = table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("figure") && lines[1].starts_with("---"));
        assert!(lines[2].contains("300 ms (passphrase)") && lines[2].ends_with("yes"));
        assert!(lines[3].ends_with("NO"), "51.2 MB is over 40 MB: {}", lines[3]);
        assert_eq!(lines[0].find("| measured"), lines[2].find("| 1.00 ms"));
    }
}
