//! Differences between two versions of a list, by list reference.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use resolute_model::{Entity, prop};
use serde::Serialize;

use crate::ListVersion;

/// A field-level change of one entry.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedEntry {
    #[serde(rename = "ref")]
    pub reference: String,
    /// Names of the changed fields: FtM property names (`alias`,
    /// `birthDate`, `notes`, ...) and `schema`, `programs`, `listed_on`,
    /// `last_updated`, `designation`; sorted.
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

impl From<&Entity> for EntrySummary {
    fn from(e: &Entity) -> Self {
        EntrySummary {
            reference: e.reference.clone(),
            schema: e.schema.to_string(),
            name: e.caption.clone(),
            programs: e.programs.clone(),
            listed_on: e.listed_on,
        }
    }
}

/// Entries added, removed and changed; each list sorted by reference.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListDiff {
    pub added: Vec<EntrySummary>,
    pub removed: Vec<EntrySummary>,
    pub changed: Vec<ChangedEntry>,
}

impl ListDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The comparable content of an entry: field name → set of normalised
/// values. Sets and whitespace-collapsing make the diff ignore formatting
/// noise (value order, line breaks in comments, padding); `program` and
/// `birthDate` are taken from the typed fields so a change of date
/// precision (exact → approximately) shows up.
fn comparable(e: &Entity) -> BTreeMap<String, BTreeSet<String>> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (k, vals) in &e.properties {
        if k == prop::PROGRAM || k == prop::BIRTH_DATE {
            continue;
        }
        m.insert(k.to_string(), vals.iter().map(|v| norm(v)).collect());
    }
    let mut put = |k: &str, vals: BTreeSet<String>| {
        if !vals.is_empty() {
            m.insert(k.to_string(), vals);
        }
    };
    put("schema", BTreeSet::from([e.schema.to_string()]));
    put("programs", e.programs.iter().cloned().collect());
    put(
        "listed_on",
        e.listed_on.iter().map(|d| d.to_string()).collect(),
    );
    put(
        "last_updated",
        e.last_updated.iter().map(|d| d.to_string()).collect(),
    );
    put(
        "designation",
        e.designation.iter().map(|d| norm(d)).collect(),
    );
    put(
        prop::BIRTH_DATE,
        e.birth_dates.iter().map(|d| d.to_string()).collect(),
    );
    m
}

/// The names of the fields whose values differ between two versions of an entry.
pub fn changed_fields(old: &Entity, new: &Entity) -> Vec<String> {
    let (a, b) = (comparable(old), comparable(new));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Compare two versions of the same list, matching entries by their list
/// reference (case-insensitive, trimmed: the entity id).
pub fn diff(old: &ListVersion, new: &ListVersion) -> ListDiff {
    let old_by_id: HashMap<&str, &Entity> =
        old.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let new_by_id: HashMap<&str, &Entity> =
        new.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut d = ListDiff::default();
    for e in &new.entities {
        match old_by_id.get(e.id.as_str()) {
            None => d.added.push(e.into()),
            Some(o) => {
                let fields = changed_fields(o, e);
                if !fields.is_empty() {
                    d.changed.push(ChangedEntry {
                        reference: e.reference.clone(),
                        fields,
                    });
                }
            }
        }
    }
    d.removed = old
        .entities
        .iter()
        .filter(|e| !new_by_id.contains_key(e.id.as_str()))
        .map(EntrySummary::from)
        .collect();
    d.added
        .sort_by(|a, b| ref_order(&a.reference, &b.reference));
    d.removed
        .sort_by(|a, b| ref_order(&a.reference, &b.reference));
    d.changed
        .sort_by(|a, b| ref_order(&a.reference, &b.reference));
    d
}

/// Numeric references (OFAC `ent_num`) in numeric order, others as text.
fn ref_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}
