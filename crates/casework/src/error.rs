//! What can go wrong in casework, in terms a caller can act on.

use resolute_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CaseworkError {
    /// A field of a request is missing or wrong; `field` names it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// No such dataset, measure, case, version…: `what` says which.
    #[error("{what} not found")]
    NotFound { what: String },
    /// An uploaded list file that cannot be put in force.
    #[error("{0}")]
    InvalidList(String),
    /// Stored data that no longer reads back (a stored list version…).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// Nothing to screen against yet (no list or no regime loaded).
    #[error("not ready: {0}")]
    NotReady(String),
    /// The cap ledger kept moving under the screening (other writers); try again.
    #[error("the cap ledger kept changing during the screening ({0}); try again")]
    LedgerBusy(String),
    /// The caller went away or the time budget ran out before the commit.
    #[error("cancelled before it was recorded: {0}")]
    Cancelled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CaseworkError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CaseworkError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        CaseworkError::NotFound { what: what.into() }
    }
}

pub type Result<T, E = CaseworkError> = std::result::Result<T, E>;
