//! Name screening for Resolute: names in every script they are written in,
//! a candidate index built once per list version, and explainable scoring.
//!
//! Public API (stable; other crates code against it):
//! [`Query`], [`MatchOptions`], [`MatchIndex`], [`MatchResult`], [`Explanation`],
//! [`compare_names`]; for bounded work [`Limits`], [`Budget`],
//! [`MatchIndex::search_within`] and [`SearchError`].
//!
//! How a name is read (`names.rs`, per script):
//! - Latin: normalized (case, diacritics, apostrophes), tokens with roles
//!   (name, particle, legal form, generic word, number, initial); Korean
//!   personal names also as syllables (`korean.rs`: DPRK, McCune–Reischauer,
//!   Revised Romanization and passport spellings share syllable keys).
//! - Hangul: personal names as syllables (surname split off); organisation
//!   names split into dictionary words and translated (`korean_org.rs`,
//!   `data/names/korean-org-terms.csv`).
//! - Cyrillic: Korean names in Kontsevich onto the same syllable keys;
//!   other names with the ICAO, BGN/PCGN, GOST 7.79 and press spellings as
//!   variants (`cyrillic.rs`).
//! - Han characters: Korean-looking names in Sino-Korean (Unihan kHangul,
//!   `hanja.rs`), every name also in Pinyin; the better reading counts.
//! - Arabic: the name-variant table and consonant skeletons (`arabic.rs`).
//!
//! Acronyms (`FTB`, `KOMID`) are compared with the other name's words;
//! every reading shows in the token-by-token [`Explanation`].
//!
//! Search (`search.rs`) runs in named stages: analyse the query, gather
//! candidate names from the postings (rarest keys first, with bounds to stop
//! early), score the best-supported names exactly, apply qualifiers
//! (`qualifiers.rs`: birth date, nationality — also derived from BIC codes
//! and `of <country>` phrases —, gender, identifiers), explain what is
//! reported. Work grows linearly with the length of the input; [`Limits`]
//! says what a service should refuse, and a [`Budget`] (deadline,
//! cancellation flag) is checked between candidates.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use resolute_model::{Entity, Schema};
use serde::Serialize;

pub mod arabic;
pub mod cyrillic;
pub mod hanja;
mod index;
pub mod korean;
pub mod korean_org;
mod limits;
pub mod names;
pub mod pairs;
mod qualifiers;
mod search;
pub mod text;

pub use limits::{Budget, LimitError, Limits, SearchError, SearchOutcome, Work};
pub use names::{How, Method, NameType, TokenMatch};
use names::{NameForm, name_variants, round3};

/// A malformed query.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("query is not a JSON object")]
    NotAnObject,
    #[error("unknown schema {0:?}")]
    UnknownSchema(String),
    #[error("field {field:?}: {problem}")]
    BadField {
        field: String,
        problem: FieldProblem,
    },
    #[error("query has no name")]
    NoName,
}

/// What is wrong with a query field.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum FieldProblem {
    #[error("must be a string")]
    NotAString,
    #[error("must be an object")]
    NotAnObject,
    #[error("values must be strings")]
    ValueNotAString,
    #[error("must be a list of strings")]
    NotAList,
}

/// An FtM-shaped screening query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub id: Option<String>,
    pub schema: Schema,
    pub properties: BTreeMap<String, Vec<String>>,
}

impl Query {
    /// Parse `{"id", "schema", "properties": {...}}`.
    pub fn from_json(v: &serde_json::Value) -> Result<Query, QueryError> {
        let obj = v.as_object().ok_or(QueryError::NotAnObject)?;
        let id = match obj.get("id") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(QueryError::BadField {
                    field: "id".into(),
                    problem: FieldProblem::NotAString,
                });
            }
        };
        let schema = match obj.get("schema") {
            None | Some(serde_json::Value::Null) => Schema::Thing,
            Some(serde_json::Value::String(s)) => {
                Schema::parse(s).ok_or_else(|| QueryError::UnknownSchema(s.clone()))?
            }
            Some(_) => {
                return Err(QueryError::BadField {
                    field: "schema".into(),
                    problem: FieldProblem::NotAString,
                });
            }
        };
        let mut properties = BTreeMap::new();
        if let Some(p) = obj.get("properties") {
            let p = p.as_object().ok_or_else(|| QueryError::BadField {
                field: "properties".into(),
                problem: FieldProblem::NotAnObject,
            })?;
            for (k, vals) in p {
                let list: Vec<String> = match vals {
                    serde_json::Value::String(s) => vec![s.clone()],
                    serde_json::Value::Array(a) => {
                        let mut out = Vec::with_capacity(a.len());
                        for x in a {
                            match x {
                                serde_json::Value::String(s) => out.push(s.clone()),
                                serde_json::Value::Number(n) => out.push(n.to_string()),
                                _ => {
                                    return Err(QueryError::BadField {
                                        field: format!("properties.{k}"),
                                        problem: FieldProblem::ValueNotAString,
                                    });
                                }
                            }
                        }
                        out
                    }
                    serde_json::Value::Null => continue,
                    _ => {
                        return Err(QueryError::BadField {
                            field: format!("properties.{k}"),
                            problem: FieldProblem::NotAList,
                        });
                    }
                };
                let list: Vec<String> = list
                    .into_iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if !list.is_empty() {
                    properties.insert(k.clone(), list);
                }
            }
        }
        let q = Query {
            id,
            schema,
            properties,
        };
        if q.all_names().is_empty() {
            return Err(QueryError::NoName);
        }
        Ok(q)
    }

    /// A query for one name.
    pub fn name(schema: Schema, name: &str) -> Query {
        Query {
            id: None,
            schema,
            properties: BTreeMap::new(),
        }
        .with("name", name)
    }

    /// Add a property value (builder).
    pub fn with(mut self, prop: &str, value: &str) -> Query {
        let v = value.trim();
        if !v.is_empty() {
            self.properties
                .entry(prop.to_string())
                .or_default()
                .push(v.to_string());
        }
        self
    }

    pub fn get(&self, prop: &str) -> &[String] {
        self.properties.get(prop).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every name of the query given directly (`name`, `alias`, `previousName`, `weakAlias`).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        ["name", "alias", "previousName", "weakAlias"]
            .into_iter()
            .flat_map(|p| self.get(p).iter().map(String::as_str))
    }

    /// Every name, plus one built from `firstName`/`middleName`/`lastName`
    /// when they are given.
    pub fn all_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.names().map(str::to_string).collect();
        let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
            .iter()
            .filter_map(|p| self.get(p).first().map(String::as_str))
            .collect();
        if !parts.is_empty() {
            out.push(parts.join(" "));
        }
        out
    }
}

/// Options of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOptions {
    /// `match = score >= threshold`.
    pub threshold: f64,
    /// At most this many results.
    pub limit: usize,
    /// Results scoring below this are not reported.
    pub cutoff: f64,
    /// Only entities designated on or before this date.
    pub as_of: Option<chrono::NaiveDate>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            threshold: 0.7,
            limit: 5,
            cutoff: 0.5,
            as_of: None,
        }
    }
}

/// Why a pair scored as it did: which query name aligned with which list
/// name, token by token, and which qualifiers raised or lowered the score.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Explanation {
    pub query_name: String,
    pub matched_name: String,
    /// Kind of the list name (`primary`, `alias`, `weak`, `previous`, `original_script`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_kind: Option<String>,
    /// `korean_syllables`, `tokens`, `object`, `acronym`, `literal`,
    /// `identifier` ([`Method::as_str`]).
    pub method: String,
    pub name_score: f64,
    pub alignment: Vec<TokenMatch>,
    /// How names written in other scripts were read ("Hanja 金正恩 read as
    /// 김정은 …"); absent for Latin names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub qualifiers: Vec<QualifierEffect>,
    pub score: f64,
}

/// A qualifier that changed the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualifierEffect {
    /// `birth_date`, `nationality`, `gender`, `identifier`, `weak_alias`.
    pub feature: String,
    /// Added to the score (negative lowers it).
    pub effect: f64,
    pub detail: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "score {:.2}: query name \"{}\" ~ list name \"{}\"",
            self.score, self.query_name, self.matched_name
        )?;
        if let Some(k) = &self.name_kind {
            write!(f, " ({k})")?;
        }
        writeln!(
            f,
            ", name score {:.2} by {}",
            self.name_score,
            self.method.replace('_', " ")
        )?;
        for n in &self.notes {
            writeln!(f, "  · {n}")?;
        }
        for m in &self.alignment {
            match m.how {
                How::Missing => {
                    writeln!(f, "  - {:<14} has no counterpart in the list name", m.query)?
                }
                How::Extra => writeln!(f, "  - {:<14} (list name only)", m.candidate)?,
                How::CountryPhrase => writeln!(
                    f,
                    "  ~ {:<14} (list name only: country phrase, weighed as a qualifier)",
                    m.candidate
                )?,
                How::NumberMismatch => {
                    writeln!(f, "  ! numbers differ: {} vs {}", m.query, m.candidate)?
                }
                _ => {
                    write!(f, "  = {:<14} ~ {:<14} {}", m.query, m.candidate, m.how)?;
                    if let Some(d) = m.distance {
                        write!(f, " ({d} edit{})", if d == 1 { "" } else { "s" })?;
                    }
                    writeln!(f, " {:.2}", m.score)?;
                }
            }
        }
        for q in &self.qualifiers {
            writeln!(
                f,
                "  {} {}: {} ({:+.2})",
                if q.effect >= 0.0 { "+" } else { "-" },
                q.feature.replace('_', " "),
                q.detail,
                q.effect
            )?;
        }
        Ok(())
    }
}

/// One hit of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub caption: String,
    pub schema: Schema,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: Explanation,
}

/// Immutable, shareable screening index over a set of entities. Cloning is
/// cheap (an `Arc`); the index is `Send + Sync`.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    inner: Arc<index::Inner>,
}

impl MatchIndex {
    /// Analyse every name of every entity and build the postings.
    pub fn build(entities: Vec<Entity>) -> MatchIndex {
        MatchIndex {
            inner: Arc::new(index::Inner::build(entities)),
        }
    }

    /// Number of analysed list names (with their variants).
    pub fn name_count(&self) -> usize {
        self.inner.names.len()
    }

    /// Screen one query; results sorted by score, best first. No limits and
    /// no deadline: the work still grows only linearly with the query.
    pub fn search(&self, q: &Query, opts: &MatchOptions) -> Vec<MatchResult> {
        search::run(&self.inner, q, opts, &Budget::default())
            .map(|o| o.results)
            .unwrap_or_default()
    }

    /// Screen one query within limits and a budget: a query over a limit is
    /// refused before any work, and the search stops between candidates when
    /// the deadline passes or the cancellation flag is set. Also reports the
    /// work done.
    pub fn search_within(
        &self,
        q: &Query,
        opts: &MatchOptions,
        limits: &Limits,
        budget: &Budget<'_>,
    ) -> Result<SearchOutcome, SearchError> {
        limits.validate(q)?;
        search::run(&self.inner, q, opts, budget)
    }

    /// Screen many queries in parallel (rayon), results in input order.
    pub fn search_batch(&self, queries: &[Query], opts: &MatchOptions) -> Vec<Vec<MatchResult>> {
        use rayon::prelude::*;
        queries.par_iter().map(|q| self.search(q, opts)).collect()
    }

    /// [`MatchIndex::search_within`] for many queries in parallel; each query
    /// is checked on its own (one over a limit does not stop the others), and
    /// the budget is shared.
    pub fn search_batch_within(
        &self,
        queries: &[Query],
        opts: &MatchOptions,
        limits: &Limits,
        budget: &Budget<'_>,
    ) -> Vec<Result<SearchOutcome, SearchError>> {
        use rayon::prelude::*;
        queries
            .par_iter()
            .map(|q| self.search_within(q, opts, limits, budget))
            .collect()
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.inner
            .by_id
            .get(id)
            .map(|&i| &self.inner.entities[i as usize])
    }

    pub fn entities(&self) -> &[Entity] {
        &self.inner.entities
    }
}

/// The score of a result found by an equal passport, IMO number or BIC:
/// strong evidence on its own, ordered by how well the names agree.
pub(crate) fn identifier_score(name_score: f64) -> f64 {
    0.95 + 0.05 * name_score
}

pub(crate) fn kind_str(k: resolute_model::NameKind, weak: bool) -> &'static str {
    if weak {
        return "weak";
    }
    use resolute_model::NameKind;
    match k {
        NameKind::Primary => "primary",
        NameKind::Alias => "alias",
        NameKind::Weak => "weak",
        NameKind::Previous => "previous",
        NameKind::OriginalScript => "original_script",
    }
}

/// Score two names of the given schema (no qualifiers), with the explanation.
pub fn compare_names(schema: Schema, name1: &str, name2: &str) -> (f64, Explanation) {
    let ty = NameType::of(schema);
    let mut best: Option<(names::NameComparison, String, String)> = None;
    for a in name_variants(name1) {
        let fa = NameForm::new(&a, ty);
        for b in name_variants(name2) {
            let fb = NameForm::new(&b, ty);
            let c = names::compare(&fa, &fb, ty, true);
            if best.as_ref().is_none_or(|(x, _, _)| c.score > x.score) {
                best = Some((c, a.clone(), b.clone()));
            }
        }
    }
    match best {
        Some((c, a, b)) => {
            let score = round3(c.score);
            (
                score,
                Explanation {
                    query_name: a,
                    matched_name: b,
                    name_kind: None,
                    method: c.method.as_str().to_string(),
                    name_score: score,
                    alignment: c.alignment,
                    notes: c.notes,
                    qualifiers: Vec::new(),
                    score,
                },
            )
        }
        None => (0.0, Explanation::default()),
    }
}
