//! Sanctions list ingestion: parsers, versions, diffs and as-of-date views.
//!
//! API contract used by the other crates (keep it stable):
//! - [`load_file`] / [`load_bytes`]: detect the format from content and parse
//!   into a [`ListVersion`].
//! - [`bundled`]: the lists embedded in the binary (newest UN list, OFAC SDN).
//! - [`diff`]: entries added, removed and changed between two versions.
//! - [`ListHistory`]: several versions of lists; which entries were designated on a date.

use std::path::Path;

use chrono::NaiveDate;
use resolute_model::{Entity, Source};
use serde::Serialize;

/// An error that stops a whole file from loading.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("{file}: cannot read: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("{file}: not implemented yet")]
    Unsupported { file: String },
}

/// A bad record inside an otherwise good file: reported and skipped.
#[derive(Debug, Clone, Serialize)]
pub struct RecordIssue {
    pub file: String,
    pub line: Option<u64>,
    pub reference: Option<String>,
    pub message: String,
}

/// One parsed version of a list.
#[derive(Debug, Clone, Serialize)]
pub struct ListVersion {
    pub source: Source,
    /// The list's own generation date (UN `dateGenerated`), or for files that
    /// carry none (OFAC legacy CSV), the date given by the caller or the file name.
    pub generated: Option<NaiveDate>,
    /// The `dateGenerated` attribute verbatim, when present.
    pub generated_raw: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    pub content_hash: String,
    /// Where it was loaded from (path or a label such as `bundled:un`).
    pub origin: String,
    pub entities: Vec<Entity>,
    pub issues: Vec<RecordIssue>,
}

impl ListVersion {
    /// `source@generated#hash8`, e.g. `un@2026-02-27#66b392a4`.
    pub fn id(&self) -> String {
        let date = self.generated.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
        format!("{}@{}#{}", self.source.as_str(), date, &self.content_hash[..8.min(self.content_hash.len())])
    }
}

/// Load a list file; the format is detected from its content.
pub fn load_file(path: &Path) -> Result<ListVersion, ListError> {
    let bytes = std::fs::read(path).map_err(|source| ListError::Io { file: path.display().to_string(), source })?;
    load_bytes(&path.display().to_string(), &bytes)
}

/// Parse list bytes; `name` is used in errors and as the origin.
pub fn load_bytes(name: &str, _bytes: &[u8]) -> Result<ListVersion, ListError> {
    Err(ListError::Unsupported { file: name.to_string() })
}

/// The lists bundled with Resolute (newest UN Consolidated List, OFAC SDN).
pub fn bundled() -> Result<Vec<ListVersion>, ListError> {
    Err(ListError::Unsupported { file: "bundled".into() })
}

/// A field-level change of one entry.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedEntry {
    #[serde(rename = "ref")]
    pub reference: String,
    pub fields: Vec<String>,
}

/// Summary of an added or removed entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntrySummary {
    #[serde(rename = "ref")]
    pub reference: String,
    pub schema: String,
    pub name: String,
    pub programs: Vec<String>,
    pub listed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ListDiff {
    pub added: Vec<EntrySummary>,
    pub removed: Vec<EntrySummary>,
    pub changed: Vec<ChangedEntry>,
}

/// Compare two versions of the same list.
pub fn diff(_old: &ListVersion, _new: &ListVersion) -> ListDiff {
    ListDiff::default()
}

/// Several dated versions of one or more lists.
#[derive(Debug, Clone, Default)]
pub struct ListHistory {
    pub versions: Vec<ListVersion>,
}

impl ListHistory {
    /// Entries designated on `date`: `listed_on <= date` and present in the
    /// newest version of each source generated on or before `date` (or the
    /// oldest version when none is that old).
    pub fn designated_on(&self, _date: NaiveDate) -> Vec<&Entity> {
        Vec::new()
    }
}
