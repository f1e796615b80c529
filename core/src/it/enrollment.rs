//! Enrollment: a device pins its organisation's signing key, gets a device id, an enrollment id
//! and a device signing key, and from then on accepts only policies and wipe commands that key
//! signed. What enrollment records lives in the platform's secret store, outside the database,
//! so that a device whose database is damaged or gone can still verify a wipe.

use super::envelope::SigningKey;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use serde::{Deserialize, Serialize};
pub use televisit_protocol::enrollment::{
    make_enroll_code, open_policy, read_enroll_code, sign_policy, CodeTerms, EnrollCode, OrgTrust, ReadCode,
    SignedPolicy, Validity, DEFAULT_CODE_VALID_SECONDS,
};
pub use televisit_protocol::ids::random_id;
use zeroize::Zeroizing;

pub const ENROLLMENT: &str = "televisit.enrollment.v1";
pub const DEVICE_KEY: &str = "televisit.device-key.v1";

/// The device's enrollment, kept in the secret store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrollment {
    pub org_name: String,
    pub org_key: String,
    pub export_recipient: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub enrolled_at: i64,
    /// SHA-256 of the enrollment code this came from, so that MDM's re-delivery of the same
    /// code is recognised instead of enrolling again (which would void pending wipe commands).
    #[serde(default)]
    pub code_digest: Option<String>,
    /// The organisation's key set, from the code or followed since (`it::keyset`); none: the
    /// legacy set of its one key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<televisit_protocol::keyset::KeySet>,
    /// Where the code said to check in over HTTPS (the managed configuration may override it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<televisit_protocol::relay::RelayEndpoint>,
}

impl Enrollment {
    /// The key set this enrollment verifies IT's messages with: the one kept, or the legacy set
    /// of the organisation's one key (see `it::keyset`).
    pub fn key_set(&self) -> televisit_protocol::keyset::KeySet {
        self.keys
            .clone()
            .unwrap_or_else(|| televisit_protocol::keyset::KeySet::legacy(&self.org_key, &self.export_recipient))
    }
}

/// The key set to verify IT's messages with now: the enrollment's, with the newest time IT
/// signed that this phone has seen (never its clock) as its floor: a key that expired before it
/// verifies nothing more, whatever time a message claims (a stolen expired key cannot backdate).
/// IT's tool never issues a wipe that outlives its key, so none is lost to this.
pub(crate) fn trusted_keys(
    secrets: &dyn SecretStore,
    enrollment: &Enrollment,
) -> Result<televisit_protocol::keyset::KeySet> {
    let mut keys = enrollment.key_set();
    keys.floor = checkin::last_checkin(secrets)?.map_or(0, |seen| seen.timestamp());
    Ok(keys)
}

pub fn load(secrets: &dyn SecretStore) -> Result<Option<Enrollment>> {
    match secrets.get(ENROLLMENT)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| Error::SecretStore("the stored enrollment is unreadable".into())),
    }
}

pub(crate) fn save(secrets: &dyn SecretStore, enrollment: &Enrollment) -> Result<()> {
    secrets.put(ENROLLMENT, &serde_json::to_vec(enrollment)?)?;
    Ok(())
}

/// The device's signing key, made on first use.
pub(crate) fn device_key(secrets: &dyn SecretStore) -> Result<SigningKey> {
    match secrets.get(DEVICE_KEY)? {
        Some(pkcs8) => Ok(SigningKey::from_pkcs8(&Zeroizing::new(pkcs8))?),
        None => {
            let (key, pkcs8) = SigningKey::generate()?;
            secrets.put(DEVICE_KEY, &pkcs8)?;
            Ok(key)
        }
    }
}

use super::checkin;
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::policy::Policy;
use crate::Televisit;

impl Televisit {
    /// The time IT decisions are made at: the device's clock, never earlier than the newest time
    /// the phone has seen (see `it::checkin`). A clock found behind the mark is logged
    /// (`clock_went_back`), once for each mark it fell behind.
    pub fn trusted_now(&self, secrets: &dyn SecretStore) -> Result<chrono::DateTime<chrono::Utc>> {
        let now = checkin::trusted_now(secrets, self.clock.now())?;
        if now.went_back {
            let mark = now.at.timestamp().to_string();
            let logged: Option<String> = self.setting_text("clock_went_back_mark")?;
            if logged.as_deref() != Some(mark.as_str()) {
                self.set_setting_text("clock_went_back_mark", &mark)?;
                self.append_own(&NewEntry::new(EntryKind::ClockWentBack, Actor::System))?;
            }
        }
        Ok(now.at)
    }

    /// The newest signed issue time verified since enrollment: the phone's last contact with IT.
    pub fn last_checkin(&self, secrets: &dyn SecretStore) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        checkin::last_checkin(secrets)
    }

    /// Enrolls this device with the organisation whose code this is: pins its key, makes the
    /// device and enrollment ids and the device key (kept in `secrets`), applies its policy.
    /// Enrolling again with the same organisation keeps both ids, so that every wipe command IT
    /// issued stays valid; only a wipe closes an enrollment. An expired code is refused for a
    /// first enrollment, and changes nothing for a device already enrolled with its organisation.
    pub fn enroll(&self, secrets: &dyn SecretStore, code: &str) -> Result<Enrollment> {
        let code_digest = digest(code.trim());
        let previous = load(secrets)?;
        // The organisation first: a code of another one is refused as that, before its keys.
        if let Ok(claimed) = televisit_protocol::envelope::open(code, televisit_protocol::envelope::Kind::Enroll)
            .map_err(drop)
            .and_then(|o| serde_json::from_slice::<EnrollCode>(&o.payload).map_err(drop))
        {
            if previous.as_ref().is_some_and(|p| p.org_key != claimed.org_key) {
                return Err(Error::OtherOrganisation);
            }
        }
        let held = previous.as_ref().map(|p| trusted_keys(secrets, p)).transpose()?;
        let ReadCode { code, policy: signed, keys } = read_enroll_code(code, held.as_ref())?;
        if previous.as_ref().is_some_and(|p| p.org_key != code.org_key) {
            return Err(Error::OtherOrganisation);
        }
        let now = self.trusted_now(secrets)?;
        if now.timestamp() > code.expires_at {
            return match previous {
                Some(previous) => Ok(previous),
                None => Err(Error::invalid("enrollment code", "has expired: ask IT for a new one")),
            };
        }
        let current = self.policy()?;
        if signed.policy.version < current.version {
            return Err(Error::PolicyOutdated { offered: signed.policy.version, current: current.version });
        }
        for issued_at in [code.issued_at, signed.issued_at] {
            checkin::record_signed_time(secrets, issued_at, now, self.clock.now())?;
        }
        device_key(secrets)?;
        let (device_id, enrollment_id) = match &previous {
            Some(p) => (p.device_id.clone(), p.enrollment_id.clone()),
            None => (random_id("dev")?, random_id("enr")?),
        };
        let moved = held.as_ref().map_or(keys.version > 0, |h| keys.version > h.version);
        let enrollment = Enrollment {
            relay: code.relay,
            org_name: code.org_name,
            org_key: code.org_key,
            export_recipient: keys.export_recipient.clone(),
            device_id,
            enrollment_id,
            enrolled_at: previous.as_ref().map_or_else(|| now.timestamp(), |p| p.enrolled_at),
            code_digest: Some(code_digest),
            // As signed, and only ever forward (the floor is the phone's, never kept).
            keys: if moved {
                (keys.version > 0).then(|| keys.clone())
            } else {
                previous.as_ref().and_then(|p| p.keys.clone())
            },
        };
        save(secrets, &enrollment)?;
        let mut detail = Detail::new()
            .code("enrollment", &enrollment.enrollment_id)
            .code("device", &enrollment.device_id)
            .bool("again", previous.is_some());
        if let Some(name) = &code.signed_by {
            detail = detail.code("signed_by", name);
        }
        self.append_own(&NewEntry::new(EntryKind::Enrolled, Actor::It).detail(detail))?;
        if moved && previous.is_some() {
            self.log_key_set(keys.version)?;
        }
        self.apply_policy_checked(&signed.policy)?;
        Ok(enrollment)
    }

    /// The device's enrollment, if any, and its public key (which IT pins from the first report).
    pub fn enrollment(&self, secrets: &dyn SecretStore) -> Result<Option<(Enrollment, String)>> {
        match load(secrets)? {
            None => Ok(None),
            Some(e) => Ok(Some((e, device_key(secrets)?.public_key()))),
        }
    }

    /// Applies a policy signed by the pinned organisation key; an older version is refused. Its
    /// signed issue time counts as contact with IT when it is newer than the last.
    pub fn apply_signed_policy(&self, secrets: &dyn SecretStore, signed: &str) -> Result<Policy> {
        let enrolled = load(secrets)?
            .ok_or_else(|| Error::invalid("signed policy", "this device is not enrolled: enroll it first"))?;
        let keys = trusted_keys(secrets, &enrolled)?;
        let signed = open_policy(signed, &keys)?;
        let now = self.trusted_now(secrets)?;
        checkin::record_signed_time(secrets, signed.issued_at, now, self.clock.now())?;
        self.apply_policy_checked(&signed.policy)?;
        Ok(signed.policy)
    }

    pub(crate) fn apply_policy_checked(&self, policy: &Policy) -> Result<()> {
        let current = self.policy()?;
        if policy.version < current.version {
            return Err(Error::PolicyOutdated { offered: policy.version, current: current.version });
        }
        if *policy != current {
            self.store_policy(policy)?;
        }
        Ok(())
    }
}

/// A digest that identifies a delivered value without keeping it (SHA-256, hex): an enrollment
/// code's, and each managed value's (`it::managed`).
pub(crate) fn digest(value: &str) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, value.as_bytes()))
}
