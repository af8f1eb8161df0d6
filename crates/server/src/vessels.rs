//! AIS ingestion and vessels: `POST /ais` (admin), `GET /vessels/{key}`,
//! `GET /vessels/{key}/events`, `GET /vessels/{key}/map`. The rules (what is stored and
//! audited, what a vessel's conduct means) live in `resolute_casework::vessels` and
//! `resolute_screening::vessels`; this module reads the request and shapes the answer.
//! `{key}` is an IMO number (7 digits, or `IMO1234567`) or an MMSI (9 digits).

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resolute_casework::CaseworkError;
use resolute_casework::dates::{parse_optional_date, today};
use resolute_casework::vessels::{
    AisBatch, AisIngestion, VesselMap, VesselProfile, guess_format, parse_format, parse_key,
};
use resolute_maritime::{Event, VesselKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiBytes, ApiError, ApiPath, ApiQuery, ErrorBody, ErrorCode};

/// `GET /vessels/{key}/events`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VesselEvents {
    /// `{"imo": N}` or `{"mmsi": N}`.
    #[schema(value_type = Object)]
    pub key: VesselKey,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub count: usize,
    /// Kind, times, positions, the port or other vessel, the numbers and parameters behind each.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Event>,
}

use crate::metrics::Metrics;
use crate::{AppState, blocking};

#[derive(Debug, Deserialize)]
pub struct AisParams {
    /// File name, audited and named in every problem.
    pub name: Option<String>,
    /// `nmea` or `noaa`; by default from the name (`.csv` is NOAA) or a `text/csv` body.
    pub format: Option<String>,
}

/// `POST /ais?name=&format=` (admin): one batch of AIS input, NMEA 0183 text or NOAA
/// MarineCadastre CSV, as the body. Bad lines are counted per kind and the rest stored;
/// one audit record per batch; the vessel store is rebuilt and put in force.
#[utoipa::path(post, path = "/ais", tag = "vessels",
    params(("name" = Option<String>, Query, description = "file name"), ("format" = Option<String>, Query, description = "nmea | noaa")),
    request_body(content = String, description = "NMEA 0183 sentences (one per line, tag blocks with times) or NOAA MarineCadastre CSV", content_type = "text/plain"),
    responses((status = 200, body = AisIngestion), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn ingest(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<AisParams>,
    headers: HeaderMap,
    ApiBytes(bytes): ApiBytes,
) -> Result<axum::Json<AisIngestion>, ApiError> {
    let name = p
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "upload".into());
    let csv_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/csv"));
    let format = match p.format.as_deref() {
        Some(f) => parse_format("format", f)?,
        None if csv_body => parse_format("format", "noaa")?,
        None => guess_format(&name),
    };
    if bytes.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "empty body: send the NMEA or NOAA CSV text as the request body",
        ));
    }
    let casework = state.casework.clone();
    let actor = caller.actor();
    let done = blocking(move || {
        let batch = AisBatch {
            name: &name,
            format,
            bytes: &bytes,
        };
        casework.ingest_ais(batch, &actor).map_err(ApiError::body)
    })
    .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(done))
}

fn key_of(raw: &str) -> Result<VesselKey, ApiError> {
    Ok(parse_key("vessel", raw)?)
}

fn vessel_not_found(e: CaseworkError) -> ApiError {
    match e {
        CaseworkError::NotFound { .. } => ApiError::new(ErrorCode::VesselNotFound, e.to_string()),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize)]
pub struct AsOfParams {
    pub at: Option<String>,
}

/// `GET /vessels/{key}?at=`: the dated identity history the AIS holds and the list entries
/// its identifiers match (as of `at`, default today).
#[utoipa::path(get, path = "/vessels/{key}", tag = "vessels",
    params(("key" = String, Path, description = "IMO number or MMSI"), ("at" = Option<String>, Query, description = "YYYY-MM-DD, list entries designated by then (default today)")),
    responses((status = 200, body = VesselProfile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn vessel(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(p): ApiQuery<AsOfParams>,
) -> Result<axum::Json<VesselProfile>, ApiError> {
    let key = key_of(&raw)?;
    let at = parse_optional_date("at", p.at.as_deref())?.unwrap_or_else(today);
    let casework = state.casework.clone();
    let profile =
        blocking(move || casework.vessel_profile(key, at).map_err(vessel_not_found)).await?;
    Ok(axum::Json(profile))
}

#[derive(Debug, Deserialize)]
pub struct PeriodParams {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /vessels/{key}/events?from=&to=`: the vessel's events overlapping the period (days,
/// UTC, both included; open ends when absent): kind, times, positions, the port (DPRK ports
/// flagged) or other vessel, the numbers and the parameters that made each an event.
#[utoipa::path(get, path = "/vessels/{key}/events", tag = "vessels",
    params(("key" = String, Path), ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = VesselEvents), (status = 400, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn events(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> Result<axum::Json<VesselEvents>, ApiError> {
    let key = key_of(&raw)?;
    let from = parse_optional_date("from", p.from.as_deref())?;
    let to = parse_optional_date("to", p.to.as_deref())?;
    let casework = state.casework.clone();
    let events =
        blocking(move || Ok::<_, ApiError>(casework.vessel_events(Some(key), from, to))).await?;
    Ok(axum::Json(VesselEvents {
        key,
        from,
        to,
        count: events.len(),
        events,
    }))
}

/// `GET /vessels/{key}/map?from=&to=`: what the map page draws — the vessel's tracks
/// (`[unix seconds, lat, lon]`), its events, the ports and the coastline around them.
#[utoipa::path(get, path = "/vessels/{key}/map", tag = "vessels",
    params(("key" = String, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = VesselMap), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn map(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> Result<Response, ApiError> {
    let key = key_of(&raw)?;
    let from = parse_optional_date("from", p.from.as_deref())?;
    let to = parse_optional_date("to", p.to.as_deref())?;
    let casework = state.casework.clone();
    let map =
        blocking(move || casework.vessel_map(key, from, to).map_err(vessel_not_found)).await?;
    Ok((StatusCode::OK, axum::Json(map)).into_response())
}
