//! Quantity caps across requests: the committed cap ledger in memory, `GET /caps`
//! and `POST /caps/opening`.
//!
//! The ledger is loaded from the store at startup and sits behind an async
//! mutex. A screening that may draw on a cap holds the lock from seeding its
//! screener to the commit of its audit record and draws, and updates the
//! in-memory amounts only after that commit succeeded; so two concurrent
//! requests never both spend the same remaining amount, and memory never runs
//! ahead of the store. The store checks the seeded amounts again inside the
//! commit (another process may share the data directory).

use std::collections::HashMap;

use axum::Extension;
use axum::extract::State;
use chrono::NaiveDate;
use resolute_regime::query::period_containing;
use resolute_regime::{Measure, MeasureKind, Regime};
use resolute_screening::{CapKey, cap_unit_id, parse_cap_unit};
use resolute_store::{CapAccount, CapBalance, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::metrics::Metrics;
use crate::routes::{parse_date, regime_of};
use crate::{AppState, ServerError};

/// Amount used per cap account, as committed.
pub type CapBalances = HashMap<CapKey, f64>;

pub fn account_of(key: &CapKey) -> CapAccount {
    CapAccount::new(key.measure.clone(), key.period_start, cap_unit_id(key.unit))
}

fn key_of(account: &CapAccount) -> Option<CapKey> {
    Some(CapKey::new(
        account.measure_id.clone(),
        account.period_start,
        parse_cap_unit(&account.unit)?,
    ))
}

/// The committed ledger from the store (accounts with an unknown unit are skipped and logged).
pub fn load_balances(store: &Store) -> Result<CapBalances, ServerError> {
    let mut out = HashMap::new();
    for b in store.cap_balances()? {
        match key_of(&b.account) {
            Some(k) => {
                out.insert(k, b.used);
            }
            None => tracing::warn!(
                "cap ledger account {} {} has an unknown unit {:?}; ignored",
                b.account.measure_id,
                b.account.period_start,
                b.account.unit
            ),
        }
    }
    Ok(out)
}

/// Reload the in-memory ledger from the store (after a failed or refused commit).
pub async fn reload(state: &AppState, ledger: &mut CapBalances) -> Result<(), ApiError> {
    let store = state.store.clone();
    *ledger = tokio::task::spawn_blocking(move || load_balances(&store))
        .await
        .map_err(|e| ApiError::internal(format!("cap ledger: {e}")))?
        .map_err(|e| ApiError::internal(format!("cap ledger: {e}")))?;
    Ok(())
}

fn cap_measures(regime: &Regime, date: NaiveDate) -> impl Iterator<Item = &Measure> {
    regime
        .measures
        .iter()
        .filter(move |m| m.kind == MeasureKind::QuantityCap && m.cap.is_some() && m.in_force(date))
}

#[derive(Debug, Deserialize)]
pub struct CapsParams {
    pub at: Option<String>,
}

/// `GET /caps?at=DATE`: every quantity cap in force on the date, with the
/// period containing it and, per unit, the limit, the amount used (opening
/// amount plus recorded draws) and what remains.
#[utoipa::path(get, path = "/caps", tag = "transactions", params(("at" = Option<String>, Query, description = "YYYY-MM-DD (default: today)")),
    responses((status = 200, description = "{\"at\", \"caps\": [{\"measure\", \"resolution\", \"paragraph\", \"period\": {\"start\", \"end\"}, \"limits\": [{\"unit\", \"limit\", \"opening\", \"used\", \"remaining\", \"draws\"}]}]}"), (status = 400)),
    security(("api_key" = [])))]
pub async fn caps_at(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CapsParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let date = match p.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date("at", Some(s))?,
        None => chrono::Utc::now().date_naive(),
    };
    let engine = state.engine.get();
    let regime = regime_of(&engine)?;
    let store = state.store.clone();
    let balances: Vec<CapBalance> = tokio::task::spawn_blocking(move || store.cap_balances())
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let balance = |measure: &str, start: NaiveDate, unit: &str| {
        balances.iter().find(|b| {
            b.account.measure_id == measure
                && b.account.period_start == start
                && b.account.unit == unit
        })
    };
    let mut caps = Vec::new();
    for m in cap_measures(regime, date) {
        let Some(cap) = &m.cap else { continue };
        for period in &cap.periods {
            let Some((start, end)) = period_containing(period, date) else {
                continue;
            };
            let limits: Vec<Value> = period
                .limits
                .iter()
                .map(|l| {
                    let unit = cap_unit_id(l.unit);
                    let b = balance(&m.id, start, unit);
                    let used = b.map_or(0.0, |b| b.used);
                    json!({
                        "unit": unit,
                        "unit_label": l.unit.as_str(),
                        "limit": l.amount,
                        "opening": b.map_or(0.0, |b| b.opening),
                        "used": used,
                        "remaining": l.amount - used,
                        "draws": b.map_or(0, |b| b.draws),
                        "updated_at": b.map(|b| b.updated_at.clone()),
                    })
                })
                .collect();
            caps.push(json!({
                "measure": m.id,
                "resolution": m.resolution,
                "paragraph": m.paragraph_label(),
                "title": m.title,
                "verified": m.verified,
                "period": {"start": start, "end": end},
                "limits": limits,
            }));
        }
    }
    Ok(axum::Json(
        json!({"at": date, "regime_version": engine.regime_version, "caps": caps}),
    ))
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
    responses((status = 200, description = "{\"balance\", \"limit\", \"remaining\", \"audit_seq\"}"), (status = 400), (status = 403)),
    security(("api_key" = [])))]
pub async fn set_opening(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<OpeningBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let bad = |msg: String| ApiError::bad_request("invalid_body", msg);
    let engine = state.engine.get();
    let regime = regime_of(&engine)?;
    let measure = regime.measure(body.measure.trim()).ok_or_else(|| {
        bad(format!(
            "measure: no measure {:?} in the regime",
            body.measure
        ))
    })?;
    let cap = match (&measure.cap, measure.kind) {
        (Some(cap), MeasureKind::QuantityCap) => cap,
        _ => {
            return Err(bad(format!(
                "measure: {} is not a quantity cap",
                measure.id
            )));
        }
    };
    let day = match (body.period_start.as_deref(), body.date.as_deref()) {
        (Some(s), _) => parse_date("period_start", Some(s))?,
        (None, Some(d)) => parse_date("date", Some(d))?,
        (None, None) => return Err(bad("period_start (or date) is required".into())),
    };
    let (period, (start, end)) = cap
        .periods
        .iter()
        .find_map(|p| period_containing(p, day).map(|se| (p, se)))
        .ok_or_else(|| bad(format!("{day} is in no period of {}", measure.id)))?;
    if body.period_start.is_some() && start != day {
        return Err(bad(format!(
            "period_start: {day} is not the first day of a period of {}; it falls in {start}–{end}",
            measure.id
        )));
    }
    let unit = parse_cap_unit(&body.unit)
        .ok_or_else(|| bad(format!("unit: {:?} is not bbl, t or usd", body.unit)))?;
    let limit = period
        .limits
        .iter()
        .find(|l| l.unit == unit)
        .ok_or_else(|| {
            bad(format!(
                "unit: the cap of {} for {start}–{end} is not counted in {}",
                measure.id,
                unit.as_str()
            ))
        })?
        .amount;
    if !(body.amount.is_finite() && body.amount >= 0.0) {
        return Err(bad(format!(
            "amount: {} must be a non-negative number",
            body.amount
        )));
    }
    let note = body.note.trim().to_string();
    if note.is_empty() {
        return Err(bad("note: say where the amount comes from".into()));
    }
    let key = CapKey::new(measure.id.clone(), start, unit);
    // Same lock as the screenings: an opening amount never lands between a screening's seed and its commit.
    let mut ledger = state.caps.lock().await;
    let result = state
        .store
        .set_cap_opening_async(account_of(&key), body.amount, &note, &caller.actor())
        .await;
    let (balance, receipt) = match result {
        Ok(x) => x,
        Err(e) => {
            reload(&state, &mut ledger).await?;
            return Err(e.into());
        }
    };
    ledger.insert(key, balance.used);
    drop(ledger);
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(json!({
        "balance": balance,
        "period": {"start": start, "end": end},
        "limit": limit,
        "remaining": limit - balance.used,
        "audit_seq": receipt.seq,
    })))
}
