//! `POST /screen`: transactions against the regime and the lists, recorded by
//! the application layer (`resolute_casework::transactions`): this module only
//! reads the body and shapes the answer.

use axum::Extension;
use axum::extract::State;
use resolute_casework::transactions::{TxItem, outcome_json};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ErrorCode};
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
    responses((status = 200, description = "{\"id\",\"decision\",\"findings\",\"matches\"} (or {\"results\": [...]} for many); matches carry \"suppressed\" (and the \"suppression\") when a false-positive decision cleared them; \"resolute\".\"cap_draws\" lists what was drawn against quantity caps"), (status = 400)),
    security(("api_key" = [])))]
pub async fn screen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<axum::Json<Value>, ApiError> {
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
    let meta = json!({
        "screening_id": done.screening_id, "audit_seq": done.audit_seq, "cases": done.cases,
        "list_versions": done.list_versions, "regime_version": done.regime_version, "cap_draws": done.cap_draws,
    });
    let mut results: Vec<Value> = done.outcomes.iter().map(outcome_json).collect();
    let body = if many {
        json!({"results": results, "resolute": meta})
    } else {
        let mut one = results.pop().unwrap_or(Value::Null);
        if let Value::Object(m) = &mut one {
            m.insert("resolute".into(), meta);
        }
        one
    };
    Ok(axum::Json(body))
}
