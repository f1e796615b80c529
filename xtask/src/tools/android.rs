//! The Android shell, compiled and tested without an Android SDK: kotlinc compiles
//! `android/app/src/main` against Robolectric's `android-all` jar (the real framework classes)
//! plus the generated bindings, and `android/app/src/test` runs under Robolectric on the JVM,
//! against the host library.
//!
//! The jars come from Maven Central through Maven itself (`mvn dependency:copy-dependencies`
//! with strict checksums): Robolectric has some fifty transitive dependencies, and resolving
//! them is Maven's job, not ours. Robolectric then runs offline, from the SDK jar fetched here.

use super::android_res::{ensure_aapt, package};
use super::jars::Jars;
use super::kotlin::{compile_kotlin, kotlin_libraries, Kotlin};
use super::{
    collect_files, junit, marker_matches, move_into_place, remove_path, run_captured, temp_sibling, tools_dir,
};
use super::{remove_stale_temps, Counts, MARKER};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROBOLECTRIC: &str = "4.16.1";
/// The framework classes the app is compiled against: Android 14 (API 34).
const ANDROID_ALL: &str = "14-robolectric-10818077";
/// The SDKs the tests run on (`robolectric.properties` lists the same): the app's minimum (26),
/// 34, and its target (35), each as Robolectric 4.16's pre-instrumented jar (revision i7). All
/// run on Java 17.
const SDKS: [(u32, &str); 3] =
    [(26, "8.0.0_r4-robolectric-r1-i7"), (34, "14-robolectric-10818077-i7"), (35, "15-robolectric-13954326-i7")];
/// The level the screens are drawn at (their classes say `@Config(sdk = [35])` too), and those classes.
const SCREENS_SDK: u32 = 35;
const SCREENS_CLASSES: &str = r"org\.televisit\.android\.screens\..*";
const JUNIT4: &str = "4.13.2";

pub struct AndroidJars {
    /// The framework classes the app is compiled against.
    pub android_all: PathBuf,
    /// Robolectric and JUnit 4, for compiling and running the tests.
    pub test: Vec<PathBuf>,
    /// Where Robolectric finds its instrumented SDK jar in offline mode.
    pub sdk_dir: PathBuf,
}

fn pom() -> String {
    let dep = |group: &str, artifact: &str, version: &str| {
        format!("    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>\n")
    };
    format!(
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  \
         <groupId>org.televisit</groupId><artifactId>android-test-jars</artifactId><version>1</version>\n  \
         <packaging>pom</packaging>\n  <dependencies>\n{}{}{}  </dependencies>\n</project>\n",
        dep("org.robolectric", "robolectric", ROBOLECTRIC),
        dep("junit", "junit", JUNIT4),
        dep("org.robolectric", "android-all", ANDROID_ALL),
    )
}

pub fn ensure_android_jars(root: &Path) -> Result<AndroidJars> {
    let dir = tools_dir(root)?.join("android-jars");
    let want = format!(
        "robolectric {ROBOLECTRIC}, android-all {ANDROID_ALL}, instrumented {} (one copy each), junit {JUNIT4}, aars unpacked",
        SDKS.map(|(_, jar)| jar).join(" ")
    );
    if !marker_matches(&dir, &want) {
        eprintln!("xtask: resolving {want} from Maven Central (mvn) into {}", dir.display());
        remove_stale_temps(&dir);
        let tmp = temp_sibling(&dir);
        remove_path(&tmp)?;
        install(root, &tmp).with_context(|| format!("failed to install the Android test jars ({want})"))?;
        fs::write(tmp.join(MARKER), &want).context("writing install marker")?;
        move_into_place(&tmp, &dir, &want)?;
    }
    let jars = dir.join("jars");
    let mut all = Vec::new();
    collect_files(&jars, "jar", &mut all)?;
    all.sort();
    let android_all = jars.join(format!("android-all-{ANDROID_ALL}.jar"));
    let instrumented =
        |j: &PathBuf| j.file_name().is_some_and(|n| n.to_string_lossy().starts_with("android-all-instrumented-"));
    let test = all.into_iter().filter(|j| !instrumented(j) && *j != android_all).collect();
    Ok(AndroidJars { android_all, test, sdk_dir: jars })
}

fn install(root: &Path, tmp: &Path) -> Result<()> {
    fs::create_dir_all(tmp)?;
    fs::write(tmp.join("pom.xml"), pom())?;
    // Maven's own cache stays under target/, so a fresh clone downloads into its own tree.
    let repo = tools_dir(root)?.join("m2");
    // One goal of the dependency plugin, strict checksums, the cache above, into jars/.
    let maven = |goal: &str| {
        let mut mvn = Command::new("mvn");
        mvn.current_dir(tmp)
            .args(["-q", "-B", "--strict-checksums"])
            .arg(format!("-Dmaven.repo.local={}", repo.display()))
            .arg(format!("org.apache.maven.plugins:maven-dependency-plugin:3.8.1:{goal}"))
            .arg(format!("-DoutputDirectory={}", tmp.join("jars").display()));
        mvn
    };
    run_captured(&mut maven("copy-dependencies"), "mvn dependency:copy-dependencies (is Maven installed?)")?;
    // One SDK jar per level: as dependencies of one project, Maven would keep only one version.
    for (_, version) in SDKS {
        let mut copy = maven("copy");
        copy.arg(format!("-Dartifact=org.robolectric:android-all-instrumented:{version}"));
        run_captured(&mut copy, &format!("mvn dependency:copy android-all-instrumented {version}"))?;
    }
    unpack_aars(&tmp.join("jars"))
}

/// AndroidX's test monitor comes as an AAR; the JVM needs the `classes.jar` inside it (what
/// AGP does for unit tests). The JDK's `jar` tool unpacks it.
fn unpack_aars(jars: &Path) -> Result<()> {
    let mut aars = Vec::new();
    collect_files(jars, "aar", &mut aars)?;
    for aar in aars {
        let scratch = aar.with_extension("unpacked");
        fs::create_dir_all(&scratch)?;
        run_captured(
            Command::new("jar").current_dir(&scratch).arg("xf").arg(&aar).arg("classes.jar"),
            "jar xf (a JDK)",
        )?;
        fs::rename(scratch.join("classes.jar"), aar.with_extension("jar"))
            .with_context(|| format!("{} holds no classes.jar", aar.display()))?;
        remove_path(&scratch)?;
        remove_path(&aar)?;
    }
    Ok(())
}

/// Compiles the app and its tests, and runs the tests under Robolectric.
pub fn run_android_tests(
    root: &Path,
    kotlin: &Kotlin,
    jars: &Jars,
    android: &AndroidJars,
    bindings_dir: &Path,
    lib_dir: &Path,
) -> Result<Counts> {
    let app = root.join("android/app/src");
    let work = root.join("target/android-tests");
    let main_classes = work.join("main-classes");
    let test_classes = work.join("test-classes");

    // The manifest and res/, checked with aapt; R.java and the resource APK from the same run.
    ensure_aapt(root)?;
    let resources = package(&root.join("android"), &work.join("resources"))?;
    if !resources.stripped.is_empty() {
        eprintln!(
            "xtask: aapt checked the manifest against API 29's framework without {} (newer attributes, taken out of the checked copy only)",
            resources.stripped.join(", ")
        );
    }
    let r_classes = work.join("r-classes");
    remove_path(&r_classes)?;
    fs::create_dir_all(&r_classes)?;
    run_captured(
        Command::new("javac").arg("-nowarn").arg("-d").arg(&r_classes).arg(&resources.r_java),
        "javac R.java (a JDK)",
    )?;
    // Robolectric reads the merged manifest and the resource APK from this file, as AGP writes
    // it for unit tests with `includeAndroidResources`.
    let test_config = work.join("test-config");
    fs::create_dir_all(test_config.join("com/android/tools"))?;
    fs::write(
        test_config.join("com/android/tools/test_config.properties"),
        format!(
            "android_merged_manifest={}\nandroid_resource_apk={}\nandroid_custom_package=org.televisit.android\n",
            resources.merged_manifest.display(),
            resources.resource_apk.display()
        ),
    )?;

    let mut main_sources = Vec::new();
    collect_files(bindings_dir, "kt", &mut main_sources)?;
    collect_files(&app.join("main"), "kt", &mut main_sources)?;
    main_sources.sort();
    let libs = kotlin_libraries(kotlin, jars);
    let mut main_cp = libs.clone();
    main_cp.push(r_classes.clone());
    main_cp.push(android.android_all.clone());
    compile_kotlin(kotlin, &main_cp, &main_sources, &main_classes).context("compiling android/app/src/main")?;

    let mut test_sources = Vec::new();
    collect_files(&app.join("test"), "kt", &mut test_sources)?;
    if test_sources.is_empty() {
        bail!("no Kotlin tests under {}", app.join("test").display());
    }
    test_sources.sort();
    let mut test_cp = main_cp.clone();
    test_cp.insert(0, main_classes.clone());
    test_cp.extend(android.test.iter().cloned());
    compile_kotlin(kotlin, &test_cp, &test_sources, &test_classes).context("compiling android/app/src/test")?;

    // The run: the test classes first, then the app, Robolectric and its config; android-all
    // last, for test discovery only (as AGP puts android.jar there): inside the sandbox,
    // Robolectric loads the framework from its instrumented jar.
    let mut run_cp = vec![main_classes, r_classes, app.join("test/resources"), test_config];
    run_cp.extend(libs);
    run_cp.extend(android.test.iter().cloned());
    run_cp.push(android.android_all.clone());
    let jvm_args = [
        "-Drobolectric.offline=true".to_owned(),
        format!("-Drobolectric.dependency.dir={}", android.sdk_dir.display()),
        // Where the tests read the app's manifest and XML resources from.
        format!("-Dtelevisit.android={}", root.join("android").display()),
        // Where the screens drawn by Android's own graphics are written, and their goldens (ADR 26).
        format!("-Dtelevisit.screens={}", crate::screens::dir(root).display()),
        format!("-Dtelevisit.goldens={}", crate::screens::goldens(root).display()),
        // Every test in Android's own graphics (Skia through Robolectric's native runtime): one
        // sandbox per level, as the UniFFI callbacks need (a test class in another graphics mode
        // would get a second sandbox, whose calls reach the first's callbacks).
        "-Drobolectric.graphicsMode=NATIVE".to_owned(),
        // The native runtime reads file descriptors' numbers (API 35).
        "--add-opens=java.base/java.io=ALL-UNNAMED".to_owned(),
        "-Xmx1g".to_owned(),
    ];
    check_sdk_list(&app.join("test/resources/robolectric.properties"))?;
    // One JVM per SDK level: the native library is loaded once per process, and UniFFI keeps the
    // callback interfaces (the secret store, the contact book) of the first class loader that
    // registered them, so a second Robolectric sandbox in the same JVM would call into the first.
    let mut total = Counts::zero();
    // Robolectric unpacks its native runtime (about 200 MB) into the temporary folder at every
    // start and leaves it: kept under target/ and emptied after each run, so that runs do not
    // fill the machine's /tmp.
    let tmp = work.join("tmp");
    for (level, _) in SDKS {
        if !level_wanted(level) {
            eprintln!("xtask: API {level} left out (XTASK_ANDROID_SDKS)");
            continue;
        }
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp)?;
        // The screenshots are drawn at the target level alone (ADR 26); elsewhere their classes
        // are left out rather than listed as empty parameterised runs.
        let exclude = (level != SCREENS_SDK).then_some(SCREENS_CLASSES);
        let mut args = jvm_args.to_vec();
        args.push(format!("-Drobolectric.enabledSdks={level}"));
        args.push(format!("-Djava.io.tmpdir={}", tmp.display()));
        eprintln!("xtask: the Android tests on API {level}");
        let counts = junit::run_tests(
            jars,
            &run_cp,
            &test_classes,
            &work.join(format!("reports-{level}")),
            lib_dir,
            &args,
            exclude,
        )?;
        total.passed += counts.passed;
        total.failed += counts.failed;
        total.failures.extend(counts.failures.into_iter().map(|f| format!("[API {level}] {f}")));
        // A test cited as evidence passed at every level that ran it (its name once per level).
        total.passed_names.extend(counts.passed_names);
    }
    let _ = fs::remove_dir_all(&tmp);
    Ok(total)
}

/// Every level, or (while working on one) those listed in `XTASK_ANDROID_SDKS` ("35", "26,35").
fn level_wanted(level: u32) -> bool {
    match std::env::var("XTASK_ANDROID_SDKS") {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|l| l.trim() == level.to_string()),
        _ => true,
    }
}

/// The SDK levels in `robolectric.properties` are the ones whose jars are fetched here.
fn check_sdk_list(properties: &Path) -> Result<()> {
    let text = fs::read_to_string(properties).with_context(|| format!("reading {}", properties.display()))?;
    let listed: Vec<u32> = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("sdk="))
        .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let fetched: Vec<u32> = SDKS.iter().map(|(level, _)| *level).collect();
    if listed != fetched {
        bail!("{} lists sdk={listed:?}; xtask fetches and runs {fetched:?}: make them agree", properties.display());
    }
    Ok(())
}
