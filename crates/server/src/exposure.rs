//! The exposure graph over HTTP: `GET /exposure/{id}`, `GET /graph/{id}`,
//! `POST /graph/edges`. The rules (which graph, how an import is checked and
//! recorded) live in `resolute_casework::exposure`; this module reads the
//! request and shapes the answer.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use resolute_casework::dates::parse_date;
use resolute_casework::exposure::ImportDone;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody, ErrorCode};
use crate::metrics::Metrics;
use crate::{AppState, blocking};

#[derive(Debug, Deserialize)]
pub struct ExposureParams {
    pub at: Option<String>,
    pub rule: Option<String>,
}

fn date_or_today(field: &str, v: Option<&str>) -> Result<chrono::NaiveDate, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(parse_date(field, s)?),
        None => Ok(chrono::Utc::now().date_naive()),
    }
}

/// `GET /exposure/{id}?at=&rule=`: whether the party is owned or controlled
/// by designated parties on `at` (default today) under `rule` (`un`, the
/// default; `ofac`, `eu`, `uk`), with the proving paths. `id` is a graph key
/// (`un-kpe.047`, `analyst:acme-trading`), `un:KPe.047`, a list reference or
/// an exact name.
#[utoipa::path(get, path = "/exposure/{id}", tag = "exposure",
    params(("id" = String, Path), ("at" = Option<String>, Query, description = "YYYY-MM-DD, default today"),
        ("rule" = Option<String>, Query, description = "un (default), ofac, eu, uk")),
    responses((status = 200, body = ExposureBody),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn exposure(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<ExposureParams>,
) -> Result<axum::Json<ExposureBody>, ApiError> {
    let at = date_or_today("at", p.at.as_deref())?;
    let rule = p.rule.unwrap_or_else(|| "un".into());
    let casework = state.casework.clone();
    let e = blocking(move || casework.exposure_of(&id, at, &rule)).await?;
    let e = serde_json::to_value(e).map_err(|e| ApiError::internal(format!("exposure: {e}")))?;
    Ok(axum::Json(ExposureBody(e)))
}

/// `GET /exposure/{id}`: `{entity, rule, as_of, status (designated|proven|indicative|none),
/// threshold, stake_percent, paths: [{proven, root, steps, text}], summary}` (resolute-graph's
/// `Exposure`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct ExposureBody(Value);

/// `GET /graph/{id}`: `{center, depth, as_of, entities, relations, truncated}`, the entities
/// and relations as FollowTheMoney entities with a `resolute` member (resolute-graph's
/// `Neighbourhood`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct GraphBody(Value);

#[derive(Debug, Deserialize)]
pub struct GraphParams {
    pub depth: Option<usize>,
    pub at: Option<String>,
}

/// `GET /graph/{id}?depth=N&at=`: the party's neighbourhood, `depth`
/// relations out (default 2, at most 4; at most 400 parties), as
/// FollowTheMoney entities and relation entities (Ownership, Directorship,
/// UnknownLink), each with a `resolute` member (designations, share range,
/// provenance). With `at`, only relations that hold on that date.
#[utoipa::path(get, path = "/graph/{id}", tag = "exposure",
    params(("id" = String, Path), ("depth" = Option<usize>, Query), ("at" = Option<String>, Query)),
    responses((status = 200, body = GraphBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn graph(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<GraphParams>,
) -> Result<axum::Json<GraphBody>, ApiError> {
    let at = match p.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_date("at", s)?),
        None => None,
    };
    let depth = p.depth.unwrap_or(2);
    let casework = state.casework.clone();
    let n = blocking(move || casework.neighbourhood(&id, depth, at)).await?;
    let n = serde_json::to_value(n).map_err(|e| ApiError::internal(format!("graph: {e}")))?;
    Ok(axum::Json(GraphBody(n)))
}

/// `POST /graph/edges` (admin): add an analyst's edges — a JSON array of
/// edge objects (`from`, `to`, `kind`, `share`, `start`, …: the analyst edge
/// format), or `{"file": NAME, "edges": [...]}`, or `{"file": NAME, "bods":
/// [statements]}` for a BODS 0.4 package. All or nothing: a row with an
/// error (unknown kind, bad share or date, a party neither in the graph nor
/// declared) refuses the whole import and the answer lists every problem.
/// Committed as one audit record (`graph.import`) and in force for the
/// next screening.
#[utoipa::path(post, path = "/graph/edges", tag = "exposure",
    request_body(content = Object, description = "[edge, …] | {\"file\", \"edges\": [edge, …]} | {\"file\", \"bods\": [statement, …]}"),
    responses((status = 201, body = ImportDone),
        (status = 400, body = ErrorBody, description = "invalid_edges: nothing imported; problems lists each, naming its line or statement"),
        (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn add_edges(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let (format, file, items) = match body {
        Value::Array(items) => ("edges", "api".to_string(), Value::Array(items)),
        Value::Object(mut m) => {
            let file = m
                .remove("file")
                .and_then(|f| f.as_str().map(str::to_string))
                .unwrap_or_else(|| "api".into());
            if let Some(edges) = m.remove("edges") {
                ("edges", file, edges)
            } else if let Some(bods) = m.remove("bods") {
                ("bods", file, bods)
            } else {
                return Err(ApiError::new(
                    ErrorCode::InvalidBody,
                    "send an array of edges, {\"edges\": [...]} or {\"bods\": [...]}",
                ));
            }
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                "send an array of edges, {\"edges\": [...]} or {\"bods\": [...]}",
            ));
        }
    };
    if !items.is_array() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            format!("{format} must be an array"),
        ));
    }
    let bytes = serde_json::to_vec(&items).unwrap_or_default();
    let casework = state.casework.clone();
    let actor = caller.actor();
    let done = blocking(move || casework.import_edges(format, &file, &bytes, true, &actor)).await?;
    if let Some(refused) = &done.refused {
        let mut body = ErrorBody::new(ErrorCode::InvalidEdges, refused.clone());
        let problems = serde_json::to_value(&done.problems)
            .map_err(|e| ApiError::internal(format!("edge import problems: {e}")))?;
        body.problems = Some(problems);
        return Ok((StatusCode::BAD_REQUEST, axum::Json(body)).into_response());
    }
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok((StatusCode::CREATED, axum::Json(done)).into_response())
}
