use chrono::NaiveDate;
use serde::Serialize;
use crate::ListVersion;
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
pub fn diff(_old: &ListVersion, _new: &ListVersion) -> ListDiff { ListDiff::default() }
