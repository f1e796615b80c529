//! Plays the organisation's IT: its signing key, signed policies, enrollment codes, wipe commands.

use televisit_core::it::bulletin::{Bulletin, FleetWipe, BULLETIN_VERSION};
use televisit_core::it::enrollment::{
    self, make_enroll_code, sign_policy, OrgTrust, Validity, DEFAULT_CODE_VALID_SECONDS,
};
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::keyset::{KeySet, Signer};
use televisit_core::it::wipe::{self, Cancel, WipeCommand, WipeReason, WipeScope};
use televisit_core::Policy;

pub const RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/// 2026-01-01T08:00:00Z: an hour before the test profiles' clock starts, when IT signs.
pub const SIGNED_AT: i64 = 1_767_254_400;

/// A legacy organisation: one key signs everything, and its messages name no signer.
pub struct Org {
    pub key: SigningKey,
    signer: Signer,
    pkcs8: Vec<u8>,
}

impl Org {
    pub fn new() -> Self {
        let (key, pkcs8) = SigningKey::generate().unwrap();
        Org { key, signer: Signer::legacy(SigningKey::from_pkcs8(&pkcs8).unwrap()), pkcs8: pkcs8.to_vec() }
    }

    /// The key again, as the vault holds it (it becomes the root when IT splits it).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn keys(&self) -> KeySet {
        KeySet::legacy(&self.key.public_key(), RECIPIENT)
    }

    fn trust(&self) -> OrgTrust {
        OrgTrust { name: "North Clinic".into(), org_key: self.key.public_key(), keys: self.keys(), link: None }
    }

    /// An enrollment code with this signed policy, sealing exports to `recipient`.
    pub fn try_code(&self, signed_policy: &str, recipient: &str) -> Result<String, televisit_protocol::Error> {
        let validity = Validity::from(SIGNED_AT, DEFAULT_CODE_VALID_SECONDS).unwrap();
        let trust = OrgTrust { keys: KeySet::legacy(&self.key.public_key(), recipient), ..self.trust() };
        make_enroll_code(&self.signer, &trust, signed_policy, validity)
    }

    pub fn policy(&self, version: u64) -> String {
        self.policy_with(version, SIGNED_AT, |_| {})
    }

    /// A policy signed at `at` (Unix seconds), edited first.
    pub fn policy_with(&self, version: u64, at: i64, edit: impl FnOnce(&mut Policy)) -> String {
        let mut policy = Policy { version, organisation: "North Clinic".into(), ..Policy::default() };
        edit(&mut policy);
        sign_policy(&self.signer, &policy, at).unwrap()
    }

    /// An enrollment code with this signed policy.
    pub fn code_with(&self, signed_policy: &str) -> String {
        let validity = Validity::from(SIGNED_AT, DEFAULT_CODE_VALID_SECONDS).unwrap();
        make_enroll_code(&self.signer, &self.trust(), signed_policy, validity).unwrap()
    }

    /// An enrollment code signed at `at` (Unix seconds), valid 90 days, with this signed policy.
    pub fn code_signed_at(&self, at: i64, signed_policy: &str) -> String {
        let validity = Validity::from(at, DEFAULT_CODE_VALID_SECONDS).unwrap();
        make_enroll_code(&self.signer, &self.trust(), signed_policy, validity).unwrap()
    }

    /// A bulletin signed at `at`, valid a day, with these pending wipes.
    pub fn bulletin(&self, at: i64, wipes: Vec<FleetWipe>) -> String {
        self.bulletin_confirming(at, wipes, &[])
    }

    /// As `bulletin`, confirming each device's log archived through a sequence number.
    pub fn bulletin_confirming(&self, at: i64, wipes: Vec<FleetWipe>, logs: &[(&str, u64)]) -> String {
        self.signed_bulletin(at, |b| {
            b.wipes = wipes;
            b.logs = logs.iter().map(|(device, through)| ((*device).to_owned(), *through)).collect();
        })
    }

    /// A bulletin signed at `at` cancelling these wipe commands.
    pub fn bulletin_cancelling(&self, at: i64, commands: &[&str]) -> String {
        self.signed_bulletin(at, |b| {
            b.cancelled = commands.iter().map(|c| Cancel::sign(&self.signer, c, at).unwrap()).collect()
        })
    }

    /// A bulletin signed at `at` confirming, per device, the wipe receipt naming these commands.
    pub fn bulletin_confirming_receipt(&self, at: i64, device: &str, commands: &[&str]) -> String {
        self.signed_bulletin(at, |b| {
            b.receipts = [(device.to_owned(), commands.iter().map(|c| (*c).to_owned()).collect())].into_iter().collect()
        })
    }

    /// An empty bulletin signed at `at`, valid a day, as `fill` completes it.
    fn signed_bulletin(&self, at: i64, fill: impl FnOnce(&mut Bulletin)) -> String {
        let mut made = Bulletin {
            v: BULLETIN_VERSION,
            bulletin_id: format!("blt_{:024x}", at),
            issued_at: at,
            expires_at: at + 86_400,
            signed_by: None,
            keys: Vec::new(),
            wipes: Vec::new(),
            logs: Default::default(),
            receipts: Default::default(),
            cancelled: Vec::new(),
        };
        fill(&mut made);
        televisit_core::it::bulletin::sign(&self.signer, &made).unwrap()
    }

    /// An enrollment code naming the relay its phones check in with.
    pub fn code_with_relay(&self, relay: televisit_protocol::relay::RelayEndpoint) -> String {
        let validity = Validity::from(SIGNED_AT, DEFAULT_CODE_VALID_SECONDS).unwrap();
        let terms = enrollment::CodeTerms { validity, relay: Some(relay) };
        make_enroll_code(&self.signer, &self.trust(), &self.policy(1), terms).unwrap()
    }

    pub fn code(&self) -> String {
        let validity = Validity::from(SIGNED_AT, DEFAULT_CODE_VALID_SECONDS).unwrap();
        make_enroll_code(&self.signer, &self.trust(), &self.policy(1), validity).unwrap()
    }

    /// A command signed at `now` that IT made valid only from `not_before`.
    pub fn wipe_postdated(&self, e: &enrollment::Enrollment, id: &str, now: i64, not_before: i64) -> String {
        self.wipe_within(e, id, WipeScope::All, now, not_before)
    }

    /// A bulletin's entry wiping this enrollment (for a lost phone) until `expires_at`: the
    /// command IT signed (when IT signs, or just before it expires), less the ids.
    pub fn fleet_wipe(&self, e: &enrollment::Enrollment, id: &str, scope: WipeScope, expires_at: i64) -> FleetWipe {
        let issued_at = SIGNED_AT.min(expires_at - 3600);
        let command = WipeCommand {
            v: wipe::COMMAND_VERSION,
            device_id: e.device_id.clone(),
            enrollment_id: e.enrollment_id.clone(),
            command_id: id.into(),
            issued_at,
            not_before: issued_at - 300,
            expires_at,
            scope,
            reason: WipeReason::Lost,
            signed_by: None,
        };
        FleetWipe::from_command(&wipe::issue(&self.signer, &command).unwrap(), &self.keys()).unwrap()
    }

    pub fn wipe(&self, e: &enrollment::Enrollment, id: &str, scope: WipeScope, now: i64) -> String {
        self.wipe_within(e, id, scope, now, now - 60)
    }

    /// Signed at `now`, valid from `not_before` for 14 days.
    fn wipe_within(&self, e: &enrollment::Enrollment, id: &str, scope: WipeScope, now: i64, not_before: i64) -> String {
        wipe::issue(
            &self.signer,
            &WipeCommand {
                v: wipe::COMMAND_VERSION,
                device_id: e.device_id.clone(),
                enrollment_id: e.enrollment_id.clone(),
                command_id: id.into(),
                issued_at: now,
                not_before,
                expires_at: not_before + 60 + 14 * 86_400,
                scope,
                reason: WipeReason::Lost,
                signed_by: None,
            },
        )
        .unwrap()
    }
}
