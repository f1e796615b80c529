//! Plays the organisation's IT: its signing key, signed policies, enrollment codes, wipe commands.

use televisit_core::it::enrollment::{self, make_enroll_code, sign_policy};
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::wipe::{self, WipeCommand, WipeReason, WipeScope};
use televisit_core::Policy;

pub const RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

pub struct Org {
    pub key: SigningKey,
}

impl Org {
    pub fn new() -> Self {
        Org { key: SigningKey::generate().unwrap().0 }
    }

    pub fn policy(&self, version: u64) -> String {
        sign_policy(&self.key, &Policy { version, organisation: "North Clinic".into(), ..Policy::default() }).unwrap()
    }

    pub fn code(&self) -> String {
        make_enroll_code(&self.key, "North Clinic", RECIPIENT, &self.policy(1)).unwrap()
    }

    pub fn wipe(&self, e: &enrollment::Enrollment, id: &str, scope: WipeScope, now: i64) -> String {
        wipe::issue(
            &self.key,
            &WipeCommand {
                v: 1,
                device_id: e.device_id.clone(),
                enrollment_id: e.enrollment_id.clone(),
                command_id: id.into(),
                issued_at: now,
                not_before: now - 60,
                expires_at: now + 14 * 86_400,
                scope,
                reason: WipeReason::Lost,
            },
        )
        .unwrap()
    }
}
