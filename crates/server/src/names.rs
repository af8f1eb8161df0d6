//! Name screening: yente-compatible `/match`, `/search`, `/entities`,
//! `/catalog`, `/algorithms`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resolute_matching::{MatchOptions, MatchResult, Query};
use resolute_model::{Entity, Schema};
use resolute_store::{CanonicalPayload, NewCase, canonical_json, sha256_hex};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::auth::Caller;
use crate::engine::{DATASETS, Engine};
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::metrics::Metrics;
use crate::{AppState, new_screening_id};

/// yente's defaults (`YENTE_MATCH_PAGE`, `YENTE_MAX_MATCHES`, threshold, cutoff).
pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 500;
pub const DEFAULT_THRESHOLD: f64 = 0.7;
pub const DEFAULT_CUTOFF: f64 = 0.5;

/// Our algorithm, and the yente names accepted as aliases so existing clients
/// work unchanged (their scores come from Resolute's matcher: see `/algorithms`).
pub const ALGORITHM: &str = "resolute-v1";
const ALGORITHM_ALIASES: [&str; 8] = [
    "best",
    "logic-v2",
    "logic-v1",
    "ofac",
    "name-based",
    "name-qualified",
    "regression-v1",
    "resolute",
];

#[derive(Debug, Deserialize, Default)]
pub struct MatchParams {
    pub threshold: Option<f64>,
    pub cutoff: Option<f64>,
    pub limit: Option<usize>,
    pub algorithm: Option<String>,
}

#[derive(Debug)]
pub struct MatchSettings {
    pub options: MatchOptions,
    pub algorithm: String,
}

pub fn settings(p: &MatchParams) -> Result<MatchSettings, ApiError> {
    let threshold = p.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("threshold must be between 0 and 1, got {threshold}"),
        ));
    }
    let cutoff = p.cutoff.unwrap_or(DEFAULT_CUTOFF.min(threshold));
    if !(0.0..=1.0).contains(&cutoff) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("cutoff must be between 0 and 1, got {cutoff}"),
        ));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("limit must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    let algorithm = p.algorithm.clone().unwrap_or_else(|| "best".into());
    if algorithm != ALGORITHM && !ALGORITHM_ALIASES.contains(&algorithm.as_str()) {
        return Err(ApiError::bad_request(
            "unknown_algorithm",
            format!(
                "unknown algorithm {algorithm:?}; see GET /algorithms (accepted: {ALGORITHM}, {})",
                ALGORITHM_ALIASES.join(", ")
            ),
        ));
    }
    Ok(MatchSettings {
        options: MatchOptions {
            threshold,
            limit,
            cutoff,
            as_of: None,
        },
        algorithm,
    })
}

/// Same query → same key: schema and lower-cased, space-collapsed, sorted values.
pub fn query_key(schema: Schema, properties: &BTreeMap<String, Vec<String>>) -> String {
    let mut props = Map::new();
    for (k, vals) in properties {
        let mut vs: Vec<String> = vals
            .iter()
            .map(|v| {
                v.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .filter(|v| !v.is_empty())
            .collect();
        vs.sort();
        vs.dedup();
        if !vs.is_empty() {
            props.insert(k.clone(), Value::from(vs));
        }
    }
    let v = json!({"schema": schema.as_str(), "properties": props});
    sha256_hex(canonical_json(&v).as_bytes())[..32].to_string()
}

fn resolve_dataset<'a>(
    engine: &'a Engine,
    dataset: &str,
) -> Result<&'a resolute_matching::MatchIndex, ApiError> {
    engine.index(dataset).ok_or_else(|| {
        ApiError::not_found(
            "dataset_not_found",
            format!(
                "no dataset {dataset:?}; available: {}",
                DATASETS.iter().map(|d| d.0).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

pub fn ready_engine(state: &AppState) -> Result<Arc<Engine>, ApiError> {
    let engine = state.engine.get();
    if engine.versions.is_empty() {
        return Err(ApiError::unavailable(format!(
            "no list loaded yet: {}",
            engine.problems.join("; ")
        )));
    }
    Ok(engine)
}

/// FtM entity JSON in yente's `EntityResponse` shape, plus Resolute's list metadata.
pub fn entity_json(e: &Entity) -> Value {
    json!({
        "id": e.id,
        "caption": e.caption,
        "schema": e.schema.as_str(),
        "properties": e.properties,
        "datasets": e.datasets,
        "referents": [],
        "target": true,
        "first_seen": e.listed_on.map(|d| format!("{d}T00:00:00")),
        "last_seen": Value::Null,
        "last_change": e.last_updated.iter().max().map(|d| format!("{d}T00:00:00")),
        "ref": e.reference,
        "source": e.source.as_str(),
        "programs": e.programs,
        "listed_on": e.listed_on,
        "names": e.names,
    })
}

/// One feature of yente's `explanations`.
#[derive(Serialize)]
struct Feature<'a> {
    detail: &'a str,
    score: f64,
    query: Option<&'a str>,
    candidate: Option<&'a str>,
}

/// Append `value` as JSON (serialising the matcher's plain data cannot fail).
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A hit as yente shapes it (the entity, `score`, `match`, yente's
/// `explanations` `{feature: {detail, score, query, candidate}}`), plus the
/// structured `explanation`, its text and the suppression state. Written
/// straight to JSON text around the engine's cached entity JSON: building a
/// `Value` tree per hit was the largest share of a request's time.
fn write_result(out: &mut Vec<u8>, engine: &Engine, r: &MatchResult, suppression: Option<&Value>) {
    let fallback;
    let entity = match engine.entity_json_text(&r.id) {
        Some(text) => text,
        None => {
            fallback = json!({"id": r.id, "caption": r.caption, "schema": r.schema.as_str(), "properties": {}, "datasets": [], "ref": r.reference})
                .to_string();
            &fallback
        }
    };
    // The entity object, left open for the hit's own fields.
    out.extend_from_slice(entity.strip_suffix('}').unwrap_or(entity).as_bytes());
    let ex = &r.explanation;
    let text = ex.to_string();
    let mut features = BTreeMap::new();
    features.insert(
        "name_match",
        Feature {
            detail: text.lines().next().unwrap_or(""),
            score: ex.name_score,
            query: Some(&ex.query_name),
            candidate: Some(&ex.matched_name),
        },
    );
    for q in &ex.qualifiers {
        features.insert(
            q.feature.as_str(),
            Feature {
                detail: &q.detail,
                score: q.effect,
                query: None,
                candidate: None,
            },
        );
    }
    out.extend_from_slice(b",\"score\":");
    put(out, &r.score);
    out.extend_from_slice(b",\"match\":");
    put(out, &(r.is_match && suppression.is_none()));
    out.extend_from_slice(b",\"explanations\":");
    put(out, &features);
    out.extend_from_slice(b",\"explanation\":");
    put(out, ex);
    out.extend_from_slice(b",\"explanation_text\":");
    put(out, &text);
    out.extend_from_slice(b",\"suppressed\":");
    put(out, &suppression.is_some());
    if let Some(s) = suppression {
        out.extend_from_slice(b",\"suppression\":");
        put(out, s);
    }
    out.push(b'}');
}

/// One screened query, ready for the response, the audit record and a case.
#[derive(Debug)]
pub struct ScreenedQuery {
    pub key: String,
    /// yente's per-query response `{status, results, total, query}`, as JSON text.
    pub response: Vec<u8>,
    pub audit: Value,
    pub case: Option<NewCase>,
    pub suppressed: u64,
}

/// Screen one FtM query (already parsed) and shape the outcome.
#[allow(clippy::too_many_arguments)] // one call site; a parameter struct would only rename them
pub fn screen_query(
    state: &AppState,
    engine: &Engine,
    index: &resolute_matching::MatchIndex,
    correlation: &str,
    query: &Query,
    opts: &MatchOptions,
    screening_id: &str,
    kind: &str,
) -> ScreenedQuery {
    let key = query_key(query.schema, &query.properties);
    let results = index.search(query, opts);
    let suppressions = state.suppressions_snapshot();
    let mut out = Vec::with_capacity(2048 + 2048 * results.len());
    out.extend_from_slice(b"{\"status\":200,\"results\":[");
    let mut audit_results = Vec::with_capacity(results.len());
    let mut suppressed = 0;
    let mut total = 0;
    let mut best_open: Option<&MatchResult> = None;
    for (i, r) in results.iter().enumerate() {
        let supp = suppressions.get(&(key.clone(), r.id.clone())).and_then(|s| {
            // Lapses when the entry changed since the false-positive decision.
            (engine.fingerprint(&r.id) == Some(s.entity_fingerprint.as_str()))
                .then(|| json!({"id": s.id, "case_id": s.case_id, "created_by": s.created_by, "created_at": s.created_at, "note": s.note}))
        });
        if supp.is_some() {
            suppressed += 1;
        } else if r.is_match {
            total += 1;
            best_open.get_or_insert(r);
        }
        audit_results.push(json!({"id": r.id, "ref": r.reference, "score": r.score, "match": r.is_match, "suppressed": supp.is_some()}));
        if i > 0 {
            out.push(b',');
        }
        write_result(&mut out, engine, r, supp.as_ref());
    }
    let query_json =
        json!({"id": query.id, "schema": query.schema.as_str(), "properties": query.properties});
    let case = best_open.map(|r| NewCase {
        kind: kind.into(),
        screening_id: screening_id.into(),
        query_key: key.clone(),
        query: query_json.clone(),
        entity_id: Some(r.id.clone()),
        entity_ref: Some(r.reference.clone()),
        entity_caption: Some(r.caption.clone()),
        entity_fingerprint: engine.fingerprint(&r.id).map(str::to_string),
        score: Some(r.score),
        decision: None,
        summary: format!(
            "{:?} matched {} {} ({:.2}): {}",
            query.names().next().unwrap_or(""),
            r.reference,
            r.caption,
            r.score,
            r.explanation.method.replace('_', " ")
        ),
    });
    out.extend_from_slice(b"],\"total\":");
    put(&mut out, &json!({"value": total, "relation": "eq"}));
    out.extend_from_slice(b",\"query\":");
    put(&mut out, &query_json);
    out.push(b'}');
    ScreenedQuery {
        response: out,
        audit: json!({"correlation": correlation, "query": query_json, "query_key": key, "results": audit_results}),
        key,
        case,
        suppressed,
    }
}

/// Commit the screening's audit record and its cases; returns (seq, case ids).
pub async fn record_screening(
    state: &AppState,
    kind: &'static str,
    caller: &Caller,
    payload: Value,
    cases: Vec<NewCase>,
) -> Result<(i64, Vec<i64>), ApiError> {
    let actor = caller.actor();
    let n_cases = cases.len() as u64;
    let payload = CanonicalPayload::of(&payload);
    let out = state
        .store
        .write_async(move |ctx| {
            let receipt = ctx.append_audit_canonical(kind, &actor, &payload)?;
            let mut ids = Vec::with_capacity(cases.len());
            for c in &cases {
                ids.push(ctx.open_case(c, receipt.seq)?);
            }
            Ok((receipt.seq, ids))
        })
        .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Metrics::inc(&state.metrics.cases_opened, n_cases);
    Ok(out)
}

/// `POST /match/{dataset}`: yente's query-by-example screening, batched.
#[utoipa::path(
    post, path = "/match/{dataset}", tag = "yente-compatible",
    params(
        ("dataset" = String, Path, description = "default, un_sc_sanctions or us_ofac_sdn"),
        ("threshold" = Option<f64>, Query, description = "match = score >= threshold (default 0.7)"),
        ("limit" = Option<usize>, Query, description = "results per query (default 5, max 500)"),
        ("algorithm" = Option<String>, Query, description = "resolute-v1; yente names (best, logic-v2, …) are accepted as aliases"),
    ),
    request_body(content = Object, description = "{\"queries\": {\"q1\": {\"schema\": \"Person\", \"properties\": {\"name\": [\"…\"]}}}}"),
    responses((status = 200, description = "{\"responses\": {\"q1\": {\"status\", \"results\", \"total\", \"query\"}}, \"limit\"}"),
              (status = 400, description = "bad parameters or body"), (status = 401), (status = 403)),
    security(("api_key" = []))
)]
pub async fn match_entities(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(dataset): Path<String>,
    ApiQuery(params): ApiQuery<MatchParams>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let set = settings(&params)?;
    let engine = ready_engine(&state)?;
    let index = resolve_dataset(&engine, &dataset)?.clone();
    let queries = body
        .get("queries")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_body",
                "body must be {\"queries\": {\"<id>\": {\"schema\", \"properties\"}}}",
            )
        })?;
    if queries.is_empty() {
        return Err(ApiError::bad_request("invalid_body", "queries is empty"));
    }
    if queries.len() > state.config.max_batch {
        return Err(ApiError::bad_request(
            "batch_too_large",
            format!(
                "{} queries in one request; the limit is {}",
                queries.len(),
                state.config.max_batch
            ),
        ));
    }
    if body
        .get("weights")
        .is_some_and(|w| w.as_object().is_some_and(|m| !m.is_empty()))
        || body
            .get("config")
            .is_some_and(|w| w.as_object().is_some_and(|m| !m.is_empty()))
    {
        return Err(ApiError::bad_request(
            "unsupported_option",
            "`weights` and `config` tune nomenklatura's algorithms; Resolute's matcher has no such knobs (see GET /algorithms)",
        ));
    }
    let screening_id = new_screening_id();
    let queries: Vec<(String, Value)> = queries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let work = {
        let state = state.clone();
        let engine = engine.clone();
        let screening_id = screening_id.clone();
        let opts = set.options.clone();
        move || {
            queries
                .iter()
                .map(|(name, q)| match Query::from_json(q) {
                    Ok(query) => Ok(screen_query(
                        &state,
                        &engine,
                        &index,
                        name,
                        &query,
                        &opts,
                        &screening_id,
                        "name",
                    )),
                    Err(e) => Err((name.clone(), e.to_string())),
                })
                .zip(queries.iter().map(|(n, _)| n.clone()))
                .collect::<Vec<_>>()
        }
    };
    // Small batches inline; large ones off the async workers.
    let screened = if body["queries"].as_object().map_or(0, Map::len) > 4 {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ApiError::internal(format!("screening task: {e}")))?
    } else {
        work()
    };

    let mut responses: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut audit_queries = Map::new();
    let mut cases = Vec::new();
    let mut suppressed = 0;
    let mut n_ok = 0u64;
    for (outcome, name) in screened {
        match outcome {
            Ok(s) => {
                n_ok += 1;
                suppressed += s.suppressed;
                responses.insert(name.clone(), s.response);
                audit_queries.insert(name, s.audit);
                cases.extend(s.case);
            }
            Err((name, message)) => {
                audit_queries.insert(name.clone(), json!({"error": message}));
                responses.insert(
                    name,
                    json!({"status": 400, "error": {"code": "invalid_query", "message": message}, "results": [], "total": {"value": 0, "relation": "eq"}})
                        .to_string()
                        .into_bytes(),
                );
            }
        }
    }
    let payload = json!({
        "screening_id": screening_id,
        "dataset": dataset,
        "algorithm": ALGORITHM,
        "algorithm_requested": set.algorithm,
        "threshold": set.options.threshold,
        "cutoff": set.options.cutoff,
        "limit": set.options.limit,
        "list_versions": engine.version_ids(),
        "regime_version": engine.regime_version,
        "queries": audit_queries,
    });
    let (seq, case_ids) =
        record_screening(&state, "screening.name", &caller, payload, cases).await?;
    Metrics::inc(&state.metrics.screenings_name, 1);
    Metrics::inc(&state.metrics.queries, n_ok);
    Metrics::inc(&state.metrics.suppressed_hits, suppressed);
    let n = responses.len();
    // yente's body `{"responses": {name: response}, "limit"}` plus `resolute`,
    // written around the per-query JSON texts.
    let mut out = Vec::with_capacity(256 + responses.values().map(Vec::len).sum::<usize>());
    out.extend_from_slice(b"{\"responses\":{");
    for (i, (name, response)) in responses.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        put(&mut out, name);
        out.push(b':');
        out.extend_from_slice(response);
    }
    out.extend_from_slice(b"},\"limit\":");
    put(&mut out, &set.options.limit);
    out.extend_from_slice(b",\"resolute\":");
    put(
        &mut out,
        &json!({"screening_id": screening_id, "audit_seq": seq, "cases": case_ids, "list_versions": engine.version_ids(), "algorithm": ALGORITHM}),
    );
    out.push(b'}');
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&n.to_string()) {
        headers.insert("x-batch-size", v);
    }
    Ok((StatusCode::OK, headers, out).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub schema: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /search/{dataset}?q=`: free-text name search (not audited: no decision is taken on it).
#[utoipa::path(
    get, path = "/search/{dataset}", tag = "yente-compatible",
    params(("dataset" = String, Path), ("q" = String, Query), ("schema" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, description = "{\"results\", \"total\", \"limit\", \"offset\"}")),
    security(("api_key" = []))
)]
pub async fn search(
    State(state): State<AppState>,
    Path(dataset): Path<String>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let engine = ready_engine(&state)?;
    let index = resolve_dataset(&engine, &dataset)?;
    let q =
        p.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .ok_or_else(|| ApiError::bad_request("invalid_parameter", "q is required"))?;
    let schema = match p.schema.as_deref() {
        None => Schema::Thing,
        Some(s) => Schema::parse(s).ok_or_else(|| {
            ApiError::bad_request("invalid_parameter", format!("unknown schema {s:?}"))
        })?,
    };
    let limit = p.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    let opts = MatchOptions {
        threshold: DEFAULT_THRESHOLD,
        limit,
        cutoff: 0.3,
        as_of: None,
    };
    let results = index.search(&Query::name(schema, q), &opts);
    let out: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = engine
                .entity(&r.id)
                .map(entity_json)
                .unwrap_or_else(|| json!({"id": r.id}));
            if let Value::Object(m) = &mut v {
                m.insert("score".into(), json!(r.score));
            }
            v
        })
        .collect();
    Ok(axum::Json(
        json!({"results": out, "total": {"value": out.len(), "relation": "eq"}, "limit": limit, "offset": 0}),
    ))
}

/// `GET /entities/{id}`.
#[utoipa::path(get, path = "/entities/{id}", tag = "yente-compatible", params(("id" = String, Path)),
    responses((status = 200), (status = 404)), security(("api_key" = [])))]
pub async fn entity(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let engine = state.engine.get();
    let e = engine
        .entity(&id)
        .ok_or_else(|| ApiError::not_found("entity_not_found", format!("no entity {id:?}")))?;
    Ok(axum::Json(entity_json(e)))
}

/// `GET /catalog`: the datasets and the list versions behind them.
#[utoipa::path(get, path = "/catalog", tag = "yente-compatible", responses((status = 200)), security(("api_key" = [])))]
pub async fn catalog(State(state): State<AppState>) -> axum::Json<Value> {
    let engine = state.engine.get();
    let datasets: Vec<Value> = DATASETS
        .iter()
        .map(|(name, title)| {
            let versions: Vec<&crate::engine::VersionInfo> = engine
                .version_info
                .iter()
                .filter(|v| *name == "default" || v.source.dataset() == *name)
                .collect();
            let entity_count: usize = versions.iter().map(|v| v.entities).sum();
            json!({
                "name": name,
                "title": title,
                "load": true,
                "entity_count": entity_count,
                "version": versions.iter().map(|v| v.id.clone()).collect::<Vec<_>>().join("+"),
                "children": if *name == "default" { json!(["un_sc_sanctions", "us_ofac_sdn"]) } else { json!([]) },
                "index_current": true,
                "index_version": versions.iter().map(|v| v.content_hash.get(..8).unwrap_or("")).collect::<Vec<_>>().join("+"),
            })
        })
        .collect();
    axum::Json(
        json!({"datasets": datasets, "current": DATASETS.iter().map(|d| d.0).collect::<Vec<_>>(), "outdated": [], "index_stale": false}),
    )
}

/// `GET /algorithms`.
#[utoipa::path(get, path = "/algorithms", tag = "yente-compatible", responses((status = 200)), security(("api_key" = [])))]
pub async fn algorithms() -> axum::Json<Value> {
    let description = "Resolute's name matcher: Korean-aware romanisation and name-part alignment over every listed name \
        (primary, aliases, original script), with weak aliases discounted; \
        yente's algorithm names (best, logic-v2, logic-v1, ofac, name-based, name-qualified, regression-v1) are accepted \
        as aliases and answered by this matcher.";
    axum::Json(json!({
        "algorithms": [{
            "name": ALGORITHM,
            "description": description,
            "features": ["name_match"],
            "docs": {
                "name": ALGORITHM,
                "description": description,
                "config": {},
                "features": {"name_match": {"description": "Best score over every query name against every listed name, with the pair explained.", "coefficient": 1.0, "url": ""}},
            },
        }],
        "default": ALGORITHM,
        "best": ALGORITHM,
        "aliases": ALGORITHM_ALIASES,
    }))
}
