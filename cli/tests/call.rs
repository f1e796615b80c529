//! `televisit call`, `message`, `disclosure` and `metrics` as a tester runs them: the pre-flight,
//! the plans for the phone the flags describe, every URI parsed back with the `url` crate, and
//! messages free of patient data on stderr. The numbers are fictional (555-01xx).

mod common;

use assert_cmd::Command;
use common::{json, ok, Run};
use serde_json::Value;
use std::path::Path;
use url::Url;

const ZOE: [&str; 3] = ["Zo\u{EB}", "O'Brien-Nguy\u{1EC5}n", "+1 415 555 0132"];
const DIGITS: &str = "14155550132";
const VIDEO_MIME: &str = "vnd.android.cursor.item/vnd.com.whatsapp.video.call";
const W4B_VIDEO_MIME: &str = "vnd.android.cursor.item/vnd.com.whatsapp.w4b.video.call";
/// What must never reach stderr. (Not "555" alone: a random hex id holds it one time in a few
/// hundred, which made this test fail by chance.)
const SECRETS: [&str; 5] = ["Zo\u{EB}", "Brien", "555 0132", "5550132", "4155550132"];

/// `common::run`, checked: no patient value ever reaches stderr.
fn run(profile: &Path, args: &[&str]) -> Run {
    let run = common::run(profile, args);
    for secret in SECRETS {
        assert!(!run.stderr.contains(secret), "{args:?}: {secret:?} leaked: {}", run.stderr);
    }
    run
}

/// A command that must exit with `code`; its JSON on stdout.
fn json_exit(profile: &Path, args: &[&str], code: i32) -> (Value, String) {
    let out = run(profile, &[&["--json"], args].concat());
    assert_eq!(out.code, Some(code), "{args:?}: {}\n{}", out.stderr, out.stdout);
    (serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout)), out.stderr)
}

fn add(profile: &Path) -> String {
    let [first, last, phone] = ZOE;
    let added = json(profile, &["patient", "add", "--first", first, "--last", last, "--phone", phone]);
    added["id"].as_str().unwrap().to_owned()
}

/// A patient that may be called: a contact, consent, and the disclosure acknowledged.
fn ready(profile: &Path) -> String {
    let id = add(profile);
    ok(profile, &["contact", "ensure", &id]);
    ok(profile, &["consent", "record", &id, "--method", "verbal"]);
    ok(profile, &["disclosure", "acknowledge"]);
    id
}

fn set_policy(profile: &Path, policy: &str) {
    let file = profile.join("policy.json");
    std::fs::write(&file, policy).unwrap();
    ok(profile, &["policy", "set", file.to_str().unwrap()]);
}

fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn codes(checks: &Value, status: &str) -> Vec<String> {
    checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The words the desktop's shell makes of a line (the core quotes with single quotes only).
fn host_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            _ => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "an unclosed quote: {line}");
    if started {
        words.push(word);
    }
    words
}

/// An `adb shell am start …` line, taken apart: the URI after `-d`, and `-t` and `-p`. The phone's
/// shell gets the words joined by spaces and unquoted, so none may hold a space or a character
/// that shell acts on.
struct AdbLine {
    data: Url,
    mime: Option<String>,
    package: Option<String>,
}

fn adb(line: &str) -> AdbLine {
    let words = host_words(line);
    assert_eq!(words[..5], ["adb", "shell", "am", "start", "-a"], "{line}");
    assert_eq!(words[5], "android.intent.action.VIEW");
    for word in &words[2..] {
        assert!(!word.is_empty() && !word.contains(char::is_whitespace), "{word:?} in {line}");
        assert!(!word.contains(['&', ';', '|', '<', '>', '(', ')', '$', '`', '"', '\'', '\\', '#']), "{word:?}");
    }
    let after = |flag: &str| words.iter().position(|w| w == flag).map(|i| words[i + 1].clone());
    AdbLine {
        data: Url::parse(&after("-d").expect("a -d")).unwrap_or_else(|e| panic!("{e}: {line}")),
        mime: after("-t"),
        package: after("-p"),
    }
}

fn url_of(attempt: &Value) -> Url {
    let step = &attempt["step"];
    let text = match step["type"].as_str().unwrap() {
        "open_url" => step["url"].as_str().unwrap(),
        "android_intent" => step["data"].as_str().unwrap(),
        other => panic!("no URI in a {other} step"),
    };
    Url::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn kinds(plan: &Value) -> Vec<&str> {
    plan["attempts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect()
}

#[test]
fn a_call_without_consent_is_blocked_with_its_codes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = add(p);
    let (out, stderr) = json_exit(p, &["call", &id], 3);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out["patient"], id.as_str());
    assert_eq!(out["preflight"]["blocked"], true);
    assert_eq!(
        out["preflight"]["blocking"],
        serde_json::json!(["consent_missing", "contact_missing", "disclosure_pending"])
    );
    assert_eq!(
        codes(&out["preflight"]["checks"], "block"),
        ["consent_missing", "contact_missing", "disclosure_pending"]
    );
    assert_eq!(codes(&out["preflight"]["checks"], "warn"), ["checklist_never"]);
    assert!(codes(&out["preflight"]["checks"], "pass").contains(&"app_unlocked".to_owned()), "the session unlocks");
    for check in out["preflight"]["checks"].as_array().unwrap() {
        assert!(!check["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(out["plan"], Value::Null);
    assert_eq!(out["target"]["platform"], "android");
    assert_eq!(out["target"]["whatsapp"], serde_json::json!(["consumer"]));

    let text = run(p, &["call", &id]);
    assert_eq!(text.code, Some(3));
    let line = |code: &str| text.stdout.lines().find(|l| l.contains(code)).unwrap_or_else(|| panic!("{code}")).trim();
    assert!(line("consent_missing").starts_with("✗ consent_missing"), "{}", text.stdout);
    assert!(line("checklist_never").starts_with("! checklist_never"));
    assert!(line("number_mobile").starts_with("✓ number_mobile"));
    assert!(text.stdout.contains("Blocked by consent_missing, contact_missing, disclosure_pending"), "{}", text.stdout);
    assert!(!text.stdout.contains("am start") && !text.stdout.contains("wa.me"), "no plan: {}", text.stdout);

    // The contact alone does not unblock it; consent and the disclosure do.
    ok(p, &["contact", "ensure", &id]);
    let (out, _) = json_exit(p, &["call", &id], 3);
    assert_eq!(out["preflight"]["blocking"], serde_json::json!(["consent_missing", "disclosure_pending"]));
    ok(p, &["consent", "record", &id, "--method", "verbal"]);
    ok(p, &["disclosure", "acknowledge"]);
    let out = json(p, &["call", &id]);
    assert_eq!(out["preflight"]["blocked"], false);
    assert_eq!(out["preflight"]["blocking"], serde_json::json!([]));
    assert!(out["plan"].is_object());
}

#[test]
fn call_makes_the_contact_when_it_is_all_that_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = add(p);
    ok(p, &["consent", "record", &id, "--method", "verbal"]);
    ok(p, &["disclosure", "acknowledge"]);
    let contacts = || std::fs::read_dir(p.join("contacts")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(contacts(), 0);
    let out = json(p, &["call", &id]);
    assert_eq!(out["preflight"]["blocked"], false, "{out}");
    assert!(out["plan"].is_object());
    assert_eq!(contacts(), 1, "the contact was made as part of the call");
}

#[test]
fn the_android_plan_syncs_then_opens_the_chat() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    let out = json(p, &["call", &id, "--platform", "android"]);
    let plan = &out["plan"];
    assert_eq!(plan["platform"], "android");
    assert_eq!(plan["app"], "consumer");
    assert_eq!(plan["package"], "com.whatsapp");
    assert_eq!(kinds(plan), ["sync_then_video", "chat"]);
    assert_eq!(plan["message"], Value::Null);
    assert_eq!(plan["message_findings"], serde_json::json!([]));

    let sync = &plan["attempts"][0];
    assert_eq!(
        sync["step"],
        serde_json::json!({
            "type": "android_sync_then_intent",
            "account_type": "com.whatsapp",
            "mime_type": VIDEO_MIME,
            "package": "com.whatsapp",
            "timeout_ms": 10000,
            "poll_interval_ms": 500,
        })
    );
    assert_eq!(sync["adb"], Value::Null, "only an app can request a sync");
    assert!(sync["instruction"].is_string());

    let chat = &plan["attempts"][1];
    assert_eq!(chat["step"]["type"], "open_url");
    assert_eq!(chat["step"]["package"], "com.whatsapp");
    let url = url_of(chat);
    assert_eq!((url.scheme(), url.host_str(), url.path()), ("https", Some("wa.me"), "/14155550132"));
    assert_eq!(url.query(), None);
    assert!(chat["instruction"].as_str().unwrap().contains("video"));
    let line = adb(chat["adb"].as_str().unwrap());
    assert_eq!(line.data, url);
    assert_eq!(line.package.as_deref(), Some("com.whatsapp"));
    assert_eq!(line.mime, None);

    let text = ok(p, &["call", &id]);
    assert!(text.contains("1. sync_then_video") && text.contains("2. chat"), "{text}");
    assert!(text.contains("requestSync(com.whatsapp) then look for the row every 500 ms for 10 s"), "{text}");
    assert!(text.contains(r#"--where \"mimetype='vnd.android.cursor.item/vnd.com.whatsapp.video.call'\"""#), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with("adb shell am start ")), "{text}");
    assert!(text.contains(&format!("televisit call record {id} --attempt sync_then_video|chat --app consumer")));

    // The timing comes from the policy.
    set_policy(p, r#"{"version": 2, "calls": {"sync_wait_seconds": 7}}"#);
    let out = json(p, &["call", &id]);
    assert_eq!(out["plan"]["attempts"][0]["step"]["timeout_ms"], 7000);
    assert!(ok(p, &["call", &id]).contains("every 500 ms for 7 s"));
}

#[test]
fn a_video_row_opens_the_video_call_directly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    for (whatsapp, package, mime) in
        [("consumer", "com.whatsapp", VIDEO_MIME), ("business", "com.whatsapp.w4b", W4B_VIDEO_MIME)]
    {
        let out = json(p, &["call", &id, "--video-row", "42", "--whatsapp", whatsapp]);
        assert_eq!(out["target"]["video_row"], 42);
        let plan = &out["plan"];
        assert_eq!(kinds(plan), ["direct_video", "chat"]);
        let direct = &plan["attempts"][0];
        assert_eq!(direct["step"]["type"], "android_intent");
        assert_eq!(direct["step"]["action"], "android.intent.action.VIEW");
        assert_eq!(direct["step"]["mime_type"], mime);
        assert_eq!(direct["step"]["package"], package);
        let data = url_of(direct);
        assert_eq!(
            (data.scheme(), data.host_str(), data.path()),
            ("content", Some("com.android.contacts"), "/data/42")
        );
        assert_eq!(data.query(), None);
        let line = adb(direct["adb"].as_str().unwrap());
        assert_eq!(line.data, data);
        assert_eq!(line.mime.as_deref(), Some(mime));
        assert_eq!(line.package.as_deref(), Some(package));
        let chat = url_of(&plan["attempts"][1]);
        assert_eq!((chat.host_str(), chat.path()), (Some("wa.me"), "/14155550132"));
    }
    // Both installed: the policy's first choice.
    let out = json(p, &["call", &id, "--video-row", "7", "--whatsapp", "both"]);
    assert_eq!(out["plan"]["app"], "consumer");
    assert_eq!(url_of(&out["plan"]["attempts"][0]).path(), "/data/7");
    let text = ok(p, &["call", &id, "--video-row", "42"]);
    assert!(text.contains("1. direct_video"), "{text}");
    assert!(
        text.contains("adb shell am start -a android.intent.action.VIEW -d 'content://com.android.contacts/data/42'"),
        "{text}"
    );
}

#[test]
fn the_ios_plan_opens_the_chat_by_url() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    let out = json(p, &["call", &id, "--platform", "ios"]);
    assert_eq!(out["target"]["platform"], "ios");
    let plan = &out["plan"];
    assert_eq!(plan["platform"], "ios");
    assert_eq!(kinds(plan), ["chat", "store_page"]);
    let chat = url_of(&plan["attempts"][0]);
    assert_eq!((chat.scheme(), chat.host_str()), ("whatsapp", Some("send")));
    assert_eq!(query(&chat, "phone").as_deref(), Some(DIGITS));
    assert_eq!(query(&chat, "text"), None);
    assert_eq!(plan["attempts"][0]["step"]["package"], Value::Null);
    let store = url_of(&plan["attempts"][1]);
    assert_eq!((store.scheme(), store.host_str(), store.path()), ("https", Some("apps.apple.com"), "/app/id310633997"));
    for attempt in plan["attempts"].as_array().unwrap() {
        assert_eq!(attempt["adb"], Value::Null, "no adb on an iPhone");
    }
    let text = ok(p, &["call", &id, "--platform", "ios"]);
    assert!(text.contains(&format!("open whatsapp://send?phone={DIGITS}")), "{text}");
    assert!(!text.contains("adb "), "{text}");

    let out = run(p, &["call", &id, "--platform", "ios", "--video-row", "3"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--video-row is for --platform android only"), "{}", out.stderr);
}

#[test]
fn a_prefilled_text_round_trips_through_the_urls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    let values = ["--value", "clinic=A&B Clinic? #1", "--value", "time=10:30 & 11:00 at 100% #2 ?a=b+c"];
    let rendered = json(p, &[&["message", "video_call_at"][..], &values].concat());
    assert_eq!(rendered["clean"], true);
    let text = rendered["text"].as_str().unwrap().to_owned();
    assert_eq!(
        text,
        "Hello, this is A&B Clinic? #1. We will call you on WhatsApp video at 10:30 & 11:00 at 100% #2 ?a=b+c. Please be somewhere quiet and private."
    );

    let args = |platform: &'static str| {
        [&["call", id.as_str(), "--platform", platform, "--message", "video_call_at"][..], &values].concat()
    };
    let android = json(p, &args("android"));
    assert_eq!(android["plan"]["message"], text.as_str());
    let chat = &android["plan"]["attempts"][1];
    let url = url_of(chat);
    assert_eq!((url.host_str(), url.path()), (Some("wa.me"), "/14155550132"));
    assert_eq!(url.fragment(), None, "the # is encoded, not a fragment");
    assert_eq!(url.query_pairs().count(), 1, "the & is encoded, not a separator");
    assert_eq!(query(&url, "text").as_deref(), Some(text.as_str()));
    let line = adb(chat["adb"].as_str().unwrap());
    assert_eq!(query(&line.data, "text").as_deref(), Some(text.as_str()));

    let ios = json(p, &args("ios"));
    let url = url_of(&ios["plan"]["attempts"][0]);
    assert_eq!(url.scheme(), "whatsapp");
    assert_eq!(url.fragment(), None);
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(pairs, [("phone".to_owned(), DIGITS.to_owned()), ("text".to_owned(), text.clone())]);

    // The same placeholder twice is a usage error, and the values are not repeated.
    let out = run(p, &["call", &id, "--message", "video_call_at", "--value", "time=1", "--value", "time=Zoë"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--value gives the same placeholder twice"), "{}", out.stderr);
    let out = run(p, &["call", &id, "--value", "time=10:00"]);
    assert_eq!(out.code, Some(2), "--value needs --message");
}

#[test]
fn without_whatsapp_the_plan_is_the_store_page() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    // The default policy blocks the call.
    let (out, _) = json_exit(p, &["call", &id, "--whatsapp", "none"], 3);
    assert_eq!(out["preflight"]["blocking"], serde_json::json!(["whatsapp_missing"]));
    assert_eq!(out["target"]["whatsapp"], serde_json::json!([]));
    assert_eq!(out["plan"], Value::Null);

    // A policy that only warns gets the store page.
    set_policy(p, r#"{"version": 2, "calls": {"checks": {"whatsapp": "warn"}}}"#);
    let out = json(p, &["call", &id, "--whatsapp", "none"]);
    assert_eq!(codes(&out["preflight"]["checks"], "warn"), ["checklist_never", "whatsapp_missing"]);
    let plan = &out["plan"];
    assert_eq!(plan["app"], Value::Null);
    assert_eq!(kinds(plan), ["store_page"]);
    let store = url_of(&plan["attempts"][0]);
    assert_eq!((store.host_str(), store.path()), (Some("play.google.com"), "/store/apps/details"));
    assert_eq!(query(&store, "id").as_deref(), Some("com.whatsapp"));
    assert_eq!(plan["attempts"][0]["step"]["package"], "com.android.vending");
    let line = adb(plan["attempts"][0]["adb"].as_str().unwrap());
    assert_eq!(line.data, store);
    assert_eq!(line.package.as_deref(), Some("com.android.vending"));
    let text = ok(p, &["call", &id, "--whatsapp", "none"]);
    assert!(text.contains("! whatsapp_missing") && text.contains("1. store_page"), "{text}");

    let out = json(p, &["call", &id, "--whatsapp", "none", "--platform", "ios"]);
    let store = url_of(&out["plan"]["attempts"][0]);
    assert_eq!((store.host_str(), store.path()), (Some("apps.apple.com"), "/app/id310633997"));
}

#[test]
fn the_message_lint_fails_with_exit_3_and_shows_each_finding() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let args = ["message", "video_call_at", "--value", "clinic=Oncology", "--value", "time=10:00 about your biopsy"];
    let (out, stderr) = json_exit(p, &args, 3);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out["template"], "video_call_at");
    assert_eq!(out["clean"], false);
    let text = out["text"].as_str().unwrap();
    let findings = out["findings"].as_array().unwrap();
    let found: Vec<(&str, &str)> =
        findings.iter().map(|f| (f["kind"].as_str().unwrap(), f["span"].as_str().unwrap())).collect();
    assert_eq!(found, [("clinical_term", "Oncology"), ("clinical_term", "biopsy")]);
    for f in findings {
        let (start, end) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[start..end], f["span"].as_str().unwrap());
        assert_eq!(f["description"], "a clinical term");
    }
    let shown = run(p, &args);
    assert_eq!(shown.code, Some(3));
    assert!(shown.stdout.starts_with("Hello, this is Oncology."), "{}", shown.stdout);
    assert!(shown.stdout.contains("PHI lint: 2 findings"), "{}", shown.stdout);
    assert!(shown.stdout.lines().any(|l| l.contains("clinical_term") && l.contains("[Oncology]")), "{}", shown.stdout);
    assert!(shown.stdout.lines().any(|l| l.contains("clinical_term") && l.contains("[biopsy]")), "{}", shown.stdout);

    let clean = json(
        p,
        &["message", "directions", "--value", "clinic=North Clinic", "--value", "link=https://example.org/p?a=1&b=2"],
    );
    assert_eq!(clean["clean"], true);
    assert_eq!(clean["findings"], serde_json::json!([]));
    assert!(ok(p, &["message", "visit_confirmation", "--value", "clinic=North", "--value", "time=Tuesday 10:30"])
        .contains("PHI lint: nothing found"));

    let out = run(p, &["message", "video_call_at", "--value", "clinic=X", "--value", "tiem=10:00"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("{tiem}") && out.stderr.contains("{time}"), "{}", out.stderr);
    let out = run(p, &["message", "video_call_at", "--value", "Zoë O'Brien"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--value"), "{}", out.stderr);
    let out = run(p, &["message", "diagnosis"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("visit_confirmation, video_call_at, directions, preparation_checklist"),
        "{}",
        out.stderr
    );

    // In a call, the default policy refuses the message: no plan, the findings, exit 3.
    let id = ready(p);
    let call = [&["call", id.as_str(), "--message", "video_call_at"][..], &args[2..]].concat();
    let (out, stderr) = json_exit(p, &call, 3);
    assert_eq!(out["plan"], Value::Null);
    assert_eq!(out["preflight"]["blocked"], false);
    assert_eq!(out["refused_message"]["findings"][0]["span"], "Oncology");
    assert!(stderr.contains("must not contain a clinical term") && !stderr.contains("Oncology"), "{stderr}");
    // A policy that only warns puts the findings on the plan.
    set_policy(p, r#"{"version": 2, "calls": {"phi_lint": "warn"}}"#);
    let out = json(p, &call);
    assert_eq!(out["plan"]["message_findings"][1]["span"], "biopsy");
    assert_eq!(query(&url_of(&out["plan"]["attempts"][1]), "text").as_deref(), out["plan"]["message"].as_str());
}

#[test]
fn recorded_launches_show_in_the_log_and_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert_eq!(json(p, &["metrics"]), serde_json::json!([]));
    assert!(ok(p, &["metrics"]).contains("nothing counted in the last 30 days"));
    let id = ready(p);
    let failed = json(p, &["call", "record", &id, "--attempt", "sync_then_video", "--failed", "--app", "consumer"]);
    assert_eq!(
        failed,
        serde_json::json!({"patient": id, "attempt": "sync_then_video", "succeeded": false, "app": "consumer"})
    );
    let text = ok(p, &["call", "record", &id, "--attempt", "chat", "--ok", "--app", "consumer"]);
    assert!(text.contains(&format!("{id}: chat opened with com.whatsapp")), "{text}");

    let days = json(p, &["metrics", "--days", "30"]);
    let total = |field: &str| days.as_array().unwrap().iter().map(|d| d[field].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total("calls_launched"), 1, "a failed attempt is not a call: {days}");
    assert_eq!(total("consents_recorded"), 1);
    assert_eq!(total("contacts_created"), 1);
    assert_eq!(total("opt_outs"), 0);
    assert!(days[0]["day"].as_str().unwrap().len() == 10);
    let table = ok(p, &["metrics"]);
    assert!(table.starts_with("day (UTC)") && table.contains("calls"), "{table}");

    let log = json(p, &["log", "list", "--kind", "call_attempt_failed,call_launched", "--patient", &id]);
    assert_eq!(log[0]["kind"], "call_attempt_failed");
    assert_eq!(log[0]["detail"], serde_json::json!({"step": "sync_then_video", "app": "com.whatsapp"}));
    assert_eq!(log[1]["kind"], "call_launched");
    assert_eq!(log[1]["detail"]["step"], "chat");

    let unknown = "pt_00000000000000000000000000000000";
    let out = run(p, &["call", "record", unknown, "--attempt", "chat", "--ok"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains(&format!("no patient {unknown}")), "{}", out.stderr);
    for bad in [
        vec!["call", "record", &id, "--attempt", "chat", "--ok", "--failed"],
        vec!["call", "record", &id, "--attempt", "chat"],
        vec!["call", "record", &id, "--attempt", "video", "--ok"],
        vec!["metrics", "--days", "0"],
    ] {
        assert_eq!(run(p, &bad).code, Some(2), "{bad:?}");
    }
}

#[test]
fn the_disclosure_is_shown_and_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let status = json(p, &["disclosure"]);
    assert_eq!(status["acknowledged"], false);
    assert!(status["text"].as_str().unwrap().starts_with("WhatsApp shows your own phone number to the patient"));
    assert!(ok(p, &["disclosure"]).contains("status: not acknowledged yet"));
    assert!(ok(p, &["disclosure", "acknowledge"]).contains("status: acknowledged"));
    assert_eq!(json(p, &["disclosure"])["acknowledged"], true);
    let log = json(p, &["log", "list", "--kind", "disclosure_acknowledged"]);
    assert_eq!(log.as_array().unwrap().len(), 1);
}

#[test]
fn calling_hours_use_the_phones_offset() {
    use chrono::Timelike;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = ready(p);
    set_policy(
        p,
        r#"{"version": 2, "calls": {"hours": {"start": "11:00", "end": "13:00", "weekdays": [1,2,3,4,5,6,7]}}}"#,
    );
    let now = chrono::Utc::now();
    let noon = 720 - (now.hour() * 60 + now.minute()) as i32; // the phone's local time is about 12:00
    let evening = if noon + 360 <= 840 { noon + 360 } else { noon - 360 };
    let check = |offset: i32| {
        let out = json(p, &["call", &id, "--utc-offset-minutes", &offset.to_string()]);
        assert_eq!(out["target"]["utc_offset_minutes"], offset);
        let checks = &out["preflight"]["checks"];
        (codes(checks, "pass"), codes(checks, "warn"))
    };
    assert!(check(noon).0.contains(&"inside_calling_hours".to_owned()));
    assert!(check(evening).1.contains(&"outside_calling_hours".to_owned()), "only a warning by default");
    for bad in ["841", "-721", "abc"] {
        let out = run(p, &["call", &id, "--utc-offset-minutes", bad]);
        assert_eq!(out.code, Some(2), "{bad}");
        assert!(out.stderr.contains("minutes east of UTC, from -720 to 840"), "{}", out.stderr);
    }
}

#[test]
fn call_usage_errors_never_repeat_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for args in [
        vec!["call", "Zoë O'Brien"],
        vec!["call", "+14155550132"],
        vec!["call", "record", "Zoë", "--attempt", "chat", "--ok"],
        vec!["call", "pt_00000000000000000000000000000000", "--video-row", "+14155550132"],
    ] {
        let out = run(p, &args);
        assert_eq!(out.code, Some(2), "{args:?}");
        assert!(out.stderr.contains("error:"), "{}", out.stderr);
    }
    let out = run(p, &["call", "pt_00000000000000000000000000000000"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("no patient pt_00000000000000000000000000000000"), "{}", out.stderr);
    let help = ok(p, &["call", "--help"]);
    assert!(help.contains("describe the phone the plan is for"), "{help}");
    assert!(help.contains("--video-row") && help.contains("--whatsapp") && help.contains("--utc-offset-minutes"));
}

#[test]
fn the_demo_blocks_a_call_then_plans_it() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let start = text.find("\n6. ").unwrap();
    let step = &text[start..start + text[start..].find("\n7. ").unwrap()];
    let line = |code: &str| step.lines().find(|l| l.contains(code)).unwrap_or_else(|| panic!("{code}: {step}")).trim();
    assert!(line("consent_missing").starts_with("✗ consent_missing"), "{step}");
    assert!(line("disclosure_pending").starts_with("✗ disclosure_pending"), "{step}");
    assert!(step.contains("Blocked by consent_missing, disclosure_pending"), "{step}");
    // The checklist of the step before is current for the phone the call is for.
    assert!(line("checklist_").starts_with("✓ checklist_current"), "{step}");
    assert!(step.contains("consent given: verbal"), "{step}");
    assert!(step.contains("1. sync_then_video") && step.contains("2. chat"), "{step}");
    let adb_line = step.lines().map(str::trim).find(|l| l.starts_with("adb shell am start")).expect("an adb line");
    let chat = adb(adb_line);
    assert_eq!((chat.data.host_str(), chat.data.path()), (Some("wa.me"), "/14155550132"));
    assert!(query(&chat.data, "text").unwrap().contains("We will call you on WhatsApp video at 14:30 today."));
    let ios = step.lines().map(str::trim).find_map(|l| l.strip_prefix("open whatsapp://")).expect("the iPhone URL");
    let ios = Url::parse(&format!("whatsapp://{ios}")).unwrap();
    assert_eq!(query(&ios, "phone").as_deref(), Some(DIGITS));
    assert_eq!(query(&ios, "text"), query(&chat.data, "text"));
    assert!(step.contains("sync_then_video failed") && step.contains("chat opened"), "{step}");
    assert!(step.contains(": 1 call launched, 2 consents,"), "{step}");
}
