//! What the fleet relay reads and writes in the ledger: the bulletins IT published for it, each
//! phone's check-in (its report and receipts recorded as an import would record them, its
//! sealed exports kept for IT's tool to archive), the nonces that make a replayed request
//! fail at every relay, and the phone's inbox (the newest bulletin, its own pending wipe).
//!
//! The relay never decrypts an export (it holds no export identity) and signs nothing: IT's tool
//! archives what it took in (`relay collect`) and publishes what phones obey (`relay publish`).

use crate::db::{DbResult, Sql, Tx};
use crate::import::{import_receipt, import_report, RecordError};
use crate::{digest_hex, params, Ledger};
use anyhow::Result;
use televisit_protocol::relay::{CheckIn, Recorded, MAX_CLOCK_SKEW_SECONDS};
use televisit_protocol::report::DeviceReport;

/// Why the ledger would not take a device's first check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstContact {
    /// The device is known: its pinned key.
    Pinned,
    /// Unknown, and its report verifies, names this organisation and this device, and an
    /// enrollment code IT issued: its key may be pinned from the report.
    MayPin,
    /// Unknown, and its report does not prove an enrollment IT issued.
    Refused,
}

/// The device key a request must be signed with, and how it was found.
pub struct RequestKey {
    pub key: String,
    pub contact: FirstContact,
}

impl Ledger {
    /// The key a device's request is checked against: the one IT pinned, or at first contact the
    /// key its report is signed with, when the report proves an enrollment IT issued (the code's
    /// digest names a code in the ledger). `None`: nothing to check against (refused).
    ///
    /// `report` is the check-in's report as verified against the key it carries (the caller
    /// reads it once), none when it does not verify.
    pub fn request_key(
        &mut self,
        device_id: &str,
        checkin: &CheckIn,
        report: Option<&DeviceReport>,
    ) -> Result<Option<RequestKey>> {
        if let Some(key) = self.device_key(device_id)? {
            return Ok(Some(RequestKey { key, contact: FirstContact::Pinned }));
        }
        let Some(report) = report else {
            return Ok(None);
        };
        if report.dev != device_id || report.org != self.org_id {
            return Ok(None);
        }
        let Some(code) = checkin.code.as_deref() else {
            return Ok(None);
        };
        // `enroll-code` records a code as `code_` and the first 24 hex digits of its digest.
        let code_id = format!("code_{}", &code[..24.min(code.len())]);
        let issued: bool = self
            .db
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM commands WHERE command_id = ?1 AND kind = 'enroll_code')",
                params![&code_id],
            )?
            .get(0)?;
        Ok(issued.then(|| RequestKey { key: report.key.clone(), contact: FirstContact::MayPin }))
    }

    /// Takes a request's nonce: `false` when the device used it before (a replay, to this relay
    /// or another sharing the ledger). Nonces older than the freshness window go, since a request
    /// that old is refused for its time.
    pub fn take_nonce(&mut self, device_id: &str, nonce: &str, now: i64) -> Result<bool> {
        let fresh = self.db.execute(
            "INSERT INTO relay_nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![device_id, nonce, now],
        )?;
        Ok(fresh == 1)
    }

    /// Forgets nonces older than twice the freshness window (the relay runs it now and then).
    pub fn prune_nonces(&mut self, now: i64) -> Result<u64> {
        let before = now.saturating_sub(2 * MAX_CLOCK_SKEW_SECONDS);
        Ok(self.db.execute("DELETE FROM relay_nonces WHERE seen_at < ?1", params![before])?)
    }

    /// Records one check-in in one transaction: the report (pinning the device at first
    /// contact), the receipts, and the sealed exports the relay wrote to its export directory
    /// (by digest and size). A check-in sent again (the relay died before answering) records
    /// nothing twice.
    pub fn record_checkin(
        &mut self,
        device_id: &str,
        checkin: &CheckIn,
        exports: &[(String, u64)],
        now: i64,
    ) -> Result<Recorded> {
        let org_id = self.org_id.clone();
        let mut tx = self.db.transaction()?;
        let mut recorded = Recorded::default();
        let day_import = relay_import(&mut tx, "relay", &format!("relay:{}", now.div_euclid(86_400)), now)?;
        match import_report(&mut tx, &org_id, &checkin.report, day_import, now) {
            Ok(true) => recorded.reports += 1,
            Ok(false) => {}
            Err(RecordError::Db(err)) => return Err(err.into()),
            Err(RecordError::Refused(_)) => recorded.refused.push("report".into()),
        }
        if !checkin.receipts.is_empty() {
            // A receipt's import row is when it reached IT (`check_report` holds later reports
            // to it): one per check-in that carries one, named by the receipts it carried.
            let digest = format!("relay-receipts:{}", digest_hex(checkin.receipts.join("\n").as_bytes()));
            let import = relay_import(&mut tx, "relay receipts", &digest, now)?;
            for receipt in &checkin.receipts {
                match import_receipt(&mut tx, receipt, import, now) {
                    Ok(true) => recorded.receipts += 1,
                    Ok(false) => {}
                    Err(RecordError::Db(err)) => return Err(err.into()),
                    Err(RecordError::Refused(_)) => recorded.refused.push("receipt".into()),
                }
            }
        }
        for (digest, size) in exports {
            let new = tx.execute(
                "INSERT INTO relay_exports (digest, device_id, size, received_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (digest) DO NOTHING",
                params![digest, device_id, size, now],
            )?;
            recorded.exports += u32::from(new == 1);
        }
        tx.execute(
            "INSERT INTO relay_checkins (device_id, first_at, last_at, count) VALUES (?1, ?2, ?2, 1)
             ON CONFLICT (device_id) DO UPDATE SET last_at = GREATEST(relay_checkins.last_at, excluded.last_at),
                 count = relay_checkins.count + 1",
            params![device_id, now],
        )?;
        tx.commit()?;
        Ok(recorded)
    }

    /// The newest bulletin IT published that has not expired.
    pub fn published_bulletin(&mut self, now: i64) -> Result<Option<String>> {
        Ok(self
            .db
            .query_opt(
                "SELECT text FROM relay_bulletins WHERE expires_at > ?1 ORDER BY issued_at DESC, bulletin_id LIMIT 1",
                params![now],
            )?
            .map(|r| r.get(0))
            .transpose()?)
    }

    /// This device's pending wipe, as its admin signed it: the newest that has not expired, was
    /// not cancelled and has no receipt.
    pub fn pending_wipe_for(&mut self, device_id: &str, now: i64) -> Result<Option<String>> {
        Ok(self
            .db
            .query_opt(
                "SELECT c.text FROM commands c
                 WHERE c.kind = 'wipe' AND c.device_id = ?1 AND c.expires_at > ?2 AND c.cancelled_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM receipt_commands rc WHERE rc.command_id = c.command_id)
                 ORDER BY c.issued_at DESC, c.command_id LIMIT 1",
                params![device_id, now],
            )?
            .map(|r| r.get(0))
            .transpose()?)
    }

    /// Keeps a bulletin IT signed for the relays to serve (`relay publish`). The same bulletin
    /// twice is kept once.
    pub fn publish_bulletin(
        &mut self,
        bulletin_id: &str,
        text: &str,
        issued_at: i64,
        expires_at: i64,
        by: &str,
        now: i64,
    ) -> Result<()> {
        self.db.execute(
            "INSERT INTO relay_bulletins (bulletin_id, text, issued_at, expires_at, published_by, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (bulletin_id) DO NOTHING",
            params![bulletin_id, text, issued_at, expires_at, by, now],
        )?;
        Ok(())
    }

    /// Keeps a device's own bulletin (`relay publish`): what IT confirms to it alone, and what
    /// that is (`confirms`, to sign again only when it changes or grows old).
    pub fn publish_inbox(
        &mut self,
        device_id: &str,
        bulletin_id: &str,
        text: &str,
        confirms: &str,
        issued_at: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.db.execute(
            "INSERT INTO relay_inbox (device_id, bulletin_id, text, confirms, issued_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (device_id) DO UPDATE SET bulletin_id = excluded.bulletin_id, text = excluded.text,
                 confirms = excluded.confirms, issued_at = excluded.issued_at, expires_at = excluded.expires_at
             WHERE excluded.issued_at >= relay_inbox.issued_at",
            params![device_id, bulletin_id, text, confirms, issued_at, expires_at],
        )?;
        Ok(())
    }

    /// What a device's inbox confirms now, and until when it is valid.
    pub fn inbox_state(&mut self, device_id: &str) -> Result<Option<(String, i64)>> {
        Ok(self
            .db
            .query_opt("SELECT confirms, expires_at FROM relay_inbox WHERE device_id = ?1", params![device_id])?
            .map(|r| r.parse())
            .transpose()?)
    }

    /// A device's own bulletin, as IT signed it.
    pub fn inbox_for(&mut self, device_id: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .query_opt("SELECT text FROM relay_inbox WHERE device_id = ?1", params![device_id])?
            .map(|r| r.get(0))
            .transpose()?)
    }

    /// The sealed exports relays took in that IT's tool has not archived yet: (device, digest).
    pub fn exports_to_collect(&mut self) -> Result<Vec<(String, String)>> {
        Ok(self
            .db
            .query(
                "SELECT device_id, digest FROM relay_exports WHERE archived_at IS NULL ORDER BY received_at, digest",
                params![],
            )?
            .iter()
            .map(|r| r.parse())
            .collect::<DbResult<_>>()?)
    }

    /// Marks an export a relay took in as archived (or refused: it stays out of the list).
    pub fn export_collected(&mut self, digest: &str, now: i64) -> Result<()> {
        self.db.execute("UPDATE relay_exports SET archived_at = ?2 WHERE digest = ?1", params![digest, now])?;
        Ok(())
    }

    /// Per device, when it last checked in through a relay.
    pub fn relay_checkins(&mut self) -> Result<Vec<(String, i64, i64)>> {
        Ok(self
            .db
            .query("SELECT device_id, last_at, count FROM relay_checkins ORDER BY last_at DESC", params![])?
            .iter()
            .map(|r| r.parse())
            .collect::<DbResult<_>>()?)
    }

    /// Whether the connection is gone for good (PostgreSQL restarted): the relay's pool then
    /// makes a new one.
    pub fn connection_closed(&self) -> bool {
        self.db.is_closed()
    }

    /// Whether the database answers (the relay's health check).
    pub fn ping(&mut self) -> Result<()> {
        self.db.query_one("SELECT 1", params![])?;
        Ok(())
    }
}

/// The import row records of a relay are filed under: made once, found after (never updated:
/// concurrent check-ins must not wait on one row's lock).
fn relay_import(tx: &mut Tx<'_>, name: &str, digest: &str, now: i64) -> DbResult<i64> {
    let find = |tx: &mut Tx<'_>| -> DbResult<Option<i64>> {
        tx.query_opt("SELECT id FROM imports WHERE digest = ?1", params![digest])?.map(|r| r.get(0)).transpose()
    };
    if let Some(id) = find(tx)? {
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO imports (file_name, digest, at, reports, receipts, unchanged, refused, problems, format)
         VALUES (?1, ?2, ?3, 0, 0, 0, 0, '[]', 'relay') ON CONFLICT (digest) DO NOTHING",
        params![name, digest, now],
    )?;
    find(tx)?.ok_or(crate::db::DbError::NoRow)
}
