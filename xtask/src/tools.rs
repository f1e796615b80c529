//! External tools for the test run: the Kotlin compiler, JNA + the JUnit 5
//! console launcher, and a tree-sitter based Swift syntax checker.
//!
//! Everything is installed by this module itself into `<root>/target/tools/`
//! and cached there. Each install either lands in a temporary directory that
//! is renamed into place once complete, or writes its marker file last, so an
//! interrupted install is never trusted by a later run.

use anyhow::{anyhow, bail, Context, Result};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

/// npm package `kotlin-compiler`; its version is the Kotlin version.
const KOTLIN_VERSION: &str = "2.2.21";

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

/// PyPI pins. tree-sitter-swift 0.7.x ships a grammar with language ABI 15,
/// which needs the py-tree-sitter 0.25 line (0.24 and older reject it).
const TREE_SITTER_VERSION: &str = "0.25.2";
const TREE_SITTER_SWIFT_VERSION: &str = "0.7.4";

/// Written inside an install directory once the install is complete and tested.
const MARKER: &str = ".televisit-installed";

pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub failures: Vec<String>,
}

// ---------------------------------------------------------------------------
// Kotlin compiler
// ---------------------------------------------------------------------------

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
            bail!(
                "{want} install in {} lacks {}; delete that directory and re-run",
                dir.display(),
                path.display()
            );
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
    npm.current_dir(tmp)
        .arg("install")
        .arg("--prefix")
        .arg(tmp)
        .args([
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
    let out = run_captured(
        Command::new(kotlinc).arg("-version"),
        "kotlinc -version (is a JDK on PATH?)",
    )?;
    let text = combined_output(&out);
    if !text.contains(KOTLIN_VERSION) {
        bail!("kotlinc -version did not report {KOTLIN_VERSION}:\n{text}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JARs from Maven Central
// ---------------------------------------------------------------------------

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
    Ok(Jars {
        jna: ensure_jar(&dir, &JNA)?,
        junit_console: ensure_jar(&dir, &JUNIT_CONSOLE)?,
    })
}

/// The checksum is the marker here: a cached jar is re-hashed on every run
/// (milliseconds), and a download is renamed into place only once it matches.
fn ensure_jar(dir: &Path, spec: &JarSpec) -> Result<PathBuf> {
    let path = dir.join(spec.file_name());
    if path.is_file() && sha256_file(&path)? == spec.sha256 {
        return Ok(path);
    }
    eprintln!("xtask: downloading {}", spec.file_name());
    download_jar(spec, &path)
        .with_context(|| format!("failed to install {} {}", spec.artifact, spec.version))?;
    Ok(path)
}

fn download_jar(spec: &JarSpec, dest: &Path) -> Result<()> {
    remove_stale_temps(dest);
    let tmp = temp_sibling(dest);
    let url = spec.url();
    let mut curl = Command::new("curl");
    curl.args(["-fsSL", "--retry", "3", "--connect-timeout", "30", "-o"])
        .arg(&tmp)
        .arg(&url);
    if let Err(e) = run_captured(&mut curl, &format!("curl {url}")) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let got = sha256_file(&tmp)?;
    if got != spec.sha256 {
        let _ = fs::remove_file(&tmp);
        bail!(
            "checksum mismatch for {url}: expected sha256 {}, got {got}",
            spec.sha256
        );
    }
    fs::rename(&tmp, dest)
        .with_context(|| format!("moving {} to {}", tmp.display(), dest.display()))
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!("{:x}", hasher.finalize()))
}

// ---------------------------------------------------------------------------
// Compiling and running the Kotlin tests
// ---------------------------------------------------------------------------

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
    compile_kotlin(kotlin, &libs, &jars.junit_console, &sources, &classes)?;

    // Stale reports from an earlier run must not be mistaken for this run's.
    remove_path(&reports)?;
    let run = run_junit(jars, &libs, &classes, &reports, lib_dir)?;
    counts_from_junit(&run, &reports)
}

/// Generated bindings plus tests, sorted so compiler output is stable.
fn kotlin_sources(bindings_dir: &Path, tests_dir: &Path) -> Result<Vec<PathBuf>> {
    if !bindings_dir.is_dir() {
        bail!(
            "Kotlin bindings directory {} does not exist (generate the bindings first)",
            bindings_dir.display()
        );
    }
    let mut bindings = Vec::new();
    collect_files(bindings_dir, "kt", &mut bindings)?;
    let mut tests = Vec::new();
    if tests_dir.is_dir() {
        collect_files(tests_dir, "kt", &mut tests)?;
    }
    if tests.is_empty() {
        bail!(
            "no Kotlin test sources (*.kt) found under {}",
            tests_dir.display()
        );
    }
    bindings.append(&mut tests);
    bindings.sort();
    bindings.dedup(); // in case tests_dir lies inside bindings_dir or vice versa
    Ok(bindings)
}

/// Classpath shared by compilation and test run (the JUnit jar is added
/// separately). kotlin-test ships with the compiler, so tests may use
/// `kotlin.test` assertions too.
fn kotlin_libraries(kotlin: &Kotlin, jars: &Jars) -> Vec<PathBuf> {
    let mut libs = vec![
        kotlin.stdlib.clone(),
        kotlin.coroutines.clone(),
        jars.jna.clone(),
    ];
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

/// The JUnit console jar is on the compile classpath for the Jupiter API
/// (`@Test`, `Assertions`); at run time it is the launcher itself.
fn compile_kotlin(
    kotlin: &Kotlin,
    libs: &[PathBuf],
    junit: &Path,
    sources: &[PathBuf],
    classes: &Path,
) -> Result<()> {
    // Start clean: classes from deleted sources would otherwise still run.
    remove_path(classes)?;
    fs::create_dir_all(classes).with_context(|| format!("creating {}", classes.display()))?;

    let mut cp = libs.to_vec();
    cp.push(junit.to_path_buf());
    let mut cmd = Command::new(&kotlin.kotlinc);
    cmd.arg("-d")
        .arg(classes)
        .arg("-cp")
        .arg(join_classpath(&cp)?)
        .args(sources);
    eprintln!(
        "xtask: compiling {} Kotlin files with kotlinc {KOTLIN_VERSION}",
        sources.len()
    );
    let out = cmd
        .output()
        .with_context(|| format!("could not start {}", kotlin.kotlinc.display()))?;
    if !out.status.success() {
        bail!(
            "Kotlin compilation failed ({}):\n{}",
            out.status,
            combined_output(&out)
        );
    }
    Ok(())
}

struct JunitRun {
    status: ExitStatus,
    stdout: String,
}

fn run_junit(
    jars: &Jars,
    libs: &[PathBuf],
    classes: &Path,
    reports: &Path,
    lib_dir: &Path,
) -> Result<JunitRun> {
    let mut cp = vec![classes.to_path_buf()];
    cp.extend(libs.iter().cloned());

    let mut cmd = Command::new("java");
    cmd.arg(format!("-Djna.library.path={}", lib_dir.display()))
        .arg("-jar")
        .arg(&jars.junit_console)
        .arg("execute")
        .arg("--disable-banner")
        .arg("--fail-if-no-tests")
        .arg("--class-path")
        .arg(join_classpath(&cp)?)
        // An explicit root: a bare --scan-class-path would also scan every jar.
        .arg(format!("--scan-class-path={}", classes.display()))
        // The default filter only runs classes named Test*/*Test/*Tests and
        // silently skips the rest; Jupiter itself still picks only @Test classes.
        .arg("--include-classname=.*")
        .arg(format!("--reports-dir={}", reports.display()));
    if !std::io::stdout().is_terminal() {
        cmd.arg("--disable-ansi-colors");
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());

    let mut child = cmd
        .spawn()
        .context("could not start `java` for the JUnit console launcher (is a JDK on PATH?)")?;
    let stdout = tee_stdout(child.stdout.take());
    let status = child
        .wait()
        .context("waiting for the JUnit console launcher")?;
    Ok(JunitRun {
        status,
        stdout: stdout?,
    })
}

/// Echoes the child's output to our stdout as it arrives and keeps a copy.
fn tee_stdout(pipe: Option<std::process::ChildStdout>) -> Result<String> {
    let pipe = pipe.ok_or_else(|| anyhow!("JUnit console stdout was not captured"))?;
    let mut reader = BufReader::new(pipe);
    let mut copy = String::new();
    let mut line = Vec::new();
    let out = std::io::stdout();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .context("reading JUnit console output")?;
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let mut lock = out.lock();
        let _ = lock.write_all(text.as_bytes());
        let _ = lock.flush();
        copy.push_str(&text);
    }
    Ok(copy)
}

/// The XML reports are authoritative per test (tests under a failed class
/// setup are reported there as errors); the console summary is the fallback
/// when no report was written, and catches a failed container that took no
/// test down with it.
fn counts_from_junit(run: &JunitRun, reports: &Path) -> Result<Counts> {
    let summary = parse_summary(&run.stdout);
    if summary.as_ref().is_some_and(|s| s.found == 0) {
        bail!("JUnit found no tests (are the test methods annotated with org.junit.jupiter.api.Test?)");
    }
    let mut counts = match (parse_reports(reports)?, &summary) {
        (Some(counts), _) => counts,
        (None, Some(s)) => Counts {
            passed: s.successful,
            failed: s.failed,
            failures: (s.failed > 0)
                .then(|| {
                    format!(
                        "{} Kotlin test(s) failed; see the JUnit output above",
                        s.failed
                    )
                })
                .into_iter()
                .collect(),
        },
        (None, None) => bail!(
            "JUnit console ({}) wrote neither an XML report in {} nor a summary",
            run.status,
            reports.display()
        ),
    };
    if let Some(s) = &summary {
        if s.containers_failed > 0 && counts.failed == 0 {
            counts.failed += s.containers_failed;
            counts.failures.push(format!(
                "{} test container(s) failed (class setup, @BeforeAll or class init); see the JUnit output above",
                s.containers_failed
            ));
        }
    }
    if !run.status.success() && counts.failed == 0 {
        counts.failed += 1;
        counts.failures.push(format!(
            "JUnit console exited with {} although no test failed",
            run.status
        ));
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------
// JUnit console summary
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Summary {
    found: usize,
    successful: usize,
    failed: usize,
    containers_failed: usize,
}

/// Reads the closing box, lines like `[         1 tests failed          ]`.
fn parse_summary(stdout: &str) -> Option<Summary> {
    let mut summary = Summary::default();
    let mut seen = false;
    for raw in stdout.lines() {
        let line = strip_ansi(raw);
        let Some(inner) = line
            .trim()
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
        else {
            continue;
        };
        let mut words = inner.split_whitespace();
        let Some(n) = words.next().and_then(|w| w.parse::<usize>().ok()) else {
            continue;
        };
        let slot = match words.collect::<Vec<_>>().join(" ").as_str() {
            "tests found" => &mut summary.found,
            "tests successful" => &mut summary.successful,
            "tests failed" => &mut summary.failed,
            "containers failed" => &mut summary.containers_failed,
            _ => continue,
        };
        *slot = n;
        seen = true;
    }
    seen.then_some(summary)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip a CSI sequence: ESC [ params final-byte.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// JUnit legacy XML reports (TEST-*.xml)
// ---------------------------------------------------------------------------

/// None when the directory holds no report at all.
fn parse_reports(dir: &Path) -> Result<Option<Counts>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        collect_files(dir, "xml", &mut files)?;
    }
    files.retain(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("TEST-"))
    });
    if files.is_empty() {
        return Ok(None);
    }
    let mut counts = Counts {
        passed: 0,
        failed: 0,
        failures: Vec::new(),
    };
    for file in files {
        let xml = fs::read_to_string(&file)
            .with_context(|| format!("reading JUnit report {}", file.display()))?;
        for case in parse_testcases(&xml) {
            match case.outcome {
                Outcome::Passed => counts.passed += 1,
                Outcome::Skipped => {}
                Outcome::Failed(message) => {
                    counts.failed += 1;
                    counts
                        .failures
                        .push(format!("{}.{}: {}", case.class, case.name, message));
                }
            }
        }
    }
    Ok(Some(counts))
}

enum Outcome {
    Passed,
    Skipped,
    Failed(String),
}

struct TestCase {
    class: String,
    name: String,
    outcome: Outcome,
}

/// A minimal tag scanner, enough for the flat reports JUnit writes:
/// `<testcase>` elements holding an optional `<failure>`, `<error>` or
/// `<skipped>`. CDATA (captured test output) and comments are skipped.
fn parse_testcases(xml: &str) -> Vec<TestCase> {
    let mut cases = Vec::new();
    let mut current: Option<TestCase> = None;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        if let Some(after) =
            skip_block(rest, "<![CDATA[", "]]>").or_else(|| skip_block(rest, "<!--", "-->"))
        {
            rest = after;
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        handle_tag(tag, &mut current, &mut cases);
    }
    cases
}

fn skip_block<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let body = s.strip_prefix(open)?;
    Some(body.find(close).map_or("", |i| &body[i + close.len()..]))
}

fn handle_tag(tag: &str, current: &mut Option<TestCase>, cases: &mut Vec<TestCase>) {
    let self_closing = tag.ends_with('/');
    let tag = tag.trim_end_matches('/');
    let name = tag.split_whitespace().next().unwrap_or("");
    match name {
        "testcase" => {
            let case = TestCase {
                class: xml_attr(tag, "classname").unwrap_or_default(),
                name: xml_attr(tag, "name").unwrap_or_default(),
                outcome: Outcome::Passed,
            };
            if self_closing {
                cases.push(case);
            } else {
                *current = Some(case);
            }
        }
        "/testcase" => cases.extend(current.take()),
        "failure" | "error" => {
            if let Some(case) = current.as_mut() {
                let message = xml_attr(tag, "message")
                    .or_else(|| xml_attr(tag, "type"))
                    .unwrap_or_default();
                case.outcome = Outcome::Failed(short_message(&message));
            }
        }
        "skipped" => {
            if let Some(case) = current.as_mut() {
                if matches!(case.outcome, Outcome::Passed) {
                    case.outcome = Outcome::Skipped;
                }
            }
        }
        _ => {}
    }
}

fn xml_attr(tag: &str, attr: &str) -> Option<String> {
    let needle = format!(" {attr}=");
    let at = tag.find(&needle)? + needle.len();
    let quote = tag[at..].chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &tag[at + 1..];
    let end = value.find(quote)?;
    Some(xml_unescape(&value[..end]))
}

fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest
            .find(';')
            .and_then(|semi| decode_entity(&rest[1..semi]).map(|c| (c, semi)));
        if let Some((c, semi)) = decoded {
            out.push(c);
            rest = &rest[semi + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(entity: &str) -> Option<char> {
    match entity {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = entity.strip_prefix('#')?;
            let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// One line per failure keeps the final report readable (the full message
/// and stack trace are in the JUnit output above it), but multi-line messages
/// are joined rather than cut: JNA's load errors put the reason on line two.
fn short_message(message: &str) -> String {
    const MAX: usize = 300;
    let joined = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        return "(no message)".to_owned();
    }
    let mut line: String = joined.chars().take(MAX).collect();
    if joined.chars().count() > MAX {
        line.push_str(" …");
    }
    line
}

// ---------------------------------------------------------------------------
// Swift syntax checking with tree-sitter
// ---------------------------------------------------------------------------

pub struct SwiftChecker {
    pub python: PathBuf,
    pub script: PathBuf,
}

/// Parses every file named on the command line in one process and prints one
/// JSON object: {"files": [{"path", "ok", "line", "col", "kind", "error"}]}.
/// `--self-test` proves the two PyPI packages load and work together.
const SWIFT_CHECK_PY: &str = r##"import json
import re
import sys

import tree_sitter
import tree_sitter_swift

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))

# tree-sitter-swift treats #if/#endif as loose tokens, not structure, and
# reports an ERROR for an #if clause holding only an attribute, which is valid
# Swift (SE-0367) and which UniFFI emits everywhere:
#     #if swift(>=5.8)
#     @_documentation(visibility: private)
#     #endif
#     public func ...
# So whole directive lines are blanked to spaces before parsing: every branch
# is still syntax-checked, and byte offsets (so line:col) stay exact.
DIRECTIVE_LINE = re.compile(rb"^[ \t]*#(?:if|elseif|else|endif)\b[^\n]*", re.M)


def blank_directives(source):
    return DIRECTIVE_LINE.sub(lambda m: b" " * len(m.group(0)), source)


def first_problem(root):
    """First ERROR or MISSING node in document order, or None."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        if node.has_error:  # only descend where an error is known to be
            stack.extend(reversed(node.children))
    return root if root.has_error else None


def check_source(source):
    bad = first_problem(PARSER.parse(blank_directives(source)).root_node)
    if bad is None:
        return {"ok": True}
    row, col = bad.start_point
    kind = "MISSING" if bad.is_missing else "ERROR"
    return {"ok": False, "line": row + 1, "col": col + 1, "kind": kind}


def check_file(path):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        return {"path": path, "ok": False, "error": str(e)}
    return dict(check_source(source), path=path)


def self_test():
    good = check_source(
        b"struct P { let x: Int }\n"
        b"#if swift(>=5.8)\n@_documentation(visibility: private)\n#endif\n"
        b"func f() async throws -> Int { try await g() }\n"
    )
    bad = check_source(b"func f( {\n")
    if not good["ok"] or bad["ok"]:
        sys.exit("tree-sitter-swift self-test failed: good=%r bad=%r" % (good, bad))
    print("ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        json.dump({"files": [check_file(p) for p in sys.argv[1:]]}, sys.stdout)
"##;

pub fn ensure_swift_checker(root: &Path) -> Result<SwiftChecker> {
    let tools = tools_dir(root)?;
    let venv = tools.join("venv");
    let script = tools.join("swift_syntax_check.py");
    write_if_changed(&script, SWIFT_CHECK_PY)?;

    let want = format!(
        "tree-sitter=={TREE_SITTER_VERSION} tree-sitter-swift=={TREE_SITTER_SWIFT_VERSION}"
    );
    let checker = SwiftChecker {
        python: venv_python(&venv),
        script,
    };
    if !marker_matches(&venv, &want) {
        eprintln!("xtask: installing {want} (pip) into {}", venv.display());
        install_swift_checker(&venv, &checker, &want).with_context(|| {
            format!(
                "failed to install the Swift syntax checker ({want}) into {}",
                venv.display()
            )
        })?;
    }
    Ok(checker)
}

/// A venv cannot be moved after creation, so it is built in place and the
/// marker is written last; a leftover without a marker is wiped and rebuilt.
fn install_swift_checker(venv: &Path, checker: &SwiftChecker, want: &str) -> Result<()> {
    remove_path(venv)?;
    run_captured(
        Command::new("python3").args(["-m", "venv"]).arg(venv),
        "python3 -m venv (is python3 with the venv module installed?)",
    )?;
    let mut pip = Command::new(&checker.python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .arg(format!("tree-sitter=={TREE_SITTER_VERSION}"))
    .arg(format!("tree-sitter-swift=={TREE_SITTER_SWIFT_VERSION}"));
    run_captured(&mut pip, "pip install tree-sitter tree-sitter-swift")?;
    run_captured(
        Command::new(&checker.python)
            .arg(&checker.script)
            .arg("--self-test"),
        "Swift checker self-test",
    )?;
    fs::write(venv.join(MARKER), want).context("writing install marker")
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

pub fn check_swift(checker: &SwiftChecker, files: &[PathBuf]) -> Result<Counts> {
    let mut counts = Counts {
        passed: 0,
        failed: 0,
        failures: Vec::new(),
    };
    if files.is_empty() {
        return Ok(counts);
    }
    let out = run_captured(
        Command::new(&checker.python)
            .arg(&checker.script)
            .args(files),
        "Swift syntax checker",
    )?;
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("Swift syntax checker printed invalid JSON")?;
    let results = report["files"]
        .as_array()
        .ok_or_else(|| anyhow!("Swift syntax checker output lacks `files`"))?;
    for result in results {
        match swift_failure(result) {
            None => counts.passed += 1,
            Some(line) => {
                counts.failed += 1;
                counts.failures.push(line);
            }
        }
    }
    Ok(counts)
}

/// None for a clean file, else the `path:line:col: syntax error` line.
fn swift_failure(result: &serde_json::Value) -> Option<String> {
    if result["ok"].as_bool() == Some(true) {
        return None;
    }
    let path = result["path"].as_str().unwrap_or("?");
    if let Some(error) = result["error"].as_str() {
        return Some(format!("{path}: cannot read: {error}"));
    }
    let line = result["line"].as_u64().unwrap_or(0);
    let col = result["col"].as_u64().unwrap_or(0);
    Some(format!("{path}:{line}:{col}: syntax error"))
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

fn tools_dir(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target").join("tools");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn marker_matches(dir: &Path, want: &str) -> bool {
    fs::read_to_string(dir.join(MARKER)).is_ok_and(|got| got == want)
}

/// A per-process name next to `path`, so concurrent runs do not collide and
/// a crashed run's leftovers are never mistaken for the real thing.
fn temp_sibling(path: &Path) -> PathBuf {
    let mut name: OsString = path.file_name().map(OsString::from).unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Removes temp siblings of `path` left by runs that were killed. Only on
/// Linux, where /proc tells whether the owning process is still alive; a
/// leftover elsewhere just costs disk space.
fn remove_stale_temps(path: &Path) {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
    else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!("{name}.tmp-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists());
        if !alive {
            let _ = remove_path(&entry.path());
        }
    }
}

/// Swaps a completed install directory in. If another run got there first
/// with the same version, its copy is kept and ours is discarded.
fn move_into_place(tmp: &Path, dir: &Path, want: &str) -> Result<()> {
    remove_path(dir)?;
    if let Err(e) = fs::rename(tmp, dir) {
        if marker_matches(dir, want) {
            return remove_path(tmp);
        }
        return Err(e).with_context(|| format!("moving {} to {}", tmp.display(), dir.display()));
    }
    Ok(())
}

fn remove_path(path: &Path) -> Result<()> {
    let result = match fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    };
    result.with_context(|| format!("removing {}", path.display()))
}

fn write_if_changed(path: &Path, contents: &str) -> Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// Files under `dir` (recursively) with the given extension.
fn collect_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, ext, out)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

fn join_classpath(entries: &[PathBuf]) -> Result<OsString> {
    std::env::join_paths(entries).context("a classpath entry contains the path separator")
}

/// Runs to completion with output captured; on failure the error names
/// `what` and carries the tool's own output.
fn run_captured(cmd: &mut Command, what: &str) -> Result<Output> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| {
        format!(
            "{what}: could not start `{}`",
            cmd.get_program().to_string_lossy()
        )
    })?;
    if !out.status.success() {
        bail!("{what} failed ({}):\n{}", out.status, combined_output(&out));
    }
    Ok(out)
}

fn combined_output(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="JUnit Jupiter" tests="4" skipped="1" failures="1" errors="1">
<properties><property name="x" value="&lt;testcase name=&quot;fake&quot;&gt;"/></properties>
<testcase name="passes()" classname="demo.CalcTest" time="0.1">
<system-out><![CDATA[printed <testcase name="inside cdata"/> text]]></system-out>
</testcase>
<testcase name="fails()" classname="demo.CalcTest" time="0.0">
<failure message="a &lt;b&gt; &amp; &quot;c&quot;&#10;second line" type="AssertionFailedError"><![CDATA[trace]]></failure>
</testcase>
<testcase name="c()" classname="Init" time="0"><error type="java.lang.UnsatisfiedLinkError"/></testcase>
<testcase name="skipped()" classname="demo.CalcTest" time="0"><skipped/></testcase>
</testsuite>
"#;

    #[test]
    fn testcases_from_report() {
        let cases = parse_testcases(REPORT);
        let summary: Vec<(&str, &str)> = cases
            .iter()
            .map(|c| {
                let outcome = match &c.outcome {
                    Outcome::Passed => "pass",
                    Outcome::Skipped => "skip",
                    Outcome::Failed(m) => m.as_str(),
                };
                (c.name.as_str(), outcome)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("passes()", "pass"),
                ("fails()", "a <b> & \"c\" second line"),
                ("c()", "java.lang.UnsatisfiedLinkError"),
                ("skipped()", "skip"),
            ]
        );
    }

    #[test]
    fn summary_box() {
        let out = "\u{1b}[32m[         3 tests found           ]\u{1b}[0m\n\
                   [         1 containers failed     ]\n\
                   [         2 tests successful      ]\n\
                   [         1 tests failed          ]\n";
        let s = parse_summary(out).expect("summary");
        assert_eq!(
            (s.found, s.successful, s.failed, s.containers_failed),
            (3, 2, 1, 1)
        );
        assert!(parse_summary("no box here\n[ not a count ]\n").is_none());
    }

    #[test]
    fn entities_and_messages() {
        assert_eq!(xml_unescape("&#x41;&#66;&bogus; & &lt;"), "AB&bogus; & <");
        assert_eq!(short_message(""), "(no message)");
        assert!(short_message(&"x".repeat(400)).ends_with(" …"));
    }
}
