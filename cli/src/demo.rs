//! `televisit demo`: the product end to end in a fresh temporary profile, narrated step by step.
//! Everything is real: a SQLCipher file, a random key, the HMAC chain, vCard files in the
//! profile's contacts folder. The patients are fictional (numbers from the 555-01xx range kept
//! for fiction); their names and numbers appear on this screen and in the contacts, as on a
//! phone, and nowhere else: the log sees only opaque ids.

use crate::call_view;
use crate::checklist_cmd::{self, Answers};
use crate::checklist_view;
use crate::patient_view::{self, consent_line};
use crate::phone::{Installed, TargetPhone};
use crate::profile::{Profile, CONTACTS, DATABASE, SECRETS};
use crate::vcard_book::VcardContactBook;
use crate::view;
use crate::{it_cmd, it_view};
use admin::Admin;
use anyhow::{Context, Result};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use televisit_core::call::{AttemptKind, CheckStatus, LaunchStep, TemplateId};
use televisit_core::checklist::{Source, CATALOG};
use televisit_core::it::triggers::TriggerState;
use televisit_core::secrets::names;
use televisit_core::{
    Actor, ChecklistStatus, CleanupRules, ConsentMethod, ContactBook, LogQuery, MessageRequest, NewPatient, Patient,
    Platform, Policy, SecretStore, Televisit, Verification,
};

mod admin;
mod fleet;
mod rollback;

pub fn run() -> Result<()> {
    let temp =
        tempfile::Builder::new().prefix("televisit-demo-").tempdir().context("cannot make a temporary folder")?;
    println!("Televisit demo, in a fresh profile at {}\n", temp.path().display());

    let profile = Profile::resolve(Some(&temp.path().join("profile")))?;
    let tv = store_step(&profile)?;
    policy_step(&tv, &profile)?;
    let (zoe, amara) = patients_step(&tv)?;
    let book = profile.contact_book()?;
    let files = contacts_step(&tv, &book, &[&zoe, &amara])?;
    checklist_step(&tv, &profile)?;
    call_step(&tv, &book, &zoe)?;
    let lookalike = lookalike_step(&book)?;
    cleanup_step(&tv, &book, &amara)?;
    apply_step(&tv, &book, &files, &lookalike)?;
    log_step(&tv)?;
    let head = verify_step(&tv)?;
    drop(tv); // closing checkpoints the WAL, so the copy below is complete
    tamper_step(&profile, &temp.path().join("tampered-copy"), head)?;
    check_step(&profile)?;
    // Last: the wipe at its end removes the store the steps above use.
    it_round_trip(&profile, temp.path(), &book, [&zoe, &amara])?;
    fleet::run(temp.path())?;

    println!("\nDone. The temporary profile is removed now.");
    Ok(())
}

fn store_step(profile: &Profile) -> Result<Televisit> {
    println!("1. The encrypted store");
    let tv = profile.open()?;
    let salt = hex::encode(fs::read(profile.database())?.iter().take(8).copied().collect::<Vec<u8>>());
    println!(
        "   created {} (SQLCipher, WAL, schema v{})",
        profile.database().display(),
        televisit_core::schema::SCHEMA_VERSION
    );
    println!("   its 256-bit key came from the system RNG and is kept by the secret store:");
    println!(
        "   here a 0600 file in {}/ (desktop development only; AndroidKeyStore or the Keychain on phones)",
        SECRETS
    );
    println!("   the file starts {salt}…, a random salt: no \"SQLite format 3\" header, nothing readable\n");
    Ok(tv)
}

fn policy_step(tv: &Televisit, profile: &Profile) -> Result<()> {
    println!("2. The organisation's policy");
    let policy = Policy { version: 1, organisation: "St Elsewhere Hospital".into(), ..Policy::default() };
    tv.set_unsigned_policy(&profile.secrets, &policy)?;
    println!(
        "   applied version {} for {}: contacts named \"{}\", log kept {} days, lock after {} s idle\n",
        policy.version,
        policy.organisation,
        policy.contacts.name_template,
        policy.log.retention_days,
        policy.app_lock.inactivity_timeout_seconds
    );
    Ok(())
}

/// A name as typed, with its invisible characters made visible: `Zoë\u{200b}`.
fn typed(text: &str) -> String {
    text.chars().map(|c| if c == '\'' { c.to_string() } else { c.escape_debug().to_string() }).collect()
}

fn patients_step(tv: &Televisit) -> Result<(Patient, Patient)> {
    println!("3. Two patients, as the clinician types them, and the consent of one of them");
    let difficult = NewPatient {
        given_name: "Zo\u{EB}\u{200B}".into(),
        family_name: "\u{202E}O'Brien-Nguy\u{1EC5}n".into(),
        phone: "+1 415 555 0132".into(),
        visit_at: None,
    };
    let plain = NewPatient {
        given_name: "Amara".into(),
        family_name: "Okafor".into(),
        phone: "(202) 555-0143".into(),
        visit_at: None,
    };
    let mut added = Vec::new();
    for new in [&difficult, &plain] {
        println!(
            "   typed: first \"{}\", last \"{}\", phone \"{}\"",
            typed(&new.given_name),
            typed(&new.family_name),
            new.phone
        );
        let patient = tv.patient_add(new)?;
        println!("   added {}: contact name \"{}\", phone {}", patient.id, patient.contact_name, patient.phone);
        added.push(patient);
    }
    println!("   (the zero-width space and the right-to-left override are gone; the US region of the policy");
    println!("   completed the second number)");
    for refused in [
        NewPatient { phone: "(202) 555-01".into(), ..plain.clone() },
        NewPatient { given_name: "\u{1F600}\u{1F600}".into(), ..plain.clone() },
        plain.clone(),
    ] {
        let err = tv.patient_add(&refused).err().context("a bad patient was accepted")?;
        println!("   refused: {err}");
    }
    println!("   (refusals name the field and never repeat what was typed)");
    let (zoe, amara) = (&added[0], &added[1]);
    // Zoë's consent is asked for when the clinician tries to call her (step 5).
    tv.consent_record(&amara.id, ConsentMethod::Written, "v1", Actor::Clinician)?;
    for patient in tv.patients(false)? {
        println!("   consent of {}: {}", patient.id, consent_line(&patient.consent));
    }
    print!("{}", indent(&patient_view::patients_table(&tv.patients(false)?)));
    println!();
    Ok((tv.patient(&zoe.id)?, tv.patient(&amara.id)?))
}

/// The files each patient's contact lives in.
struct ContactFiles {
    zoe: String,
    amara: String,
}

fn contacts_step(tv: &Televisit, book: &VcardContactBook, patients: &[&Patient; 2]) -> Result<ContactFiles> {
    println!("4. Their contacts, so that WhatsApp can call them");
    println!("   (the phone's contacts are, on the desktop, {CONTACTS}/ in the profile: one vCard 4.0 file a contact)");
    let mut files = Vec::new();
    for patient in patients {
        let ensured = tv.ensure_contact(book, &patient.id)?;
        let file = format!("{}.vcf", ensured.platform_id);
        println!("   {}: contact {} as {file}", patient.id, ensured.action.code());
        files.push(file);
    }
    let again = tv.ensure_contact(book, &patients[0].id)?;
    println!("   again for {}: {} (ensuring is idempotent)", patients[0].id, again.action.code());
    print!("{}", indent(&folder_listing(book)?));
    println!("   {}:", files[0]);
    print!("{}", indent(&indent(&fs::read_to_string(book.dir().join(&files[0]))?.replace("\r\n", "\n"))));
    println!();
    Ok(ContactFiles { zoe: files[0].clone(), amara: files[1].clone() })
}

/// Before the first call the clinician goes through WhatsApp's privacy checklist, here from an
/// answers file with one setting wrong: the instruction that fixes it, the setting changed on the
/// phone, the checklist answered again, and it is current.
fn checklist_step(tv: &Televisit, profile: &Profile) -> Result<()> {
    println!("5. Before the first call, the clinician goes through WhatsApp's privacy checklist");
    let android = TargetPhone::new(Platform::Android, Installed::Consumer, 0);
    println!("   WhatsApp's settings cannot be read by another app: the clinician looks at each one on the phone");
    println!("   and confirms it; what the phone itself can tell is answered for them. On the desktop the phone is");
    println!("   described by flags: {}", call_view::target_text(&android.view(None)));
    let run = tv.checklist_start(android.platform, &android)?;
    println!("   {}", checklist_view::heading(&run));
    for item in run.items.iter().filter(|i| i.pre_answered) {
        println!("      {}", checklist_view::phone_line(item));
    }
    let (n, item) = run
        .items
        .iter()
        .enumerate()
        .find(|(_, i)| i.item.id == "read_receipts")
        .context("no read receipts in the checklist")?;
    println!("   `televisit checklist` asks each item in turn; this is what the clinician sees for one:");
    print!("{}", indent(&indent(&checklist_view::item_text(item, n + 1, run.items.len()))));

    let mut answers: Answers = CATALOG
        .iter()
        .filter(|i| i.source == Source::Clinician)
        .map(|i| (i.id.to_owned(), i.recommended.to_owned()))
        .collect();
    answers.insert("read_receipts".into(), "on".into());
    let file = profile.dir.join("checklist-answers.json");
    fs::write(&file, serde_json::to_string_pretty(&answers)?)?;
    println!("   scripts give the answers in a file: here every item at its recommendation except one,");
    println!("   {{\"read_receipts\": \"on\", …}} (the clinician had left read receipts on):");
    println!("   $ televisit checklist --answers {}", file.display());
    let policy = tv.policy()?;
    let days = policy.checklist.reconfirm_days;
    let items = run.items.len();
    let result = checklist_cmd::run_answers(tv, &android, &checklist_cmd::read_answers(&file)?)?;
    print!("{}", indent(&indent(&checklist_view::result_text(&result, items, days))));
    let deviating: Vec<&str> = result.deviations.iter().map(|d| d.item_id).collect();
    anyhow::ensure!(deviating == ["read_receipts"], "unexpected deviations: {deviating:?}");
    let status = tv.checklist_status(Some(&android))?;
    println!("   exit 3; checklist status: {}", checklist_view::status_code(status));
    anyhow::ensure!(status == ChecklistStatus::Due, "a checklist with a deviation is not due");

    println!("   the clinician follows the instruction on the phone, and the checklist is answered again with");
    println!("   {{\"read_receipts\": \"off\", …}}:");
    answers.insert("read_receipts".into(), "off".into());
    fs::write(&file, serde_json::to_string_pretty(&answers)?)?;
    let result = checklist_cmd::run_answers(tv, &android, &checklist_cmd::read_answers(&file)?)?;
    print!("{}", indent(&indent(&checklist_view::result_text(&result, items, days))));
    anyhow::ensure!(result.compliant, "the fixed answers were not compliant");
    let status = tv.checklist_status(Some(&android))?;
    println!("   exit 0; checklist status: {}", checklist_view::status_code(status));
    anyhow::ensure!(status == ChecklistStatus::Current, "a compliant checklist is not current");
    println!();
    Ok(())
}

/// The clinician calls Zoë: the pre-flight blocks (no consent, the disclosure not acknowledged),
/// both are put right, and the plans for an Android phone and an iPhone come out with a
/// pre-filled message; the tester fires them by hand and logs how each attempt went.
fn call_step(tv: &Televisit, book: &VcardContactBook, zoe: &Patient) -> Result<()> {
    println!("6. The clinician starts a WhatsApp video call with {}", zoe.id);
    let android = TargetPhone::new(Platform::Android, Installed::Consumer, 0);
    let iphone = TargetPhone { platform: Platform::Ios, ..android.clone() };
    println!("   the desktop has no WhatsApp: the plan is for a test phone, which `televisit call` describes by flags");
    println!(
        "   (--platform android --whatsapp consumer --whatsapp-version 2.26.1 --utc-offset-minutes 0): {}",
        call_view::target_text(&android.view(None))
    );
    // The desktop's lock is the OS user's session (see `call_cmd`).
    tv.unlock_succeeded();
    let blocked = tv.preflight(book, &android, &zoe.id)?;
    println!("   pre-flight (the checklist of step 5 is current for this phone's WhatsApp):");
    print!("{}", indent(&indent(&call_view::preflight_text(&blocked))));
    println!("   {}", call_view::blocked_line(&blocked));
    anyhow::ensure!(
        blocked.blocking_codes() == ["consent_missing", "disclosure_pending"],
        "the pre-flight blocked for other reasons: {:?}",
        blocked.blocking_codes()
    );
    anyhow::ensure!(
        blocked.checks.iter().any(|c| c.code == "checklist_current" && c.status == CheckStatus::Pass),
        "the checklist is not current at the call"
    );
    let refused = tv.launch_plan(book, &android, None, &zoe.id, Platform::Android, None);
    let err = refused.err().context("a blocked call got a plan")?;
    println!("   the core gives no plan either: {err}");

    println!("   the clinician reads the disclosure and acknowledges it:");
    println!("      \"{}\"", televisit_core::call::DISCLOSURE);
    tv.acknowledge_disclosure()?;
    let consent = tv.consent_record(&zoe.id, ConsentMethod::Verbal, "v1", Actor::Clinician)?;
    println!("   and asks the patient, who agrees: consent {}", consent_line(&consent));

    let values = [("clinic", "St Elsewhere Hospital"), ("time", "14:30 today")];
    let request = MessageRequest {
        template: TemplateId::VideoCallAt,
        values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    let rendered = tv.render_message(&request)?;
    println!("   a message to pre-fill, {} with clinic and time:", TemplateId::VideoCallAt.code());
    print!("{}", indent(&indent(&call_view::message_text(&rendered))));

    let plan = tv.launch_plan(book, &android, None, &zoe.id, Platform::Android, Some(&request))?;
    println!("   pre-flight again: nothing blocks");
    println!("   the Android plan, with the adb line to fire each step by hand on the phone:");
    print!("{}", indent(&indent(&call_view::plan_text(&plan))));
    let kinds: Vec<AttemptKind> = plan.attempts.iter().map(|a| a.kind).collect();
    anyhow::ensure!(kinds == [AttemptKind::SyncThenVideo, AttemptKind::Chat], "an unexpected Android plan: {kinds:?}");

    let ios = tv.launch_plan(book, &iphone, None, &zoe.id, Platform::Ios, Some(&request))?;
    println!("   the iPhone plan (no URL starts a video call there: the chat opens, then one tap):");
    print!("{}", indent(&indent(&call_view::plan_text(&ios))));
    anyhow::ensure!(
        matches!(&ios.attempts[0].step, LaunchStep::OpenUrl { url, .. } if url.starts_with("whatsapp://send?")),
        "the iPhone plan does not open the chat"
    );

    println!("   on the phone, WhatsApp had not synced the new contact within 10 s; the chat opened. Logged:");
    let app = plan.app;
    for (kind, opened) in [(AttemptKind::SyncThenVideo, false), (AttemptKind::Chat, true)] {
        tv.record_launch(&zoe.id, kind, app, opened)?;
        println!("      {} {}", kind.code(), if opened { "opened" } else { "failed" });
    }
    println!("   metrics (PHI-free counts per day):");
    for day in tv.metrics(1)? {
        println!("      {}", call_view::metrics_line(&day));
    }
    println!();
    Ok(())
}

const HAND_MADE: &str =
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Maria Lopez\r\nTEL;TYPE=cell:+1 202 555 0199\r\nEND:VCARD\r\n";

fn lookalike_step(book: &VcardContactBook) -> Result<String> {
    println!("7. Someone adds a patient contact by hand, in the contacts app, outside Televisit");
    let file = format!("{}.vcf", uuid::Uuid::new_v4());
    fs::write(book.dir().join(&file), HAND_MADE)?;
    println!("   {file}: \"Patient Maria Lopez\", named like the convention but without Televisit's marker\n");
    Ok(file)
}

fn cleanup_step(tv: &Televisit, book: &VcardContactBook, amara: &Patient) -> Result<()> {
    println!("8. The care of {} ends: the patient is archived, and staff run the cleanup's dry run", amara.id);
    tv.patient_archive(&amara.id)?;
    let rules = CleanupRules::from_policy(&tv.policy()?);
    let plan = tv.cleanup_plan(book, Some(rules))?;
    print!("{}", indent(&patient_view::cleanup_plan_text(&rules, &plan)));
    println!();
    Ok(())
}

fn apply_step(tv: &Televisit, book: &VcardContactBook, files: &ContactFiles, lookalike: &str) -> Result<()> {
    println!("9. Staff apply it, without confirming the lookalike");
    let rules = CleanupRules::from_policy(&tv.policy()?);
    let plan = tv.cleanup_plan(book, Some(rules))?;
    let report = tv.cleanup_apply(book, &plan, &[])?;
    print!("{}", indent(&patient_view::cleanup_report_text(&rules, &plan, &report)));
    println!("   the contacts folder now:");
    print!("{}", indent(&folder_listing(book)?));
    let dir = book.dir();
    anyhow::ensure!(!dir.join(&files.amara).exists(), "the archived patient's contact is still there");
    anyhow::ensure!(dir.join(&files.zoe).exists(), "the current patient's contact is gone");
    anyhow::ensure!(dir.join(lookalike).exists(), "the unconfirmed lookalike was deleted");
    println!(
        "   {} is gone; {} (current patient) and {lookalike} (the lookalike, not confirmed) are still there\n",
        files.amara, files.zoe
    );
    Ok(())
}

/// `-rw-------  278  <file>  "<name>"  Televisit's | hand-made`, one line a file.
fn folder_listing(book: &VcardContactBook) -> Result<String> {
    let mut names: Vec<String> =
        fs::read_dir(book.dir())?.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    let mut rows = Vec::new();
    for name in names {
        let meta = fs::metadata(book.dir().join(&name))?;
        let id = name.trim_end_matches(".vcf");
        let (shown, whose) = match book.get(id) {
            Ok(Some(c)) => {
                let whose = if c.marker.is_some() { "Televisit's" } else { "hand-made" };
                (format!("\"{}\"", c.display_name), whose)
            }
            _ => ("-".to_owned(), "unreadable"),
        };
        rows.push(vec![
            format!("{:o}", meta.permissions().mode() & 0o777),
            meta.len().to_string(),
            name,
            shown,
            whose.into(),
        ]);
    }
    Ok(view::table(&["mode", "bytes", "file", "name", "whose"], &rows))
}

fn log_step(tv: &Televisit) -> Result<()> {
    println!("10. The activity log: each action left an entry, chained by HMAC-SHA256");
    let entries = tv.log_list(&LogQuery::default())?;
    println!("   {} entries; patients appear only as opaque ids, never by name or number", entries.len());
    print!("{}", indent(&view::entries_table(&entries)));
    println!();
    Ok(())
}

fn verify_step(tv: &Televisit) -> Result<u64> {
    println!("11. Verify the chain");
    let verification = tv.log_verify()?;
    println!("   {}\n", view::verification_line(&verification));
    match verification {
        Verification::Intact { head, .. } => Ok(head.seq),
        Verification::Broken { .. } => anyhow::bail!("a fresh log did not verify"),
    }
}

fn tamper_step(profile: &Profile, copy_dir: &Path, head_seq: u64) -> Result<()> {
    let target = head_seq - 2;
    println!("12. Tamper with a copy, as someone holding the database key could");
    copy_profile(&profile.dir, copy_dir)?;
    let copy = Profile::resolve(Some(copy_dir))?;
    let key = copy.secrets.get(names::DATA_KEY)?.context("the copy has no key")?;
    let raw = rusqlite::Connection::open(copy.database())?;
    raw.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode_upper(&key)))?;
    raw.execute("UPDATE log_entries SET at_ms = at_ms - 3600000 WHERE seq = ?1", [target as i64])?;
    drop(raw);
    println!(
        "   in {}, moved entry {target}'s time back one hour (a plain SQL UPDATE, MAC left as it was)",
        copy_dir.display()
    );
    let tampered = copy.open()?.log_verify()?;
    println!("   verify the copy:   {}", view::verification_line(&tampered));
    let original = profile.open()?.log_verify()?;
    println!("   verify the original: {}", view::verification_line(&original));
    match tampered {
        Verification::Broken { seq, .. } if seq == target => {}
        other => anyhow::bail!("the tampering was not found where it was made: {other:?}"),
    }
    let second = copy_dir.with_file_name("rolled-back-copy");
    copy_profile(&profile.dir, &second)?;
    rollback::run(&second)?;
    println!();
    Ok(())
}

fn check_step(profile: &Profile) -> Result<()> {
    println!("13. Full integrity check of the original");
    let report = profile.open()?.integrity_check()?;
    println!("   pages: {}", if report.pages_ok { "every page's HMAC checks out" } else { "damaged" });
    println!(
        "   structure: {}",
        if report.problems.is_empty() { "ok".to_string() } else { report.problems.join("; ") }
    );
    println!("   chain: {}", view::verification_line(&report.chain));
    Ok(())
}

/// The phone's holder, with its keys, rolls a copy of it back; IT catches it from the checkpoint.
fn rolled_back_step(profile: &Profile, it_dir: &Path) -> Result<()> {
    println!("   And if the phone's holder has its keys too? In a copy of this enrolled phone:");
    let work = it_dir.join("holder");
    let (copy, before, it_side) = (work.join("phone"), work.join("phone-before"), work.join("it"));
    fs::create_dir_all(&it_side)?;
    copy_profile(&profile.dir, &copy)?;
    let org_key = televisit_admin::org::load(&it_dir.join(ORG))?.info.signing_key;
    rollback::caught_by_it(&copy, &before, &org_key, &it_side)?;
    println!("   the phone cannot tell; IT can, because the earlier checkpoint reached it through the MDM\n");
    Ok(())
}

pub(crate) fn copy_profile(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to.join(SECRETS))?;
    fs::copy(from.join(DATABASE), to.join(DATABASE))?;
    for file in fs::read_dir(from.join(SECRETS))? {
        let file = file?;
        fs::copy(file.path(), to.join(SECRETS).join(file.file_name()))?;
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines().map(|line| if line.is_empty() { "\n".to_owned() } else { format!("   {line}\n") }).collect()
}

/// IT's side and back: IT makes the organisation's keys, signs a policy and an enrollment code;
/// the device enrolls, takes a signed policy update, has a visit, exports its log, which IT opens;
/// then the phone is lost and IT wipes it. IT's files live in the demo's folder, beside the
/// profile, and IT's commands run there.
fn it_round_trip(profile: &Profile, it_dir: &Path, book: &VcardContactBook, patients: [&Patient; 2]) -> Result<()> {
    let admin = Admin::find();
    org_step(&admin, it_dir)?;
    let tv = profile.open()?;
    let enrolled = enroll_step(&admin, profile, &tv, it_dir)?;
    policy_update_step(&admin, profile, &tv, it_dir)?;
    visit_step(profile, &tv, book, patients[0])?;
    export_step(&admin, profile, &tv, it_dir)?;
    drop(tv); // the wipe removes the store's files
    rolled_back_step(profile, it_dir)?;
    wipe_step(&admin, profile, it_dir, book, &enrolled, patients)
}

const ORG: &str = "org";
const ORG_NAME: &str = "St Elsewhere Hospital";

fn org_step(admin: &Admin, it_dir: &Path) -> Result<()> {
    println!("14. IT's side: the organisation's keys");
    println!("   {}", admin.describe());
    println!("   IT's files are kept in {} (on IT's machine, not the phone)", it_dir.display());
    println!("   $ televisit-admin org init --org {ORG} --name \"{ORG_NAME}\"");
    print!("{}", indent(&indent(&admin.org_init(it_dir, ORG, ORG_NAME)?)));
    println!();
    Ok(())
}

/// `tv1.policy.eyJ2ZXJz… (1234 characters)`
fn abbreviated(message: &str) -> String {
    abbreviated_with(message, "")
}

/// `tv1.policy.eyJ2ZXJz… (1234 characters; note)`
fn abbreviated_with(message: &str, note: &str) -> String {
    let head: String = message.chars().take(24).collect();
    let note = if note.is_empty() { String::new() } else { format!("; {note}") };
    format!("{head}… ({} characters{note})", message.len())
}

fn enroll_step(admin: &Admin, profile: &Profile, tv: &Televisit, it_dir: &Path) -> Result<it_view::EnrolledView> {
    println!("15. IT signs the policy, version 2, and writes the enrollment code; the clinician's device enrolls");
    let policy = Policy { version: 2, organisation: ORG_NAME.into(), ..Policy::default() };
    fs::write(it_dir.join("policy-v2.json"), policy.to_json())?;
    println!("   $ televisit-admin policy defaults > policy-v2.json   (version set to 2, organisation named)");
    println!("   $ televisit-admin policy sign policy-v2.json --org {ORG} > policy-v2.signed");
    let signed = admin.sign_policy(it_dir, "policy-v2.json", ORG)?;
    fs::write(it_dir.join("policy-v2.signed"), &signed)?;
    println!("      {}: the policy and the organisation's Ed25519 signature", abbreviated(&signed));
    println!("   $ televisit-admin enroll-code --org {ORG} --policy policy-v2.signed > enroll-code.txt");
    let code = admin.enroll_code(it_dir, ORG, "policy-v2.signed")?;
    fs::write(it_dir.join("enroll-code.txt"), &code)?;
    println!("      {}: one line, by MDM managed configuration, a QR code or text", abbreviated(&code));
    println!("   on the device: $ televisit enroll enroll-code.txt");
    let enrolled = it_cmd::enroll_with(profile, tv, &code)?;
    print!("{}", indent(&indent(&it_view::enrolled_text(&enrolled))));
    anyhow::ensure!(enrolled.policy_version == 2, "the enrollment did not apply policy version 2");
    println!("   the device pinned the organisation's key, and keeps its enrollment and its own signing key in the");
    println!("   secret store, outside the database (so that a device whose database is gone can still verify a wipe)");
    println!("   $ televisit status");
    let phone = TargetPhone::new(Platform::Android, Installed::Consumer, 0);
    let (status, state) = it_cmd::status_of(profile, tv, &phone)?;
    print!("{}", indent(&indent(&it_view::status_text(&status))));
    anyhow::ensure!(state == TriggerState::Clear, "a fresh enrollment is not clear: {state:?}");
    managed_step(profile, tv, &code)?;
    println!();
    Ok(enrolled)
}

/// Phones get IT's values from MDM at every start; the same code again changes nothing, and a
/// damaged value is refused by its key, never echoed.
fn managed_step(profile: &Profile, tv: &Televisit, code: &str) -> Result<()> {
    use televisit_core::it::managed::{keys, ManagedOutcome};
    println!("   MDM delivers its managed configuration at every start: the same code, and a damaged wipe command");
    println!("   on the device (what `televisit managed FILE` does with such a JSON object):");
    let values = std::collections::HashMap::from([
        (keys::ENROLLMENT_CODE.to_owned(), code.to_owned()),
        (keys::WIPE_COMMAND.to_owned(), "tv1.wipe.damaged-in-transit".to_owned()),
    ]);
    let report = tv.apply_managed_config(&profile.secrets, &values)?;
    println!(
        "      {}: {:?} (not enrolled again: pending wipe commands stay valid)",
        keys::ENROLLMENT_CODE,
        report.enrollment
    );
    for problem in report.problems() {
        println!("      refused {problem}");
    }
    anyhow::ensure!(report.enrollment == ManagedOutcome::Unchanged, "the same code enrolled again");
    anyhow::ensure!(matches!(report.wipe, ManagedOutcome::Refused { .. }), "a damaged wipe command was not refused");
    Ok(())
}

fn policy_update_step(admin: &Admin, profile: &Profile, tv: &Televisit, it_dir: &Path) -> Result<()> {
    println!("16. A policy update arrives, signed: version 3 applied; the older version 2 and an unsigned one refused");
    let mut policy = tv.policy()?;
    let before = policy.app_lock.inactivity_timeout_seconds;
    policy.version = 3;
    policy.app_lock.inactivity_timeout_seconds = 120;
    fs::write(it_dir.join("policy-v3.json"), policy.to_json())?;
    println!("   IT shortens the app lock's idle time from {before} s to 120 s, as version 3:");
    println!("   $ televisit-admin policy sign policy-v3.json --org {ORG} > policy-v3.signed");
    let signed = admin.sign_policy(it_dir, "policy-v3.json", ORG)?;
    fs::write(it_dir.join("policy-v3.signed"), &signed)?;
    println!("   $ televisit policy apply policy-v3.signed");
    let applied = it_cmd::apply_signed(profile, tv, &signed)?;
    print!("{}", indent(&indent(&it_view::policy_applied_text(&applied))));
    println!("   the older version again, as a stale MDM configuration would offer it:");
    println!("   $ televisit policy apply policy-v2.signed");
    let old = fs::read_to_string(it_dir.join("policy-v2.signed"))?;
    let err = it_cmd::apply_signed(profile, tv, &old).err().context("an older policy was applied")?;
    println!("      televisit: error: {err:#}   (exit 1)");
    anyhow::ensure!(tv.policy()?.version == 3, "the policy in force changed");
    println!("   and a policy set by hand on the phone, unsigned (version 9, lock after an hour):");
    policy.version = 9;
    policy.app_lock.inactivity_timeout_seconds = 3600;
    println!("   $ televisit policy set policy-v9.json");
    let err = tv.set_unsigned_policy(&profile.secrets, &policy).err().context("an unsigned policy was applied")?;
    println!("      televisit: error: {err}   (exit 1)");
    anyhow::ensure!(tv.policy()?.version == 3, "the policy in force changed");
    println!();
    Ok(())
}

fn visit_step(profile: &Profile, tv: &Televisit, book: &VcardContactBook, zoe: &Patient) -> Result<()> {
    println!("17. A visit with {} under the signed policy", zoe.id);
    let android = TargetPhone::new(Platform::Android, Installed::Consumer, 0);
    let state = tv.evaluate_triggers(&profile.secrets, &android)?;
    anyhow::ensure!(state == TriggerState::Clear, "the local triggers are not clear: {state:?}");
    println!(
        "   the app starts and reads the local triggers: clear (checked in just now, no failed unlocks, not rooted)"
    );
    tv.unlock_succeeded();
    let ensured = tv.ensure_contact(book, &zoe.id)?;
    let preflight = tv.preflight(book, &android, &zoe.id)?;
    anyhow::ensure!(preflight.blocking_codes().is_empty(), "blocked: {:?}", preflight.blocking_codes());
    let codes: Vec<&str> = preflight.checks.iter().map(|c| c.code).collect();
    println!("   contact {}; pre-flight: nothing blocks ({})", ensured.action.code(), codes.join(", "));
    let plan = tv.launch_plan(book, &android, None, &zoe.id, Platform::Android, None)?;
    let first = plan.attempts.first().context("an empty plan")?.kind;
    tv.record_launch(&zoe.id, first, plan.app, true)?;
    println!("   the plan's first step, {}, opened the video call on the phone; logged", first.code());
    tv.mark_visit_done(&zoe.id)?;
    println!("   after the visit, marked done\n");
    Ok(())
}

fn export_step(admin: &Admin, profile: &Profile, tv: &Televisit, it_dir: &Path) -> Result<()> {
    println!("18. The device exports its activity log for IT; IT archives it and opens it");
    fs::write(it_dir.join("report.txt"), tv.device_report(&profile.secrets, &crate::fleet_cmd::desktop_facts())?)?;
    println!("   the device's signed report reached IT through the MDM: $ televisit-admin devices import --org {ORG} report.txt");
    println!("   (it pins the device's key, and records the log's checkpoint the report carries)");
    let file = it_dir.join("export.age");
    println!("   $ televisit log export --out export.age");
    let export = it_cmd::export_to(profile, tv, &file, false)?;
    print!("{}", indent(&indent(&it_view::export_text(&export))));
    let head: Vec<u8> = fs::read(&file)?.into_iter().take_while(|b| *b != b'\n').collect();
    println!(
        "   the file starts \"{}\": sealed with age, only the organisation's export key opens it",
        String::from_utf8_lossy(&head)
    );
    println!("   $ televisit-admin log import --org {ORG} export.age");
    let (verified, archived, report) = admin.archive_export(it_dir, "report.txt", "export.age", ORG)?;
    println!("      {archived}");
    println!("   $ televisit-admin log open export.age --org {ORG}");
    let lines: Vec<&str> = report.lines().collect();
    anyhow::ensure!(lines.len() > 6, "a short export report: {report}");
    // The entries from the enrollment on; the earlier ones are those step 10 listed.
    let enrolled_at = lines.iter().position(|l| l.contains(" enrolled ")).context("no enrollment in the export")?;
    println!("      {}", lines[0]);
    println!(
        "      … (entries 1 to {enrolled_at}: the store, the policy and steps 3 to 9, as step 10 listed them)",
        enrolled_at = enrolled_at - 1
    );
    for line in &lines[enrolled_at..] {
        println!("      {line}");
    }
    anyhow::ensure!(verified, "IT could not verify or archive the export");
    println!("   IT verified it against the device key it pinned from the report (the export carries no key),");
    println!("   and that its entries lead to the checkpoint the device signed; patients appear as opaque ids only.");
    println!("   The next bulletin confirms it, and the next export starts after it\n");
    Ok(())
}

/// One character of the command's payload changed: still base64, no longer what IT signed.
fn changed_one_character(command: &str) -> Result<String> {
    let start = command.find('.').and_then(|i| command[i + 1..].find('.').map(|j| i + j + 2)).context("no payload")?;
    let end = start + command[start..].find('.').context("no signature")?;
    let i = (start + end) / 2;
    let mut bytes = command.as_bytes().to_vec();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    Ok(String::from_utf8(bytes)?)
}

fn wipe_step(
    admin: &Admin,
    profile: &Profile,
    it_dir: &Path,
    book: &VcardContactBook,
    enrolled: &it_view::EnrolledView,
    patients: [&Patient; 2],
) -> Result<()> {
    println!("19. The phone is lost: IT wipes it, and checks the device's signed receipt");
    let old_key = profile.secrets.get(names::DATA_KEY)?.context("no data key before the wipe")?;
    println!(
        "   $ televisit-admin wipe issue --org {ORG} --device {} --enrollment {} --scope all --reason lost",
        enrolled.device_id, enrolled.enrollment_id
    );
    let (command_id, command) = admin.issue_wipe(it_dir, ORG, &enrolled.device_id, &enrolled.enrollment_id)?;
    fs::write(it_dir.join("wipe-command.txt"), &command)?;
    println!("      {}: command {command_id}, valid 14 days (saved as wipe-command.txt)", abbreviated(&command));

    let refused = |shown: &str, token: &str, expected: &[&str]| -> Result<()> {
        println!("   $ televisit wipe apply {shown}");
        match it_cmd::apply_wipe(profile, token)? {
            it_cmd::WipeOutcome::Refused { code, reason } => {
                println!("      televisit: {}   (exit 3)", it_view::refusal_line(code, reason));
                anyhow::ensure!(expected.contains(&code), "refused as {code}, not {expected:?}");
                Ok(())
            }
            it_cmd::WipeOutcome::Done { .. } => anyhow::bail!("a command that should be refused was carried out"),
        }
    };
    println!("   a copy with one character of its payload changed on its way:");
    let tampered = changed_one_character(&command)?;
    refused(&abbreviated_with(&tampered, "one changed"), &tampered, &["bad_signature", "malformed"])?;
    let other = televisit_core::it::enrollment::random_id("dev")?;
    println!("   a command IT issued for another device, {other}, reaches this one:");
    let (_, for_other) = admin.issue_wipe(it_dir, ORG, &other, &enrolled.enrollment_id)?;
    refused(&abbreviated_with(&for_other, &format!("for {other}")), &for_other, &["other_device"])?;
    anyhow::ensure!(profile.database().exists(), "a refused command removed the database");
    println!("   each refusal is logged in the store as evidence; nothing was wiped");

    println!("   the real command:");
    println!("   $ televisit wipe apply wipe-command.txt");
    let receipt = match it_cmd::apply_wipe(profile, &command)? {
        it_cmd::WipeOutcome::Done { receipt } => receipt,
        it_cmd::WipeOutcome::Refused { code, .. } => anyhow::bail!("the real command was refused: {code}"),
    };
    fs::write(it_dir.join("receipt.txt"), &receipt)?;
    let shown = it_view::ReceiptView {
        receipt: abbreviated_with(&receipt, "the full text went to IT as receipt.txt"),
        ..it_view::receipt_view(&receipt, it_view::WipeCause::Applied)
    };
    // Printed, then forgotten by the device, as `televisit wipe apply` does.
    it_cmd::hand_on(profile, &indent(&indent(&it_view::receipt_text(&shown))))?;
    println!("   IT checks it against the device key it recorded at step 15 (with '=': a key may start with '-'):");
    println!("   $ televisit-admin wipe verify-receipt receipt.txt --device-key={}", enrolled.device_key);
    let (valid, report) = admin.verify_receipt(it_dir, "receipt.txt", &enrolled.device_key)?;
    print!("{}", indent(&indent(&report)));
    anyhow::ensure!(valid, "IT refused the receipt");

    println!("   the same command again, replayed:");
    refused("wipe-command.txt", &command, &["not_enrolled", "replayed"])?;
    println!("      the ids of the commands carried out are kept outside the store (secrets/televisit.wipe-seen.v1),");
    println!("      so a command never runs twice, even on a device the wipe unenrolled");

    println!("   the profile folder after the wipe, every file left:");
    let left = files_under(&profile.dir)?;
    let mut rows = Vec::new();
    let mut needles: Vec<Vec<u8>> = vec![old_key.clone(), hex::encode(&old_key).into_bytes(), old_key[..32].to_vec()];
    for patient in patients {
        needles.push(patient.given_name.clone().into_bytes());
        needles.push(patient.family_name.clone().into_bytes());
        needles.push(patient.phone.trim_start_matches('+').as_bytes().to_vec());
    }
    for path in &left {
        let relative = path.strip_prefix(&profile.dir)?.display().to_string();
        let bytes = fs::read(path)?;
        if let Some(found) = needles.iter().position(|n| bytes.windows(n.len()).any(|w| w == n.as_slice())) {
            anyhow::bail!("{relative} still holds {}", if found < 3 { "the old data key" } else { "a patient's data" });
        }
        let what = if relative.starts_with(SECRETS) && relative.ends_with(televisit_core::it::wipe::SEEN) {
            "the ids of the wipe commands carried out, so that none runs twice".to_owned()
        } else if relative.starts_with(CONTACTS) {
            let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            match book.get(id) {
                Ok(Some(c)) if c.marker.is_none() => {
                    "step 7's hand-made contact: not Televisit's, so a wipe leaves it to the phone's owner".to_owned()
                }
                _ => "a contact".to_owned(),
            }
        } else if relative == "checklist-answers.json" {
            "the answers file of step 5 (item ids and values)".to_owned()
        } else {
            "-".to_owned()
        };
        let mode = fs::metadata(path)?.permissions().mode() & 0o777;
        rows.push(vec![format!("{mode:o}"), bytes.len().to_string(), relative, what]);
    }
    print!("{}", indent(&indent(&view::table(&["mode", "bytes", "file", "what it is"], &rows))));
    anyhow::ensure!(!profile.database().exists(), "the database is still there");
    println!("   no database file and no key are left; every byte of every file was checked: no data key, and no");
    println!("   name or number of either patient");
    Ok(())
}

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
