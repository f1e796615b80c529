//! The evidence pages kept true: the tests `docs/privacy.md` and `docs/threat-model.md` cite
//! exist and passed in this very run, every row of a safeguard table has a test or names who
//! outside Televisit owns it, and every relative link in `README.md` and `docs/` resolves. A
//! reviewer signs off on these pages; a test renamed or removed fails the run with the row's name.
//!
//! A citation is a code span `` `FILE::NAME` ``: a Rust `fn`, a Kotlin backticked `fun`, a
//! Swift `func`, declared in FILE (relative to the repository).

use crate::tools::Counts;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The pages whose citations are checked.
pub const PAGES: &[&str] = &["docs/privacy.md", "docs/threat-model.md"];
/// What a row without a test must say instead.
pub const OUTSIDE: &str = "Outside Televisit:";

/// The names each part of this run reported passed, by part (`rust`, `kotlin`, ...).
pub type Ran = BTreeMap<String, Vec<String>>;

/// One test a page cites, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub file: String,
    pub name: String,
    /// The row's first cell, or the heading above the citation.
    pub context: String,
}

/// Checks the pages and links. Counts: one per citation and per link checked; each problem is a
/// failure naming the page and the row.
pub fn check(root: &Path, ran: &Ran) -> Result<Counts> {
    let mut counts = Counts::zero();
    for page in PAGES {
        let Ok(text) = fs::read_to_string(root.join(page)) else {
            counts.failures.push(format!("{page} is missing: the reviewer's evidence is kept there"));
            continue;
        };
        let (citations, rows_without) = read_page(&text);
        for context in rows_without {
            counts.failures.push(format!("{page}, row \"{context}\": no test cited and no \"{OUTSIDE}\" owner"));
        }
        if *page == PAGES[0] && !has_safeguard_table(&text) {
            counts.failures.push(format!("{page}: no table whose first column is \"Safeguard\""));
        }
        for citation in citations {
            match problem(root, &citation, ran) {
                None => counts.passed += 1,
                Some(why) => counts
                    .failures
                    .push(format!("{page}, row \"{}\": {}::{} {why}", citation.context, citation.file, citation.name)),
            }
        }
    }
    let (checked, broken) = checked_links(root)?;
    for (file, target) in &broken {
        counts.failures.push(format!("{file}: the link {target} does not resolve"));
    }
    counts.passed += checked - broken.len();
    counts.failed = counts.failures.len();
    Ok(counts)
}

/// Why a citation does not hold, if it does not.
fn problem(root: &Path, c: &Citation, ran: &Ran) -> Option<String> {
    let Ok(source) = fs::read_to_string(root.join(&c.file)) else {
        return Some("cites a file that does not exist".into());
    };
    let declared = match c.file.rsplit('.').next() {
        Some("rs") => source.contains(&format!("fn {}(", c.name)),
        Some("kt") => source.contains(&format!("fun `{}`(", c.name)),
        Some("swift") => source.contains(&format!("func {}(", c.name)),
        _ => false,
    };
    if !declared {
        return Some(format!("is not a test in {} (renamed or removed?)", c.file));
    }
    let part = part_of(&c.file);
    let Some(names) = part.iter().find_map(|p| ran.get(*p)) else {
        // That part did not run (`cargo xtask test PART`): only the declaration is checked.
        return None;
    };
    let ran_here = part.iter().filter_map(|p| ran.get(*p)).flatten().any(|n| same_test(n, &c.name));
    (!ran_here).then(|| format!("did not pass in this run ({} names reported by {})", names.len(), part.join(", ")))
}

/// The parts of `cargo xtask test` a test file runs in.
fn part_of(file: &str) -> Vec<&'static str> {
    if file.ends_with(".rs") {
        vec!["rust", "browser"]
    } else if file.ends_with(".swift") {
        vec!["swift"]
    } else if file.starts_with("android/") {
        vec!["android"]
    } else {
        vec!["kotlin"]
    }
}

/// A runner's name for a test against the declared name: `module::name` (Rust), `name` (JUnit),
/// `Class.name` (XCTest).
fn same_test(reported: &str, name: &str) -> bool {
    reported == name || reported.strip_suffix(name).is_some_and(|head| head.ends_with("::") || head.ends_with('.'))
}

/// The citations in a page, each with its context; and the safeguard rows with neither a
/// citation nor an owner outside Televisit.
pub fn read_page(text: &str) -> (Vec<Citation>, Vec<String>) {
    let mut citations = Vec::new();
    let mut bare_rows = Vec::new();
    let mut heading = String::new();
    let mut in_safeguards = false;
    for line in without_fences(text) {
        let trimmed = line.trim();
        if let Some(h) = trimmed.strip_prefix('#') {
            heading = h.trim_start_matches('#').trim().to_owned();
            in_safeguards = false;
            continue;
        }
        let is_row = trimmed.starts_with('|');
        if !is_row {
            in_safeguards = false;
        }
        let cells: Vec<&str> =
            if is_row { trimmed.trim_matches('|').split('|').map(str::trim).collect() } else { Vec::new() };
        if is_row && cells.first().is_some_and(|c| plain(c) == "Safeguard") {
            in_safeguards = true;
            continue;
        }
        let separator = is_row && cells.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
        let context =
            if is_row && !separator { plain(cells.first().copied().unwrap_or_default()) } else { heading.clone() };
        let found: Vec<Citation> = code_spans(line)
            .into_iter()
            .filter_map(|span| cited(&span))
            .map(|(file, name)| Citation { file, name, context: context.clone() })
            .collect();
        if in_safeguards && is_row && !separator && found.is_empty() && !line.contains(OUTSIDE) {
            bare_rows.push(context.clone());
        }
        citations.extend(found);
    }
    (citations, bare_rows)
}

fn has_safeguard_table(text: &str) -> bool {
    without_fences(text).any(|l| {
        l.trim().starts_with('|') && plain(l.trim().trim_matches('|').split('|').next().unwrap_or("")) == "Safeguard"
    })
}

/// `FILE::NAME` when a code span is a citation.
fn cited(span: &str) -> Option<(String, String)> {
    let (file, name) = span.split_once("::")?;
    let is_path = file.chars().all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c));
    let is_test_file = [".rs", ".kt", ".swift"].iter().any(|ext| file.ends_with(ext));
    (is_path && is_test_file && !name.trim().is_empty()).then(|| (file.to_owned(), name.trim().to_owned()))
}

/// A cell's text without emphasis marks.
fn plain(cell: &str) -> String {
    cell.replace("**", "").replace('*', "").trim().to_owned()
}

/// The page's lines outside fenced code blocks.
fn without_fences(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The contents of a line's code spans (single backticks, or doubled around a backtick).
fn code_spans(line: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(ticks);
        let after = &rest[start + ticks..];
        let Some(end) = after.find(&fence) else { break };
        spans.push(after[..end].trim().to_owned());
        rest = &after[end + ticks..];
    }
    spans
}

/// A line with its code spans taken out (a link shown as code is not a link).
fn without_code(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        match after.find(&"`".repeat(ticks)) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every Markdown file links are checked in: README.md and everything under docs/.
fn markdown_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = vec![root.join("README.md")];
    crate::tools::collect_files(&root.join("docs"), "md", &mut files)?;
    files.sort();
    Ok(files)
}

/// The relative link targets of a page (`[text](target)`, images too), outside code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in without_fences(text) {
        let line = without_code(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("").trim_matches(|c| c == '<' || c == '>');
            let external = ["http://", "https://", "mailto:"].iter().any(|p| target.starts_with(p));
            if !target.is_empty() && !external {
                found.push(target.to_owned());
            }
            rest = &after[end..];
        }
    }
    found
}

/// The SVG figures the pages show (`![...](figure.svg)`), each by its path.
pub fn figures(root: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for file in markdown_files(root)? {
        for target in links(&fs::read_to_string(&file)?) {
            let path = file.parent().unwrap_or(root).join(target.split('#').next().unwrap_or(""));
            if path.extension().is_some_and(|e| e == "svg") && path.exists() && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// Whether Chromium draws a figure: loaded as an image in a page, it must report its size (an SVG
/// that does not parse, or draws nothing, fails to load or measures 0 by 0).
pub fn renders(chromium: &Path, figure: &Path, work: &Path) -> Result<bool> {
    fs::create_dir_all(work)?;
    let page = work.join("figure.html");
    let src = format!("file://{}", figure.canonicalize()?.display());
    fs::write(
        &page,
        format!(
            "<!doctype html><body><img id=f src=\"{src}\" \
             onload=\"document.body.dataset.drawn = this.naturalWidth > 0 && this.naturalHeight > 0 ? 'yes' : 'empty'\" \
             onerror=\"document.body.dataset.drawn = 'error'\"></body>"
        ),
    )?;
    let out = std::process::Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--allow-file-access-from-files"])
        .arg(format!("--user-data-dir={}", work.join("profile").display()))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", page.canonicalize()?.display()))
        .output()
        .context("starting Chromium")?;
    Ok(String::from_utf8_lossy(&out.stdout).contains("data-drawn=\"yes\""))
}

/// How many links the pages hold, and those whose file, or heading in it, does not exist:
/// every page read once.
fn checked_links(root: &Path) -> Result<(usize, Vec<(String, String)>)> {
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in markdown_files(root)? {
        let text = fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        for target in links(&text) {
            checked += 1;
            let (path, anchor) = target.split_once('#').map_or((target.as_str(), None), |(p, a)| (p, Some(a)));
            let resolved = if path.is_empty() { file.clone() } else { file.parent().unwrap_or(root).join(path) };
            let holds = resolved.exists()
                && anchor.is_none_or(|a| {
                    resolved.extension().is_none_or(|e| e != "md")
                        || fs::read_to_string(&resolved).is_ok_and(|t| heading_slugs(&t).iter().any(|s| s == a))
                });
            if !holds {
                broken.push((shown.clone(), target.clone()));
            }
        }
    }
    Ok((checked, broken))
}

/// The anchors GitHub gives a page's headings: lower case, spaces to hyphens, punctuation other
/// than `-` and `_` dropped; a repeated heading gets `-1`, `-2`...
fn heading_slugs(text: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut slugs = Vec::new();
    for line in without_fences(text) {
        let Some(h) = line.strip_prefix('#') else { continue };
        let title = h.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = seen.entry(slug.clone()).or_insert(0);
        slugs.push(if *repeats == 0 { slug } else { format!("{slug}-{repeats}") });
        *repeats += 1;
    }
    slugs
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Privacy\n\n\
        | Safeguard | What | Tests | Outside |\n| --- | --- | --- | --- |\n\
        | **Audit controls** | the log | `core/tests/log.rs::the_log_is_chained` | - |\n\
        | Backups | none | - | Outside Televisit: the MDM |\n\
        | Consent | asked | - | - |\n\n\
        ## A lost phone\n\n- `tests/kotlin/org/x/WipeTest.kt::a lost phone wipes, with no screen`\n";

    #[test]
    fn citations_carry_their_row_and_a_row_needs_a_test_or_an_owner() {
        let (citations, bare) = read_page(PAGE);
        assert_eq!(citations[0].context, "Audit controls");
        assert_eq!(citations[0].name, "the_log_is_chained");
        assert_eq!(citations[1].context, "A lost phone");
        assert_eq!(citations[1].name, "a lost phone wipes, with no screen");
        assert_eq!(bare, ["Consent"]);
        assert!(cited("core/src/lib.rs").is_none() && cited("it::relay").is_none());
    }

    fn repo(test_source: &str) -> tempfile_lite::Dir {
        let dir = tempfile_lite::Dir::new();
        dir.write("docs/privacy.md", PAGE);
        dir.write("docs/threat-model.md", "# Threats\n\nSee [the page](privacy.md#privacy) and [decisions](adr/).\n");
        dir.write("docs/adr/0001.md", "# One\n");
        dir.write("README.md", "# T\n\n[privacy](docs/privacy.md) `[not a link](nowhere.md)`\n");
        dir.write("core/tests/log.rs", test_source);
        dir.write("tests/kotlin/org/x/WipeTest.kt", "@Test fun `a lost phone wipes, with no screen`() {}");
        dir
    }

    fn ran() -> Ran {
        Ran::from([
            ("rust".to_owned(), vec!["the_log_is_chained".to_owned()]),
            ("kotlin".to_owned(), vec!["a lost phone wipes, with no screen".to_owned()]),
        ])
    }

    #[test]
    fn a_renamed_test_fails_with_its_row_and_a_test_that_did_not_run_too() {
        let dir = repo("#[test]\nfn the_log_is_chained() {}\n");
        let counts = check(&dir.path, &ran()).unwrap();
        assert_eq!(
            counts.failures,
            ["docs/privacy.md, row \"Consent\": no test cited and no \"Outside Televisit:\" owner"]
        );

        let renamed = repo("#[test]\nfn the_log_is_chained_again() {}\n");
        let failures = check(&renamed.path, &ran()).unwrap().failures;
        assert!(
            failures.iter().any(|f| f.starts_with(
                "docs/privacy.md, row \"Audit controls\": core/tests/log.rs::the_log_is_chained is not a test"
            )),
            "{failures:?}"
        );

        let mut not_run = ran();
        not_run.insert("rust".into(), vec!["other::test".into()]);
        let failures = check(&dir.path, &not_run).unwrap().failures;
        assert!(failures.iter().any(|f| f.contains("the_log_is_chained did not pass in this run")), "{failures:?}");
        // Reported with its module path, it ran.
        not_run.insert("rust".into(), vec!["log::the_log_is_chained".into()]);
        assert!(!check(&dir.path, &not_run).unwrap().failures.iter().any(|f| f.contains("did not pass")));
    }

    #[test]
    fn a_broken_link_or_heading_fails_and_code_is_not_a_link() {
        let dir = repo("fn the_log_is_chained() {}\n");
        assert!(checked_links(&dir.path).unwrap().1.is_empty());
        dir.write("docs/threat-model.md", "# Threats\n\n[gone](gone.md) [no such heading](privacy.md#nowhere)\n");
        let broken: Vec<String> = checked_links(&dir.path).unwrap().1.into_iter().map(|(_, t)| t).collect();
        assert_eq!(broken, ["gone.md", "privacy.md#nowhere"]);
    }

    #[test]
    fn headings_slug_as_github_does() {
        let slugs = heading_slugs("# IT's runbook\n## How the key is kept\n## Staff's monthly pass, from the fleet view\n## Errors\n## Errors\n```\n# not a heading\n```\n");
        assert_eq!(
            slugs,
            ["its-runbook", "how-the-key-is-kept", "staffs-monthly-pass-from-the-fleet-view", "errors", "errors-1"]
        );
    }

    /// A temporary folder, removed when dropped (xtask keeps its dependencies few).
    mod tempfile_lite {
        use std::path::PathBuf;

        pub struct Dir {
            pub path: PathBuf,
        }

        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!(
                    "xtask-evidence-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                ));
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path).unwrap();
                Dir { path }
            }

            pub fn write(&self, name: &str, text: &str) {
                let file = self.path.join(name);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, text).unwrap();
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }
}
