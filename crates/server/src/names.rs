//! Name screening: yente-compatible `/match`, `/search`, `/entities`,
//! `/catalog`, `/algorithms`.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resolute_casework::names::{
    Hit, NameScreeningRequest, ScreenedQuery, dataset_index, ready_engine,
};
use resolute_casework::suppress::suppression_json;
use resolute_casework::{DATASETS, Engine, entity_json};
use resolute_matching::{MatchOptions, Query};
use resolute_model::Schema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorCode};
use crate::metrics::Metrics;
use crate::{AppState, blocking};

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
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("threshold must be between 0 and 1, got {threshold}"),
        ));
    }
    let cutoff = p.cutoff.unwrap_or(DEFAULT_CUTOFF.min(threshold));
    if !(0.0..=1.0).contains(&cutoff) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("cutoff must be between 0 and 1, got {cutoff}"),
        ));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("limit must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    let algorithm = p.algorithm.clone().unwrap_or_else(|| "best".into());
    if algorithm != ALGORITHM && !ALGORITHM_ALIASES.contains(&algorithm.as_str()) {
        return Err(ApiError::new(
            ErrorCode::UnknownAlgorithm,
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

/// The index of `dataset` in the engine in force.
fn resolve_dataset<'a>(
    engine: &'a Engine,
    dataset: &str,
) -> Result<&'a resolute_matching::MatchIndex, ApiError> {
    dataset_index(engine, dataset)
        .map_err(|e| ApiError::new(ErrorCode::DatasetNotFound, e.to_string()))
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
fn write_hit(out: &mut Vec<u8>, engine: &Engine, hit: &Hit) {
    let r = &hit.result;
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
    put(out, &hit.is_open_match());
    out.extend_from_slice(b",\"explanations\":");
    put(out, &features);
    out.extend_from_slice(b",\"explanation\":");
    put(out, ex);
    out.extend_from_slice(b",\"explanation_text\":");
    put(out, &text);
    out.extend_from_slice(b",\"suppressed\":");
    put(out, &hit.suppression.is_some());
    if let Some(s) = &hit.suppression {
        out.extend_from_slice(b",\"suppression\":");
        put(out, &suppression_json(s));
    }
    out.push(b'}');
}

/// yente's per-query response `{status, results, total, query}`, as JSON text.
fn write_query(out: &mut Vec<u8>, engine: &Engine, q: &ScreenedQuery) {
    out.extend_from_slice(b"{\"status\":200,\"results\":[");
    for (i, hit) in q.hits.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_hit(out, engine, hit);
    }
    out.extend_from_slice(b"],\"total\":");
    put(out, &json!({"value": q.open_matches(), "relation": "eq"}));
    out.extend_from_slice(b",\"query\":");
    put(out, &q.query);
    out.push(b'}');
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
    ApiPath(dataset): ApiPath<String>,
    ApiQuery(params): ApiQuery<MatchParams>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let set = settings(&params)?;
    let engine = ready_engine(&state.casework)?;
    resolve_dataset(&engine, &dataset)?;
    let queries = body
        .get("queries")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidBody,
                "body must be {\"queries\": {\"<id>\": {\"schema\", \"properties\"}}}",
            )
        })?;
    if queries.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidBody, "queries is empty"));
    }
    if queries.len() > state.config.max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!(
                "{} queries in one request; the limit is {}",
                queries.len(),
                state.config.max_batch
            ),
        ));
    }
    let tunes = |field: &str| {
        body.get(field)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    };
    if tunes("weights") || tunes("config") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedOption,
            "`weights` and `config` tune nomenklatura's algorithms; Resolute's matcher has no such knobs (see GET /algorithms)",
        ));
    }
    let request = NameScreeningRequest {
        dataset,
        queries: queries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        options: set.options.clone(),
        algorithm: ALGORITHM.into(),
        algorithm_requested: set.algorithm.clone(),
    };
    let casework = state.casework.clone();
    let actor = caller.actor();
    let (done, responses) = blocking(move || {
        let done = casework.screen_names(&request, &actor, None)?;
        // Rendered here too: off the async workers, on the engine it was screened on.
        let engine = casework.engine();
        let responses: Vec<(String, Vec<u8>)> = done
            .queries
            .iter()
            .map(|(name, outcome)| {
                let text = match outcome {
                    Ok(q) => {
                        let mut out = Vec::with_capacity(2048 + 2048 * q.hits.len());
                        write_query(&mut out, &engine, q);
                        out
                    }
                    Err(message) => json!({"status": 400, "error": {"code": "invalid_query", "message": message}, "results": [], "total": {"value": 0, "relation": "eq"}})
                        .to_string()
                        .into_bytes(),
                };
                (name.clone(), text)
            })
            .collect();
        Ok::<_, ApiError>((done, responses))
    })
    .await?;
    let m = &state.metrics;
    Metrics::inc(&m.audit_records, 1);
    Metrics::inc(&m.cases_opened, done.cases.len() as u64);
    Metrics::inc(&m.screenings_name, 1);
    Metrics::inc(
        &m.queries,
        done.queries.iter().filter(|(_, q)| q.is_ok()).count() as u64,
    );
    Metrics::inc(&m.suppressed_hits, done.suppressed);
    // yente's body `{"responses": {name: response}, "limit"}` plus `resolute`,
    // written around the per-query JSON texts (query ids in order, as yente's dict).
    let responses: BTreeMap<String, Vec<u8>> = responses.into_iter().collect();
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
        &json!({"screening_id": done.screening_id, "audit_seq": done.audit_seq, "cases": done.cases, "list_versions": done.list_versions, "algorithm": ALGORITHM}),
    );
    out.push(b'}');
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&responses.len().to_string()) {
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
    ApiPath(dataset): ApiPath<String>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let engine = ready_engine(&state.casework)?;
    resolve_dataset(&engine, &dataset)?;
    let q =
        p.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, "q is required"))?
            .to_string();
    let schema = match p.schema.as_deref() {
        None => Schema::Thing,
        Some(s) => Schema::parse(s).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidParameter, format!("unknown schema {s:?}"))
        })?,
    };
    let limit = p.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    let opts = MatchOptions {
        threshold: DEFAULT_THRESHOLD,
        limit,
        cutoff: 0.3,
        as_of: None,
    };
    let out: Vec<Value> = blocking(move || {
        let index = resolve_dataset(&engine, &dataset)?;
        let results = index.search(&Query::name(schema, &q), &opts);
        Ok::<_, ApiError>(
            results
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
                .collect(),
        )
    })
    .await?;
    Ok(axum::Json(
        json!({"results": out, "total": {"value": out.len(), "relation": "eq"}, "limit": limit, "offset": 0}),
    ))
}

/// `GET /entities/{id}`.
#[utoipa::path(get, path = "/entities/{id}", tag = "yente-compatible", params(("id" = String, Path)),
    responses((status = 200), (status = 404)), security(("api_key" = [])))]
pub async fn entity(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let engine = state.engine();
    let e = engine
        .entity(&id)
        .ok_or_else(|| ApiError::new(ErrorCode::EntityNotFound, format!("no entity {id:?}")))?;
    Ok(axum::Json(entity_json(e)))
}

/// `GET /catalog`: the datasets and the list versions behind them.
#[utoipa::path(get, path = "/catalog", tag = "yente-compatible", responses((status = 200)), security(("api_key" = [])))]
pub async fn catalog(State(state): State<AppState>) -> axum::Json<Value> {
    let engine = state.engine();
    let datasets: Vec<Value> = DATASETS
        .iter()
        .map(|(name, title)| {
            let versions: Vec<&resolute_casework::VersionInfo> = engine
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
