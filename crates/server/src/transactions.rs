//! `POST /screen`: transactions against the regime and the lists, recorded by
//! the application layer (`resolute_casework::transactions`): this module only
//! reads the body and shapes the answer.

use axum::Extension;
use axum::extract::State;
use resolute_casework::transactions::{TxItem, outcome_json};
use resolute_screening::CapDraw;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ErrorBody, ErrorCode};

/// `POST /screen`: one transaction's outcome (a single object was sent) or
/// `{"results": [...]}` (an array or `{"transactions": [...]}` was sent), with `resolute`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Screened {
    One(ScreenedTransaction),
    Many(ScreenedBatch),
}

/// The outcome of one transaction and the screening's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenedTransaction {
    #[serde(flatten)]
    #[schema(value_type = TransactionOutcome)]
    pub outcome: Value,
    pub resolute: ScreeningRecord,
}

/// The outcomes, in the order sent, and the screening's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenedBatch {
    #[schema(value_type = Vec<TransactionOutcome>)]
    pub results: Vec<Value>,
    pub resolute: ScreeningRecord,
}

/// One transaction's outcome: the decision with the findings and list
/// matches behind it, or, for a line that cannot be screened, `{"id",
/// "error"}`. (Rendered by `resolute_casework::transactions::outcome_json`;
/// this type describes it.)
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Never built: it documents `outcome_json` in the OpenAPI document.
pub struct TransactionOutcome {
    pub id: String,
    /// The strictest effect of the findings.
    pub decision: Option<resolute_regime::Effect>,
    /// The measures that apply, each citing its resolution and paragraph.
    #[schema(value_type = Option<Vec<Object>>)]
    pub findings: Option<Vec<Value>>,
    /// List matches of the parties, with the `party` (`{by, value, country}`)
    /// matched; `suppressed` (and the `suppression`) when a false-positive
    /// decision cleared one.
    #[schema(value_type = Option<Vec<Object>>)]
    pub matches: Option<Vec<Value>>,
    /// Why the line could not be screened (no decision then).
    pub error: Option<String>,
}

/// What was recorded: the audit record, the cases opened, what it was screened against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreeningRecord {
    pub screening_id: String,
    pub audit_seq: i64,
    /// Ids of the cases opened.
    pub cases: Vec<i64>,
    pub list_versions: Vec<String>,
    pub regime_version: String,
    /// What was drawn against quantity caps.
    #[schema(value_type = Vec<Object>)]
    pub cap_draws: Vec<CapDraw>,
}
use crate::metrics::Metrics;
use crate::{AppState, blocking};

/// Transactions of a body: one object, an array, or `{"transactions": [...]}`.
fn transactions_of(body: Value) -> Result<(Vec<Value>, bool), ApiError> {
    match body {
        Value::Array(items) => Ok((items, true)),
        Value::Object(mut m) if m.contains_key("transactions") => match m.remove("transactions") {
            Some(Value::Array(items)) => Ok((items, true)),
            _ => Err(ApiError::new(
                ErrorCode::InvalidBody,
                "transactions must be an array",
            )),
        },
        v @ Value::Object(_) => Ok((vec![v], false)),
        _ => Err(ApiError::new(
            ErrorCode::InvalidBody,
            "send one transaction object, an array, or {\"transactions\": [...]}",
        )),
    }
}

/// `POST /screen`.
#[utoipa::path(post, path = "/screen", tag = "transactions",
    request_body(content = Object, description = "a transaction ({\"id\",\"kind\",\"date\",\"parties\",\"hs_code\",…}), an array of them, or {\"transactions\": [...]}"),
    responses((status = 200, body = Screened), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody, description = "cap_ledger_busy: send it again"), (status = 503, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn screen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<axum::Json<Screened>, ApiError> {
    let (items, many) = transactions_of(body)?;
    if items.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "no transaction given",
        ));
    }
    if items.len() > state.config.max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!(
                "{} transactions in one request; the limit is {}",
                items.len(),
                state.config.max_batch
            ),
        ));
    }
    let items: Vec<TxItem> = items.into_iter().map(TxItem::json).collect();
    let casework = state.casework.clone();
    let actor = caller.actor();
    let done = blocking(move || casework.screen_transactions(&items, None, &actor)).await?;

    let m = &state.metrics;
    Metrics::inc(&m.audit_records, 1);
    Metrics::inc(&m.cases_opened, done.cases.len() as u64);
    Metrics::inc(&m.screenings_transaction, done.outcomes.len() as u64);
    Metrics::inc(&m.suppressed_hits, done.suppressed);
    Metrics::inc(&m.cap_draws, done.cap_draws.len() as u64);
    Metrics::inc(&m.cap_retries, done.retries as u64);
    let resolute = ScreeningRecord {
        screening_id: done.screening_id,
        audit_seq: done.audit_seq,
        cases: done.cases,
        list_versions: done.list_versions,
        regime_version: done.regime_version,
        cap_draws: done.cap_draws,
    };
    let mut results: Vec<Value> = done.outcomes.iter().map(outcome_json).collect();
    let body = if many {
        Screened::Many(ScreenedBatch { results, resolute })
    } else {
        let outcome = results.pop().unwrap_or_default();
        Screened::One(ScreenedTransaction { outcome, resolute })
    };
    Ok(axum::Json(body))
}
