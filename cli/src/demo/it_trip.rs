//! The demo's IT round trip: IT makes the organisation's keys, signs a policy and an enrollment
//! code; the device enrolls, takes a signed policy update, has a visit, exports its log, which IT
//! opens; then the phone is lost and IT wipes it.

use super::*;

/// IT's side and back: IT makes the organisation's keys, signs a policy and an enrollment code;
/// the device enrolls, takes a signed policy update, has a visit, exports its log, which IT opens;
/// then the phone is lost and IT wipes it. IT's files live in the demo's folder, beside the
/// profile, and IT's commands run there.
pub(super) fn it_round_trip(
    profile: &Profile,
    it_dir: &Path,
    book: &VcardContactBook,
    patients: [&Patient; 2],
) -> Result<()> {
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

pub(super) const ORG: &str = "org";
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
    fs::write(it_dir.join("report.txt"), tv.device_report(&profile.secrets, &crate::report_cmd::desktop_facts())?)?;
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
    // The verdict first, then the export's line, then its entries (`log open` shows the entries
    // only of an export that verified).
    let enrolled_at = lines.iter().position(|l| l.contains(" enrolled ")).context("no enrollment in the export")?;
    println!("      {}", lines[0]);
    println!("      {}", lines[1]);
    println!(
        "      … (entries 1 to {enrolled_at}: the store, the policy and steps 3 to 9, as step 10 listed them)",
        enrolled_at = enrolled_at - 2
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
    // Printed, as `televisit wipe apply` does; the device keeps it until IT confirms it.
    it_cmd::deliver_receipt_text(&indent(&indent(&it_view::receipt_text(&shown))))?;
    println!("   IT checks it against the device key it recorded at step 15 (with '=': a key may start with '-'):");
    println!("   $ televisit-admin wipe verify-receipt receipt.txt --device-key={}", enrolled.device_key);
    let (valid, report) = admin.verify_receipt(it_dir, "receipt.txt", &enrolled.device_key)?;
    print!("{}", indent(&indent(&report)));
    anyhow::ensure!(valid, "IT refused the receipt");
    anyhow::ensure!(
        televisit_core::it::wipe::held_receipt(&profile.secrets)?.is_some(),
        "the device forgot its receipt before IT confirmed it"
    );
    println!("   printed is not received: the device keeps the receipt, and `televisit status --report` shows it,");
    println!("   until IT's signed word says it arrived. IT takes it into its ledger and signs the next bulletin:");
    println!("   $ televisit-admin devices import --org {ORG} receipt.txt && televisit-admin bulletin sign --org {ORG} > bulletin.txt");
    let (imported, bulletin) = admin.confirm_receipt(it_dir, ORG, "receipt.txt")?;
    println!("      {imported}");
    fs::write(it_dir.join("bulletin.txt"), &bulletin)?;
    println!("   $ televisit bulletin apply bulletin.txt   (on a phone: the next check-in, with no store open)");
    let outcome = televisit_core::it::bulletin::receive(&profile.secrets, &bulletin, chrono::Utc::now())?;
    let confirmed = match outcome {
        televisit_core::it::bulletin::BulletinOutcome::Applied { receipt_confirmed: Some(id), .. } => id,
        _ => anyhow::bail!("the bulletin did not confirm the receipt"),
    };
    anyhow::ensure!(confirmed == command_id, "the bulletin confirmed another command's receipt");
    println!(
        "      the bulletin confirms the receipt of {confirmed}: the device forgets it, its key and its enrollment"
    );

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
        let secret = |name: &str| relative.starts_with(SECRETS) && relative.ends_with(name);
        let what = if secret(televisit_core::it::wipe::SEEN) {
            "the ids of the wipe commands carried out, so that none runs twice".to_owned()
        } else if secret(televisit_core::it::bulletin::LAST_BULLETIN) {
            "the id of the last bulletin applied (the MDM delivers it again until IT signs the next)".to_owned()
        } else if secret(televisit_core::it::checkin::SIGNED_HIGH) || secret(televisit_core::it::checkin::HIGH_WATER) {
            "a time the clock must not run back below (the newest IT signed, the clock as read)".to_owned()
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
