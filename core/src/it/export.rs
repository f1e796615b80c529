//! The sealed activity-log export: the entries after the last one IT confirmed archiving (or all
//! the log holds, on request), with the public chain's points at both ends, signed by the
//! device's key (`televisit_protocol::export`) and sealed with age (X25519) to the organisation's
//! export recipient. IT checks it against the device key it pinned, and that it continues what
//! its archive holds (`televisit-admin log import`).

use super::enrollment;
use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry};
use crate::secrets::{names, SecretStore};
use crate::Televisit;
use televisit_protocol::checkpoint::Checkpoint;
pub use televisit_protocol::export::{ExportBody, ExportedEntry, SignedExport, FORMAT};

/// A sealed export and the range it holds, for the shell to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogExport {
    /// The age file's bytes.
    pub sealed: Vec<u8>,
    /// The entries run from after `from_seq` through `through_seq` (this export's own entry).
    pub from_seq: u64,
    pub through_seq: u64,
    pub entries: u64,
    /// Every entry the log holds, asked for; otherwise those after IT's confirmation.
    pub whole: bool,
}

/// The newest entry IT confirmed archiving, as a bulletin said.
pub fn confirmed_through(secrets: &dyn SecretStore) -> Result<Option<u64>> {
    Ok(secrets.get(names::LOG_CONFIRMED)?.and_then(|bytes| Some(u64::from_be_bytes(bytes.as_slice().try_into().ok()?))))
}

pub(crate) fn record_confirmed(secrets: &dyn SecretStore, through: u64) -> Result<()> {
    // Only forward: a bulletin re-delivered from a cache never makes the next export longer than
    // a newer one did, and never shorter than what IT holds.
    if confirmed_through(secrets)?.is_none_or(|known| through > known) {
        secrets.put(names::LOG_CONFIRMED, &through.to_be_bytes())?;
    }
    Ok(())
}

impl Televisit {
    /// The log's entries since IT's last confirmation (all of them with `whole`), signed by the
    /// device key and sealed to the organisation's export recipient; the export is logged first,
    /// so that it carries its own record.
    pub fn export_log(&self, secrets: &dyn SecretStore, whole: bool) -> Result<LogExport> {
        let enrolled = enrollment::load(secrets)?.ok_or_else(|| {
            Error::invalid("log export", "this device is not enrolled: there is no one to seal it to")
        })?;
        let device_key = enrollment::device_key(secrets)?;
        let after = if whole { None } else { confirmed_through(secrets)? };
        // The range is known before the export's own entry is written: it is the next number.
        let planned = {
            let store = self.store();
            let (from, head) = log::export_range(&store.conn, &store.key.log_mac_key(), after)?;
            (from, head.checked_add(1).ok_or_else(|| Error::Storage("the log is full".into()))?)
        };
        let count = planned.1 - planned.0;
        let to_sql = |n: u64| i64::try_from(n).map_err(|_| Error::Storage("a count out of range".into()));
        let detail = Detail::new()
            .int("entries", to_sql(count)?)
            .int("from_seq", to_sql(planned.0)?)
            .int("through_seq", to_sql(planned.1)?);
        self.append_own(&NewEntry::new(EntryKind::ExportMade, Actor::Clinician).detail(detail))?;
        let run = {
            let store = self.store();
            log::export_run(&store.conn, &store.key.log_mac_key(), after)?
        };
        let org = televisit_protocol::envelope::key_id(&enrolled.org_key)
            .ok_or_else(|| Error::invalid("enrollment", "holds no valid organisation key"))?;
        let export = LogExport {
            sealed: Vec::new(),
            from_seq: run.from.seq,
            through_seq: run.to.seq,
            entries: u64::try_from(run.rows.len()).map_err(|_| Error::Storage("a count out of range".into()))?,
            whole,
        };
        let body = ExportBody {
            format: FORMAT.into(),
            org,
            device_id: enrolled.device_id,
            enrollment_id: enrolled.enrollment_id,
            // The trusted time, as reports are signed at: IT orders an export's checkpoint
            // against the reports' by it, so a clock set back must not date it earlier.
            exported_at_ms: self.trusted_now(secrets)?.timestamp_millis(),
            from: Checkpoint::from_point(run.from),
            to: Checkpoint::from_point(run.to),
            whole,
            entries: run.rows.into_iter().map(ExportedEntry::from_stored).collect(),
        };
        let json = zeroize::Zeroizing::new(televisit_protocol::export::sign(&device_key, body));
        // The key set's recipient: IT may have rotated it since this phone enrolled.
        let recipient = super::keyset::current(secrets)?.map_or(enrolled.export_recipient, |k| k.export_recipient);
        let recipient: age::x25519::Recipient =
            recipient.parse().map_err(|_| Error::invalid("export recipient", "is not an age X25519 recipient"))?;
        let sealed = age::encrypt(&recipient, &json).map_err(|_| Error::Storage("sealing the export failed".into()))?;
        Ok(LogExport { sealed, ..export })
    }

    /// The log's checkpoint now (size and public chain hash), as the device report carries it.
    pub fn log_checkpoint(&self) -> Result<Checkpoint> {
        let store = self.store();
        Ok(Checkpoint::from_point(log::checkpoint(&store.conn, &store.key.log_mac_key())?))
    }

    /// The public chain's point at the entry IT last confirmed archiving, while the log still
    /// holds it (the report carries it: IT checks it names the history it archived).
    pub(crate) fn confirmed_checkpoint(&self, secrets: &dyn SecretStore) -> Result<Option<Checkpoint>> {
        let Some(through) = confirmed_through(secrets)? else {
            return Ok(None);
        };
        let store = self.store();
        let run = log::export_run(&store.conn, &store.key.log_mac_key(), Some(through))?;
        Ok((run.from.seq == through).then(|| Checkpoint::from_point(run.from)))
    }
}
