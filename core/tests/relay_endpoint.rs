//! Where a phone checks in over HTTPS: the relay its enrollment code names, moved by the managed
//! configuration, read by a background task with no store open; and how often a check-in
//! carries a sealed export.

mod common;

use common::org::Org;
use common::Profile;
use std::collections::HashMap;
use televisit_core::it::managed::{keys, ManagedOutcome};
use televisit_core::it::relay::{self, apply_answer, endpoint, export_due, RelayEndpoint};
use televisit_core::it::report::ReportFacts;
use televisit_core::it::storeless::check_in;
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::Clock;

fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn code_relay() -> RelayEndpoint {
    RelayEndpoint::new("https://relay.north-clinic.example/televisit", None).unwrap()
}

const PIN: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn the_code_names_the_relay_and_the_managed_configuration_moves_it_and_back() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    assert_eq!(endpoint(&profile.secrets).unwrap(), None, "not enrolled: no relay");
    tv.enroll(&profile.secrets, &org.code()).unwrap();
    assert_eq!(endpoint(&profile.secrets).unwrap(), None, "a code naming no relay: the MDM only");
    tv.enroll(&profile.secrets, &org.code_with_relay(code_relay())).unwrap();
    assert_eq!(endpoint(&profile.secrets).unwrap(), Some(code_relay()));

    let moved = values(&[(keys::RELAY_URL, " https://relay2.north-clinic.example/ "), (keys::RELAY_CA_SHA256, PIN)]);
    let report = tv.apply_managed_config(&profile.secrets, &moved).unwrap();
    assert_eq!(
        report.relay,
        ManagedOutcome::Applied {
            summary: "check-ins go to the relay at relay2.north-clinic.example, its CA pinned".into()
        }
    );
    let now_in_force = endpoint(&profile.secrets).unwrap().unwrap();
    assert_eq!(
        (now_in_force.url.as_str(), now_in_force.ca_sha256.as_deref()),
        ("https://relay2.north-clinic.example", Some(PIN))
    );
    // MDM re-delivers the whole configuration at every start: nothing new.
    assert_eq!(tv.apply_managed_config(&profile.secrets, &moved).unwrap().relay, ManagedOutcome::Unchanged);
    // IT takes the key out: back to the code's relay.
    assert_eq!(tv.apply_managed_config(&profile.secrets, &values(&[])).unwrap().relay, ManagedOutcome::NotSet);
    assert_eq!(endpoint(&profile.secrets).unwrap(), Some(code_relay()));
}

#[test]
fn a_relay_url_no_phone_may_use_is_refused_once_without_echo_and_the_one_in_force_stays() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    tv.enroll(&profile.secrets, &org.code_with_relay(code_relay())).unwrap();
    let refusals = |tv: &televisit_core::Televisit| {
        tv.log_list(&LogQuery::default()).unwrap().iter().filter(|e| e.kind == EntryKind::ConfigRefused).count()
    };
    for (url, pin) in [
        ("http://relay.north-clinic.example", ""),
        ("https://user:secret-token@relay.north-clinic.example", ""),
        ("https://relay.north-clinic.example", "not-a-pin"),
    ] {
        let bad = values(&[(keys::RELAY_URL, url), (keys::RELAY_CA_SHA256, pin)]);
        let before = refusals(&tv);
        for _ in 0..2 {
            let report = tv.apply_managed_config(&profile.secrets, &bad).unwrap();
            let ManagedOutcome::Refused { code, message } = &report.relay else { panic!("{:?}", report.relay) };
            assert_eq!(code, "invalid");
            assert!(!message.contains("secret-token") && !message.contains("north-clinic"), "{message}");
            assert!(report.problems().iter().any(|p| p.starts_with("relay_url: ")), "{:?}", report.problems());
        }
        assert_eq!(refusals(&tv), before + 1, "logged once for {url}");
        assert_eq!(endpoint(&profile.secrets).unwrap(), Some(code_relay()), "the code's relay stays");
    }
}

#[test]
fn a_background_check_in_with_no_store_takes_the_managed_relay_too() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    tv.enroll(&profile.secrets, &org.code()).unwrap();
    drop(tv);
    let now = profile.clock.now();
    let done = check_in(&profile.secrets, &values(&[(keys::RELAY_URL, "https://relay.north-clinic.example")]), now);
    assert!(done.succeeded(), "{done:?}");
    assert_eq!(endpoint(&profile.secrets).unwrap().unwrap().url, "https://relay.north-clinic.example");
    check_in(&profile.secrets, &values(&[]), now);
    assert_eq!(endpoint(&profile.secrets).unwrap(), None);
}

#[test]
fn the_request_goes_to_the_relays_check_in_url_with_its_pin() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let pinned = RelayEndpoint::new("https://relay.north-clinic.example:8443/tv", Some(PIN)).unwrap();
    tv.enroll(&profile.secrets, &org.code_with_relay(pinned.clone())).unwrap();
    let facts = ReportFacts { os: "desktop".into(), os_version: "1".into(), app_version: "0.1.0".into() };
    let to = endpoint(&profile.secrets).unwrap().unwrap();
    let request = tv.relay_request(&profile.secrets, &facts, &to, false, profile.clock.now()).unwrap();
    assert_eq!(request.url, "https://relay.north-clinic.example:8443/tv/v1/checkin");
    assert_eq!(request.ca_sha256.as_deref(), Some(PIN));
}

#[test]
fn an_export_goes_once_a_day_counted_from_the_relays_word_that_it_took_one() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    tv.enroll(&profile.secrets, &org.code_with_relay(code_relay())).unwrap();
    drop(tv);
    let now = profile.clock.now();
    assert!(export_due(&profile.secrets, now).unwrap(), "never sent: due");
    let answer = |exports: u32| {
        serde_json::to_vec(&serde_json::json!({"v": 1, "recorded": {"reports": 1, "receipts": 0, "exports": exports}}))
            .unwrap()
    };
    // An answer that recorded no export (the relay's disk was full, say) changes nothing.
    apply_answer(&profile.secrets, 200, &answer(0), now);
    assert!(export_due(&profile.secrets, now).unwrap());
    // A refusal neither.
    apply_answer(&profile.secrets, 503, br#"{"error":"unavailable"}"#, now);
    assert!(export_due(&profile.secrets, now).unwrap());
    let outcome = apply_answer(&profile.secrets, 200, &answer(1), now);
    assert!(outcome.checked_in && !outcome.retry, "{outcome:?}");
    assert!(!export_due(&profile.secrets, now).unwrap());
    let day = chrono::Duration::seconds(relay::EXPORT_EVERY_SECONDS);
    assert!(!export_due(&profile.secrets, now + day - chrono::Duration::seconds(1)).unwrap());
    assert!(export_due(&profile.secrets, now + day).unwrap());
    // The holder set the clock back past the last one: one export too many, never none.
    assert!(export_due(&profile.secrets, now - chrono::Duration::seconds(1)).unwrap());
}
