//! Errors of batch jobs. Each names the file, row, column or address it is about.

use std::path::PathBuf;

/// What can stop a batch job (bad rows never do: they get an error column).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{path}: unsupported file type (expected .parquet, .csv or .jsonl/.ndjson/.json)")]
    UnsupportedFormat { path: PathBuf },
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("loading list {path}: {source}")]
    List {
        path: PathBuf,
        #[source]
        source: resolute_lists::ListError,
    },
    #[error("loading the bundled lists: {0}")]
    BundledLists(#[source] resolute_lists::ListError),
    #[error("loading the regime: {0}")]
    Regime(#[source] resolute_regime::RegimeError),
    #[error("list history: {0}")]
    History(String),
    #[error("query: {0}")]
    Query(String),
    /// The query failed while reading `path`; `line` is the file line that
    /// could not be read, when known.
    #[error("{path}{}: {message}", line.map(|r| format!(", line {r}")).unwrap_or_default())]
    Read {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    #[error("cluster {address}: {message}")]
    Cluster { address: String, message: String },
    #[error(
        "versions differ: this process screens with {local}, the other side with {remote}; \
         load the same lists and regime everywhere"
    )]
    VersionMismatch { local: String, remote: String },
    #[error("{0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl BatchError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> BatchError {
        BatchError::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = BatchError> = std::result::Result<T, E>;
