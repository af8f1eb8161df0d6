//! Revenue impact of the measures and member-state implementation reporting
//! (`resolute-impact`), served over HTTP.
//!
//! The trade flows are the bundled ones (UN Comtrade totals for the
//! denominator, the published 2371 estimates as flows), embedded so the
//! service works from any directory; member-state reports are recorded in
//! the store through `resolute_casework::reports`, as `resolute reports` does.

use std::path::Path;
use std::sync::LazyLock;

use axum::Extension;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use resolute_casework::{Casework, CaseworkError, reports};
use resolute_impact::ImpactReport;
use resolute_impact::reporting::NewReport;
use resolute_impact::reporting::ResolutionStatus;
use resolute_impact::{ImpactOptions, TradeData};
use resolute_store::StateReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody, ErrorCode};
use crate::metrics::Metrics;
use crate::{AppState, blocking, routes};

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
    responses((status = 200, body = Impact), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn impact(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ImpactParams>,
) -> Result<axum::Json<Impact>, ApiError> {
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
    Ok(axum::Json(Impact { report, svg }))
}

/// `GET /impact`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Impact {
    /// DPRK trade covered and newly cut per resolution (exports at the top level).
    pub report: ImpactReport,
    /// The chart (SVG text).
    pub svg: String,
}

/// `GET /reports`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub count: usize,
    pub reports: Vec<StateReport>,
}

/// `GET /reports/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsStatus {
    pub as_of: NaiveDate,
    /// Per resolution: who reported, who is overdue, "N of 193".
    pub status: Vec<ResolutionStatus>,
}

/// `POST /reports`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAdded {
    pub report: StateReport,
}

#[derive(Debug, Deserialize)]
pub struct ReportsParams {
    pub resolution: Option<u32>,
    pub as_of: Option<String>,
}

/// At start-up: import the `reports.csv` an older build kept in the data
/// directory, once (`casework::reports::import_legacy`). A failure is logged
/// and the service starts anyway: the file stays and the next start retries.
pub(crate) fn import_legacy_reports(casework: &Casework, data_dir: &Path) {
    let engine = casework.engine();
    let Some(regime) = engine.regime.as_deref() else {
        return;
    };
    match reports::import_legacy(casework.store(), regime, data_dir, today()) {
        Ok(Some(done)) if !done.already_imported => {
            tracing::info!(
                file = %done.file,
                sha256 = %done.sha256,
                added = done.added,
                already_present = done.already_present,
                rejected = done.rejected.len(),
                "imported member-state reports from the legacy reports.csv into the store (the file is left in place)"
            );
            for row in &done.rejected {
                tracing::warn!("legacy reports.csv: not imported: {row}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(
            "member-state reports in {}: not imported: {e}",
            data_dir.join(reports::LEGACY_REPORTS_FILE).display()
        ),
    }
}

/// `GET /reports?resolution=`: recorded national implementation reports.
#[utoipa::path(get, path = "/reports", tag = "analysis", params(("resolution" = Option<u32>, Query)),
    responses((status = 200, body = ReportList), (status = 400, body = ErrorBody)), security(("api_key" = [])))]
pub async fn list_reports(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ReportsParams>,
) -> Result<axum::Json<ReportList>, ApiError> {
    let store = state.store.clone();
    let reports = blocking(move || reports::list(&store, p.resolution)).await?;
    Ok(axum::Json(ReportList {
        count: reports.len(),
        reports,
    }))
}

/// `GET /reports/status?resolution=&as_of=`: who reported on what, who is
/// overdue, "N of 193" — for one resolution, or every one with a request.
#[utoipa::path(get, path = "/reports/status", tag = "analysis",
    params(("resolution" = Option<u32>, Query), ("as_of" = Option<String>, Query)),
    responses((status = 200, body = ReportsStatus), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn reports_status(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ReportsParams>,
) -> Result<axum::Json<ReportsStatus>, ApiError> {
    let as_of = optional_date("as_of", p.as_of.as_deref())?.unwrap_or_else(today);
    let engine = state.engine();
    let store = state.store.clone();
    let status = blocking(move || {
        let regime = routes::regime_of(&engine)?;
        match p.resolution {
            Some(r) => reports::status(&store, regime, r, as_of)
                .map(|s| vec![s])
                .map_err(|e| match e {
                    // An unknown resolution is a wrong query parameter.
                    CaseworkError::Report(e) => {
                        ApiError::new(ErrorCode::InvalidParameter, e.to_string())
                    }
                    other => other.into(),
                }),
            None => Ok(reports::status_all(&store, regime, as_of)?),
        }
    })
    .await?;
    Ok(axum::Json(ReportsStatus { as_of, status }))
}

/// `POST /reports`: record a national implementation report
/// (`{"state","resolutions","submitted","symbol","notes"}`) with the caller
/// as actor, audited as `report.added`; the same state and symbol twice is a 409.
#[utoipa::path(post, path = "/reports", tag = "analysis",
    responses((status = 200, body = ReportAdded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("api_key" = [])))]
pub async fn add_report(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<NewReport>,
) -> Result<axum::Json<ReportAdded>, ApiError> {
    let engine = state.engine();
    let store = state.store.clone();
    let actor = caller.actor();
    let added = blocking(move || {
        let regime = routes::regime_of(&engine)?;
        Ok::<_, ApiError>(reports::add(&store, regime, &input, &actor, today())?)
    })
    .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(ReportAdded { report: added }))
}
