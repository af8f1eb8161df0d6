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

/// Why a pair scored as it did.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Explanation {
    pub query_name: String,
    pub matched_name: String,
    pub summary: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ~ {:?}: {}", self.query_name, self.matched_name, self.summary)
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

/// Score two names of the given schema; naive placeholder.
pub fn compare_names(_schema: Schema, name1: &str, name2: &str) -> (f64, Explanation) {
    let norm = |s: &str| s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
    let score = if norm(name1) == norm(name2) { 1.0 } else { 0.0 };
    (score, Explanation { query_name: name1.into(), matched_name: name2.into(), summary: String::new() })
}
