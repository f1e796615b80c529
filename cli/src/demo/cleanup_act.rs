//! The fleet act's coda: the monthly cleanup pass, from the fleet view. Phone A, in touch all
//! along, holds patient contacts a month old; its own report (counts only) puts it in IT's
//! fleet report as holding contacts past 30 days, which staff read without opening a phone. IT
//! then signs a policy that makes cleanup automatic; at phone A's next background check-in it
//! removes its own due contacts (never the lookalike a clinician made by hand), and its next
//! report takes it off the list. The summary waits for the next time someone opens the app.

use super::clock::{hour, DemoClock};
use super::fleet_keys::FleetKeys;
use crate::profile::Profile;
use anyhow::{Context, Result};
use chrono::Duration;
use std::collections::HashMap;
use std::path::Path;
use televisit_admin::fleet_cleanup::Summary;
use televisit_admin::ledger::{CommandKind, DeviceFilter, Ledger};
use televisit_admin::org::Org;
use televisit_core::it::managed::keys;
use televisit_core::it::report::ReportFacts;
use televisit_core::{Clock, NewPatient, Televisit};
use televisit_protocol::enrollment::sign_policy;
use televisit_protocol::keyset::Role;
use televisit_protocol::Policy;

/// The fleet's own pieces the act uses: IT's keys, ledger and folder, the shared clock.
pub(super) struct Fleet<'a> {
    pub org: &'a Org,
    pub keys: &'a FleetKeys,
    pub ledger: &'a mut Ledger,
    pub org_dir: &'a Path,
    pub clock: &'a DemoClock,
    pub policy: &'a Policy,
}

pub(super) fn run(fleet: Fleet<'_>, tv: &Televisit, profile: &Profile) -> Result<()> {
    let Fleet { org, keys: fleet_keys, ledger, org_dir, clock, policy } = fleet;
    println!("21. The monthly cleanup pass, from the fleet view: staff find the phones that still hold old patient contacts without opening one");
    let book = profile.contact_book()?;
    let patient = |given: &str, phone: &str| -> Result<()> {
        let added = tv.patient_add(&NewPatient {
            given_name: given.into(),
            family_name: "Example".into(),
            phone: phone.into(),
            visit_at: None,
        })?;
        tv.ensure_contact(&book, &added.id)?;
        Ok(())
    };
    patient("Ada", "+1 202 555 0181")?;
    patient("Ben", "+1 202 555 0182")?;
    println!("   {}: a clinician on phone A makes two patients' contacts for their visits", hour(clock));
    // A month passes with phone A in touch: a bulletin every 12 hours, through the MDM.
    for half_day in 1..=62 {
        clock.advance(Duration::hours(12));
        if half_day == 20 {
            patient("Cy", "+1 202 555 0183")?;
        }
        check_in((tv, profile), fleet_keys, org, ledger, clock, None)?;
    }
    println!("   a month passes; phone A stays in touch (a bulletin every 12 hours) and makes a third patient's contact on day 10");
    std::fs::write(
        book.dir().join("hand-made.vcf"),
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Maria Lopez\r\nTEL:+12025550199\r\nEND:VCARD\r\n",
    )?;
    println!("   the clinician also typed a contact by hand that looks like a patient's (a lookalike)");

    let counted = background(tv, profile, &book)?;
    import(ledger, org_dir, &counted.report, clock)?;
    println!(
        "   {}: phone A's background check-in counts its cleanup for IT: \"{}\" (counts only, in its signed report)",
        hour(clock),
        counted.state_words
    );
    let now = clock.now().timestamp();
    let overdue = ledger.cleanup_overdue(None, now)?;
    anyhow::ensure!(overdue.len() == 1, "phone A is not the one phone overdue");
    println!(
        "      $ televisit-admin devices list --org fleet-org --cleanup-overdue   → exit 3: {} ({}), cleanup {}",
        overdue[0].device_id,
        overdue[0].mdm_user.as_deref().unwrap_or("-"),
        televisit_admin::fleet_cleanup::column(&overdue[0])
    );
    let devices = ledger.devices(&DeviceFilter::default(), now)?;
    println!("      $ televisit-admin fleet report --org fleet-org   → {}", Summary::of(&devices).line());

    // IT lets the phones clean up by themselves: the next policy version, signed as before.
    let mut automatic = policy.clone();
    automatic.version += 1;
    automatic.contacts.cleanup_automatic = true;
    automatic.validate()?;
    let signer = fleet_keys.signer(org, &fleet_keys.policy, Role::Policy, now)?;
    let signed = sign_policy(&signer, &automatic, now)?;
    println!(
        "   IT turns automatic cleanup on: {{\"contacts\": {{\"cleanup_automatic\": true}}}} in policy version {}\n      $ televisit-admin policy sign policy.json --key policy.pk8 > policy.signed   (into the managed configuration's signed_policy)",
        automatic.version
    );
    clock.advance(Duration::hours(12));
    check_in((tv, profile), fleet_keys, org, ledger, clock, Some(signed))?;
    let cleaned = background(tv, profile, &book)?;
    anyhow::ensure!(cleaned.removed == 2, "phone A removed {} contacts, not its two due ones", cleaned.removed);
    import(ledger, org_dir, &cleaned.report, clock)?;
    println!(
        "   {}: phone A's next background check-in applies the policy and removes its own {} contacts past 30 days, logged by the system; the lookalike waits for a person; \"{}\"",
        hour(clock),
        cleaned.removed,
        cleaned.state_words
    );
    let now = clock.now().timestamp();
    anyhow::ensure!(ledger.cleanup_overdue(None, now)?.is_empty(), "phone A is still overdue");
    let devices = ledger.devices(&DeviceFilter::default(), now)?;
    println!("      $ televisit-admin devices list --org fleet-org --cleanup-overdue   → exit 0: no phone holds contacts past its cleanup age");
    println!("      $ televisit-admin fleet report --org fleet-org   → {}", Summary::of(&devices).line());
    let summary = tv.automatic_cleanup_summary()?.context("no summary waits for the next open")?;
    println!(
        "   the next time the clinician opens Televisit (no notification before): removed {} patient contacts past {} days; {} lookalike waits in Cleanup",
        summary.removed, summary.age_days, summary.lookalikes_waiting
    );
    tv.automatic_cleanup_seen()?;
    println!();
    Ok(())
}

/// One check-in through the MDM: IT's next bulletin (and, with `policy`, a new signed policy)
/// applied from the managed configuration.
fn check_in(
    (tv, profile): (&Televisit, &Profile),
    fleet_keys: &FleetKeys,
    org: &Org,
    ledger: &mut Ledger,
    clock: &DemoClock,
    policy: Option<String>,
) -> Result<()> {
    let now = clock.now().timestamp();
    let signed = fleet_keys.bulletin(org, ledger, now)?;
    ledger.record_issued(
        CommandKind::Bulletin,
        &signed.bulletin.bulletin_id,
        "bulletin",
        now,
        signed.bulletin.expires_at,
        "",
    )?;
    let mut config = HashMap::from([(keys::BULLETIN.to_owned(), signed.text)]);
    if let Some(policy) = policy {
        config.insert(keys::SIGNED_POLICY.to_owned(), policy);
    }
    tv.apply_managed_config(&profile.secrets, &config)?;
    Ok(())
}

struct Counted {
    report: String,
    state_words: String,
    removed: u32,
}

/// The policy's cleanup at a background check-in, then the report it publishes.
fn background(tv: &Televisit, profile: &Profile, book: &dyn televisit_core::ContactBook) -> Result<Counted> {
    let done = tv.background_cleanup(book)?;
    let facts = ReportFacts { os: "android".into(), os_version: "16".into(), app_version: "0.1.0".into() };
    Ok(Counted {
        report: tv.device_report(&profile.secrets, &facts)?,
        state_words: done.state.describe(),
        removed: done.removed,
    })
}

/// IT imports the latest app state from the MDM's export.
fn import(ledger: &mut Ledger, org_dir: &Path, report: &str, clock: &DemoClock) -> Result<()> {
    let file = org_dir.join("app-states-cleanup.txt");
    std::fs::write(&file, report)?;
    let imported = ledger.import_file(&file, clock.now().timestamp())?;
    anyhow::ensure!(imported.refused == 0, "IT refused phone A's report");
    Ok(())
}
