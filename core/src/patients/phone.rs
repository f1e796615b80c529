//! Phone numbers, parsed by libphonenumber's metadata (the `phonenumber` crate) and kept in E.164.

use crate::error::{Error, Result};
use phonenumber::country;
use phonenumber::Mode;
use std::str::FromStr;

/// `+447400123456` from `07400 123456` in region GB. The refusal gives the library's reason and
/// never repeats the number.
pub fn to_e164(text: &str, default_region: &str) -> Result<String> {
    let region = country::Id::from_str(default_region)
        .map_err(|_| Error::invalid("contacts.default_region", "is not a region the phone library knows"))?;
    let number =
        phonenumber::parse(Some(region), text.trim()).map_err(|err| Error::invalid("phone", err.to_string()))?;
    if !number.is_valid() {
        return Err(Error::invalid("phone", "is not a valid number for its region"));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// Whether WhatsApp can reach the number: a mobile (or a number that may be mobile). Fixed
/// lines, toll-free and premium numbers cannot hold a WhatsApp account in practice.
pub fn may_have_whatsapp(e164: &str) -> bool {
    use phonenumber::metadata::DATABASE;
    use phonenumber::Type;
    match phonenumber::parse(None, e164) {
        Ok(number) => matches!(
            number.number_type(&DATABASE),
            Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber | Type::Voip | Type::Unknown
        ),
        Err(_) => false,
    }
}

/// The digits WhatsApp's links take (`https://wa.me/<digits>`): E.164 without the `+`.
pub fn digits(e164: &str) -> String {
    e164.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms_normalise() {
        assert_eq!(to_e164("07400 123456", "GB").unwrap(), "+447400123456");
        assert_eq!(to_e164("+44 7400 123456", "US").unwrap(), "+447400123456");
        assert_eq!(to_e164("(650) 253-0000", "US").unwrap(), "+16502530000");
        assert_eq!(to_e164("tel:+1-650-253-0000", "GB").unwrap(), "+16502530000");
        assert_eq!(digits("+447400123456"), "447400123456");
        assert!(may_have_whatsapp("+447400123456"));
        assert!(may_have_whatsapp("+16502530000"), "US numbers may be mobile");
        assert!(!may_have_whatsapp("+442079460000"), "a London landline");
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason_and_without_the_number() {
        for bad in ["12", "hello", "+44 7400 123456 4567 8901", "+999 1234 5678", "020 7946 000"] {
            let err = to_e164(bad, "GB").unwrap_err().to_string();
            assert!(err.starts_with("invalid phone: "), "{bad}: {err}");
            assert!(!err.contains(bad.trim_start_matches('+')), "{err}");
        }
        assert!(to_e164("07400 123456", "XX").is_err());
    }
}
