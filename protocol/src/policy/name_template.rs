//! The grammar of the policy's contact-name template, e.g. `Patient {first} {last}` or
//! `NM Patient {first} {last_initial}`: fixed text and the placeholders `{first}`, `{last}`,
//! `{first_initial}`, `{last_initial}`. Bounded in length and placeholder count, because the
//! phone compiles a matcher from it and renders it for every patient.

use crate::error::{Error, Result};
use unicode_general_category::{get_general_category, GeneralCategory};

/// Longest template, in characters: a contact name is read on a phone's screen.
pub const MAX_TEMPLATE_CHARS: usize = 64;
/// Most placeholders a template holds (a name and an initial of each part).
pub const MAX_PLACEHOLDERS: usize = 4;

const FIELD: &str = "contacts.name_template";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Literal(String),
    First,
    Last,
    FirstInitial,
    LastInitial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTemplate {
    parts: Vec<TemplatePart>,
}

impl NameTemplate {
    pub fn parse(template: &str) -> Result<Self> {
        if template.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(Error::invalid(FIELD, format!("must be at most {MAX_TEMPLATE_CHARS} characters")));
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(TemplatePart::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..].find('}').ok_or_else(|| Error::invalid(FIELD, "has a `{` without its `}`"))?;
            parts.push(match &rest[open + 1..open + close] {
                "first" => TemplatePart::First,
                "last" => TemplatePart::Last,
                "first_initial" => TemplatePart::FirstInitial,
                "last_initial" => TemplatePart::LastInitial,
                _ => {
                    return Err(Error::invalid(FIELD, "knows only {first}, {last}, {first_initial} and {last_initial}"))
                }
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Literal(rest.to_owned()));
        }
        let placeholders = parts.iter().filter(|p| !matches!(p, TemplatePart::Literal(_))).count();
        if placeholders == 0 {
            return Err(Error::invalid(FIELD, "must contain {first}, {last} or an initial"));
        }
        if placeholders > MAX_PLACEHOLDERS {
            return Err(Error::invalid(FIELD, format!("may hold at most {MAX_PLACEHOLDERS} placeholders")));
        }
        if parts.iter().any(|p| matches!(p, TemplatePart::Literal(text) if !literal_is_clean(text))) {
            return Err(Error::invalid(FIELD, "has control or invisible characters, doubled spaces or a stray `}`"));
        }
        Ok(NameTemplate { parts })
    }

    pub fn parts(&self) -> &[TemplatePart] {
        &self.parts
    }

    /// The contact name for a patient, from names already cleaned by the phone.
    pub fn render(&self, first: &str, last: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Literal(text) => out.push_str(text),
                TemplatePart::First => out.push_str(first),
                TemplatePart::Last => out.push_str(last),
                TemplatePart::FirstInitial => out.push_str(&initial(first)),
                TemplatePart::LastInitial => out.push_str(&initial(last)),
            }
        }
        out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
    }
}

/// Literals may begin or end with a space (it separates them from a name), but hold no doubled
/// spaces, invisible characters or a `}` without its `{`.
fn literal_is_clean(text: &str) -> bool {
    !text.contains("  ")
        && !text.contains('}')
        && text.chars().all(|c| {
            !matches!(
                get_general_category(c),
                GeneralCategory::Control
                    | GeneralCategory::Format
                    | GeneralCategory::PrivateUse
                    | GeneralCategory::Surrogate
                    | GeneralCategory::Unassigned
            )
        })
}

/// The first letter, upper-cased, and a dot: `Smith` → `S.`.
fn initial(name: &str) -> String {
    match name.chars().find(|c| c.is_alphabetic()) {
        Some(c) => format!("{}.", c.to_uppercase()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_and_are_checked() {
        let default = NameTemplate::parse("Patient {first} {last}").unwrap();
        assert_eq!(default.render("Susan", "Smith"), "Patient Susan Smith");
        let initials = NameTemplate::parse("NM Patient {first} {last_initial}").unwrap();
        assert_eq!(initials.render("Susan", "smith"), "NM Patient Susan S.");
        let suffix = NameTemplate::parse("{first_initial} {last} (pt)").unwrap();
        assert_eq!(suffix.render("\u{e9}lise", "Martin"), "\u{c9}. Martin (pt)");
        for bad in [
            "Patient",
            "Patient {name}",
            "Patient {first",
            "Patient  {first}",
            "Pat\u{200B}ient {first}",
            "Patient {first}}",
            "",
        ] {
            assert!(NameTemplate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn length_and_placeholders_are_bounded() {
        assert!(NameTemplate::parse(&"{first}".repeat(4000)).is_err());
        assert!(NameTemplate::parse(&"{first}".repeat(MAX_PLACEHOLDERS)).is_ok());
        assert!(NameTemplate::parse(&"{last}".repeat(MAX_PLACEHOLDERS + 1)).is_err());
        assert!(NameTemplate::parse(&format!("{} {{first}}", "P".repeat(MAX_TEMPLATE_CHARS))).is_err());
        let err = NameTemplate::parse("{Susan Smith}").unwrap_err().to_string();
        assert!(!err.contains("Susan"), "{err}");
    }
}
