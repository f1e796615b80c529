//! A record an import refused, by its line (or record) in the file: what every reader of an MDM's
//! export reports back, whichever format the file was in.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    pub line: usize,
    pub reason: String,
}
