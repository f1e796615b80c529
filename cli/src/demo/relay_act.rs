//! The demo's relay act: the fleet loop with no MDM in between, every part its own process, as
//! in a hospital. IT's tool (`televisit-admin`) keeps the ledger (here the one-workstation
//! SQLite file, which the relay shares); the relay (`televisit-relay`) serves on this machine's
//! loopback (in a hospital: TLS, or behind its proxy); two phones (`televisit` profiles) check
//! in over HTTP. A lost phone is wiped at its next check-in and its receipt is at IT at the one
//! after: within one check-in interval (15 minutes on a phone), here within seconds.
//!
//! The binaries must be built beside this one (`cargo build`); the act says so and is skipped
//! when they are not.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Binaries {
    admin: PathBuf,
    relay: PathBuf,
    phone: PathBuf,
}

fn beside(name: &str) -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    path.is_file().then_some(path)
}

pub fn run(temp: &Path) -> Result<()> {
    println!("\n── The fleet relay: a lost phone wiped without its MDM, every part its own process ──");
    let (Some(admin), Some(relay), Some(phone)) =
        (beside("televisit-admin"), beside("televisit-relay"), beside("televisit"))
    else {
        println!("   skipped: televisit-admin and televisit-relay are not built beside this binary (`cargo build` builds them)");
        return Ok(());
    };
    let bins = Binaries { admin, relay, phone };
    let it = temp.join("relay-it");
    std::fs::create_dir_all(&it)?;
    let admin = |args: &[&str]| output(&bins.admin, &it, args);
    admin(&["org", "init", "--org", "org", "--name", "South Clinic"])?;
    let shown: serde_json::Value = serde_json::from_str(&admin(&["--json", "org", "show", "--org", "org"])?)?;
    let org_key = shown["signing_key"].as_str().context("org show names the signing key")?.to_owned();
    std::fs::write(it.join("policy.json"), admin(&["policy", "defaults"])?)?;
    let signed = admin(&["policy", "sign", "policy.json", "--org", "org"])?;
    std::fs::write(it.join("policy.signed"), signed.trim())?;
    say("IT", "televisit-admin org init, policy sign (the ledger: org/ledger.db)");

    let config = it.join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\norg_key = \"{org_key}\"\nledger = \"{}\"\nexports = \"{}\"\nplain_http = true\n",
            it.join("org").join("ledger.db").display(),
            it.join("relay-exports").display()
        ),
    )?;
    let mut server = Relay::start(&bins.relay, &config)?;
    say("IT", &format!("televisit-relay serve --config relay.toml: listening on {}", server.url));
    let code = admin(&["enroll-code", "--org", "org", "--policy", "policy.signed", "--relay-url", &server.url])?
        .trim()
        .to_owned();
    say("IT", "enroll-code --relay-url URL: the code, signed, names where its phones check in");

    let phones: Vec<PathBuf> = ["ward-a", "ward-b"].iter().map(|n| temp.join(format!("relay-{n}"))).collect();
    for profile in &phones {
        output(&bins.phone, temp, &["--profile", &profile.display().to_string(), "enroll", &code])?;
    }
    let check_in = |profile: &Path| -> Result<serde_json::Value> {
        let out = output(&bins.phone, temp, &["--profile", &profile.display().to_string(), "--json", "checkin"])?;
        // The check-in's own object first; a wipe it started prints its receipt after it.
        let first = serde_json::Deserializer::from_str(&out).into_iter::<serde_json::Value>().next();
        Ok(first.context("the check-in said nothing")??)
    };
    for (profile, name) in phones.iter().zip(["ward A", "ward B"]) {
        check_in(profile)?;
        say(
            name,
            "televisit checkin (the code's relay): its signed report in, the first contact pinned through IT's code",
        );
    }
    let listed: serde_json::Value = serde_json::from_str(&admin(&["--json", "devices", "list", "--org", "org"])?)?;
    say(
        "IT",
        &format!("devices list: {} phones, pinned by the relay", listed["devices"].as_array().map_or(0, Vec::len)),
    );
    admin(&["relay", "publish", "--org", "org"])?;
    say("IT", "relay publish: the fleet's bulletin, signed by IT, handed to the relay through the ledger");

    let status = |profile: &Path| -> Result<serde_json::Value> {
        Ok(serde_json::from_str(&output(
            &bins.phone,
            temp,
            &["--profile", &profile.display().to_string(), "--json", "status"],
        )?)?)
    };
    let lost = &phones[0];
    let device = status(lost)?["device_id"].as_str().context("the phone's id")?.to_owned();
    let started = Instant::now();
    admin(&["wipe", "issue", "--org", "org", "--device", &device, "--reason", "lost"])?;
    say("IT", &format!("wipe issue --device {device} --reason lost"));
    let wiped = check_in(lost)?;
    if wiped["wipe_started"] != true {
        bail!("the lost phone did not take its wipe: {wiped}");
    }
    say("ward A", "its next check-in: its own wipe command, verified against IT's key, carried out at once");
    check_in(lost)?;
    let wipes: serde_json::Value = serde_json::from_str(&admin(&["--json", "wipe", "status", "--org", "org"])?)?;
    let done = wipes["wipes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|w| w["device_id"] == device.as_str() && w["state"] == "done");
    if !done {
        bail!("the receipt did not reach IT: {wipes}");
    }
    say(
        "IT",
        &format!(
            "wipe status: done, its receipt verified against the pinned key, {:.1} s after the wipe was issued",
            started.elapsed().as_secs_f64()
        ),
    );
    admin(&["relay", "publish", "--org", "org"])?;
    check_in(lost)?;
    let after = status(lost)?;
    say(
        "ward A",
        &format!(
            "IT's own word to it alone (its inbox) confirms the receipt: it forgets it and its enrollment (enrolled: {})",
            after["enrolled"]
        ),
    );
    say("ward B", &format!("untouched (enrolled: {})", status(&phones[1])?["enrolled"]));
    server.stop();
    say("IT", "SIGTERM: the relay finishes what is in flight and stops");
    Ok(())
}

fn say(who: &str, what: &str) {
    println!("   {who:<7} {what}");
}

fn output(program: &Path, dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {}", program.display()))?;
    if !out.status.success() {
        bail!(
            "{} {} failed: {}",
            program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

struct Relay {
    child: Child,
    url: String,
}

impl Relay {
    fn start(program: &Path, config: &Path) -> Result<Relay> {
        let mut child = Command::new(program)
            .args(["serve", "--config"])
            .arg(config)
            .env("TELEVISIT_RELAY_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start televisit-relay")?;
        let stderr = child.stderr.take().context("the relay's stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("televisit-relay: listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => Ok(Relay { child, url }),
            Err(_) => {
                let _ = child.kill();
                bail!("the relay did not start")
            }
        }
    }

    fn stop(&mut self) {
        // SIGTERM, as systemd stops it; then wait.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
