//! `POST /screen`: transactions against the regime and the lists (the
//! `resolute screen` contract), audited like name screenings.

use axum::Extension;
use axum::extract::State;
use resolute_regime::Effect;
use resolute_screening::{Decision, PartyScreener, RawTransaction, Screener, Transaction};
use resolute_store::NewCase;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson};
use crate::metrics::Metrics;
use crate::names::{query_key, ready_engine, record_screening};
use crate::{AppState, new_screening_id};

/// Transactions of a body: one object, an array, or `{"transactions": [...]}`.
fn transactions_of(body: Value) -> Result<(Vec<Value>, bool), ApiError> {
    match body {
        Value::Array(items) => Ok((items, true)),
        Value::Object(mut m) if m.contains_key("transactions") => match m.remove("transactions") {
            Some(Value::Array(items)) => Ok((items, true)),
            _ => Err(ApiError::bad_request("invalid_body", "transactions must be an array")),
        },
        v @ Value::Object(_) => Ok((vec![v], false)),
        _ => Err(ApiError::bad_request("invalid_body", "send one transaction object, an array, or {\"transactions\": [...]}")),
    }
}

fn effect_str(e: Effect) -> &'static str {
    e.as_str()
}

/// `POST /screen`.
#[utoipa::path(post, path = "/screen", tag = "transactions",
    request_body(content = Object, description = "a transaction ({\"id\",\"kind\",\"date\",\"parties\",\"hs_code\",…}), an array of them, or {\"transactions\": [...]}"),
    responses((status = 200, description = "{\"id\",\"decision\",\"findings\",\"matches\"} (or {\"results\": [...]} for many)"), (status = 400)),
    security(("api_key" = [])))]
pub async fn screen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<axum::Json<Value>, ApiError> {
    let (items, many) = transactions_of(body)?;
    if items.is_empty() {
        return Err(ApiError::bad_request("invalid_body", "no transaction given"));
    }
    if items.len() > state.config.max_batch {
        return Err(ApiError::bad_request(
            "batch_too_large",
            format!("{} transactions in one request; the limit is {}", items.len(), state.config.max_batch),
        ));
    }
    let engine = ready_engine(&state)?;
    if engine.regime.is_none() {
        return Err(ApiError::unavailable(format!("regime not loaded: {}", engine.problems.join("; "))));
    }
    let screening_id = new_screening_id();
    let work_engine = engine.clone();
    let work_id = screening_id.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let engine = work_engine;
        let Some(regime) = engine.regime.as_deref() else { return Vec::new() };
        let parties = engine.parties.as_deref().map(|p| p as &dyn PartyScreener);
        // One screener per request: caps are drawn down in the order given.
        let mut screener = Screener::new(regime, parties);
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let id = resolute_screening::tx::id_text(&item.get("id").cloned());
                let input = item.clone();
                let parsed = serde_json::from_value::<RawTransaction>(item)
                    .map_err(|e| e.to_string())
                    .and_then(|raw| Transaction::from_raw(raw, regime));
                match parsed {
                    Ok(tx) => (input, Ok(screener.screen(&tx))),
                    Err(e) => (input, Err(json!({"id": id, "error": format!("transaction {}: {e}", i + 1)}))),
                }
            })
            .collect::<Vec<(Value, Result<Decision, Value>)>>()
    })
    .await
    .map_err(|e| ApiError::internal(format!("screening task: {e}")))?;

    let mut results = Vec::with_capacity(outcomes.len());
    let mut audit_items = Vec::with_capacity(outcomes.len());
    let mut cases = Vec::new();
    for (input, outcome) in outcomes {
        match outcome {
            Ok(decision) => {
                let out = serde_json::to_value(&decision).unwrap_or(Value::Null);
                let best = decision.matches.iter().max_by(|a, b| a.score.total_cmp(&b.score));
                if decision.decision == Effect::Review || best.is_some() {
                    let entity = best.and_then(|m| engine.entity_by_ref(&m.reference));
                    let key = match best {
                        Some(m) => query_key(resolute_model::Schema::Thing, &[("name".to_string(), vec![m.name.clone()])].into_iter().collect()),
                        None => query_key(resolute_model::Schema::Thing, &[("transaction".to_string(), vec![decision.id.clone()])].into_iter().collect()),
                    };
                    let rules: Vec<String> = decision.findings.iter().map(|f| f.rule.clone()).collect();
                    cases.push(NewCase {
                        kind: "transaction".into(),
                        screening_id: screening_id.clone(),
                        query_key: key,
                        query: input.clone(),
                        entity_id: entity.map(|e| e.id.clone()),
                        entity_ref: best.map(|m| m.reference.clone()),
                        entity_caption: entity.map(|e| e.caption.clone()),
                        entity_fingerprint: entity.and_then(|e| engine.fingerprint(&e.id)).map(str::to_string),
                        score: best.map(|m| m.score),
                        decision: Some(effect_str(decision.decision).into()),
                        summary: format!(
                            "transaction {}: {}{}",
                            decision.id,
                            effect_str(decision.decision),
                            if rules.is_empty() { String::new() } else { format!(" ({})", rules.join(", ")) }
                        ),
                    });
                }
                audit_items.push(json!({"input": input, "output": out}));
                results.push(out);
            }
            Err(err) => {
                audit_items.push(json!({"input": input, "output": err}));
                results.push(err);
            }
        }
    }
    let n = results.len() as u64;
    let payload = json!({
        "screening_id": screening_id,
        "list_versions": engine.version_ids(),
        "regime_version": engine.regime_version,
        "transactions": audit_items,
    });
    let (seq, case_ids) = record_screening(&state, "screening.transaction", &caller, payload, cases).await?;
    Metrics::inc(&state.metrics.screenings_transaction, n);
    let meta = json!({"screening_id": work_id, "audit_seq": seq, "cases": case_ids, "list_versions": engine.version_ids(), "regime_version": engine.regime_version});
    let body = if many {
        json!({"results": results, "resolute": meta})
    } else {
        let mut one = results.into_iter().next().unwrap_or(Value::Null);
        if let Value::Object(m) = &mut one {
            m.insert("resolute".into(), meta);
        }
        one
    };
    Ok(axum::Json(body))
}
