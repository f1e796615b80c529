//! The Kotlin compiler (npm package `kotlin-compiler`) and compiling the
//! generated bindings together with the Kotlin tests.

use super::jars::Jars;
use super::{
    collect_files, combined_output, join_classpath, junit, make_executable, marker_matches, move_into_place,
    remove_path, remove_stale_temps, run_captured, temp_sibling, tools_dir, Counts, MARKER,
};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// npm package `kotlin-compiler`; its version is the Kotlin version.
const KOTLIN_VERSION: &str = "2.2.21";

pub struct Kotlin {
    pub kotlinc: PathBuf,
    pub stdlib: PathBuf,
    pub coroutines: PathBuf,
}

pub fn ensure_kotlin(root: &Path) -> Result<Kotlin> {
    let dir = tools_dir(root)?.join("kotlin");
    let want = format!("kotlin-compiler@{KOTLIN_VERSION}");
    if !marker_matches(&dir, &want) {
        eprintln!("xtask: installing {want} (npm) into {}", dir.display());
        install_kotlin(&dir, &want)
            .with_context(|| format!("failed to install {want} from npm into {}", dir.display()))?;
    }
    let kotlin = kotlin_layout(&dir);
    for path in [&kotlin.kotlinc, &kotlin.stdlib, &kotlin.coroutines] {
        if !path.is_file() {
            bail!("{want} install in {} lacks {}; delete that directory and re-run", dir.display(), path.display());
        }
    }
    Ok(kotlin)
}

fn kotlin_layout(dir: &Path) -> Kotlin {
    let pkg = dir.join("node_modules").join("kotlin-compiler");
    Kotlin {
        kotlinc: pkg.join("bin").join("kotlinc"),
        stdlib: pkg.join("lib").join("kotlin-stdlib.jar"),
        coroutines: pkg.join("lib").join("kotlinx-coroutines-core-jvm.jar"),
    }
}

/// npm into a temp prefix, smoke-test kotlinc there, then rename into place.
/// kotlinc finds its lib/ relative to its own path, so the rename is safe.
fn install_kotlin(dir: &Path, want: &str) -> Result<()> {
    remove_stale_temps(dir);
    let tmp = temp_sibling(dir);
    let result = install_kotlin_into(&tmp, want).and_then(|()| move_into_place(&tmp, dir, want));
    if result.is_err() {
        let _ = remove_path(&tmp);
    }
    result
}

fn install_kotlin_into(tmp: &Path, want: &str) -> Result<()> {
    remove_path(tmp)?;
    fs::create_dir_all(tmp).with_context(|| format!("creating {}", tmp.display()))?;

    let mut npm = Command::new("npm");
    npm.current_dir(tmp).arg("install").arg("--prefix").arg(tmp).args([
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        want,
    ]);
    run_captured(&mut npm, &format!("npm install {want}"))?;

    let kotlin = kotlin_layout(tmp);
    // The tarball marks kotlinc executable, but it is not a declared npm
    // `bin`, so nothing guarantees the mode survives unpacking; make sure.
    make_executable(&kotlin.kotlinc)?;
    check_kotlinc_runs(&kotlin.kotlinc)?;
    fs::write(tmp.join(MARKER), want).context("writing install marker")
}

/// Proves the compiler starts on this JDK before the install is trusted.
fn check_kotlinc_runs(kotlinc: &Path) -> Result<()> {
    let out = run_captured(Command::new(kotlinc).arg("-version"), "kotlinc -version (is a JDK on PATH?)")?;
    let text = combined_output(&out);
    if !text.contains(KOTLIN_VERSION) {
        bail!("kotlinc -version did not report {KOTLIN_VERSION}:\n{text}");
    }
    Ok(())
}

/// Compiles bindings + tests into `target/kotlin-tests/classes` and runs them
/// on the JVM with the host library on JNA's search path.
pub fn run_kotlin_tests(
    root: &Path,
    kotlin: &Kotlin,
    jars: &Jars,
    bindings_dir: &Path,
    tests_dir: &Path,
    lib_dir: &Path,
) -> Result<Counts> {
    let work = root.join("target").join("kotlin-tests");
    let classes = work.join("classes");
    let reports = work.join("reports");

    let sources = kotlin_sources(bindings_dir, tests_dir)?;
    let libs = kotlin_libraries(kotlin, jars);
    // The JUnit console jar is on the compile classpath for the Jupiter API (`@Test`, `Assertions`);
    // at run time it is the launcher itself.
    let mut cp = libs.clone();
    cp.push(jars.junit_console.clone());
    compile_kotlin(kotlin, &cp, &sources, &classes)?;
    junit::run_tests(jars, &libs, &classes, &reports, lib_dir, &[], None)
}

/// Generated bindings plus tests, sorted so compiler output is stable.
fn kotlin_sources(bindings_dir: &Path, tests_dir: &Path) -> Result<Vec<PathBuf>> {
    if !bindings_dir.is_dir() {
        bail!("Kotlin bindings directory {} does not exist (generate the bindings first)", bindings_dir.display());
    }
    let mut bindings = Vec::new();
    collect_files(bindings_dir, "kt", &mut bindings)?;
    let mut tests = Vec::new();
    if tests_dir.is_dir() {
        collect_files(tests_dir, "kt", &mut tests)?;
    }
    if tests.is_empty() {
        bail!("no Kotlin test sources (*.kt) found under {}", tests_dir.display());
    }
    bindings.append(&mut tests);
    bindings.sort();
    bindings.dedup(); // in case tests_dir lies inside bindings_dir or vice versa
    Ok(bindings)
}

/// Classpath shared by compilation and test run (the JUnit jar is added
/// separately). kotlin-test ships with the compiler, so tests may use
/// `kotlin.test` assertions too.
pub(super) fn kotlin_libraries(kotlin: &Kotlin, jars: &Jars) -> Vec<PathBuf> {
    let mut libs = vec![kotlin.stdlib.clone(), kotlin.coroutines.clone(), jars.jna.clone()];
    if let Some(lib) = kotlin.stdlib.parent() {
        for extra in ["kotlin-test.jar", "kotlin-test-junit5.jar"] {
            let jar = lib.join(extra);
            if jar.is_file() {
                libs.push(jar);
            }
        }
    }
    libs
}

/// Compiles `sources` against `classpath` into a clean `classes` directory.
pub(super) fn compile_kotlin(
    kotlin: &Kotlin,
    classpath: &[PathBuf],
    sources: &[PathBuf],
    classes: &Path,
) -> Result<()> {
    // Start clean: classes from deleted sources would otherwise still run.
    remove_path(classes)?;
    fs::create_dir_all(classes).with_context(|| format!("creating {}", classes.display()))?;

    let mut cmd = Command::new(&kotlin.kotlinc);
    cmd.arg("-d").arg(classes).arg("-cp").arg(join_classpath(classpath)?).args(sources);
    eprintln!("xtask: compiling {} Kotlin files with kotlinc {KOTLIN_VERSION}", sources.len());
    let out = cmd.output().with_context(|| format!("could not start {}", kotlin.kotlinc.display()))?;
    if !out.status.success() {
        bail!("Kotlin compilation failed ({}):\n{}", out.status, combined_output(&out));
    }
    Ok(())
}
