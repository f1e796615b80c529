//! `televisit-relay serve --config FILE`: see the README's runbook and `deploy/`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_relay::config::Config;

#[derive(Parser)]
#[command(
    name = "televisit-relay",
    version,
    about = "The fleet relay: phones check in over HTTPS; IT's ledger records them."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve until SIGTERM (in-flight requests finish first).
    Serve {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Check a configuration file and say what it would serve.
    CheckConfig {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    accept_stop_signals();
    let cli = Cli::parse();
    // One JSON object per line on stderr (journald, a container's log): ids and codes only.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TELEVISIT_RELAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match cli.command {
        Command::CheckConfig { config } => match Config::load(&config) {
            Ok(config) => {
                println!(
                    "listen {} ({}), ledger {}, exports {}",
                    config.listen,
                    if config.tls.is_some() { "TLS" } else { "plain HTTP behind a proxy" },
                    televisit_ledger::Location::parse(&config.ledger).shown(),
                    config.exports.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("televisit-relay: {err:#}");
                ExitCode::from(2)
            }
        },
        Command::Serve { config } => {
            let config = match Config::load(&config) {
                Ok(config) => config,
                Err(err) => {
                    eprintln!("televisit-relay: {err:#}");
                    return ExitCode::from(2);
                }
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("televisit-relay: cannot start: {err}");
                    return ExitCode::FAILURE;
                }
            };
            let scheme = if config.tls.is_some() { "https" } else { "http" };
            let served = runtime.block_on(televisit_relay::server::serve(config, move |address| {
                tracing::info!(%address, "listening");
                // For scripts and tests that gave port 0: the address, on a line of its own.
                eprintln!("televisit-relay: listening on {scheme}://{address}");
            }));
            match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("televisit-relay: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// A process inherits its parent thread's signal mask: started by a program whose thread blocks
/// SIGTERM (Swift's Foundation `Process` from a concurrency thread does), the relay would never
/// see the signal it stops on. Unblocked here, before any thread starts, so every thread
/// inherits the clean mask.
fn accept_stop_signals() {
    #[cfg(unix)]
    // SAFETY: the set is initialised by sigemptyset before use; sigprocmask only reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
}
