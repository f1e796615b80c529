//! Any text handed to a device as a wipe command: never a panic, and never accepted unless it
//! is a valid command signed by the enrolled organisation (which random input cannot be).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use televisit_core::it::enrollment::{self, Enrollment};
use televisit_core::it::wipe;
use televisit_core::secrets::MemorySecretStore;
use televisit_core::SecretStore;

fn enrolled() -> &'static MemorySecretStore {
    static SECRETS: OnceLock<MemorySecretStore> = OnceLock::new();
    SECRETS.get_or_init(|| {
        let secrets = MemorySecretStore::new();
        let (org, _) = televisit_core::it::envelope::SigningKey::generate().unwrap();
        let e = Enrollment {
            org_name: "Fuzz".into(),
            org_key: org.public_key(),
            export_recipient: "age1".into(),
            device_id: "dev_0123456789abcdef01234567".into(),
            enrollment_id: "enr_0123456789abcdef01234567".into(),
            enrolled_at: 0,
        };
        secrets.put(enrollment::ENROLLMENT, &serde_json::to_vec(&e).unwrap()).unwrap();
        secrets
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let verdict = wipe::verify(enrolled(), &text, chrono::Utc::now());
    assert!(verdict.is_err(), "random input was accepted as a wipe command");
    let _ = wipe::verify_receipt(&text, None);
});
