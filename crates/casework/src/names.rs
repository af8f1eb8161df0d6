//! Recorded name screening: the workflow behind yente's `POST /match`.
//!
//! Each query is matched against one dataset's index; a result cleared by a
//! suppression is still returned, marked, but does not count as a match; the
//! best uncleared match of each query opens a case ([`crate::cases`]); the
//! audit record (every query, its key and its results, with the list and
//! regime versions) and the cases are committed together before anything is
//! answered. A screening cancelled before its commit records nothing.

use std::sync::atomic::{AtomicBool, Ordering};

use resolute_matching::{MatchOptions, MatchResult, Query};
use resolute_store::{CanonicalPayload, Suppression};
use serde_json::{Map, Value, json};

use crate::cases::name_case;
use crate::engine::{DATASETS, Engine};
use crate::error::{CaseworkError, Result};
use crate::suppress::query_key;
use crate::{Casework, new_screening_id};

/// A batch of name queries, as a yente client sends them.
#[derive(Debug, Clone)]
pub struct NameScreeningRequest {
    /// `default`, `un_sc_sanctions` or `us_ofac_sdn`.
    pub dataset: String,
    /// (the client's query id, the FtM-shaped query).
    pub queries: Vec<(String, Value)>,
    pub options: MatchOptions,
    /// The matcher's name, and the one the client asked for (recorded).
    pub algorithm: String,
    pub algorithm_requested: String,
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
    /// `{"id", "schema", "properties"}` as parsed.
    pub query: Value,
    /// Best first.
    pub hits: Vec<Hit>,
}

impl ScreenedQuery {
    /// Matches not cleared by a suppression.
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
    /// Per query id, in the request's order: the outcome or why the query is unreadable.
    pub queries: Vec<(String, std::result::Result<ScreenedQuery, String>)>,
    pub list_versions: Vec<String>,
    pub suppressed: u64,
}

/// The engine's index for `dataset`, or a not-found error listing the datasets.
pub fn dataset_index<'a>(
    engine: &'a Engine,
    dataset: &str,
) -> Result<&'a resolute_matching::MatchIndex> {
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

/// Match one query and attach the suppressions that clear its results.
pub fn screen_query(
    casework: &Casework,
    engine: &Engine,
    index: &resolute_matching::MatchIndex,
    query: &Query,
    options: &MatchOptions,
) -> ScreenedQuery {
    let key = query_key(query.schema, &query.properties);
    let suppressions = casework.suppressions();
    let hits = index
        .search(query, options)
        .into_iter()
        .map(|result| Hit {
            suppression: suppressions.clearing(&key, &result.id, engine).cloned(),
            result,
        })
        .collect();
    ScreenedQuery {
        key,
        query: json!({"id": query.id, "schema": query.schema.as_str(), "properties": query.properties}),
        hits,
    }
}

impl Casework {
    /// Screen a batch of name queries and record it (see the module docs).
    /// `stop` is checked between queries: when set, nothing is recorded.
    pub fn screen_names(
        &self,
        req: &NameScreeningRequest,
        actor: &str,
        stop: Option<&AtomicBool>,
    ) -> Result<NameScreening> {
        let engine = ready_engine(self)?;
        let index = dataset_index(&engine, &req.dataset)?;
        let screening_id = new_screening_id();
        let mut queries = Vec::with_capacity(req.queries.len());
        let mut audit_queries = Map::new();
        let mut cases = Vec::new();
        let mut suppressed = 0u64;
        for (name, json) in &req.queries {
            if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(CaseworkError::Cancelled(format!(
                    "name screening stopped after {} of {} queries",
                    queries.len(),
                    req.queries.len()
                )));
            }
            let query = match Query::from_json(json) {
                Ok(q) => q,
                Err(e) => {
                    let message = e.to_string();
                    audit_queries.insert(name.clone(), json!({"error": message}));
                    queries.push((name.clone(), Err(message)));
                    continue;
                }
            };
            let screened = screen_query(self, &engine, index, &query, &req.options);
            suppressed += screened
                .hits
                .iter()
                .filter(|h| h.suppression.is_some())
                .count() as u64;
            if let Some(best) = screened.hits.iter().find(|h| h.is_open_match()) {
                cases.push(name_case(
                    &engine,
                    &screening_id,
                    &screened.key,
                    &screened.query,
                    query.names().next().unwrap_or(""),
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
                json!({"correlation": name, "query": screened.query, "query_key": screened.key, "results": results}),
            );
            queries.push((name.clone(), Ok(screened)));
        }
        let payload = json!({
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
