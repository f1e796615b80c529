//! The protocol's error. Every message is static text, a field name, a count or a sequence
//! number: never a piece of the input, which may be anything a person pasted.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The envelope around a message is wrong: its form, its kind, its version or its signature.
    #[error("invalid {what}: {}", .problem.describe())]
    Refused { what: &'static str, problem: EnvelopeProblem },
    /// A message or a policy is well signed (or unsigned) but breaks a rule; names the field.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The system's random number generator failed.
    #[error("the system RNG failed")]
    Random,
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }

    pub(crate) fn refused(what: &'static str, problem: EnvelopeProblem) -> Self {
        Error::Refused { what, problem }
    }
}

/// Why an envelope was refused, before its content is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeProblem {
    TooLong,
    Malformed,
    WrongKind,
    UnsupportedVersion,
    BadSignature,
}

impl EnvelopeProblem {
    pub fn describe(self) -> &'static str {
        match self {
            EnvelopeProblem::TooLong => "is far too long",
            EnvelopeProblem::Malformed => "is not a Televisit message (damaged, truncated or not base64)",
            EnvelopeProblem::WrongKind => "is another kind of Televisit message",
            EnvelopeProblem::UnsupportedVersion => "is in a format this app does not know",
            EnvelopeProblem::BadSignature => "is not signed by the expected key",
        }
    }
}
