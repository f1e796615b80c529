//! Remote wipe: IT signs a command for one device and enrollment; the device verifies it, wipes
//! crash-safely, and answers with a receipt signed by its own key.
//!
//! The pending marker is written to the secret store before anything else; each step is
//! idempotent and recorded in the marker as it completes; `resume_pending` runs at every start
//! and finishes a wipe that a crash or a kill interrupted.

use super::enrollment::{self, Enrollment, DEVICE_KEY, ENROLLMENT};
use super::envelope::{self, EnvelopeProblem, Kind, SigningKey};
use crate::contacts::{ContactBook, DeleteOutcome, ListScope};
use crate::error::{Error, Result};
use crate::secrets::{names, SecretStore};
use crate::store::remove_database_files;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const PENDING: &str = "televisit.wipe-pending.v1";
pub const RECEIPT: &str = "televisit.wipe-receipt.v1";
/// Command ids already carried out: kept across wipes, so that a command is never replayed.
pub const SEEN: &str = "televisit.wipe-seen.v1";
pub const COMMAND_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeScope {
    /// Televisit's patient contacts only.
    Contacts,
    /// The encrypted store (patients, log, checklist): its key and its files.
    Log,
    /// Both, and the device then forgets its key and enrollment.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeReason {
    Lost,
    Stolen,
    Left,
    Other,
    /// A local trigger (failed unlocks, offline too long, a compromised device).
    LocalTrigger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WipeCommand {
    pub v: u32,
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    /// Unix seconds.
    pub issued_at: i64,
    pub not_before: i64,
    pub expires_at: i64,
    pub scope: WipeScope,
    pub reason: WipeReason,
}

/// Each way a wipe command is refused; the refusal is logged as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeRefusal {
    Malformed,
    UnsupportedVersion,
    BadSignature,
    NotEnrolled,
    OtherDevice,
    OlderEnrollment,
    NotYetValid,
    Expired,
    Replayed,
}

impl WipeRefusal {
    pub fn code(self) -> &'static str {
        match self {
            WipeRefusal::Malformed => "malformed",
            WipeRefusal::UnsupportedVersion => "unsupported_version",
            WipeRefusal::BadSignature => "bad_signature",
            WipeRefusal::NotEnrolled => "not_enrolled",
            WipeRefusal::OtherDevice => "other_device",
            WipeRefusal::OlderEnrollment => "older_enrollment",
            WipeRefusal::NotYetValid => "not_yet_valid",
            WipeRefusal::Expired => "expired",
            WipeRefusal::Replayed => "replayed",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            WipeRefusal::Malformed => "the wipe command is damaged, truncated or not a wipe command",
            WipeRefusal::UnsupportedVersion => "the wipe command is in a format this app does not know",
            WipeRefusal::BadSignature => "the wipe command is not signed by this device's organisation",
            WipeRefusal::NotEnrolled => "this device is not enrolled, so it accepts no wipe command",
            WipeRefusal::OtherDevice => "the wipe command is for another device",
            WipeRefusal::OlderEnrollment => "the wipe command is for an earlier enrollment of this device",
            WipeRefusal::NotYetValid => "the wipe command is not valid yet",
            WipeRefusal::Expired => "the wipe command has expired",
            WipeRefusal::Replayed => "the wipe command was already carried out",
        }
    }
}

/// IT's side.
pub fn issue(org: &SigningKey, command: &WipeCommand) -> String {
    org.seal(Kind::Wipe, serde_json::to_string(command).expect("a command serialises").as_bytes())
}

/// Checks everything about a command, in an order that says the most useful thing first.
pub fn verify(secrets: &dyn SecretStore, text: &str, now: DateTime<Utc>) -> Result<WipeCommand> {
    let refuse = |reason: WipeRefusal| Error::WipeRefused { code: reason.code(), reason: reason.describe() };
    let opened = envelope::open(text, Kind::Wipe).map_err(|p| {
        refuse(match p {
            EnvelopeProblem::UnsupportedVersion => WipeRefusal::UnsupportedVersion,
            _ => WipeRefusal::Malformed,
        })
    })?;
    // A command already carried out says so, even on a device that a full wipe unenrolled.
    if let Ok(claimed) = serde_json::from_slice::<WipeCommand>(&opened.payload) {
        if seen(secrets)?.contains(&claimed.command_id) {
            return Err(refuse(WipeRefusal::Replayed));
        }
    }
    let enrollment = enrollment::load(secrets)?.ok_or_else(|| refuse(WipeRefusal::NotEnrolled))?;
    let payload = opened.verify(&enrollment.org_key).map_err(|_| refuse(WipeRefusal::BadSignature))?;
    let command: WipeCommand = serde_json::from_slice(&payload).map_err(|_| refuse(WipeRefusal::Malformed))?;
    if command.v != COMMAND_VERSION {
        return Err(refuse(WipeRefusal::UnsupportedVersion));
    }
    if command.device_id != enrollment.device_id {
        return Err(refuse(WipeRefusal::OtherDevice));
    }
    if command.enrollment_id != enrollment.enrollment_id {
        return Err(refuse(WipeRefusal::OlderEnrollment));
    }
    let now_s = now.timestamp();
    if now_s < command.not_before {
        return Err(refuse(WipeRefusal::NotYetValid));
    }
    if now_s >= command.expires_at {
        return Err(refuse(WipeRefusal::Expired));
    }
    Ok(command)
}

/// Verifies a command and marks the wipe pending, with no store open: for a device whose
/// database is damaged, missing or keyless. (With a store, `Televisit::receive_wipe` also logs.)
pub fn receive(secrets: &dyn SecretStore, text: &str, now: DateTime<Utc>) -> Result<WipeCommand> {
    let command = verify(secrets, text, now)?;
    start(secrets, command.clone())?;
    Ok(command)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    DeleteContacts,
    DestroyKey,
    DeleteFiles,
    WriteReceipt,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::DeleteContacts => "delete_contacts",
            Step::DestroyKey => "destroy_key",
            Step::DeleteFiles => "delete_files",
            Step::WriteReceipt => "write_receipt",
        }
    }
}

/// The key goes first: from that moment the data is unreadable, whatever is left to do (on a
/// slow phone, deleting thousands of contacts takes seconds; the key takes milliseconds).
/// Deleting contacts needs no database: they are found by their marker in the phone's book.
fn steps_for(scope: WipeScope) -> &'static [Step] {
    match scope {
        WipeScope::Contacts => &[Step::DeleteContacts, Step::WriteReceipt],
        WipeScope::Log => &[Step::DestroyKey, Step::DeleteFiles, Step::WriteReceipt],
        WipeScope::All => &[Step::DestroyKey, Step::DeleteContacts, Step::DeleteFiles, Step::WriteReceipt],
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDone {
    pub step: Step,
    pub count: u32,
    pub failed: u32,
}

/// The marker: what is being wiped, and which steps are done. Written before the first step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    command: WipeCommand,
    done: Vec<StepDone>,
}

/// What the device tells IT, signed with its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub v: u32,
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    pub scope: WipeScope,
    pub reason: WipeReason,
    pub completed_at: i64,
    pub steps: Vec<StepDone>,
    /// base64url Ed25519 key that signed this receipt: IT compares it with the one recorded at enrollment.
    pub device_key: String,
}

/// A crash injected after a step, for the fault-injection tests (absent from release builds).
#[cfg(any(test, feature = "testing"))]
pub mod fault {
    use super::Step;
    use std::cell::Cell;

    thread_local! {
        pub static CRASH_AFTER: Cell<Option<Step>> = const { Cell::new(None) };
    }

    pub fn crash_after(step: Option<Step>) {
        CRASH_AFTER.with(|c| c.set(step));
    }
}

fn injected_crash(_step: Step) -> Result<()> {
    #[cfg(any(test, feature = "testing"))]
    if fault::CRASH_AFTER.with(|c| c.get()) == Some(_step) {
        return Err(Error::Storage(format!("injected crash after {}", _step.code())));
    }
    Ok(())
}

/// Starts a verified command: marker first, the command id remembered, then the steps.
pub(crate) fn start(secrets: &dyn SecretStore, command: WipeCommand) -> Result<()> {
    let pending = Pending { command, done: Vec::new() };
    save_pending(secrets, &pending)?;
    let mut ids = seen(secrets)?;
    ids.push(pending.command.command_id.clone());
    secrets.put(SEEN, serde_json::to_string(&ids).expect("ids serialise").as_bytes())?;
    Ok(())
}

/// A wipe the device decides itself (a local trigger): no signature, the same steps and receipt.
pub(crate) fn start_local(secrets: &dyn SecretStore, now: DateTime<Utc>) -> Result<WipeCommand> {
    let enrolled = enrollment::load(secrets)?;
    let command = WipeCommand {
        v: COMMAND_VERSION,
        device_id: enrolled.as_ref().map_or_else(|| "unenrolled".to_owned(), |e| e.device_id.clone()),
        enrollment_id: enrolled.as_ref().map_or_else(|| "unenrolled".to_owned(), |e| e.enrollment_id.clone()),
        command_id: enrollment::random_id("loc")?,
        issued_at: now.timestamp(),
        not_before: now.timestamp(),
        expires_at: now.timestamp(),
        scope: WipeScope::All,
        reason: WipeReason::LocalTrigger,
    };
    start(secrets, command.clone())?;
    Ok(command)
}

/// Carries out (or finishes) the pending wipe, if any; returns the receipt text once written.
pub fn resume_pending(
    path: &Path,
    secrets: &dyn SecretStore,
    book: &dyn ContactBook,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let Some(mut pending) = load_pending(secrets)? else {
        return Ok(None);
    };
    for &step in steps_for(pending.command.scope) {
        if pending.done.iter().any(|d| d.step == step) {
            continue;
        }
        let (count, failed) = run_step(step, path, secrets, book, &pending, now)?;
        pending.done.push(StepDone { step, count, failed });
        save_pending(secrets, &pending)?;
        injected_crash(step)?;
    }
    Ok(secrets.get(RECEIPT)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

fn run_step(
    step: Step,
    path: &Path,
    secrets: &dyn SecretStore,
    book: &dyn ContactBook,
    pending: &Pending,
    now: DateTime<Utc>,
) -> Result<(u32, u32)> {
    match step {
        Step::DeleteContacts => {
            // Every contact that carries Televisit's marker: the database may already be gone.
            let ids: Vec<String> = book.list(ListScope::Owned)?.into_iter().map(|c| c.platform_id).collect();
            if ids.is_empty() {
                return Ok((0, 0));
            }
            let outcomes = book.delete(&ids);
            let deleted = outcomes.iter().filter(|o| **o == DeleteOutcome::Deleted).count() as u32;
            let failed = outcomes.iter().filter(|o| matches!(o, DeleteOutcome::Failed(_))).count() as u32;
            Ok((deleted, failed))
        }
        Step::DestroyKey => {
            let had = secrets.get(names::DATA_KEY)?.is_some();
            secrets.delete(names::DATA_KEY)?;
            Ok((u32::from(had), 0))
        }
        Step::DeleteFiles => Ok((remove_database_files(path), 0)),
        Step::WriteReceipt => {
            let key = enrollment::device_key(secrets)?;
            let receipt = Receipt {
                v: COMMAND_VERSION,
                device_id: pending.command.device_id.clone(),
                enrollment_id: pending.command.enrollment_id.clone(),
                command_id: pending.command.command_id.clone(),
                scope: pending.command.scope,
                reason: pending.command.reason,
                completed_at: now.timestamp(),
                steps: pending.done.clone(),
                device_key: key.public_key(),
            };
            let text =
                key.seal(Kind::Receipt, serde_json::to_string(&receipt).expect("a receipt serialises").as_bytes());
            secrets.put(RECEIPT, text.as_bytes())?;
            Ok((1, 0))
        }
    }
}

/// The receipt reached IT (or the shell handed it on): forget it, the marker, and after a
/// full wipe the device key and the enrollment.
pub fn receipt_taken(secrets: &dyn SecretStore) -> Result<()> {
    let Some(pending) = load_pending(secrets)? else {
        return Ok(());
    };
    if !pending.done.iter().any(|d| d.step == Step::WriteReceipt) {
        return Err(Error::invalid("wipe receipt", "the wipe has not finished yet"));
    }
    if pending.command.scope == WipeScope::All {
        secrets.delete(DEVICE_KEY)?;
        secrets.delete(ENROLLMENT)?;
    }
    secrets.delete(RECEIPT)?;
    secrets.delete(PENDING)?;
    Ok(())
}

/// IT's side: checks a receipt's signature and, when given, that the key is the device's.
pub fn verify_receipt(text: &str, expected_device_key: Option<&str>) -> Result<Receipt> {
    let opened = envelope::open(text, Kind::Receipt).map_err(|p| enrollment::refused("wipe receipt", p))?;
    let receipt: Receipt = serde_json::from_slice(&opened.payload)
        .map_err(|_| Error::invalid("wipe receipt", "does not hold a receipt"))?;
    opened.verify(&receipt.device_key).map_err(|p| enrollment::refused("wipe receipt", p))?;
    if expected_device_key.is_some_and(|k| k != receipt.device_key) {
        return Err(Error::invalid("wipe receipt", "is signed by another device's key than the one enrolled"));
    }
    Ok(receipt)
}

pub fn pending_command(secrets: &dyn SecretStore) -> Result<Option<WipeCommand>> {
    Ok(load_pending(secrets)?.map(|p| p.command))
}

fn load_pending(secrets: &dyn SecretStore) -> Result<Option<Pending>> {
    match secrets.get(PENDING)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| Error::SecretStore("the pending wipe marker is unreadable".into())),
    }
}

fn save_pending(secrets: &dyn SecretStore, pending: &Pending) -> Result<()> {
    secrets.put(PENDING, serde_json::to_string(pending).expect("a marker serialises").as_bytes())?;
    Ok(())
}

fn seen(secrets: &dyn SecretStore) -> Result<Vec<String>> {
    match secrets.get(SEEN)? {
        None => Ok(Vec::new()),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|_| Error::SecretStore("the list of wipe commands seen is unreadable".into())),
    }
}

/// The enrollment a command must match, for callers that have one.
pub fn enrollment(secrets: &dyn SecretStore) -> Result<Option<Enrollment>> {
    enrollment::load(secrets)
}
