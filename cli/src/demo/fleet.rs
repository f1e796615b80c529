//! The demo's last act: a fleet behind an MDM, as IT runs it. Three phones (three profiles)
//! enroll from one managed configuration and publish signed reports, which IT checks and pins;
//! days pass on a simulated clock with a bulletin every 12 hours; one phone goes quiet and is
//! blocked, then wiped by its own trigger; another is lost, and its wipe rides in the fleet's
//! bulletin: only it wipes, with no screen shown, and its receipt verifies against the key from
//! its report. IT keeps its ledger all along: the reports imported from the MDM's export, the
//! lost phone found by its user, the wipe issued and carried by every bulletin until the receipt
//! is imported, and the fleet report written as a page for a browser. IT's side runs in-process
//! through `televisit-admin`'s library (its binary signs at the real time; these bulletins are
//! signed at the simulated hour), each step shown as the command it stands for.

use super::clock::{hour, DemoClock};
use super::fleet_keys::FleetKeys;
use crate::phone::{Installed, TargetPhone};
use crate::profile::Profile;
use anyhow::{Context, Result};
use chrono::Duration;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use televisit_admin::ledger::{CommandKind, DeviceFilter, DeviceKey, Ledger, WipeState};
use televisit_admin::{fleet_html, org};
use televisit_core::it::managed::keys;
use televisit_core::it::report::{self, ReportFacts};
use televisit_core::it::triggers::TriggerState;
use televisit_core::it::wipe::{self, WipeReason, WipeScope};
use televisit_core::{Clock, Platform, StoreOptions, Televisit};
use televisit_protocol::enrollment::{make_enroll_code, sign_policy, Validity, DEFAULT_CODE_VALID_SECONDS};
use televisit_protocol::keyset::Role;
use televisit_protocol::Policy;

struct Phone {
    name: &'static str,
    profile: Profile,
    tv: Option<Televisit>,
    pinned_key: String,
}

impl Phone {
    /// The phone's device and enrollment ids, as its screen shows them.
    fn ids(&self) -> Result<(String, String)> {
        let enrolled = televisit_core::it::enrollment::load(&self.profile.secrets)?.context("not enrolled")?;
        Ok((enrolled.device_id, enrolled.enrollment_id))
    }

    /// Closes the store and carries out the pending wipe; IT verifies the receipt against the
    /// key it pinned from this phone's first report.
    fn finish_wipe(&mut self, clock: &DemoClock) -> Result<(wipe::Receipt, String)> {
        self.tv = None;
        let book = self.profile.contact_book()?;
        let receipt = wipe::resume_pending(&self.profile.database(), &self.profile.secrets, &book, clock.now())?
            .context("the wipe left no receipt")?;
        Ok((wipe::verify_receipt(&receipt, &self.pinned_key)?, receipt))
    }
}

pub fn run(temp: &Path) -> Result<()> {
    println!("20. A fleet behind an MDM: three phones, one configuration, and IT never touches a phone");
    let clock = Arc::new(DemoClock::default());
    let org_dir = temp.join("fleet-org");
    org::init(&org_dir, "St Elsewhere Fleet")?;
    let mut org = org::load(&org_dir)?;
    let mut policy = Policy { version: 1, organisation: "St Elsewhere Fleet".into(), ..Policy::default() };
    policy.wipe_triggers.block_after_offline_hours = Some(24);
    policy.wipe_triggers.wipe_after_offline_days = Some(7);
    let now = clock.now().timestamp();
    println!("   IT splits the organisation's one key before the first phone enrolls:");
    let fleet_keys = FleetKeys::split(&mut org, temp, now)?;
    let policy_key = fleet_keys.signer(&org, &fleet_keys.policy, Role::Policy, now)?;
    let signed = sign_policy(&policy_key, &policy, now)?;
    let validity = Validity::from(now, DEFAULT_CODE_VALID_SECONDS)?;
    let code_key = fleet_keys.signer(&org, &fleet_keys.policy, Role::Enroll, now)?;
    let code = make_enroll_code(&code_key, &org.trust(), &signed, validity)?;
    println!(
        "   IT's policy turns the offline triggers on: blocked after 24 hours, wiped after 7 days without contact"
    );
    for warning in policy.warnings() {
        let field = warning.split(' ').next().unwrap_or_default();
        println!(
            "   $ televisit-admin policy check policy.json   → warning: {field} is on (bulletins must run more often)"
        );
    }
    println!("   one managed configuration for every phone: enrollment_code, signed_policy, mdm_user ({{{{userprincipalname}}}}), bulletin");

    let mut ledger = Ledger::open(&org_dir, &org.info.signing_key)?;
    let mut export = String::from("Device name,User principal name,Keyed app state device_report\n");
    let mut phones = Vec::new();
    for (name, user) in [("A", "dr.ade"), ("B", "dr.bell"), ("C", "dr.chen")] {
        let profile = Profile::resolve(Some(&temp.join(format!("fleet-phone-{name}"))))?;
        let tv = Televisit::open(&profile.database(), &profile.secrets, clock.clone(), &StoreOptions::default())?;
        tv.protect_log_head(Arc::new(crate::file_secrets::FileSecretStore::new(
            &profile.dir.join(crate::profile::SECRETS),
        )?))?;
        let config: HashMap<String, String> = [
            (keys::ENROLLMENT_CODE, code.clone()),
            (keys::SIGNED_POLICY, signed.clone()),
            (keys::MDM_USER, format!("{user}@stelsewhere.example")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        tv.apply_managed_config(&profile.secrets, &config)?;
        let facts = ReportFacts { os: "android".into(), os_version: "16".into(), app_version: "0.1.0".into() };
        let published = tv.device_report(&profile.secrets, &facts)?;
        let checked = report::verify(&published, None)?;
        println!(
            "   phone {name} enrolls and publishes its report ({} characters, keyed app state device_report); IT checks it and pins the key:\n      $ televisit-admin device check REPORT   → {} (enrollment {}), user {}, key {}…",
            published.len(),
            checked.dev,
            checked.enr,
            checked.mdm_user.as_deref().unwrap_or("-"),
            &checked.key[..12]
        );
        export.push_str(&format!("Phone {name},{user}@stelsewhere.example,\"{published}\"\n"));
        phones.push(Phone { name, profile, tv: Some(tv), pinned_key: checked.key });
    }
    let export_file = org_dir.join("app-states.csv");
    std::fs::write(&export_file, &export)?;
    let imported = ledger.import_file(&export_file, clock.now().timestamp())?;
    println!(
        "   IT exports the app states from the MDM's console and keeps them in its ledger:\n      $ televisit-admin devices import --org fleet-org app-states.csv   → {} new reports, {} refused (ledger.db beside the org's keys)",
        imported.reports, imported.refused
    );

    println!("   days pass; IT signs a bulletin every 12 hours (cron: televisit-admin bulletin sign --key cron-bulletin.pk8 --valid 24h); phone B is off in a drawer");
    let android = TargetPhone::new(Platform::Android, Installed::Consumer, 0);
    let mut lost_wipe = None;
    let mut receipts = Vec::new();
    let mut latest_reports: HashMap<&str, String> = HashMap::new();
    for half_day in 1..=16 {
        clock.advance(Duration::hours(12));
        let now = clock.now().timestamp();
        if half_day == 6 {
            // The call comes from dr.chen: IT finds the phone by its user, not by reading its screen.
            let found = ledger.find_devices(DeviceKey::User("dr.chen@stelsewhere.example"), now)?;
            let device = found.first().context("dr.chen's phone is not in the ledger")?;
            let mut command = televisit_admin::wipe_command(
                &device.device_id,
                &device.enrollment_id,
                WipeScope::All,
                WipeReason::Lost,
                14,
                now,
            )?;
            let alice = fleet_keys.signer(&org, &fleet_keys.alice, Role::Wipe, now)?;
            command.signed_by = alice.name.clone();
            ledger.record_wipe(&command, &wipe::issue(&alice, &command)?, "it.oncall", now)?;
            println!(
                "   {}: dr.chen reports phone C lost. $ televisit-admin wipe issue --org fleet-org --user dr.chen@stelsewhere.example --key alice-wipe.pk8   → {} for {}, signed by alice, into every bulletin until its receipt arrives",
                hour(&clock),
                command.command_id,
                device.device_id
            );
            lost_wipe = Some(command.command_id);
        }
        if half_day == 2 {
            let a = &phones[0];
            let tv = a.tv.as_ref().context("phone A is gone")?;
            let (device, enrollment) = a.ids()?;
            fleet_keys.revoke_bob(&mut org, &mut ledger, (tv, &a.profile.secrets), (&device, &enrollment), now)?;
        }
        let signed_bulletin = fleet_keys.bulletin(&org, &mut ledger, now)?;
        let (made, bulletin) = (signed_bulletin.bulletin, signed_bulletin.text);
        ledger.record_issued(CommandKind::Bulletin, &made.bulletin_id, "bulletin", now, made.expires_at, "")?;
        let mut line = format!("   {}:", hour(&clock));
        let mut notes = Vec::new();
        for phone in phones.iter_mut() {
            let Some(tv) = phone.tv.as_ref() else {
                line.push_str(&format!("  {} wiped", phone.name));
                continue;
            };
            if phone.name != "B" {
                let config = HashMap::from([(keys::BULLETIN.to_owned(), bulletin.clone())]);
                let applied = tv.apply_managed_config(&phone.profile.secrets, &config)?;
                if applied.wipe_started {
                    // The check-in job carries it out: no screen, no store open.
                    let (verified, text) = phone.finish_wipe(&clock)?;
                    receipts.push(text);
                    line.push_str(&format!(
                        "  {} WIPES, no screen shown (the bulletin's {})",
                        phone.name, verified.command_id
                    ));
                    notes.push(format!(
                        "      $ televisit-admin wipe verify-receipt RECEIPT --device-key=<phone {}'s pinned key>   → valid, {} steps",
                        phone.name,
                        verified.steps.len()
                    ));
                    continue;
                }
            }
            match tv.evaluate_triggers(&phone.profile.secrets, &android)? {
                TriggerState::Clear => {
                    line.push_str(&format!("  {} in touch", phone.name));
                    // At every check-in the phone publishes its report; the MDM keeps the latest.
                    // (Phone B is off: it publishes nothing.)
                    if phone.name == "B" {
                        continue;
                    }
                    let facts =
                        ReportFacts { os: "android".into(), os_version: "16".into(), app_version: "0.1.0".into() };
                    latest_reports.insert(phone.name, tv.device_report(&phone.profile.secrets, &facts)?);
                }
                TriggerState::Blocked { reasons } => {
                    line.push_str(&format!("  {} BLOCKED ({})", phone.name, reasons.join(", ")))
                }
                TriggerState::Wipe { reason } => {
                    let (verified, text) = phone.finish_wipe(&clock)?;
                    receipts.push(text);
                    line.push_str(&format!(
                        "  {} WIPED ITSELF ({reason}); its receipt verifies against its pinned key ({:?})",
                        phone.name, verified.reason
                    ));
                }
            }
        }
        println!("{line}");
        for note in notes {
            println!("{note}");
        }
        if phones[1].tv.is_none() && phones[2].tv.is_none() {
            break;
        }
    }
    anyhow::ensure!(phones[0].tv.is_some(), "phone A, in touch all along, was wiped");
    anyhow::ensure!(
        phones[1].tv.is_none() && phones[2].tv.is_none(),
        "the quiet and the lost phone were not both wiped"
    );
    anyhow::ensure!(lost_wipe.is_some(), "no wipe was issued");
    println!("   phone A never saw an error: the other phones' wipes in the bulletin are none of its business");
    receipts.extend(latest_reports.into_values());
    ledger_summary(&mut ledger, &org_dir, &org.info.name, &receipts, &clock)?;
    confirm_receipts(&mut ledger, &org, &fleet_keys, &phones, &clock)?;
    println!();
    let a = &phones[0];
    let fleet = super::cleanup_act::Fleet {
        org: &org,
        keys: &fleet_keys,
        ledger: &mut ledger,
        org_dir: &org_dir,
        clock: &clock,
        policy: &policy,
    };
    super::cleanup_act::run(fleet, a.tv.as_ref().context("phone A is gone")?, &a.profile)?;
    Ok(())
}

/// IT's week, from the ledger: what the MDM collected (the latest reports, the receipts)
/// imported, the wipes' states, the quiet phones, and the fleet report written where the demo
/// leaves it.
fn ledger_summary(
    ledger: &mut Ledger,
    org_dir: &Path,
    org: &str,
    collected: &[String],
    clock: &DemoClock,
) -> Result<()> {
    let now = clock.now().timestamp();
    let file = org_dir.join("app-states-week.txt");
    std::fs::write(&file, collected.join("\n"))?;
    let imported = ledger.import_file(&file, now)?;
    println!(
        "   a week's app states from the MDM: $ televisit-admin devices import --org fleet-org app-states-week.txt   → {} new reports, {} receipts verified against the pinned keys",
        imported.reports, imported.receipts
    );
    let wipes = ledger.wipes(now)?;
    for w in &wipes {
        println!(
            "      $ televisit-admin wipe status   → {} {} for {} ({})",
            w.state.code(),
            w.command_id,
            w.device_id,
            w.mdm_user.as_deref().unwrap_or("-")
        );
    }
    anyhow::ensure!(
        wipes.iter().any(|w| w.state == WipeState::Done),
        "the lost phone's wipe is not done in the ledger"
    );
    anyhow::ensure!(ledger.pending_wipes(now)?.is_empty(), "a wipe carried out is still in the bulletins");
    let stale = ledger.devices(&DeviceFilter { stale_seconds: Some(86_400), platform: None }, now)?;
    println!(
        "      $ televisit-admin devices list --stale 24h   → {} phones quiet for a day that were not wiped{}",
        stale.len(),
        if stale.is_empty() {
            String::new()
        } else {
            format!(
                " (exit 3): {}",
                stale.iter().map(|d| d.mdm_user.as_deref().unwrap_or(&d.device_id)).collect::<Vec<_>>().join(", ")
            )
        }
    );
    let devices = ledger.devices(&DeviceFilter::default(), now)?;
    let page = fleet_html::page(org, &devices, &wipes, &ledger.log_findings(None)?, now);
    let html = std::env::temp_dir().join("televisit-demo-fleet-report.html");
    std::fs::write(&html, page)?;
    println!("      $ televisit-admin fleet report --org fleet-org --html fleet.html   → written to {} (open it in a browser)", html.display());
    Ok(())
}

/// The next bulletin confirms the receipts IT now holds: the lost phone, checking in with no
/// store open, forgets its receipt; the one still off keeps its own, and publishes it again when
/// it is switched on. Until then every check-in hands the receipt on again.
fn confirm_receipts(
    ledger: &mut Ledger,
    org: &org::Org,
    fleet_keys: &FleetKeys,
    phones: &[Phone],
    clock: &DemoClock,
) -> Result<()> {
    clock.advance(Duration::hours(12));
    let now = clock.now().timestamp();
    let confirmed = ledger.confirmations(now)?.receipts.len();
    let signed = fleet_keys.bulletin(org, ledger, now)?;
    let (made, bulletin) = (signed.bulletin, signed.text);
    println!(
        "   {}: the next bulletin ({}) confirms {confirmed} wipe receipts to their phones; until now each check-in handed its receipt on again",
        hour(clock),
        made.bulletin_id
    );
    let lost = phones.iter().find(|p| p.name == "C").context("no phone C")?;
    anyhow::ensure!(wipe::held_receipt(&lost.profile.secrets)?.is_some(), "phone C forgot its receipt unconfirmed");
    let outcome = televisit_core::it::bulletin::receive(&lost.profile.secrets, &bulletin, clock.now())?;
    let forgotten =
        matches!(outcome, televisit_core::it::bulletin::BulletinOutcome::Applied { receipt_confirmed: Some(_), .. });
    anyhow::ensure!(
        forgotten && wipe::held_receipt(&lost.profile.secrets)?.is_none(),
        "phone C still holds its receipt"
    );
    println!("      phone C (store-less check-in): receipt confirmed, forgotten with its key and enrollment");
    let drawer = phones.iter().find(|p| p.name == "B").context("no phone B")?;
    anyhow::ensure!(wipe::held_receipt(&drawer.profile.secrets)?.is_some(), "phone B forgot its receipt");
    println!("      phone B, still off: keeps its receipt until a bulletin reaches it");
    Ok(())
}
