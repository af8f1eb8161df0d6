//! Recorded name screening: the workflow behind yente's `POST /match`, and
//! the rest of what a yente client asks of the lists (`/search`, entities
//! with their adjacent entities: [`search`]).
//!
//! Each query ([`ExampleQuery`], yente's `EntityExample` checked against the
//! FtM model in [`ftm`]) is matched against one dataset's index, within the
//! caller's [`MatchFilters`] (datasets, schemata, topics, change date,
//! excluded entities — applied while candidates are gathered, as yente's
//! search filters are); a result cleared by a suppression is still returned,
//! marked, but does not count as a match; the best uncleared match of each
//! query opens a case ([`crate::cases`]); the audit record (every query, its
//! key, the filters and the results, with the list and regime versions) and
//! the cases are committed together before anything is answered. A
//! screening cancelled before its commit records nothing.

pub mod ftm;
pub mod search;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use resolute_matching::{
    Budget, Limits, MatchIndex, MatchOptions, MatchResult, Query, SearchError,
};
use resolute_model::{Entity, Schema, country_by_code, country_from_name, prop};
use resolute_store::{CanonicalPayload, Suppression};
use serde_json::{Map, Value, json};

use crate::cases::name_case;
use crate::engine::{DATASETS, Engine};
use crate::error::{CaseworkError, Result};
use crate::suppress::query_key;
use crate::{Casework, new_screening_id};

/// The collection that holds every list ("default"), and the lists.
const COLLECTION: &str = "default";

/// A query as yente's `EntityExample` carries it, checked against the FtM
/// model the way yente's `Entity.from_example` does: the schema must exist
/// and be matchable (or be `Thing`); properties the schema does not have are
/// dropped; values are cleaned by type (country names become codes, invalid
/// countries, dates and genders are dropped, whitespace collapsed).
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleQuery {
    /// The client's id, echoed back.
    pub id: Option<String>,
    /// The FtM schema, as FtM spells it.
    pub schema: String,
    /// Cleaned values by property, in the schema's terms.
    pub properties: BTreeMap<String, Vec<String>>,
}

/// Why a query cannot be screened (yente answers 400 for the whole request).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExampleError {
    /// Worded as yente words it (Python's `repr` quotes).
    #[error("Unknown schema: '{0}'")]
    UnknownSchema(String),
    #[error("Non-matchable schema for query: {0}")]
    NotMatchable(String),
}

impl ExampleQuery {
    /// Check `schema` and clean `properties` (raw values as the client sent them).
    pub fn new(
        id: Option<String>,
        schema: &str,
        properties: &[(String, Vec<String>)],
    ) -> std::result::Result<ExampleQuery, ExampleError> {
        let model = ftm::model();
        let s = model
            .schema(schema.trim())
            .ok_or_else(|| ExampleError::UnknownSchema(schema.to_string()))?;
        if s.name != ftm::BASE_SCHEMA && !s.matchable {
            return Err(ExampleError::NotMatchable(s.name.clone()));
        }
        let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, values) in properties {
            // yente logs and skips a property the schema does not have.
            let Some(p) = s.property(name) else {
                continue;
            };
            if p.type_name == "entity" {
                continue;
            }
            for v in values {
                if let Some(clean) = clean_value(&p.type_name, v) {
                    let list = props.entry(p.name.clone()).or_default();
                    if !list.contains(&clean) {
                        list.push(clean);
                    }
                }
            }
        }
        Ok(ExampleQuery {
            id,
            schema: s.name.clone(),
            properties: props,
        })
    }

    /// The query echoed back (`{"id", "schema", "properties"}`).
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "schema": self.schema, "properties": self.properties})
    }

    /// The matcher's query, and — for an FtM schema Resolute's matcher does
    /// not model (`Vehicle`, `PublicBody`…) — the schemata its results may
    /// have (FtM's matchable relation; the matcher then searches as `Thing`).
    fn for_matcher(&self) -> (Query, Option<BTreeSet<String>>) {
        let (schema, restrict) = match Schema::parse(&self.schema) {
            Some(s) => (s, None),
            None => (
                Schema::Thing,
                Some(ftm::model().scope_schemata(&self.schema)),
            ),
        };
        let query = Query {
            id: self.id.clone(),
            schema,
            properties: self.properties.clone(),
        };
        (query, restrict)
    }
}

/// A value cleaned as FtM cleans its type (`None`: not a valid value).
fn clean_value(type_name: &str, raw: &str) -> Option<String> {
    let v = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        return None;
    }
    match type_name {
        "country" => country_by_code(&v)
            .ok()
            .or_else(|| country_from_name(&v))
            .map(|c| c.ftm_code()),
        "gender" => match v.to_lowercase().as_str() {
            "m" | "male" | "man" => Some("male".into()),
            "f" | "female" | "woman" => Some("female".into()),
            "other" | "o" => Some("other".into()),
            _ => None,
        },
        "date" => is_iso_date_prefix(&v).then_some(v),
        _ => Some(v),
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, optionally followed by a time.
fn is_iso_date_prefix(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    match b.len() {
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        _ => {
            b.len() >= 10
                && digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && b[7] == b'-'
                && digits(8..10)
                && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
        }
    }
}

/// yente's filters of `/match` (and the common part of `/search`): which
/// entities a query may find. Empty lists filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchFilters {
    /// Only entities of these datasets (within the dataset asked for).
    pub include_dataset: Vec<String>,
    /// Not entities of these datasets.
    pub exclude_dataset: Vec<String>,
    /// Not entities of these schemata (exact names).
    pub exclude_schema: Vec<String>,
    /// Only entities with one of these topics (`sanction`…).
    pub topics: Vec<String>,
    /// Only entities changed after this moment (`YYYY-MM-DD[THH[:MM[:SS]]]`).
    /// An entry whose list gives no change date does not pass (yente's range
    /// filter on a missing `last_change`).
    pub changed_since: Option<String>,
    /// Not these entities (ids, any case; yente also takes referents —
    /// Resolute's entities have none).
    pub exclude_entity_ids: Vec<String>,
}

impl MatchFilters {
    pub fn is_empty(&self) -> bool {
        *self == MatchFilters::default()
    }

    /// The filters as recorded in the audit log (only those given).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: &[String]| {
            if !v.is_empty() {
                m.insert(k.into(), json!(v));
            }
        };
        put("include_dataset", &self.include_dataset);
        put("exclude_dataset", &self.exclude_dataset);
        put("exclude_schema", &self.exclude_schema);
        put("topics", &self.topics);
        put("exclude_entity_ids", &self.exclude_entity_ids);
        if let Some(c) = &self.changed_since {
            m.insert("changed_since".into(), json!(c));
        }
        Value::Object(m)
    }

    /// Resolve against `dataset` on `engine`: the index to search (the
    /// narrowest that holds the datasets left, `None` when none is left) and
    /// the entity predicate for the rest.
    pub fn resolve<'e>(&self, engine: &'e Engine, dataset: &str) -> Result<Resolved<'e>> {
        dataset_index(engine, dataset)?;
        let changed_since = self
            .changed_since
            .as_deref()
            .map(|s| {
                parse_timestamp(s).ok_or_else(|| {
                    CaseworkError::invalid(
                        "changed_since",
                        format!("{s:?} is not a valid date or time"),
                    )
                })
            })
            .transpose()?;
        let leaves = dataset_leaves(dataset, &self.include_dataset, &self.exclude_dataset);
        let index_name = match leaves.len() {
            0 => None,
            1 => leaves.first().copied(),
            _ => Some(COLLECTION),
        };
        let index = index_name.and_then(|n| engine.index(n));
        let lower = |v: &[String]| {
            v.iter()
                .map(|s| s.trim().to_lowercase())
                .collect::<HashSet<_>>()
        };
        Ok(Resolved {
            index,
            leaves,
            predicate: EntityPredicate {
                exclude_schema: self
                    .exclude_schema
                    .iter()
                    .map(|s| s.trim().to_string())
                    .collect(),
                topics: lower(&self.topics),
                changed_since,
                exclude_ids: lower(&self.exclude_entity_ids),
            },
        })
    }
}

/// The leaf datasets (`un_sc_sanctions`, `us_ofac_sdn`) in scope: the
/// dataset asked for and its children, within `include` when given, minus
/// `exclude` (yente's `filter_query`).
fn dataset_leaves(dataset: &str, include: &[String], exclude: &[String]) -> Vec<&'static str> {
    let leaves: Vec<&'static str> = DATASETS
        .iter()
        .map(|d| d.0)
        .filter(|d| *d != COLLECTION)
        .collect();
    let mut scope: BTreeSet<&str> = if dataset == COLLECTION {
        leaves.iter().copied().chain([COLLECTION]).collect()
    } else {
        [dataset].into_iter().collect()
    };
    if !include.is_empty() {
        scope.retain(|d| include.iter().any(|i| i.trim() == *d));
    }
    scope.retain(|d| !exclude.iter().any(|x| x.trim() == *d));
    leaves.into_iter().filter(|l| scope.contains(l)).collect()
}

/// `YYYY-MM-DD[THH[:MM[:SS]]]` as a moment.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let mut parts = time
        .split(':')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().ok());
    let h = parts.next().flatten().unwrap_or(0);
    let m = parts.next().flatten().unwrap_or(0);
    let sec = parts.next().flatten().unwrap_or(0);
    date.and_hms_opt(h, m, sec)
}

/// When the list last changed an entry, as yente's `last_change` gives it
/// (the newest amendment date the list records).
pub fn last_change(e: &Entity) -> Option<NaiveDate> {
    e.last_updated.iter().max().copied()
}

/// A filter resolved against an engine.
#[derive(Debug)]
pub struct Resolved<'e> {
    /// `None`: no dataset is left in scope, nothing can be found.
    pub index: Option<&'e MatchIndex>,
    /// The lists left in scope (`un_sc_sanctions`, `us_ofac_sdn`).
    pub leaves: Vec<&'static str>,
    pub predicate: EntityPredicate,
}

/// The entity-level part of the filters.
#[derive(Debug, Clone, Default)]
pub struct EntityPredicate {
    exclude_schema: HashSet<String>,
    topics: HashSet<String>,
    changed_since: Option<NaiveDateTime>,
    exclude_ids: HashSet<String>,
}

impl EntityPredicate {
    /// Nothing to check (the common case: no cost per candidate).
    pub fn is_empty(&self) -> bool {
        self.exclude_schema.is_empty()
            && self.topics.is_empty()
            && self.changed_since.is_none()
            && self.exclude_ids.is_empty()
    }

    pub fn allows(&self, e: &Entity) -> bool {
        if self.exclude_schema.contains(e.schema.as_str()) {
            return false;
        }
        if !self.topics.is_empty()
            && !e
                .get(prop::TOPICS)
                .iter()
                .any(|t| self.topics.contains(&t.as_str().to_lowercase()))
        {
            return false;
        }
        if let Some(since) = self.changed_since {
            // No change date on the list: not changed since (yente's range filter).
            let changed = last_change(e)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .is_some_and(|t| t > since);
            if !changed {
                return false;
            }
        }
        self.exclude_ids.is_empty() || !self.exclude_ids.contains(&e.id.to_lowercase())
    }
}

/// A batch of name queries, as a yente client sends them.
#[derive(Debug, Clone)]
pub struct NameScreeningRequest {
    /// `default`, `un_sc_sanctions` or `us_ofac_sdn`.
    pub dataset: String,
    /// (the client's query id, the checked query).
    pub queries: Vec<(String, ExampleQuery)>,
    pub options: MatchOptions,
    pub filters: MatchFilters,
    /// The matcher's name, and the one the client asked for (recorded).
    pub algorithm: String,
    pub algorithm_requested: String,
    /// Per-query limits checked before any matching work.
    pub limits: Limits,
}

/// One result with the suppression that clears it, if any.
#[derive(Debug, Clone)]
pub struct Hit {
    pub result: MatchResult,
    pub suppression: Option<Suppression>,
}

impl Hit {
    /// A match that drives a decision: above the threshold and not cleared.
    pub fn is_open_match(&self) -> bool {
        self.result.is_match && self.suppression.is_none()
    }
}

/// One query's outcome.
#[derive(Debug, Clone)]
pub struct ScreenedQuery {
    /// The suppression key of the query as screened.
    pub key: String,
    /// `{"id", "schema", "properties"}` as cleaned.
    pub query: Value,
    /// Best first, at most `limit`.
    pub hits: Vec<Hit>,
    /// yente's `total`: every uncleared match among the candidates scored,
    /// also those `limit` left out.
    pub total: usize,
}

impl ScreenedQuery {
    /// Matches not cleared by a suppression, among the hits returned.
    pub fn open_matches(&self) -> usize {
        self.hits.iter().filter(|h| h.is_open_match()).count()
    }
}

/// A committed name screening.
#[derive(Debug, Clone)]
pub struct NameScreening {
    pub screening_id: String,
    pub audit_seq: i64,
    pub cases: Vec<i64>,
    /// Per query id, in the request's order.
    pub queries: Vec<(String, ScreenedQuery)>,
    pub list_versions: Vec<String>,
    pub suppressed: u64,
}

/// The engine's index for `dataset`, or a not-found error listing the datasets.
pub fn dataset_index<'a>(engine: &'a Engine, dataset: &str) -> Result<&'a MatchIndex> {
    engine.index(dataset).ok_or_else(|| {
        CaseworkError::not_found(format!(
            "dataset {dataset:?} (available: {})",
            DATASETS.iter().map(|d| d.0).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The engine in force, if it can screen: lists and regime loaded, no stored
/// list in force that failed to load (see [`Engine::ready`]).
pub fn ready_engine(casework: &Casework) -> Result<std::sync::Arc<Engine>> {
    let engine = casework.engine();
    if !engine.ready() {
        return Err(CaseworkError::NotReady(format!(
            "not ready to screen: {}",
            engine.problems.join("; ")
        )));
    }
    Ok(engine)
}

/// Match one query within the filters, the limits and the budget, and
/// attach the suppressions that clear its results.
pub fn screen_query(
    casework: &Casework,
    engine: &Engine,
    scope: &Resolved<'_>,
    example: &ExampleQuery,
    options: &MatchOptions,
    limits: &Limits,
    budget: &Budget<'_>,
) -> std::result::Result<ScreenedQuery, SearchError> {
    let (query, restrict) = example.for_matcher();
    let key = query_key(query.schema, &query.properties);
    let found = match scope.index {
        None => {
            limits.validate(&query)?;
            Default::default()
        }
        Some(index) if scope.predicate.is_empty() && restrict.is_none() => {
            index.search_filtered_within(&query, options, None, limits, budget)?
        }
        Some(index) => {
            let keep = |e: &Entity| {
                restrict
                    .as_ref()
                    .is_none_or(|r| r.contains(e.schema.as_str()))
                    && scope.predicate.allows(e)
            };
            index.search_filtered_within(&query, options, Some(&keep), limits, budget)?
        }
    };
    let suppressions = casework.suppressions();
    let hits: Vec<Hit> = found
        .results
        .into_iter()
        .map(|result| Hit {
            suppression: suppressions.clearing(&key, &result.id, engine).cloned(),
            result,
        })
        .collect();
    let beyond = found
        .unreported_matches
        .iter()
        .filter(|id| suppressions.clearing(&key, id, engine).is_none())
        .count();
    let total = hits.iter().filter(|h| h.is_open_match()).count() + beyond;
    Ok(ScreenedQuery {
        key,
        query: example.to_json(),
        hits,
        total,
    })
}

/// A matcher's refusal or stop, in casework's terms.
fn stopped(e: SearchError, query: &str, done: usize, total: usize) -> CaseworkError {
    let progress = format!("name screening stopped after {done} of {total} queries");
    match e {
        SearchError::Limit(source) => CaseworkError::QueryLimit {
            query: query.to_string(),
            source,
        },
        SearchError::DeadlineExceeded => CaseworkError::TimedOut(progress),
        SearchError::Cancelled => CaseworkError::Cancelled(progress),
    }
}

impl Casework {
    /// Screen a batch of name queries and record it (see the module docs).
    /// Each query is checked against `req.limits` first; the budget's
    /// deadline and cancellation flag stop the matching (also inside one
    /// query): then nothing is recorded.
    pub fn screen_names(
        &self,
        req: &NameScreeningRequest,
        actor: &str,
        budget: &Budget<'_>,
    ) -> Result<NameScreening> {
        let engine = ready_engine(self)?;
        let scope = req.filters.resolve(&engine, &req.dataset)?;
        let screening_id = new_screening_id();
        let mut queries = Vec::with_capacity(req.queries.len());
        let mut audit_queries = Map::new();
        let mut cases = Vec::new();
        let mut suppressed = 0u64;
        for (name, example) in &req.queries {
            let screened = screen_query(
                self,
                &engine,
                &scope,
                example,
                &req.options,
                &req.limits,
                budget,
            )
            .map_err(|e| stopped(e, name, queries.len(), req.queries.len()))?;
            suppressed += screened
                .hits
                .iter()
                .filter(|h| h.suppression.is_some())
                .count() as u64;
            if let Some(best) = screened.hits.iter().find(|h| h.is_open_match()) {
                let query_name = ["name", "alias", "previousName", "weakAlias"]
                    .iter()
                    .find_map(|p| example.properties.get(*p).and_then(|v| v.first()))
                    .map(String::as_str)
                    .unwrap_or("");
                cases.push(name_case(
                    &engine,
                    &screening_id,
                    &screened.key,
                    &screened.query,
                    query_name,
                    &best.result,
                ));
            }
            let results: Vec<Value> = screened
                .hits
                .iter()
                .map(|h| {
                    json!({"id": h.result.id, "ref": h.result.reference, "score": h.result.score,
                           "match": h.result.is_match, "suppressed": h.suppression.is_some()})
                })
                .collect();
            audit_queries.insert(
                name.clone(),
                json!({"correlation": name, "query": screened.query, "query_key": screened.key,
                       "results": results, "total": screened.total}),
            );
            queries.push((name.clone(), screened));
        }
        let mut payload = json!({
            "screening_id": screening_id,
            "dataset": req.dataset,
            "algorithm": req.algorithm,
            "algorithm_requested": req.algorithm_requested,
            "threshold": req.options.threshold,
            "cutoff": req.options.cutoff,
            "limit": req.options.limit,
            "list_versions": engine.version_ids(),
            "regime_version": engine.regime_version,
            "queries": audit_queries,
        });
        if !req.filters.is_empty()
            && let Value::Object(m) = &mut payload
        {
            m.insert("filters".into(), req.filters.to_json());
        }
        let payload = CanonicalPayload::of(&payload);
        let who = actor.to_string();
        let (audit_seq, case_ids) = self.store.write(move |ctx| {
            let receipt = ctx.append_audit_canonical("screening.name", &who, &payload)?;
            let mut ids = Vec::with_capacity(cases.len());
            for c in &cases {
                ids.push(ctx.open_case(c, receipt.seq)?);
            }
            Ok((receipt.seq, ids))
        })?;
        Ok(NameScreening {
            screening_id,
            audit_seq,
            cases: case_ids,
            queries,
            list_versions: engine.version_ids(),
            suppressed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    }

    #[test]
    fn example_queries_are_checked_and_cleaned_like_yente() {
        let q = ExampleQuery::new(
            Some("q1".into()),
            "Person",
            &props(&[
                ("name", "  Kim   Jong Un "),
                ("country", "Korea, North"),
                ("nationality", "Narnia"),
                ("imoNumber", "9354521"),
                ("birthDate", "1984-01-08"),
                ("gender", "M"),
            ]),
        )
        .expect("valid");
        assert_eq!(q.properties["name"], ["Kim Jong Un"]);
        assert_eq!(q.properties["country"], ["kp"]);
        // Not a country, and not a property of a Person: dropped, as FtM does.
        assert!(!q.properties.contains_key("nationality"));
        assert!(!q.properties.contains_key("imoNumber"));
        assert_eq!(q.properties["gender"], ["male"]);
        assert_eq!(
            ExampleQuery::new(None, "xxx", &[]).map(|_| ()),
            Err(ExampleError::UnknownSchema("xxx".into()))
        );
        assert_eq!(
            ExampleQuery::new(None, "Sanction", &[]).map(|_| ()),
            Err(ExampleError::NotMatchable("Sanction".into()))
        );
        // Thing is not matchable but is yente's base schema.
        assert!(ExampleQuery::new(None, "Thing", &props(&[("name", "x")])).is_ok());
    }

    #[test]
    fn dataset_scope_follows_yentes_filter_query() {
        let none: Vec<String> = Vec::new();
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            dataset_leaves("default", &none, &none),
            ["un_sc_sanctions", "us_ofac_sdn"]
        );
        assert_eq!(
            dataset_leaves("default", &v(&["us_ofac_sdn", "eu_fsf"]), &none),
            ["us_ofac_sdn"]
        );
        assert_eq!(
            dataset_leaves("default", &none, &v(&["us_ofac_sdn"])),
            ["un_sc_sanctions"]
        );
        // A dataset outside the scope asked for finds nothing.
        assert!(dataset_leaves("un_sc_sanctions", &v(&["us_ofac_sdn"]), &none).is_empty());
        assert!(dataset_leaves("default", &v(&["default"]), &none).is_empty());
    }

    #[test]
    fn timestamps_in_yentes_forms() {
        let t = |s: &str| parse_timestamp(s).map(|t| t.to_string());
        assert_eq!(t("2024-03-01").as_deref(), Some("2024-03-01 00:00:00"));
        assert_eq!(t("2024-03-01T10").as_deref(), Some("2024-03-01 10:00:00"));
        assert_eq!(
            t("2024-03-01T10:30:05").as_deref(),
            Some("2024-03-01 10:30:05")
        );
        assert_eq!(t("2024-13-01"), None);
        assert!(is_iso_date_prefix("1984") && is_iso_date_prefix("1984-01-08"));
        assert!(!is_iso_date_prefix("8 Jan 1984"));
    }
}
