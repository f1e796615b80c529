//! Figure 10, the fleet relay under a fleet's load: a bounded load generator (on the protocol crate, to
//! loopback only, stopping by itself) plays thousands of phones checking in over TLS, each on a
//! new connection as a phone's background task makes one, against a relay on a PostgreSQL that
//! syncs its commits. Open loop: each check-in is sent at its scheduled time whether or not the
//! ones before were answered, and its latency counts from that time (a slow relay cannot hide
//! its queue). The rate steps up until a step is not held (95% of the rate answered, p99 at most
//! 100 ms, no error); the highest held is the figure.
//!
//! Floors from the same run: the same check-ins recorded by the relay's own code on one ledger
//! connection without HTTP, and an empty HTTPS round trip on a new connection.

use crate::stats::{median, Bound, Figure};
use anyhow::{anyhow, Context, Result};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use televisit_ledger::{CommandKind, Ledger, Location};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::relay::{self, CheckIn, RequestSignature, CHECKIN_PATH, RELAY_VERSION};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};

pub struct RelaySizes {
    pub devices: usize,
    pub step_seconds: f64,
    pub rates: Vec<f64>,
}

impl RelaySizes {
    pub fn full() -> RelaySizes {
        RelaySizes { devices: 3000, step_seconds: 10.0, rates: vec![56.0, 112.0, 168.0, 224.0, 336.0, 448.0, 560.0] }
    }

    pub fn quick() -> RelaySizes {
        RelaySizes { devices: 300, step_seconds: 3.0, rates: vec![56.0, 112.0] }
    }
}

/// The fleet's goal: 100,000 phones checking in every 15 minutes.
const GOAL_PER_SECOND: f64 = 100_000.0 / 900.0;
const P99_LIMIT_MS: f64 = 100.0;

struct Device {
    key: SigningKey,
    dev: String,
    enr: String,
}

struct Fleet {
    devices: Vec<Device>,
    org_id: String,
    code: String,
}

impl Fleet {
    /// A check-in of device `i % N`, its report dated `at` (a new report each time).
    fn request(&self, i: usize, at: i64, nonce: u64) -> (RequestSignature, Vec<u8>) {
        let d = &self.devices[i % self.devices.len()];
        let report = DeviceReport {
            v: REPORT_VERSION,
            dev: d.dev.clone(),
            enr: d.enr.clone(),
            key: d.key.public_key(),
            org: self.org_id.clone(),
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
            at,
        };
        let checkin = CheckIn {
            v: RELAY_VERSION,
            report: report::seal(&d.key, &report).expect("a valid report"),
            receipts: Vec::new(),
            exports: Vec::new(),
            code: Some(self.code.clone()),
        };
        let body = serde_json::to_vec(&checkin).expect("serialises");
        let nonce = format!("bench{nonce:020}");
        let now = chrono::Utc::now().timestamp();
        (relay::sign_request(&d.key, "POST", CHECKIN_PATH, &d.dev, now, &nonce, &body), body)
    }
}

fn seed(n: usize) -> [u8; 32] {
    let mut seed = [0x5b; 32];
    seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
    seed
}

pub fn relay(work: &Path, sizes: &RelaySizes) -> Result<Vec<Figure>> {
    let cluster = televisit_test_postgres::Cluster::start_durable().map_err(|e| anyhow!("PostgreSQL: {e}"))?;
    let url = televisit_test_postgres::create_database(&cluster.url(), "bench");
    let org = SigningKey::from_seed(&[0x5a; 32])?;
    let org_key = org.public_key();
    let code = hex::encode(ring::digest::digest(&ring::digest::SHA256, b"bench enrollment code"));
    let now = chrono::Utc::now().timestamp();
    Ledger::open_at(&Location::parse(&url), &org_key)?.record_issued(
        CommandKind::EnrollCode,
        &format!("code_{}", &code[..24]),
        "bench",
        now,
        now + 30 * 86_400,
        "bench",
    )?;
    let fleet = Arc::new(Fleet {
        devices: (0..sizes.devices)
            .map(|n| Device {
                key: SigningKey::from_seed(&seed(n)).expect("a seed"),
                dev: format!("dev_{n:024x}"),
                enr: format!("enr_{n:024x}"),
            })
            .collect(),
        org_id: televisit_protocol::envelope::key_id(&org_key).context("a key id")?,
        code,
    });
    let dir = work.join("relay");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (ca, cert, key) = certificates(&dir)?;
    let config = televisit_relay::config::Config {
        listen: "127.0.0.1:0".parse()?,
        org_key: org_key.clone(),
        ledger: url.clone(),
        exports: dir.join("exports"),
        tls: Some(televisit_relay::config::Tls { cert, key }),
        plain_http: false,
        limits: televisit_relay::config::Limits { per_device_per_minute: 10_000, burst: 10_000, ..Default::default() },
    };
    // The relay in a runtime of its own (two workers: this machine's cores), stopped at the end.
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        runtime.block_on(televisit_relay::server::serve_until(
            config,
            move |address| {
                let _ = addr_tx.send(address);
            },
            async move {
                let _ = stop_rx.await;
            },
        ))
    });
    let address = addr_rx.recv_timeout(Duration::from_secs(30)).context("the relay did not start")?;
    let base = format!("https://{address}");
    let load = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let client = client(&ca)?;
    let result = load.block_on(measure(&client, &base, fleet.clone(), sizes, &url, &org_key, &dir));
    let _ = stop_tx.send(());
    let _ = server.join();
    drop(cluster);
    result
}

fn client(ca: &[u8]) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca)?)
        // A new TLS connection per check-in, as phones make them (minutes apart).
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()?)
}

async fn measure(
    client: &reqwest::Client,
    base: &str,
    fleet: Arc<Fleet>,
    sizes: &RelaySizes,
    url: &str,
    org_key: &str,
    dir: &Path,
) -> Result<Vec<Figure>> {
    let nonces = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let at = chrono::Utc::now().timestamp();
    // Every device's first contact (pins its key), sixteen at a time; not timed.
    let mut first = tokio::task::JoinSet::new();
    for chunk in (0..fleet.devices.len()).collect::<Vec<_>>().chunks(fleet.devices.len().div_ceil(16)) {
        let (client, base, fleet, nonces, chunk) =
            (client.clone(), base.to_owned(), fleet.clone(), nonces.clone(), chunk.to_vec());
        first.spawn(async move {
            for i in chunk {
                let n = nonces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let status = send(&client, &base, &fleet, i, at, n).await?;
                anyhow::ensure!(status == 200, "first contact answered {status}");
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(done) = first.join_next().await {
        done??;
    }
    // Floor 1: an empty HTTPS round trip on a new connection (a path that touches nothing).
    let mut empty = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let status = client.get(format!("{base}/v1/nothing")).send().await?.status().as_u16();
        anyhow::ensure!(status == 404, "the empty round trip answered {status}");
        empty.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // Floor 2: the same check-ins recorded by the relay's code on one connection, no HTTP.
    let db_ms = {
        let (fleet, url, org_key, exports, nonces) =
            (fleet.clone(), url.to_owned(), org_key.to_owned(), dir.join("exports"), nonces.clone());
        tokio::task::spawn_blocking(move || -> Result<Vec<f64>> {
            let mut ledger = Ledger::open_at(&Location::parse(&url), &org_key)?;
            let mut times = Vec::new();
            for i in 0..300 {
                let n = nonces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (signature, body) = fleet.request(i, at + 1, n);
                let started = Instant::now();
                televisit_relay::checkin::check_in(
                    &mut ledger,
                    &exports,
                    &signature,
                    &body,
                    chrono::Utc::now().timestamp(),
                    &|_| true,
                )
                .map_err(|e| anyhow!("the floor's check-in was refused: {}", e.code()))?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(times)
        })
        .await??
    };
    let (empty_ms, db_ms) = (median(&empty), median(&db_ms));
    let floor_ms = empty_ms + db_ms;
    // The steps.
    let mut steps = Vec::new();
    let mut held_rate = 0.0;
    let mut at_goal: Option<Step> = None;
    for (k, &rate) in sizes.rates.iter().enumerate() {
        let step = run_step(client, base, &fleet, &nonces, rate, sizes.step_seconds, at + 2 + k as i64).await;
        eprintln!(
            "bench: relay at {rate:.0}/s: {:.1}/s answered, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            step.achieved, step.p50, step.p99, step.errors
        );
        let held = step.held(rate);
        if (rate - 112.0).abs() < 1.0 {
            at_goal = Some(step.clone());
        }
        steps.push(serde_json::json!({"rate": rate, "achieved": step.achieved, "p50_ms": step.p50, "p99_ms": step.p99, "errors": step.errors, "held": held}));
        if !held {
            break;
        }
        held_rate = rate;
    }
    let goal = at_goal.context("the steps include the goal's rate")?;
    let db_rate = 1000.0 / db_ms;
    Ok(vec![
        Figure::new(
            "relay_rate",
            format!(
                "relay: check-ins/s held over TLS, PostgreSQL, p99 ≤ 100 ms ({} phones, a new connection each)",
                crate::stats::thousands(sizes.devices as u64)
            ),
            held_rate,
            "check-ins/s",
            "the same check-ins written without HTTP, one connection",
            Some(db_rate),
            Some(held_rate / db_rate),
            "the one-connection rate",
        )
        .target("≥ 112/s (100,000 phones every 15 min)", &[Bound::MeasuredAtLeast(GOAL_PER_SECOND)])
        .detail(serde_json::json!({"steps": steps, "empty_round_trip_ms": empty_ms, "db_check_in_ms": db_ms})),
        Figure::new(
            "relay_p50",
            "relay: check-in latency at 112/s, median",
            goal.p50,
            "ms",
            "an empty HTTPS round trip + the check-in written without HTTP",
            Some(floor_ms),
            Some(goal.p50 / floor_ms),
            "the floor's time",
        )
        .target("≤ 3× the floor", &[Bound::RatioAtMost(3.0)]),
        Figure::new(
            "relay_p99",
            "relay: check-in latency at 112/s, 99th percentile",
            goal.p99,
            "ms",
            "an empty HTTPS round trip + the check-in written without HTTP",
            Some(floor_ms),
            Some(goal.p99 / floor_ms),
            "the floor's time",
        )
        .target("≤ 100 ms", &[Bound::MeasuredAtMost(P99_LIMIT_MS)]),
    ])
}

#[derive(Clone)]
struct Step {
    achieved: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

impl Step {
    fn held(&self, rate: f64) -> bool {
        self.errors == 0 && self.achieved >= 0.95 * rate && self.p99 <= P99_LIMIT_MS
    }
}

async fn run_step(
    client: &reqwest::Client,
    base: &str,
    fleet: &Arc<Fleet>,
    nonces: &Arc<std::sync::atomic::AtomicU64>,
    rate: f64,
    seconds: f64,
    at: i64,
) -> Step {
    let total = (rate * seconds).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..total {
        let scheduled = started + interval.mul_f64(k as f64);
        tokio::time::sleep_until(scheduled.into()).await;
        let (client, base, fleet, nonces) = (client.clone(), base.to_owned(), fleet.clone(), nonces.clone());
        tasks.spawn(async move {
            let n = nonces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let status = send(&client, &base, &fleet, k, at, n).await;
            (status.ok() == Some(200), scheduled.elapsed().as_secs_f64() * 1000.0, Instant::now())
        });
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut last = started;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((true, ms, at)) => {
                latencies.push(ms);
                last = last.max(at);
            }
            _ => errors += 1,
        }
    }
    let elapsed = last.duration_since(started).as_secs_f64().max(seconds);
    latencies.sort_by(f64::total_cmp);
    let pick =
        |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1))).copied();
    Step {
        achieved: latencies.len() as f64 / elapsed,
        p50: pick(0.50).unwrap_or(f64::INFINITY),
        p99: pick(0.99).unwrap_or(f64::INFINITY),
        errors,
    }
}

async fn send(client: &reqwest::Client, base: &str, fleet: &Fleet, i: usize, at: i64, nonce: u64) -> Result<u16> {
    let (signature, body) = fleet.request(i, at, nonce);
    let response = client
        .post(format!("{base}{CHECKIN_PATH}"))
        .header(relay::DEVICE_HEADER, &signature.device_id)
        .header(relay::TIME_HEADER, signature.time.to_string())
        .header(relay::NONCE_HEADER, &signature.nonce)
        .header(relay::SIGNATURE_HEADER, &signature.signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let _ = response.bytes().await?;
    Ok(status)
}

/// A CA and a certificate for 127.0.0.1 it signed: (the CA's PEM, the certificate's file, its key's file).
fn certificates(dir: &Path) -> Result<(Vec<u8>, std::path::PathBuf, std::path::PathBuf)> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let key = rcgen::KeyPair::generate()?;
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?
        .signed_by(&key, &ca, &ca_key)?;
    let (cert_path, key_path) = (dir.join("relay.pem"), dir.join("relay.key"));
    std::fs::write(&cert_path, cert.pem())?;
    std::fs::write(&key_path, key.serialize_pem())?;
    Ok((ca.pem().into_bytes(), cert_path, key_path))
}

/// The fleet's bulletin beside the relay (`relay publish`), which confirms nothing per phone:
/// its size from a ledger of 100,000 devices, every one with an archived log to confirm and a
/// wipe receipt held, against the same from a ledger of 100. Signed by IT's own code
/// (`bulletin_sign::sign_next_confirming`) from a ledger filled row by row as imports leave it.
pub fn fleet_bulletin_size(work: &Path, large: usize) -> Result<Figure> {
    let size_of = |devices: usize| -> Result<usize> {
        let dir = work.join(format!("relay-bulletin-{devices}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let org_dir = dir.join("org");
        televisit_admin::org::init(&org_dir, "North Clinic")?;
        let org = televisit_admin::org::load(&org_dir)?;
        let now = chrono::Utc::now().timestamp();
        drop(Ledger::open(&org_dir, &org.info.signing_key)?);
        fill(&org_dir.join(televisit_ledger::FILE), devices, now)?;
        let mut ledger = Ledger::open(&org_dir, &org.info.signing_key)?;
        let everything = ledger.confirmations(now)?;
        anyhow::ensure!(
            everything.logs.len() >= devices.min(1000),
            "the ledger confirms logs: {}",
            everything.logs.len()
        );
        let signed = televisit_admin::bulletin_sign::sign_next_confirming(
            &org,
            &mut ledger,
            None,
            86_400,
            &[],
            televisit_admin::bulletin_sign::Confirming::NonePerPhone,
            now,
        )?;
        drop(ledger);
        let _ = std::fs::remove_dir_all(&dir);
        Ok(signed.text.len())
    };
    let (big, small) = (size_of(large)? as f64, size_of(100)? as f64);
    Ok(Figure::new(
        "relay_fleet_bulletin",
        format!(
            "relay: the fleet's bulletin beside the relay, {} devices each with a log and a receipt to confirm",
            crate::stats::thousands(large as u64)
        ),
        big,
        "characters",
        "the same from 100 devices",
        Some(small),
        Some(big / small),
        "100 devices' size",
    )
    .target("flat: ≤ 1.05× 100 devices'", &[Bound::RatioAtMost(1.05)]))
}

/// `devices` devices, each with an archived export and a full wipe's receipt, as imports leave them.
fn fill(path: &Path, devices: usize, now: i64) -> Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO imports (id, file_name, digest, at, reports, receipts, unchanged, refused, problems) VALUES (1, 'bench', 'bench', ?1, 0, 0, 0, 0, '[]')",
        [now],
    )?;
    for n in 0..devices {
        let (dev, enr) = (format!("dev_{n:024x}"), format!("enr_{n:024x}"));
        tx.execute(
            "INSERT INTO devices (device_id, enrollment_id, device_key, platform, os_version, app_version, policy_version,
                                  checklist, first_report_at, last_report_at)
             VALUES (?1, ?2, 'k', 'android', '16', '0.1.0', 1, 'current', ?3, ?3)",
            rusqlite::params![dev, enr, now],
        )?;
        tx.execute(
            "INSERT INTO log_exports (digest, device_id, enrollment_id, epoch, from_seq, from_hash, through_seq, through_hash,
                                      entries, whole, exported_at, imported_at)
             VALUES (?1, ?2, ?3, 0, 0, 'h', 500, 'h', 500, 1, ?4, ?4)",
            rusqlite::params![format!("exp{n}"), dev, enr, now],
        )?;
        let digest = format!("rcpt{n}");
        tx.execute(
            "INSERT INTO receipts (digest, device_id, command_id, scope, reason, completed_at, steps, failed_steps, import_id, seen_at)
             VALUES (?1, ?2, ?3, 'contacts', 'lost', ?4, '[]', 0, 1, ?4)",
            rusqlite::params![digest, dev, format!("cmd_{n:024x}"), now],
        )?;
        tx.execute(
            "INSERT INTO receipt_commands (command_id, receipt_digest) VALUES (?1, ?2)",
            rusqlite::params![format!("cmd_{n:024x}"), digest],
        )?;
    }
    tx.commit()?;
    Ok(())
}
