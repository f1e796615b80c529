//! How the shell prints IT's side: the enrollment, the device's status, a signed policy applied,
//! a wipe's receipt or its refusal, a sealed export. A table-like text for people, JSON for
//! scripts. Nothing here holds patient data: ids, keys, versions, counts and reason codes only.

use crate::call_view::{self, TargetView};
use crate::view;
use chrono::{DateTime, Utc};
use serde::Serialize;
use televisit_core::it::triggers::TriggerState;
use televisit_core::it::wipe::{Receipt, WipeReason, WipeScope};

/// What IT does with a receipt, said under each one.
const VERIFY_HINT: &str =
    "IT checks it: televisit-admin wipe verify-receipt RECEIPT --device-key=<the key recorded at enrollment>";

#[derive(Serialize)]
pub struct EnrolledView {
    pub org: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub enrolled_at: String,
    /// base64url Ed25519: what IT records, to check this device's wipe receipts.
    pub device_key: String,
    pub policy_version: u64,
    /// Enrolled before with the same organisation: the same device and enrollment ids.
    pub re_enrolled: bool,
}

pub fn enrolled_text(v: &EnrolledView) -> String {
    let mut out = format!("enrolled with {} (policy version {} applied)\n", v.org, v.policy_version);
    out.push_str(&format!("  device id:      {}\n", v.device_id));
    out.push_str(&format!("  enrollment id:  {}\n", v.enrollment_id));
    out.push_str(&format!("  device key:     {}\n", v.device_key));
    if v.re_enrolled {
        out.push_str(
            "enrolled again with the same organisation: the same device and enrollment ids (IT's pending wipe commands stay valid)\n",
        );
    }
    out.push_str(&format!(
        "IT records the device key, to check this device's wipe receipts. A key may start with '-', so write it\nwith '=': --device-key={}\n",
        v.device_key
    ));
    out
}

#[derive(Serialize)]
pub struct TriggersView {
    /// `clear`, `blocked` (clinical actions are refused) or `wipe` (the device wipes itself).
    pub state: &'static str,
    /// `offline_too_long`, `device_compromised`, `failed_unlocks`.
    pub reasons: Vec<&'static str>,
}

impl From<&TriggerState> for TriggersView {
    fn from(state: &TriggerState) -> Self {
        match state {
            TriggerState::Clear => TriggersView { state: "clear", reasons: Vec::new() },
            TriggerState::Blocked { reasons } => TriggersView { state: "blocked", reasons: reasons.clone() },
            TriggerState::Wipe { reason } => TriggersView { state: "wipe", reasons: vec![reason] },
        }
    }
}

/// The phone the status is for: the flags' phone and whether it reports itself compromised.
#[derive(Serialize)]
pub struct PhoneView {
    #[serde(flatten)]
    pub target: TargetView,
    pub compromised: bool,
}

#[derive(Serialize)]
pub struct StatusView {
    pub enrolled: bool,
    pub org: Option<String>,
    pub device_id: Option<String>,
    pub enrollment_id: Option<String>,
    pub enrolled_at: Option<String>,
    /// base64url Ed25519: what IT records, to check this device's wipe receipts.
    pub device_key: Option<String>,
    pub policy_version: u64,
    pub policy_organisation: String,
    /// When the last signed policy was applied (at enrollment or by `policy apply`): the
    /// check-in the offline triggers count from. None when not enrolled.
    pub last_checkin: Option<String>,
    /// `current`, `due` or `never`, for the phone the flags describe.
    pub checklist: &'static str,
    /// The desktop has no app lock of its own: the OS user's session is the lock.
    pub app_lock: &'static str,
    pub triggers: TriggersView,
    /// A wipe is pending (a local trigger just started one: it is carried out after this status).
    pub pending_wipe: bool,
    /// The command id of a finished wipe whose receipt waits for IT's confirmation.
    pub receipt_held: Option<String>,
    /// The organisation's key set this device verifies IT's messages with; none when not enrolled.
    pub key_set: Option<KeySetView>,
    pub phone: PhoneView,
}

/// Who may sign what for the organisation, as the device holds it: names and roles, no key.
#[derive(Serialize)]
pub struct KeySetView {
    /// 0: the organisation's one key, from before key sets.
    pub version: u64,
    pub root_keys: u32,
    pub threshold: u32,
    /// `name: role,role`, each signer.
    pub signers: Vec<String>,
}

impl From<&televisit_core::it::keyset::KeySetSummary> for KeySetView {
    fn from(summary: &televisit_core::it::keyset::KeySetSummary) -> Self {
        KeySetView {
            version: summary.version,
            root_keys: summary.root_keys,
            threshold: summary.threshold,
            signers: summary.signers.iter().map(|(name, roles, _)| format!("{name}: {}", roles.join(","))).collect(),
        }
    }
}

fn key_set_text(k: &KeySetView) -> String {
    if k.version == 0 {
        return "the organisation's one key signs everything (no key set yet)".into();
    }
    format!("version {}, root {} of {}; {}", k.version, k.threshold, k.root_keys, k.signers.join("; "))
}

pub fn status_text(v: &StatusView) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut key_note = None;
    match (&v.org, &v.device_id, &v.enrollment_id, &v.device_key) {
        (Some(org), Some(device), Some(enrollment), Some(key)) => {
            let since = v.enrolled_at.as_deref().map(|t| format!(" since {t}")).unwrap_or_default();
            rows.push(("device:", format!("enrolled with {org}{since}")));
            rows.push(("  device id:", device.clone()));
            rows.push(("  enrollment id:", enrollment.clone()));
            rows.push(("  device key:", key.clone()));
            key_note = Some(format!(
                "(IT records the device key, written with '=' as it may start with '-': --device-key={key})\n"
            ));
        }
        _ => rows.push(("device:", "not enrolled (`televisit enroll CODE`, with the code IT gives)".into())),
    }
    let checkin = match (&v.last_checkin, v.enrolled) {
        (Some(at), _) => format!("last check-in {at}"),
        (None, true) => "no check-in on record".into(),
        (None, false) => "unsigned: no check-in is expected before enrollment".into(),
    };
    let organisation =
        if v.policy_organisation.is_empty() { String::new() } else { format!(" ({})", v.policy_organisation) };
    rows.push(("policy:", format!("version {}{organisation}, {checkin}", v.policy_version)));
    if let Some(keys) = &v.key_set {
        rows.push(("IT's keys:", key_set_text(keys)));
    }
    rows.push(("checklist:", format!("{}, for {}", v.checklist, call_view::target_text(&v.phone.target))));
    rows.push(("app lock:", "not applicable on the desktop (the OS user's session is the lock)".into()));
    let compromised = if v.phone.compromised { " (the phone reports itself rooted or jailbroken)" } else { "" };
    let reasons = v.triggers.reasons.join(", ");
    let triggers = match v.triggers.state {
        "clear" => format!("clear{compromised}"),
        "blocked" => format!("BLOCKED: {reasons}{compromised}; clinical actions are refused until it clears"),
        _ => format!("WIPE: {reasons}{compromised}; the device wipes itself now"),
    };
    rows.push(("local triggers:", triggers));
    rows.push(("pending wipe:", if v.pending_wipe { "yes".into() } else { "no".into() }));
    if let Some(command) = &v.receipt_held {
        rows.push((
            "wipe receipt:",
            format!("{command}, held until IT's bulletin confirms it (status --report shows it)"),
        ));
    }
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    let mut out: String = rows.iter().map(|(label, value)| format!("{label:<width$}  {value}\n")).collect();
    out.push_str(&key_note.unwrap_or_default());
    out
}

#[derive(Serialize)]
pub struct PolicyAppliedView {
    pub applied: bool,
    pub signed: bool,
    pub version: u64,
    pub organisation: String,
}

pub fn policy_applied_text(v: &PolicyAppliedView) -> String {
    format!(
        "signed policy version {} applied ({}); the signature checked out against the organisation's pinned key, and it counts as a check-in\n",
        v.version, v.organisation
    )
}

/// Why a wipe was carried out, for the line over its receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WipeCause {
    /// `televisit wipe apply`: this command.
    Applied,
    /// Left pending (a kill, a crash, a local trigger) and finished at this start.
    PendingAtStart,
    /// A local trigger of `status` (its reason code).
    LocalTrigger(&'static str),
}

#[derive(Serialize)]
pub struct StepView {
    pub step: &'static str,
    pub count: u32,
    pub failed: u32,
}

#[derive(Serialize)]
pub struct ReceiptView {
    /// `applied`, `pending_finished` or `local_trigger`.
    pub wipe: &'static str,
    /// The local trigger that started it, for `local_trigger`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<&'static str>,
    pub command_id: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub scope: &'static str,
    pub reason: &'static str,
    pub steps: Vec<StepView>,
    /// The signed receipt text, for IT.
    pub receipt: String,
}

pub fn scope_code(scope: WipeScope) -> &'static str {
    match scope {
        WipeScope::Contacts => "contacts",
        WipeScope::Log => "log",
        WipeScope::All => "all",
    }
}

pub fn reason_code(reason: WipeReason) -> &'static str {
    match reason {
        WipeReason::Lost => "lost",
        WipeReason::Stolen => "stolen",
        WipeReason::Left => "left",
        WipeReason::Other => "other",
        WipeReason::LocalTrigger => "local_trigger",
    }
}

/// The receipt's fields for the screen, read back from the signed text the core wrote.
pub fn receipt_view(receipt: &str, cause: WipeCause) -> ReceiptView {
    // The device's own receipt, just written: read back, not verified (IT verifies it).
    let parsed: Option<Receipt> =
        televisit_protocol::envelope::open(receipt, televisit_protocol::envelope::Kind::Receipt)
            .ok()
            .and_then(|o| televisit_protocol::envelope::parse_canonical("wipe receipt", &o.payload).ok());
    let (wipe, trigger) = match cause {
        WipeCause::Applied => ("applied", None),
        WipeCause::PendingAtStart => ("pending_finished", None),
        WipeCause::LocalTrigger(reason) => ("local_trigger", Some(reason)),
    };
    let unknown = || "?".to_owned();
    ReceiptView {
        wipe,
        trigger,
        command_id: parsed.as_ref().map_or_else(unknown, |r| r.command_id.clone()),
        device_id: parsed.as_ref().map_or_else(unknown, |r| r.device_id.clone()),
        enrollment_id: parsed.as_ref().map_or_else(unknown, |r| r.enrollment_id.clone()),
        scope: parsed.as_ref().map_or("?", |r| scope_code(r.scope)),
        reason: parsed.as_ref().map_or("?", |r| reason_code(r.reason)),
        steps: parsed
            .as_ref()
            .map(|r| {
                r.steps.iter().map(|s| StepView { step: s.step.code(), count: s.count, failed: s.failed }).collect()
            })
            .unwrap_or_default(),
        receipt: receipt.to_owned(),
    }
}

pub fn steps_line(steps: &[StepView]) -> String {
    let shown: Vec<String> = steps
        .iter()
        .map(|s| {
            let what = match s.step {
                "delete_contacts" => format!("patient contacts deleted {}", s.count),
                "destroy_key" => format!("data key destroyed {}", s.count),
                "delete_files" => format!("database files removed {}", s.count),
                other => format!("{other} {}", s.count),
            };
            if s.failed > 0 {
                format!("{what} (FAILED {})", s.failed)
            } else {
                what
            }
        })
        .collect();
    shown.join(", ")
}

pub fn receipt_text(v: &ReceiptView) -> String {
    let headline = match (v.wipe, v.trigger) {
        ("applied", _) => format!("wipe {} carried out (scope {}, reason {})", v.command_id, v.scope, v.reason),
        ("local_trigger", Some(trigger)) => format!(
            "this device wiped itself: a local trigger ({trigger}) of the policy; wipe {} (scope {})",
            v.command_id, v.scope
        ),
        _ => format!(
            "a pending wipe was finished before anything else: {} (scope {}, reason {})",
            v.command_id, v.scope, v.reason
        ),
    };
    format!(
        "{headline}\n  steps: {}\nthe receipt, signed by this device's key (on the desktop this output is the channel to IT; the\ndevice keeps the receipt, and `televisit status --report` shows it, until IT's bulletin confirms it):\n{}\n{VERIFY_HINT}\n",
        steps_line(&v.steps),
        v.receipt
    )
}

#[derive(Serialize)]
pub struct RefusalView {
    pub applied: bool,
    /// The core's reason code: malformed, bad_signature, other_device, older_enrollment, expired, replayed, ….
    pub refused: &'static str,
    pub reason: &'static str,
}

pub fn refusal_line(code: &str, reason: &str) -> String {
    format!("wipe command refused ({code}): {reason}; nothing was wiped")
}

#[derive(Serialize)]
pub struct ExportView {
    pub file: String,
    pub entries: u64,
    /// The entries run from `first_seq` through `through_seq`.
    pub first_seq: u64,
    pub through_seq: u64,
    /// Every entry the log holds, asked for; otherwise those after IT's last confirmation.
    pub whole: bool,
    pub bytes: usize,
    pub org: String,
}

pub fn export_text(v: &ExportView) -> String {
    let range = if v.whole { "every entry the log holds" } else { "the entries after IT's last confirmation" };
    format!(
        "sealed export of log entries {} to {} ({} entries: {range}) written to {} ({} bytes, mode 0600), signed by this device's key and sealed with age to {}'s export key\nIT archives it with: televisit-admin log import --org ORG-DIR {}   (or reads it: televisit-admin log open {} --org ORG-DIR)\n",
        v.first_seq, v.through_seq, v.entries, v.file, v.bytes, v.org, v.file, v.file
    )
}

pub fn time(at: Option<DateTime<Utc>>) -> Option<String> {
    at.as_ref().map(view::time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{Installed, TargetPhone};
    use televisit_core::Platform;

    fn unenrolled(state: &TriggerState, compromised: bool) -> StatusView {
        StatusView {
            enrolled: false,
            org: None,
            device_id: None,
            enrollment_id: None,
            enrolled_at: None,
            device_key: None,
            policy_version: 1,
            policy_organisation: String::new(),
            last_checkin: None,
            checklist: "never",
            app_lock: "not_applicable",
            triggers: TriggersView::from(state),
            pending_wipe: false,
            receipt_held: None,
            key_set: None,
            phone: PhoneView { target: TargetPhone::new(Platform::Ios, Installed::None, 0).view(None), compromised },
        }
    }

    #[test]
    fn the_status_says_what_each_trigger_state_means() {
        let text = status_text(&unenrolled(&TriggerState::Clear, false));
        assert!(text.starts_with("device:          not enrolled"), "{text}");
        assert!(text.contains("policy:          version 1, unsigned: no check-in is expected before enrollment"));
        assert!(text.contains("local triggers:  clear\n"), "{text}");
        let blocked = TriggerState::Blocked { reasons: vec!["offline_too_long", "device_compromised"] };
        let text = status_text(&unenrolled(&blocked, true));
        assert!(text.contains(
            "BLOCKED: offline_too_long, device_compromised (the phone reports itself rooted or jailbroken); clinical actions are refused"
        ));
        let text = status_text(&unenrolled(&TriggerState::Wipe { reason: "failed_unlocks" }, false));
        assert!(text.contains("WIPE: failed_unlocks; the device wipes itself now"), "{text}");
        assert!(!text.contains("--device-key"), "no key before enrollment");
    }

    #[test]
    fn a_receipt_that_does_not_read_back_is_still_shown_whole() {
        let view = receipt_view("tv1.receipt.x.y", WipeCause::PendingAtStart);
        assert_eq!(view.command_id, "?");
        let text = receipt_text(&view);
        assert!(text.starts_with("a pending wipe was finished before anything else: ? (scope ?"), "{text}");
        assert!(text.contains("\ntv1.receipt.x.y\n"), "{text}");
    }
}
