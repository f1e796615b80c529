//! `televisit checklist …`: the WhatsApp privacy-settings checklist on the desktop.
//!
//! WhatsApp's settings cannot be read by another app, so the clinician confirms each item: here
//! on the terminal, one item at a time (`televisit checklist`), or from a JSON file for scripts
//! (`--answers FILE`). What the phone itself tells (its screen lock, WhatsApp installed and its
//! version) comes from the flags that describe the target phone ([`crate::phone`]). A run left
//! half done is kept and resumed next time.
//!
//! Exit codes: 0 compliant; 3 deviations (each shown with the instruction that fixes it); 1 the
//! run is not finished or an answers file is wrong (nothing finished); 2 usage.

use crate::call_cmd::FAILED_CHECK;
use crate::checklist_view::{self, CatalogView, ProgressView, ResultView, StatusView};
use crate::phone::{PhoneArgs, PlatformArg, TargetPhone};
use crate::usage;
use crate::view::print_json;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use televisit_core::checklist::{self, ChecklistResult, ChecklistRun, RunKind, Source};
use televisit_core::{Platform, Televisit};

const CHECKLIST_HELP: &str = "The desktop has no WhatsApp: --platform, --whatsapp, --whatsapp-version and --passcode \
describe the phone the checklist is for. The clinician looks at each setting on that phone and answers here; the \
phone's own facts (screen lock, WhatsApp installed) come from the flags. An empty line skips an item for now and q \
stops: the run stays half done and the next `televisit checklist` resumes it. An answers file is a JSON object of \
item id to value code, e.g. {\"read_receipts\": \"off\"}; `televisit checklist catalog` lists the ids and codes.";

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, after_help = CHECKLIST_HELP)]
pub struct ChecklistArgs {
    #[command(subcommand)]
    command: Option<ChecklistCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
pub enum ChecklistCommand {
    /// current, due or never, for the phone the flags describe; and how far the run in progress is.
    Status(ChecklistPhone),
    /// Every item: id, title, paths, values, the recommendation and what the policy requires.
    Catalog {
        /// Show this platform's path only (JSON adds it as `path`).
        #[arg(long, value_enum)]
        platform: Option<PlatformArg>,
    },
}

#[derive(Args)]
pub struct RunArgs {
    /// Answer from this JSON file instead of asking: {"read_receipts": "off", …} (item id → value code).
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// With --answers, for a re-confirmation: attest that nothing else changed in WhatsApp's
    /// privacy settings since the last check (the file then holds only what changed).
    #[arg(long, requires = "answers")]
    nothing_else_changed: bool,
    // Last: its help heading would hold for the flags after it.
    #[command(flatten)]
    target: ChecklistPhone,
}

/// The phone the checklist is for.
#[derive(Args)]
#[command(next_help_heading = "The phone the checklist is for (the desktop has no WhatsApp)")]
pub struct ChecklistPhone {
    #[command(flatten)]
    phone: PhoneArgs,
}

pub fn run(tv: &Televisit, args: ChecklistArgs, json: bool) -> Result<ExitCode> {
    match args.command {
        Some(ChecklistCommand::Status(target)) => {
            status(tv, &TargetPhone::from_args(&target.phone), json)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(ChecklistCommand::Catalog { platform }) => {
            catalog(tv, platform.map(Platform::from), json)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let phone = TargetPhone::from_args(&args.run.target.phone);
            match args.run.answers {
                Some(file) => from_file(tv, &phone, &file, args.run.nothing_else_changed, json),
                None if json => Ok(usage::refuse(
                    "televisit",
                    "--json needs --answers FILE: without it the checklist asks its questions on the terminal",
                )),
                None => interactive(tv, &phone),
            }
        }
    }
}

fn result_code(result: &ChecklistResult) -> ExitCode {
    if result.compliant {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED_CHECK)
    }
}

fn status(tv: &Televisit, phone: &TargetPhone, json: bool) -> Result<()> {
    let status = tv.checklist_status(Some(phone))?;
    let in_progress = tv.checklist_run()?;
    if json {
        print_json(&StatusView {
            status: checklist_view::status_code(status),
            in_progress: in_progress.as_ref().map(ProgressView::from),
        });
    } else {
        let days = tv.policy()?.checklist.reconfirm_days;
        print!("{}", checklist_view::status_text(status, in_progress.as_ref(), days));
    }
    Ok(())
}

fn catalog(tv: &Televisit, platform: Option<Platform>, json: bool) -> Result<()> {
    let requirements = checklist::effective_requirements(&tv.policy()?);
    let view = CatalogView::new(&requirements, platform);
    if json {
        print_json(&view);
    } else {
        print!("{}", checklist_view::catalog_text(&view, platform));
    }
    Ok(())
}

/// Item id → value code, as an answers file gives them.
pub type Answers = BTreeMap<String, String>;

/// An item id worth repeating in a message: one that could be a catalog id. Anything else typed
/// into the file is described, not quoted.
fn shown_id(id: &str) -> String {
    if !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        format!("`{id}`")
    } else {
        "an item id".to_owned()
    }
}

/// Reads and checks an answers file against the catalog, before anything is answered: every
/// problem is named by its item (never by the value given), and none leaves a trace in the run.
pub fn read_answers(file: &Path) -> Result<Answers> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read the answers file given: {}", e.kind()))?;
    parse_answers(&text)
}

pub fn parse_answers(text: &str) -> Result<Answers> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!("the answers file is not valid JSON (line {}, column {})", e.line(), e.column())
    })?;
    let serde_json::Value::Object(entries) = value else {
        bail!("the answers file must be a JSON object of item id to value code, like {{\"read_receipts\": \"off\"}}");
    };
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    for (id, value) in entries {
        let Some(item) = checklist::catalog::item(&id) else {
            problems
                .push(format!("{} is not a checklist item (`televisit checklist catalog` lists them)", shown_id(&id)));
            continue;
        };
        if item.source != Source::Clinician {
            problems.push(format!(
                "`{}` is answered by the phone itself: leave it out (--passcode and --whatsapp describe the phone)",
                item.id
            ));
            continue;
        }
        let allowed: Vec<&str> = item.choices.iter().map(|c| c.value).collect();
        match value.as_str() {
            Some(code) if item.allows(code) => {
                answers.insert(id, code.to_owned());
            }
            _ => problems.push(format!("`{}` takes one of {}", item.id, allowed.join(", "))),
        }
    }
    if !problems.is_empty() {
        bail!(
            "the answers file has {} problem{}, nothing was answered: {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("; ")
        );
    }
    Ok(answers)
}

/// Starts (or resumes) the run for `phone`, gives it the answers and finishes it. An item left
/// unanswered is the core's error, and the run stays half done with the answers given.
pub fn run_answers(
    tv: &Televisit,
    phone: &TargetPhone,
    answers: &Answers,
    nothing_else_changed: bool,
) -> Result<ChecklistResult> {
    let run = tv.checklist_start(phone.platform, phone).context("the checklist did not start")?;
    for (id, value) in answers {
        tv.checklist_answer(id, value).with_context(|| format!("`{id}` was not answered"))?;
    }
    if run.kind == RunKind::Reconfirm {
        if !nothing_else_changed {
            bail!(
                "this is a re-confirmation: the answers given are kept; add --nothing-else-changed to attest that \
                 nothing else changed since the last check"
            );
        }
        tv.checklist_attest_unchanged()?;
    }
    tv.checklist_finish().context("the checklist was not finished (the answers given are kept in the run in progress)")
}

fn from_file(tv: &Televisit, phone: &TargetPhone, file: &Path, attest: bool, json: bool) -> Result<ExitCode> {
    let answers = read_answers(file)?;
    let result = run_answers(tv, phone, &answers, attest)?;
    if json {
        print_json(&ResultView::from(&result));
    } else {
        let days = tv.policy()?.checklist.reconfirm_days;
        let items = checklist::effective_requirements(&tv.policy()?)
            .values()
            .filter(|r| **r != checklist::Requirement::NotChecked)
            .count();
        println!("{} answers from {}", answers.len(), file.display());
        print!("{}", checklist_view::result_text(&result, items, days));
    }
    Ok(result_code(&result))
}

/// How a walk through the items ended.
#[derive(Debug)]
pub enum Walk {
    Finished {
        result: ChecklistResult,
        items: usize,
    },
    /// Items are left unanswered: the run stays half done.
    Unfinished {
        remaining: usize,
        to_confirm: usize,
        why: Stop,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Some items were skipped with an empty line.
    Skipped,
    /// `q`.
    Quit,
    /// The input ended.
    InputEnded,
}

/// What the clinician typed at an item's prompt.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Value(&'static str),
    Skip,
    Quit,
    Unclear,
}

fn reply(item: &checklist::CatalogItem, line: &str) -> Reply {
    let line = line.trim();
    if line.is_empty() {
        return Reply::Skip;
    }
    if line.eq_ignore_ascii_case("q") || line.eq_ignore_ascii_case("quit") {
        return Reply::Quit;
    }
    if let Ok(n) = line.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| item.choices.get(i)).map_or(Reply::Unclear, |c| Reply::Value(c.value));
    }
    item.choices.iter().find(|c| c.value.eq_ignore_ascii_case(line)).map_or(Reply::Unclear, |c| Reply::Value(c.value))
}

/// Walks the run's unanswered items: each is shown, and a line read for it. The phone's items
/// are shown as answered. When every item is answered the run is finished.
/// `echo`: the input is not a terminal, so end each prompt's line ourselves.
pub fn walk(
    tv: &Televisit,
    phone: &TargetPhone,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<Walk> {
    let before = tv.checklist_run()?;
    let run = tv.checklist_start(phone.platform, phone).context("the checklist did not start")?;
    writeln!(out, "{}", checklist_view::heading(&run))?;
    match before {
        Some(old) if old.platform != run.platform => writeln!(
            out,
            "The run in progress was for an {}: it starts afresh for this {}.",
            crate::call_view::platform_name(old.platform),
            crate::call_view::platform_name(run.platform)
        )?,
        Some(_) => {
            let p = ProgressView::from(&run);
            writeln!(out, "Resuming the run started {}: {} of {} items answered.", p.started_at, p.answered, p.total)?;
        }
        None => {}
    }
    for item in run.items.iter().filter(|i| i.pre_answered) {
        writeln!(out, "{}", checklist_view::phone_line(item))?;
    }
    for item in run.items.iter().filter(|i| i.carried || i.covered) {
        writeln!(out, "{}", checklist_view::kept_line(item))?;
    }
    let total = run.items.len();
    let mut stop = None;
    let mut asked_now = false;
    'items: for (n, item) in run.items.iter().enumerate() {
        if item.pre_answered || item.answer.is_some() {
            continue;
        }
        write!(out, "\n{}", checklist_view::item_text(item, n + 1, total))?;
        loop {
            let Some(line) = ask(input, out, echo, &checklist_view::prompt(item))? else {
                stop = Some(Stop::InputEnded);
                break 'items;
            };
            match reply(item.item, &line) {
                Reply::Value(value) => {
                    tv.checklist_answer(item.item.id, value)
                        .with_context(|| format!("`{}` was not answered", item.item.id))?;
                    writeln!(out, "   recorded: {}", item.item.label(value))?;
                    asked_now = true;
                    continue 'items;
                }
                Reply::Skip => {
                    writeln!(out, "   skipped for now")?;
                    stop = Some(Stop::Skipped);
                    continue 'items;
                }
                Reply::Quit => {
                    stop = Some(Stop::Quit);
                    break 'items;
                }
                Reply::Unclear => writeln!(
                    out,
                    "   not one of the choices: type a number from 1 to {} or a code in brackets",
                    item.item.choices.len()
                )?,
            }
        }
    }
    let mut run = tv.checklist_run()?.context("the run in progress is gone")?;
    let remaining = run.unanswered().len();
    if remaining == 0 && run.kind == RunKind::Reconfirm && !run.attested_unchanged && stop.is_none() {
        match attest(tv, &run, input, out, echo)? {
            Some(attested) => run = attested,
            None => {
                return Ok(Walk::Unfinished {
                    remaining: 0,
                    to_confirm: checklist_view::to_confirm(&run),
                    why: Stop::InputEnded,
                })
            }
        }
    }
    if remaining == 0 && run.kind == RunKind::Full && asked_now && stop.is_none() && !review(tv, input, out, echo)? {
        return Ok(Walk::Unfinished { remaining: 0, to_confirm: checklist_view::to_confirm(&run), why: Stop::Quit });
    }
    if remaining == 0 && (run.kind == RunKind::Full || run.attested_unchanged) {
        let run = tv.checklist_run()?.context("the run in progress is gone")?;
        let result = tv.checklist_finish().context("the checklist was not finished")?;
        return Ok(Walk::Finished { result, items: run.items.len() });
    }
    let why = match stop {
        Some(Stop::Quit) => Stop::Quit,
        Some(Stop::InputEnded) => Stop::InputEnded,
        _ => Stop::Skipped,
    };
    Ok(Walk::Unfinished { remaining, to_confirm: checklist_view::to_confirm(&run), why })
}

/// Before a full run is finished: every answer given, numbered, and the chance to change one
/// (a mis-typed number is otherwise only found in the result). An empty line, or the input
/// ending (a script), finishes; `q` stops with the run kept. Returns whether to finish.
fn review(tv: &Televisit, input: &mut dyn BufRead, out: &mut dyn Write, echo: bool) -> Result<bool> {
    loop {
        let run = tv.checklist_run()?.context("the run in progress is gone")?;
        writeln!(out, "\nYour answers:")?;
        for (n, item) in run.items.iter().enumerate().filter(|(_, i)| !i.pre_answered) {
            let answer = item.answer.as_deref().unwrap_or_default();
            writeln!(out, "  {:>2}. {}: {}", n + 1, item.item.title, item.item.label(answer))?;
        }
        let prompt = "An empty line finishes; an item's number changes its answer; q stops for now: ";
        let Some(line) = ask(input, out, echo, prompt)? else {
            return Ok(true);
        };
        let line = line.trim();
        if line.is_empty() {
            return Ok(true);
        }
        if line.eq_ignore_ascii_case("q") {
            return Ok(false);
        }
        let chosen = line
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| run.items.get(i).map(|item| (i, item)));
        let Some((index, item)) = chosen.filter(|(_, item)| !item.pre_answered) else {
            writeln!(out, "   not the number of an answer above")?;
            continue;
        };
        write!(out, "\n{}", checklist_view::item_text(item, index + 1, run.items.len()))?;
        loop {
            let Some(line) = ask(input, out, echo, &checklist_view::prompt(item))? else {
                return Ok(true);
            };
            match reply(item.item, &line) {
                Reply::Value(value) => {
                    tv.checklist_answer(item.item.id, value)
                        .with_context(|| format!("`{}` was not answered", item.item.id))?;
                    writeln!(out, "   changed to: {}", item.item.label(value))?;
                    break;
                }
                Reply::Skip | Reply::Quit => {
                    writeln!(out, "   kept as it was")?;
                    break;
                }
                Reply::Unclear => writeln!(
                    out,
                    "   not one of the choices: type a number from 1 to {} or a code in brackets",
                    item.item.choices.len()
                )?,
            }
        }
    }
}

/// Writes `prompt` and reads one line; none when the input ended. `echo`: the input is not a
/// terminal, so the prompt's line is ended here.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, echo: bool, prompt: &str) -> Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    let read = input.read_line(&mut line).context("cannot read the answer")?;
    if echo {
        writeln!(out)?;
    }
    Ok((read > 0).then_some(line))
}

/// A re-confirmation's last question: has anything else changed? No: attested. Yes: each kept
/// answer is shown again with its current value (an empty line keeps it), then attested, since
/// every item has now been looked at. None when the input ended.
fn attest(
    tv: &Televisit,
    run: &ChecklistRun,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<Option<ChecklistRun>> {
    loop {
        let question = "\nHas anything else changed in WhatsApp's privacy settings since your last check? (y/n): ";
        let Some(line) = ask(input, out, echo, question)? else { return Ok(None) };
        match line.trim().to_ascii_lowercase().as_str() {
            "n" | "no" => break,
            "y" | "yes" => {
                for item in run.items.iter().filter(|i| i.carried || i.covered) {
                    let current = item.answer.as_deref().unwrap_or_default();
                    write!(out, "\n{}", checklist_view::item_details(item))?;
                    loop {
                        let prompt = format!("Now {} (an empty line keeps it): ", item.item.label(current));
                        let Some(line) = ask(input, out, echo, &prompt)? else { return Ok(None) };
                        match reply(item.item, &line) {
                            Reply::Skip => break,
                            Reply::Value(value) => {
                                tv.checklist_answer(item.item.id, value)?;
                                writeln!(out, "   recorded: {}", item.item.label(value))?;
                                break;
                            }
                            Reply::Quit => return Ok(None),
                            Reply::Unclear => writeln!(out, "   not one of the choices")?,
                        }
                    }
                }
                break;
            }
            _ => writeln!(out, "   answer y or n")?,
        }
    }
    let attested = tv.checklist_attest_unchanged()?;
    writeln!(out, "   recorded: nothing else changed since the last check")?;
    Ok(Some(attested))
}

/// Why the run is not finished, and how to go on.
pub fn unfinished_text(remaining: usize, to_confirm: usize, why: Stop) -> String {
    let left = format!(
        "{remaining} of {to_confirm} item{} to confirm remain{}",
        if to_confirm == 1 { "" } else { "s" },
        if remaining == 1 { "s" } else { "" }
    );
    let what = match why {
        Stop::InputEnded => "the input ended before the checklist was finished",
        Stop::Quit => "stopped before the checklist was finished",
        Stop::Skipped => "the checklist is not finished: items were skipped",
    };
    format!("{what}: {left}; the answers so far are kept, and `televisit checklist` resumes the run")
}

fn interactive(tv: &Televisit, phone: &TargetPhone) -> Result<ExitCode> {
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    let walked = walk(tv, phone, &mut input, &mut out, echo)?;
    match walked {
        Walk::Finished { result, items } => {
            let days = tv.policy()?.checklist.reconfirm_days;
            write!(out, "\n{}", checklist_view::result_text(&result, items, days))?;
            Ok(result_code(&result))
        }
        Walk::Unfinished { remaining, to_confirm, why } => {
            out.flush()?;
            eprintln!("televisit: {}", unfinished_text(remaining, to_confirm, why));
            Ok(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_core::checklist::catalog::item;

    #[test]
    fn replies_are_numbers_codes_skips_and_quits() {
        let read_receipts = item("read_receipts").unwrap();
        assert_eq!(reply(read_receipts, "2\n"), Reply::Value("off"));
        assert_eq!(reply(read_receipts, " 1 "), Reply::Value("on"));
        assert_eq!(reply(read_receipts, "OFF"), Reply::Value("off"));
        assert_eq!(reply(read_receipts, "\n"), Reply::Skip);
        assert_eq!(reply(read_receipts, "q\n"), Reply::Quit);
        for unclear in ["0", "3", "-1", "99999999999999999999999", "yes", "Off please"] {
            assert_eq!(reply(read_receipts, unclear), Reply::Unclear, "{unclear}");
        }
    }

    #[test]
    fn answers_files_are_checked_before_anything_is_answered() {
        let answers = parse_answers(r#"{"read_receipts": "off", "about": "nobody"}"#).unwrap();
        assert_eq!(answers["read_receipts"], "off");
        let err = parse_answers(r#"{"read_receipts": "maybe", "colour": "crimson", "screen_lock": "set"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("the answers file has 3 problems, nothing was answered: "), "{err}");
        assert!(err.contains("`read_receipts` takes one of on, off"), "{err}");
        assert!(err.contains("`colour` is not a checklist item"), "{err}");
        assert!(err.contains("`screen_lock` is answered by the phone itself"), "{err}");
        assert!(!err.contains("maybe") && !err.contains("crimson"), "values are not quoted: {err}");
        let err = parse_answers(r#"{"Susan Smith": "on"}"#).unwrap_err().to_string();
        assert!(err.contains("an item id is not a checklist item") && !err.contains("Susan"), "{err}");
        let err = parse_answers(r#"{"read_receipts": 1}"#).unwrap_err().to_string();
        assert!(err.contains("`read_receipts` takes one of on, off"), "{err}");
        let err = parse_answers("[\"off\"]").unwrap_err().to_string();
        assert!(err.starts_with("the answers file must be a JSON object"), "{err}");
        let err = parse_answers("{\"read_receipts\": \"Susan\"").unwrap_err().to_string();
        assert!(err.starts_with("the answers file is not valid JSON (line 1"), "{err}");
        assert!(!err.contains("Susan"), "{err}");
    }

    #[test]
    fn an_unfinished_run_says_how_many_remain() {
        assert_eq!(
            unfinished_text(3, 21, Stop::InputEnded),
            "the input ended before the checklist was finished: 3 of 21 items to confirm remain; the answers so far \
             are kept, and `televisit checklist` resumes the run"
        );
        assert!(unfinished_text(1, 21, Stop::Quit).contains("1 of 21 items to confirm remains;"));
    }
}
