//! Faults, as they happen to a relay in a hospital: the relay killed in the middle of an upload,
//! PostgreSQL stopped under it. Nothing a phone sent is lost (it keeps it and sends it again),
//! nothing is recorded twice, and the relay says "try later" (503) rather than anything else.

mod common;

use common::{It, Phone, Relay, Tls};
use std::io::Read;
use std::time::Duration;

/// IT's folder on `ledger`, a CA and certificate, the relay's configuration; one phone to come.
struct Site {
    temp: tempfile::TempDir,
    it: It,
    tls: Tls,
    config: std::path::PathBuf,
}

impl Site {
    fn new(ledger: &str) -> Site {
        let temp = tempfile::tempdir().unwrap();
        let it = It::new(temp.path(), ledger);
        let tls = Tls::make(temp.path());
        let config = Relay::config(temp.path(), &it.org_key, ledger, &tls, "");
        Site { temp, it, tls, config }
    }
}

/// A reader that gives its bytes slowly, then stalls: an upload the relay is killed during.
struct Slow {
    left: usize,
    sent: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Read for Slow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(20));
        let n = buf.len().min(self.left).min(16 * 1024);
        buf[..n].fill(b' ');
        self.left -= n;
        self.sent.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        Ok(n)
    }
}

#[test]
fn the_relay_killed_mid_upload_loses_nothing_and_the_phone_s_retry_is_recorded_once() {
    let Some(ledger) = televisit_test_postgres::database("killed") else { return };
    let Site { temp, it, tls, config } = Site::new(&ledger);
    let mut relay = Relay::start(&config);
    let phone = Phone::enroll(temp.path(), "phone", &it.code);
    // An upload under way (a large body, sent slowly) when the relay dies.
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
    let client = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let body = reqwest::blocking::Body::new(Slow { left: 4 * 1024 * 1024, sent: sent.clone() });
    let url = format!("{}{}", relay.url, televisit_protocol::relay::CHECKIN_PATH);
    // Headers of the right shape, so that the relay reads the body (it refuses a request without
    // them before reading a byte of it).
    let upload = std::thread::spawn(move || {
        client
            .post(url)
            .header(televisit_protocol::relay::DEVICE_HEADER, "dev_0123456789abcdef01234567")
            .header(televisit_protocol::relay::TIME_HEADER, chrono::Utc::now().timestamp().to_string())
            .header(televisit_protocol::relay::NONCE_HEADER, "AAAAAAAAAAAAAAAAAAAAAA")
            .header(televisit_protocol::relay::SIGNATURE_HEADER, "A".repeat(86))
            .body(body)
            .send()
            .map(|r| r.status().as_u16())
    });
    let started = std::time::Instant::now();
    while sent.load(std::sync::atomic::Ordering::SeqCst) < 64 * 1024 {
        assert!(started.elapsed() < Duration::from_secs(30), "the upload did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    relay.kill();
    assert!(upload.join().unwrap().is_err(), "the upload was cut off");
    // The phone's check-in while the relay is down: try later, nothing forgotten.
    let out = phone.check_in(&relay.url, &tls.ca);
    assert_eq!(out.code, Some(75), "{} {}", out.stdout, out.stderr);
    // Back (a new process, as systemd would start it): the retry goes through, once.
    let relay = Relay::start(&config);
    for _ in 0..2 {
        let out = phone.check_in(&relay.url, &tls.ca);
        assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    }
    let devices = it.json(&["devices", "list", "--org", "org"]);
    assert_eq!(devices["devices"].as_array().unwrap().len(), 1, "{devices}");
    // No half-written export was left where IT's tool collects from; the phone's own daily
    // export went once over its two check-ins, whole.
    let files = walk(&relay.exports);
    let parts: Vec<_> = files.iter().filter(|p| p.extension().is_some_and(|e| e == "part")).collect();
    assert!(parts.is_empty(), "{parts:?}");
    assert_eq!(files.iter().filter(|p| p.extension().is_some_and(|e| e == "age")).count(), 1, "{files:?}");
    let collected = it.json(&["relay", "collect", "--org", "org", "--exports", &relay.exports.display().to_string()]);
    assert_eq!(collected["archived"].as_array().map(Vec::len), Some(1), "{collected}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                found.extend(walk(&entry.path()));
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

#[test]
fn postgresql_stopped_makes_the_relay_answer_503_and_the_phone_try_again_later() {
    let cluster = match televisit_test_postgres::Cluster::start() {
        Ok(cluster) => cluster,
        Err(why) if !televisit_test_postgres::required() => {
            eprintln!("skipped: no PostgreSQL ({why})");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let ledger = televisit_test_postgres::create_database(&cluster.url(), "stopped");
    let Site { temp, it, tls, config } = Site::new(&ledger);
    let relay = Relay::start(&config);
    let phone = Phone::enroll(temp.path(), "phone", &it.code);
    assert_eq!(phone.check_in(&relay.url, &tls.ca).code, Some(0));
    it.ok(&["relay", "publish", "--org", "org"]);
    cluster.stop().unwrap();
    let out = phone.check_in(&relay.url, &tls.ca);
    assert_eq!(out.code, Some(75), "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.contains("unavailable"), "{}", out.stdout);
    let health = health_of(&relay, &tls);
    assert_eq!(health, 503);
    // The relay is still up, and takes check-ins again once the database is back.
    cluster.start_again().unwrap();
    let out = phone.check_in(&relay.url, &tls.ca);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    assert_eq!(health_of(&relay, &tls), 200);
    assert!(phone.json(&["status"])["last_checkin"].is_string());
}

fn health_of(relay: &Relay, tls: &Tls) -> u16 {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
    let client = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap();
    client.get(format!("{}{}", relay.url, televisit_protocol::relay::HEALTH_PATH)).send().unwrap().status().as_u16()
}

#[test]
fn the_relay_finishes_requests_in_flight_when_asked_to_stop() {
    let Some(ledger) = televisit_test_postgres::database("graceful") else { return };
    let Site { temp, it, tls, config } = Site::new(&ledger);
    let mut relay = Relay::start(&config);
    let phone = Phone::enroll(temp.path(), "phone", &it.code);
    let (url, ca, profile) = (relay.url.clone(), tls.ca.clone(), phone.profile.clone());
    let during = std::thread::spawn(move || Phone { profile }.check_in(&url, &ca).code);
    std::thread::sleep(Duration::from_millis(30));
    let code = relay.terminate();
    assert_eq!(code, Some(0), "a clean exit on SIGTERM: {}", relay.log());
    // Either the check-in finished before the relay stopped, or it found it gone and will try
    // again: never half-recorded.
    let ran = during.join().unwrap();
    assert!(matches!(ran, Some(0) | Some(75)), "{ran:?}");
    assert!(relay.log().contains("shutting down"), "{}", relay.log());
}

/// Runs SQL on the server's maintenance database.
fn on_server(ledger: &str, sql: &str) {
    let server = &ledger[..ledger.rfind('/').unwrap()];
    let mut admin = postgres::Client::connect(&format!("{server}/postgres"), postgres::NoTls).unwrap();
    // One statement at a time: DROP and CREATE DATABASE run outside any transaction.
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        admin.batch_execute(statement).unwrap();
    }
}

#[test]
fn a_ledger_restored_from_an_older_snapshot_unconfirms_nothing_on_the_phone_and_it_sees_the_gap() {
    let Some(ledger) = televisit_test_postgres::database("snapshot") else { return };
    let db = ledger.rsplit('/').next().unwrap().to_owned();
    let Site { temp, it, tls, config } = Site::new(&ledger);
    let mut relay = Relay::start(&config);
    let phone = Phone::enroll(temp.path(), "phone", &it.code);
    assert_eq!(phone.check_in(&relay.url, &tls.ca).code, Some(0));
    let device = phone.device_id();
    // The snapshot a restore will go back to (PostgreSQL's own copy of the database).
    relay.kill();
    on_server(&ledger, &format!("CREATE DATABASE {db}_snap TEMPLATE {db}"));
    let mut relay = Relay::start(&config);
    // The phone's log goes to IT, IT archives it and confirms it to the phone alone.
    let out =
        phone.run(&["--json", "checkin", "--relay", &relay.url, "--ca", &tls.ca.display().to_string(), "--export"]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let exports = relay.exports.display().to_string();
    let first = it.json(&["relay", "collect", "--org", "org", "--exports", &exports]);
    // The first contact carried the phone's daily export, the second the one asked for: IT
    // confirms all it archived.
    let confirmed = first["archived"].as_array().into_iter().flatten().filter_map(|a| a["through_seq"].as_u64()).max();
    let confirmed = confirmed.expect("an export archived");
    it.ok(&["relay", "publish", "--org", "org"]);
    assert_eq!(phone.check_in(&relay.url, &tls.ca).code, Some(0));
    // The ledger goes back to the snapshot (the archive's files stay where they are).
    relay.kill();
    on_server(&ledger, &format!("DROP DATABASE {db} WITH (FORCE); CREATE DATABASE {db} TEMPLATE {db}_snap"));
    let relay = Relay::start(&config);
    // The phone goes on from what IT confirmed: its next export starts after it, not again from
    // the first entry; and its report tells IT what IT no longer holds.
    let out =
        phone.run(&["--json", "checkin", "--relay", &relay.url, "--ca", &tls.ca.display().to_string(), "--export"]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let second = it.json(&["relay", "collect", "--org", "org", "--exports", &exports]);
    // (The older files are archived again: the restored ledger forgot it had them.)
    let again = second["archived"].as_array().unwrap().iter().any(|a| a["from_seq"].as_u64() == Some(confirmed));
    assert!(again, "an export continuing from what IT confirmed ({confirmed}): {second}");
    let mut restored =
        televisit_ledger::Ledger::open_at(&televisit_ledger::Location::parse(&ledger), &it.org_key).unwrap();
    let findings = restored.log_findings(Some(&device)).unwrap();
    assert!(
        findings.iter().any(|f| f.kind == "gap" && f.detail.contains("restored from an older copy")),
        "{findings:?}"
    );
}

/// Started by a parent that left SIGTERM blocked, the relay still stops on it (it unblocks the
/// signals it stops on before any of its threads start).
#[test]
fn a_relay_started_with_sigterm_blocked_still_stops_on_it() {
    let Some(ledger) = televisit_test_postgres::database("sigterm_blocked") else { return };
    let site = Site::new(&ledger);
    let mut relay = Relay::start_with_sigterm_blocked(&site.config);
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = relay.pid();
    std::thread::spawn(move || {
        let _ = tx.send(relay.terminate());
    });
    let code = rx.recv_timeout(Duration::from_secs(30));
    if code.is_err() {
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
    assert_eq!(code.expect("stopped within 30 s"), Some(0));
}
