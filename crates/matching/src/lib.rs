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

mod index;
pub mod korean;
pub mod names;
pub mod pairs;
mod qualifiers;
pub mod text;

use qualifiers::QueryQuals;
use resolute_model::NameKind;

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
            Some(_) => {
                return Err(QueryError::BadField {
                    field: "id".into(),
                    message: "must be a string".into(),
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
                    message: "must be a string".into(),
                });
            }
        };
        let mut properties = BTreeMap::new();
        if let Some(p) = obj.get("properties") {
            let p = p.as_object().ok_or_else(|| QueryError::BadField {
                field: "properties".into(),
                message: "must be an object".into(),
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
                                        message: "values must be strings".into(),
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
                            message: "must be a list of strings".into(),
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
        for m in &self.alignment {
            match m.how {
                How::Missing => {
                    writeln!(f, "  - {:<14} has no counterpart in the list name", m.query)?
                }
                How::Extra => writeln!(f, "  - {:<14} (list name only)", m.candidate)?,
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

/// Which entities a filtered search may return.
pub type EntityFilter<'a> = dyn Fn(&Entity) -> bool + 'a;

/// What [`MatchIndex::search_filtered`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilteredSearch {
    /// At most `limit`, best first.
    pub results: Vec<MatchResult>,
    /// Entities scoring at or above the threshold that `limit` left out, best first.
    pub unreported_matches: Vec<String>,
}

/// Immutable, shareable screening index over a set of entities. Cloning is
/// cheap (an `Arc`); the index is `Send + Sync`.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    inner: Arc<index::Inner>,
}

/// How many list names, at most, are scored exactly per query.
const MAX_SCORED_NAMES: usize = 24;
/// Candidates need this share of the best candidate's key support.
const MIN_SUPPORT_SHARE: f32 = 0.4;

#[derive(Default)]
struct Scratch {
    /// Support per list name (zero when not found).
    acc: Vec<f32>,
    /// Names found so far (their `acc` is reset after the search).
    touched: Vec<u32>,
    /// Once no new name can be among those scored: the found names that
    /// still can.
    live: Vec<u32>,
    /// `live` as a bitset over names (a few hundred KB, cache-resident where
    /// `acc` is not): long postings are walked against it.
    live_mark: Vec<u64>,
    supports: Vec<f32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// An entity's best name so far: score, comparison, query form and list name.
type BestName = (f64, NameComparison, usize, usize);

/// Weak aliases (UN quality Low, OFAC weak a.k.a.) count less.
const WEAK_ALIAS_FACTOR: f64 = 0.85;

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

    /// Screen one query; results sorted by score, best first.
    pub fn search(&self, q: &Query, opts: &MatchOptions) -> Vec<MatchResult> {
        self.search_filtered(q, opts, None).results
    }

    /// [`MatchIndex::search`] over the entities `keep` accepts (a caller's
    /// filters: datasets, topics, excluded ids…). The filter applies while
    /// candidates are gathered, so the names scored are the best-supported
    /// among the entities kept, not what is left of the unfiltered best.
    /// Also says which entities at or above the threshold `limit` left out.
    /// A query without a name finds entities by its identifiers only.
    pub fn search_filtered(
        &self,
        q: &Query,
        opts: &MatchOptions,
        keep: Option<&EntityFilter<'_>>,
    ) -> FilteredSearch {
        let inner = &*self.inner;
        let kept = |e: &Entity| keep.is_none_or(|k| k(e));
        let q_ty = NameType::of(q.schema);
        let mut forms: Vec<NameForm> = Vec::new();
        for n in q.all_names() {
            for v in name_variants(&n) {
                let f = NameForm::new(&v, q_ty);
                if !f.tokens.is_empty() {
                    forms.push(f);
                }
            }
        }
        let quals = QueryQuals::of(q);
        let entity_ok = |ei: u32| -> bool {
            let e = &inner.entities[ei as usize];
            e.schema.can_match(q.schema) && opts.as_of.is_none_or(|d| e.listed_by(d)) && kept(e)
        };
        // Stage 1: candidates from the postings.
        let mut keys = Vec::new();
        for f in &forms {
            index::name_keys(f, &mut keys);
        }
        keys.sort_by_key(|k| k.0);
        keys.dedup_by_key(|k| k.0);
        // Rarest keys first; a very common key (`kim`, `trading`) is only
        // followed when nothing rarer was found.
        let mut lists: Vec<(&[u32], f32)> = keys
            .iter()
            .map(|(k, strength)| (inner.postings.get(*k), *strength))
            .collect();
        lists.sort_by_key(|l| l.0.len());
        let n_names = inner.names.len().max(1) as f32;
        let common_limit = (inner.names.len() / 20).max(600);
        let weights: Vec<f32> = lists
            .iter()
            .map(|(p, strength)| {
                if p.is_empty() {
                    0.0
                } else {
                    strength * (1.0 + n_names / p.len() as f32).ln()
                }
            })
            .collect();
        // What a name not found yet can still gather from the keys left.
        let mut remaining: Vec<f64> = vec![0.0; lists.len() + 1];
        for i in (0..lists.len()).rev() {
            remaining[i] = remaining[i + 1] + f64::from(weights[i]);
        }
        let name_ok = |ni: u32| -> bool {
            inner.name_schema[ni as usize].can_match(q.schema) && {
                let e = &inner.entities[inner.name_entity[ni as usize] as usize];
                opts.as_of.is_none_or(|d| e.listed_by(d)) && kept(e)
            }
        };
        let ranked = SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let Scratch {
                acc,
                touched,
                live,
                live_mark,
                supports,
            } = &mut *scratch;
            if acc.len() < inner.names.len() {
                acc.resize(inner.names.len(), 0.0);
            }
            if live_mark.len() < inner.names.len() / 64 + 1 {
                live_mark.resize(inner.names.len() / 64 + 1, 0);
            }
            let is_live =
                |mark: &[u64], ni: u32| mark[(ni / 64) as usize] & (1u64 << (ni % 64)) != 0;
            let set_live = |mark: &mut [u64], ni: u32, on: bool| {
                let word = &mut mark[(ni / 64) as usize];
                if on {
                    *word |= 1u64 << (ni % 64);
                } else {
                    *word &= !(1u64 << (ni % 64));
                }
            };
            // Best support so far among names that pass the filter.
            let mut top = 0.0f32;
            // Once the keys left cannot lift a new name to the support share
            // of the best, only names already found are updated: the others
            // would be dropped below anyway.
            let mut closed = false;
            let mut was_closed = false;
            for (i, (p, _)) in lists.iter().enumerate() {
                if p.is_empty() || (p.len() > common_limit && !touched.is_empty()) {
                    continue;
                }
                let w = weights[i];
                let reachable = (remaining[i] * (1.0 + 1e-3)) as f32;
                if !closed && reachable < top * MIN_SUPPORT_SHARE {
                    closed = true;
                }
                // Before a long list: when MAX_SCORED_NAMES names found already
                // have more support than a new name could still gather, new
                // names could not be among the names scored.
                if !closed && p.len() > 64 && touched.len() >= MAX_SCORED_NAMES {
                    let ahead = touched
                        .iter()
                        .filter(|&&ni| acc[ni as usize] > reachable && name_ok(ni))
                        .take(MAX_SCORED_NAMES)
                        .count();
                    closed = ahead >= MAX_SCORED_NAMES;
                }
                if closed && !was_closed {
                    was_closed = true;
                    live.clear();
                    live.extend(touched.iter().copied().filter(|&ni| name_ok(ni)));
                    for &ni in live.iter() {
                        set_live(live_mark, ni, true);
                    }
                }
                if closed {
                    // A found name that cannot reach the support of the
                    // MAX_SCORED_NAMES-th best even with every key left is
                    // not followed any further (it would not be scored).
                    if live.len() > 2 * MAX_SCORED_NAMES && p.len() > live.len() {
                        supports.clear();
                        supports.extend(live.iter().map(|&ni| acc[ni as usize]));
                        let (_, kth, _) = supports
                            .select_nth_unstable_by(MAX_SCORED_NAMES - 1, |a, b| b.total_cmp(a));
                        let kth = *kth;
                        live.retain(|&ni| {
                            let keep = acc[ni as usize] + reachable >= kth;
                            if !keep {
                                set_live(live_mark, ni, false);
                            }
                            keep
                        });
                    }
                    // Few names left and a long list: look each one up.
                    if live.len() * (p.len().ilog2() as usize + 2) < p.len() {
                        for &ni in live.iter() {
                            if p.binary_search(&ni).is_ok() {
                                acc[ni as usize] += w;
                            }
                        }
                    } else {
                        for &ni in p.iter() {
                            if is_live(live_mark, ni) {
                                acc[ni as usize] += w;
                            }
                        }
                    }
                    continue;
                }
                for &ni in p.iter() {
                    let slot = &mut acc[ni as usize];
                    if *slot == 0.0 {
                        touched.push(ni);
                    }
                    *slot += w;
                    if *slot > top && name_ok(ni) {
                        top = *slot;
                    }
                }
            }
            let mut ranked: Vec<(u32, f32)>;
            if was_closed {
                ranked = live.iter().map(|&ni| (ni, acc[ni as usize])).collect();
                for &ni in live.iter() {
                    set_live(live_mark, ni, false);
                }
            } else {
                ranked = Vec::with_capacity(touched.len());
                for &ni in touched.iter() {
                    if name_ok(ni) {
                        ranked.push((ni, acc[ni as usize]));
                    }
                }
            }
            for &ni in touched.iter() {
                acc[ni as usize] = 0.0;
            }
            touched.clear();
            ranked
        });
        let mut ranked = ranked;
        // Names supported by a small part of the best support only share a
        // common word; they cannot reach the cutoff.
        let top = ranked.iter().map(|r| r.1).fold(0.0f32, f32::max);
        ranked.retain(|r| r.1 >= top * MIN_SUPPORT_SHARE);
        let by_support = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > MAX_SCORED_NAMES {
            ranked.select_nth_unstable_by(MAX_SCORED_NAMES, by_support);
            ranked.truncate(MAX_SCORED_NAMES);
        }
        // Entities found by an identifier are candidates whatever their names.
        let mut id_entities: Vec<u32> = quals
            .ids
            .iter()
            .filter_map(|k| inner.ids.get(k))
            .flatten()
            .copied()
            .filter(|e| entity_ok(*e))
            .collect();
        id_entities.sort_unstable();
        id_entities.dedup();
        // Stage 2: exact scoring, best name per entity.
        // Best name per entity (a few dozen entities: a vector beats a hash map).
        let mut best: Vec<(u32, BestName)> = Vec::new();
        let consider = |ni: usize, best: &mut Vec<(u32, BestName)>| {
            let n = &inner.names[ni];
            let e_ty = NameType::of(inner.name_schema[ni]);
            let ty = if q_ty == NameType::Any { e_ty } else { q_ty };
            for (fi, f) in forms.iter().enumerate() {
                let c = names::compare(f, &n.form, ty, false);
                let s = if n.weak {
                    c.score * WEAK_ALIAS_FACTOR
                } else {
                    c.score
                };
                let slot = best.iter().position(|b| b.0 == n.entity);
                // Ties go to the earlier name (the primary name comes first).
                match slot {
                    None => best.push((n.entity, (s, c, fi, ni))),
                    Some(i) => {
                        let b = &best[i].1;
                        if s > b.0 || (s == b.0 && (fi, ni) < (b.2, b.3)) {
                            best[i].1 = (s, c, fi, ni);
                        }
                    }
                }
            }
        };
        // The candidates' analysed names lie all over the heap: touching
        // their tokens in one pass lets the memory loads overlap instead of
        // waiting for each one during scoring.
        let touch: u64 = ranked
            .iter()
            .flat_map(|(ni, _)| inner.names[*ni as usize].form.tokens.iter())
            .fold(0, |x, t| {
                x ^ t.text_hash ^ u64::from(t.text.as_bytes().last().copied().unwrap_or(0))
            });
        std::hint::black_box(touch);
        for (ni, _) in &ranked {
            consider(*ni as usize, &mut best);
        }
        for ei in &id_entities {
            if !best.iter().any(|b| b.0 == *ei) {
                // Names are stored entity by entity.
                let first = inner.name_entity.partition_point(|e| e < ei);
                let end = inner.name_entity.partition_point(|e| e <= ei);
                if forms.is_empty() && first < end {
                    // A query without a name: the identifier decides, the
                    // entity's first name stands in with no name score.
                    let none = NameComparison {
                        score: 0.0,
                        method: "identifier",
                        alignment: Vec::new(),
                    };
                    best.push((*ei, (0.0, none, 0, first)));
                }
                for ni in first..end {
                    consider(ni, &mut best);
                }
            }
        }
        // Scores first; the result records (ids, captions, explanation
        // strings) are built only for the `limit` that are reported.
        struct Scored {
            ei: u32,
            fi: usize,
            ni: usize,
            score: f64,
            /// Name score after the weak-alias factor, and before it.
            name_score: f64,
            cmp_score: f64,
            method: &'static str,
        }
        let mut scored: Vec<Scored> = Vec::new();
        for (ei, (name_score, cmp, fi, ni)) in best {
            let mut score = name_score;
            let mut method = cmp.method;
            if name_score > 0.0 || !quals.ids.is_empty() {
                let (delta, id_hit) = qualifiers::apply(&quals, &inner.quals[ei as usize], None);
                if id_hit.is_some() {
                    // An equal passport, IMO or BIC is strong evidence on its own.
                    score = identifier_score(name_score).max(score);
                    method = "identifier";
                } else if name_score > 0.0 {
                    score += delta;
                }
            }
            let score = round3(score.clamp(0.0, 1.0));
            if score < opts.cutoff || score <= 0.0 {
                continue;
            }
            scored.push(Scored {
                ei,
                fi,
                ni,
                score,
                name_score,
                cmp_score: cmp.score,
                method,
            });
        }
        let entity_id = |s: &Scored| inner.entities[s.ei as usize].id.as_str();
        scored.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| entity_id(a).cmp(entity_id(b)))
        });
        let unreported_matches = scored
            .iter()
            .skip(opts.limit)
            .filter(|s| s.score >= opts.threshold)
            .map(|s| entity_id(s).to_string())
            .collect();
        scored.truncate(opts.limit);
        // Explanations (token alignment) only for what is reported.
        let results = scored
            .into_iter()
            .map(|s| {
                let e = &inner.entities[s.ei as usize];
                let n = &inner.names[s.ni];
                // The effects behind the score, now with their wording.
                let mut effects = Vec::new();
                if n.weak {
                    effects.push(QualifierEffect {
                        feature: "weak_alias".into(),
                        effect: round3(s.name_score - s.cmp_score),
                        detail: "matched a low-quality alias".into(),
                    });
                }
                if s.name_score > 0.0 || !quals.ids.is_empty() {
                    let (_, id_hit) =
                        qualifiers::apply(&quals, &inner.quals[s.ei as usize], Some(&mut effects));
                    if id_hit.is_some() {
                        let raised = identifier_score(s.name_score);
                        if let Some(x) = effects.iter_mut().find(|x| x.feature == "identifier") {
                            x.effect = round3(raised - s.name_score.max(0.0));
                        }
                    }
                }
                let e_ty = NameType::of(e.schema);
                let ty = if q_ty == NameType::Any { e_ty } else { q_ty };
                MatchResult {
                    id: e.id.clone(),
                    reference: e.reference.clone(),
                    caption: e.caption.clone(),
                    schema: e.schema,
                    score: s.score,
                    is_match: s.score >= opts.threshold,
                    explanation: Explanation {
                        query_name: forms
                            .get(s.fi)
                            .map(|f| f.original.clone())
                            .unwrap_or_default(),
                        matched_name: n.form.original.clone(),
                        name_kind: Some(kind_str(n.kind, n.weak).to_string()),
                        method: s.method.to_string(),
                        name_score: round3(s.cmp_score),
                        alignment: forms
                            .get(s.fi)
                            .map(|f| names::compare(f, &n.form, ty, true).alignment)
                            .unwrap_or_default(),
                        qualifiers: effects,
                        score: s.score,
                    },
                }
            })
            .collect();
        FilteredSearch {
            results,
            unreported_matches,
        }
    }

    /// Screen many queries in parallel (rayon), results in input order.
    pub fn search_batch(&self, queries: &[Query], opts: &MatchOptions) -> Vec<Vec<MatchResult>> {
        use rayon::prelude::*;
        queries.par_iter().map(|q| self.search(q, opts)).collect()
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
fn identifier_score(name_score: f64) -> f64 {
    0.95 + 0.05 * name_score
}

fn kind_str(k: NameKind, weak: bool) -> &'static str {
    if weak {
        return "weak";
    }
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
    let mut best: Option<(NameComparison, String, String)> = None;
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
