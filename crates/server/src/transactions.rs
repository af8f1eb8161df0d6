//! `POST /screen`: transactions against the regime and the lists (the
//! `resolute screen` contract), audited like name screenings.
//!
//! Quantity caps are drawn against the persisted cap ledger (see [`crate::caps`]):
//! the draws are written in the same commit as the screening's audit record.
//! Party matches cleared as false positives (a suppression on the party as
//! screened and the list entry, lapsing when the entry changes) are returned
//! marked `suppressed` and no longer drive the decision.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use resolute_model::Schema;
use resolute_regime::Effect;
use resolute_screening::{
    CapDraw, CapKey, CapLedger, Decision, ListHit, MatchSuppressor, PartyScreener, RawTransaction,
    ScreenedParty, Screener, Transaction, may_draw_cap,
};
use resolute_store::{CanonicalPayload, CapAccount, NewCapDraw, NewCase, StoreError};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::caps::{CapBalances, account_of};
use crate::engine::Engine;
use crate::error::{ApiError, ApiJson};
use crate::metrics::Metrics;
use crate::names::{query_key, ready_engine};
use crate::{AppState, SuppressionMap, new_screening_id};

/// How often a screening is redone when the store says the ledger moved under it.
const CAP_RETRIES: usize = 3;

/// Transactions of a body: one object, an array, or `{"transactions": [...]}`.
fn transactions_of(body: Value) -> Result<(Vec<Value>, bool), ApiError> {
    match body {
        Value::Array(items) => Ok((items, true)),
        Value::Object(mut m) if m.contains_key("transactions") => match m.remove("transactions") {
            Some(Value::Array(items)) => Ok((items, true)),
            _ => Err(ApiError::bad_request(
                "invalid_body",
                "transactions must be an array",
            )),
        },
        v @ Value::Object(_) => Ok((vec![v], false)),
        _ => Err(ApiError::bad_request(
            "invalid_body",
            "send one transaction object, an array, or {\"transactions\": [...]}",
        )),
    }
}

fn effect_str(e: Effect) -> &'static str {
    e.as_str()
}

/// The properties a party was screened with, in the FtM shape of name queries.
fn party_properties(p: &ScreenedParty) -> BTreeMap<String, Vec<String>> {
    let mut props = BTreeMap::new();
    let field = match p.by {
        "bic" => "swiftBic",
        "imo" => "imoNumber",
        _ => "name",
    };
    props.insert(field.to_string(), vec![p.value.clone()]);
    if let Some(c) = &p.country {
        props.insert("country".to_string(), vec![c.to_ascii_lowercase()]);
    }
    props
}

/// Suppression key of a party as screened: the same normalisation as name queries.
pub fn party_query_key(p: &ScreenedParty) -> String {
    query_key(p.schema.unwrap_or(Schema::Thing), &party_properties(p))
}

/// Clears a party's hit when a false-positive decision on (this party, this
/// entry) is active and the entry is unchanged since.
struct Suppressions<'a> {
    engine: &'a Engine,
    map: &'a SuppressionMap,
}

impl MatchSuppressor for Suppressions<'_> {
    fn suppression(&self, party: &ScreenedParty, hit: &ListHit) -> Option<Value> {
        if self.map.is_empty() {
            return None;
        }
        let s = self
            .map
            .get(&(party_query_key(party), hit.entity_id.clone()))?;
        (self.engine.fingerprint(&hit.entity_id) == Some(s.entity_fingerprint.as_str()))
            .then(|| json!({"id": s.id, "case_id": s.case_id, "created_by": s.created_by, "created_at": s.created_at, "note": s.note}))
    }
}

type Parsed = Vec<(Value, Result<Transaction, Value>)>;

fn parse_all(items: Vec<Value>, regime: &resolute_regime::Regime) -> Parsed {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let id = resolute_screening::tx::id_text(&item.get("id").cloned());
            let parsed = serde_json::from_value::<RawTransaction>(item.clone())
                .map_err(|e| e.to_string())
                .and_then(|raw| Transaction::from_raw(raw, regime).map_err(|e| e.to_string()))
                .map_err(|e| json!({"id": id, "error": format!("transaction {}: {e}", i + 1)}));
            (item, parsed)
        })
        .collect()
}

/// Screen every parsed transaction in order against a ledger seeded with `seed`.
fn screen_all(
    engine: &Engine,
    suppressions: &SuppressionMap,
    parsed: &Parsed,
    seed: &CapBalances,
) -> (Vec<Result<Decision, Value>>, Vec<CapDraw>) {
    let Some(regime) = engine.regime.as_deref() else {
        return (Vec::new(), Vec::new());
    };
    let parties = engine.parties.as_deref().map(|p| p as &dyn PartyScreener);
    let filter = Suppressions {
        engine,
        map: suppressions,
    };
    let ledger = CapLedger::seeded(seed.iter().map(|(k, v)| (k.clone(), *v)));
    let mut screener = Screener::with_ledger(regime, parties, ledger).with_suppressions(&filter);
    let outcomes = parsed
        .iter()
        .map(|(_, tx)| match tx {
            Ok(tx) => Ok(screener.screen(tx)),
            Err(e) => Err(e.clone()),
        })
        .collect();
    (outcomes, screener.ledger_mut().take_draws())
}

/// A decision as the API returns it: every match says whether it is suppressed
/// and what was screened (`party`: the input name, BIC or IMO number).
fn decision_json(d: &Decision) -> Value {
    let mut out = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(matches) = out.get_mut("matches").and_then(Value::as_array_mut) {
        for (m, pm) in matches.iter_mut().zip(&d.matches) {
            if let Value::Object(o) = m {
                o.entry("suppressed").or_insert(json!(false));
                o.insert("party".into(), json!({"by": pm.party.by, "value": pm.party.value, "country": pm.party.country}));
            }
        }
    }
    out
}

/// The case a screened transaction opens: on its best match that is not
/// suppressed (keyed on the party as screened), or on the transaction itself
/// when it needs review without one.
fn case_for(engine: &Engine, screening_id: &str, input: &Value, d: &Decision) -> Option<NewCase> {
    let best = d
        .matches
        .iter()
        .filter(|m| !m.suppressed)
        .max_by(|a, b| a.score.total_cmp(&b.score));
    if d.decision != Effect::Review && best.is_none() {
        return None;
    }
    let entity = best.and_then(|m| engine.entity(&m.entity_id));
    let (key, query) = match best {
        Some(m) => {
            let schema = m.party.schema.unwrap_or(Schema::Thing);
            (
                party_query_key(&m.party),
                json!({"schema": schema.as_str(), "properties": party_properties(&m.party), "role": m.role, "transaction": input}),
            )
        }
        None => (
            query_key(
                Schema::Thing,
                &[("transaction".to_string(), vec![d.id.clone()])]
                    .into_iter()
                    .collect(),
            ),
            json!({"transaction": input}),
        ),
    };
    let rules: Vec<String> = d.findings.iter().map(|f| f.rule.clone()).collect();
    Some(NewCase {
        kind: "transaction".into(),
        screening_id: screening_id.to_string(),
        query_key: key,
        query,
        entity_id: entity.map(|e| e.id.clone()),
        entity_ref: best.map(|m| m.reference.clone()),
        entity_caption: entity.map(|e| e.caption.clone()),
        entity_fingerprint: entity
            .and_then(|e| engine.fingerprint(&e.id))
            .map(str::to_string),
        score: best.map(|m| m.score),
        decision: Some(effect_str(d.decision).into()),
        summary: format!(
            "transaction {}: {}{}{}",
            d.id,
            effect_str(d.decision),
            if rules.is_empty() {
                String::new()
            } else {
                format!(" ({})", rules.join(", "))
            },
            best.map(|m| format!(
                "; {} {:?} matched {} {}",
                m.role, m.party.value, m.reference, m.name
            ))
            .unwrap_or_default()
        ),
    })
}

/// Commit the audit record, the cases and the cap draws in one transaction.
async fn record(
    state: &AppState,
    caller: &Caller,
    screening_id: &str,
    payload: Value,
    cases: Vec<NewCase>,
    draws: Vec<NewCapDraw>,
    expected: Vec<(CapAccount, f64)>,
) -> Result<(i64, Vec<i64>), StoreError> {
    let actor = caller.actor();
    let screening_id = screening_id.to_string();
    let n_cases = cases.len() as u64;
    let payload = CanonicalPayload::of(&payload);
    let out = state
        .store
        .write_async(move |ctx| {
            let receipt = ctx.append_audit_canonical("screening.transaction", &actor, &payload)?;
            let mut ids = Vec::with_capacity(cases.len());
            for c in &cases {
                ids.push(ctx.open_case(c, receipt.seq)?);
            }
            if !draws.is_empty() {
                ctx.record_cap_draws(&screening_id, receipt.seq, &actor, &draws, &expected)?;
            }
            Ok((receipt.seq, ids))
        })
        .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Metrics::inc(&state.metrics.cases_opened, n_cases);
    Ok(out)
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
        return Err(ApiError::bad_request(
            "invalid_body",
            "no transaction given",
        ));
    }
    if items.len() > state.config.max_batch {
        return Err(ApiError::bad_request(
            "batch_too_large",
            format!(
                "{} transactions in one request; the limit is {}",
                items.len(),
                state.config.max_batch
            ),
        ));
    }
    let engine = ready_engine(&state)?;
    let Some(regime) = engine.regime.clone() else {
        return Err(ApiError::unavailable(format!(
            "regime not loaded: {}",
            engine.problems.join("; ")
        )));
    };
    let parsed = Arc::new(parse_all(items, &regime));
    // Only screenings that may draw on a cap take the ledger lock.
    let draws_caps = parsed
        .iter()
        .any(|(_, t)| t.as_ref().is_ok_and(|t| may_draw_cap(&regime, t)));
    let mut ledger = if draws_caps {
        Some(state.caps.lock().await)
    } else {
        None
    };

    let mut attempt = 0;
    loop {
        attempt += 1;
        let seed: CapBalances = ledger.as_deref().cloned().unwrap_or_default();
        let screening_id = new_screening_id();
        let (outcomes, draws) = {
            let (engine, parsed, suppressions, seed) = (
                engine.clone(),
                parsed.clone(),
                state.suppressions_snapshot(),
                seed.clone(),
            );
            tokio::task::spawn_blocking(move || screen_all(&engine, &suppressions, &parsed, &seed))
                .await
                .map_err(|e| ApiError::internal(format!("screening task: {e}")))?
        };
        let mut results = Vec::with_capacity(outcomes.len());
        let mut audit_items = Vec::with_capacity(outcomes.len());
        let mut cases = Vec::new();
        let mut suppressed = 0u64;
        for ((input, _), outcome) in parsed.iter().zip(outcomes) {
            let out = match outcome {
                Ok(decision) => {
                    suppressed += decision.matches.iter().filter(|m| m.suppressed).count() as u64;
                    cases.extend(case_for(&engine, &screening_id, input, &decision));
                    decision_json(&decision)
                }
                Err(err) => err,
            };
            audit_items.push(json!({"input": input, "output": out}));
            results.push(out);
        }
        let mut accounts: Vec<CapKey> = draws.iter().map(CapDraw::key).collect();
        accounts.sort_by(|a, b| {
            (&a.measure, a.period_start, a.unit.as_str()).cmp(&(
                &b.measure,
                b.period_start,
                b.unit.as_str(),
            ))
        });
        accounts.dedup();
        let expected: Vec<(CapAccount, f64)> = accounts
            .iter()
            .map(|k| (account_of(k), seed.get(k).copied().unwrap_or(0.0)))
            .collect();
        let new_draws: Vec<NewCapDraw> = draws
            .iter()
            .map(|d| NewCapDraw {
                transaction_id: d.transaction.clone(),
                account: account_of(&d.key()),
                amount: d.amount,
            })
            .collect();
        let payload = json!({
            "screening_id": screening_id,
            "list_versions": engine.version_ids(),
            "regime_version": engine.regime_version,
            "transactions": audit_items,
            "cap_draws": draws,
        });
        let n = results.len() as u64;
        match record(
            &state,
            &caller,
            &screening_id,
            payload,
            cases,
            new_draws,
            expected,
        )
        .await
        {
            Ok((seq, case_ids)) => {
                // Memory follows the store only after the commit.
                if let Some(ledger) = ledger.as_deref_mut() {
                    for d in &draws {
                        *ledger.entry(d.key()).or_insert(0.0) += d.amount;
                    }
                }
                drop(ledger);
                Metrics::inc(&state.metrics.screenings_transaction, n);
                Metrics::inc(&state.metrics.suppressed_hits, suppressed);
                Metrics::inc(&state.metrics.cap_draws, draws.len() as u64);
                let meta = json!({
                    "screening_id": screening_id, "audit_seq": seq, "cases": case_ids,
                    "list_versions": engine.version_ids(), "regime_version": engine.regime_version, "cap_draws": draws,
                });
                let body = if many {
                    json!({"results": results, "resolute": meta})
                } else {
                    let mut one = results.into_iter().next().unwrap_or(Value::Null);
                    if let Value::Object(m) = &mut one {
                        m.insert("resolute".into(), meta);
                    }
                    one
                };
                return Ok(axum::Json(body));
            }
            Err(e) => {
                // The ledger in memory may be stale (another process, a cancelled request): reload it.
                if let Some(ledger) = ledger.as_deref_mut() {
                    crate::caps::reload(&state, ledger).await?;
                }
                match e {
                    StoreError::Conflict(msg) if attempt < CAP_RETRIES && ledger.is_some() => {
                        tracing::info!(
                            "cap ledger moved during a screening ({msg}); screening again"
                        );
                        Metrics::inc(&state.metrics.cap_retries, 1);
                    }
                    other => return Err(other.into()),
                }
            }
        }
    }
}
