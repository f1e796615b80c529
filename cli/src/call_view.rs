//! How the shell shows a call: the pre-flight, the launch plan with what a tester types to fire
//! each step by hand, the pre-filled message and its PHI lint, the disclosure and the metrics.
//! A plan holds the patient's number (in its URIs) because stdout is the user's own screen;
//! nothing in this module writes to stderr.

use crate::view::table;
use serde::Serialize;
use televisit_core::call::launch::adb_command;
use televisit_core::call::{CheckStatus, LaunchAttempt, LaunchStep, PhiFinding, RenderedMessage};
use televisit_core::{DayMetrics, LaunchPlan, PatientRef, Platform, Preflight, WhatsAppApp};

/// The phone a plan is for, as the flags described it.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct TargetView {
    pub platform: &'static str,
    /// The WhatsApp apps installed on it: `consumer`, `business`.
    pub whatsapp: Vec<&'static str>,
    /// Their version; None when none is installed.
    pub whatsapp_version: Option<String>,
    /// A screen lock is set.
    pub passcode_set: bool,
    pub utc_offset_minutes: i32,
    /// WhatsApp's video-call row that the tester found on the phone (Android).
    pub video_row: Option<i64>,
}

#[derive(Serialize)]
pub struct CallView {
    pub patient: String,
    pub target: TargetView,
    pub preflight: PreflightView,
    /// None when the pre-flight blocked, or the policy refused the pre-filled message.
    pub plan: Option<PlanView>,
    /// The pre-filled message the policy refused, with what the PHI lint found in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused_message: Option<MessageView>,
}

#[derive(Serialize)]
pub struct PreflightView {
    pub checks: Vec<CheckView>,
    pub blocked: bool,
    /// The codes of the checks that block, in order.
    pub blocking: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct CheckView {
    pub code: &'static str,
    /// `pass`, `warn` or `block`.
    pub status: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct PlanView {
    pub platform: &'static str,
    /// `consumer` or `business`; None when no allowed WhatsApp is installed.
    pub app: Option<&'static str>,
    pub package: Option<&'static str>,
    pub attempts: Vec<AttemptView>,
    /// The pre-filled text, as the URIs carry it.
    pub message: Option<String>,
    pub message_findings: Vec<FindingView>,
}

#[derive(Serialize)]
pub struct AttemptView {
    pub kind: &'static str,
    pub step: LaunchStep,
    pub instruction: Option<String>,
    /// `adb shell am start …` for a step that adb can fire (Android only).
    pub adb: Option<String>,
}

#[derive(Serialize)]
pub struct FindingView {
    pub kind: &'static str,
    pub description: &'static str,
    /// Byte offsets into the text.
    pub start: usize,
    pub end: usize,
    /// The text found.
    pub span: String,
}

#[derive(Serialize)]
pub struct MessageView {
    pub template: &'static str,
    pub text: String,
    pub clean: bool,
    pub findings: Vec<FindingView>,
}

pub fn platform_code(platform: Platform) -> &'static str {
    match platform {
        Platform::Android => "android",
        Platform::Ios => "ios",
    }
}

pub fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Android => "Android phone",
        Platform::Ios => "iPhone",
    }
}

pub fn app_code(app: WhatsAppApp) -> &'static str {
    match app {
        WhatsAppApp::Consumer => "consumer",
        WhatsAppApp::Business => "business",
    }
}

pub fn app_name(app: WhatsAppApp) -> &'static str {
    match app {
        WhatsAppApp::Consumer => "WhatsApp",
        WhatsAppApp::Business => "WhatsApp Business",
    }
}

pub fn status_code(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Warn => "warn",
        CheckStatus::Block => "block",
    }
}

fn status_mark(status: CheckStatus) -> char {
    match status {
        CheckStatus::Pass => '✓',
        CheckStatus::Warn => '!',
        CheckStatus::Block => '✗',
    }
}

impl From<&Preflight> for PreflightView {
    fn from(p: &Preflight) -> Self {
        PreflightView {
            checks: p
                .checks
                .iter()
                .map(|c| CheckView { code: c.code, status: status_code(c.status), message: c.message.clone() })
                .collect(),
            blocked: p.blocked(),
            blocking: p.blocking_codes(),
        }
    }
}

/// The line a tester runs on the desktop to fire a step on an Android phone over adb; None on
/// iOS and for the sync step (which only an app can do).
///
/// The host's shell takes off the core's single quotes and `adb shell` hands the rest to the
/// phone's shell unquoted. That is safe for every URI the core makes: the `url` crate
/// percent-encodes the text, so what is left has no character the phone's shell acts on
/// (`?` and `*` match no file there and stay as they are). A test holds this.
pub fn adb_line(platform: Platform, step: &LaunchStep) -> Option<String> {
    match platform {
        Platform::Android => adb_command(step).map(|line| format!("adb shell {line}")),
        Platform::Ios => None,
    }
}

/// How a tester finds WhatsApp's video-call row of `mime_type` for `--video-row`. The whole
/// command is double-quoted for the desktop's shell so that the phone's shell still sees the
/// quotes around the WHERE clause (`adb shell` joins its arguments without quoting them).
pub fn find_row_line(mime_type: &str) -> String {
    format!(
        "adb shell \"content query --uri content://com.android.contacts/data --projection _id:display_name --where \\\"mimetype='{mime_type}'\\\"\""
    )
}

impl AttemptView {
    pub fn new(platform: Platform, attempt: &LaunchAttempt) -> Self {
        AttemptView {
            kind: attempt.kind.code(),
            step: attempt.step.clone(),
            instruction: attempt.instruction.clone(),
            adb: adb_line(platform, &attempt.step),
        }
    }
}

pub fn finding_views(text: &str, findings: &[PhiFinding]) -> Vec<FindingView> {
    findings
        .iter()
        .map(|f| FindingView {
            kind: f.kind.code(),
            description: f.kind.describe(),
            start: f.start,
            end: f.end,
            span: text.get(f.start..f.end).unwrap_or_default().to_owned(),
        })
        .collect()
}

impl From<&LaunchPlan> for PlanView {
    fn from(plan: &LaunchPlan) -> Self {
        PlanView {
            platform: platform_code(plan.platform),
            app: plan.app.map(app_code),
            package: plan.app.map(WhatsAppApp::package),
            attempts: plan.attempts.iter().map(|a| AttemptView::new(plan.platform, a)).collect(),
            message: plan.message.clone(),
            message_findings: finding_views(plan.message.as_deref().unwrap_or_default(), &plan.message_findings),
        }
    }
}

impl From<&RenderedMessage> for MessageView {
    fn from(m: &RenderedMessage) -> Self {
        MessageView {
            template: m.template.code(),
            text: m.text.clone(),
            clean: m.findings.is_empty(),
            findings: finding_views(&m.text, &m.findings),
        }
    }
}

/// `UTC+01:00`, `UTC-03:30`.
pub fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let abs = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 60, abs % 60)
}

/// `an Android phone, WhatsApp installed: consumer 2.26.1, UTC+01:00, WhatsApp video row 42`
/// (and `no screen lock` when it has none).
pub fn target_text(target: &TargetView) -> String {
    let platform = if target.platform == "ios" { "an iPhone" } else { "an Android phone" };
    let apps = match (&target.whatsapp[..], &target.whatsapp_version) {
        ([], _) => "none".to_owned(),
        (apps, Some(version)) => format!("{} {version}", apps.join(" and ")),
        (apps, None) => apps.join(" and "),
    };
    let mut out = format!("{platform}, WhatsApp installed: {apps}, {}", offset_text(target.utc_offset_minutes));
    if !target.passcode_set {
        out.push_str(", no screen lock");
    }
    if let Some(row) = target.video_row {
        out.push_str(&format!(", WhatsApp video row {row}"));
    }
    out
}

/// One line a check: `✓ consent_given      Consent is on record.`
pub fn preflight_text(preflight: &Preflight) -> String {
    let width = preflight.checks.iter().map(|c| c.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for check in &preflight.checks {
        out.push_str(&format!("{} {:<width$}  {}\n", status_mark(check.status), check.code, check.message));
    }
    out
}

/// `Blocked by consent_missing, …: no plan until they are put right.`
pub fn blocked_line(preflight: &Preflight) -> String {
    format!("Blocked by {}: no plan until they are put right.", preflight.blocking_codes().join(", "))
}

/// `10 s`, `7.5 s`.
fn seconds(ms: u32) -> String {
    let whole = ms / 1000;
    let rest = ms % 1000;
    if rest == 0 {
        format!("{whole} s")
    } else {
        format!("{whole}.{}", format!("{rest:03}").trim_end_matches('0')) + " s"
    }
}

/// What a step does, in the words a tester needs to fire it by hand.
fn step_lines(platform: Platform, step: &LaunchStep) -> Vec<String> {
    let mut lines = Vec::new();
    match step {
        LaunchStep::AndroidIntent { action, data, mime_type, package } => {
            let mut what = format!("open {data} ({action}");
            if let Some(mime) = mime_type {
                what.push_str(&format!(", type {mime}"));
            }
            if let Some(package) = package {
                what.push_str(&format!(", in {package}"));
            }
            what.push(')');
            lines.push(what);
        }
        LaunchStep::AndroidSyncThenIntent { account_type, mime_type, package, timeout_ms, poll_interval_ms } => {
            lines.push(format!(
                "requestSync({account_type}) then look for the row every {poll_interval_ms} ms for {}; when it appears, open it as {mime_type} in {package}",
                seconds(*timeout_ms)
            ));
            lines.push("by hand (an app step, adb cannot fire it): find the row once WhatsApp has synced,".to_owned());
            lines.push(format!("  {}", find_row_line(mime_type)));
            lines.push("  then run this again with --video-row <_id> for the direct video call".to_owned());
        }
        LaunchStep::OpenUrl { url, package } => {
            let what = match package {
                Some(package) => format!("open {url} (in {package})"),
                None => format!("open {url}"),
            };
            lines.push(what);
        }
    }
    if let Some(adb) = adb_line(platform, step) {
        lines.push(adb);
    }
    lines
}

/// The numbered attempts, each with its step, its adb line and what the clinician is told.
pub fn plan_text(plan: &LaunchPlan) -> String {
    let on = platform_name(plan.platform);
    let mut out = match plan.app {
        Some(app) => format!(
            "Plan for the {on}, with {} ({}); try each attempt in order until one opens:\n",
            app_name(app),
            app.package()
        ),
        None => format!("Plan for the {on}, which has no WhatsApp the policy allows:\n"),
    };
    for (n, attempt) in plan.attempts.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", n + 1, attempt.kind.code()));
        for line in step_lines(plan.platform, &attempt.step) {
            out.push_str(&format!("   {line}\n"));
        }
        if let Some(instruction) = &attempt.instruction {
            out.push_str(&format!("   the clinician is told: {instruction}\n"));
        }
    }
    if let Some(text) = &plan.message {
        out.push_str(&format!("Pre-filled message (in the URL's text): {text}\n"));
        out.push_str(&findings_text(text, &plan.message_findings));
    }
    out
}

/// How to log what happened, once the tester has fired the plan.
pub fn record_hint(patient: &PatientRef, plan: &LaunchPlan) -> String {
    let kinds: Vec<&str> = plan.attempts.iter().map(|a| a.kind.code()).collect();
    let app = plan.app.map(|app| format!(" --app {}", app_code(app))).unwrap_or_default();
    format!("Then log each attempt: televisit call record {patient} --attempt {}{app} --ok|--failed\n", kinds.join("|"))
}

/// The text with the finding's span in brackets, and up to 24 characters either side.
pub fn highlight(text: &str, finding: &PhiFinding) -> String {
    const AROUND: usize = 24;
    let (Some(before), Some(span), Some(after)) =
        (text.get(..finding.start), text.get(finding.start..finding.end), text.get(finding.end..))
    else {
        return String::new();
    };
    let lead: Vec<char> = before.chars().rev().take(AROUND + 1).collect();
    let lead_cut = lead.len() > AROUND;
    let lead: String = lead.into_iter().take(AROUND).collect::<Vec<_>>().into_iter().rev().collect();
    let tail_cut = after.chars().count() > AROUND;
    let tail: String = after.chars().take(AROUND).collect();
    format!("{}{lead}[{span}]{tail}{}", if lead_cut { "…" } else { "" }, if tail_cut { "…" } else { "" })
}

/// `PHI lint: 2 findings` and one line each, or that the text is clean.
pub fn findings_text(text: &str, findings: &[PhiFinding]) -> String {
    if findings.is_empty() {
        return "PHI lint: nothing found\n".to_owned();
    }
    let mut out = format!("PHI lint: {} finding{}\n", findings.len(), if findings.len() == 1 { "" } else { "s" });
    let width = findings.iter().map(|f| f.kind.code().len()).max().unwrap_or(0);
    for finding in findings {
        out.push_str(&format!(
            "  {:<width$}  {} at {}..{}: {}\n",
            finding.kind.code(),
            finding.kind.describe(),
            finding.start,
            finding.end,
            highlight(text, finding)
        ));
    }
    out
}

pub fn message_text(message: &RenderedMessage) -> String {
    format!("{}\n{}", message.text, findings_text(&message.text, &message.findings))
}

pub fn metrics_table(days: &[DayMetrics]) -> String {
    let rows: Vec<Vec<String>> = days
        .iter()
        .map(|d| {
            vec![
                d.day.clone(),
                d.calls_launched.to_string(),
                d.consents_recorded.to_string(),
                d.opt_outs.to_string(),
                d.contacts_created.to_string(),
                d.contacts_deleted.to_string(),
                d.cleanups.to_string(),
            ]
        })
        .collect();
    table(&["day (UTC)", "calls", "consents", "opt-outs", "contacts created", "contacts deleted", "cleanups"], &rows)
}

/// `2026-11-02: 1 call launched, 2 consents, …` for one day.
pub fn metrics_line(day: &DayMetrics) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}: {}, {}, {}, {}, {}, {}",
        day.day,
        plural(day.calls_launched, "call launched", "calls launched"),
        plural(day.consents_recorded, "consent", "consents"),
        plural(day.opt_outs, "opt-out", "opt-outs"),
        plural(day.contacts_created, "contact created", "contacts created"),
        plural(day.contacts_deleted, "contact deleted", "contacts deleted"),
        plural(day.cleanups, "cleanup", "cleanups"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_core::call::PhiKind;

    #[test]
    fn seconds_and_offsets_read_plainly() {
        assert_eq!(seconds(10_000), "10 s");
        assert_eq!(seconds(7_500), "7.5 s");
        assert_eq!(seconds(250), "0.25 s");
        assert_eq!(offset_text(60), "UTC+01:00");
        assert_eq!(offset_text(-210), "UTC-03:30");
        assert_eq!(offset_text(0), "UTC+00:00");
    }

    #[test]
    fn a_finding_is_bracketed_in_its_context() {
        let text = "Hello, this is Oncology. We will call you on WhatsApp video at 10:00.";
        let finding = PhiFinding { kind: PhiKind::ClinicalTerm, start: 15, end: 23 };
        assert_eq!(highlight(text, &finding), "Hello, this is [Oncology]. We will call you on Wh…");
        let short = PhiFinding { kind: PhiKind::ClinicalTerm, start: 0, end: 5 };
        assert_eq!(highlight("chemo", &short), "[chemo]");
        let far = "x".repeat(30) + "biopsy";
        let f = PhiFinding { kind: PhiKind::ClinicalTerm, start: 30, end: 36 };
        assert_eq!(highlight(&far, &f), format!("…{}[biopsy]", "x".repeat(24)));
        assert_eq!(highlight("abc", &PhiFinding { kind: PhiKind::Email, start: 2, end: 9 }), "");
    }

    #[test]
    fn adb_lines_reach_the_phones_shell_without_anything_it_acts_on() {
        use televisit_core::call::launch::attempts;
        let text = "A&B; $(id) `x` \"q\" 'o' <a>|b #1 ?=+% ü\\";
        for (app, row) in [(Some(WhatsAppApp::Consumer), Some(42)), (Some(WhatsAppApp::Business), None), (None, None)] {
            let plan = attempts(Platform::Android, app, WhatsAppApp::Consumer, "+14155550132", row, Some(text), 10);
            for attempt in &plan {
                let Some(line) = adb_line(Platform::Android, &attempt.step) else { continue };
                let line = line.strip_prefix("adb shell ").unwrap();
                // The desktop's shell removes the core's single quotes; the phone's shell gets the rest.
                let device = line.replace('\'', "");
                assert!(
                    !device.contains(['&', ';', '|', '<', '>', '(', ')', '$', '`', '"', '\\', '#', '\n']),
                    "{device}"
                );
                assert_eq!(device.split(' ').count(), line.split(' ').count(), "no word splits apart: {device}");
            }
        }
        assert_eq!(
            adb_line(Platform::Ios, &LaunchStep::OpenUrl { url: "whatsapp://send".into(), package: None }),
            None
        );
    }

    #[test]
    fn the_find_row_line_keeps_its_quotes_for_the_phone() {
        let line = find_row_line("vnd.android.cursor.item/vnd.com.whatsapp.video.call");
        assert_eq!(
            line,
            r#"adb shell "content query --uri content://com.android.contacts/data --projection _id:display_name --where \"mimetype='vnd.android.cursor.item/vnd.com.whatsapp.video.call'\"""#
        );
    }
}
