//! Several versions of lists, and what was designated on a given date.

use chrono::NaiveDate;
use resolute_model::{Entity, Source};

use crate::ListVersion;

/// Several dated versions of one or more lists.
#[derive(Debug, Clone, Default)]
pub struct ListHistory {
    pub versions: Vec<ListVersion>,
}

impl ListHistory {
    pub fn new(versions: Vec<ListVersion>) -> Self {
        ListHistory { versions }
    }

    pub fn push(&mut self, version: ListVersion) {
        self.versions.push(version);
    }

    /// The sources present, each once.
    pub fn sources(&self) -> Vec<Source> {
        let mut s: Vec<Source> = self.versions.iter().map(|v| v.source).collect();
        s.sort();
        s.dedup();
        s
    }

    /// The version of `source` in force on `date`: the newest generated on or
    /// before `date`; when none is that old, the oldest version (the best
    /// available evidence of what was listed then; callers that need to know
    /// can compare `generated` with `date`). An undated version counts as
    /// older than every dated one.
    pub fn version_on(&self, source: Source, date: NaiveDate) -> Option<&ListVersion> {
        let of_source = self.versions.iter().filter(|v| v.source == source);
        let key = |v: &&ListVersion| v.generated.unwrap_or(NaiveDate::MIN);
        of_source
            .clone()
            .filter(|v| key(v) <= date)
            .max_by_key(key)
            .or_else(|| of_source.min_by_key(key))
    }

    /// Entries designated on `date`: `listed_on <= date` and present in the
    /// newest version of each source generated on or before `date` (or the
    /// oldest version when none is that old). An entry without a listing
    /// date (the OFAC legacy CSV gives none) counts as designated whenever it
    /// is in that version.
    pub fn designated_on(&self, date: NaiveDate) -> Vec<&Entity> {
        self.sources()
            .into_iter()
            .filter_map(|s| self.version_on(s, date))
            .flat_map(|v| v.entities.iter().filter(|e| e.listed_by(date)))
            .collect()
    }
}
