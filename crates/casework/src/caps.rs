//! Quantity caps across screenings (2397's 500,000 bbl a year of refined
//! petroleum, 4 million bbl of crude…): the committed ledger, opening amounts,
//! and what remains under each cap on a date.
//!
//! The ledger is kept in the store (`cap_ledger`, `cap_draws`) and mirrored in
//! memory by [`crate::Casework`]. A screening that may draw on a cap holds the
//! ledger from seeding its screener to the commit of its audit record and
//! draws, and updates memory only after that commit; the store checks the
//! seeded amounts again inside the commit (another process may share the data
//! directory) and answers `Conflict`, after which the screening is redone.

use std::collections::HashMap;

use chrono::NaiveDate;
use resolute_regime::query::period_containing;
use resolute_regime::{CapUnit, Measure, MeasureKind, Regime};
use resolute_screening::{CapKey, cap_unit_id, parse_cap_unit};
use resolute_store::{CapAccount, CapBalance, Store};
use serde::Serialize;

use crate::error::{CaseworkError, Result};

/// Amount used per cap account, as committed.
pub type CapBalances = HashMap<CapKey, f64>;

/// The store's account for a screening's cap key.
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

/// The committed ledger (accounts with an unknown unit are skipped and logged).
pub fn load_balances(store: &Store) -> Result<CapBalances> {
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

/// The quantity caps in force on `date`.
fn cap_measures(regime: &Regime, date: NaiveDate) -> impl Iterator<Item = &Measure> {
    regime
        .measures
        .iter()
        .filter(move |m| m.kind == MeasureKind::QuantityCap && m.cap.is_some() && m.in_force(date))
}

/// One unit's limit in a cap period, with what is used and what remains.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitStatus {
    /// `bbl`, `t` or `usd`.
    pub unit: &'static str,
    pub unit_label: &'static str,
    pub limit: f64,
    /// Set by an admin: what was used before Resolute kept the ledger.
    pub opening: f64,
    /// Opening plus recorded draws.
    pub used: f64,
    pub remaining: f64,
    pub draws: i64,
    pub updated_at: Option<String>,
}

/// A cap in force, in the period containing the date asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapStatus {
    pub measure: String,
    pub resolution: u32,
    pub paragraph: String,
    pub title: String,
    pub verified: bool,
    pub period: Period,
    pub limits: Vec<LimitStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Every quantity cap in force on `date`, with the period containing it and,
/// per unit, the limit, the amount used and what remains.
pub fn caps_at(regime: &Regime, balances: &[CapBalance], date: NaiveDate) -> Vec<CapStatus> {
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
            let limits = period
                .limits
                .iter()
                .map(|l| {
                    let unit = cap_unit_id(l.unit);
                    let b = balance(&m.id, start, unit);
                    let used = b.map_or(0.0, |b| b.used);
                    LimitStatus {
                        unit,
                        unit_label: l.unit.as_str(),
                        limit: l.amount,
                        opening: b.map_or(0.0, |b| b.opening),
                        used,
                        remaining: l.amount - used,
                        draws: b.map_or(0, |b| b.draws),
                        updated_at: b.map(|b| b.updated_at.clone()),
                    }
                })
                .collect();
            caps.push(CapStatus {
                measure: m.id.clone(),
                resolution: m.resolution,
                paragraph: m.paragraph_label(),
                title: m.title.clone(),
                verified: m.verified,
                period: Period { start, end },
                limits,
            });
        }
    }
    caps
}

/// An admin's opening amount for a cap period, as requested.
#[derive(Debug, Clone, Default)]
pub struct OpeningRequest {
    /// Measure id, e.g. `dprk/2397/5/refined-petroleum`.
    pub measure: String,
    /// First day of the period…
    pub period_start: Option<NaiveDate>,
    /// …or any day in it.
    pub date: Option<NaiveDate>,
    /// `bbl`, `t` or `usd`.
    pub unit: String,
    pub amount: f64,
    /// Where the amount comes from (national records, a Committee figure…).
    pub note: String,
}

/// An opening amount that names a real cap account.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOpening {
    pub key: CapKey,
    pub period: Period,
    pub limit: f64,
    pub amount: f64,
    pub note: String,
}

/// Check an opening amount against the regime: a quantity cap, a day in one
/// of its periods (the first day when `period_start` is given), a unit the
/// period's limit is counted in, a non-negative amount and a note.
pub fn validate_opening(regime: &Regime, req: &OpeningRequest) -> Result<ValidOpening> {
    let measure = regime.measure(req.measure.trim()).ok_or_else(|| {
        CaseworkError::invalid(
            "measure",
            format!("no measure {:?} in the regime", req.measure),
        )
    })?;
    let cap = match (&measure.cap, measure.kind) {
        (Some(cap), MeasureKind::QuantityCap) => cap,
        _ => {
            return Err(CaseworkError::invalid(
                "measure",
                format!("{} is not a quantity cap", measure.id),
            ));
        }
    };
    let day = req.period_start.or(req.date).ok_or_else(|| {
        CaseworkError::invalid("period_start", "period_start (or date) is required")
    })?;
    let (period, (start, end)) = cap
        .periods
        .iter()
        .find_map(|p| period_containing(p, day).map(|se| (p, se)))
        .ok_or_else(|| {
            CaseworkError::invalid(
                if req.period_start.is_some() {
                    "period_start"
                } else {
                    "date"
                },
                format!("{day} is in no period of {}", measure.id),
            )
        })?;
    if req.period_start.is_some() && start != day {
        return Err(CaseworkError::invalid(
            "period_start",
            format!(
                "{day} is not the first day of a period of {}; it falls in {start}–{end}",
                measure.id
            ),
        ));
    }
    let unit: CapUnit = parse_cap_unit(&req.unit).ok_or_else(|| {
        CaseworkError::invalid("unit", format!("{:?} is not bbl, t or usd", req.unit))
    })?;
    let limit = period
        .limits
        .iter()
        .find(|l| l.unit == unit)
        .ok_or_else(|| {
            CaseworkError::invalid(
                "unit",
                format!(
                    "the cap of {} for {start}–{end} is not counted in {}",
                    measure.id,
                    unit.as_str()
                ),
            )
        })?
        .amount;
    if !(req.amount.is_finite() && req.amount >= 0.0) {
        return Err(CaseworkError::invalid(
            "amount",
            format!("{} must be a non-negative number", req.amount),
        ));
    }
    let note = req.note.trim().to_string();
    if note.is_empty() {
        return Err(CaseworkError::invalid(
            "note",
            "say where the amount comes from",
        ));
    }
    Ok(ValidOpening {
        key: CapKey::new(measure.id.clone(), start, unit),
        period: Period { start, end },
        limit,
        amount: req.amount,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn req(period_start: Option<NaiveDate>, date: Option<NaiveDate>, unit: &str) -> OpeningRequest {
        OpeningRequest {
            measure: "dprk/2397/5/refined-petroleum".into(),
            period_start,
            date,
            unit: unit.into(),
            amount: 120_000.0,
            note: "delivered Jan-Mar (customs records)".into(),
        }
    }

    #[test]
    fn openings_name_a_real_account_or_say_which_field_is_wrong() {
        let regime = Regime::embedded().unwrap();
        let ok = validate_opening(&regime, &req(Some(d(2018, 1, 1)), None, "bbl")).unwrap();
        assert_eq!(ok.key.period_start, d(2018, 1, 1));
        assert_eq!(ok.period.end, d(2018, 12, 31));
        assert_eq!(ok.limit, 500_000.0);
        // Any day in the period, when given as `date`.
        let by_day = validate_opening(&regime, &req(None, Some(d(2018, 7, 1)), "bbl")).unwrap();
        assert_eq!(by_day.key, ok.key);

        let err = |r: OpeningRequest| validate_opening(&regime, &r).unwrap_err().to_string();
        assert!(
            err(req(Some(d(2018, 7, 1)), None, "bbl"))
                .starts_with("period_start: 2018-07-01 is not the first day of a period")
        );
        assert!(err(req(Some(d(2018, 1, 1)), None, "kg")).starts_with("unit: \"kg\""));
        assert!(err(req(None, None, "bbl")).starts_with("period_start:"));
        let mut wrong = req(Some(d(2018, 1, 1)), None, "bbl");
        wrong.measure = "dprk/2371/8/coal".into();
        assert_eq!(
            err(wrong),
            "measure: dprk/2371/8/coal is not a quantity cap"
        );
        let mut negative = req(Some(d(2018, 1, 1)), None, "bbl");
        negative.amount = -1.0;
        assert!(err(negative).starts_with("amount:"));
        let mut silent = req(Some(d(2018, 1, 1)), None, "bbl");
        silent.note = "  ".into();
        assert!(err(silent).starts_with("note:"));
    }

    #[test]
    fn caps_in_force_show_limit_used_and_remaining() {
        let regime = Regime::embedded().unwrap();
        let balances = vec![CapBalance {
            account: CapAccount::new("dprk/2397/5/refined-petroleum", d(2018, 1, 1), "bbl"),
            opening: 120_000.0,
            used: 150_000.0,
            draws: 2,
            updated_at: "2018-03-01T00:00:00Z".into(),
        }];
        let caps = caps_at(&regime, &balances, d(2018, 7, 1));
        let petroleum = caps
            .iter()
            .find(|c| c.measure == "dprk/2397/5/refined-petroleum")
            .expect("2397 para 5 in force in 2018");
        let bbl = petroleum.limits.iter().find(|l| l.unit == "bbl").unwrap();
        assert_eq!(
            (bbl.limit, bbl.used, bbl.remaining),
            (500_000.0, 150_000.0, 350_000.0)
        );
        assert_eq!(bbl.draws, 2);
        assert!(caps_at(&regime, &balances, d(2016, 1, 1)).is_empty());
    }
}
