//! `televisit-admin mdm export` as IT runs it: for each MDM, a fixed input against a golden file
//! (`tests/golden/mdm/`), then the output read back the way the MDM reads it (JSON, base64, the
//! Jamf XML and its plist, CSV rows) with every key and each MDM's own variables; bad inputs are
//! clear errors with the admin's exit codes.
//!
//! The values are fixed envelopes sealed with a fixed key (Ed25519 signatures are deterministic),
//! so the goldens hold the whole output. `UPDATE_GOLDEN=1 cargo test -p televisit-admin --test
//! mdm_export` rewrites them after an intended change; review the diff.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use televisit_admin::mdm_export::{ManagedConfiguration, LARGE_VALUE_BYTES};
use televisit_protocol::envelope::{Kind, SigningKey};
use televisit_protocol::managed_keys as keys;

mod common;

use common::{admin, admin_json, Ran};

const TARGETS: [(&str, &str); 5] = [
    ("intune-ios", "json"),
    ("intune-android", "json"),
    ("jamf", "xml"),
    ("workspace-one", "csv"),
    ("emm-android", "json"),
];

struct Input {
    dir: tempfile::TempDir,
    code: String,
    policy: String,
    bulletin: String,
}

fn seal(kind: Kind, payload: &str) -> String {
    SigningKey::from_seed(&[7; 32]).unwrap().seal(kind, payload.as_bytes())
}

/// The fixed input: the code and the bulletin in files (as cron writes them), the policy as text.
fn input() -> Input {
    let dir = tempfile::tempdir().unwrap();
    let code = seal(Kind::Enroll, r#"{"fixed":"enrollment code for the golden files"}"#);
    let policy = seal(Kind::Policy, r#"{"fixed":"signed policy for the golden files"}"#);
    let bulletin = seal(Kind::Bulletin, r#"{"fixed":"bulletin for the golden files"}"#);
    std::fs::write(dir.path().join("code.txt"), format!("{code}\n")).unwrap();
    std::fs::write(dir.path().join("bulletin.txt"), format!("{bulletin}\n")).unwrap();
    Input { dir, code, policy, bulletin }
}

impl Input {
    fn export(&self, target: &str, extra: &[&str]) -> Ran {
        let args = [&export_args(target, "code.txt", &self.policy, "bulletin.txt")[..], extra].concat();
        admin(self.dir.path(), &args)
    }

    /// `mdm export` of the fixed policy with another code or bulletin (a file name or the value).
    fn export_with(&self, target: &str, code: &str, bulletin: &str) -> Ran {
        admin(self.dir.path(), &export_args(target, code, &self.policy, bulletin))
    }

    fn body(&self, target: &str) -> String {
        let out = self.export(target, &[]);
        assert_eq!(out.code, Some(0), "{target}: {}", out.stderr);
        out.stdout
    }

    /// The fleet's fixed values, by key.
    fn fixed(&self) -> [(&'static str, &str); 3] {
        [(keys::ENROLLMENT_CODE, &self.code), (keys::SIGNED_POLICY, &self.policy), (keys::BULLETIN, &self.bulletin)]
    }
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/mdm").join(name)
}

/// Every key the phone reads from the fleet's configuration: all but the one-phone wipe command,
/// and the relay's keys (written only with --relay-url: the enrollment code names the relay).
fn fleet_keys() -> Vec<&'static str> {
    let optional = [keys::WIPE_COMMAND, keys::RELAY_URL, keys::RELAY_CA_SHA256];
    keys::READ.iter().copied().filter(|k| !optional.contains(k)).collect()
}

/// The arguments of `mdm export` with each of its three values (a file name or the value itself).
fn export_args<'a>(target: &'a str, code: &'a str, policy: &'a str, bulletin: &'a str) -> [&'a str; 10] {
    ["mdm", "export", "--for", target, "--code", code, "--policy", policy, "--bulletin", bulletin]
}

#[test]
fn each_mdm_body_matches_its_golden_file() {
    let input = input();
    for (target, ext) in TARGETS {
        let body = input.body(target);
        let file = golden(&format!("{target}.{ext}"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &body).unwrap();
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("no golden file {}", file.display()));
        assert_eq!(body, want, "{target} differs from {} (UPDATE_GOLDEN=1 to rewrite after review)", file.display());
    }
}

#[test]
fn intune_ios_is_the_whole_settings_collection_with_intune_tokens() {
    let input = input();
    let body: serde_json::Value = serde_json::from_str(&input.body("intune-ios")).unwrap();
    assert_eq!(body["@odata.type"], "#microsoft.graph.iosMobileAppConfiguration");
    let settings = body["settings"].as_array().unwrap();
    let got: BTreeMap<&str, &str> = settings
        .iter()
        .map(|s| {
            assert_eq!(s["@odata.type"], "#microsoft.graph.appConfigurationSettingItem");
            assert_eq!(s["appConfigKeyType"], "stringType");
            (s["appConfigKey"].as_str().unwrap(), s["appConfigKeyValue"].as_str().unwrap())
        })
        .collect();
    assert_eq!(got.keys().copied().collect::<Vec<_>>().len(), settings.len(), "no key twice");
    let mut want = fleet_keys();
    want.sort_unstable();
    assert_eq!(got.keys().copied().collect::<Vec<_>>(), want);
    for (key, value) in input.fixed() {
        assert_eq!(got[key], value, "{key}");
    }
    assert_eq!(got[keys::MDM_DEVICE_ID], "{{deviceid}}");
    assert_eq!(got[keys::MDM_USER], "{{userprincipalname}}");
}

#[test]
fn intune_android_payload_json_decodes_to_the_managed_configuration_with_every_key() {
    let input = input();
    for (package, extra) in
        [("org.televisit.android", &[][..]), ("org.example.televisit", &["--package", "org.example.televisit"][..])]
    {
        let out = input.export("intune-android", extra);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let body: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(body["@odata.type"], "#microsoft.graph.androidManagedStoreAppConfiguration");
        assert_eq!(body.as_object().unwrap().len(), 2, "only the type and payloadJson: {body}");
        let payload = STANDARD.decode(body["payloadJson"].as_str().unwrap()).unwrap();
        let config: ManagedConfiguration = serde_json::from_slice(&payload).unwrap();
        assert_eq!(config.kind, "androidenterprise#managedConfiguration");
        assert_eq!(config.product_id, format!("app:{package}"));
        let got: BTreeMap<&str, &str> =
            config.managed_property.iter().map(|p| (p.key.as_str(), p.value_string.as_str())).collect();
        assert_eq!(got.len(), fleet_keys().len());
        for (key, value) in input.fixed() {
            assert_eq!(got[key], value, "{key}");
        }
        assert_eq!((got[keys::MDM_DEVICE_ID], got[keys::MDM_USER]), ("{{deviceid}}", "{{userprincipalname}}"));
    }
    let bad = input.export("intune-android", &["--package", "not a package"]);
    assert_eq!(bad.code, Some(1));
    assert!(bad.stderr.contains("--package") && !bad.stderr.contains("not a package"), "{}", bad.stderr);
}

/// The text of each element on the path, unescaped, from an XML document.
fn xml_texts(xml: &str, path: &[&str]) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                stack.push(String::from(e.name().as_ref()));
                if stack == path {
                    current = Some(String::new());
                }
            }
            Event::End(_) => {
                if stack == path {
                    found.extend(current.take());
                }
                stack.pop();
            }
            Event::Text(t) if stack == path => {
                current.as_mut().unwrap().push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0))
            }
            Event::GeneralRef(r) if stack == path => {
                let c = match r.into_inner().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                current.as_mut().unwrap().push_str(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// A plist `<dict>` of `<key>`/`<string>` pairs, read as Apple's format has it: key, then value.
fn plist_dict(plist: &str) -> Vec<(String, String)> {
    let keys = xml_texts(plist, &["dict", "key"]);
    let values = xml_texts(plist, &["dict", "string"]);
    assert_eq!(keys.len(), values.len(), "{plist}");
    keys.into_iter().zip(values).collect()
}

#[test]
fn jamf_xml_holds_the_app_configuration_plist_with_every_key_and_jamf_variables() {
    let input = input();
    let xml = input.body("jamf");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mobile_device_application>"), "{xml}");
    let preferences = xml_texts(&xml, &["mobile_device_application", "app_configuration", "preferences"]);
    let [plist] = preferences.as_slice() else { panic!("one preferences element: {preferences:?}") };
    assert!(plist.starts_with("<dict>") && plist.ends_with("</dict>"), "{plist}");
    let dict = plist_dict(plist);
    let got: BTreeMap<&str, &str> = dict.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got.len(), fleet_keys().len(), "{dict:?}");
    for (key, value) in input.fixed() {
        assert_eq!(got[key], value, "{key}");
    }
    assert_eq!((got[keys::MDM_DEVICE_ID], got[keys::MDM_USER]), ("$UDID", "$EMAIL"));
}

#[test]
fn workspace_one_rows_are_string_keys_with_lookup_values() {
    let input = input();
    let csv = input.body("workspace-one");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("Key,Value Type,Value"));
    let rows: BTreeMap<&str, &str> = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 3, "{line}");
            assert_eq!(cells[1], "String");
            (cells[0], cells[2])
        })
        .collect();
    assert_eq!(rows.len(), fleet_keys().len());
    for (key, value) in input.fixed() {
        assert_eq!(rows[key], value, "{key}");
    }
    assert_eq!((rows[keys::MDM_DEVICE_ID], rows[keys::MDM_USER]), ("{DeviceUid}", "{EmailAddress}"));
}

#[test]
fn a_relay_named_for_the_mdm_is_written_with_its_ca_pin_and_a_bad_one_is_refused_without_echo() {
    let input = input();
    // A CA certificate as IT holds it (PEM); the pin is the SHA-256 of its DER.
    let ca = rcgen::generate_simple_self_signed(vec!["North Clinic CA".into()]).unwrap();
    std::fs::write(input.dir.path().join("ca.pem"), ca.cert.pem()).unwrap();
    let pin = hex::encode(ring::digest::digest(&ring::digest::SHA256, ca.cert.der()));
    let out =
        input.export("workspace-one", &["--relay-url", "https://relay.north-clinic.example/", "--relay-ca", "ca.pem"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let rows: BTreeMap<&str, &str> = out.stdout.lines().skip(1).filter_map(|l| l.split_once(",String,")).collect();
    assert_eq!(rows[keys::RELAY_URL], "https://relay.north-clinic.example");
    assert_eq!(rows[keys::RELAY_CA_SHA256], pin);
    assert_eq!(rows.len(), fleet_keys().len() + 2);
    // The order the app applies them: the relay before the bulletin.
    let order: Vec<&str> = out.stdout.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let at = |key| order.iter().position(|k| *k == key).unwrap();
    assert!(at(keys::RELAY_URL) < at(keys::BULLETIN), "{order:?}");
    for (args, said) in [
        (&["--relay-url", "http://relay.north-clinic.example"][..], "https://"),
        (&["--relay-url", "https://relay.north-clinic.example", "--relay-ca", "code.txt"][..], "holds no certificate"),
    ] {
        let bad = input.export("intune-ios", args);
        assert_eq!(bad.code, Some(1), "{args:?}");
        assert!(bad.stderr.contains(said) && !bad.stderr.contains("north-clinic"), "{}", bad.stderr);
    }
}

#[test]
fn emm_android_is_a_policies_patch_labelled_for_the_emm_without_per_device_variables() {
    let input = input();
    let doc: serde_json::Value = serde_json::from_str(&input.body("emm-android")).unwrap();
    assert!(doc["hand_to"].as_str().unwrap().contains("EMM"));
    assert_eq!(doc["method"], "PATCH");
    assert_eq!(doc["update_mask"], "applications");
    let url = doc["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://androidmanagement.googleapis.com/v1/enterprises/")
            && url.ends_with("?updateMask=applications")
    );
    let apps = doc["body"]["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["packageName"], "org.televisit.android");
    let config = apps[0]["managedConfiguration"].as_object().unwrap();
    assert_eq!(config.len(), 3, "{config:?}");
    for (key, value) in input.fixed() {
        assert_eq!(config[key], value, "{key}");
    }
    assert!(!config.contains_key(keys::MDM_DEVICE_ID) && !config.contains_key(keys::MDM_USER));
    assert!(doc["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("per-device")));
}

#[test]
fn out_writes_the_same_body_and_json_wraps_it_with_notes_and_warnings() {
    let input = input();
    let stdout = input.body("jamf");
    let out = input.export("jamf", &["--out", "body.xml"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(input.dir.path().join("body.xml")).unwrap(), stdout);
    let wrapped = admin_json(input.dir.path(), &export_args("jamf", "code.txt", &input.policy, "bulletin.txt"));
    assert_eq!(wrapped["for"], "jamf");
    assert_eq!(wrapped["body"], stdout.as_str());
    assert!(wrapped["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("no size limit")));
}

#[test]
fn notes_say_what_each_mdm_replaces_and_documents_on_stderr_without_values() {
    let input = input();
    for (target, _) in TARGETS {
        let out = input.export(target, &[]);
        assert!(out.stderr.contains("note:"), "{target}: {}", out.stderr);
        for (_, value) in input.fixed() {
            assert!(!out.stderr.contains(&value[..30]), "{target} echoed a value: {}", out.stderr);
        }
    }
    assert!(input.export("intune-ios", &[]).stderr.contains("replaces the whole settings collection"));
    assert!(input.export("intune-ios", &[]).stderr.contains("no size limit"));
}

#[test]
fn a_bulletin_grown_by_pending_wipes_is_warned_of_by_key_and_size_only() {
    let input = input();
    let big = seal(Kind::Bulletin, &"w".repeat(LARGE_VALUE_BYTES));
    std::fs::write(input.dir.path().join("big.txt"), &big).unwrap();
    let out = input.export_with("intune-ios", "code.txt", "big.txt");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let line = out.stderr.lines().find(|l| l.contains("warning:")).unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(
        line.contains("bulletin") && line.contains(&big.len().to_string()) && line.contains("pending wipe"),
        "{line}"
    );
    assert!(!out.stderr.contains(&big[..40]), "{}", out.stderr);
    // Past Android's 65,535-byte string limit: a warning naming that limit, on Android formats only.
    let huge = seal(Kind::Bulletin, &"w".repeat(50_000));
    std::fs::write(input.dir.path().join("huge.txt"), &huge).unwrap();
    for (target, limit) in
        [("intune-android", "65535"), ("workspace-one", "65535"), ("emm-android", "65535"), ("jamf", "16384")]
    {
        let out = input.export_with(target, "code.txt", "huge.txt");
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(out.stderr.contains(&format!("(limit {limit})")), "{target}: {}", out.stderr);
    }
}

#[test]
fn bad_inputs_are_clear_errors_with_the_admins_exit_codes() {
    let input = input();
    // A missing file: exit 1, the option named, the value not exported as text.
    let out = input.export_with("jamf", "code.txt", "bulletn.txt");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--bulletin: no such file") && out.stdout.is_empty(), "{}", out.stderr);
    // Files mixed up: the policy given as the bulletin.
    let out = input.export_with("jamf", "code.txt", &input.policy);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--bulletin") && out.stderr.contains("another kind"), "{}", out.stderr);
    assert!(!out.stderr.contains(&input.policy[..30]), "{}", out.stderr);
    // A damaged value.
    let damaged = format!("{}!", &input.code);
    let out = input.export_with("jamf", &damaged, "bulletin.txt");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--code") && out.stderr.contains("not a Televisit message"), "{}", out.stderr);
    // An unknown MDM: a usage error, exit 2, naming --for and what it takes.
    let out = input.export("airwatch-classic", &[]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--for") && out.stderr.contains("intune-ios"), "{}", out.stderr);
    // A missing value: usage, exit 2.
    let out = admin(input.dir.path(), &["mdm", "export", "--for", "jamf", "--code", "code.txt"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
}

/// The real thing: an organisation's own code, policy and bulletin go through unchanged.
#[test]
fn an_organisations_real_values_are_carried_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let init = admin(dir.path(), &["org", "init", "--org", "org", "--name", "North Clinic"]);
    assert_eq!(init.code, Some(0), "{}", init.stderr);
    let defaults = admin(dir.path(), &["policy", "defaults"]);
    std::fs::write(dir.path().join("policy.json"), &defaults.stdout).unwrap();
    let signed = admin(dir.path(), &["policy", "sign", "policy.json", "--org", "org"]);
    assert_eq!(signed.code, Some(0), "{}", signed.stderr);
    std::fs::write(dir.path().join("policy.signed"), &signed.stdout).unwrap();
    let code = admin_json(dir.path(), &["enroll-code", "--org", "org", "--policy", "policy.signed"]);
    let code = code["code"].as_str().unwrap().to_owned();
    let bulletin = admin_json(dir.path(), &["bulletin", "sign", "--org", "org"]);
    let bulletin = bulletin["bulletin"].as_str().unwrap().to_owned();
    std::fs::write(dir.path().join("bulletin.txt"), &bulletin).unwrap();
    let out = admin(dir.path(), &export_args("intune-ios", &code, "policy.signed", "bulletin.txt"));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let body: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let value = |key: &str| {
        body["settings"].as_array().unwrap().iter().find(|s| s["appConfigKey"] == key).unwrap()["appConfigKeyValue"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(value(keys::ENROLLMENT_CODE), code);
    assert_eq!(value(keys::SIGNED_POLICY), signed.stdout.trim());
    assert_eq!(value(keys::BULLETIN), bulletin);
}
