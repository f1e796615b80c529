//! IT's policy file: any JSON either becomes a policy that keeps every rule (and survives its
//! own JSON and its canonical form unchanged, and renders its name template) or is refused by
//! field and position, never by quoting the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text};
use televisit_protocol::envelope;
use televisit_protocol::policy::{NameTemplate, Policy, MAX_PLACEHOLDERS};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match Policy::from_json(text) {
        Ok(policy) => {
            policy.validate().expect("an accepted policy keeps its rules");
            assert_eq!(Policy::from_json(&policy.to_json()).as_ref(), Ok(&policy));
            let canonical = envelope::canonical_json(&policy);
            let again: Policy = envelope::parse_canonical("policy", &canonical).expect("canonical form parses");
            assert_eq!(again, policy);
            let template = NameTemplate::parse(&policy.contacts.name_template).expect("validated");
            assert!(template.parts().len() <= 2 * MAX_PLACEHOLDERS + 1);
            let _ = template.render("Susan", "Smith");
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
