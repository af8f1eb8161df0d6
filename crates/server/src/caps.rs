//! `GET /caps` and `POST /caps/opening`: quantity caps and their committed
//! ledger, through the application layer (`resolute_casework::caps`).

use axum::Extension;
use axum::extract::State;
use resolute_casework::caps::CapStatus;
use resolute_casework::caps::OpeningRequest;
use resolute_casework::dates::{parse_optional_date, today};
use resolute_casework::transactions::CapOpening;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::metrics::Metrics;
use crate::{AppState, blocking};

#[derive(Debug, Deserialize)]
pub struct CapsParams {
    pub at: Option<String>,
}

/// `GET /caps?at=DATE`: every quantity cap in force on the date, with the
/// period containing it and, per unit, the limit, the amount used (opening
/// amount plus recorded draws) and what remains.
#[utoipa::path(get, path = "/caps", tag = "transactions", params(("at" = Option<String>, Query, description = "YYYY-MM-DD (default: today)")),
    responses((status = 200, body = CapsAt), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn caps_at(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CapsParams>,
) -> Result<axum::Json<CapsAt>, ApiError> {
    let date = parse_optional_date("at", p.at.as_deref())?.unwrap_or_else(today);
    let casework = state.casework.clone();
    let caps = blocking(move || casework.caps_at(date)).await?;
    Ok(axum::Json(CapsAt {
        at: date,
        regime_version: state.engine().regime_version.clone(),
        caps,
    }))
}

/// `GET /caps`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapsAt {
    pub at: chrono::NaiveDate,
    pub regime_version: String,
    pub caps: Vec<CapStatus>,
}

#[derive(Debug, Deserialize)]
pub struct OpeningBody {
    /// Measure id, e.g. `dprk/2397/5/refined-petroleum`.
    pub measure: String,
    /// First day of the period; or give `date`, any day in it.
    pub period_start: Option<String>,
    pub date: Option<String>,
    /// `bbl`, `t` or `usd`.
    pub unit: String,
    pub amount: f64,
    /// Where the amount comes from (national records, a 1718 Committee figure…).
    #[serde(default)]
    pub note: String,
}

/// `POST /caps/opening` (admin): set the amount already used in a cap period
/// before Resolute kept the ledger. Replaces an earlier opening amount; draws
/// recorded since still count. Audited as `cap.opening_set`.
#[utoipa::path(post, path = "/caps/opening", tag = "transactions",
    request_body(content = Object, description = "{\"measure\": \"dprk/2397/5/refined-petroleum\", \"period_start\": \"2018-01-01\" (or \"date\"), \"unit\": \"bbl\", \"amount\": 120000, \"note\": \"source of the figure\"}"),
    responses((status = 200, body = CapOpening), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn set_opening(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<OpeningBody>,
) -> Result<axum::Json<CapOpening>, ApiError> {
    let req = OpeningRequest {
        period_start: parse_optional_date("period_start", body.period_start.as_deref())
            .map_err(ApiError::body)?,
        date: parse_optional_date("date", body.date.as_deref()).map_err(ApiError::body)?,
        measure: body.measure,
        unit: body.unit,
        amount: body.amount,
        note: body.note,
    };
    let casework = state.casework.clone();
    let actor = caller.actor();
    let opening = blocking(move || {
        casework
            .set_cap_opening(&req, &actor)
            .map_err(ApiError::body)
    })
    .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(opening))
}
