//! The PHI lint: any text Televisit pre-fills into WhatsApp is checked for identifiers and
//! clinical terms, because a chat is not the record and must carry confirmations, directions and
//! preparation lists only. A pure function with its own table of cases.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhiKind {
    DateOfBirth,
    RecordNumber,
    SsnLike,
    Email,
    StreetAddress,
    PhoneNumber,
    ClinicalTerm,
}

impl PhiKind {
    pub fn code(self) -> &'static str {
        match self {
            PhiKind::DateOfBirth => "date_of_birth",
            PhiKind::RecordNumber => "record_number",
            PhiKind::SsnLike => "ssn_like",
            PhiKind::Email => "email",
            PhiKind::StreetAddress => "street_address",
            PhiKind::PhoneNumber => "phone_number",
            PhiKind::ClinicalTerm => "clinical_term",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            PhiKind::DateOfBirth => "a date of birth",
            PhiKind::RecordNumber => "a medical record or health-service number",
            PhiKind::SsnLike => "a social security style number",
            PhiKind::Email => "an e-mail address",
            PhiKind::StreetAddress => "a street address",
            PhiKind::PhoneNumber => "a phone number",
            PhiKind::ClinicalTerm => "a clinical term",
        }
    }
}

/// One thing the lint found: what, and where (byte offsets), so the screen can highlight it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhiFinding {
    pub kind: PhiKind,
    pub start: usize,
    pub end: usize,
}

/// Clinical words that do not belong in a WhatsApp message (a deliberately short, common list:
/// the lint is a safety net, not a classifier).
const CLINICAL_TERMS: &[&str] = &[
    "diagnosis",
    "diagnosed",
    "prognosis",
    "cancer",
    "tumour",
    "tumor",
    "oncology",
    "chemotherapy",
    "chemo",
    "radiotherapy",
    "biopsy",
    "malignant",
    "metastatic",
    "hiv",
    "hepatitis",
    "sti",
    "syphilis",
    "chlamydia",
    "gonorrhoea",
    "gonorrhea",
    "herpes",
    "pregnant",
    "pregnancy",
    "miscarriage",
    "abortion",
    "termination",
    "ivf",
    "depression",
    "anxiety",
    "bipolar",
    "schizophrenia",
    "psychosis",
    "suicidal",
    "self-harm",
    "overdose",
    "addiction",
    "methadone",
    "alcoholism",
    "dementia",
    "alzheimer's",
    "alzheimers",
    "diabetes",
    "diabetic",
    "insulin",
    "epilepsy",
    "seizure",
    "stroke",
    "dialysis",
    "transplant",
    "prescription",
    "medication",
    "dosage",
    "mg",
    "blood test",
    "test results",
    "scan results",
    "mri",
    "x-ray",
    "ct scan",
    "ultrasound",
];

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:dob|d\.o\.b\.?|date of birth|born)\b|\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
        .expect("static pattern")
});
static RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:mrn|nhs\s*(?:no|number)|hospital\s*(?:no|number)|record\s*(?:no|number)|patient\s*id)\b|\b\d{3}\s?\d{3}\s?\d{4}\b|\b[A-Z]{1,3}\d{6,10}\b")
        .expect("static pattern")
});
static SSN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{3}-\d{2}-\d{4}\b").expect("static pattern"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b").expect("static pattern"));
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\d{1,5}[A-Z]?\s+(?:[A-Z][a-z'-]*\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|boulevard|blvd|court|ct|place|pl|terrace|crescent)\b\.?")
        .expect("static pattern")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\d[\d\s().-]{8,}\d").expect("static pattern"));
static CLINICAL: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<String> = CLINICAL_TERMS.iter().map(|t| regex::escape(t)).collect();
    Regex::new(&format!(r"(?i)\b(?:{})\b", words.join("|"))).expect("escaped word list")
});

/// Every finding in `text`, in order. Overlapping findings of different kinds are all kept:
/// the screen says each thing that is wrong.
pub fn lint(text: &str) -> Vec<PhiFinding> {
    let mut findings = Vec::new();
    let mut scan = |kind: PhiKind, re: &Regex| {
        findings.extend(re.find_iter(text).map(|m| PhiFinding { kind, start: m.start(), end: m.end() }));
    };
    scan(PhiKind::SsnLike, &SSN);
    scan(PhiKind::DateOfBirth, &DATE);
    scan(PhiKind::RecordNumber, &RECORD);
    scan(PhiKind::Email, &EMAIL);
    scan(PhiKind::StreetAddress, &STREET);
    scan(PhiKind::ClinicalTerm, &CLINICAL);
    // A phone number has nine digits or more; shorter runs are dates and times.
    findings.extend(
        PHONE
            .find_iter(text)
            .filter(|m| m.as_str().chars().filter(char::is_ascii_digit).count() >= 9)
            .map(|m| PhiFinding { kind: PhiKind::PhoneNumber, start: m.start(), end: m.end() }),
    );
    // An SSN also looks like a phone number; report it once, as the stronger kind.
    let ssns: Vec<(usize, usize)> =
        findings.iter().filter(|f| f.kind == PhiKind::SsnLike).map(|f| (f.start, f.end)).collect();
    findings.retain(|f| f.kind == PhiKind::SsnLike || !ssns.iter().any(|&(s, e)| f.start < e && s < f.end));
    findings.sort_by_key(|f| (f.start, f.end));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use PhiKind::*;

    fn kinds(text: &str) -> Vec<PhiKind> {
        let mut kinds: Vec<PhiKind> = lint(text).into_iter().map(|f| f.kind).collect();
        kinds.dedup();
        kinds
    }

    #[test]
    fn table_of_cases() {
        let cases: &[(&str, &[PhiKind])] = &[
            ("Your video visit is confirmed for Tuesday at 10:30.", &[]),
            ("We will call you on WhatsApp video at 14:00. Please be somewhere quiet.", &[]),
            ("Parking is behind the main entrance; follow the signs to Outpatients B.", &[]),
            ("Please have your medicines list ready.", &[]),
            ("DOB 12/03/1985", &[DateOfBirth]),
            ("born 1985-03-12", &[DateOfBirth]),
            ("MRN A1234567", &[RecordNumber]),
            ("NHS number 943 476 5919", &[RecordNumber, PhoneNumber]),
            ("SSN 123-45-6789", &[SsnLike]),
            ("write to susan.smith@example.org", &[Email]),
            ("come to 221B Baker Street", &[StreetAddress]),
            ("or 12 Hill View Road.", &[StreetAddress]),
            ("call 07400 123456 if late", &[PhoneNumber]),
            ("Your biopsy results are back", &[ClinicalTerm]),
            ("bring your INSULIN pen", &[ClinicalTerm]),
            ("HIV clinic moved", &[ClinicalTerm]),
            ("A chemotherapy session", &[ClinicalTerm]),
        ];
        for (text, expected) in cases {
            assert_eq!(kinds(text), expected.to_vec(), "{text}");
        }
    }

    #[test]
    fn findings_point_at_the_text() {
        let text = "Visit at 10:00, SSN 123-45-6789.";
        let found = lint(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..found[0].end], "123-45-6789");
    }

    #[test]
    fn words_inside_other_words_are_not_terms() {
        assert!(kinds("Staff will assist you at reception; aid is available.").is_empty());
        assert!(kinds("mgmt office").is_empty());
    }
}
