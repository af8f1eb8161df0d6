//! Transaction screening: prohibited / review / permitted, each finding cited.
//!
//! In: one transaction per line (the JSON contract of [`tx`]), the regime
//! (`resolute-regime`) and, optionally, a [`PartyScreener`] over the lists.
//! Out: a [`Decision`] per line — the most severe finding wins; every finding
//! names the measure, resolution and paragraph, and whether it is verified.
//! Quantity caps are drawn down in call order by one [`Screener`], against a
//! [`CapLedger`] keyed by measure id, period start and unit: empty by default
//! (draw-down within one input), or seeded from a store with
//! [`Screener::with_ledger`]; the draws a screening made are recorded in the
//! ledger for the caller to persist. A [`MatchSuppressor`] clears party matches
//! (false-positive decisions): they are still reported, marked suppressed, and
//! no finding comes from them.

pub mod engine;
pub mod parties;
pub mod tx;

pub use engine::{
    CapDraw, CapKey, CapLedger, Decision, Finding, MatchSuppressor, PartyMatch, ScreenedParty,
    Screener, cap_unit_id, may_draw_cap, parse_cap_unit,
};
pub use parties::{ListHit, ListScreener, PartyScreener};
pub use tx::{RawTransaction, Transaction, TxError, TxKind};

use resolute_regime::Regime;

/// The result of one input line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum LineResult {
    Decision(Decision),
    Error { id: String, error: String },
}

impl Screener<'_> {
    /// Parse, validate and screen one JSONL line; a bad line gives `{"id","error"}`.
    pub fn screen_line(&mut self, regime: &Regime, line: &str, line_no: usize) -> LineResult {
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                return LineResult::Error {
                    id: String::new(),
                    error: format!("line {line_no}: not JSON: {e}"),
                };
            }
        };
        let id = tx::id_text(&value.get("id").cloned());
        let raw: RawTransaction = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                return LineResult::Error {
                    id,
                    error: format!("line {line_no}: {e}"),
                };
            }
        };
        match Transaction::from_raw(raw, regime) {
            Ok(tx) => LineResult::Decision(self.screen(&tx)),
            Err(e) => LineResult::Error {
                id,
                error: format!("line {line_no}: {e}"),
            },
        }
    }
}
