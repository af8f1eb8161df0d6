//! Revenue impact of the measures and member-state implementation reporting
//! (`resolute-impact`), served over HTTP.
//!
//! The trade flows are the bundled ones (UN Comtrade totals for the
//! denominator, the published 2371 estimates as flows), embedded so the
//! service works from any directory; reports live in the data directory's
//! `reports.csv`, the same file `resolute reports` writes.

use std::path::Path;
use std::sync::LazyLock;

use axum::extract::State;
use chrono::{NaiveDate, Utc};
use resolute_impact::reporting::{NewReport, ReportStore};
use resolute_impact::{ImpactOptions, TradeData};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiJson, ApiQuery, ErrorCode};
use crate::{AppState, routes};

static COMTRADE_TOTALS: &[u8] =
    include_bytes!("../../../data/trade/comtrade-partner-PRK-totals-2013-2017.csv");
static ESTIMATES_AS_FLOWS: &[u8] =
    include_bytes!("../../../data/trade/derived-unscr2371-estimates-as-flows.csv");

/// Parsed once: the bundled flows never change while the process runs.
static BUNDLED_TRADE: LazyLock<Result<TradeData, String>> = LazyLock::new(|| {
    let mut data = TradeData::default();
    for (name, bytes) in [
        (
            "data/trade/comtrade-partner-PRK-totals-2013-2017.csv",
            COMTRADE_TOTALS,
        ),
        (
            "data/trade/derived-unscr2371-estimates-as-flows.csv",
            ESTIMATES_AS_FLOWS,
        ),
    ] {
        let file = resolute_impact::trade::read_trade(bytes, name, Path::new(name))
            .map_err(|e| e.to_string())?;
        data.extend(file);
    }
    Ok(data)
});

/// Report files are read-modify-written whole; one writer at a time.
static REPORTS_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn optional_date(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    Ok(resolute_casework::dates::parse_optional_date(field, s)?)
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[derive(Debug, Deserialize)]
pub struct ImpactParams {
    pub at: Option<String>,
    pub year: Option<i32>,
    pub resolution: Option<u32>,
}

/// `GET /impact?at=&year=&resolution=`: DPRK trade covered and newly cut by
/// each resolution in force at `at` (default 2017-08-05), base year `year`
/// (default 2016), with the SVG chart.
#[utoipa::path(get, path = "/impact", tag = "analysis",
    params(("at" = Option<String>, Query), ("year" = Option<i32>, Query), ("resolution" = Option<u32>, Query)),
    responses((status = 200), (status = 400)), security(("api_key" = [])))]
pub async fn impact(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ImpactParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let at = optional_date("at", p.at.as_deref())?
        .unwrap_or(NaiveDate::from_ymd_opt(2017, 8, 5).unwrap_or_default());
    let year = p.year.unwrap_or(2016);
    let data = BUNDLED_TRADE
        .as_ref()
        .map_err(|e| ApiError::unavailable(format!("bundled trade data: {e}")))?;
    let engine = state.engine();
    let regime = routes::regime_of(&engine)?;
    if let Some(r) = p.resolution
        && regime.resolution(r).is_none()
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("resolution {r} is not in the regime"),
        ));
    }
    let horizon = at.checked_add_days(chrono::Days::new(366)).unwrap_or(at);
    let measures = resolute_impact::regime_measures(regime, horizon);
    let report = resolute_impact::compute_impact(
        &data.flows,
        &measures,
        &ImpactOptions {
            year,
            at,
            resolution: p.resolution,
        },
    );
    let svg = resolute_impact::chart::impact_svg(&report)
        .map_err(|e| ApiError::internal(format!("chart: {e}")))?;
    Ok(axum::Json(json!({"report": report, "svg": svg})))
}

#[derive(Debug, Deserialize)]
pub struct ReportsParams {
    pub resolution: Option<u32>,
    pub as_of: Option<String>,
}

async fn open_reports(state: &AppState) -> Result<ReportStore, ApiError> {
    let dir = state.config.data_dir.clone();
    tokio::task::spawn_blocking(move || ReportStore::open(&dir, today()))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::unavailable(format!("reports: {e}")))
}

/// `GET /reports?resolution=`: recorded national implementation reports.
#[utoipa::path(get, path = "/reports", tag = "analysis", params(("resolution" = Option<u32>, Query)),
    responses((status = 200)), security(("api_key" = [])))]
pub async fn list_reports(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ReportsParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let store = open_reports(&state).await?;
    let reports = store.list(p.resolution);
    Ok(axum::Json(
        json!({"count": reports.len(), "reports": reports}),
    ))
}

/// `GET /reports/status?resolution=&as_of=`: who reported on what, who is
/// overdue, "N of 193" — for one resolution, or every one with a request.
#[utoipa::path(get, path = "/reports/status", tag = "analysis",
    params(("resolution" = Option<u32>, Query), ("as_of" = Option<String>, Query)),
    responses((status = 200), (status = 400)), security(("api_key" = [])))]
pub async fn reports_status(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ReportsParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let as_of = optional_date("as_of", p.as_of.as_deref())?.unwrap_or_else(today);
    let store = open_reports(&state).await?;
    match p.resolution {
        Some(r) => {
            let status = store
                .status(r, as_of)
                .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e.to_string()))?;
            Ok(axum::Json(json!({"as_of": as_of, "status": [status]})))
        }
        None => Ok(axum::Json(
            json!({"as_of": as_of, "status": store.status_all(as_of)}),
        )),
    }
}

/// `POST /reports`: record a national implementation report
/// (`{"state","resolutions","submitted","symbol","notes"}`).
#[utoipa::path(post, path = "/reports", tag = "analysis", responses((status = 200), (status = 400)), security(("api_key" = [])))]
pub async fn add_report(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewReport>,
) -> Result<axum::Json<Value>, ApiError> {
    let _guard = REPORTS_LOCK.lock().await;
    let dir = state.config.data_dir.clone();
    let added = tokio::task::spawn_blocking(move || {
        let mut store = ReportStore::open(&dir, today())
            .map_err(|e| ApiError::unavailable(format!("reports: {e}")))?;
        let added = store
            .add(&input, today())
            .map_err(|e| ApiError::new(ErrorCode::InvalidReport, e.to_string()))?;
        store
            .save()
            .map_err(|e| ApiError::internal(format!("saving reports: {e}")))?;
        Ok::<_, ApiError>(added)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(axum::Json(json!({"report": added})))
}
