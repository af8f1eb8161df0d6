//! Recorded transaction screening: the one workflow behind `POST /screen` and
//! `resolute screen --data-dir`.
//!
//! 1. Parse every item (a bad one gets `{"id","error"}` and the rest go on).
//! 2. If any may draw on a quantity cap, hold the cap ledger.
//! 3. Screen in order against the regime, the lists and the suppressions,
//!    seeded with the committed ledger.
//! 4. Commit in one store transaction: the audit record (inputs and outputs,
//!    list and regime versions), the cases the outcomes open, and the cap
//!    draws with the balances they were seeded with.
//! 5. If the store says the ledger moved (another process drew), reload it
//!    and screen again, up to [`CAP_RETRIES`] times; memory follows the store
//!    only after a commit.

use chrono::NaiveDate;
use resolute_regime::Regime;
use resolute_screening::tx::id_text;
use resolute_screening::{
    CapDraw, CapKey, CapLedger, ConductParams, Decision, LineResult, PartyScreener, RawTransaction,
    Screener, Transaction, may_draw_cap,
};
use resolute_store::{CanonicalPayload, CapAccount, CapBalance, NewCapDraw, NewCase, StoreError};
use serde::Serialize;
use serde_json::{Value, json};

use crate::caps::{self, CapBalances, CapStatus, OpeningRequest, Period, account_of};
use crate::cases::transaction_case;
use crate::engine::Engine;
use crate::error::{CaseworkError, Result};
use crate::suppress::{PartyClearing, SuppressionSet};
use crate::{Casework, new_screening_id};

/// How often a screening is redone when another writer moved the cap ledger under it.
pub const CAP_RETRIES: usize = 3;

/// One transaction as received.
#[derive(Debug, Clone)]
pub struct TxItem {
    /// The input line, when it came from a file (errors then say `line N`).
    pub line: Option<usize>,
    pub input: TxInput,
}

#[derive(Debug, Clone)]
pub enum TxInput {
    Json(Value),
    /// A line that is not JSON: kept as text for the audit record.
    Unreadable {
        text: String,
        error: String,
    },
}

impl TxItem {
    pub fn json(value: Value) -> TxItem {
        TxItem {
            line: None,
            input: TxInput::Json(value),
        }
    }

    /// A JSONL line (1-based number).
    pub fn line(line: usize, text: &str) -> TxItem {
        let input = match serde_json::from_str(text) {
            Ok(v) => TxInput::Json(v),
            Err(e) => TxInput::Unreadable {
                text: text.to_string(),
                error: format!("not JSON: {e}"),
            },
        };
        TxItem {
            line: Some(line),
            input,
        }
    }

    fn label(&self, index: usize) -> String {
        match self.line {
            Some(n) => format!("line {n}"),
            None => format!("transaction {}", index + 1),
        }
    }

    fn audit_input(&self) -> Value {
        match &self.input {
            TxInput::Json(v) => v.clone(),
            TxInput::Unreadable { text, .. } => Value::String(text.clone()),
        }
    }
}

/// Parse and validate one item against the regime; a bad one is its error
/// line: `{"id", "error"}` where `id` is the item's own `id` when it has one,
/// else its line number (the same convention as `resolute match`).
pub fn parse_item(item: &TxItem, index: usize, regime: &Regime) -> Result<Transaction, LineResult> {
    let label = item.label(index);
    let line_id = || item.line.map(|n| n.to_string()).unwrap_or_default();
    let value = match &item.input {
        TxInput::Json(v) => v,
        TxInput::Unreadable { error, .. } => {
            return Err(LineResult::Error {
                id: line_id(),
                error: format!("{label}: {error}"),
            });
        }
    };
    let id = match id_text(&value.get("id").cloned()) {
        id if id.is_empty() => line_id(),
        id => id,
    };
    serde_json::from_value::<RawTransaction>(value.clone())
        .map_err(|e| e.to_string())
        .and_then(|raw| Transaction::from_raw(raw, regime).map_err(|e| e.to_string()))
        .map_err(|e| LineResult::Error {
            id,
            error: format!("{label}: {e}"),
        })
}

/// A decision as recorded and answered: every match says whether it is
/// suppressed and what was screened (`party`: the input name, BIC or IMO).
pub fn decision_json(d: &Decision) -> Value {
    let mut out = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(matches) = out.get_mut("matches").and_then(Value::as_array_mut) {
        for (m, pm) in matches.iter_mut().zip(&d.matches) {
            if let Value::Object(o) = m {
                o.entry("suppressed").or_insert(json!(false));
                o.insert(
                    "party".into(),
                    json!({"by": pm.party.by, "value": pm.party.value, "country": pm.party.country}),
                );
            }
        }
    }
    out
}

/// A line's outcome as JSON: the decision ([`decision_json`]) or `{"id","error"}`.
pub fn outcome_json(r: &LineResult) -> Value {
    match r {
        LineResult::Decision(d) => decision_json(d),
        LineResult::Error { id, error } => json!({"id": id, "error": error}),
    }
}

/// A committed transaction screening.
#[derive(Debug, Clone)]
pub struct TransactionScreening {
    pub screening_id: String,
    pub audit_seq: i64,
    /// Ids of the cases it opened.
    pub cases: Vec<i64>,
    /// One per item, in order.
    pub outcomes: Vec<LineResult>,
    /// What was drawn against quantity caps.
    pub cap_draws: Vec<CapDraw>,
    pub list_versions: Vec<String>,
    pub regime_version: String,
    /// Party matches cleared by suppressions.
    pub suppressed: u64,
    /// Screenings redone because another writer moved the cap ledger.
    pub retries: usize,
}

/// What a batch is screened with.
struct Batch<'a> {
    engine: &'a Engine,
    /// The AIS vessel store in force (vessel conduct, see `resolute_screening::vessels`).
    vessels: &'a resolute_maritime::VesselStore,
    regime: &'a Regime,
    suppressions: &'a SuppressionSet,
    exposure: &'a crate::exposure::ExposureGraph,
    items: &'a [TxItem],
    parsed: Vec<Result<Transaction, LineResult>>,
}

impl Batch<'_> {
    /// Screen every item in order against a ledger seeded with `seed`.
    fn screen(&self, seed: &CapBalances) -> (Vec<LineResult>, Vec<CapDraw>) {
        let parties = self
            .engine
            .parties
            .as_deref()
            .map(|p| p as &dyn PartyScreener);
        let clearing = PartyClearing {
            set: self.suppressions,
            engine: self.engine,
        };
        let ledger = CapLedger::seeded(seed.iter().map(|(k, v)| (k.clone(), *v)));
        let mut screener = Screener::with_ledger(self.regime, parties, ledger)
            .with_suppressions(&clearing)
            .with_exposure(&self.exposure.screener)
            .with_vessels(self.vessels, ConductParams::default());
        let outcomes = self
            .parsed
            .iter()
            .map(|tx| match tx {
                Ok(tx) => LineResult::Decision(screener.screen(tx)),
                Err(e) => e.clone(),
            })
            .collect();
        (outcomes, screener.ledger_mut().take_draws())
    }
}

/// The accounts `draws` touch, each with the amount used it was seeded with.
fn expected_balances(draws: &[CapDraw], seed: &CapBalances) -> Vec<(CapAccount, f64)> {
    let mut keys: Vec<CapKey> = draws.iter().map(CapDraw::key).collect();
    keys.sort_by(|a, b| {
        (&a.measure, a.period_start, a.unit.as_str()).cmp(&(
            &b.measure,
            b.period_start,
            b.unit.as_str(),
        ))
    });
    keys.dedup();
    keys.iter()
        .map(|k| (account_of(k), seed.get(k).copied().unwrap_or(0.0)))
        .collect()
}

impl Casework {
    /// Screen `items` in order and record the screening (see the module docs).
    /// `source` names where the items came from (a file), for the audit record.
    pub fn screen_transactions(
        &self,
        items: &[TxItem],
        source: Option<&str>,
        actor: &str,
    ) -> Result<TransactionScreening> {
        let engine = crate::names::ready_engine(self)?;
        let regime = engine.regime.clone().ok_or_else(|| {
            CaseworkError::NotReady(format!("regime not loaded: {}", engine.problems.join("; ")))
        })?;
        let suppressions = self.suppressions();
        let exposure = self.exposure_graph()?;
        let vessels = self.vessels();
        let batch = Batch {
            engine: &engine,
            vessels: &vessels,
            regime: &regime,
            suppressions: &suppressions,
            exposure: &exposure,
            items,
            parsed: items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_item(item, i, &regime))
                .collect(),
        };
        // Only screenings that may draw on a cap hold the ledger.
        let draws_caps = batch
            .parsed
            .iter()
            .any(|t| t.as_ref().is_ok_and(|t| may_draw_cap(&regime, t)));
        let mut ledger = draws_caps.then(|| self.ledger());
        let mut retries = 0;
        loop {
            let seed: CapBalances = ledger.as_deref().cloned().unwrap_or_default();
            match self.screen_and_commit(&batch, &seed, source, actor) {
                Ok(mut done) => {
                    if let Some(ledger) = ledger.as_deref_mut() {
                        for d in &done.cap_draws {
                            *ledger.entry(d.key()).or_insert(0.0) += d.amount;
                        }
                    }
                    done.retries = retries;
                    return Ok(done);
                }
                Err(e) => {
                    // Memory may be stale (another process, a failed commit): reload it.
                    if let Some(ledger) = ledger.as_deref_mut() {
                        self.reload_ledger(ledger)?;
                    }
                    match e {
                        CaseworkError::Store(StoreError::Conflict(msg)) if ledger.is_some() => {
                            retries += 1;
                            if retries >= CAP_RETRIES {
                                return Err(CaseworkError::LedgerBusy(msg));
                            }
                            tracing::info!("cap ledger moved during a screening ({msg}); again");
                        }
                        other => return Err(other),
                    }
                }
            }
        }
    }

    fn screen_and_commit(
        &self,
        batch: &Batch<'_>,
        seed: &CapBalances,
        source: Option<&str>,
        actor: &str,
    ) -> Result<TransactionScreening> {
        let engine = batch.engine;
        let screening_id = new_screening_id();
        let (outcomes, draws) = batch.screen(seed);
        let mut audit_items = Vec::with_capacity(outcomes.len());
        let mut cases: Vec<NewCase> = Vec::new();
        let mut suppressed = 0u64;
        for (item, outcome) in batch.items.iter().zip(&outcomes) {
            let input = item.audit_input();
            if let LineResult::Decision(d) = outcome {
                suppressed += d.matches.iter().filter(|m| m.suppressed).count() as u64;
                cases.extend(transaction_case(engine, &screening_id, &input, d));
            }
            let mut audit = json!({"input": input, "output": outcome_json(outcome)});
            if let Some(n) = item.line {
                audit["line"] = json!(n);
            }
            audit_items.push(audit);
        }
        let expected = expected_balances(&draws, seed);
        let new_draws: Vec<NewCapDraw> = draws
            .iter()
            .map(|d| NewCapDraw {
                transaction_id: d.transaction.clone(),
                account: account_of(&d.key()),
                amount: d.amount,
            })
            .collect();
        let mut payload = json!({
            "screening_id": screening_id,
            "list_versions": engine.version_ids(),
            "regime_version": engine.regime_version,
            "transactions": audit_items,
            "cap_draws": draws,
        });
        if let Some(source) = source {
            payload["source"] = json!(source);
        }
        let payload = CanonicalPayload::of(&payload);
        let (sid, who) = (screening_id.clone(), actor.to_string());
        let (audit_seq, case_ids) = self.store.write(move |ctx| {
            let receipt = ctx.append_audit_canonical("screening.transaction", &who, &payload)?;
            let mut ids = Vec::with_capacity(cases.len());
            for c in &cases {
                ids.push(ctx.open_case(c, receipt.seq)?);
            }
            if !new_draws.is_empty() {
                ctx.record_cap_draws(&sid, receipt.seq, &who, &new_draws, &expected)?;
            }
            Ok((receipt.seq, ids))
        })?;
        Ok(TransactionScreening {
            screening_id,
            audit_seq,
            cases: case_ids,
            outcomes,
            cap_draws: draws,
            list_versions: engine.version_ids(),
            regime_version: engine.regime_version.clone(),
            suppressed,
            retries: 0,
        })
    }

    /// Every quantity cap in force on `date` with its committed usage.
    pub fn caps_at(&self, date: NaiveDate) -> Result<Vec<CapStatus>> {
        let engine = self.engine();
        let regime = engine
            .regime
            .as_deref()
            .ok_or_else(|| CaseworkError::NotReady("regime not loaded".into()))?;
        let balances = self.store.cap_balances()?;
        Ok(caps::caps_at(regime, &balances, date))
    }

    /// Set the amount already used in a cap period before Resolute kept the
    /// ledger (replacing an earlier opening amount; draws recorded since still
    /// count). Audited as `cap.opening_set`. Holds the ledger, so an opening
    /// amount never lands between a screening's seed and its commit.
    pub fn set_cap_opening(&self, req: &OpeningRequest, actor: &str) -> Result<CapOpening> {
        let engine = self.engine();
        let regime = engine
            .regime
            .as_deref()
            .ok_or_else(|| CaseworkError::NotReady("regime not loaded".into()))?;
        let valid = caps::validate_opening(regime, req)?;
        let mut ledger = self.ledger();
        let written =
            self.store
                .set_cap_opening(account_of(&valid.key), valid.amount, &valid.note, actor);
        let (balance, receipt) = match written {
            Ok(x) => x,
            Err(e) => {
                self.reload_ledger(&mut ledger)?;
                return Err(e.into());
            }
        };
        ledger.insert(valid.key.clone(), balance.used);
        Ok(CapOpening {
            remaining: valid.limit - balance.used,
            balance,
            period: valid.period,
            limit: valid.limit,
            audit_seq: receipt.seq,
        })
    }
}

/// An opening amount as committed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapOpening {
    pub balance: CapBalance,
    pub period: Period,
    pub limit: f64,
    pub remaining: f64,
    pub audit_seq: i64,
}
