//! Name screening and list access as yente 5.5.0 serves them: `/match`,
//! `/search`, `/entities` (nested, adjacent), `/catalog`, `/algorithms`.
//!
//! The shapes are yente's pydantic models (`yente/data/common.py`), the
//! parameters and defaults those of its routers (`yente/routers/*.py`):
//! a wrong type or range is FastAPI's 422 with its problem list, a request
//! yente refuses is a 400 with yente's `detail` wording, every filter yente
//! defines is applied (in `resolute_casework::names`), and a parameter yente
//! does not define is ignored as yente ignores it, but named in the
//! `x-ignored-parameters` header. Resolute's own fields ride along (`ref`,
//! `explanation`, `resolute`); yente's clients ignore them.

mod params;

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use resolute_casework::names::search::{
    Facet, FilterOp, SearchRequest, SortKey, find_entity, limit_window, search as run_search,
};
use resolute_casework::names::{
    ExampleQuery, Hit, MatchFilters, NameScreeningRequest, ScreenedQuery, dataset_index,
    ready_engine,
};
use resolute_casework::suppress::suppression_json;
use resolute_casework::{DATASETS, Engine};
use resolute_matching::MatchOptions;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiBytes, ApiError, ApiPath, ErrorBody, ErrorCode};
use crate::metrics::Metrics;
use crate::{AppState, blocking};
pub(crate) use params::{Params, ignored_header};

/// yente's defaults (`YENTE_MATCH_PAGE`, `YENTE_MAX_MATCHES`, `SCORE_THRESHOLD`,
/// `DEFAULT_PAGE`, `MAX_PAGE`, `MAX_OFFSET`).
pub const DEFAULT_LIMIT: i64 = 5;
pub const MAX_LIMIT: i64 = 500;
pub const DEFAULT_THRESHOLD: f64 = 0.7;
pub const DEFAULT_PAGE: i64 = 10;
pub const MAX_PAGE: i64 = 500;
pub const MAX_OFFSET: i64 = 9999 - 500;

/// Resolute's matcher.
pub const ALGORITHM: &str = "resolute-v1";
/// yente 5.5.0's algorithm names (`ENABLED_ALGORITHMS`), accepted in any
/// case and answered by Resolute's matcher (see `/algorithms`).
pub const YENTE_ALGORITHMS: [&str; 5] = [
    "logic-v2",
    "name-based",
    "name-qualified",
    "logic-v1",
    "regression-v1",
];

/// The algorithm asked for, as yente's `get_algorithm_by_name` reads it
/// (`best` and yente's names, any case); `None`: not offered.
pub fn algorithm_name(requested: &str) -> Option<&'static str> {
    let clean = requested.trim().to_lowercase();
    if clean == "best" || clean == ALGORITHM {
        return Some(ALGORITHM);
    }
    YENTE_ALGORITHMS.iter().copied().find(|a| *a == clean)
}

fn dataset_or_404(engine: &Engine, dataset: &str) -> Result<(), ApiError> {
    dataset_index(engine, dataset).map(|_| ()).map_err(|_| {
        ApiError::new(
            ErrorCode::DatasetNotFound,
            format!(
                "No such dataset: {dataset:?} (available: {}).",
                DATASETS.iter().map(|d| d.0).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

// ------------------------------------------------------------------ /match body

/// A problem in the body, FastAPI's way. (`json!`: a problem's `input` is
/// whatever the client sent, and FastAPI's problem shapes vary by `type`.)
fn body_problem(kind: &str, loc: &[&str], msg: &str, input: &Value) -> Value {
    let mut l = vec![Value::from("body")];
    l.extend(loc.iter().map(|x| Value::from(*x)));
    json!({"type": kind, "loc": l, "msg": msg, "input": input})
}

const NOT_AN_OBJECT: &str = "Input should be a valid dictionary or object to extract fields from";

/// The body as JSON: without a Content-Type or with a JSON one (yente's
/// `strict_content_type=False`); any other type is not an object to FastAPI.
fn body_json(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let json_type = content_type.as_deref().is_none_or(|t| {
        t.is_empty()
            || t == "application/json"
            || (t.starts_with("application/") && t.ends_with("+json"))
    });
    let text = String::from_utf8_lossy(bytes);
    if !json_type {
        return Err(ApiError::validation(vec![body_problem(
            "model_attributes_type",
            &[],
            NOT_AN_OBJECT,
            &json!(text),
        )]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        // FastAPI names the byte where decoding failed.
        let offset: usize = text
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
            + e.column().saturating_sub(1);
        // A FastAPI problem (`ErrorBody.detail`), shaped as pydantic has it.
        ApiError::validation(vec![json!({
            "type": "json_invalid", "loc": ["body", offset], "msg": "JSON decode error",
            "input": {}, "ctx": {"error": e.to_string()},
        })])
    })
}

/// One query's values: a string or a list (yente's `Union[str, List[Any]]`).
fn property_values(v: &Value) -> Option<Vec<String>> {
    let scalar = |x: &Value| match x {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => Some(items.iter().filter_map(scalar).collect()),
        _ => None,
    }
}

/// yente's `EntityMatchQuery` checked: `(query id, id, schema, properties)`,
/// with the `weights` and `config` given, or every problem found.
#[allow(clippy::type_complexity)]
fn match_body(
    body: &Value,
) -> Result<
    (
        Vec<(String, Option<String>, String, Vec<(String, Vec<String>)>)>,
        BTreeMap<String, f64>,
        Vec<String>,
    ),
    Vec<Value>,
> {
    let mut problems = Vec::new();
    let Some(obj) = body.as_object() else {
        return Err(vec![body_problem(
            "model_attributes_type",
            &[],
            NOT_AN_OBJECT,
            body,
        )]);
    };
    let mut weights = BTreeMap::new();
    match obj.get("weights") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                match v.as_f64() {
                    Some(f) => {
                        weights.insert(k.clone(), f);
                    }
                    None => problems.push(body_problem(
                        "float_type",
                        &["weights", k],
                        "Input should be a valid number",
                        v,
                    )),
                }
            }
        }
        Some(other) => problems.push(body_problem(
            "dict_type",
            &["weights"],
            "Input should be a valid dictionary",
            other,
        )),
    }
    let mut config = Vec::new();
    match obj.get("config") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if v.is_object() || v.is_array() {
                    problems.push(body_problem(
                        "string_type",
                        &["config", k, "str"],
                        "Input should be a valid string",
                        v,
                    ));
                }
                config.push(k.clone());
            }
        }
        Some(other) => problems.push(body_problem(
            "dict_type",
            &["config"],
            "Input should be a valid dictionary",
            other,
        )),
    }
    let mut queries = Vec::new();
    match obj.get("queries") {
        None => problems.push(body_problem(
            "missing",
            &["queries"],
            "Field required",
            body,
        )),
        Some(Value::Object(m)) => {
            for (name, q) in m {
                let Some(qo) = q.as_object() else {
                    problems.push(body_problem(
                        "model_attributes_type",
                        &["queries", name],
                        NOT_AN_OBJECT,
                        q,
                    ));
                    continue;
                };
                let id = match qo.get("id") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(other) => {
                        problems.push(body_problem(
                            "string_type",
                            &["queries", name, "id"],
                            "Input should be a valid string",
                            other,
                        ));
                        None
                    }
                };
                let schema = match qo.get("schema") {
                    Some(Value::String(s)) => Some(s.clone()),
                    None => {
                        problems.push(body_problem(
                            "missing",
                            &["queries", name, "schema"],
                            "Field required",
                            q,
                        ));
                        None
                    }
                    Some(other) => {
                        problems.push(body_problem(
                            "string_type",
                            &["queries", name, "schema"],
                            "Input should be a valid string",
                            other,
                        ));
                        None
                    }
                };
                let mut props = Vec::new();
                match qo.get("properties") {
                    None => problems.push(body_problem(
                        "missing",
                        &["queries", name, "properties"],
                        "Field required",
                        q,
                    )),
                    Some(Value::Object(pm)) => {
                        for (p, v) in pm {
                            match property_values(v) {
                                Some(values) => props.push((p.clone(), values)),
                                None => {
                                    problems.push(body_problem(
                                        "string_type",
                                        &["queries", name, "properties", p, "str"],
                                        "Input should be a valid string",
                                        v,
                                    ));
                                    problems.push(body_problem(
                                        "list_type",
                                        &["queries", name, "properties", p, "list[any]"],
                                        "Input should be a valid list",
                                        v,
                                    ));
                                }
                            }
                        }
                    }
                    Some(other) => problems.push(body_problem(
                        "dict_type",
                        &["queries", name, "properties"],
                        "Input should be a valid dictionary",
                        other,
                    )),
                }
                if let Some(schema) = schema {
                    queries.push((name.clone(), id, schema, props));
                }
            }
        }
        Some(other) => problems.push(body_problem(
            "dict_type",
            &["queries"],
            "Input should be a valid dictionary",
            other,
        )),
    }
    if problems.is_empty() {
        Ok((queries, weights, config))
    } else {
        Err(problems)
    }
}

/// The filters common to `/match` and `/search`.
fn scope_filters(p: &mut Params) -> MatchFilters {
    MatchFilters {
        include_dataset: p.all("include_dataset"),
        exclude_dataset: p.all("exclude_dataset"),
        exclude_schema: p.all("exclude_schema"),
        topics: Vec::new(),
        changed_since: p.timestamp("changed_since"),
        exclude_entity_ids: Vec::new(),
    }
}

// ------------------------------------------------------------------ /match answer

/// One feature of yente's `explanations` (nomenklatura's `FeatureResult`).
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

/// A hit as yente shapes it (`ScoredEntityResponse`: the entity, `score`,
/// `match`, `explanations` `{feature: {detail, score, query, candidate}}`),
/// plus the structured `explanation`, its text and the suppression state.
/// Written straight to JSON text around the engine's cached entity JSON:
/// building a `Value` tree per hit was the largest share of a request's time.
fn write_hit(out: &mut Vec<u8>, engine: &Engine, hit: &Hit) {
    let r = &hit.result;
    let fallback;
    // Not reached while the engine that screened renders (it has every entity);
    // a minimal yente entity rather than a broken answer.
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

/// yente's `EntityMatches`: one query's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityMatches<'a> {
    /// Always 200.
    pub status: u16,
    /// Best first (written by `write_hit` around the cached entity JSON).
    #[schema(value_type = Vec<ScoredEntity>)]
    pub results: Vec<Box<RawValue>>,
    pub total: Total,
    /// The query as cleaned: `{"id", "schema", "properties"}`.
    #[schema(value_type = Object)]
    pub query: &'a Value,
}

/// yente's `TotalSpec`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Total {
    pub value: usize,
    /// Always `eq`.
    pub relation: String,
}

impl Total {
    fn eq(value: usize) -> Total {
        Total {
            value,
            relation: "eq".into(),
        }
    }
}

/// yente's `EntityMatches` of one query.
fn query_matches<'a>(engine: &Engine, q: &'a ScreenedQuery) -> Result<EntityMatches<'a>, ApiError> {
    let mut results = Vec::with_capacity(q.hits.len());
    for hit in &q.hits {
        let mut out = Vec::with_capacity(4096);
        write_hit(&mut out, engine, hit);
        let text =
            String::from_utf8(out).map_err(|e| ApiError::internal(format!("match result: {e}")))?;
        results.push(
            RawValue::from_string(text)
                .map_err(|e| ApiError::internal(format!("match result: {e}")))?,
        );
    }
    Ok(EntityMatches {
        status: 200,
        results,
        total: Total::eq(q.total),
        query: &q.query,
    })
}

/// yente's `EntityMatchResponse` `{responses: {query id: EntityMatches}, limit}` plus `resolute`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse<'a> {
    /// Per query id (yente's dict; ids in order).
    pub responses: BTreeMap<&'a str, EntityMatches<'a>>,
    pub limit: i64,
    pub resolute: MatchRecord<'a>,
}

/// What Resolute recorded for a name screening.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchRecord<'a> {
    pub screening_id: &'a str,
    pub audit_seq: i64,
    /// Ids of the cases opened.
    pub cases: &'a [i64],
    pub list_versions: &'a [String],
    /// Always `resolute-v1`: the matcher that answered.
    pub algorithm: &'a str,
}

/// An entity as `/entities`, `/search` and `/match` give it: yente's
/// `EntityResponse` (`id`, `caption`, `schema`, `properties`, `datasets`…)
/// plus Resolute's list metadata. (Rendered by `resolute_casework`; this type
/// describes it.)
#[derive(Debug, ToSchema)]
pub struct Entity {
    pub id: String,
    pub caption: String,
    /// FollowTheMoney schema (`Person`, `Organization`, `Vessel`, `Sanction`…).
    pub schema: String,
    /// FtM properties: name → values (strings; on `/entities`, nested entities too).
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Vec<Value>>,
    pub datasets: Vec<String>,
    pub referents: Vec<String>,
    pub target: bool,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub last_change: Option<String>,
    /// The list's reference number (`KPi.033`, an SDN uid).
    #[schema(rename = "ref")]
    pub reference: Option<String>,
    /// `un` or `ofac-sdn`.
    pub source: Option<String>,
    pub programs: Option<Vec<String>>,
    pub listed_on: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub names: Option<Vec<Value>>,
}

/// A `/match` result: yente's `ScoredEntityResponse` (the [`Entity`] fields,
/// `score`, `match`, `explanations`) plus Resolute's `explanation`,
/// `explanation_text` and suppression state. (Written by `write_hit`; this
/// type describes it.)
#[derive(Debug, ToSchema)]
pub struct ScoredEntity {
    pub id: String,
    pub caption: String,
    pub schema: String,
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Vec<Value>>,
    pub datasets: Vec<String>,
    pub referents: Vec<String>,
    pub target: bool,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub last_change: Option<String>,
    #[schema(rename = "ref")]
    pub reference: Option<String>,
    pub source: Option<String>,
    pub programs: Option<Vec<String>>,
    pub listed_on: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub names: Option<Vec<Value>>,
    pub score: f64,
    /// score ≥ threshold and not cleared by a suppression.
    #[schema(rename = "match")]
    pub is_match: bool,
    /// nomenklatura's `{feature: {detail, score, query, candidate}}`.
    #[schema(value_type = Object)]
    pub explanations: BTreeMap<String, Value>,
    /// The matcher's structured explanation (names aligned, qualifiers).
    #[schema(value_type = Object)]
    pub explanation: Value,
    pub explanation_text: String,
    /// A false-positive decision clears this pair.
    pub suppressed: bool,
    /// `{id, case_id, created_by, created_at, note}` when suppressed.
    #[schema(value_type = Option<Object>)]
    pub suppression: Option<Value>,
}

/// `POST /match/{dataset}`: yente's query-by-example screening, batched and recorded.
#[utoipa::path(
    post, path = "/match/{dataset}", tag = "yente-compatible",
    params(
        ("dataset" = String, Path, description = "default, un_sc_sanctions or us_ofac_sdn"),
        ("limit" = Option<i64>, Query, description = "results per query (default 5, at most 500)"),
        ("threshold" = Option<f64>, Query, description = "match = score >= threshold (default 0.7)"),
        ("cutoff" = Option<f64>, Query, description = "results scoring below it are not returned (default: the threshold; never above it)"),
        ("algorithm" = Option<String>, Query, description = "best, resolute-v1 or yente's names (logic-v2, name-based, …; any case), all answered by Resolute's matcher"),
        ("include_dataset" = Option<Vec<String>>, Query, description = "only these datasets (repeat the parameter)"),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "not these datasets"),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "not entities of these schemata"),
        ("topics" = Option<Vec<String>>, Query, description = "only entities with one of these topics (sanction…)"),
        ("changed_since" = Option<String>, Query, description = "only entities the list changed after YYYY-MM-DD[THH[:MM[:SS]]]"),
        ("exclude_entity_ids" = Option<Vec<String>>, Query, description = "not these entities (at most 50)"),
    ),
    request_body(content = Object, description = "yente's EntityMatchQuery: {\"queries\": {\"q1\": {\"schema\": \"Person\", \"properties\": {\"name\": [\"…\"]}}}}; a Content-Type is optional"),
    responses((status = 200, body = MatchResponse, description = "yente's EntityMatchResponse plus `resolute`"),
              (status = 400, body = ErrorBody, description = "a query yente refuses (unknown schema, algorithm, config option, too many queries)"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such dataset"),
              (status = 422, body = ErrorBody, description = "parameters or body of the wrong type or range (FastAPI's problem list)"),
              (status = 503, body = ErrorBody, description = "lists not loaded, or the request's time budget ran out")),
    security(("api_key" = []))
)]
pub async fn match_entities(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let limit = p.int("limit", DEFAULT_LIMIT, Some(0), Some(MAX_LIMIT));
    let threshold = p.float("threshold", DEFAULT_THRESHOLD, 0.0, 1.0);
    let cutoff = p.float("cutoff", threshold, 0.0, 1.0);
    let algorithm = p.last("algorithm").unwrap_or_else(|| "best".into());
    let mut filters = scope_filters(&mut p);
    filters.topics = p.all("topics");
    filters.exclude_entity_ids = p.list_max("exclude_entity_ids", 50);
    let body = body_json(&headers, &body);
    // FastAPI reports the parameters' and the body's problems together.
    let parsed = match (p.finish(), body) {
        (Ok(ignored), Ok(v)) => match match_body(&v) {
            Ok(b) => (ignored, b),
            Err(problems) => return Err(ApiError::validation(problems)),
        },
        (Err(mut e), Ok(v)) => {
            if let Err(more) = match_body(&v) {
                e.problems.extend(more);
            }
            return Err(ApiError::validation(e.problems));
        }
        (Ok(_), Err(e)) => return Err(e),
        (Err(mut e), Err(b)) => {
            e.problems.extend(b.problems);
            return Err(ApiError::validation(e.problems));
        }
    };
    let (ignored, (raw_queries, weights, config)) = parsed;
    let engine = ready_engine(&state.casework)?;
    dataset_or_404(&engine, &dataset)?;
    let Some(algorithm_used) = algorithm_name(&algorithm) else {
        return Err(ApiError::new(
            ErrorCode::UnknownAlgorithm,
            format!("Invalid algorithm: {algorithm}"),
        ));
    };
    // Resolute's matcher has no configuration options (GET /algorithms says
    // so): yente's answer for an option the algorithm does not define.
    if let Some(key) = config.first() {
        return Err(ApiError::new(
            ErrorCode::UnsupportedOption,
            format!("Invalid configuration parameter: {key} for algorithm {algorithm_used}"),
        ));
    }
    if let Some(key) = weights.keys().next() {
        return Err(ApiError::new(
            ErrorCode::UnsupportedOption,
            format!(
                "Invalid weight: {key} for algorithm {algorithm_used}; Resolute's matcher has no feature weights (see GET /algorithms)"
            ),
        ));
    }
    let max_batch = state.config.max_batch;
    if raw_queries.len() > max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!("Too many queries in one batch (limit: {max_batch})"),
        ));
    }
    let mut queries = Vec::with_capacity(raw_queries.len());
    for (name, id, schema, props) in raw_queries {
        let q = ExampleQuery::new(id, &schema, &props).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidQuery,
                format!("Cannot parse example entity: {e}"),
            )
        })?;
        queries.push((name, q));
    }
    if queries.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "No queries provided.",
        ));
    }
    let options = MatchOptions {
        threshold,
        limit: limit as usize,
        cutoff: cutoff.min(threshold),
        as_of: None,
    };
    let request = NameScreeningRequest {
        dataset,
        queries,
        options,
        filters,
        algorithm: ALGORITHM.into(),
        algorithm_requested: algorithm,
        limits: state.config.query_limits,
    };
    let casework = state.casework.clone();
    let actor = caller.actor();
    // Dropped with this future when the client goes: the matching stops.
    let budget = crate::RequestBudget::start(state.config.match_budget);
    let (deadline, cancelled) = budget.handle();
    let (done, text) = blocking(move || {
        let budget = resolute_matching::Budget {
            deadline: Some(deadline),
            cancel: Some(&cancelled),
        };
        let done = casework.screen_names(&request, &actor, &budget)?;
        // Rendered here too: off the async workers, on the engine it was screened on.
        let engine = casework.engine();
        let text = {
            let mut responses = BTreeMap::new();
            for (name, q) in &done.queries {
                responses.insert(name.as_str(), query_matches(&engine, q)?);
            }
            let body = MatchResponse {
                responses,
                limit,
                resolute: MatchRecord {
                    screening_id: &done.screening_id,
                    audit_seq: done.audit_seq,
                    cases: &done.cases,
                    list_versions: &done.list_versions,
                    algorithm: ALGORITHM,
                },
            };
            serde_json::to_vec(&body)
                .map_err(|e| ApiError::internal(format!("match response: {e}")))?
        };
        Ok::<_, ApiError>((done, text))
    })
    .await?;
    let m = &state.metrics;
    Metrics::inc(&m.audit_records, 1);
    Metrics::inc(&m.cases_opened, done.cases.len() as u64);
    Metrics::inc(&m.screenings_name, 1);
    Metrics::inc(&m.queries, done.queries.len() as u64);
    Metrics::inc(&m.suppressed_hits, done.suppressed);
    // The MatchResponse, serialised above off the async workers.
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&done.queries.len().to_string()) {
        headers.insert("x-batch-size", v);
    }
    ignored_header(&mut headers, &ignored);
    Ok((StatusCode::OK, headers, text).into_response())
}

// ------------------------------------------------------------------ /search

const FACETS: [&str; 6] = [
    "datasets",
    "schema",
    "countries",
    "identifiers",
    "topics",
    "genders",
];

/// `GET /search/{dataset}`: yente's text search (not audited: no decision is taken on it).
#[utoipa::path(
    get, path = "/search/{dataset}", tag = "yente-compatible",
    params(
        ("dataset" = String, Path),
        ("q" = Option<String>, Query, description = "words (all required), \"phrases\", prefix*, -exclusions, OR, parentheses; empty lists every entity"),
        ("schema" = Option<String>, Query, description = "FtM schema (default Thing)"),
        ("countries" = Option<Vec<String>>, Query), ("topics" = Option<Vec<String>>, Query), ("datasets" = Option<Vec<String>>, Query),
        ("filter" = Option<Vec<String>>, Query, description = "field:value (schema, caption, entity_id, target, countries, identifiers, dates, properties.<name>…)"),
        ("filter_op" = Option<String>, Query, description = "OR (default) or AND: how several values of one field combine"),
        ("include_dataset" = Option<Vec<String>>, Query), ("exclude_dataset" = Option<Vec<String>>, Query),
        ("exclude_schema" = Option<Vec<String>>, Query), ("changed_since" = Option<String>, Query),
        ("target" = Option<bool>, Query), ("fuzzy" = Option<bool>, Query), ("simple" = Option<bool>, Query),
        ("facets" = Option<Vec<String>>, Query, description = "default countries, topics, datasets"),
        ("sort" = Option<Vec<String>>, Query, description = "field:asc|desc"),
        ("limit" = Option<i64>, Query, description = "default 10, at most 500"),
        ("offset" = Option<i64>, Query, description = "at most 9499"),
    ),
    responses((status = 200, body = SearchResponse, description = "yente's SearchResponse"),
              (status = 400, body = ErrorBody, description = "invalid schema, filter, sort or query syntax"), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("api_key" = []))
)]
pub async fn search(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let q = p.last("q").unwrap_or_default();
    let schema = p.last("schema").unwrap_or_else(|| "Thing".into());
    let scope = scope_filters(&mut p);
    let mut filters: Vec<(String, String)> = Vec::new();
    for field in ["countries", "topics", "datasets"] {
        for v in p.all(field) {
            filters.push((field.to_string(), v));
        }
    }
    let raw_filters = p.all("filter");
    let limit = p.int("limit", DEFAULT_PAGE, None, Some(MAX_PAGE));
    let offset = p.int("offset", 0, None, Some(MAX_OFFSET));
    let sort: Vec<SortKey> = p.all("sort").iter().map(|s| SortKey::parse(s)).collect();
    let target = p.boolean("target");
    let fuzzy = p.boolean("fuzzy").unwrap_or(false);
    let simple = p.boolean("simple").unwrap_or(false);
    let facet_names = p.all("facets");
    let mut facets = Vec::new();
    for f in &facet_names {
        if p.choice("facets", f, &FACETS)
            && let Some(facet) = Facet::parse(f)
        {
            facets.push(facet);
        }
    }
    if facet_names.is_empty() {
        facets = Facet::DEFAULT.to_vec();
    }
    let filter_op = match p.last("filter_op") {
        None => FilterOp::Or,
        Some(op) if p.choice("filter_op", &op, &["AND", "OR"]) && op == "AND" => FilterOp::And,
        Some(_) => FilterOp::Or,
    };
    let ignored = p.finish()?;
    for f in raw_filters {
        let Some((field, value)) = f.split_once(':') else {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Invalid filter: '{f}'"),
            ));
        };
        filters.push((field.to_string(), value.to_string()));
    }
    if let Some(t) = target {
        filters.push(("target".into(), t.to_string()));
    }
    let engine = ready_engine(&state.casework)?;
    dataset_or_404(&engine, &dataset)?;
    let (limit, offset) = limit_window(limit.max(0) as usize, offset.max(0) as usize);
    let req = SearchRequest {
        dataset,
        q,
        schema,
        scope,
        filters,
        filter_op,
        facets,
        sort,
        limit,
        offset,
        fuzzy,
        simple,
    };
    let page = blocking(move || run_search(&engine, &req).map_err(ApiError::from)).await?;
    let body = SearchResponse {
        results: page.results,
        facets: page.facets,
        total: Total::eq(page.total),
        limit: page.limit,
        offset: page.offset,
    };
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, &ignored);
    Ok((StatusCode::OK, headers, axum::Json(body)).into_response())
}

/// yente's `SearchResponse`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    #[schema(value_type = Vec<Entity>)]
    pub results: Vec<Value>,
    /// yente's `{field: {label, values: [{name, label, count}]}}`.
    #[schema(value_type = Object)]
    pub facets: Value,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

// ------------------------------------------------------------------ /entities

/// yente's `EntityAdjacentResponse`: the entity and a page of adjacent entities per property.
#[derive(Debug, ToSchema)]
pub struct EntityAdjacent {
    pub entity: Entity,
    /// Property name → [`AdjacentPage`].
    pub adjacent: BTreeMap<String, AdjacentPage>,
}

/// yente's `AdjacentResultsResponse`: a page of entities adjacent through one property.
/// (Rendered by `resolute_casework`; this type describes it.)
#[derive(Debug, ToSchema)]
pub struct AdjacentPage {
    pub results: Vec<Entity>,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

fn no_such_entity() -> ApiError {
    ApiError::new(ErrorCode::EntityNotFound, "No such entity!")
}

/// `GET /entities/{id}`: an entry (or the `Sanction` adjacent to one), with
/// its adjacent entities nested unless `nested=false` (yente's default is nested).
#[utoipa::path(get, path = "/entities/{id}", tag = "yente-compatible",
    params(("id" = String, Path), ("nested" = Option<bool>, Query, description = "nest adjacent entities (default true)")),
    responses((status = 200, body = Entity, description = "yente's EntityResponse"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("api_key" = [])))]
pub async fn entity(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let nested = p.boolean("nested").unwrap_or(true);
    let ignored = p.finish()?;
    let engine = state.engine();
    let found = find_entity(&engine, &id).ok_or_else(no_such_entity)?;
    let body = if nested {
        found.nested_json()
    } else {
        found.json()
    };
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, &ignored);
    Ok((StatusCode::OK, headers, axum::Json(body)).into_response())
}

/// `limit`, `offset` and `sort` of the adjacency endpoints.
fn adjacency_page(p: &mut Params) -> (usize, usize) {
    let limit = p.int("limit", DEFAULT_PAGE, None, Some(MAX_PAGE));
    let offset = p.int("offset", 0, None, Some(MAX_OFFSET));
    // One adjacent entity per property at most: any order is the order.
    let _ = p.all("sort");
    limit_window(limit.max(0) as usize, offset.max(0) as usize)
}

/// `GET /entities/{id}/adjacent`: the entity and a page of adjacent entities per property.
#[utoipa::path(get, path = "/entities/{id}/adjacent", tag = "yente-compatible",
    params(("id" = String, Path), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query), ("sort" = Option<Vec<String>>, Query)),
    responses((status = 200, body = EntityAdjacent, description = "yente's EntityAdjacentResponse"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("api_key" = [])))]
pub async fn adjacent(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let (limit, offset) = adjacency_page(&mut p);
    let ignored = p.finish()?;
    let engine = state.engine();
    let found = find_entity(&engine, &id).ok_or_else(no_such_entity)?;
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, &ignored);
    Ok((
        StatusCode::OK,
        headers,
        axum::Json(found.adjacent_json(limit, offset)),
    )
        .into_response())
}

/// `GET /entities/{id}/adjacent/{property}`: a page of the entities adjacent through one property.
#[utoipa::path(get, path = "/entities/{id}/adjacent/{property}", tag = "yente-compatible",
    params(("id" = String, Path), ("property" = String, Path), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = AdjacentPage, description = "yente's AdjacentResultsResponse"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("api_key" = [])))]
pub async fn adjacent_by_property(
    State(state): State<AppState>,
    ApiPath((id, property)): ApiPath<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let (limit, offset) = adjacency_page(&mut p);
    let ignored = p.finish()?;
    let engine = state.engine();
    let found = find_entity(&engine, &id).ok_or_else(no_such_entity)?;
    let page = found
        .adjacent_by_property(&property, limit, offset)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "No such property!"))?;
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, &ignored);
    Ok((StatusCode::OK, headers, axum::Json(page)).into_response())
}

// ------------------------------------------------------------------ /catalog

/// A version in yente's form, `YYYYMMDDHHMMSS-xxx`: the time the list was
/// generated (UTC; midnight when the list gives only a date, the epoch when
/// it gives none) and three letters from its content hash, so a new file of
/// the same day is a new version. Marble reads the time back from it.
fn yente_version(generated: Option<&str>, date: Option<chrono::NaiveDate>, hash: &str) -> String {
    let stamp = generated
        .and_then(|g| chrono::DateTime::parse_from_rfc3339(g).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y%m%d%H%M%S")
                .to_string()
        })
        .or_else(|| date.map(|d| d.format("%Y%m%d000000").to_string()))
        .unwrap_or_else(|| "19700101000000".into());
    let letters: String = hash
        .as_bytes()
        .chunks(2)
        .take(3)
        .map(|pair| {
            let n = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            char::from(b'a' + n % 26)
        })
        .collect();
    format!("{stamp}-{letters}")
}

/// yente's `DataCatalogModel`: the datasets and the list versions behind them.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataCatalog {
    pub datasets: Vec<Dataset>,
    /// Names of the datasets served.
    pub current: Vec<String>,
    pub outdated: Vec<String>,
    pub index_stale: bool,
}

/// yente's `YenteDatasetModel` (the fields Resolute has no value for are null).
#[derive(Debug, Serialize, ToSchema)]
pub struct Dataset {
    pub name: String,
    pub title: String,
    pub license: Option<String>,
    /// The title and the list versions loaded.
    pub summary: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub updated_at: Option<String>,
    pub last_export: Option<String>,
    pub entity_count: usize,
    pub thing_count: usize,
    /// `YYYYMMDDHHMMSS-xxx`: when the newest list was generated, and letters of the content hashes.
    pub version: String,
    /// `sanctions`; null for `default`.
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub publisher: Option<Publisher>,
    #[schema(value_type = Option<Object>)]
    pub coverage: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub resources: Vec<Value>,
    pub children: Vec<String>,
    #[schema(value_type = Option<Object>)]
    pub deprecation: Option<Value>,
    pub deprecated: bool,
    pub load: bool,
    pub entities_url: Option<String>,
    pub delta_url: Option<String>,
    pub namespace: bool,
    pub index_version: String,
    pub index_current: bool,
}

/// yente's `DataPublisher`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Publisher {
    pub name: String,
    pub acronym: String,
    pub url: String,
    pub country: String,
    pub official: bool,
}

fn publisher(dataset: &str) -> Option<Publisher> {
    let (name, acronym, url, country) = match dataset {
        "un_sc_sanctions" => (
            "United Nations Security Council",
            "UNSC",
            "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
            "zz",
        ),
        "us_ofac_sdn" => (
            "Office of Foreign Assets Control",
            "OFAC",
            "https://ofac.treasury.gov/",
            "us",
        ),
        _ => return None,
    };
    Some(Publisher {
        name: name.into(),
        acronym: acronym.into(),
        url: url.into(),
        country: country.into(),
        official: true,
    })
}

/// The catalog body (yente's `DataCatalogModel` with `YenteDatasetModel`s).
pub fn catalog_body(engine: &Engine) -> DataCatalog {
    let datasets = DATASETS
        .iter()
        .map(|(name, title)| {
            let versions: Vec<&std::sync::Arc<resolute_lists::ListVersion>> = engine
                .versions
                .iter()
                .filter(|v| *name == "default" || v.source.dataset() == *name)
                .collect();
            let entity_count: usize = versions.iter().map(|v| v.entities.len()).sum();
            // The newest list of the dataset dates it; the hashes of all make its letters.
            let newest = versions.iter().max_by_key(|v| v.generated);
            let hashes: String = versions.iter().map(|v| v.content_hash.as_str()).collect();
            let version = yente_version(
                newest.and_then(|v| v.generated_raw.as_deref()),
                newest.and_then(|v| v.generated),
                &resolute_store::sha256_hex(hashes.as_bytes()),
            );
            let updated = newest
                .and_then(|v| v.generated)
                .map(|d| format!("{d}T00:00:00"));
            let children: Vec<String> = if *name == "default" {
                DATASETS
                    .iter()
                    .map(|d| d.0.to_string())
                    .filter(|d| d != "default")
                    .collect()
            } else {
                Vec::new()
            };
            Dataset {
                name: name.to_string(),
                title: title.to_string(),
                license: None,
                summary: format!(
                    "{title}, as loaded by Resolute ({})",
                    versions
                        .iter()
                        .map(|v| v.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                description: None,
                url: None,
                updated_at: updated.clone(),
                last_export: updated,
                entity_count,
                thing_count: entity_count,
                index_version: version.clone(),
                version,
                category: (*name != "default").then(|| "sanctions".to_string()),
                tags: Vec::new(),
                publisher: publisher(name),
                coverage: None,
                resources: Vec::new(),
                children,
                deprecation: None,
                deprecated: false,
                load: true,
                entities_url: None,
                delta_url: None,
                namespace: false,
                index_current: true,
            }
        })
        .collect();
    DataCatalog {
        datasets,
        current: DATASETS.iter().map(|d| d.0.to_string()).collect(),
        outdated: Vec::new(),
        index_stale: false,
    }
}

/// `GET /catalog` (and `/manifest`): the datasets and the list versions
/// behind them; an `ETag` that changes with the lists, and 304 on `If-None-Match`.
#[utoipa::path(get, path = "/catalog", tag = "yente-compatible",
    responses((status = 200, body = DataCatalog, description = "yente's DataCatalogModel"), (status = 304, description = "unchanged since the ETag sent")),
    security(("api_key" = [])))]
pub async fn catalog(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = match serde_json::to_string(&catalog_body(&state.engine())) {
        Ok(body) => body,
        Err(e) => return ApiError::internal(format!("catalog: {e}")).into_response(),
    };
    let etag = format!("\"{}\"", &resolute_store::sha256_hex(body.as_bytes())[..32]);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut out = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, v);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if matches {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (StatusCode::OK, out, body).into_response()
}

// ------------------------------------------------------------------ /algorithms

/// A feature of an algorithm, as nomenklatura documents features.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeatureDoc {
    pub description: String,
    pub coefficient: f64,
    pub url: String,
}

/// The features of Resolute's matcher.
fn features() -> BTreeMap<String, FeatureDoc> {
    [
        ("name_match", "Best score over every query name against every listed name (primary, aliases, original script), Korean-aware; the pair and its token alignment are in each result's explanation."),
        ("identifier", "An equal passport, national id, IMO, MMSI, SWIFT/BIC or registration number raises the score to at least 0.95; different numbers of the same kind lower it."),
        ("birth_date", "Birth dates that agree raise the score a little, dates that cannot agree lower it."),
        ("nationality", "Countries (nationality, citizenship, country, jurisdiction, flag) in common raise the score a little; none in common lowers it."),
        ("gender", "Different genders lower the score."),
        ("weak_alias", "A match on a low-quality alias counts for less."),
    ]
    .into_iter()
    .map(|(name, description)| {
        let doc = FeatureDoc {
            description: description.into(),
            coefficient: 1.0,
            url: String::new(),
        };
        (name.to_string(), doc)
    })
    .collect()
}

/// yente's `AlgorithmResponse`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmList {
    pub algorithms: Vec<Algorithm>,
    /// `best`.
    pub default: String,
    /// The algorithm `best` names: `resolute-v1`.
    pub best: String,
}

/// One algorithm (yente's `Algorithm`, with nomenklatura's `docs`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Algorithm {
    pub name: String,
    pub description: String,
    pub features: BTreeMap<String, FeatureDoc>,
    pub docs: AlgorithmDocs,
}

/// nomenklatura's algorithm documentation (Resolute's matcher has no configuration options).
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmDocs {
    pub name: String,
    pub description: String,
    /// Always empty.
    pub config: BTreeMap<String, String>,
    pub features: BTreeMap<String, FeatureDoc>,
}

impl Algorithm {
    fn new(name: &str, description: String) -> Algorithm {
        Algorithm {
            name: name.into(),
            description: description.clone(),
            features: features(),
            docs: AlgorithmDocs {
                name: name.into(),
                description,
                config: BTreeMap::new(),
                features: features(),
            },
        }
    }
}

/// `GET /algorithms`: yente's algorithm names with their documentation, all
/// answered by Resolute's matcher, which has no configuration options.
#[utoipa::path(get, path = "/algorithms", tag = "yente-compatible", responses((status = 200, body = AlgorithmList, description = "yente's AlgorithmResponse")), security(("api_key" = [])))]
pub async fn algorithms() -> axum::Json<AlgorithmList> {
    let own = "Resolute's name matcher: Korean-aware romanisation and name-part alignment over every listed name \
        (primary, aliases, original script), weak aliases discounted, then identifiers, birth date, nationality and gender. \
        It takes no configuration options and no feature weights.";
    let mut algorithms = vec![Algorithm::new(ALGORITHM, own.to_string())];
    for name in YENTE_ALGORITHMS {
        algorithms.push(Algorithm::new(
            name,
            format!(
                "yente's {name}, accepted so yente clients work unchanged: answered by Resolute's matcher ({ALGORITHM}), \
                 not by nomenklatura's implementation; scores and explanations are Resolute's. No configuration options."
            ),
        ));
    }
    axum::Json(AlgorithmList {
        algorithms,
        default: "best".into(),
        best: ALGORITHM.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_as_yente_reads_them() {
        assert_eq!(algorithm_name("best"), Some(ALGORITHM));
        assert_eq!(algorithm_name(" Logic-V2 "), Some("logic-v2"));
        assert_eq!(algorithm_name("NAME-BASED"), Some("name-based"));
        assert_eq!(algorithm_name("neural-net"), None);
        assert_eq!(algorithm_name("ofac"), None);
    }

    #[test]
    fn versions_in_yentes_form() {
        let v = yente_version(Some("2026-02-27T00:00:09.554Z"), None, "66b392a4");
        assert_eq!(&v[..15], "20260227000009-");
        assert_eq!(v.len(), 18);
        assert!(v[15..].chars().all(|c| c.is_ascii_lowercase()));
        let d = chrono::NaiveDate::from_ymd_opt(2024, 5, 3);
        assert!(yente_version(None, d, "00").starts_with("20240503000000-"));
        assert!(yente_version(None, None, "00").starts_with("19700101000000-"));
    }

    #[test]
    fn match_bodies_are_checked_like_pydantic() {
        let ok = json!({"queries": {"q": {"schema": "Thing", "properties": {"name": ["bob"]}, "filters": null}}, "params": {}});
        let (queries, _, _) = match_body(&ok).expect("Marble's body is valid");
        assert_eq!(queries[0].2, "Thing");
        let missing = json!({"queries": {"fail": {"properties": {"name": "Banana"}}}});
        let problems = match_body(&missing).expect_err("no schema");
        assert_eq!(problems[0]["type"], "missing");
        assert_eq!(
            problems[0]["loc"],
            json!(["body", "queries", "fail", "schema"])
        );
        let bad = json!({"queries": {"q": {"schema": "Person", "properties": {"name": 5}}}});
        assert_eq!(match_body(&bad).expect_err("number").len(), 2);
    }
}
