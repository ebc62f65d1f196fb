//! The one error type of the xtask library.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::sync::Drift;

/// Why `regen` failed. `Display` renders a message meant for a person (and
/// for a failing test's output).
#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: io::Error },
    /// A spec file could not be read as an OpenAPI 3.0.x document.
    Spec { spec: String, message: String },
    /// progenitor rejected (or panicked on) a spec.
    Generate { spec: String, message: String },
    /// A row of the providers table is invalid.
    Provider { name: String, message: String },
    /// The root `Cargo.toml` lacks something the generated crates need.
    Workspace { message: String },
    /// rustfmt could not format the generated code.
    Format { message: String },
    /// `Mode::Check` found `generated/` out of date.
    OutOfDate(Drift),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Spec { spec, message } => write!(f, "{spec}: {message}"),
            Error::Generate { spec, message } => {
                write!(
                    f,
                    "{spec}: progenitor failed to generate a client: {message}"
                )
            }
            Error::Provider { name, message } => {
                write!(f, "xtask/src/providers.rs, row `{name}`: {message}")
            }
            Error::Workspace { message } => write!(f, "Cargo.toml: {message}"),
            Error::Format { message } => write!(f, "formatting generated code: {message}"),
            Error::OutOfDate(drift) => drift.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
