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
    let text = screen(text)?;
    let number = phonenumber::parse(Some(region), text).map_err(|err| Error::invalid("phone", err.to_string()))?;
    if !number.is_valid() {
        return Err(Error::invalid("phone", "is not a valid number for its region"));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The longest text taken as a number, and the most digits: E.164 allows 15, and a number written
/// with an international prefix and a bracketed trunk prefix needs a few more.
const MAX_CHARS: usize = 64;
const MAX_DIGITS: usize = 20;

/// What the library would read in a way the clinician did not mean, refused before it parses:
/// letters (the library turns `1-800-FLOWERS` into digits; a patient's number has none), an
/// extension (WhatsApp calls the number alone), a second `+`, digits other than 0–9 (the library
/// reads Arabic-Indic and full-width digits as 0–9, which a clinician cannot check on screen),
/// and lengths no number has. Each reason is fixed text: the number is never repeated.
fn screen(text: &str) -> Result<&str> {
    let refuse = |reason: &str| Err(Error::invalid("phone", reason));
    let text = text.trim();
    if text.chars().count() > MAX_CHARS {
        return refuse("is too long to be a phone number");
    }
    let number = text.strip_prefix("tel:").unwrap_or(text);
    if number.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
        return refuse("has digits other than 0-9: type it again with 0-9");
    }
    let lower = number.to_lowercase();
    if lower.contains("ext") || lower.contains(";") || lower.contains('#') || lower.contains('x') {
        return refuse("has an extension, which WhatsApp cannot dial: enter the number alone");
    }
    if number.chars().any(char::is_alphabetic) {
        return refuse("has letters: enter the number with digits only");
    }
    match number.matches('+').count() {
        0 => {}
        1 if number.starts_with('+') => {}
        _ => return refuse("may have one + only, at its start"),
    }
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits > MAX_DIGITS {
        return refuse("has more digits than any phone number");
    }
    Ok(text)
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

    #[test]
    fn numbers_the_library_would_misread_are_refused_before_it_parses() {
        let cases = [
            ("+44 7400 ABC456", "letters"),
            ("0800 FLOWERS", "letters"),
            ("+44 20 7946 0018 ext. 204", "extension"),
            ("+44 20 7946 0018 x204", "extension"),
            ("tel:+44-20-7946-0018;ext=204", "extension"),
            ("020 7946 0018 #12", "extension"),
            ("++44 7400 123456", "one +"),
            ("+44 7400 +123456", "one +"),
            ("07400 12345+6", "one +"),
            ("\u{0660}\u{0667}\u{0664}\u{0660}\u{0660} 123456", "0-9"),
            ("\u{FF10}\u{FF17}\u{FF14}\u{FF10}\u{FF10} 123456", "0-9"),
            ("\u{06F0}7400 123456", "0-9"),
        ];
        let fifty = "1".repeat(50);
        let long = "0".repeat(65);
        let cases = cases.iter().map(|(t, w)| (t.to_string(), *w)).chain([(fifty, "more digits"), (long, "too long")]);
        for (text, why) in cases {
            let err = to_e164(&text, "GB").unwrap_err().to_string();
            assert!(err.starts_with("invalid phone: ") && err.contains(why), "{text:?}: {err}");
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.len() < 4 || !err.contains(&digits[..4]), "{err} repeats the number");
        }
        assert_eq!(to_e164("tel:+44-7400-123456", "US").unwrap(), "+447400123456", "a tel: link still reads");
    }
}
