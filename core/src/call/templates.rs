//! The safe message library: short texts a clinician may pre-fill into WhatsApp, with
//! placeholders, checked for length and by the PHI lint once rendered.

use crate::error::{Error, Result};
use crate::lint::{lint, PhiFinding};
use std::collections::BTreeMap;

/// Longest text pre-filled into a chat; a message longer than this is not a confirmation.
pub const MAX_MESSAGE_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateId {
    VisitConfirmation,
    VideoCallAt,
    Directions,
    PreparationChecklist,
}

impl TemplateId {
    pub const ALL: [TemplateId; 4] = [
        TemplateId::VisitConfirmation,
        TemplateId::VideoCallAt,
        TemplateId::Directions,
        TemplateId::PreparationChecklist,
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            TemplateId::VisitConfirmation => "visit_confirmation",
            TemplateId::VideoCallAt => "video_call_at",
            TemplateId::Directions => "directions",
            TemplateId::PreparationChecklist => "preparation_checklist",
        }
    }

    /// The text, with `{placeholder}`s.
    pub fn text(self) -> &'static str {
        match self {
            TemplateId::VisitConfirmation => "Hello, this is {clinic}. Your video visit is confirmed for {time}. Reply STOP if you no longer wish to be contacted on WhatsApp.",
            TemplateId::VideoCallAt => "Hello, this is {clinic}. We will call you on WhatsApp video at {time}. Please be somewhere quiet and private.",
            TemplateId::Directions => "Hello, this is {clinic}. Directions for your visit: {link}",
            TemplateId::PreparationChecklist => "Hello, this is {clinic}. Before your video visit, please read this short checklist: {link}",
        }
    }

    pub fn placeholders(self) -> Vec<&'static str> {
        placeholders_in(self.text())
    }
}

fn placeholders_in(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        match rest[open..].find('}') {
            Some(close) => {
                names.push(&rest[open + 1..open + close]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    names
}

/// A rendered message and what the lint found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedMessage {
    pub template: TemplateId,
    pub text: String,
    pub findings: Vec<PhiFinding>,
}

/// Fills the template. Every placeholder needs a value; a value for a placeholder the template
/// does not have is refused (a typo would otherwise be dropped silently); the result must fit
/// [`MAX_MESSAGE_CHARS`]. Values are single-line and free of the template's own braces.
pub fn render(template: TemplateId, values: &BTreeMap<String, String>) -> Result<RenderedMessage> {
    let wanted = template.placeholders();
    if let Some(unknown) = values.keys().find(|k| !wanted.contains(&k.as_str())) {
        let known = wanted.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ");
        return Err(Error::invalid(
            "message placeholder",
            format!("`{{{unknown}}}` is not in this template (it has {known})"),
        ));
    }
    let mut text = template.text().to_owned();
    for name in &wanted {
        let value = values
            .get(*name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::invalid("message placeholder", format!("`{{{name}}}` needs a value")))?;
        if value.contains(['{', '}']) || value.chars().any(char::is_control) {
            return Err(Error::invalid(
                "message placeholder",
                format!("the value of `{{{name}}}` has braces or control characters"),
            ));
        }
        text = text.replace(&format!("{{{name}}}"), value);
    }
    let length = text.chars().count();
    if length > MAX_MESSAGE_CHARS {
        return Err(Error::invalid("message", format!("is {length} characters, at most {MAX_MESSAGE_CHARS}")));
    }
    let findings = lint(&text);
    Ok(RenderedMessage { template, text, findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_template_renders_clean_with_safe_values() {
        let safe =
            values(&[("clinic", "North Clinic"), ("time", "Tuesday 10:30"), ("link", "https://example.org/prep")]);
        for template in TemplateId::ALL {
            let wanted: BTreeMap<String, String> = safe
                .iter()
                .filter(|(k, _)| template.placeholders().contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let message = render(template, &wanted).unwrap();
            assert!(message.findings.is_empty(), "{}: {:?}", template.code(), message.findings);
            assert!(!message.text.contains('{'));
        }
    }

    #[test]
    fn placeholders_must_match() {
        let err =
            render(TemplateId::VideoCallAt, &values(&[("clinic", "X"), ("time", "10:00"), ("tiem", "x")])).unwrap_err();
        assert!(err.to_string().contains("{tiem}") && err.to_string().contains("{time}"), "{err}");
        let err = render(TemplateId::VideoCallAt, &values(&[("clinic", "X")])).unwrap_err();
        assert!(
            err.to_string().contains("{time} needs a value") || err.to_string().contains("`{time}` needs a value"),
            "{err}"
        );
        assert!(render(TemplateId::Directions, &values(&[("clinic", "X"), ("link", "a{b}")])).is_err());
    }

    #[test]
    fn long_messages_are_refused_and_phi_is_found() {
        let long = "x".repeat(MAX_MESSAGE_CHARS);
        assert!(render(TemplateId::Directions, &values(&[("clinic", "X"), ("link", &long)])).is_err());
        let message =
            render(TemplateId::VideoCallAt, &values(&[("clinic", "Oncology"), ("time", "10:00 re your biopsy")]))
                .unwrap();
        assert!(!message.findings.is_empty());
    }
}
