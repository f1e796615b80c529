use super::*;

#[test]
fn defaults_are_those_of_the_design() {
    let p = Policy::default();
    assert_eq!(p.contacts.name_template, "Patient {first} {last}");
    assert_eq!(p.wipe_triggers.max_failed_unlocks, 5);
    assert_eq!(p.wipe_triggers.block_after_offline_hours, None, "off by default: no bulletin is scheduled yet");
    assert_eq!(p.wipe_triggers.wipe_after_offline_days, None);
    assert!(p.warnings().is_empty());
    assert_eq!(p.checklist.reconfirm_days, 30);
    p.validate().unwrap();
}

#[test]
fn json_round_trips_and_missing_sections_take_defaults() {
    let p = Policy::from_json(r#"{"version": 3, "log": {"retention_days": 400}}"#).unwrap();
    assert_eq!(p.version, 3);
    assert_eq!(p.log.retention_days, 400);
    assert_eq!(p.contacts, ContactsPolicy::default());
    assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
}

#[test]
fn canonical_json_sorts_the_checklist_requirements() {
    let mut p = Policy::default();
    for id in ["status", "about", "read_receipts", "groups", "last_seen_online", "profile_photo"] {
        p.checklist.required.insert(id.into(), Requirement::NotChecked);
    }
    let once = crate::envelope::canonical_json(&p);
    for _ in 0..8 {
        let again: Policy = serde_json::from_slice(&once).unwrap();
        assert_eq!(crate::envelope::canonical_json(&again), once);
    }
}

#[test]
fn unknown_fields_and_bad_values_name_the_field_and_never_the_value() {
    let err = Policy::from_json(r#"{"contacts": {"name_templat": "x"}}"#).unwrap_err().to_string();
    assert!(err.contains("field this version does not know") && !err.contains("name_templat"), "{err}");
    let err = Policy::from_json(r#"{"contacts": {"default_region": "England"}}"#).unwrap_err().to_string();
    assert!(err.contains("contacts.default_region") && !err.contains("England"), "{err}");
    let err = Policy::from_json(r#"{"log": {"retention_days": 0}}"#).unwrap_err().to_string();
    assert!(err.contains("log.retention_days"), "{err}");
    let err = Policy::from_json(r#"{"calls": {"consent_text_version": "Wording of 2026"}}"#).unwrap_err().to_string();
    assert!(err.contains("calls.consent_text_version") && !err.contains("Wording"), "{err}");
    let err = Policy::from_json(r#"{"log": {"retention_days": "Susan Smith"}}"#).unwrap_err().to_string();
    assert!(!err.contains("Susan"), "{err}");
    let err = Policy::from_json(r#"{"calls": {"allowed_apps": ["Susan Smith"]}}"#).unwrap_err().to_string();
    assert!(!err.contains("Susan"), "{err}");
    let err =
        Policy::from_json(r#"{"checklist": {"required": {"Susan Smith": "not_checked"}}}"#).unwrap_err().to_string();
    assert!(err.contains("checklist.required") && !err.contains("Susan"), "{err}");
    let err =
        Policy::from_json(r#"{"checklist": {"required": {"about": {"one": "Susan Smith"}}}}"#).unwrap_err().to_string();
    assert!(err.contains("`about`") && !err.contains("Susan"), "{err}");
    let err = Policy::from_json(r#"{"version": 1, "version": 2}"#).unwrap_err().to_string();
    assert!(err.contains("twice"), "{err}");
}

#[test]
fn numbers_at_the_limits_of_their_types_are_refused_or_kept_exactly() {
    let p = Policy::from_json(&format!(r#"{{"version": {}}}"#, u64::MAX)).unwrap();
    assert_eq!(p.version, u64::MAX);
    for bad in [
        r#"{"version": 18446744073709551616}"#.to_owned(),
        r#"{"version": -1}"#.to_owned(),
        format!(r#"{{"log": {{"retention_days": {}}}}}"#, u32::MAX),
        format!(r#"{{"wipe_triggers": {{"block_after_offline_hours": {}}}}}"#, u32::MAX),
        format!(r#"{{"wipe_triggers": {{"max_failed_unlocks": {}}}}}"#, u32::MAX),
        format!(r#"{{"contacts": {{"cleanup_after_days": {}}}}}"#, u32::MAX),
        r#"{"calls": {"hours": {"start": "08:00", "end": "18:00", "weekdays": [1, 1]}}}"#.to_owned(),
        r#"{"calls": {"allowed_apps": ["consumer", "consumer"]}}"#.to_owned(),
    ] {
        assert!(Policy::from_json(&bad).is_err(), "{bad}");
    }
}

#[test]
fn a_template_of_thousands_of_placeholders_is_refused_by_validate() {
    let mut p = Policy::default();
    p.contacts.name_template = "{first}".repeat(4000);
    let err = p.validate().unwrap_err().to_string();
    assert!(err.contains("contacts.name_template"), "{err}");
    p.contacts.name_template = "{first}{last}{first_initial}{last_initial}{first}".into();
    assert!(p.validate().is_err());
}

#[test]
fn a_policy_file_of_megabytes_is_refused_before_parsing() {
    let big = format!(r#"{{"organisation": "{}"}}"#, "a".repeat(MAX_JSON_BYTES));
    let err = Policy::from_json(&big).unwrap_err().to_string();
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn the_consent_wording_is_plain_short_and_holds_no_phone_number() {
    let with = |text: &str| {
        let mut policy = Policy::default();
        policy.calls.consent_text = Some(text.to_string());
        policy.validate()
    };
    let wording = "We would like to call you by WhatsApp video for this visit.\nWhatsApp is run by Meta; \
                   your number will be saved on the clinic's phone until the visit is over. Do you agree?";
    with(wording).expect("a short paragraph passes");
    for (text, why) in [
        ("   ", "is empty"),
        (&"a".repeat(MAX_CONSENT_TEXT_CHARS + 1), "longer than 800"),
        ("Call us back on 020 7946 0018 if you have questions.", "phone number"),
        ("Call +44 (0)20-7946.0018 any time.", "phone number"),
        ("Agree?\u{7}", "control characters"),
    ] {
        let err = with(text).unwrap_err().to_string();
        assert!(err.contains("calls.consent_text") && err.contains(why), "{err}");
        assert!(!err.contains("7946"), "the wording is never echoed: {err}");
    }
    // A year or a short code is not a phone number.
    with("Consent wording of March 2026, version 3.").expect("short numbers pass");
    // A policy without the wording encodes as it always did (signed policies stay byte-identical).
    assert!(!Policy::default().to_json().contains("consent_text\""));
}

#[test]
fn automatic_cleanup_is_off_by_default_absent_when_off_and_never_at_age_0() {
    assert!(!Policy::default().contacts.cleanup_automatic);
    // Off: the policy's bytes are those phones that predate the option read.
    assert!(!Policy::default().to_json().contains("cleanup_automatic"));
    let on = Policy::from_json(r#"{"contacts": {"cleanup_automatic": true, "cleanup_after_days": 30}}"#).unwrap();
    assert!(on.contacts.cleanup_automatic && on.to_json().contains("\"cleanup_automatic\": true"));
    on.validate().unwrap();
    // An age of 0 would empty the phone of its patients at every check-in.
    let zero = Policy::from_json(r#"{"contacts": {"cleanup_automatic": true, "cleanup_after_days": 0}}"#)
        .and_then(|p| p.validate())
        .unwrap_err()
        .to_string();
    assert!(zero.contains("contacts.cleanup_after_days"), "{zero}");
}
