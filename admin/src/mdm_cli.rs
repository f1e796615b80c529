//! `mdm export`: the fleet's managed configuration as each MDM's API or console takes it (the
//! formats and their sources are in `televisit_admin::mdm_export`).

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use televisit_admin::mdm_export::{self, Target, Values, DEFAULT_ANDROID_PACKAGE};
use televisit_protocol::envelope::{self, Kind};

#[derive(Subcommand)]
pub enum MdmCommand {
    /// Write the fleet's configuration (enrollment code, signed policy, bulletin, and the MDM's
    /// own variables for mdm_device_id and mdm_user) exactly as one MDM takes it, to stdout or
    /// --out. Every key, every time: the MDMs replace the whole configuration.
    #[command(after_help = "What each --for writes:
  intune-ios      Graph iosMobileAppConfiguration JSON (settings[]); PATCH it to
                  /deviceAppManagement/mobileAppConfigurations/{id}. PATCH replaces the whole
                  settings collection, so the body carries every key. Variables {{deviceid}},
                  {{userprincipalname}}.
  intune-android  Graph androidManagedStoreAppConfiguration JSON (payloadJson = base64 of the
                  managed configuration, productId app:<package>); the same PATCH. Variables
                  {{deviceid}}, {{userprincipalname}}.
  jamf            Jamf Pro Classic API XML for PUT /JSSResource/mobiledeviceapplications/id/{id}
                  (the App Configuration plist, escaped, in app_configuration/preferences).
                  Variables $UDID, $EMAIL.
  workspace-one   Workspace ONE UEM Application Configuration rows (CSV: Key, Value Type, Value).
                  Lookup values {DeviceUid}, {EmailAddress}.
  emm-android     An Android Management API enterprises.policies.patch call (updateMask,
                  body with applications[].managedConfiguration), for your EMM to make: an
                  organisation's own tool may not call that API. No per-device variables.
Notes and size warnings go to stderr (key names and sizes only, never values).
Example (cron): televisit-admin bulletin sign --org /vault/org --by cron > bulletin.txt &&
  televisit-admin mdm export --for intune-ios --code code.txt --policy policy.signed --bulletin bulletin.txt --out body.json")]
    Export {
        /// The MDM.
        #[arg(long = "for", value_enum, value_name = "MDM")]
        target: TargetArg,
        /// The enrollment code (`enroll-code` wrote it): its file, or the text itself.
        #[arg(long, value_name = "FILE|TEXT")]
        code: String,
        /// The signed policy (`policy sign` wrote it): its file, or the text itself.
        #[arg(long, value_name = "FILE|TEXT")]
        policy: String,
        /// The latest bulletin (`bulletin sign` wrote it): its file, or the text itself.
        #[arg(long, value_name = "FILE|TEXT")]
        bulletin: String,
        /// The Android package the configuration is for (intune-android, emm-android).
        #[arg(long, value_name = "NAME", default_value = DEFAULT_ANDROID_PACKAGE)]
        package: String,
        /// Write the body to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// A relay other than the one the enrollment code names (phones take it over the code's).
        #[command(flatten)]
        relay: crate::relay_cli::RelayEndpointArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TargetArg {
    IntuneIos,
    IntuneAndroid,
    Jamf,
    WorkspaceOne,
    EmmAndroid,
}

impl From<TargetArg> for Target {
    fn from(arg: TargetArg) -> Target {
        match arg {
            TargetArg::IntuneIos => Target::IntuneIos,
            TargetArg::IntuneAndroid => Target::IntuneAndroid,
            TargetArg::Jamf => Target::Jamf,
            TargetArg::WorkspaceOne => Target::WorkspaceOne,
            TargetArg::EmmAndroid => Target::EmmAndroid,
        }
    }
}

/// A value given as a file's path or as the text itself. Unlike a free-text option, a value that
/// is neither an existing file nor an envelope's text is an error that says so (a mistyped path
/// must not be exported as the value), without repeating what was given.
fn envelope_or_file(option: &str, value: &str, kind: Kind) -> Result<String> {
    let path = Path::new(value);
    if value.len() < 4096 && path.is_file() {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if bytes > 2 * envelope::MAX_LEN as u64 {
            bail!("{option}: {} is far too large for {}", path.display(), mdm_export::expected(kind));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{option}: cannot read {}: {}", path.display(), e.kind()))?;
        return Ok(text.trim().to_owned());
    }
    let text = value.trim();
    if envelope::open_any(text).is_err() && !text.starts_with("tv") {
        bail!("{option}: no such file, and not {} either", mdm_export::expected(kind));
    }
    Ok(text.to_owned())
}

pub fn run(command: MdmCommand, json: bool) -> Result<ExitCode> {
    let MdmCommand::Export { target, code, policy, bulletin, package, out, relay } = command;
    let values = Values {
        enrollment_code: envelope_or_file("--code", &code, Kind::Enroll)?,
        signed_policy: envelope_or_file("--policy", &policy, Kind::Policy)?,
        bulletin: envelope_or_file("--bulletin", &bulletin, Kind::Bulletin)?,
        relay: relay.endpoint()?,
    };
    let export = mdm_export::export(target.into(), &values, &package)?;
    for note in &export.notes {
        eprintln!("televisit-admin: note: {note}");
    }
    for warning in &export.warnings {
        eprintln!(
            "televisit-admin: warning: {} is {} bytes (limit {}): {}",
            warning.key, warning.bytes, warning.limit, warning.message
        );
    }
    let text = if json { serde_json::to_string_pretty(&export)? + "\n" } else { export.body.clone() };
    match out {
        Some(file) => {
            std::fs::write(&file, text.as_bytes()).with_context(|| format!("cannot write {}", file.display()))?;
            eprintln!("televisit-admin: wrote {} ({} bytes) for {}", file.display(), text.len(), export.target);
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
