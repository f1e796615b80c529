//! Remote wipe: IT signs a command for one device and enrollment; the device verifies it, wipes
//! crash-safely, and answers with a receipt signed by its own key.
//!
//! The pending marker is written to the secret store before anything else; each step is
//! idempotent and recorded in the marker as it completes; `resume_pending` runs at every start
//! and finishes a wipe that a crash or a kill interrupted.
//!
//! The receipt is then *held*: the shells publish it at every check-in, under the same key, and
//! the core forgets it (with the marker, and after a full wipe the device key and enrollment)
//! only when a bulletin, IT's signed word, confirms it holds that receipt (`confirm`). A send
//! returning proves nothing: an MDM may drop what the app hands it, and the desktop's output may
//! go nowhere.

use super::checkin;
use super::enrollment::{self, Enrollment, DEVICE_KEY, ENROLLMENT};
use super::envelope::{self, EnvelopeProblem, Kind};
use crate::contacts::{delete_owned, ContactBook, ContactBookError};
use crate::error::{Error, Result};
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::secrets::{names, SecretStore};
use crate::store::remove_database_files;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
pub use televisit_protocol::wipe::{
    claimed_command_id, command_signature, issue, open_command, seal_receipt, verify_receipt, Cancel, Receipt, Step,
    StepDone, WipeCommand, WipeReason, WipeRefusal, WipeScope, COMMAND_VERSION, MAX_MERGED,
};

pub const PENDING: &str = "televisit.wipe-pending.v1";
pub const RECEIPT: &str = "televisit.wipe-receipt.v1";
/// The device and enrollment a local wipe names on a device that no organisation enrolled.
const UNENROLLED: &str = "unenrolled";
/// Command ids already carried out: kept across wipes, so that a command is never replayed.
pub const SEEN: &str = "televisit.wipe-seen.v1";
/// Command ids IT cancelled, as bulletins said: refused from then on (the newest kept).
pub const CANCELLED: &str = "televisit.wipe-cancelled.v1";
/// How many cancelled command ids a phone keeps: more than a bulletin carries at once.
const MAX_CANCELLED_KEPT: usize = 1000;

/// Checks everything about a command, in an order that says the most useful thing first.
pub fn verify(secrets: &dyn SecretStore, text: &str) -> Result<WipeCommand> {
    let refuse = |reason: WipeRefusal| Error::WipeRefused { code: reason.code(), reason: reason.describe() };
    let enrollment = enrollment::load(secrets)?;
    let Some(enrollment) = enrollment else {
        // Say what is wrong with the form first: a damaged command is damaged, enrolled or not.
        // A command already carried out says so, even on a device that a full wipe unenrolled
        // (it has no key left to check the signature with, and wipes nothing either way).
        return Err(refuse(match envelope::open(text, Kind::Wipe) {
            Err(EnvelopeProblem::UnsupportedVersion) => WipeRefusal::UnsupportedVersion,
            Err(_) => WipeRefusal::Malformed,
            Ok(_) if claimed_command_id(text).is_some_and(|id| seen(secrets).is_ok_and(|ids| ids.contains(&id))) => {
                WipeRefusal::Replayed
            }
            Ok(_) => WipeRefusal::NotEnrolled,
        }));
    };
    // The signature first: a forged command that reuses a seen id is a forgery, not a replay.
    let keys = super::keyset::current(secrets)?.ok_or_else(|| refuse(WipeRefusal::NotEnrolled))?;
    let command = open_command(text, &keys).map_err(refuse)?;
    match refusal_for(secrets, &enrollment, &command, None)? {
        Some(reason) => Err(refuse(reason)),
        None => Ok(command),
    }
}

/// What is wrong with a verified command on this device, if anything, in the order that says
/// the most useful thing first: carried out already, another device, another enrollment, not yet
/// valid, expired. A single command and a bulletin's entry are judged alike.
pub(crate) fn refusal_for(
    secrets: &dyn SecretStore,
    enrollment: &Enrollment,
    command: &WipeCommand,
    vouched_at: Option<i64>,
) -> Result<Option<WipeRefusal>> {
    // A command's window is judged against times IT signed, never the phone's clock: its holder
    // can set that either way, and either way would turn a wipe away (ahead, past its expiry;
    // behind, before it is valid). The time is the newest IT vouched for that the phone has
    // seen: its last check-in, the bulletin that carries the command, the command's own issue.
    let signed_now = [checkin::last_checkin(secrets)?.map(|t| t.timestamp()), vouched_at, Some(command.issued_at)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(command.issued_at);
    Ok(if seen(secrets)?.contains(&command.command_id) {
        Some(WipeRefusal::Replayed)
    } else if cancelled(secrets)?.contains(&command.command_id) {
        Some(WipeRefusal::Cancelled)
    } else if command.device_id != enrollment.device_id {
        Some(WipeRefusal::OtherDevice)
    } else if command.enrollment_id != enrollment.enrollment_id {
        Some(WipeRefusal::OlderEnrollment)
    } else if signed_now < command.not_before {
        Some(WipeRefusal::NotYetValid)
    } else if signed_now >= command.expires_at {
        Some(WipeRefusal::Expired)
    } else {
        None
    })
}

/// Verifies a command and marks the wipe pending, with no store open: for a device whose
/// database is damaged, missing or keyless. (With a store, `Televisit::receive_wipe` also logs.)
pub fn receive(secrets: &dyn SecretStore, text: &str) -> Result<WipeCommand> {
    let command = verify(secrets, text)?;
    start(secrets, command.clone())?;
    Ok(command)
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

/// The marker: what is being wiped, and which steps are done. Written before the first step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    command: WipeCommand,
    done: Vec<StepDone>,
    /// Commands that arrived while this one was pending (their scope joined `command.scope`).
    #[serde(default)]
    merged: Vec<String>,
}

impl Pending {
    /// A second command joins the wipe under way: the wider scope wins, the steps already done
    /// stay done (each is idempotent), and a receipt already written is written again, so that
    /// it covers the new command and any step the wider scope adds.
    fn merge(&mut self, command: &WipeCommand) {
        self.command.scope = self.command.scope.union(command.scope);
        // Past the most a receipt can name, a command still widens the wipe (its id is seen, so
        // it never runs again) but goes unnamed: no fleet sends a phone that many.
        let named = self.command.command_id == command.command_id || self.merged.contains(&command.command_id);
        if !named && self.merged.len() < MAX_MERGED {
            self.merged.push(command.command_id.clone());
        }
        self.done.retain(|d| d.step != Step::WriteReceipt);
    }
}

/// A crash injected after a step, for the fault-injection tests (absent from release builds).
#[cfg(any(test, feature = "testing"))]
pub mod fault {
    use super::Step;
    use std::cell::Cell;

    thread_local! {
        pub static CRASH_AFTER: Cell<Option<Step>> = const { Cell::new(None) };
        pub static CRASH_BEFORE_SEEN: Cell<bool> = const { Cell::new(false) };
    }

    pub fn crash_before_seen(crash: bool) {
        CRASH_BEFORE_SEEN.with(|c| c.set(crash));
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

/// Starts a verified command: the marker, then the command's id among those seen, then (at
/// `resume_pending`) the steps. A crash between the two writes leaves the wipe pending (it goes
/// ahead at the next start, which records the id first), never a command remembered as carried
/// out with no wipe to show for it. A command that arrives while a wipe is pending is merged
/// into it (`Pending::merge`), never overwriting its progress.
pub(crate) fn start(secrets: &dyn SecretStore, command: WipeCommand) -> Result<()> {
    let id = command.command_id.clone();
    let pending = match load_pending(secrets)? {
        Some(mut pending) => {
            pending.merge(&command);
            pending
        }
        None => Pending { command, done: Vec::new(), merged: Vec::new() },
    };
    save_pending(secrets, &pending)?;
    injected_crash_between_marker_and_seen()?;
    remember_seen(secrets, [id.as_str()])
}

/// Adds command ids to those seen (kept across wipes, so that none is carried out twice).
fn remember_seen<'a>(secrets: &dyn SecretStore, ids: impl IntoIterator<Item = &'a str>) -> Result<()> {
    add_ids(secrets, SEEN, "seen", ids, usize::MAX)
}

/// A list of command ids kept in the secret store (`SEEN`, `CANCELLED`).
fn read_ids(secrets: &dyn SecretStore, name: &str, what: &str) -> Result<Vec<String>> {
    match secrets.get(name)? {
        None => Ok(Vec::new()),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|_| Error::SecretStore(format!("the list of wipe commands {what} is unreadable"))),
    }
}

/// Adds the ids not yet in the list, keeping its newest `keep`; written only when it changed.
fn add_ids<'a>(
    secrets: &dyn SecretStore,
    name: &str,
    what: &str,
    ids: impl IntoIterator<Item = &'a str>,
    keep: usize,
) -> Result<()> {
    let mut known = read_ids(secrets, name, what)?;
    let before = known.len();
    for id in ids {
        if !known.iter().any(|k| k == id) {
            known.push(id.to_owned());
        }
    }
    if known.len() != before {
        let drop = known.len().saturating_sub(keep);
        known.drain(..drop);
        secrets.put(name, &serde_json::to_vec(&known)?)?;
    }
    Ok(())
}

fn injected_crash_between_marker_and_seen() -> Result<()> {
    #[cfg(any(test, feature = "testing"))]
    if fault::CRASH_BEFORE_SEEN.with(|c| c.get()) {
        return Err(Error::Storage("injected crash between the pending marker and the seen list".into()));
    }
    Ok(())
}

/// A wipe the device decides itself (a local trigger): no signature, the same steps and receipt.
pub(crate) fn start_local(secrets: &dyn SecretStore, now: DateTime<Utc>) -> Result<WipeCommand> {
    let enrolled = enrollment::load(secrets)?;
    let command = WipeCommand {
        v: COMMAND_VERSION,
        device_id: enrolled.as_ref().map_or_else(|| UNENROLLED.to_owned(), |e| e.device_id.clone()),
        enrollment_id: enrolled.as_ref().map_or_else(|| UNENROLLED.to_owned(), |e| e.enrollment_id.clone()),
        command_id: enrollment::random_id("loc")?,
        issued_at: now.timestamp(),
        not_before: now.timestamp(),
        expires_at: now.timestamp(),
        scope: WipeScope::All,
        reason: WipeReason::LocalTrigger,
        signed_by: None,
    };
    start(secrets, command.clone())?;
    Ok(command)
}

/// Carries out (or finishes) the pending wipe, if any; returns the receipt held for IT (just
/// written, or written earlier and not yet confirmed), which the shell publishes again.
pub fn resume_pending(
    path: &Path,
    secrets: &dyn SecretStore,
    book: &dyn ContactBook,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let Some(mut pending) = load_pending(secrets)? else {
        return Ok(None);
    };
    // A crash may have come between the marker and the seen list (`start`): the ids go in now,
    // before anything is wiped, so that none of these commands can run a second time.
    let ids = std::iter::once(pending.command.command_id.as_str()).chain(pending.merged.iter().map(String::as_str));
    remember_seen(secrets, ids)?;
    for &step in steps_for(pending.command.scope) {
        if pending.done.iter().any(|d| d.step == step) {
            continue;
        }
        let (count, failed, reason) = run_step(step, path, secrets, book, &pending, now)?;
        pending.done.push(StepDone { step, count, failed, reason: reason.map(str::to_owned) });
        save_pending(secrets, &pending)?;
        injected_crash(step)?;
    }
    let held = held_receipt(secrets)?.map(|held| held.text);
    if pending.command.device_id == UNENROLLED {
        // A local trigger on a device no organisation enrolled: no IT will ever confirm it, and
        // a receipt held for nobody would only merge into a later enrollment's wipe.
        secrets.delete(RECEIPT)?;
        secrets.delete(PENDING)?;
    }
    Ok(held)
}

fn run_step(
    step: Step,
    path: &Path,
    secrets: &dyn SecretStore,
    book: &dyn ContactBook,
    pending: &Pending,
    now: DateTime<Utc>,
) -> Result<(u32, u32, Option<&'static str>)> {
    match step {
        Step::DeleteContacts => {
            // Every contact that carries Televisit's marker: the database may already be gone.
            // When the phone's contacts cannot be read (access revoked, the provider failing),
            // the rest of the wipe still runs, and the receipt says this step did not, and why.
            match delete_owned(book) {
                Ok((deleted, failed)) => Ok((deleted, failed, None)),
                Err(ContactBookError::PermissionDenied(_)) => Ok((0, 1, Some("permission_denied"))),
                Err(_) => Ok((0, 1, Some("failed"))),
            }
        }
        Step::DestroyKey => {
            let had = secrets.get(names::DATA_KEY)?.is_some();
            secrets.delete(names::DATA_KEY)?;
            Ok((u32::from(had), 0, None))
        }
        Step::DeleteFiles => {
            // The log's protected head goes with the files it protected: the next store is new.
            secrets.delete(names::LOG_HEAD)?;
            secrets.delete(names::LOG_CONFIRMED)?;
            Ok((remove_database_files(path), 0, None))
        }
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
                merged_command_ids: pending.merged.clone(),
            };
            let text = seal_receipt(&key, &receipt);
            secrets.put(RECEIPT, text.as_bytes())?;
            Ok((1, 0, None))
        }
    }
}

impl Pending {
    fn finished(&self) -> bool {
        steps_for(self.command.scope).iter().all(|step| self.done.iter().any(|d| d.step == *step))
    }

    /// The command ids the receipt names: its command and those merged into it.
    fn named(&self) -> Vec<&str> {
        std::iter::once(self.command.command_id.as_str()).chain(self.merged.iter().map(String::as_str)).collect()
    }
}

/// IT's bulletin confirms the receipt held here (every command id it names): forget it, the
/// marker, and after a full wipe the device key and enrollment (the receipt closed them; the next
/// enrollment gets new ids). Returns the receipt's command id when it was forgotten. Looked up by
/// the device the receipt is from, which is the one IT confirms it for.
pub(crate) fn confirm(
    secrets: &dyn SecretStore,
    bulletin: &televisit_protocol::bulletin::Bulletin,
) -> Result<Option<String>> {
    let Some(pending) = load_pending(secrets)? else {
        return Ok(None);
    };
    if !pending.finished() || !bulletin.receipt_confirmed(&pending.command.device_id, &pending.named()) {
        return Ok(None);
    }
    if pending.command.scope == WipeScope::All {
        secrets.delete(DEVICE_KEY)?;
        secrets.delete(ENROLLMENT)?;
        secrets.delete(super::relay_endpoint::EXPORT_SENT)?;
        super::checkin::forget_checkin(secrets)?;
    }
    // The receipt before the marker: a crash between the two leaves a marker with no receipt,
    // which `held_receipt` reads as nothing held, never a receipt with no wipe behind it.
    secrets.delete(RECEIPT)?;
    secrets.delete(PENDING)?;
    Ok(Some(pending.command.command_id))
}

/// The wipe under way: its command, while any of its steps is still to run. A wipe whose receipt
/// is written is done, even while the receipt waits for IT's confirmation (`held_receipt`).
pub fn pending_command(secrets: &dyn SecretStore) -> Result<Option<WipeCommand>> {
    Ok(load_pending(secrets)?.filter(|p| !p.finished()).map(|p| p.command))
}

/// The wipe under way or done with its receipt held, whatever its scope.
pub(crate) fn pending_or_held(secrets: &dyn SecretStore) -> Result<Option<WipeCommand>> {
    Ok(load_pending(secrets)?.map(|p| p.command))
}

/// A wipe that removes the log is under way, or done with its receipt not yet confirmed by IT.
pub(crate) fn log_wiped_unconfirmed(secrets: &dyn SecretStore) -> Result<bool> {
    Ok(load_pending(secrets)?.is_some_and(|p| p.command.scope != WipeScope::Contacts))
}

/// The signed receipt of a finished wipe, held until IT's bulletin confirms it: what the shells
/// publish at every check-in and show on Settings.
pub fn held_receipt(secrets: &dyn SecretStore) -> Result<Option<HeldReceipt>> {
    let Some(pending) = load_pending(secrets)?.filter(Pending::finished) else {
        return Ok(None);
    };
    Ok(secrets.get(RECEIPT)?.map(|bytes| HeldReceipt {
        command_id: pending.command.command_id,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }))
}

/// A receipt waiting for IT's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReceipt {
    pub command_id: String,
    /// The signed receipt (`tv1.receipt.…`): ids, counts and a signature, no patient data.
    pub text: String,
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
    secrets.put(PENDING, &serde_json::to_vec(pending)?)?;
    Ok(())
}

fn cancelled(secrets: &dyn SecretStore) -> Result<Vec<String>> {
    read_ids(secrets, CANCELLED, "cancelled")
}

/// Keeps the cancellations a bulletin from IT (already verified) carries.
pub(crate) fn remember_cancelled(secrets: &dyn SecretStore, commands: &[String]) -> Result<()> {
    // Most bulletins cancel nothing: no read of the secret store for them.
    if commands.is_empty() {
        return Ok(());
    }
    add_ids(secrets, CANCELLED, "cancelled", commands.iter().map(String::as_str), MAX_CANCELLED_KEPT)
}

fn seen(secrets: &dyn SecretStore) -> Result<Vec<String>> {
    read_ids(secrets, SEEN, "seen")
}

/// The enrollment a command must match, for callers that have one.
pub fn enrollment(secrets: &dyn SecretStore) -> Result<Option<Enrollment>> {
    enrollment::load(secrets)
}

impl crate::Televisit {
    /// Verifies a wipe command and, when it holds, marks the wipe pending (the marker goes to
    /// `secrets` first). The refusal or the receipt of the command is logged. The shell then
    /// closes this store and calls `resume_pending`, which carries the wipe out.
    pub fn receive_wipe(&self, secrets: &dyn SecretStore, command: &str) -> Result<WipeCommand> {
        match verify(secrets, command) {
            Err(err) => {
                if let Error::WipeRefused { code, .. } = &err {
                    let _ = self.append_own(
                        &NewEntry::new(EntryKind::WipeRefused, Actor::It).detail(Detail::new().code("reason", code)),
                    );
                }
                Err(err)
            }
            Ok(command) => self.accept_wipe(secrets, command),
        }
    }

    /// Marks a verified command's wipe pending and logs it (the managed path verifies first, and
    /// logs its refusals once per value itself).
    pub(crate) fn accept_wipe(&self, secrets: &dyn SecretStore, command: WipeCommand) -> Result<WipeCommand> {
        start(secrets, command.clone())?;
        // The wipe is already pending; the log entry is evidence, and the wipe goes on without it.
        let _ = self.append_own(&NewEntry::new(EntryKind::WipeReceived, Actor::It).detail(received_detail(&command)));
        Ok(command)
    }
}

/// What the log says of a wipe received from IT: the command, its scope, and the admin whose key
/// signed it (IT's name for the key, never a key).
pub(crate) fn received_detail(command: &WipeCommand) -> Detail {
    let detail = Detail::new().code("command", &command.command_id).code("scope", command.scope.code());
    match &command.signed_by {
        Some(name) => detail.code("signed_by", name),
        None => detail,
    }
}
