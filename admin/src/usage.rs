//! Usage errors without the user's words: clap quotes a bad value back ("invalid value 'Susan
//! Smith' for '--patient'"), and a value typed in the wrong place may be a patient's name or
//! number. Only our own flag names are repeated, and the reasons our own value parsers give
//! (a [`Refusal`], whose text never quotes the value) or the values a flag accepts.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::fmt;
use std::process::ExitCode;

/// Why one of our value parsers refused a value: plain text written here, never the value itself.
#[derive(Debug)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// A flag or placeholder name as clap spells it (`--patient <ID>`), not a typed value.
fn is_our_name(name: &str) -> bool {
    name.starts_with('-') || name.starts_with('<')
}

/// Parses the command line, or prints a usage error that names only the argument, and exits 2.
pub fn parse<T: clap::Parser>(program: &str) -> Result<T, ExitCode> {
    T::try_parse().map_err(|err| {
        if matches!(
            err.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        let argument = match err.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(name)) if is_our_name(name) => format!(" for {name}"),
            // The arguments that are missing (only clap's names of our own flags).
            Some(ContextValue::Strings(names)) if !names.is_empty() && names.iter().all(|n| is_our_name(n)) => {
                format!(": {}", names.join(", "))
            }
            _ => String::new(),
        };
        let what = match err.kind() {
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => "invalid value",
            ErrorKind::UnknownArgument => "unexpected argument",
            ErrorKind::InvalidSubcommand => "unknown command",
            ErrorKind::MissingRequiredArgument => "a required argument is missing",
            ErrorKind::MissingSubcommand => "a command is missing",
            ErrorKind::ArgumentConflict => "arguments that cannot be used together",
            ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
                "wrong number of values"
            }
            _ => "invalid command line",
        };
        // Only our own words: a Refusal's reason, or the values a flag accepts. Other parsers'
        // messages (clap's range check, for one) quote the value and are left out.
        let reason = match (err.kind(), err.get(ContextKind::ValidValue)) {
            (ErrorKind::InvalidValue, Some(ContextValue::Strings(valid))) if !valid.is_empty() => {
                format!(" (one of: {})", valid.join(", "))
            }
            (ErrorKind::ValueValidation, _) => std::error::Error::source(&err)
                .and_then(|source| source.downcast_ref::<Refusal>())
                .map(|refusal| format!(": {refusal}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        eprintln!("{program}: error: {what}{argument}{reason}\n\nFor more information, try '--help'.");
        ExitCode::from(2)
    })
}

/// A usage error found after parsing (two flags that do not go together, say): our own words
/// only, exit 2, as for the errors above.
pub fn refuse(program: &str, reason: &str) -> ExitCode {
    eprintln!("{program}: error: {reason}\n\nFor more information, try '--help'.");
    ExitCode::from(2)
}
