//! The organisation's policy. Its type, defaults, JSON and rules are the protocol's
//! (`televisit_protocol::policy`), shared with IT's tool; the phone adds the one check only it
//! can make: that its phone-number library knows the policy's default region.

use crate::error::{Error, Result};
use std::str::FromStr;
pub use televisit_protocol::policy::*;

/// Everything a policy must keep to be applied on this phone: the protocol's rules, and a
/// default region the phone-number library knows.
pub fn check_on_device(policy: &Policy) -> Result<()> {
    policy.validate()?;
    if phonenumber::country::Id::from_str(&policy.contacts.default_region).is_err() {
        return Err(Error::invalid("contacts.default_region", "is not a region the phone library knows"));
    }
    // The consent wording is read to every patient: the PHI lint's identifiers (a number, an
    // address, a record number) have no place in it. General clinical words may stand there.
    if let Some(text) = &policy.calls.consent_text {
        let found = crate::lint::lint(text).into_iter().find(|f| f.kind != crate::lint::PhiKind::ClinicalTerm);
        if let Some(finding) = found {
            return Err(Error::invalid(
                "calls.consent_text",
                format!("has what looks like {}: the wording is read to every patient", finding.kind.describe()),
            ));
        }
    }
    Ok(())
}

/// Parses IT's JSON and checks it as the phone applies it.
pub fn from_json_on_device(text: &str) -> Result<Policy> {
    let policy = Policy::from_json(text)?;
    check_on_device(&policy)?;
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_the_phone_library_does_not_know_is_refused_on_the_phone() {
        let mut policy = Policy::default();
        policy.contacts.default_region = "ZZ".into();
        policy.validate().unwrap();
        let err = check_on_device(&policy).unwrap_err().to_string();
        assert!(err.contains("contacts.default_region"), "{err}");
        check_on_device(&Policy::default()).unwrap();
    }

    #[test]
    fn the_consent_wording_passes_the_phi_lint_on_the_phone() {
        let mut policy = Policy::default();
        policy.calls.consent_text =
            Some("We would like to hold this appointment by WhatsApp video. Do you agree?".into());
        check_on_device(&policy).unwrap();
        policy.calls.consent_text = Some("Questions? Write to clinic.office@example.org any time.".into());
        let err = check_on_device(&policy).unwrap_err().to_string();
        assert!(err.contains("calls.consent_text") && err.contains("e-mail"), "{err}");
        assert!(!err.contains("example.org"), "the wording is never echoed: {err}");
    }
}
