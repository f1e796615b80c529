//! The naming convention for patient contacts (`Patient Susan Smith` by default): names are
//! sanitised, rendered from the policy's template, made unique, and recognised again later,
//! including in contacts someone made by hand.

use crate::error::{Error, Result};
use regex::Regex;
use std::collections::HashSet;
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Longest given or family name kept, in user-perceived characters.
pub const MAX_NAME_GRAPHEMES: usize = 40;

/// Cleans one name as typed: NFC, no control, format (zero-width, bidi override), private-use
/// or unassigned characters, every kind of space or line break made one plain space, trimmed,
/// capped at [`MAX_NAME_GRAPHEMES`] without splitting a character. Idempotent.
pub fn sanitise(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter_map(|c| match get_general_category(c) {
            GeneralCategory::Control if c.is_whitespace() => Some(' '),
            GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned => None,
            GeneralCategory::SpaceSeparator | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
                Some(' ')
            }
            _ => Some(c),
        })
        .collect();
    let normalised: String = kept.nfc().collect();
    let collapsed = normalised.split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ");
    let capped: String = collapsed.graphemes(true).take(MAX_NAME_GRAPHEMES).collect();
    capped.trim_end().to_owned()
}

/// A sanitised name part that can stand in a contact: it must hold at least one letter
/// (an emoji-only or punctuation-only "name" is refused). Errors never repeat the input.
pub fn clean_name(field: &'static str, text: &str) -> Result<String> {
    let clean = sanitise(text);
    if clean.is_empty() {
        return Err(Error::invalid(field, "is empty once invisible and control characters are removed"));
    }
    if !clean.chars().any(char::is_alphabetic) {
        return Err(Error::invalid(field, "must contain at least one letter"));
    }
    Ok(clean)
}

/// The policy's contact-name template: its grammar and rendering are the protocol's.
pub use televisit_protocol::policy::{NameTemplate, TemplatePart};

/// The compiled matcher's size limit: far above what a valid template (at most
/// `MAX_TEMPLATE_CHARS` characters and `MAX_PLACEHOLDERS` placeholders) needs.
const MATCHER_SIZE_LIMIT: usize = 1 << 20;

/// A matcher for names made by this template, with or without a ` (N)` suffix, in any case
/// and spacing: what staff would type when adding a patient by hand.
pub fn matcher(template: &NameTemplate) -> Result<NameMatcher> {
    let mut pattern = String::from(r"(?i)^\s*");
    for part in template.parts() {
        match part {
            TemplatePart::Literal(text) => {
                for (i, word) in text.split(' ').enumerate() {
                    if i > 0 {
                        pattern.push_str(r"\s+");
                    }
                    pattern.push_str(&regex::escape(word));
                }
            }
            TemplatePart::First | TemplatePart::Last => pattern.push_str(r"\S(?:.*?\S)?"),
            TemplatePart::FirstInitial | TemplatePart::LastInitial => pattern.push_str(r"[^\s.]+\."),
        }
    }
    pattern.push_str(r"(?:\s+\(\d+\))?\s*$");
    regex::RegexBuilder::new(&pattern)
        .size_limit(MATCHER_SIZE_LIMIT)
        .build()
        .map(NameMatcher)
        .map_err(|_| Error::invalid("contacts.name_template", "is too complex to match contact names with"))
}

pub struct NameMatcher(Regex);

impl NameMatcher {
    pub fn matches(&self, contact_name: &str) -> bool {
        self.0.is_match(&sanitise_for_match(contact_name))
    }
}

/// Invisible characters in a hand-made contact must not hide it from the matcher.
fn sanitise_for_match(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(get_general_category(*c), GeneralCategory::Format | GeneralCategory::Control))
        .collect()
}

/// `base`, or `base (2)`, `base (3)`… : the first not in `taken`.
pub fn unique_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..).map(|n| format!("{base} ({n})")).find(|name| !taken.contains(name)).expect("an unbounded range ends")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitise_strips_what_hides_or_reorders_text() {
        assert_eq!(sanitise("  Susan \t  Smith\n"), "Susan Smith");
        assert_eq!(sanitise("Su\u{200B}san"), "Susan", "zero-width space");
        assert_eq!(sanitise("\u{202E}htimS"), "htimS", "right-to-left override");
        assert_eq!(sanitise("Anna\u{2066}\u{2069}\u{FEFF}"), "Anna");
        assert_eq!(sanitise("Jose\u{301}"), "Jos\u{e9}", "NFC");
        assert_eq!(sanitise("Zo\u{e9}\u{A0}Smith"), "Zo\u{e9} Smith", "no-break space");
        assert_eq!(sanitise(&"a".repeat(5000)).chars().count(), MAX_NAME_GRAPHEMES);
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(sanitise(&format!("{}X", family.repeat(50))).graphemes(true).count(), MAX_NAME_GRAPHEMES);
    }

    #[test]
    fn names_need_a_letter() {
        assert!(clean_name("given name", "\u{1F600}\u{1F600}").is_err());
        assert!(clean_name("given name", " \u{200B} ").is_err());
        assert!(clean_name("given name", "--").is_err());
        assert_eq!(clean_name("given name", "O'Brien-Ng").unwrap(), "O'Brien-Ng");
        assert_eq!(clean_name("given name", "\u{5E9}\u{5E8}\u{5D4}").unwrap(), "\u{5E9}\u{5E8}\u{5D4}");
        let err = clean_name("family name", "\u{1F600}").unwrap_err().to_string();
        assert!(!err.contains('\u{1F600}'));
    }

    #[test]
    fn the_matcher_finds_hand_made_lookalikes_and_nothing_else() {
        let m = matcher(&NameTemplate::parse("Patient {first} {last}").unwrap()).unwrap();
        for yes in [
            "Patient Susan Smith",
            "patient susan smith",
            "Patient  Mary Ann  Jones",
            "Patient Susan Smith (2)",
            "PATIENT Lee\u{200B} Ng",
        ] {
            assert!(m.matches(yes), "{yes}");
        }
        for no in ["Susan Smith", "Patient", "Patient Susan", "Patients Susan Smith", "Dr Patient Susan Smith", "Mum"] {
            assert!(!m.matches(no), "{no}");
        }
    }

    #[test]
    fn unique_names_count_up() {
        let mut taken = HashSet::new();
        assert_eq!(unique_name("Patient Susan Smith", &taken), "Patient Susan Smith");
        taken.insert("Patient Susan Smith".to_owned());
        taken.insert("Patient Susan Smith (2)".to_owned());
        assert_eq!(unique_name("Patient Susan Smith", &taken), "Patient Susan Smith (3)");
    }

    fn any_template() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Patient {first} {last}".to_owned()),
            Just("NM Patient {first} {last_initial}".to_owned()),
            Just("{first_initial} {last} - Pt".to_owned()),
            Just("Pt. {last}, {first}".to_owned()),
            Just("{first} {last} [tv]".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn sanitising_is_idempotent(text in "\\PC{0,80}|[\\s\\p{Cf}\\p{Cc}a-z\\u{300}-\\u{36F}\\u{1F600}-\\u{1F64F}]{0,80}") {
            let once = sanitise(&text);
            prop_assert_eq!(sanitise(&once), once.clone());
            prop_assert!(once.graphemes(true).count() <= MAX_NAME_GRAPHEMES);
        }

        #[test]
        fn the_matcher_recognises_every_name_the_template_makes(
            template in any_template(),
            first in "\\PC{1,60}",
            last in "\\PC{1,60}",
            copy in 1u32..5,
        ) {
            let (Ok(first), Ok(last)) = (clean_name("given name", &first), clean_name("family name", &last)) else {
                return Ok(());
            };
            let template = NameTemplate::parse(&template).unwrap();
            let name = template.render(&first, &last);
            let name = if copy > 1 { format!("{name} ({copy})") } else { name };
            prop_assert!(matcher(&template).unwrap().matches(&name), "{}", name);
        }
    }
}
