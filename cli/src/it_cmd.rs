//! IT's side on the desktop: `televisit enroll`, `status`, `policy apply`, `wipe apply` and
//! `log export`, and the pending wipe that every start finishes before anything else.
//!
//! Messages from IT (an enrollment code, a signed policy, a wipe command) are given as the text
//! itself, as a file holding it, or as `-` for stdin.
//!
//! A wipe's receipt reaches IT through this shell's output: on the desktop that is the channel
//! (on phones, managed app feedback). The receipt is printed when the wipe finishes, and the core
//! keeps it (`televisit status --report` shows it again) until a bulletin, IT's signed word,
//! confirms IT holds it: output that went nowhere loses nothing.
//!
//! With `--json` that receipt is a JSON document of its own, printed before the command's output
//! (a stream of two documents, as `jq` reads them).
//!
//! Exit codes: 0 done; 1 an error (a refused enrollment code or signed policy among them); 2
//! usage; 3 a refused wipe command, with the core's reason for it (nothing is wiped).

use crate::it_view::{
    self, EnrolledView, ExportView, PhoneView, PolicyAppliedView, RefusalView, StatusView, TriggersView, WipeCause,
};
use crate::phone::{PhoneArgs, TargetPhone};
use crate::profile::Profile;
use crate::view::print_json;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use televisit_core::it::enrollment::read_enroll_code;
use televisit_core::it::envelope;
use televisit_core::it::triggers::TriggerState;
use televisit_core::it::wipe;
use televisit_core::{Error as CoreError, Televisit};

/// Exit code of a refused wipe command.
pub const REFUSED: u8 = 3;

#[derive(Args)]
pub struct EnrollArgs {
    /// The enrollment code IT gives (`televisit-admin enroll-code`): the text, a file holding it, or - for stdin.
    #[arg(value_name = "CODE|FILE")]
    code: String,
}

#[derive(Subcommand)]
pub enum WipeCommand {
    /// Verify a wipe command from IT and carry it out; prints the receipt signed by this device, for
    /// IT. A refused command exits 3 with its reason, and nothing is wiped.
    Apply {
        /// The command (`televisit-admin wipe issue`): the text, a file holding it, or - for stdin.
        #[arg(value_name = "TOKEN|FILE")]
        command: String,
    },
}

const STATUS_HELP: &str = "The desktop has no WhatsApp and no lock screen: --platform, --whatsapp, --whatsapp-version, \
--passcode and --compromised describe the phone the checklist status and the local triggers are for. The local triggers \
are evaluated as a phone does at each start: a policy that wipes a compromised device (wipe_triggers.rooted_device = \
wipe) makes this device wipe itself here, and the receipt is printed.";

#[derive(Args)]
#[command(after_help = STATUS_HELP)]
pub struct StatusArgs {
    /// The phone reports itself rooted or jailbroken: the policy's local trigger blocks it, or wipes it.
    #[arg(long)]
    compromised: bool,
    /// Print the signed device report (as a phone publishes it through its MDM) instead.
    #[arg(long)]
    report: bool,
    /// With --report: its QR code as well, drawn in the terminal (what a phone's Settings shows).
    #[arg(long, requires = "report")]
    qr: bool,
    // Last: its help heading would hold for the flags after it.
    #[command(flatten)]
    target: StatusPhone,
}

/// The phone the status is for.
#[derive(Args)]
#[command(next_help_heading = "The phone the status is for (the desktop has no WhatsApp)")]
pub struct StatusPhone {
    #[command(flatten)]
    phone: PhoneArgs,
}

/// A message from IT: the text itself, a file holding it, or `-` (stdin). A little more than the
/// longest message is read at most: the core refuses anything longer as far too long.
pub fn read_message(value: &str) -> Result<String> {
    let limit = envelope::MAX_LEN as u64 + 1;
    let mut bytes = Vec::new();
    if value == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes).context("cannot read stdin")?;
    } else {
        let path = Path::new(value);
        if value.len() > 4096 || !path.is_file() {
            return Ok(value.to_owned());
        }
        fs::File::open(path)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .map_err(|e| anyhow!("cannot read the file given: {}", e.kind()))?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// An enrollment code or a signed policy given as a path that is not there reads as the text
/// itself; say so instead of calling a file name a damaged message.
pub fn message_or_file(value: &str, what: &str) -> Result<String> {
    let text = read_message(value)?;
    if !text.trim_start().starts_with("tv") {
        if value != "-" && value.len() <= 4096 && Path::new(value).is_file() {
            bail!("{value} does not hold a Televisit message (they start with tv1.), so it is no {what}");
        }
        bail!("the {what} is neither a file nor a Televisit message (they start with tv1.)");
    }
    Ok(text)
}

pub fn enroll(profile: &Profile, tv: &Televisit, args: EnrollArgs, json: bool) -> Result<()> {
    let code = message_or_file(&args.code, "enrollment code")?;
    let view = enroll_with(profile, tv, &code)?;
    if json {
        print_json(&view);
    } else {
        print!("{}", it_view::enrolled_text(&view));
    }
    Ok(())
}

/// Enrolls, refusing first a code whose policy is older than the one in force (the core would
/// record the new enrollment before finding that out).
pub fn enroll_with(profile: &Profile, tv: &Televisit, code: &str) -> Result<EnrolledView> {
    // A code this phone cannot read (another organisation's, damaged) is the core's to refuse,
    // with its reason.
    let held = televisit_core::it::keyset::current(&profile.secrets)?;
    if let Ok(read) = read_enroll_code(code, held.as_ref()) {
        let current = tv.policy()?.version;
        if read.policy.policy.version < current {
            return Err(CoreError::PolicyOutdated { offered: read.policy.policy.version, current })
                .context("the enrollment code's policy is older than the policy in force; nothing was changed");
        }
    }
    let before = tv.enrollment(&profile.secrets)?;
    let enrollment = tv.enroll(&profile.secrets, code)?;
    let (_, device_key) = tv.enrollment(&profile.secrets)?.context("the enrollment was not kept")?;
    Ok(EnrolledView {
        org: enrollment.org_name,
        device_id: enrollment.device_id,
        enrollment_id: enrollment.enrollment_id,
        enrolled_at: it_view::time(chrono::DateTime::from_timestamp(enrollment.enrolled_at, 0)).unwrap_or_default(),
        device_key,
        policy_version: tv.policy()?.version,
        re_enrolled: before.is_some(),
    })
}

pub fn policy_apply(profile: &Profile, tv: &Televisit, signed: &str, json: bool) -> Result<()> {
    let text = message_or_file(signed, "signed policy")?;
    let view = apply_signed(profile, tv, &text)?;
    if json {
        print_json(&view);
    } else {
        print!("{}", it_view::policy_applied_text(&view));
    }
    Ok(())
}

/// Applies a signed policy; an older version is refused, and says the policy in force stays.
pub fn apply_signed(profile: &Profile, tv: &Televisit, text: &str) -> Result<PolicyAppliedView> {
    let policy = match tv.apply_signed_policy(&profile.secrets, text) {
        Err(err @ CoreError::PolicyOutdated { .. }) => bail!("{err}: it was not applied, the policy in force stays"),
        other => other?,
    };
    Ok(PolicyAppliedView { applied: true, signed: true, version: policy.version, organisation: policy.organisation })
}

pub fn status(profile: &Profile, tv: Televisit, args: StatusArgs, json: bool) -> Result<ExitCode> {
    if args.report {
        return crate::report_cmd::report(profile, &tv, args.qr, json);
    }
    let mut phone = TargetPhone::from_args(&args.target.phone);
    phone.compromised = args.compromised;
    let (view, state) = status_of(profile, &tv, &phone)?;
    if json {
        print_json(&view);
    } else {
        print!("{}", it_view::status_text(&view));
    }
    if let TriggerState::Wipe { reason } = state {
        // The trigger wrote the pending marker; the store is closed before the wipe removes it.
        drop(tv);
        if let Some(receipt) = profile.resume_pending_wipe()? {
            deliver_receipt(&receipt, WipeCause::LocalTrigger(reason), json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The device's status, with its local triggers evaluated (as a phone does at each start: a wipe
/// trigger marks the wipe pending, which the caller then carries out).
pub fn status_of(profile: &Profile, tv: &Televisit, phone: &TargetPhone) -> Result<(StatusView, TriggerState)> {
    let enrollment = tv.enrollment(&profile.secrets)?;
    let policy = tv.policy()?;
    let checklist = tv.checklist_status(Some(phone))?;
    let last_checkin = if enrollment.is_some() { tv.last_checkin(&profile.secrets)? } else { None };
    let state = tv.evaluate_triggers(&profile.secrets, phone)?;
    let pending_wipe = wipe::pending_command(&profile.secrets)?.is_some();
    let (e, key) = match enrollment {
        Some((e, key)) => (Some(e), Some(key)),
        None => (None, None),
    };
    let view = StatusView {
        enrolled: e.is_some(),
        org: e.as_ref().map(|e| e.org_name.clone()),
        device_id: e.as_ref().map(|e| e.device_id.clone()),
        enrollment_id: e.as_ref().map(|e| e.enrollment_id.clone()),
        enrolled_at: e.as_ref().and_then(|e| it_view::time(chrono::DateTime::from_timestamp(e.enrolled_at, 0))),
        device_key: key,
        policy_version: policy.version,
        policy_organisation: policy.organisation,
        last_checkin: it_view::time(last_checkin),
        checklist: crate::checklist_view::status_code(checklist),
        app_lock: "not_applicable",
        triggers: TriggersView::from(&state),
        pending_wipe,
        receipt_held: wipe::held_receipt(&profile.secrets)?.map(|held| held.command_id),
        key_set: tv.key_set(&profile.secrets)?.as_ref().map(it_view::KeySetView::from),
        phone: PhoneView { target: phone.view(None), compromised: phone.compromised },
    };
    Ok((view, state))
}

/// What became of a wipe command.
pub enum WipeOutcome {
    /// Refused by the core, with its reason; nothing was wiped.
    Refused { code: &'static str, reason: &'static str },
    /// Verified and carried out: the signed receipt, not yet handed on.
    Done { receipt: String },
}

/// Verifies a command and carries it out: the store is opened to log the verdict, closed, and
/// the wipe run. A profile without a store (wiped already, or never used) is not given one just
/// to refuse a command: it is verified from the secret store alone.
pub fn apply_wipe(profile: &Profile, command: &str) -> Result<WipeOutcome> {
    let verdict = if profile.database().exists() {
        let tv = profile.open()?;
        let verdict = tv.receive_wipe(&profile.secrets, command);
        drop(tv);
        verdict
    } else {
        match wipe::verify(&profile.secrets, command) {
            Ok(_) => {
                let tv = profile.open()?;
                let verdict = tv.receive_wipe(&profile.secrets, command);
                drop(tv);
                verdict
            }
            Err(err) => Err(err),
        }
    };
    match verdict {
        Err(CoreError::WipeRefused { code, reason }) => Ok(WipeOutcome::Refused { code, reason }),
        Err(err) => Err(err.into()),
        Ok(_) => match profile.resume_pending_wipe()? {
            Some(receipt) => Ok(WipeOutcome::Done { receipt }),
            None => bail!("the wipe was accepted but left no receipt"),
        },
    }
}

pub fn wipe(profile: &Profile, command: WipeCommand, json: bool) -> Result<ExitCode> {
    let WipeCommand::Apply { command } = command;
    let token = read_message(&command)?;
    match apply_wipe(profile, &token)? {
        WipeOutcome::Refused { code, reason } => {
            if json {
                print_json(&RefusalView { applied: false, refused: code, reason });
            }
            eprintln!("televisit: {}", it_view::refusal_line(code, reason));
            Ok(ExitCode::from(REFUSED))
        }
        WipeOutcome::Done { receipt } => {
            deliver_receipt(&receipt, WipeCause::Applied, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints a wipe's receipt (text or JSON). The core keeps it until IT's bulletin confirms it.
pub fn deliver_receipt(receipt: &str, cause: WipeCause, json: bool) -> Result<()> {
    let view = it_view::receipt_view(receipt, cause);
    let text = if json { format!("{}\n", serde_json::to_string_pretty(&view)?) } else { it_view::receipt_text(&view) };
    deliver_receipt_text(&text)
}

/// Writes `text`, which carries a receipt, to stdout: the desktop's channel to IT.
pub fn deliver_receipt_text(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| {
        anyhow!(
            "the wipe receipt could not be written to the output ({}); it is kept: `televisit status --report` shows it",
            e.kind()
        )
    })
}

/// Every start, before the store is opened: a wipe left pending (by a kill, a crash, a local
/// trigger) is finished, and its receipt printed, before the command runs.
pub fn finish_pending_wipe(profile: &Profile, json: bool) -> Result<()> {
    let receipt =
        profile.resume_pending_wipe().context("a pending wipe could not be finished, so nothing else was done")?;
    if let Some(receipt) = receipt {
        deliver_receipt(&receipt, WipeCause::PendingAtStart, json)?;
    }
    Ok(())
}

pub fn log_export(profile: &Profile, tv: &Televisit, args: &ExportArgs, json: bool) -> Result<()> {
    let view = export_to(profile, tv, &args.out, args.all)?;
    if json {
        print_json(&view);
    } else {
        print!("{}", it_view::export_text(&view));
    }
    Ok(())
}

/// Seals the log to the organisation and writes it to a new 0600 file (never over another file).
/// Seals the log's entries since IT's confirmation (all with `whole`) and writes them to a new
/// 0600 file (never over another file).
pub fn export_to(profile: &Profile, tv: &Televisit, out: &Path, whole: bool) -> Result<ExportView> {
    // Checked before the export is made and logged.
    if out.symlink_metadata().is_ok() {
        bail!("the file given already exists; an export is never written over a file");
    }
    let made = tv.export_log(&profile.secrets, whole)?;
    let org = tv.enrollment(&profile.secrets)?.map(|(e, _)| e.org_name).unwrap_or_default();
    write_new_private(out, &made.sealed)?;
    Ok(ExportView {
        file: out.display().to_string(),
        entries: made.entries,
        first_seq: made.from_seq.saturating_add(1),
        through_seq: made.through_seq,
        whole: made.whole,
        bytes: made.sealed.len(),
        org,
    })
}

fn write_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| anyhow!("cannot create the export file: {}", e.kind()))?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        bail!("cannot write the export file: {}", e.kind());
    }
    Ok(())
}

/// `log export --out FILE [--all]`.
#[derive(Args)]
pub struct ExportArgs {
    /// The file to write (it must not exist): age-encrypted to the organisation's export key, mode 0600.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Every entry the log holds, rather than those after the last one IT confirmed archiving.
    #[arg(long)]
    pub all: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_the_text_or_a_file_read_no_further_than_the_longest_message() {
        assert_eq!(read_message("tv1.wipe.e30.AAAA").unwrap(), "tv1.wipe.e30.AAAA");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("command.txt");
        fs::write(&file, "tv1.wipe.e30.AAAA\n").unwrap();
        assert_eq!(read_message(file.to_str().unwrap()).unwrap(), "tv1.wipe.e30.AAAA\n");
        fs::write(&file, "A".repeat(3 * envelope::MAX_LEN)).unwrap();
        assert_eq!(read_message(file.to_str().unwrap()).unwrap().len(), envelope::MAX_LEN + 1);
        // A path that is not there is read as the text; the core then says what is wrong with it.
        let missing = dir.path().join("missing.txt");
        assert_eq!(read_message(missing.to_str().unwrap()).unwrap(), missing.to_str().unwrap());
        let err = message_or_file(missing.to_str().unwrap(), "signed policy").unwrap_err().to_string();
        assert_eq!(err, "the signed policy is neither a file nor a Televisit message (they start with tv1.)");
    }
}
