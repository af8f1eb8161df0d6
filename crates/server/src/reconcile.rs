//! The OpenRefine reconciliation API as yente 5.5.0 has it
//! (`yente/routers/reconcile.py`, W3C reconciliation API 0.2):
//!
//! - `GET /reconcile/{dataset}`: the service manifest (suggest and extend
//!   services under this path, the query string passed on so an `api_key`
//!   reaches OpenRefine's later calls, as yente does);
//! - `POST /reconcile/{dataset}` with the form field `queries` (a JSON batch):
//!   each query is screened like a `/match` query — the same matcher, and
//!   recorded the same way (audit record, cases), so it needs the screener
//!   role — or with `extend`: property values of entities;
//! - `GET …/suggest/entity|type|property?prefix=`, `GET …/extend/property?type=`;
//! - `GET …/preview?id=`: a small HTML card of an entity, which the manifest
//!   names as its preview and view service (yente points at opensanctions.org;
//!   Resolute serves its own).

use std::collections::BTreeMap;

use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use resolute_casework::names::ftm;
use resolute_casework::names::search::{dataset_schemata, find_entity, suggest_entities};
use resolute_casework::names::{ExampleQuery, MatchFilters, NameScreeningRequest};
use resolute_matching::MatchOptions;
use resolute_model::country_by_code;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiBytes, ApiError, ApiPath, ErrorBody, ErrorCode};
use crate::metrics::Metrics;
use crate::names::{ALGORITHM, DEFAULT_PAGE, MAX_PAGE, Params, algorithm_name, ignored_header};
use crate::{AppState, blocking};

/// How many suggestions `suggest/type` and `suggest/property` give (yente's `MATCH_PAGE`).
const SUGGEST_PAGE: usize = 5;

/// Routes a viewer may call (the manifest, suggestions, property proposals, previews).
pub fn viewer_routes() -> Router<AppState> {
    Router::new()
        .route("/reconcile/{dataset}", get(manifest))
        .route("/reconcile/{dataset}/suggest/entity", get(suggest_entity))
        .route("/reconcile/{dataset}/suggest/type", get(suggest_type))
        .route(
            "/reconcile/{dataset}/suggest/property",
            get(suggest_property),
        )
        .route(
            "/reconcile/{dataset}/extend/property",
            get(extend_properties),
        )
        .route("/reconcile/{dataset}/preview", get(preview))
}

/// Routes that screen (`POST /reconcile/{dataset}`).
pub fn screener_routes() -> Router<AppState> {
    Router::new().route("/reconcile/{dataset}", axum::routing::post(reconcile))
}

/// `http(s)://host` as the client reached the service.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// A reconciliation type: an FtM schema (yente's `FreebaseType`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FreebaseType {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// An FtM schema as a reconciliation type (yente's `FreebaseType.from_schema`).
fn freebase_type(s: &ftm::Schema) -> FreebaseType {
    FreebaseType {
        id: s.name.clone(),
        name: s.plural.clone(),
        description: s
            .description
            .as_deref()
            .map(str::trim)
            .unwrap_or(&s.label)
            .to_string(),
    }
}

/// An entity as a reconciliation candidate or suggestion (yente's
/// `FreebaseEntity`; `score` and `match` in reconciliation results only).
#[derive(Debug, Serialize, ToSchema)]
pub struct FreebaseEntity {
    pub id: String,
    pub name: String,
    /// The schema's label.
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub types: Vec<FreebaseType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub is_match: Option<bool>,
}

impl FreebaseEntity {
    fn of(id: &str, caption: &str, schema: &str) -> FreebaseEntity {
        let schema = ftm::model().schema(schema);
        FreebaseEntity {
            id: id.to_string(),
            name: caption.to_string(),
            description: schema.map(|s| s.label.clone()),
            types: schema.map(freebase_type).into_iter().collect(),
            score: None,
            is_match: None,
        }
    }
}

/// The W3C reconciliation service manifest (yente's `FreebaseManifest`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub versions: Vec<String>,
    pub name: String,
    pub identifier_space: String,
    pub schema_space: String,
    pub documentation: String,
    pub batch_size: usize,
    pub view: ServiceUrl,
    pub preview: Preview,
    pub suggest: SuggestServices,
    pub extend: ExtendServices,
    pub default_types: Vec<FreebaseType>,
}

/// `{url}` with `{{id}}` in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceUrl {
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// A service under this one: `service_url` + `service_path`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub service_url: String,
    pub service_path: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestServices {
    pub entity: Service,
    #[serde(rename = "type")]
    pub type_: Service,
    pub property: Service,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendServices {
    pub propose_properties: Service,
    pub propose_settings: Vec<ProposeSetting>,
}

/// A setting OpenRefine offers for a data extension.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposeSetting {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub type_: String,
    /// `0` (limit) or `"caption"` (render).
    #[schema(value_type = Object)]
    pub default: Value,
    pub help_text: String,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// `POST /reconcile/{dataset}`: query results, or a data extension.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReconcileResponse {
    /// Per query key.
    Queries(BTreeMap<String, ReconResult>),
    Extend(ExtendResponse),
}

/// One query's candidates, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconResult {
    pub result: Vec<FreebaseEntity>,
}

/// yente's `FreebaseExtendResponse`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendResponse {
    /// The properties asked for.
    pub meta: Vec<PropertyRef>,
    /// Entity id → property → values.
    pub rows: BTreeMap<String, BTreeMap<String, Vec<CellValue>>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PropertyRef {
    pub id: String,
    pub name: String,
}

/// A value of an extended cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellValue {
    pub str: String,
}

fn ready_dataset(
    state: &AppState,
    dataset: &str,
) -> Result<std::sync::Arc<resolute_casework::Engine>, ApiError> {
    let engine = resolute_casework::names::ready_engine(&state.casework)?;
    resolute_casework::names::dataset_index(&engine, dataset)
        .map_err(|_| ApiError::new(ErrorCode::DatasetNotFound, "No such dataset."))?;
    Ok(engine)
}

/// `GET /reconcile/{dataset}`: the manifest (yente's `FreebaseManifest`).
#[utoipa::path(get, path = "/reconcile/{dataset}", tag = "reconciliation", params(("dataset" = String, Path)),
    responses((status = 200, body = Manifest, description = "W3C reconciliation service manifest"), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn manifest(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let engine = ready_dataset(&state, &dataset)?;
    let base = base_url(&headers);
    let service = format!("{base}/reconcile/{dataset}");
    // The query string goes on (an api_key for OpenRefine's later calls).
    let qs = uri
        .query()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .unwrap_or("");
    let with_qs = |path: &str| {
        if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        }
    };
    let preview = if qs.is_empty() {
        format!("{service}/preview?id={{{{id}}}}")
    } else {
        format!("{service}/preview?{qs}&id={{{{id}}}}")
    };
    let title = resolute_casework::DATASETS
        .iter()
        .find(|d| d.0 == dataset)
        .map(|d| d.1)
        .unwrap_or(&dataset);
    let schemata = blocking({
        let engine = engine.clone();
        let dataset = dataset.clone();
        move || dataset_schemata(&engine, &dataset).map_err(ApiError::from)
    })
    .await?;
    let at = |path: &str| Service {
        service_url: service.clone(),
        service_path: with_qs(path),
    };
    let choice = |id: &str, name: &str| Choice {
        id: id.into(),
        name: name.into(),
    };
    let body = Manifest {
        versions: vec!["0.2".into()],
        name: format!("{title} (Resolute)"),
        identifier_space: format!("{base}/entities/"),
        schema_space: "https://followthemoney.tech/explorer/schemata/".into(),
        documentation: format!("{base}/openapi.json"),
        batch_size: 3,
        view: ServiceUrl {
            url: preview.clone(),
        },
        preview: Preview {
            url: preview,
            width: 430,
            height: 600,
        },
        suggest: SuggestServices {
            entity: at("/suggest/entity"),
            type_: at("/suggest/type"),
            property: at("/suggest/property"),
        },
        extend: ExtendServices {
            propose_properties: at("/extend/property"),
            propose_settings: vec![
                ProposeSetting {
                    name: "limit".into(),
                    label: "Limit".into(),
                    type_: "number".into(),
                    default: Value::from(0),
                    help_text: "Maximum number of values to return per row (0 for no limit)."
                        .into(),
                    choices: Vec::new(),
                },
                ProposeSetting {
                    name: "render".into(),
                    label: "Value rendering".into(),
                    type_: "select".into(),
                    default: Value::from("caption"),
                    help_text: "Return readable value (e.g. 'Russia') instead of raw value ('ru')."
                        .into(),
                    choices: vec![
                        choice("caption", "User-readable value"),
                        choice("raw", "Machine-readable value"),
                    ],
                },
            ],
        },
        default_types: schemata.iter().map(|s| freebase_type(s)).collect(),
    };
    Ok(axum::Json(body).into_response())
}

/// One reconciliation query, checked (yente's `FreebaseReconQuery`).
struct ReconQuery {
    key: String,
    query: ExampleQuery,
    limit: usize,
}

fn invalid_batch(problem: impl Into<String>) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidBody,
        format!("Invalid reconciliation queries: {}", problem.into()),
    )
}

/// Parse and check the `queries` batch.
fn recon_queries(text: &str, max_batch: usize) -> Result<Vec<ReconQuery>, ApiError> {
    let batch: Value = serde_json::from_str(text).map_err(|e| invalid_batch(e.to_string()))?;
    let Some(batch) = batch.as_object() else {
        return Err(invalid_batch("the batch must be an object of queries"));
    };
    if batch.len() > max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!("Too many queries in one batch (limit: {max_batch})"),
        ));
    }
    let model = ftm::model();
    let mut out = Vec::with_capacity(batch.len());
    for (key, q) in batch {
        let Some(q) = q.as_object() else {
            return Err(invalid_batch(format!("{key}: a query must be an object")));
        };
        let text = match q.get("query") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(invalid_batch(format!(
                    "{key}.query: Input should be a valid string"
                )));
            }
        };
        let schema = match q.get("type") {
            None | Some(Value::Null) => ftm::BASE_SCHEMA.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => match a.first() {
                None => ftm::BASE_SCHEMA.to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => {
                    return Err(invalid_batch(format!(
                        "{key}.type: Input should be a valid string"
                    )));
                }
            },
            Some(_) => {
                return Err(invalid_batch(format!(
                    "{key}.type: Input should be a valid string or list"
                )));
            }
        };
        let limit = match q.get("limit") {
            None | Some(Value::Null) => 5,
            Some(v) => v.as_u64().ok_or_else(|| {
                invalid_batch(format!("{key}.limit: Input should be a valid integer"))
            })? as usize,
        };
        let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(t) = text {
            props.insert("name".into(), vec![t]);
        }
        match q.get("properties") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for p in list {
                    let pid = p.get("pid").and_then(Value::as_str).ok_or_else(|| {
                        invalid_batch(format!("{key}.properties: each needs a string pid"))
                    })?;
                    let values: Vec<String> = match p.get("v") {
                        Some(Value::String(s)) => vec![s.clone()],
                        Some(Value::Array(a)) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect(),
                        _ => {
                            return Err(invalid_batch(format!(
                                "{key}.properties: v must be a string or a list of strings"
                            )));
                        }
                    };
                    // yente's `model.get_qname(pid)`: `Schema:property`; anything else is skipped.
                    let Some(prop) = pid
                        .split_once(':')
                        .and_then(|(s, p)| model.schema(s)?.property(p))
                    else {
                        continue;
                    };
                    props.entry(prop.name.clone()).or_default().extend(values);
                }
            }
            Some(_) => {
                return Err(invalid_batch(format!(
                    "{key}.properties: Input should be a valid list"
                )));
            }
        }
        let props: Vec<(String, Vec<String>)> = props.into_iter().collect();
        let query = ExampleQuery::new(None, &schema, &props)
            .map_err(|e| ApiError::new(ErrorCode::InvalidQuery, e.to_string()))?;
        out.push(ReconQuery {
            key: key.clone(),
            query,
            limit,
        });
    }
    Ok(out)
}

/// `POST /reconcile/{dataset}`: `queries` (screened and recorded like `/match`) or `extend`.
#[utoipa::path(post, path = "/reconcile/{dataset}", tag = "reconciliation",
    params(("dataset" = String, Path), ("algorithm" = Option<String>, Query), ("changed_since" = Option<String>, Query)),
    request_body(content = String, description = "form fields `queries` (JSON batch) or `extend` (JSON)", content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ReconcileResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn reconcile(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let algorithm = p.last("algorithm").unwrap_or_else(|| "best".into());
    let changed_since = p.timestamp("changed_since");
    let ignored = p.finish()?;
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.trim().starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        // A FastAPI problem (`ErrorBody.detail`), shaped as pydantic has it.
        return Err(ApiError::validation(vec![json!({
            "type": "missing", "loc": ["body", "queries"],
            "msg": "Field required (send the form as application/x-www-form-urlencoded)", "input": null,
        })]));
    }
    let form: BTreeMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let engine = ready_dataset(&state, &dataset)?;
    let mut out_headers = HeaderMap::new();
    ignored_header(&mut out_headers, &ignored);
    if let Some(extend) = form.get("extend").filter(|e| !e.trim().is_empty()) {
        let resp = extend_rows(&engine, extend, state.config.max_batch)?;
        if let Ok(v) = HeaderValue::from_str(&resp.rows.len().to_string()) {
            out_headers.insert("x-batch-size", v);
        }
        let body = ReconcileResponse::Extend(resp);
        return Ok((StatusCode::OK, out_headers, axum::Json(body)).into_response());
    }
    let Some(queries) = form.get("queries") else {
        return Err(invalid_batch("the form has neither `queries` nor `extend`"));
    };
    let Some(algorithm_used) = algorithm_name(&algorithm) else {
        return Err(ApiError::new(
            ErrorCode::UnknownAlgorithm,
            format!("Invalid algorithm: {algorithm}"),
        ));
    };
    let queries = recon_queries(queries, state.config.max_batch)?;
    // One recorded screening per distinct limit (OpenRefine sends one).
    let mut by_limit: BTreeMap<usize, Vec<(String, ExampleQuery)>> = BTreeMap::new();
    for q in queries {
        by_limit.entry(q.limit).or_default().push((q.key, q.query));
    }
    let mut results = BTreeMap::new();
    // One budget for the whole request; dropped (cancelling) if the client goes.
    let budget = crate::RequestBudget::start(state.config.match_budget);
    for (limit, batch) in by_limit {
        let request = NameScreeningRequest {
            dataset: dataset.clone(),
            queries: batch,
            // yente scores reconciliation with its default threshold and no cutoff.
            options: MatchOptions {
                threshold: crate::names::DEFAULT_THRESHOLD,
                limit,
                cutoff: 0.0,
                as_of: None,
            },
            filters: MatchFilters {
                changed_since: changed_since.clone(),
                ..MatchFilters::default()
            },
            algorithm: ALGORITHM.into(),
            algorithm_requested: algorithm_used.into(),
            limits: state.config.query_limits,
        };
        let casework = state.casework.clone();
        let actor = caller.actor();
        let (deadline, cancelled) = budget.handle();
        let done = blocking(move || {
            let budget = resolute_matching::Budget {
                deadline: Some(deadline),
                cancel: Some(&cancelled),
            };
            casework.screen_names(&request, &actor, &budget)
        })
        .await?;
        Metrics::inc(&state.metrics.audit_records, 1);
        Metrics::inc(&state.metrics.screenings_name, 1);
        Metrics::inc(&state.metrics.cases_opened, done.cases.len() as u64);
        for (key, q) in done.queries {
            let result = q
                .hits
                .iter()
                .map(|h| {
                    let r = &h.result;
                    FreebaseEntity {
                        score: Some(r.score),
                        is_match: Some(h.is_open_match()),
                        ..FreebaseEntity::of(&r.id, &r.caption, r.schema.as_str())
                    }
                })
                .collect();
            results.insert(key, ReconResult { result });
        }
    }
    if let Ok(v) = HeaderValue::from_str(&results.len().to_string()) {
        out_headers.insert("x-batch-size", v);
    }
    Ok((
        StatusCode::OK,
        out_headers,
        axum::Json(ReconcileResponse::Queries(results)),
    )
        .into_response())
}

/// A value as OpenRefine shows it (`render=caption`): country names, topic labels.
fn caption(type_name: &str, value: &str) -> String {
    match type_name {
        "country" => country_by_code(value)
            .map(|c| c.name.clone())
            .unwrap_or_else(|_| value.to_string()),
        "topic" => ftm::model().topic_label(value).unwrap_or(value).to_string(),
        _ => value.to_string(),
    }
}

/// yente's `reconcile_extend`: the requested properties of each entity.
fn extend_rows(
    engine: &resolute_casework::Engine,
    text: &str,
    max_batch: usize,
) -> Result<ExtendResponse, ApiError> {
    let q: Value = serde_json::from_str(text)
        .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "Cannot decode extension request"))?;
    let ids: Vec<String> = q["ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidBody,
                "Cannot decode extension request: ids must be a list",
            )
        })?;
    if ids.len() > max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!("Too many queries in one batch (limit: {max_batch})"),
        ));
    }
    let props: Vec<(String, usize, bool)> = q["properties"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    let id = p["id"].as_str()?.to_string();
                    let limit = p["settings"]["limit"].as_u64().unwrap_or(0) as usize;
                    let raw = p["settings"]["render"].as_str() == Some("raw");
                    Some((id, limit, raw))
                })
                .collect()
        })
        .unwrap_or_default();
    let model = ftm::model();
    let mut meta: BTreeMap<String, PropertyRef> = BTreeMap::new();
    let mut rows = BTreeMap::new();
    for id in &ids {
        let mut row = BTreeMap::new();
        if let Some(found) = find_entity(engine, id) {
            let entity = found.json();
            let schema = entity["schema"].as_str().and_then(|s| model.schema(s));
            for (pid, limit, raw) in &props {
                let Some(prop) = schema.and_then(|s| s.property(pid)) else {
                    continue;
                };
                meta.entry(pid.clone()).or_insert_with(|| PropertyRef {
                    id: prop.name.clone(),
                    name: prop.label.clone(),
                });
                let mut values: Vec<String> = entity["properties"][&prop.name]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                if *limit > 0 {
                    values.truncate(*limit);
                }
                let values: Vec<CellValue> = values
                    .iter()
                    .map(|v| CellValue {
                        str: if *raw {
                            v.clone()
                        } else {
                            caption(&prop.type_name, v)
                        },
                    })
                    .collect();
                row.insert(pid.clone(), values);
            }
        }
        rows.insert(id.clone(), row);
    }
    Ok(ExtendResponse {
        meta: meta.into_values().collect(),
        rows,
    })
}

/// `prefix` and the ignored parameters of a suggest call.
fn prefix_of(uri: &Uri, with_limit: bool) -> Result<(String, usize, Vec<String>), ApiError> {
    let mut p = Params::from_uri(uri);
    let prefix = p.last("prefix").unwrap_or_default();
    let limit = if with_limit {
        p.int("limit", DEFAULT_PAGE, None, Some(MAX_PAGE)).max(0) as usize
    } else {
        SUGGEST_PAGE
    };
    Ok((prefix, limit, p.finish()?))
}

/// yente's `match_prefix`: the prefix starts one of the labels (any case).
fn match_prefix(prefix: &str, labels: &[&str]) -> bool {
    let prefix = prefix.trim().to_lowercase();
    !prefix.is_empty()
        && labels
            .iter()
            .any(|l| l.trim().to_lowercase().starts_with(&prefix))
}

/// The answer of the suggest services (yente's `FreebaseEntitySuggestResponse` and kin).
#[derive(Debug, Serialize)]
struct Suggestions<T> {
    code: &'static str,
    status: &'static str,
    prefix: String,
    result: Vec<T>,
}

fn suggest_answer<T: Serialize>(prefix: String, result: Vec<T>, ignored: &[String]) -> Response {
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, ignored);
    let body = Suggestions {
        code: "/api/status/ok",
        status: "200 OK",
        prefix,
        result,
    };
    (StatusCode::OK, headers, axum::Json(body)).into_response()
}

/// A property suggestion.
#[derive(Debug, Serialize)]
struct SuggestedProperty {
    id: String,
    name: String,
    description: Option<String>,
}

/// `GET /reconcile/{dataset}/suggest/entity?prefix=`: entities whose names start so.
pub async fn suggest_entity(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (prefix, limit, ignored) = prefix_of(&uri, true)?;
    let engine = ready_dataset(&state, &dataset)?;
    let p = prefix.clone();
    let result = blocking(move || {
        let found = suggest_entities(&engine, &dataset, &p, limit)?;
        Ok::<_, ApiError>(
            found
                .into_iter()
                .map(|e| FreebaseEntity::of(&e.id, &e.caption, e.schema.as_str()))
                .collect::<Vec<_>>(),
        )
    })
    .await?;
    Ok(suggest_answer(prefix, result, &ignored))
}

/// `GET /reconcile/{dataset}/suggest/type?prefix=`: schemata of the dataset.
pub async fn suggest_type(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (prefix, limit, ignored) = prefix_of(&uri, false)?;
    let engine = ready_dataset(&state, &dataset)?;
    let schemata = dataset_schemata(&engine, &dataset)?;
    let result: Vec<FreebaseType> = schemata
        .into_iter()
        .filter(|s| match_prefix(&prefix, &[&s.name, &s.label]))
        .take(limit)
        .map(freebase_type)
        .collect();
    Ok(suggest_answer(prefix, result, &ignored))
}

/// `GET /reconcile/{dataset}/suggest/property?prefix=`: properties of the
/// dataset's schemata (not hidden, not entity links), the most general first.
pub async fn suggest_property(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (prefix, limit, ignored) = prefix_of(&uri, false)?;
    let engine = ready_dataset(&state, &dataset)?;
    let schemata = dataset_schemata(&engine, &dataset)?;
    let mut props: Vec<(usize, &ftm::Property)> = Vec::new();
    for s in &schemata {
        for p in s.properties.values() {
            // Each property once, where it is defined.
            if p.schema != s.name || p.stub || p.hidden || p.type_name == "entity" {
                continue;
            }
            if match_prefix(&prefix, &[&p.name, &p.label]) {
                props.push((s.ancestors.len(), p));
            }
        }
    }
    props.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.qname.cmp(&b.1.qname)));
    let result: Vec<SuggestedProperty> = props
        .into_iter()
        .take(limit)
        .map(|(_, p)| SuggestedProperty {
            id: p.qname.clone(),
            name: p.label.clone(),
            description: p.description.clone(),
        })
        .collect();
    Ok(suggest_answer(prefix, result, &ignored))
}

/// `GET /reconcile/{dataset}/extend/property?type=`: properties to extend rows with.
pub async fn extend_properties(
    ApiPath(_dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let type_name = p.last("type").unwrap_or_else(|| ftm::BASE_SCHEMA.into());
    let limit = p.int("limit", 0, None, None);
    let ignored = p.finish()?;
    let schema = ftm::model().schema(&type_name).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("Invalid type: {type_name}"),
        )
    })?;
    let mut props: Vec<PropertyRef> = Vec::new();
    let usable = |p: &&ftm::Property| !p.hidden && p.type_name != "entity";
    let property_ref = |p: &ftm::Property| PropertyRef {
        id: p.name.clone(),
        name: p.label.clone(),
    };
    for f in &schema.featured {
        if let Some(p) = schema.property(f).filter(usable) {
            props.push(property_ref(p));
        }
    }
    for p in schema.properties.values().filter(usable) {
        if !schema.featured.contains(&p.name) {
            props.push(property_ref(p));
        }
    }
    if limit > 0 {
        props.truncate(limit as usize);
    }
    props.sort_by(|a, b| a.name.cmp(&b.name));
    let mut headers = HeaderMap::new();
    ignored_header(&mut headers, &ignored);
    let body = ProposedProperties {
        limit,
        type_: schema.name.clone(),
        properties: props,
    };
    Ok((StatusCode::OK, headers, axum::Json(body)).into_response())
}

/// `GET /reconcile/{dataset}/extend/property` (yente's `FreebasePropertiesResponse`).
#[derive(Debug, Serialize)]
struct ProposedProperties {
    limit: i64,
    #[serde(rename = "type")]
    type_: String,
    properties: Vec<PropertyRef>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `GET /reconcile/{dataset}/preview?id=`: an entity as a small HTML card.
pub async fn preview(
    State(state): State<AppState>,
    ApiPath(_dataset): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut p = Params::from_uri(&uri);
    let id = p.last("id").unwrap_or_default();
    p.finish()?;
    let engine = state.engine();
    let found = find_entity(&engine, &id)
        .ok_or_else(|| ApiError::new(ErrorCode::EntityNotFound, "No such entity!"))?;
    let v = found.json();
    let mut rows = String::new();
    if let Some(props) = v["properties"].as_object() {
        for (k, values) in props {
            let text: Vec<String> = values
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(escape).collect())
                .unwrap_or_default();
            rows.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(k),
                text.join("; ")
            ));
        }
    }
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{caption}</title></head><body>\
         <h1>{caption}</h1><p>{schema} · {id} · {datasets}</p><table>{rows}</table></body></html>",
        caption = escape(v["caption"].as_str().unwrap_or("")),
        schema = escape(v["schema"].as_str().unwrap_or("")),
        id = escape(v["id"].as_str().unwrap_or("")),
        datasets = escape(&v["datasets"].to_string()),
    );
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_checked_like_freebase_recon_batch() {
        let qs = recon_queries(
            r#"{"q0": {"query": "Foreign Trade Bank", "type": "Organization", "limit": 3,
                "properties": [{"pid": "Thing:country", "v": "kp"}, {"pid": "nonsense", "v": "x"}]}}"#,
            10,
        )
        .expect("valid batch");
        assert_eq!(qs[0].limit, 3);
        assert_eq!(qs[0].query.schema, "Organization");
        assert_eq!(qs[0].query.properties["country"], ["kp"]);
        assert_eq!(qs[0].query.properties.len(), 2);
        // yente's test_reconcile_invalid: a number where the query string goes.
        let err = recon_queries(r#"{"mutti": {"query": 37473874}}"#, 10)
            .err()
            .expect("invalid");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            recon_queries(r#"{"a": {}, "b": {}}"#, 1)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::BatchTooLarge)
        );
        assert!(match_prefix("organ", &["Organization", "Organisationen"]));
        assert!(!match_prefix("", &["Organization"]));
    }
}
