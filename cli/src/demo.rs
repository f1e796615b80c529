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
use televisit_core::checklist::{self, Source, CATALOG};
use televisit_core::it::triggers::TriggerState;
use televisit_core::secrets::names;
use televisit_core::{
    Actor, ChecklistStatus, CleanupRules, ConsentMethod, ContactBook, LogQuery, MessageRequest, NewPatient, Patient,
    Platform, Policy, SecretStore, Televisit, Verification,
};

mod admin;
mod cleanup_act;
mod clock;
mod fleet;
mod fleet_keys;
mod it_trip;
mod relay_act;
mod rollback;

use it_trip::{it_round_trip, ORG};

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
    relay_act::run(temp.path())?;

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
    // A visitor's UK mobile, written as UK clinicians write it: the country code decides the
    // rules (its bracketed trunk 0 goes), not the clinic's US region.
    let visitor = NewPatient {
        given_name: "Tom".into(),
        family_name: "Hale".into(),
        phone: "+44 (0)7400 123456".into(),
        visit_at: None,
    };
    let tom = tv.patient_add(&visitor)?;
    println!("   typed \"{}\" for {} with the clinic's region US: kept as {}", visitor.phone, tom.id, tom.phone);
    let (zoe, amara) = (&added[0], &added[1]);
    // Zoë's consent is asked for when the clinician tries to call her (step 5).
    tv.consent_record(&amara.id, ConsentMethod::Written, "v1", Actor::Clinician)?;
    // Asked, and he said no: recorded as such, which is not "never asked".
    tv.consent_decline(&tom.id, ConsentMethod::Verbal, "v1", Actor::Clinician)?;

    for patient in tv.patients(false)? {
        println!("   consent of {}: {}", patient.id, consent_line(&patient.consent));
    }
    println!("   (a decline blocks his calls as consent_declined, told apart from a patient never asked)");
    // The day's list as the phones show it: today's visits first, namesakes told apart.
    let today = tv.day_list(&TargetPhone::new(Platform::Android, Installed::Consumer, 0), false)?;
    print!("{}", indent(&patient_view::day_table(&today)));
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
    let result = checklist_cmd::run_answers(tv, &android, &checklist_cmd::read_answers(&file)?, false)?;
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
    let result = checklist_cmd::run_answers(tv, &android, &checklist_cmd::read_answers(&file)?, false)?;
    print!("{}", indent(&indent(&checklist_view::result_text(&result, items, days))));
    anyhow::ensure!(result.compliant, "the fixed answers were not compliant");
    let status = tv.checklist_status(Some(&android))?;
    println!("   exit 0; checklist status: {}", checklist_view::status_code(status));
    anyhow::ensure!(status == ChecklistStatus::Current, "a compliant checklist is not current");

    // Something changes: the organisation now requires a passkey. The result is re-confirmed,
    // not redone (a WhatsApp update or the month's interval does the same).
    let mut policy = tv.policy()?;
    policy.checklist.required.insert("passkeys".into(), checklist::Requirement::One("created".into()));
    tv.set_unsigned_policy(&profile.secrets, &policy)?;
    let status = tv.checklist_status(Some(&android))?;
    println!(
        "   the organisation now requires a WhatsApp passkey; checklist status: {}",
        checklist_view::status_code(status)
    );
    anyhow::ensure!(status == ChecklistStatus::Reconfirm, "a changed requirement does not ask for a re-confirmation");
    let run = tv.checklist_start(Platform::Android, &android)?;
    println!("   {}", checklist_view::heading(&run));
    let asked: Vec<&str> = run.items.iter().filter(|i| i.asked()).map(|i| i.item.id).collect();
    anyhow::ensure!(asked == ["passkeys"], "a re-confirmation asks more than what changed: {asked:?}");
    let only: Answers = [("passkeys".to_owned(), "created".to_owned())].into_iter().collect();
    fs::write(&file, serde_json::to_string_pretty(&only)?)?;
    println!(
        "   $ televisit checklist --answers {} --nothing-else-changed   ({{\"passkeys\": \"created\"}})",
        file.display()
    );
    let result = checklist_cmd::run_answers(tv, &android, &only, true)?;
    anyhow::ensure!(result.compliant, "the re-confirmation was not compliant");
    let status = tv.checklist_status(Some(&android))?;
    println!(
        "   one item asked, the clinician attests that nothing else changed; logged as a re-confirmation; status: {}",
        checklist_view::status_code(status)
    );
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
