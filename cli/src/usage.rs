//! Usage errors without the user's words: clap quotes a bad value back ("invalid value 'Susan
//! Smith' for '--patient'"), and a value typed in the wrong place may be a patient's name or
//! number. Only our own flag names are repeated.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::process::ExitCode;

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
            Some(ContextValue::String(name)) if name.starts_with('-') || name.starts_with('<') => {
                format!(" for {name}")
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
        eprintln!("{program}: error: {what}{argument}\n\nFor more information, try '--help'.");
        ExitCode::from(2)
    })
}
