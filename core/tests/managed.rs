//! Managed configuration as MDM delivers it: the same values again and again, sometimes garbage.

mod common;

use common::book::MemoryBook;
use common::org::Org;
use common::Profile;
use std::collections::HashMap;
use televisit_core::it::enrollment;
use televisit_core::it::managed::{keys, ManagedOutcome};
use televisit_core::it::wipe::{self, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::Televisit;

fn config(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn count(tv: &Televisit, kind: EntryKind) -> usize {
    tv.log_list(&LogQuery::default()).unwrap().iter().filter(|e| e.kind == kind).count()
}

fn refused_code(outcome: &ManagedOutcome) -> &str {
    match outcome {
        ManagedOutcome::Refused { code, .. } => code,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn an_empty_or_blank_configuration_changes_nothing() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    for values in [config(&[]), config(&[(keys::ENROLLMENT_CODE, "  "), (keys::WIPE_COMMAND, "")])] {
        let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
        assert_eq!(
            [report.enrollment, report.policy, report.wipe],
            [ManagedOutcome::NotSet, ManagedOutcome::NotSet, ManagedOutcome::NotSet]
        );
        assert!(!report.wipe_started);
    }
    assert!(enrollment::load(&profile.secrets).unwrap().is_none());
}

#[test]
fn the_same_configuration_delivered_again_is_unchanged_and_keeps_the_enrollment() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let values = config(&[(keys::ENROLLMENT_CODE, &org.code()), (keys::SIGNED_POLICY, &org.policy(3))]);
    let first = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert!(matches!(&first.enrollment, ManagedOutcome::Applied { summary } if summary.contains("dev_")));
    assert_eq!(first.policy, ManagedOutcome::Applied { summary: "policy version 3 in force".into() });
    let enrolled = enrollment::load(&profile.secrets).unwrap().unwrap();
    let entries = tv.log_list(&LogQuery::default()).unwrap().len();

    for _ in 0..3 {
        let again = tv.apply_managed_config(&profile.secrets, &values).unwrap();
        assert_eq!((again.enrollment, again.policy), (ManagedOutcome::Unchanged, ManagedOutcome::Unchanged));
    }
    assert_eq!(enrollment::load(&profile.secrets).unwrap().unwrap(), enrolled, "not enrolled again");
    assert_eq!(tv.log_list(&LogQuery::default()).unwrap().len(), entries, "nothing more logged");
    assert_eq!(tv.policy().unwrap().version, 3);

    // A code enrolled by hand (QR, text) and then delivered by MDM, spaces and all, is the same.
    let other = Profile::new();
    let tv2 = other.open().unwrap();
    tv2.enroll(&other.secrets, &values[keys::ENROLLMENT_CODE]).unwrap();
    let padded = config(&[(keys::ENROLLMENT_CODE, &format!(" {}\n", values[keys::ENROLLMENT_CODE]))]);
    assert_eq!(tv2.apply_managed_config(&other.secrets, &padded).unwrap().enrollment, ManagedOutcome::Unchanged);
}

#[test]
fn garbage_is_refused_with_a_clear_message_logged_once_and_never_echoed() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let garbage = "Susan Smith +14155550132";
    let values =
        config(&[(keys::ENROLLMENT_CODE, garbage), (keys::SIGNED_POLICY, garbage), (keys::WIPE_COMMAND, garbage)]);
    for _ in 0..3 {
        let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
        assert_eq!(refused_code(&report.enrollment), "invalid");
        assert_eq!(refused_code(&report.policy), "invalid", "a policy needs an enrollment");
        assert_eq!(refused_code(&report.wipe), "malformed");
        assert!(!report.wipe_started);
        let problems = report.problems();
        assert_eq!(problems.len(), 3);
        assert!(problems[0].starts_with("enrollment_code: invalid enrollment code"), "{problems:?}");
        for problem in problems {
            assert!(!problem.contains("Susan") && !problem.contains("4155550132"), "{problem}");
        }
    }
    assert_eq!(count(&tv, EntryKind::ConfigRefused), 2, "enrollment and policy, once each");
    assert_eq!(count(&tv, EntryKind::WipeRefused), 1, "the wipe command, once");

    // A different bad value is news again; a good one clears the refusal.
    let org = Org::new();
    let cut = org.code()[..40].to_owned();
    tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &cut)])).unwrap();
    assert_eq!(count(&tv, EntryKind::ConfigRefused), 3);
    let good = tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &org.code())])).unwrap();
    assert!(matches!(good.enrollment, ManagedOutcome::Applied { .. }));
    tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &cut)])).unwrap();
    assert_eq!(count(&tv, EntryKind::ConfigRefused), 4, "refused again after a success: logged again");
}

#[test]
fn an_older_policy_or_another_organisation_is_refused() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    tv.apply_managed_config(
        &profile.secrets,
        &config(&[(keys::ENROLLMENT_CODE, &org.code()), (keys::SIGNED_POLICY, &org.policy(5))]),
    )
    .unwrap();
    let older = tv.apply_managed_config(&profile.secrets, &config(&[(keys::SIGNED_POLICY, &org.policy(4))])).unwrap();
    assert_eq!(refused_code(&older.policy), "policy_outdated");
    let foreign =
        tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &Org::new().code())])).unwrap();
    assert_eq!(refused_code(&foreign.enrollment), "other_organisation");
    assert_eq!(tv.policy().unwrap().version, 5);
}

#[test]
fn a_wipe_command_starts_the_wipe_once_and_is_unchanged_afterwards() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let code = org.code();
    tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &code)])).unwrap();
    let e = enrollment::load(&profile.secrets).unwrap().unwrap();
    let other_device = enrollment::Enrollment { device_id: "dev_000000000000000000000000".into(), ..e.clone() };
    let now = tv.now().timestamp();

    let wrong = org.wipe(&other_device, "cmd_other", WipeScope::All, now);
    let report = tv.apply_managed_config(&profile.secrets, &config(&[(keys::WIPE_COMMAND, &wrong)])).unwrap();
    assert_eq!(refused_code(&report.wipe), "other_device");
    assert!(!report.wipe_started && wipe::pending_command(&profile.secrets).unwrap().is_none());

    let command = org.wipe(&e, "cmd_00000000000000000000105e", WipeScope::All, now);
    let values = config(&[(keys::ENROLLMENT_CODE, &code), (keys::WIPE_COMMAND, &command)]);
    let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert_eq!(report.enrollment, ManagedOutcome::Unchanged);
    assert!(report.wipe_started, "{report:?}");
    assert!(
        matches!(&report.wipe, ManagedOutcome::Applied { summary } if summary.contains("cmd_00000000000000000000105e"))
    );
    let at = tv.now();
    drop(tv);
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), at).unwrap();
    assert!(receipt.is_some());
    // IT's next bulletin confirms the receipt: the device forgets its enrollment.
    let confirming = org.bulletin_confirming_receipt(at.timestamp(), &e.device_id, &["cmd_00000000000000000000105e"]);
    televisit_core::it::bulletin::receive(&profile.secrets, &confirming, at).unwrap();

    // MDM still holds the same configuration: the fresh store enrolls again; the wipe is not news.
    let fresh = profile.open().unwrap();
    let report = fresh.apply_managed_config(&profile.secrets, &values).unwrap();
    assert!(matches!(report.enrollment, ManagedOutcome::Applied { .. }));
    assert_eq!(report.wipe, ManagedOutcome::Unchanged);
    assert!(!report.wipe_started);
    assert_eq!(count(&fresh, EntryKind::WipeRefused), 0);
}

/// The iOS AppConfig specfile (`ios/App/Config/appconfig.xml`) declares exactly the keys the core
/// reads, in the order it applies them, each a string with a label and a description for IT, for
/// the app's bundle id.
#[test]
fn the_ios_appconfig_specfile_declares_the_cores_keys() {
    use quick_xml::events::Event;
    use quick_xml::reader::Reader;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let xml = std::fs::read_to_string(root.join("ios/App/Config/appconfig.xml")).unwrap();
    let mut reader = Reader::from_str(&xml);
    reader.config_mut().trim_text(true);
    let (mut path, mut dict, mut fields, mut bundle) = (Vec::<String>::new(), Vec::new(), Vec::new(), String::new());
    let mut texts: HashMap<String, (String, String)> = HashMap::new();
    let mut field = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(tag) => {
                let name = String::from(tag.name().as_ref());
                let key = tag
                    .try_get_attribute("keyName")
                    .unwrap()
                    .map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned());
                if path.last().map(String::as_str) == Some("dict") {
                    assert_eq!(name, "string", "every managed value is a string of signed text");
                    dict.push(key.clone().expect("a dict entry names its key"));
                }
                if name == "field" {
                    field = key.expect("a field names its key");
                    fields.push(field.clone());
                }
                path.push(name);
            }
            Event::Text(text) => {
                let text = text.xml10_content().into_owned();
                let at: Vec<&str> = path.iter().map(String::as_str).collect();
                match at.as_slice() {
                    [.., "bundleId"] => bundle = text,
                    [.., "field", "label", "language"] => texts.entry(field.clone()).or_default().0 = text,
                    [.., "field", "description", "language"] => texts.entry(field.clone()).or_default().1 = text,
                    _ => {}
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(dict, keys::READ.to_vec(), "the dict's keys are the core's, in the order they are applied");
    assert_eq!(fields, keys::READ.to_vec(), "each key has its field in the form");
    for key in keys::READ {
        let (label, description) = &texts[key];
        assert!(!label.is_empty() && description.len() > 20, "{key}: a label and a description for IT");
    }
    let project = std::fs::read_to_string(root.join("ios/App/TelevisitApp.xcodeproj/project.pbxproj")).unwrap();
    assert!(
        project.contains(&format!("PRODUCT_BUNDLE_IDENTIFIER = {bundle};")),
        "the bundle id is the app's: {bundle}"
    );
}
