//! Errors of the part database: unknown or ambiguous names, unreadable or malformed user files.

use std::path::PathBuf;

/// Everything that can go wrong looking up or loading targets.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// No entry or alias matches; `close` lists the nearest known names.
    #[error("unknown target `{name}`{}", suggest(close))]
    Unknown { name: String, close: Vec<String> },
    /// A partial part name matches more than one entry.
    #[error("target `{name}` is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    /// A user file could not be read.
    #[error("cannot read targets file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A user file is not valid TOML or does not have the expected fields.
    #[error("malformed targets file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A field has a value that cannot be right (zero DSPs, duplicate alias, ...).
    #[error("invalid targets file {}: entry `{entry}`, field `{field}`: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        entry: String,
        field: String,
        reason: String,
    },
}

fn suggest(close: &[String]) -> String {
    if close.is_empty() {
        " (run `presynth targets` for the list)".to_string()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}
