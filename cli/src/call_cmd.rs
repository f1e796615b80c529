//! `televisit call …`, `message`, `disclosure` and `metrics`: starting the WhatsApp video call.
//!
//! The desktop has no WhatsApp. `call` describes the TARGET phone that a tester fires the plan
//! on, through flags: `--platform`, `--whatsapp`, `--whatsapp-version`, `--passcode` and
//! `--utc-offset-minutes` become the phone's `DeviceFacts` ([`crate::phone`]), and `--video-row` (the `_ID` of WhatsApp's video-call row, found on the phone
//! with adb) its [`WhatsAppDirectory`]. The plan comes back with an `adb shell am start …` line
//! for each Android step adb can fire, and the URL for iOS.
//!
//! Errors name the field and the patient id, never a name, a number or a message's text.

use crate::call_view::{self, CallView, MessageView, PlanView, PreflightView};
use crate::patient_view::indent;
use crate::phone::{PhoneArgs, TargetPhone};
use crate::profile::Profile;
use crate::usage::{self, Refusal};
use crate::view::print_json;
use anyhow::{Context, Result};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::process::ExitCode;
use televisit_core::call::{AttemptKind, TemplateId, DISCLOSURE};
use televisit_core::{
    Error as CoreError, MessageRequest, PatientRef, Platform, Preflight, Televisit, WhatsAppApp, WhatsAppDirectory,
};

/// Exit code of a failed check: a blocked pre-flight, a message the lint found something in.
pub const FAILED_CHECK: u8 = 3;
/// The longest metrics period the core accepts.
const MAX_METRICS_DAYS: u32 = 3660;

const TARGET_HELP: &str = "The desktop has no WhatsApp: --platform, --whatsapp, --whatsapp-version, --passcode, \
--utc-offset-minutes and --video-row \
describe the phone the plan is for. Fire the plan's steps on that phone by hand (Android: the adb lines, with the phone \
connected over adb; iPhone: open the URL there), then log each attempt with `televisit call record`.";

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true, after_help = TARGET_HELP)]
pub struct CallArgs {
    #[command(subcommand)]
    command: Option<CallCommand>,
    #[command(flatten)]
    plan: PlanArgs,
}

#[derive(Subcommand)]
pub enum CallCommand {
    /// Log how one attempt of a plan went on the phone.
    Record(RecordArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    /// The patient to call (pt_…).
    #[arg(value_name = "ID", value_parser = crate::parse_patient, required = true)]
    patient: Option<PatientRef>,
    /// Pre-fill this safe message into the chat; its placeholders come from --value.
    #[arg(long, value_name = "TEMPLATE", value_parser = template_parser())]
    message: Option<TemplateId>,
    /// A placeholder of the message, KEY=VALUE (repeat for each), e.g. --value time=14:30.
    #[arg(long = "value", value_name = "KEY=VALUE", value_parser = parse_value, requires = "message", allow_hyphen_values = true)]
    values: Vec<(String, String)>,
    // Last: its help heading would hold for the flags after it.
    #[command(flatten)]
    target: TargetArgs,
}

/// The phone the plan is for: what its Android or iOS shell would tell the core, and the row
/// a tester found on it.
#[derive(Args, Clone, Debug, PartialEq, Eq)]
#[command(next_help_heading = "The phone the plan is for (the desktop has no WhatsApp)")]
pub struct TargetArgs {
    #[command(flatten)]
    pub phone: PhoneArgs,
    /// Android: the _ID of WhatsApp's video-call row for the patient's contact on the phone, found with
    /// adb shell "content query --uri content://com.android.contacts/data --projection _id:display_name --where \"mimetype='vnd.android.cursor.item/vnd.com.whatsapp.video.call'\"".
    /// Without it the plan starts by syncing WhatsApp and looking for the row.
    #[arg(long, value_name = "ROW", value_parser = parse_video_row)]
    pub video_row: Option<i64>,
}

#[derive(Args)]
#[command(group(ArgGroup::new("outcome").required(true).args(["ok", "failed"])))]
pub struct RecordArgs {
    /// The patient called (pt_…).
    #[arg(value_name = "ID", value_parser = crate::parse_patient)]
    patient: PatientRef,
    /// Which attempt of the plan.
    #[arg(long, value_name = "KIND", value_parser = attempt_parser())]
    attempt: AttemptKind,
    /// It opened what it should (the call, the chat or the store page).
    #[arg(long)]
    ok: bool,
    /// It did not open; the next attempt of the plan comes next.
    #[arg(long)]
    failed: bool,
    /// The WhatsApp app the attempt used.
    #[arg(long, value_enum)]
    app: Option<AppArg>,
}

#[derive(Args)]
pub struct MessageArgs {
    /// The safe message template.
    #[arg(value_name = "TEMPLATE", value_parser = template_parser())]
    template: TemplateId,
    /// A placeholder, KEY=VALUE (repeat for each), e.g. --value clinic="North Clinic".
    #[arg(long = "value", value_name = "KEY=VALUE", value_parser = parse_value, allow_hyphen_values = true)]
    values: Vec<(String, String)>,
}

#[derive(Args)]
pub struct DisclosureArgs {
    #[command(subcommand)]
    command: Option<DisclosureCommand>,
}

#[derive(Subcommand)]
pub enum DisclosureCommand {
    /// Record that the clinician has read it (once, before the first call).
    Acknowledge,
}

#[derive(Args)]
pub struct MetricsArgs {
    /// Over the last N days.
    #[arg(long, value_name = "N", default_value = "30", value_parser = parse_days)]
    days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AppArg {
    Consumer,
    Business,
}

impl From<AppArg> for WhatsAppApp {
    fn from(a: AppArg) -> Self {
        match a {
            AppArg::Consumer => WhatsAppApp::Consumer,
            AppArg::Business => WhatsAppApp::Business,
        }
    }
}

/// `--video-row`: the row the tester found on the phone, for whichever contact the core asks about
/// (the phone's contact ids are not the desktop's).
pub struct KnownVideoRow(pub i64);

impl WhatsAppDirectory for KnownVideoRow {
    fn video_call_row(&self, _contact_platform_id: &str, _app: WhatsAppApp) -> Option<i64> {
        Some(self.0)
    }
}

/// The template codes as the core spells them; clap lists them in help and in a refusal.
fn template_parser() -> impl TypedValueParser<Value = TemplateId> {
    PossibleValuesParser::new(TemplateId::ALL.map(TemplateId::code))
        .try_map(|code| TemplateId::from_code(&code).ok_or_else(|| Refusal("not a template".into())))
}

fn attempt_parser() -> impl TypedValueParser<Value = AttemptKind> {
    PossibleValuesParser::new(AttemptKind::ALL.map(AttemptKind::code))
        .try_map(|code| AttemptKind::from_code(&code).ok_or_else(|| Refusal("not an attempt kind".into())))
}

/// `time=14:30` → (`time`, `14:30`); the value may hold `=` and anything else. Refusals never
/// repeat what was typed: a value may be a name or a number.
pub fn parse_value(text: &str) -> Result<(String, String), Refusal> {
    let refuse = || Refusal("written like KEY=VALUE, the key a placeholder name such as time".into());
    let (key, value) = text.split_once('=').ok_or_else(refuse)?;
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(refuse());
    }
    Ok((key.to_owned(), value.to_owned()))
}

pub fn parse_video_row(text: &str) -> Result<i64, Refusal> {
    let refuse = || Refusal("the row's _ID, a whole number from 1".into());
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    text.parse::<i64>().ok().filter(|row| *row >= 1).ok_or_else(refuse)
}

pub fn parse_days(text: &str) -> Result<u32, Refusal> {
    let refuse = || Refusal(format!("a number of days from 1 to {MAX_METRICS_DAYS}"));
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    text.parse::<u32>().ok().filter(|d| (1..=MAX_METRICS_DAYS).contains(d)).ok_or_else(refuse)
}

/// The placeholders, each once.
fn values_map(values: Vec<(String, String)>) -> Result<BTreeMap<String, String>, Refusal> {
    let mut map = BTreeMap::new();
    for (key, value) in values {
        if map.insert(key, value).is_some() {
            return Err(Refusal("--value gives the same placeholder twice".into()));
        }
    }
    Ok(map)
}

pub fn call(profile: &Profile, tv: &Televisit, args: CallArgs, json: bool) -> Result<ExitCode> {
    match args.command {
        Some(CallCommand::Record(record)) => {
            record_launch(tv, record, json)?;
            Ok(ExitCode::SUCCESS)
        }
        None => plan(profile, tv, args.plan, json),
    }
}

fn plan(profile: &Profile, tv: &Televisit, args: PlanArgs, json: bool) -> Result<ExitCode> {
    let id = args.patient.context("a patient id is needed")?;
    let phone = TargetPhone::from_args(&args.target.phone);
    let video_row = args.target.video_row;
    if phone.platform == Platform::Ios && video_row.is_some() {
        return Ok(usage::refuse("televisit", "--video-row is for --platform android only"));
    }
    let message = match (args.message, values_map(args.values)) {
        (_, Err(refusal)) => return Ok(usage::refuse("televisit", &refusal.0)),
        (None, Ok(_)) => None,
        (Some(template), Ok(values)) => Some(MessageRequest { template, values }),
    };
    let book = profile.contact_book()?;
    // The desktop has no lock screen of its own: whoever runs the shell is already signed in to
    // the OS user's session, which stands for the phone's device credential. The core's app lock
    // lives in memory and every run of the shell starts locked, so each run unlocks it here.
    tv.unlock_succeeded();
    // As the phones' Call does: the contact made or put right when it is the one thing in the way.
    let preflight =
        tv.prepare_call(&book, &phone, &id).with_context(|| format!("the pre-flight for {id} did not run"))?;
    let view = |preflight: &Preflight, plan: Option<PlanView>, refused_message: Option<MessageView>| CallView {
        patient: id.to_string(),
        target: phone.view(video_row),
        preflight: PreflightView::from(preflight),
        plan,
        refused_message,
    };
    let heading = format!("Pre-flight for {id}, on {}:", call_view::target_text(&phone.view(video_row)));
    if preflight.blocked() {
        if json {
            print_json(&view(&preflight, None, None));
        } else {
            println!("{heading}");
            print!("{}", indent(&call_view::preflight_text(&preflight)));
            println!("{}", call_view::blocked_line(&preflight));
        }
        return Ok(ExitCode::from(FAILED_CHECK));
    }
    // Rendered here too, so that a message the policy refuses can be shown with its findings.
    let rendered = match &message {
        Some(request) => Some(tv.render_message(request).context("the message was not made")?),
        None => None,
    };
    let directory = video_row.map(KnownVideoRow);
    let planned = tv.launch_plan(
        &book,
        &phone,
        directory.as_ref().map(|d| d as &dyn WhatsAppDirectory),
        &id,
        phone.platform,
        message.as_ref(),
    );
    let plan = match (planned, &rendered) {
        (Ok(plan), _) => plan,
        (Err(err @ CoreError::InvalidInput { field: "message", .. }), Some(rendered))
            if !rendered.findings.is_empty() =>
        {
            if json {
                print_json(&view(&preflight, None, Some(MessageView::from(rendered))));
            } else {
                println!("{heading}");
                print!("{}", indent(&call_view::preflight_text(&preflight)));
                println!("\nThe pre-filled message:");
                print!("{}", indent(&call_view::message_text(rendered)));
            }
            eprintln!("televisit: error: no plan for {id}: {err}");
            return Ok(ExitCode::from(FAILED_CHECK));
        }
        (Err(err), _) => return Err(err).with_context(|| format!("no plan for {id}")),
    };
    if json {
        print_json(&view(&plan.preflight, Some(PlanView::from(&plan)), None));
    } else {
        println!("{heading}");
        print!("{}", indent(&call_view::preflight_text(&plan.preflight)));
        println!();
        print!("{}", call_view::plan_text(&plan));
        print!("{}", call_view::record_hint(&id, &plan));
    }
    Ok(ExitCode::SUCCESS)
}

fn record_launch(tv: &Televisit, args: RecordArgs, json: bool) -> Result<()> {
    let id = args.patient;
    let app: Option<WhatsAppApp> = args.app.map(Into::into);
    tv.record_launch(&id, args.attempt, app, args.ok)
        .with_context(|| format!("the attempt for {id} was not recorded"))?;
    if json {
        print_json(&serde_json::json!({
            "patient": id.to_string(),
            "attempt": args.attempt.code(),
            "succeeded": args.ok,
            "app": app.map(call_view::app_code),
        }));
    } else {
        let outcome = if args.ok { "opened" } else { "failed" };
        let with = app.map(|a| format!(" with {}", a.package())).unwrap_or_default();
        println!("{id}: {} {outcome}{with}; logged", args.attempt.code());
    }
    Ok(())
}

pub fn message(tv: &Televisit, args: MessageArgs, json: bool) -> Result<ExitCode> {
    let values = match values_map(args.values) {
        Ok(values) => values,
        Err(refusal) => return Ok(usage::refuse("televisit", &refusal.0)),
    };
    let request = MessageRequest { template: args.template, values };
    let rendered = tv.render_message(&request).context("the message was not made")?;
    if json {
        print_json(&MessageView::from(&rendered));
    } else {
        print!("{}", call_view::message_text(&rendered));
    }
    Ok(if rendered.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(FAILED_CHECK) })
}

pub fn disclosure(tv: &Televisit, args: DisclosureArgs, json: bool) -> Result<()> {
    if let Some(DisclosureCommand::Acknowledge) = args.command {
        tv.acknowledge_disclosure().context("the disclosure was not recorded")?;
    }
    let acknowledged = tv.disclosure_acknowledged()?;
    if json {
        print_json(&serde_json::json!({"text": DISCLOSURE, "acknowledged": acknowledged}));
    } else {
        println!("{DISCLOSURE}");
        if acknowledged {
            println!("status: acknowledged");
        } else {
            println!("status: not acknowledged yet (calls are held until: televisit disclosure acknowledge)");
        }
    }
    Ok(())
}

pub fn metrics(tv: &Televisit, args: MetricsArgs, json: bool) -> Result<()> {
    let days = tv.metrics(args.days)?;
    if json {
        print_json(&days);
    } else if days.is_empty() {
        println!("nothing counted in the last {} days", args.days);
    } else {
        print!("{}", call_view::metrics_table(&days));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{local_offset_minutes, parse_offset, Installed, PlatformArg, DEFAULT_WHATSAPP_VERSION};
    use clap::Parser;
    use televisit_core::DeviceFacts;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Top,
    }

    #[derive(Subcommand)]
    enum Top {
        Call(CallArgs),
        Message(MessageArgs),
        Disclosure(DisclosureArgs),
        Metrics(MetricsArgs),
    }

    const ID: &str = "pt_0123456789abcdef0123456789abcdef";

    fn parse(args: &[&str]) -> Result<Top, clap::Error> {
        Cli::try_parse_from([&["televisit"], args].concat()).map(|cli| cli.command)
    }

    fn call(args: &[&str]) -> CallArgs {
        match parse(&[&["call"], args].concat()) {
            Ok(Top::Call(call)) => call,
            Ok(_) => panic!("not a call"),
            Err(e) => panic!("{args:?}: {e}"),
        }
    }

    fn refused(args: &[&str]) -> clap::error::ErrorKind {
        match parse(args) {
            Ok(_) => panic!("{args:?} was accepted"),
            Err(e) => e.kind(),
        }
    }

    #[test]
    fn the_target_phone_defaults_to_android_with_whatsapp() {
        let args = call(&[ID]);
        assert!(args.command.is_none());
        assert_eq!(args.plan.patient.as_ref().map(|p| p.as_str()), Some(ID));
        assert_eq!(args.plan.target.phone.platform, PlatformArg::Android);
        assert_eq!(args.plan.target.phone.whatsapp, Installed::Consumer);
        assert_eq!(args.plan.target.phone.utc_offset_minutes, None);
        assert_eq!(args.plan.target.video_row, None);
        assert!(args.plan.message.is_none() && args.plan.values.is_empty());
        let phone = TargetPhone::from_args(&args.plan.target.phone);
        assert_eq!(phone.utc_offset_minutes, local_offset_minutes(), "the desktop's own offset");
        let snapshot = phone.snapshot();
        assert_eq!(snapshot.whatsapp.len(), 1);
        assert_eq!(snapshot.whatsapp[0].app, WhatsAppApp::Consumer);
        assert_eq!(snapshot.whatsapp[0].version, DEFAULT_WHATSAPP_VERSION);
        assert!(snapshot.passcode_set, "a test phone has a screen lock unless --passcode not-set");
    }

    #[test]
    fn every_flag_of_the_target_phone_is_read() {
        let args = call(&[
            ID,
            "--platform",
            "ios",
            "--whatsapp",
            "both",
            "--utc-offset-minutes",
            "-210",
            "--whatsapp-version",
            "2.24.10.77",
            "--passcode",
            "not-set",
            "--message",
            "video_call_at",
            "--value",
            "clinic=North Clinic",
            "--value",
            "time=a=b & c",
        ]);
        let target = &args.plan.target;
        assert_eq!(target.phone.platform, PlatformArg::Ios);
        assert_eq!(target.phone.whatsapp, Installed::Both);
        assert_eq!(target.phone.utc_offset_minutes, Some(-210));
        assert_eq!(args.plan.message, Some(TemplateId::VideoCallAt));
        assert_eq!(
            args.plan.values,
            vec![("clinic".to_owned(), "North Clinic".to_owned()), ("time".to_owned(), "a=b & c".to_owned())]
        );
        let snapshot = TargetPhone::from_args(&target.phone).snapshot();
        let apps: Vec<_> = snapshot.whatsapp.iter().map(|w| w.app).collect();
        assert_eq!(apps, [WhatsAppApp::Consumer, WhatsAppApp::Business]);
        assert_eq!(snapshot.utc_offset_minutes, -210);
        assert!(snapshot.whatsapp.iter().all(|w| w.version == "2.24.10.77"));
        assert!(!snapshot.passcode_set);

        let args = call(&[ID, "--whatsapp", "none", "--video-row", "42", "--utc-offset-minutes", "60"]);
        assert_eq!(args.plan.target.video_row, Some(42));
        assert!(TargetPhone::from_args(&args.plan.target.phone).snapshot().whatsapp.is_empty());
        assert_eq!(KnownVideoRow(42).video_call_row("any", WhatsAppApp::Business), Some(42));
        let view = TargetPhone::from_args(&args.plan.target.phone).view(Some(42));
        assert_eq!(view.whatsapp, Vec::<&str>::new());
        assert_eq!(view.video_row, Some(42));
    }

    #[test]
    fn call_record_is_a_subcommand_with_one_outcome() {
        let args = call(&["record", ID, "--attempt", "sync_then_video", "--failed", "--app", "business"]);
        let Some(CallCommand::Record(record)) = args.command else { panic!("not a record") };
        assert_eq!(record.patient.as_str(), ID);
        assert_eq!(record.attempt, AttemptKind::SyncThenVideo);
        assert!(record.failed && !record.ok);
        assert_eq!(record.app, Some(AppArg::Business));
        for kind in AttemptKind::ALL {
            let args = call(&["record", ID, "--attempt", kind.code(), "--ok"]);
            let Some(CallCommand::Record(record)) = args.command else { panic!() };
            assert_eq!(record.attempt, kind);
        }
        use clap::error::ErrorKind;
        assert_eq!(
            refused(&["call", "record", ID, "--attempt", "chat", "--ok", "--failed"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(refused(&["call", "record", ID, "--attempt", "chat"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(refused(&["call", "record", ID, "--attempt", "video", "--ok"]), ErrorKind::InvalidValue);
        assert_eq!(refused(&["call"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(refused(&["call", "Susan Smith"]), ErrorKind::ValueValidation);
        assert_eq!(refused(&["call", ID, "--value", "time=10:00"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(refused(&["call", ID, "--whatsapp", "signal"]), ErrorKind::InvalidValue);
        assert_eq!(refused(&["call", ID, "--passcode", "maybe"]), ErrorKind::InvalidValue);
        assert_eq!(refused(&["call", ID, "--whatsapp-version", "latest"]), ErrorKind::ValueValidation);
        assert_eq!(refused(&["call", ID, "--message", "diagnosis"]), ErrorKind::InvalidValue);
    }

    #[test]
    fn message_disclosure_and_metrics_parse() {
        let Ok(Top::Message(m)) = parse(&["message", "directions", "--value", "link=https://x.example/?a=1&b=2"])
        else {
            panic!()
        };
        assert_eq!(m.template, TemplateId::Directions);
        assert_eq!(m.values[0].1, "https://x.example/?a=1&b=2");
        for template in TemplateId::ALL {
            assert!(matches!(parse(&["message", template.code()]), Ok(Top::Message(m)) if m.template == template));
        }
        assert!(matches!(parse(&["disclosure"]), Ok(Top::Disclosure(DisclosureArgs { command: None }))));
        assert!(matches!(
            parse(&["disclosure", "acknowledge"]),
            Ok(Top::Disclosure(DisclosureArgs { command: Some(DisclosureCommand::Acknowledge) }))
        ));
        assert!(matches!(parse(&["metrics"]), Ok(Top::Metrics(MetricsArgs { days: 30 }))));
        assert!(matches!(parse(&["metrics", "--days", "7"]), Ok(Top::Metrics(MetricsArgs { days: 7 }))));
        assert_eq!(refused(&["metrics", "--days", "0"]), clap::error::ErrorKind::ValueValidation);
    }

    #[test]
    fn values_are_key_equals_value_and_refusals_do_not_quote_them() {
        assert_eq!(parse_value("time=10:30").unwrap(), ("time".into(), "10:30".into()));
        assert_eq!(parse_value("link=a=b").unwrap(), ("link".into(), "a=b".into()));
        assert_eq!(parse_value("clinic=").unwrap(), ("clinic".into(), String::new()));
        for bad in ["time", "=10:30", "Susan Smith=1", "ti me=1", "TIME=1", "+447700900123"] {
            let refusal = parse_value(bad).unwrap_err().to_string();
            assert!(refusal.starts_with("written like KEY=VALUE"), "{bad}: {refusal}");
            assert!(!refusal.contains("Susan") && !refusal.contains("447700"), "{refusal}");
        }
        let twice = values_map(vec![("time".into(), "1".into()), ("time".into(), "2".into())]);
        assert_eq!(twice.unwrap_err().0, "--value gives the same placeholder twice");
    }

    #[test]
    fn offsets_rows_and_days_are_range_checked() {
        assert_eq!(parse_offset("0").unwrap(), 0);
        assert_eq!(parse_offset("-720").unwrap(), -720);
        assert_eq!(parse_offset("840").unwrap(), 840);
        assert_eq!(parse_offset("330").unwrap(), 330);
        for bad in ["", "-", "841", "-721", "+60", "1.5", "60m", "99999999999", "٣"] {
            assert_eq!(parse_offset(bad).unwrap_err().0, "minutes east of UTC, from -720 to 840", "{bad}");
        }
        assert_eq!(parse_video_row("1").unwrap(), 1);
        assert_eq!(parse_video_row("9007199254740993").unwrap(), 9_007_199_254_740_993);
        for bad in ["", "0", "-4", "+4", "4x", "99999999999999999999"] {
            assert!(parse_video_row(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_days("3660").unwrap(), 3660);
        for bad in ["0", "3661", "-1", "x", ""] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_come_from_the_core() {
        for template in TemplateId::ALL {
            assert_eq!(TemplateId::from_code(template.code()), Some(template));
        }
        assert_eq!(TemplateId::from_code("VideoCallAt"), None);
        for kind in AttemptKind::ALL {
            assert_eq!(AttemptKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(AttemptKind::from_code("direct-video"), None);
    }
}
