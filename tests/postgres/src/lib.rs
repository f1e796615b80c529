//! A real PostgreSQL for the tests. `server()` gives the address of a server every test in the
//! process shares: the one `TELEVISIT_TEST_POSTGRES` names (`cargo xtask test` starts one for the
//! run), or a cluster made for this test process on first use and stopped when it exits.
//! `database()` makes a fresh database in it for one test. `Cluster` is a server of a test's own,
//! which the test may stop and start again (the relay's fault tests).
//!
//! PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user
//! (Debian's package makes it) and its commands run through `runuser`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// The address of the server the tests share (`postgres://postgres@127.0.0.1:PORT`), or why
/// there is none (PostgreSQL is not installed).
pub fn server() -> Result<String, String> {
    if let Ok(url) = std::env::var("TELEVISIT_TEST_POSTGRES") {
        if !url.trim().is_empty() {
            return Ok(url.trim().trim_end_matches('/').to_owned());
        }
    }
    static SHARED: OnceLock<Result<String, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let cluster = Cluster::start()?;
            let url = cluster.url();
            // Stopped when the test process exits (statics are never dropped).
            *AT_EXIT.lock().unwrap() = Some(cluster);
            unsafe { libc::atexit(stop_shared) };
            Ok(url)
        })
        .clone()
}

static AT_EXIT: Mutex<Option<Cluster>> = Mutex::new(None);

extern "C" fn stop_shared() {
    if let Ok(mut shared) = AT_EXIT.lock() {
        shared.take();
    }
}

/// Whether a test with no server should fail rather than skip: set by `cargo xtask test` (CI),
/// where PostgreSQL is installed for the run.
pub fn required() -> bool {
    std::env::var("TELEVISIT_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A fresh, empty database named after `name` (made unique) on the shared server: its address.
/// `None` (with the reason printed) when there is no server and none is required.
pub fn database(name: &str) -> Option<String> {
    match server() {
        Ok(server) => Some(create_database(&server, name)),
        Err(why) if !required() => {
            eprintln!("skipped: no PostgreSQL ({why})");
            None
        }
        Err(why) => panic!("PostgreSQL is required for this run and none started: {why}"),
    }
}

/// Makes a database on `server`; its address.
pub fn create_database(server: &str, name: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(30).collect();
    let unique = format!("t_{clean}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut admin = postgres::Client::connect(&format!("{server}/postgres"), postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {server}: {e}"));
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {unique}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {unique}")).unwrap();
    format!("{server}/{unique}")
}

/// A PostgreSQL cluster of its own, on a free loopback port, in a temporary directory; stopped
/// and removed when dropped.
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        Cluster::start_with(false)
    }

    /// A cluster that syncs its writes to disk as a production server does (`fsync = on`): for
    /// the benchmark, whose figures must count the commit's cost.
    pub fn start_durable() -> Result<Cluster, String> {
        Cluster::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Cluster, String> {
        let bin = bin_dir().ok_or("no PostgreSQL server binaries (install Debian's postgresql)")?;
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = std::env::temp_dir().join(format!("televisit-pg-{}-{}", std::process::id(), unique_suffix()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if as_postgres {
            chown_to_postgres(&dir)?;
        }
        let port = free_port()?;
        let cluster = Cluster { dir, port, bin, as_postgres };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])?;
        // Small and quick: a test cluster needs no durability across a crash of the machine.
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = {}\nmax_connections = 200\nshared_buffers = {}\n",
            cluster.dir.display(),
            if durable { "on" } else { "off" },
            if durable { "128MB" } else { "32MB" }
        );
        let conf_path = cluster.dir.join("data").join("postgresql.auto.conf");
        let mut existing = std::fs::read_to_string(&conf_path).unwrap_or_default();
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing).map_err(|e| e.to_string())?;
        if as_postgres {
            chown_to_postgres(&conf_path)?;
        }
        cluster.start_again()?;
        Ok(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Restarts the server speaking TLS only, with this certificate and key (PEM): a connection
    /// without TLS is refused by `pg_hba.conf`, as a server on another machine should be set up.
    pub fn serve_tls_only(&self, cert_pem: &str, key_pem: &str) -> Result<(), String> {
        let data = self.dir.join("data");
        let write = |name: &str, text: &str| std::fs::write(data.join(name), text).map_err(|e| e.to_string());
        write("server.crt", cert_pem)?;
        write("server.key", key_pem)?;
        std::fs::set_permissions(data.join("server.key"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        let conf = data.join("postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| e.to_string())?;
        text.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        write("postgresql.auto.conf", &text)?;
        let hba = std::fs::read_to_string(data.join("pg_hba.conf")).map_err(|e| e.to_string())?;
        write(
            "pg_hba.conf",
            &format!("hostnossl all all 0.0.0.0/0 reject\nhostssl all all 127.0.0.1/32 trust\n{hba}"),
        )?;
        if self.as_postgres {
            chown_to_postgres(&data)?;
        }
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])?;
        self.start_again()
    }

    /// Starts the server (again, after `stop`), waiting until it accepts connections.
    pub fn start_again(&self) -> Result<(), String> {
        let log = self.dir.join("server.log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "-t", "60", "start"])
    }

    /// Stops the server at once (`immediate`: as a crash or a pulled cable would).
    pub fn stop(&self) -> Result<(), String> {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"])
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command.args(args).current_dir(&self.dir).output().map_err(|e| format!("{tool}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where the server's programs are: `pg_config --bindir`, or Debian's newest version.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn chown_to_postgres(path: &Path) -> Result<(), String> {
    let out = Command::new("chown").args(["-R", "postgres:postgres"]).arg(path).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("chown postgres {}: {}", path.display(), String::from_utf8_lossy(&out.stderr)))
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn unique_suffix() -> u32 {
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
