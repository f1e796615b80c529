//! Text from outside that IT's tool prints or stores: a phone's version strings, an MDM's ids,
//! the fields of an export. Control characters (an escape sequence can rewrite the terminal's
//! line, and hide a "NOT VERIFIED" under it) and invisible format characters (a bidirectional
//! override can show an id backwards, a zero-width space make two ids look alike) never reach a
//! screen.

/// Unicode's format characters that change how text around them is shown, or hide: the soft
/// hyphen, the Arabic letter mark, the Mongolian vowel separator, zero-width and bidirectional
/// marks, embeddings and overrides, isolates, invisible operators, the byte order mark and the
/// interlinear annotation marks (general category Cf, as far as it is used this way).
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Whether text may be shown as it is: no control and no format character.
pub fn is_plain(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || is_format(c))
}

/// The text with every control and format character replaced by `?`, for a screen or a file.
pub fn shown(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || is_format(c) { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidirectional_overrides_never_reach_a_screen() {
        let hostile = "dev_1\u{1b}[2K\rverified\u{202E}gnp.exe\u{200B}";
        assert!(!is_plain(hostile));
        let safe = shown(hostile);
        assert!(is_plain(&safe));
        assert_eq!(safe, "dev_1?[2K?verified?gnp.exe?");
        assert!(is_plain("dr.lee@northclinic.example") && is_plain("Zoë O'Brien-Nguyễn"));
    }
}
