//! QR codes for the text a phone hands IT by camera: its signed device report, a wipe receipt.
//! One encoder (the `qrcode` crate) for every shell, so that what Android, iOS and the desktop
//! show is the same code; each shell only paints the modules.

use crate::error::{Error, Result};
use qrcode::{Color, EcLevel};

/// Longest text put in one code: a device report is at most 1,000 characters; a receipt is
/// shorter. (Version 40 at level M holds 2,331 bytes; a code that dense no phone camera reads
/// from another phone's screen anyway.)
pub const MAX_QR_TEXT: usize = 1_200;

/// A square of modules, row by row; `dark[y * width + x]`. Shells add the quiet zone (four
/// modules of light on every side) when they paint it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub width: u32,
    pub dark: Vec<bool>,
}

impl QrCode {
    /// Level M (15% of the code may be damaged or glared): what phone cameras read reliably off
    /// a screen at the sizes a report needs.
    pub fn encode(text: &str) -> Result<QrCode> {
        if text.is_empty() || text.len() > MAX_QR_TEXT {
            return Err(Error::invalid("QR code text", "must be 1 to 1,200 characters"));
        }
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| Error::invalid("QR code text", "does not fit in one QR code"))?;
        let width = u32::try_from(code.width()).map_err(|_| Error::invalid("QR code text", "is too long"))?;
        let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(QrCode { width, dark })
    }

    /// The module at column `x`, row `y`; light outside the square (the quiet zone).
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.width && self.dark[(y as usize) * (self.width as usize) + x as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_sized_text_fits_and_reads_back_as_a_square() {
        let text = "televisit.v1.report.".to_owned() + &"A".repeat(1000 - 20);
        let code = QrCode::encode(&text).unwrap();
        assert!((21..=177).contains(&code.width) && (code.width - 17).is_multiple_of(4), "a QR version's width");
        assert_eq!(code.dark.len(), (code.width * code.width) as usize);
        // Every QR code has its three finder patterns: a dark 7x7 ring at three corners.
        for (x0, y0) in [(0, 0), (code.width - 7, 0), (0, code.width - 7)] {
            assert!((0..7).all(|i| code.is_dark(x0 + i, y0) && code.is_dark(x0, y0 + i)));
            assert!(!code.is_dark(x0 + 1, y0 + 1), "the ring's light inside");
        }
        assert!(!code.is_dark(code.width, 0), "outside the square is light");
    }

    /// Painted as a shell paints it (a quiet zone of four modules, a few pixels each), a QR
    /// reader gets the text back: the code is a code, not just a square of the right size.
    #[test]
    fn a_painted_code_reads_back_as_its_text() {
        let report = "televisit.v1.report.".to_owned() + &"eyJkZXZpY2VfaWQiOiJkZXZfMDAxMSJ9".repeat(30);
        for text in ["https://televisit.example/short", report.as_str()] {
            let code = QrCode::encode(text).unwrap();
            let (scale, quiet) = (4usize, 4u32);
            let side = (code.width + 2 * quiet) as usize * scale;
            let mut image = rqrr::PreparedImage::prepare_from_bitmap(side, side, |x, y| {
                let module = |p: usize| (p / scale) as u32;
                let (mx, my) = (module(x), module(y));
                mx >= quiet && my >= quiet && code.is_dark(mx - quiet, my - quiet)
            });
            let grids = image.detect_grids();
            assert_eq!(grids.len(), 1);
            assert_eq!(grids[0].decode().unwrap().1, text);
        }
    }

    #[test]
    fn empty_or_too_long_text_is_refused_with_no_echo() {
        assert!(QrCode::encode("").is_err());
        let err = QrCode::encode(&"Susan Smith ".repeat(200)).unwrap_err().to_string();
        assert!(!err.contains("Susan"));
    }
}
