//! Requests that are not a phone's honest check-in, sent to the relay process over TLS: each gets
//! a fixed 4xx and `{"error": code}` (nothing of the request echoed), nothing is stored, and the
//! relay keeps serving the honest phones.

mod common;

use common::{It, Relay, Tls};
use std::io::{Read, Write};
use std::time::Duration;
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::relay::{self, CheckIn, RELAY_VERSION};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};

/// A device made here, enrolled with the code IT issued, signing its own requests.
struct Device {
    key: SigningKey,
    dev: String,
    enr: String,
    org: String,
    code: String,
}

impl Device {
    fn new(n: u8, it: &It) -> Device {
        let key = SigningKey::from_seed(&[n; 32]).unwrap();
        let code = hex::encode(ring::digest::digest(&ring::digest::SHA256, it.code.as_bytes()));
        Device {
            key,
            dev: format!("dev_{:024x}", u128::from(n) + 0xabc000),
            enr: format!("enr_{:024x}", u128::from(n) + 0xabc000),
            org: televisit_protocol::envelope::key_id(&it.org_key).unwrap(),
            code,
        }
    }

    fn body(&self, now: i64) -> Vec<u8> {
        let report = DeviceReport {
            v: REPORT_VERSION,
            dev: self.dev.clone(),
            enr: self.enr.clone(),
            key: self.key.public_key(),
            org: self.org.clone(),
            os: "android".into(),
            os_ver: "16".into(),
            app_ver: "0.1.0".into(),
            pol: 1,
            seen: None,
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: None,
            mdm_user: None,
            cp: None,
            conf: None,
            ks: None,
            cln: None,
            at: now,
        };
        let checkin = CheckIn {
            v: RELAY_VERSION,
            report: report::seal(&self.key, &report).unwrap(),
            receipts: Vec::new(),
            exports: Vec::new(),
            code: Some(self.code.clone()),
        };
        serde_json::to_vec(&checkin).unwrap()
    }

    /// Headers signed by `signer` for `claimed` device id.
    fn headers(
        &self,
        signer: &SigningKey,
        claimed: &str,
        time: i64,
        nonce: &str,
        body: &[u8],
    ) -> Vec<(String, String)> {
        let s = relay::sign_request(signer, "POST", relay::CHECKIN_PATH, claimed, time, nonce, body);
        vec![
            (relay::DEVICE_HEADER.into(), s.device_id),
            (relay::TIME_HEADER.into(), s.time.to_string()),
            (relay::NONCE_HEADER.into(), s.nonce),
            (relay::SIGNATURE_HEADER.into(), s.signature),
        ]
    }
}

fn nonce(n: u32) -> String {
    format!("nonce{n:017}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

struct Client {
    http: reqwest::blocking::Client,
    url: String,
}

impl Client {
    fn new(relay: &Relay, tls: &Tls) -> Client {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
        let http = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Client { http, url: relay.url.clone() }
    }

    fn post(&self, path: &str, headers: &[(String, String)], body: Vec<u8>) -> (u16, String) {
        let mut call = self.http.post(format!("{}{path}", self.url)).body(body);
        for (k, v) in headers {
            call = call.header(k, v);
        }
        let response = call.send().unwrap();
        (response.status().as_u16(), response.text().unwrap())
    }

    fn check_in(&self, headers: &[(String, String)], body: Vec<u8>) -> (u16, String) {
        self.post(relay::CHECKIN_PATH, headers, body)
    }
}

fn refused(answer: (u16, String), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1, format!("{{\"error\":\"{code}\"}}"), "only the code, nothing of the request");
}

fn setup(name: &str, extra: &str) -> Option<(tempfile::TempDir, It, Tls, Relay)> {
    let ledger = televisit_test_postgres::database(name)?;
    let temp = tempfile::tempdir().unwrap();
    let it = It::new(temp.path(), &ledger);
    let tls = Tls::make(temp.path());
    let config = Relay::config(temp.path(), &it.org_key, &ledger, &tls, extra);
    let relay = Relay::start(&config);
    Some((temp, it, tls, relay))
}

#[test]
fn forged_replayed_stale_and_misaddressed_requests_get_fixed_codes_and_store_nothing() {
    let Some((_temp, it, tls, relay)) = setup("bad_requests", "") else { return };
    let client = Client::new(&relay, &tls);
    let (a, b) = (Device::new(1, &it), Device::new(2, &it));
    let t = now();
    // Unsigned; malformed headers.
    refused(client.check_in(&[], a.body(t)), 400, "unsigned");
    let mut bad_time = a.headers(&a.key, &a.dev, t, &nonce(1), &a.body(t));
    bad_time[1].1 = "soon".into();
    refused(client.check_in(&bad_time, a.body(t)), 400, "unsigned");
    // Not JSON, properly signed: malformed, and the body is not echoed.
    let garbage = b"Susan Smith +44 7700 900123".to_vec();
    refused(client.check_in(&a.headers(&a.key, &a.dev, t, &nonce(2), &garbage), garbage), 400, "malformed");
    // Signed by another key than the report's (first contact): bad signature.
    let body = a.body(t);
    refused(client.check_in(&a.headers(&b.key, &a.dev, t, &nonce(3), &body), body), 401, "bad_signature");
    // A time outside the window.
    let body = a.body(t);
    refused(client.check_in(&a.headers(&a.key, &a.dev, t - 3600, &nonce(4), &body), body), 401, "stale");
    // A's own report under B's id, signed by A: the report is not B's.
    let body = a.body(t);
    refused(client.check_in(&a.headers(&a.key, &b.dev, t, &nonce(5), &body), body), 403, "not_enrolled");
    // Nothing of these reached the ledger.
    assert!(it.json(&["devices", "list", "--org", "org"])["devices"].as_array().unwrap().is_empty());
    // The honest check-in is taken, once; the same request again is a replay.
    let body = a.body(t);
    let headers = a.headers(&a.key, &a.dev, t, &nonce(6), &body);
    let (status, text) = client.check_in(&headers, body.clone());
    assert_eq!(status, 200, "{text}");
    let answer: relay::CheckInAnswer = serde_json::from_str(&text).unwrap();
    assert_eq!(answer.recorded.reports, 1);
    refused(client.check_in(&headers, body), 401, "replayed");
    // B pinned too; then A signing a request under B's id is refused against B's pinned key.
    let body = b.body(t);
    assert_eq!(client.check_in(&b.headers(&b.key, &b.dev, t, &nonce(7), &body), body).0, 200);
    let body = a.body(t + 1);
    refused(client.check_in(&a.headers(&a.key, &b.dev, t, &nonce(8), &body), body), 401, "bad_signature");
    // B's signature over A's report under B's id: the report is another device's.
    let body = a.body(t + 2);
    refused(client.check_in(&b.headers(&b.key, &b.dev, t, &nonce(9), &body), body), 403, "wrong_device");
    let devices = it.json(&["devices", "list", "--org", "org"]);
    assert_eq!(devices["devices"].as_array().unwrap().len(), 2, "{devices}");
}

#[test]
fn wrong_paths_methods_and_oversized_bodies_are_refused_and_the_relay_keeps_serving() {
    let Some((_temp, it, tls, relay)) = setup("bad_http", "") else { return };
    let client = Client::new(&relay, &tls);
    refused(client.post("/v1/everything", &[], b"{}".to_vec()), 404, "not_found");
    refused(client.post("/../../etc/passwd", &[], Vec::new()), 404, "not_found");
    let get = client.http.get(format!("{}{}", relay.url, relay::CHECKIN_PATH)).send().unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(get.text().unwrap(), "{\"error\":\"method_not_allowed\"}");
    let a = Device::new(3, &it);
    let huge = vec![b'{'; relay::MAX_BODY_BYTES + 1024];
    let headers = a.headers(&a.key, &a.dev, now(), &nonce(1), &huge);
    refused(client.check_in(&headers, huge), 413, "too_large");
    // Garbage that is not HTTP at all, over TLS: the connection is dropped, nothing else.
    let mut garbage = std::net::TcpStream::connect(relay.url.trim_start_matches("https://")).unwrap();
    garbage.write_all(b"\x16\x03\x01\x00\x05hello not a handshake").unwrap();
    let mut buf = [0u8; 64];
    let _ = garbage.read(&mut buf);
    // The honest phone is still served.
    let body = a.body(now());
    let (status, text) = client.check_in(&a.headers(&a.key, &a.dev, now(), &nonce(2), &body), body);
    assert_eq!(status, 200, "{text}");
    let health = client.http.get(format!("{}{}", relay.url, relay::HEALTH_PATH)).send().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let metrics = client.http.get(format!("{}{}", relay.url, relay::METRICS_PATH)).send().unwrap().text().unwrap();
    assert!(metrics.contains("televisit_relay_refusals_total{reason=\"too_large\"} 1"), "{metrics}");
    assert!(metrics.contains("televisit_relay_checkins_total 1"), "{metrics}");
    assert!(!metrics.contains(&a.dev), "no device ids in metric labels");
}

#[test]
fn a_flood_from_one_device_is_limited_and_another_device_is_served() {
    let Some((_temp, it, tls, relay)) = setup("flood", "[limits]\nper_device_per_minute = 2\nburst = 3\n") else {
        return;
    };
    let client = Client::new(&relay, &tls);
    let (a, b) = (Device::new(4, &it), Device::new(5, &it));
    let statuses: Vec<u16> = (0..10)
        .map(|n| {
            let body = a.body(now() + i64::from(n));
            client.check_in(&a.headers(&a.key, &a.dev, now(), &nonce(n), &body), body).0
        })
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    let body = b.body(now());
    assert_eq!(client.check_in(&b.headers(&b.key, &b.dev, now(), &nonce(100), &body), body).0, 200);
    // A stranger naming A cannot use up A's allowance: refused for its signature, not counted.
    let c = Device::new(6, &it);
    let body = a.body(now());
    refused(client.check_in(&a.headers(&c.key, &a.dev, now(), &nonce(200), &body), body), 401, "bad_signature");
}

#[test]
fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let Some(ledger) = televisit_test_postgres::database("slowloris") else { return };
    let temp = tempfile::tempdir().unwrap();
    let it = It::new(temp.path(), &ledger);
    // Plain HTTP on loopback (behind a proxy), so the test can write a request byte by byte.
    let config = temp.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\norg_key = \"{}\"\nledger = \"{ledger}\"\nexports = \"{}\"\nplain_http = true\n[limits]\nheader_seconds = 1\n",
            it.org_key,
            temp.path().join("exports").display()
        ),
    )
    .unwrap();
    let relay = Relay::start(&config);
    let address = relay.url.trim_start_matches("http://").to_owned();
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    slow.write_all(b"POST /v1/checkin HTTP/1.1\r\nHost: relay\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    // The relay closed the connection (end of stream), well before the read timeout.
    let closed = slow.read_to_end(&mut buf);
    assert!(closed.is_ok(), "the connection was left open: {closed:?}");
    let answered = String::from_utf8_lossy(&buf);
    assert!(!answered.contains("200 OK"), "{answered}");
    // Meanwhile another client is served.
    let health = reqwest::blocking::get(format!("{}{}", relay.url, relay::HEALTH_PATH)).unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

/// Two relays behind one load balancer, one PostgreSQL: a phone's check-ins land on either, a
/// request replayed to the other relay is refused there too, and twenty phones checking in
/// through both at once are each pinned once.
#[test]
fn two_relays_on_one_ledger_share_pins_and_nonces() {
    let Some((temp, it, tls, first)) = setup("two_relays", "") else { return };
    let second_dir = temp.path().join("second");
    std::fs::create_dir_all(&second_dir).unwrap();
    let config = Relay::config(&second_dir, &it.org_key, &it.ledger, &tls, "");
    let second = Relay::start(&config);
    let (one, two) = (Client::new(&first, &tls), Client::new(&second, &tls));
    let a = Device::new(7, &it);
    let body = a.body(now());
    let headers = a.headers(&a.key, &a.dev, now(), &nonce(1), &body);
    assert_eq!(one.check_in(&headers, body.clone()).0, 200);
    refused(two.check_in(&headers, body), 401, "replayed");
    // Pinned through the first relay, checked against that pin at the second.
    let b = Device::new(8, &it);
    let body = a.body(now() + 1);
    refused(two.check_in(&a.headers(&b.key, &a.dev, now(), &nonce(2), &body), body), 401, "bad_signature");
    // Twenty phones, each checking in twice, alternately through both, all at once.
    let devices: Vec<Device> = (20..40).map(|n| Device::new(n, &it)).collect();
    std::thread::scope(|s| {
        for (i, device) in devices.iter().enumerate() {
            let (one, two) = (&one, &two);
            s.spawn(move || {
                for round in 0..2u32 {
                    let client = if (i as u32 + round).is_multiple_of(2) { one } else { two };
                    let body = device.body(now() + i64::from(round));
                    let headers = device.headers(&device.key, &device.dev, now(), &nonce(1000 + round), &body);
                    let (status, text) = client.check_in(&headers, body);
                    assert_eq!(status, 200, "{text}");
                }
            });
        }
    });
    let listed = it.json(&["devices", "list", "--org", "org"]);
    let ids: Vec<&str> = listed["devices"].as_array().unwrap().iter().filter_map(|d| d["device_id"].as_str()).collect();
    assert_eq!(ids.len(), 21, "{listed}");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}
