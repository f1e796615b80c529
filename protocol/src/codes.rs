//! The short codes an activity-log entry's detail may hold (`verbal`, `v3`, `com.whatsapp`,
//! `consent_missing`, an opaque id), and what they may not be: free text, a name, a phone or
//! record number. The log travels to IT in exports, so this rule is part of its format; the
//! policy's own codes (the consent wording's version) keep it too, so that every consent the
//! policy asks for can be logged.

use crate::ids::is_opaque_id;

pub const MAX_CODE_LEN: usize = 64;
/// Seven digits make a local phone number; a record number is longer.
const MAX_DIGITS: usize = 6;

/// Why a code is refused. The messages never repeat the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// Too long, or characters other than a-z, 0-9 and `_.:/-` (a space, a `+`, a bracket).
    Form,
    /// Capital letters: names are written with them, codes are not.
    LooksLikeName,
    /// Seven digits or more in a row, or in groups joined by `-`, `.`, `/`, `:` or `_`:
    /// `4155550132`, `415-555-0132`, `1.415.555.0132`.
    LooksLikeNumber,
}

impl CodeProblem {
    pub fn describe(self) -> &'static str {
        match self {
            CodeProblem::Form => "must be a code of at most 64 characters: a-z, 0-9 and _.:/- only",
            CodeProblem::LooksLikeName => "looks like a name or free text (codes are lowercase)",
            CodeProblem::LooksLikeNumber => "looks like a phone or record number",
        }
    }
}

pub fn check(code: &str) -> Result<(), CodeProblem> {
    if code.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(CodeProblem::LooksLikeName);
    }
    let form_ok = code.len() <= MAX_CODE_LEN
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.:/-".contains(&b));
    if !form_ok {
        return Err(CodeProblem::Form);
    }
    if !is_opaque_id(code) && longest_number(code) > MAX_DIGITS {
        return Err(CodeProblem::LooksLikeNumber);
    }
    Ok(())
}

/// The most digits in one number as people write them: digit groups joined by single
/// separators count together (`415-555-0132` is ten digits); a letter ends a number.
fn longest_number(code: &str) -> usize {
    let bytes = code.as_bytes();
    let (mut longest, mut current) = (0, 0);
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            current += 1;
            longest = longest.max(current);
        } else {
            let joins = b"-./:_".contains(&b)
                && i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !joins {
                current = 0;
            }
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_codes_and_nothing_else() {
        let table: &[(&str, Result<(), CodeProblem>)] = &[
            ("verbal", Ok(())),
            ("v3", Ok(())),
            ("com.whatsapp", Ok(())),
            ("consent_missing", Ok(())),
            ("wording-2026.2", Ok(())),
            ("14.2.1", Ok(())),
            ("09:30", Ok(())),
            ("pt_0123456789abcdef0123456789abcdef", Ok(())),
            ("cmd_00112233445566778899aabb", Ok(())),
            ("123456", Ok(())),
            // Phone numbers in the forms people write them.
            ("4155550132", Err(CodeProblem::LooksLikeNumber)),
            ("415-555-0132", Err(CodeProblem::LooksLikeNumber)),
            ("1.415.555.0132", Err(CodeProblem::LooksLikeNumber)),
            ("415/555/0132", Err(CodeProblem::LooksLikeNumber)),
            ("07700_900123", Err(CodeProblem::LooksLikeNumber)),
            ("tel:4155550132", Err(CodeProblem::LooksLikeNumber)),
            ("555-0132", Err(CodeProblem::LooksLikeNumber)),
            ("+1.415.555.0132", Err(CodeProblem::Form)),
            ("+14155550132", Err(CodeProblem::Form)),
            ("(415) 555 0132", Err(CodeProblem::Form)),
            ("415 555 0132", Err(CodeProblem::Form)),
            // Names typed where a code belongs.
            ("Susan", Err(CodeProblem::LooksLikeName)),
            ("SusanSmith", Err(CodeProblem::LooksLikeName)),
            ("Susan_Smith", Err(CodeProblem::LooksLikeName)),
            ("SMITH", Err(CodeProblem::LooksLikeName)),
            ("Susan Smith", Err(CodeProblem::LooksLikeName)),
            ("susan smith", Err(CodeProblem::Form)),
            ("o'brien", Err(CodeProblem::Form)),
            ("zoë", Err(CodeProblem::Form)),
            ("", Ok(())),
        ];
        for (code, verdict) in table {
            assert_eq!(check(code), *verdict, "{code}");
        }
        assert_eq!(check(&"a".repeat(MAX_CODE_LEN + 1)), Err(CodeProblem::Form));
        for problem in [CodeProblem::Form, CodeProblem::LooksLikeName, CodeProblem::LooksLikeNumber] {
            assert!(!problem.describe().contains("415"));
        }
    }
}
