//! Running the JUnit 5 console launcher and reading its results: the legacy
//! XML reports (`TEST-*.xml`) per test, the console summary box as fallback.

use super::jars::Jars;
use super::{collect_files, join_classpath, remove_path, Counts};
use anyhow::{anyhow, bail, Context, Result};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// Runs every test class under `classes` and counts the outcome.
pub(super) fn run_tests(
    jars: &Jars,
    libs: &[PathBuf],
    classes: &Path,
    reports: &Path,
    lib_dir: &Path,
    jvm_args: &[String],
    exclude: Option<&str>,
) -> Result<Counts> {
    // Stale reports from an earlier run must not be mistaken for this run's.
    remove_path(reports)?;
    let run = run_junit(jars, libs, classes, reports, lib_dir, jvm_args, exclude)?;
    counts_from_junit(&run, reports)
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
    jvm_args: &[String],
    exclude: Option<&str>,
) -> Result<JunitRun> {
    let mut cp = vec![classes.to_path_buf()];
    cp.extend(libs.iter().cloned());

    let mut cmd = Command::new("java");
    cmd.args(jvm_args)
        .arg(format!("-Djna.library.path={}", lib_dir.display()))
        // Where the tests find the project's own binaries (televisit-admin plays IT).
        .arg(format!("-Dtelevisit.bin={}", lib_dir.display()))
        .arg("-jar")
        .arg(&jars.junit_console)
        .arg("execute")
        .arg("--disable-banner")
        // Plain text, so the summary box below can be read as it is.
        .arg("--disable-ansi-colors")
        .arg("--fail-if-no-tests")
        .arg("--class-path")
        .arg(join_classpath(&cp)?)
        // An explicit root: a bare --scan-class-path would also scan every jar.
        .arg(format!("--scan-class-path={}", classes.display()))
        // The default filter only runs classes named Test*/*Test/*Tests and
        // silently skips the rest; Jupiter itself still picks only @Test classes.
        .arg(format!("--include-classname={}", class_filter()))
        // Classes that do not run here at all (not run and counted as empty passes).
        .args(exclude.map(|pattern| format!("--exclude-classname={pattern}")))
        .arg(format!("--reports-dir={}", reports.display()));
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());

    let mut child = cmd.spawn().context("could not start `java` for the JUnit console launcher (is a JDK on PATH?)")?;
    let stdout = tee_stdout(child.stdout.take());
    let status = child.wait().context("waiting for the JUnit console launcher")?;
    Ok(JunitRun { status, stdout: stdout? })
}

/// The test classes to run: all, or (while working on a few) those whose name matches
/// `XTASK_TEST_CLASSES`, a regular expression over the fully qualified name.
fn class_filter() -> String {
    match std::env::var("XTASK_TEST_CLASSES") {
        Ok(only) if !only.trim().is_empty() => {
            eprintln!("xtask: only the test classes matching XTASK_TEST_CLASSES={only} (unset it for the whole run)");
            only
        }
        _ => ".*".to_owned(),
    }
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
        let n = reader.read_until(b'\n', &mut line).context("reading JUnit console output")?;
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
                .then(|| format!("{} Kotlin test(s) failed; see the JUnit output above", s.failed))
                .into_iter()
                .collect(),
            // No report: no names either, so a citation of one of these tests fails the run.
            passed_names: Vec::new(),
        },
        (None, None) => {
            bail!("JUnit console ({}) wrote neither an XML report in {} nor a summary", run.status, reports.display())
        }
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
        counts.failures.push(format!("JUnit console exited with {} although no test failed", run.status));
    }
    Ok(counts)
}

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
    for line in stdout.lines() {
        let Some(inner) = line.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
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

/// None when the directory holds no report at all.
fn parse_reports(dir: &Path) -> Result<Option<Counts>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        collect_files(dir, "xml", &mut files)?;
    }
    files.retain(|f| f.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("TEST-")));
    if files.is_empty() {
        return Ok(None);
    }
    let mut counts = Counts::zero();
    for file in files {
        let cases = fs::read_to_string(&file)
            .map_err(anyhow::Error::from)
            .and_then(|xml| parse_testcases(&xml))
            .with_context(|| format!("reading JUnit report {}", file.display()))?;
        for case in cases {
            match case.outcome {
                Outcome::Passed => {
                    counts.passed += 1;
                    // JUnit Jupiter names a method with its parameter list, `name()`.
                    counts.passed_names.push(case.name.strip_suffix("()").unwrap_or(&case.name).to_owned());
                }
                Outcome::Skipped => {}
                Outcome::Failed(message) => {
                    counts.failed += 1;
                    counts.failures.push(format!("{}.{}: {}", case.class, case.name, message));
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

/// `<testcase>` elements holding an optional `<failure>`, `<error>` or
/// `<skipped>`; everything else (properties, captured output) is ignored.
fn parse_testcases(xml: &str) -> Result<Vec<TestCase>> {
    let mut reader = Reader::from_str(xml);
    // `<skipped/>` then arrives as Start + End, like `<skipped></skipped>`.
    reader.config_mut().expand_empty_elements = true;
    let mut version = XmlVersion::Implicit1_0;
    let mut cases = Vec::new();
    let mut current: Option<TestCase> = None;
    loop {
        let event =
            reader.read_event().with_context(|| format!("malformed XML at byte {}", reader.error_position()))?;
        match event {
            Event::Decl(decl) => version = decl.xml_version()?,
            Event::Start(tag) => match tag.name().as_ref() {
                "testcase" => {
                    current = Some(TestCase {
                        class: attribute(&tag, "classname", version)?.unwrap_or_default(),
                        name: attribute(&tag, "name", version)?.unwrap_or_default(),
                        outcome: Outcome::Passed,
                    });
                }
                "failure" | "error" => {
                    if let Some(case) = current.as_mut() {
                        let message = match attribute(&tag, "message", version)? {
                            Some(message) => message,
                            None => attribute(&tag, "type", version)?.unwrap_or_default(),
                        };
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
            },
            Event::End(tag) if tag.name().as_ref() == "testcase" => cases.extend(current.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(cases)
}

/// The attribute's value with entities and character references resolved.
fn attribute(tag: &BytesStart, name: &str, version: XmlVersion) -> Result<Option<String>> {
    let Some(attr) = tag.try_get_attribute(name)? else {
        return Ok(None);
    };
    let value =
        attr.normalized_value(version).with_context(|| format!("attribute `{name}` of <{}>", tag.name().as_ref()))?;
    Ok(Some(value.into_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="JUnit Jupiter" tests="4" skipped="1" failures="1" errors="1">
<properties><property name="x" value="&lt;testcase name=&quot;fake&quot;&gt;"/></properties>
<!-- <testcase name="inside comment"/> -->
<testcase name="passes()" classname="demo.CalcTest" time="0.1">
<system-out><![CDATA[printed <testcase name="inside cdata"/> text]]></system-out>
</testcase>
<testcase name="fails()" classname="demo.CalcTest" time="0.0">
<failure message="a &lt;b&gt; &amp; &quot;c&quot;&#10;second line &#x41;&#66;" type="AssertionFailedError"><![CDATA[trace]]></failure>
</testcase>
<testcase name="c()" classname="Init" time="0"><error type="java.lang.UnsatisfiedLinkError"/></testcase>
<testcase name="skipped()" classname="demo.CalcTest" time="0"><skipped/></testcase>
<testcase name="empty()" classname="demo.CalcTest" time="0"/>
</testsuite>
"#;

    #[test]
    fn testcases_from_report() {
        let cases = parse_testcases(REPORT).expect("well-formed report");
        let summary: Vec<(&str, &str, &str)> = cases
            .iter()
            .map(|c| {
                let outcome = match &c.outcome {
                    Outcome::Passed => "pass",
                    Outcome::Skipped => "skip",
                    Outcome::Failed(m) => m.as_str(),
                };
                (c.class.as_str(), c.name.as_str(), outcome)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("demo.CalcTest", "passes()", "pass"),
                ("demo.CalcTest", "fails()", "a <b> & \"c\" second line AB"),
                ("Init", "c()", "java.lang.UnsatisfiedLinkError"),
                ("demo.CalcTest", "skipped()", "skip"),
                ("demo.CalcTest", "empty()", "pass"),
            ]
        );
    }

    #[test]
    fn malformed_report_is_an_error() {
        assert!(parse_testcases(r#"<testcase name="&bogus;"/>"#).is_err());
        assert!(parse_testcases("<testsuite><testcase></testsuite>").is_err());
    }

    #[test]
    fn summary_box() {
        let out = "[         3 tests found           ]\n\
                   [         1 containers failed     ]\n\
                   [         2 tests successful      ]\n\
                   [         1 tests failed          ]\n";
        let s = parse_summary(out).expect("summary");
        assert_eq!((s.found, s.successful, s.failed, s.containers_failed), (3, 2, 1, 1));
        assert!(parse_summary("no box here\n[ not a count ]\n").is_none());
    }

    #[test]
    fn messages() {
        assert_eq!(short_message(""), "(no message)");
        assert!(short_message(&"x".repeat(400)).ends_with(" …"));
    }
}
