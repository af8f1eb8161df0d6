//! Errors that stop an import, and problems that do not.

use serde::{Deserialize, Serialize};

/// An input that cannot be read at all (the file is not JSON, not CSV, not
/// a statement array). Anything smaller is a [`Problem`] and the rest of the
/// input is imported.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: not valid JSON: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error("rules {file}: {message}")]
    Rules { file: String, message: String },
}

/// How bad a problem is: an error drops what it names (a statement, an
/// interest, a row); a warning keeps it and says what is odd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in one part of an input, named precisely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    /// The file or list (`tecido.json`, `un`, `edges.csv`).
    pub file: String,
    /// Where in it: `statement crxpru407636`, `line 7`, `KPe.026`.
    pub location: String,
    pub message: String,
}

impl Problem {
    pub fn error(file: &str, location: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            file: file.to_string(),
            location: location.into(),
            message: message.into(),
        }
    }

    pub fn warning(file: &str, location: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            location: location.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}: {}: {sev}: {}",
            self.file, self.location, self.message
        )
    }
}
