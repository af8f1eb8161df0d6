//! Name screening for Resolute: Korean-aware normalization, a candidate index
//! built once per list version, and explainable scoring.
//!
//! Public API (stable; other crates code against it):
//! [`Query`], [`MatchOptions`], [`MatchIndex`], [`MatchResult`], [`Explanation`],
//! [`compare_names`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use resolute_model::{Entity, Schema};
use serde::Serialize;

pub mod korean;
pub mod names;
pub mod text;

pub use names::{How, NameType, TokenMatch};
use names::{NameComparison, NameForm, name_variants, round3};

/// A malformed query.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("query is not a JSON object")]
    NotAnObject,
    #[error("unknown schema {0:?}")]
    UnknownSchema(String),
    #[error("field {field:?}: {message}")]
    BadField { field: String, message: String },
    #[error("query has no name")]
    NoName,
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
            Some(_) => return Err(QueryError::BadField { field: "id".into(), message: "must be a string".into() }),
        };
        let schema = match obj.get("schema") {
            None | Some(serde_json::Value::Null) => Schema::Thing,
            Some(serde_json::Value::String(s)) => Schema::parse(s).ok_or_else(|| QueryError::UnknownSchema(s.clone()))?,
            Some(_) => return Err(QueryError::BadField { field: "schema".into(), message: "must be a string".into() }),
        };
        let mut properties = BTreeMap::new();
        if let Some(p) = obj.get("properties") {
            let p = p.as_object().ok_or_else(|| QueryError::BadField { field: "properties".into(), message: "must be an object".into() })?;
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
                                        message: "values must be strings".into(),
                                    });
                                }
                            }
                        }
                        out
                    }
                    serde_json::Value::Null => continue,
                    _ => {
                        return Err(QueryError::BadField { field: format!("properties.{k}"), message: "must be a list of strings".into() });
                    }
                };
                let list: Vec<String> = list.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                if !list.is_empty() {
                    properties.insert(k.clone(), list);
                }
            }
        }
        let q = Query { id, schema, properties };
        if q.names().next().is_none() {
            return Err(QueryError::NoName);
        }
        Ok(q)
    }

    /// A query for one name.
    pub fn name(schema: Schema, name: &str) -> Query {
        Query { id: None, schema, properties: BTreeMap::new() }.with("name", name)
    }

    /// Add a property value (builder).
    pub fn with(mut self, prop: &str, value: &str) -> Query {
        let v = value.trim();
        if !v.is_empty() {
            self.properties.entry(prop.to_string()).or_default().push(v.to_string());
        }
        self
    }

    pub fn get(&self, prop: &str) -> &[String] {
        self.properties.get(prop).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every name of the query (`name`, `alias`, and first/last name combined).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        ["name", "alias", "previousName", "weakAlias"].into_iter().flat_map(|p| self.get(p).iter().map(String::as_str))
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
        MatchOptions { threshold: 0.7, limit: 5, cutoff: 0.5, as_of: None }
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
    /// `korean_syllables`, `tokens`, `object`, `acronym`, `literal`, `identifier`.
    pub method: String,
    pub name_score: f64,
    pub alignment: Vec<TokenMatch>,
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
        write!(f, "score {:.2}: query name \"{}\" ~ list name \"{}\"", self.score, self.query_name, self.matched_name)?;
        if let Some(k) = &self.name_kind {
            write!(f, " ({k})")?;
        }
        writeln!(f, ", name score {:.2} by {}", self.name_score, self.method.replace('_', " "))?;
        for m in &self.alignment {
            match m.how {
                How::Missing => writeln!(f, "  - {:<14} has no counterpart in the list name", m.query)?,
                How::Extra => writeln!(f, "  - {:<14} (list name only)", m.candidate)?,
                How::NumberMismatch => writeln!(f, "  ! numbers differ: {} vs {}", m.query, m.candidate)?,
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
            writeln!(f, "  {} {}: {} ({:+.2})", if q.effect >= 0.0 { "+" } else { "-" }, q.feature.replace('_', " "), q.detail, q.effect)?;
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

/// Immutable, shareable screening index over a set of entities.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    entities: Vec<Entity>,
}

impl MatchIndex {
    pub fn build(entities: Vec<Entity>) -> MatchIndex {
        MatchIndex { inner: Arc::new(Inner { entities }) }
    }

    pub fn search(&self, q: &Query, opts: &MatchOptions) -> Vec<MatchResult> {
        let mut out = Vec::new();
        for e in &self.inner.entities {
            if !e.schema.can_match(q.schema) {
                continue;
            }
            if let Some(d) = opts.as_of
                && !e.listed_by(d)
            {
                continue;
            }
            let mut best: Option<(f64, Explanation)> = None;
            for qn in q.names() {
                for en in &e.names {
                    let (s, ex) = compare_names(e.schema, qn, &en.value);
                    if best.as_ref().is_none_or(|(b, _)| s > *b) {
                        best = Some((s, ex));
                    }
                }
            }
            if let Some((score, explanation)) = best
                && score >= opts.cutoff
            {
                out.push(MatchResult {
                    id: e.id.clone(),
                    reference: e.reference.clone(),
                    caption: e.caption.clone(),
                    schema: e.schema,
                    score,
                    is_match: score >= opts.threshold,
                    explanation,
                });
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.truncate(opts.limit);
        out
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.inner.entities.iter().find(|e| e.id == id)
    }

    pub fn entities(&self) -> &[Entity] {
        &self.inner.entities
    }
}

/// Score two names of the given schema (no qualifiers), with the explanation.
pub fn compare_names(schema: Schema, name1: &str, name2: &str) -> (f64, Explanation) {
    let ty = NameType::of(schema);
    let mut best: Option<(NameComparison, String, String)> = None;
    for a in name_variants(name1) {
        let fa = NameForm::new(&a, ty);
        for b in name_variants(name2) {
            let fb = NameForm::new(&b, ty);
            let c = names::compare(&fa, &fb, ty);
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
                    method: c.method.to_string(),
                    name_score: score,
                    alignment: c.alignment,
                    qualifiers: Vec::new(),
                    score,
                },
            )
        }
        None => (0.0, Explanation::default()),
    }
}
