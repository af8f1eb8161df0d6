//! Rule evaluation: a transaction → findings → decision.

use std::collections::HashMap;

use chrono::NaiveDate;
use resolute_model::Schema;
use resolute_regime::query::{DPRK, applicability, fmt_amount, limits_label, period_containing};
use resolute_regime::{
    Action, Applicability, CapUnit, Effect, ExceptionCondition, GoodsContext, Measure, MeasureKind,
    Regime, VesselCondition,
};
use serde::{Deserialize, Serialize};

use crate::parties::{ListHit, PartyScreener};
use crate::tx::{QuantityUnit, Transaction, TxKind};

/// One reason for the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Measure id (`dprk/2371/8/coal`), or `ofac/<program>` for an OFAC listing.
    pub rule: String,
    /// Resolution number; null for findings that rest on a national list only.
    pub resolution: Option<u32>,
    pub paragraph: String,
    pub effect: Effect,
    pub summary: String,
    /// Whether the rule was checked against the resolution text.
    pub verified: bool,
}

/// A party that matched a list entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyMatch {
    pub role: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub score: f64,
    /// Cleared by a false-positive decision: shown, but no finding comes from it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    /// The decision that cleared it (as the [`MatchSuppressor`] describes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<serde_json::Value>,
    /// The list entry's id (for cases and suppressions; not in the output contract).
    #[serde(skip)]
    pub entity_id: String,
    /// What was screened: the party as given, not the list entry.
    #[serde(skip)]
    pub party: ScreenedParty,
}

/// The party as screened: the input name (or BIC, IMO number) with the schema
/// and country it was screened with. A false-positive decision is about this
/// query and one list entry, so it is keyed on this, never on the entry's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ScreenedParty {
    pub schema: Option<Schema>,
    /// `name`, `bic` or `imo`.
    pub by: &'static str,
    /// The name, BIC or IMO number as given (trimmed).
    pub value: String,
    /// ISO alpha-2 country (nationality, flag) the name was screened with.
    pub country: Option<String>,
}

/// Decides whether a party's hit was cleared as a false positive.
pub trait MatchSuppressor: Send + Sync {
    /// `Some(description of the suppression)` when `hit` is cleared for `party`.
    fn suppression(&self, party: &ScreenedParty, hit: &ListHit) -> Option<serde_json::Value>;
}

/// The answer for one transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: String,
    pub decision: Effect,
    pub findings: Vec<Finding>,
    pub matches: Vec<PartyMatch>,
}

/// One cap account: a measure (by its stable id), the start of one of its
/// periods and the unit the limit is counted in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CapKey {
    /// Measure id, e.g. `dprk/2397/5/refined-petroleum`.
    pub measure: String,
    pub period_start: NaiveDate,
    pub unit: CapUnit,
}

impl CapKey {
    pub fn new(measure: impl Into<String>, period_start: NaiveDate, unit: CapUnit) -> CapKey {
        CapKey {
            measure: measure.into(),
            period_start,
            unit,
        }
    }
}

/// The unit's stable name (`bbl`, `t`, `usd`: the regime files' spelling), for storage.
pub fn cap_unit_id(unit: CapUnit) -> &'static str {
    match unit {
        CapUnit::Bbl => "bbl",
        CapUnit::T => "t",
        CapUnit::Usd => "usd",
    }
}

/// Inverse of [`cap_unit_id`] (also accepts `USD`).
pub fn parse_cap_unit(s: &str) -> Option<CapUnit> {
    match s.trim().to_ascii_lowercase().as_str() {
        "bbl" => Some(CapUnit::Bbl),
        "t" => Some(CapUnit::T),
        "usd" => Some(CapUnit::Usd),
        _ => None,
    }
}

/// An amount a screened transaction drew against a cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapDraw {
    /// The transaction's `id`.
    pub transaction: String,
    pub measure: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub unit: CapUnit,
    pub amount: f64,
}

impl CapDraw {
    pub fn key(&self) -> CapKey {
        CapKey::new(self.measure.clone(), self.period_start, self.unit)
    }
}

/// Amounts used against caps, keyed by stable ids so that a ledger can be
/// persisted and seeded again (opening amounts, earlier screenings). A
/// recording ledger ([`CapLedger::seeded`], [`CapLedger::recording`]) also keeps
/// every draw made through [`Screener::screen`], in order, so the caller can
/// persist exactly those; the default one does not (long batch runs).
#[derive(Debug, Default, Clone)]
pub struct CapLedger {
    used: HashMap<CapKey, f64>,
    draws: Vec<CapDraw>,
    recording: bool,
}

impl CapLedger {
    /// Empty, not recording draws (draw-down within one run).
    pub fn new() -> CapLedger {
        CapLedger::default()
    }

    /// Empty, recording draws.
    pub fn recording() -> CapLedger {
        CapLedger {
            recording: true,
            ..CapLedger::default()
        }
    }

    /// Accounts starting at the given amounts, recording draws.
    pub fn seeded(opening: impl IntoIterator<Item = (CapKey, f64)>) -> CapLedger {
        let mut ledger = CapLedger::recording();
        for (key, amount) in opening {
            *ledger.used.entry(key).or_insert(0.0) += amount;
        }
        ledger
    }

    fn slot(&mut self, measure: &str, period_start: NaiveDate, unit: CapUnit) -> Option<&mut f64> {
        // Scanned without building a key: the map holds a handful of accounts.
        self.used
            .iter_mut()
            .find(|(k, _)| k.measure == measure && k.period_start == period_start && k.unit == unit)
            .map(|(_, v)| v)
    }

    pub fn used(&self, measure: &str, period_start: NaiveDate, unit: CapUnit) -> f64 {
        self.used
            .iter()
            .find(|(k, _)| k.measure == measure && k.period_start == period_start && k.unit == unit)
            .map(|(_, v)| *v)
            .unwrap_or(0.0)
    }

    pub fn used_of(&self, key: &CapKey) -> f64 {
        self.used.get(key).copied().unwrap_or(0.0)
    }

    /// Every account with its amount used.
    pub fn balances(&self) -> impl Iterator<Item = (&CapKey, f64)> {
        self.used.iter().map(|(k, v)| (k, *v))
    }

    /// The draws recorded since the ledger was made (or since the last [`CapLedger::take_draws`]).
    pub fn draws(&self) -> &[CapDraw] {
        &self.draws
    }

    pub fn take_draws(&mut self) -> Vec<CapDraw> {
        std::mem::take(&mut self.draws)
    }

    fn draw(
        &mut self,
        tx: &str,
        measure: &str,
        (period_start, period_end): (NaiveDate, NaiveDate),
        unit: CapUnit,
        amount: f64,
    ) {
        match self.slot(measure, period_start, unit) {
            Some(v) => *v += amount,
            None => {
                self.used
                    .insert(CapKey::new(measure, period_start, unit), amount);
            }
        }
        if self.recording {
            self.draws.push(CapDraw {
                transaction: tx.to_string(),
                measure: measure.to_string(),
                period_start,
                period_end,
                unit,
                amount,
            });
        }
    }
}

/// Goods measures indexed by HS chapter for quick candidate lookup.
#[derive(Debug, Clone)]
struct GoodsIndex {
    /// chapter (0..100) → (measure index, goods index)
    by_chapter: Vec<Vec<(u32, u32)>>,
}

impl GoodsIndex {
    fn new(regime: &Regime) -> GoodsIndex {
        let mut by_chapter = vec![Vec::new(); 100];
        for (mi, m) in regime.measures.iter().enumerate() {
            for (gi, g) in m.goods.iter().enumerate() {
                if let Some(ch) = chapter(&g.hs) {
                    by_chapter[ch].push((mi as u32, gi as u32));
                }
            }
        }
        GoodsIndex { by_chapter }
    }
}

/// Whether screening `tx` may draw against a quantity cap: a goods declaration
/// whose HS code a cap in force on its date covers. Callers that share a
/// ledger between requests serialise only these.
pub fn may_draw_cap(regime: &Regime, tx: &Transaction) -> bool {
    let Some(hs) = tx.hs.as_deref() else {
        return false;
    };
    tx.kind == TxKind::Goods
        && regime.measures.iter().any(|m| {
            m.kind == MeasureKind::QuantityCap
                && m.cap.is_some()
                && m.in_force(tx.date)
                && m.goods.iter().any(|g| hs.starts_with(g.hs.as_str()))
        })
}

fn chapter(hs: &str) -> Option<usize> {
    let b = hs.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_digit() || !b[1].is_ascii_digit() {
        return None;
    }
    Some(usize::from(b[0] - b'0') * 10 + usize::from(b[1] - b'0'))
}

/// Screens transactions in order; keeps the cap ledger between them.
pub struct Screener<'r> {
    regime: &'r Regime,
    goods: GoodsIndex,
    parties: Option<&'r dyn PartyScreener>,
    suppressions: Option<&'r dyn MatchSuppressor>,
    ledger: CapLedger,
    asset_freeze: Option<usize>,
    travel_ban: Option<usize>,
}

impl std::fmt::Debug for Screener<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screener")
            .field("measures", &self.regime.measures.len())
            .field("parties", &self.parties.is_some())
            .finish()
    }
}

fn amount_in(tx: &Transaction, unit: CapUnit) -> Option<f64> {
    match unit {
        CapUnit::Usd => tx.value_usd,
        CapUnit::Bbl => (tx.unit == Some(QuantityUnit::Bbl))
            .then_some(tx.quantity)
            .flatten(),
        CapUnit::T => match tx.unit {
            Some(QuantityUnit::T) => tx.quantity,
            Some(QuantityUnit::Kg) => tx.quantity.map(|q| q / 1000.0),
            _ => None,
        },
    }
}

impl<'r> Screener<'r> {
    /// A screener whose caps start empty: draw-down within this screener's calls only.
    pub fn new(regime: &'r Regime, parties: Option<&'r dyn PartyScreener>) -> Screener<'r> {
        Screener::with_ledger(regime, parties, CapLedger::default())
    }

    /// A screener that draws against `ledger` (e.g. seeded from a store).
    pub fn with_ledger(
        regime: &'r Regime,
        parties: Option<&'r dyn PartyScreener>,
        ledger: CapLedger,
    ) -> Screener<'r> {
        Screener {
            regime,
            goods: GoodsIndex::new(regime),
            parties,
            suppressions: None,
            ledger,
            asset_freeze: regime.measure_idx("dprk/1718/8d/asset-freeze"),
            travel_ban: regime.measure_idx("dprk/1718/8e/travel-ban"),
        }
    }

    /// Party matches this filter clears are still reported, marked suppressed,
    /// and do not count towards the decision.
    pub fn with_suppressions(mut self, filter: &'r dyn MatchSuppressor) -> Screener<'r> {
        self.suppressions = Some(filter);
        self
    }

    pub fn ledger(&self) -> &CapLedger {
        &self.ledger
    }

    pub fn ledger_mut(&mut self) -> &mut CapLedger {
        &mut self.ledger
    }

    pub fn into_ledger(self) -> CapLedger {
        self.ledger
    }

    /// Screen one transaction (caps are drawn down in call order).
    pub fn screen(&mut self, tx: &Transaction) -> Decision {
        let mut findings = Vec::new();
        let mut matches = Vec::new();
        match tx.kind {
            TxKind::Goods => self.goods_rules(tx, &mut findings),
            TxKind::WorkAuthorization => self.work_rules(tx, &mut findings),
            TxKind::JointVenture => self.jv_rules(tx, &mut findings),
            TxKind::Payment => self.payment_rules(tx, &mut findings),
            TxKind::FishingRights => self.fishing_rights_rules(tx, &mut findings),
            TxKind::Vessel => {}
        }
        let designated_vessel = self.screen_parties(tx, &mut findings, &mut matches);
        if tx.kind == TxKind::Vessel {
            self.vessel_rules(tx, designated_vessel, &mut findings);
        }
        let decision = findings
            .iter()
            .map(|f| f.effect)
            .max()
            .unwrap_or(Effect::Permitted);
        Decision {
            id: tx.id.clone(),
            decision,
            findings,
            matches,
        }
    }

    fn finding(&self, m: &Measure, effect: Effect, summary: String) -> Finding {
        Finding {
            rule: m.id.clone(),
            resolution: Some(m.resolution),
            paragraph: m.paragraph_label(),
            effect,
            summary,
            verified: m.verified,
        }
    }

    /// Apply claimed exceptions and the wind-down to a measure that bites.
    /// Returns the effect and the explanation.
    fn exceptions_and_wind_down(
        &self,
        m: &Measure,
        tx: &Transaction,
        base: Effect,
        mut summary: String,
    ) -> (Effect, String) {
        if base != Effect::Prohibited {
            return (base, summary);
        }
        for claim in &tx.exception_claims {
            let Some(x) = self.regime.exception(claim) else {
                continue;
            };
            if !m.exceptions.iter().any(|e| e == claim) {
                summary.push_str(&format!(
                    " Claimed exception {claim} does not apply to this rule."
                ));
                continue;
            }
            if let Some(effective) = x.effective.filter(|_| !x.in_force(tx.date)) {
                summary.push_str(&format!(
                    " Claimed exception {claim} cannot apply: not in force before {effective}."
                ));
                continue;
            }
            let unmet = match x.condition {
                Some(ExceptionCondition::OriginOutsideDprk) => match tx.origin.as_deref() {
                    Some(DPRK) => Some("the goods are of DPRK origin".to_string()),
                    None => Some("no origin declared".to_string()),
                    Some(_) => None,
                },
                Some(ExceptionCondition::ContractBefore) => {
                    match (tx.contract_date, x.contract_before) {
                        (Some(c), Some(before)) if c < before => None,
                        (Some(c), Some(before)) => {
                            Some(format!("the contract date {c} is not before {before}"))
                        }
                        _ => Some("no contract date declared".to_string()),
                    }
                }
                None => None,
            };
            match unmet {
                Some(why) => {
                    summary.push_str(&format!(" Claimed exception {claim} cannot apply: {why}."))
                }
                None => {
                    return (
                        Effect::Review,
                        format!(
                            "{summary} Exception claimed: {} ({} para {}); check: {}.",
                            x.title,
                            x.resolution,
                            x.paragraphs.join(", "),
                            x.requires.join("; ")
                        ),
                    );
                }
            }
        }
        if let Some(w) = &m.wind_down
            && tx.date <= w.until()
        {
            let applies_to_tx = if w.actions.is_empty() {
                tx.kind == TxKind::Goods
            } else {
                tx.action.is_some_and(|a| w.actions.contains(&a))
            };
            if applies_to_tx {
                if !w.actions.is_empty() {
                    return (
                        Effect::Review,
                        format!(
                            "{summary} Wind-down: until {} ({} days from {}); check: {}.",
                            w.until(),
                            w.days,
                            w.from,
                            w.requires.join("; ")
                        ),
                    );
                }
                match tx.contract_date {
                    Some(c) if c < w.contracts_before => {
                        return (Effect::Review, format!("{summary} Wind-down: contract of {c} concluded before {}, completion allowed until {}; check: {}.", w.contracts_before, w.until(), w.requires.join("; ")));
                    }
                    Some(c) => summary.push_str(&format!(" The wind-down until {} covers only contracts concluded before {}; this one is of {c}.", w.until(), w.contracts_before)),
                    None => summary.push_str(&format!(" A wind-down until {} covers contracts concluded before {}; none declared.", w.until(), w.contracts_before)),
                }
            }
        }
        (Effect::Prohibited, summary)
    }

    fn goods_rules(&mut self, tx: &Transaction, findings: &mut Vec<Finding>) {
        let Some(hs) = tx.hs.as_deref() else { return };
        let Some(ch) = chapter(hs) else { return };
        let ctx = GoodsContext {
            hs,
            date: tx.date,
            origin: tx.origin.as_deref(),
            from: tx.from.as_deref(),
            to: tx.to.as_deref(),
            flag: tx.vessel.as_ref().and_then(|v| v.flag.as_deref()),
            value_usd: tx.value_usd,
        };
        let regime = self.regime;
        let n = self.goods.by_chapter[ch].len();
        for k in 0..n {
            let (mi, gi) = self.goods.by_chapter[ch][k];
            let m = &regime.measures[mi as usize];
            let g = &m.goods[gi as usize];
            // Cheap checks first: most candidates fail on the date or the prefix.
            if !m.in_force(tx.date)
                || !hs.starts_with(g.hs.as_str())
                || applicability(m, g, &ctx) != Applicability::Applies
            {
                continue;
            }
            let desc = g.description.as_deref().unwrap_or("");
            let desc = desc.split(';').next().unwrap_or(desc);
            let what = format!("HS {hs} ({desc}): {}.", m.title);
            if m.kind == MeasureKind::QuantityCap {
                let f = self.draw_cap(m, tx, what);
                findings.extend(f);
            } else {
                let (effect, summary) = self.exceptions_and_wind_down(m, tx, m.effect, what);
                findings.push(self.finding(m, effect, summary));
            }
        }
    }

    fn draw_cap(&mut self, m: &Measure, tx: &Transaction, what: String) -> Option<Finding> {
        let cap = m.cap.as_ref()?;
        let (period, (start, end)) = cap
            .periods
            .iter()
            .find_map(|p| period_containing(p, tx.date).map(|se| (p, se)))?;
        // A valid exception claim takes the transaction out of the cap (review, not drawn).
        for claim in &tx.exception_claims {
            if m.exceptions.iter().any(|e| e == claim) {
                let (effect, summary) =
                    self.exceptions_and_wind_down(m, tx, Effect::Prohibited, what.clone());
                if effect == Effect::Review {
                    return Some(self.finding(
                        m,
                        effect,
                        format!("{summary} Not drawn against the cap."),
                    ));
                }
            }
        }
        let mut parts = Vec::new();
        let mut amounts = Vec::new();
        for l in &period.limits {
            if let Some(a) = amount_in(tx, l.unit) {
                amounts.push((l, a));
            }
        }
        if amounts.is_empty() {
            let units: Vec<&str> = period.limits.iter().map(|l| l.unit.as_str()).collect();
            return Some(self.finding(m, Effect::Review, format!("{what} Cap of {} for {start}–{end}: the declaration gives no amount in {}; cannot draw it down.", limits_label(&period.limits), units.join(" or "))));
        }
        let exceeds = amounts
            .iter()
            .any(|(l, a)| self.ledger.used(&m.id, start, l.unit) + a > l.amount);
        for (l, a) in &amounts {
            let used = self.ledger.used(&m.id, start, l.unit);
            let after = if exceeds { used } else { used + a };
            parts.push(format!(
                "{} {} declared; used {} of {} {}, remaining {}",
                fmt_amount(*a),
                l.unit.as_str(),
                fmt_amount(after),
                fmt_amount(l.amount),
                l.unit.as_str(),
                fmt_amount(l.amount - after)
            ));
        }
        if exceeds {
            return Some(self.finding(
                m,
                Effect::Prohibited,
                format!(
                    "{what} Would exceed the cap for {start}–{end}: {}.",
                    parts.join("; ")
                ),
            ));
        }
        for (l, a) in &amounts {
            self.ledger.draw(&tx.id, &m.id, (start, end), l.unit, *a);
        }
        Some(self.finding(
            m,
            cap.within_cap,
            format!(
                "{what} Within the cap for {start}–{end}: {}. Check: {}.",
                parts.join("; "),
                cap.requires.join("; ")
            ),
        ))
    }

    fn action_rules(
        &self,
        tx: &Transaction,
        kind: MeasureKind,
        findings: &mut Vec<Finding>,
        lead: &str,
    ) {
        let Some(action) = tx.action else { return };
        for m in &self.regime.measures {
            if m.kind != kind || !m.in_force(tx.date) || !m.actions.contains(&action) {
                continue;
            }
            let (effect, summary) =
                self.exceptions_and_wind_down(m, tx, m.effect, format!("{lead} {}.", m.title));
            findings.push(self.finding(m, effect, summary));
        }
    }

    fn work_rules(&self, tx: &Transaction, findings: &mut Vec<Finding>) {
        let dprk_worker = tx
            .worker
            .as_ref()
            .is_some_and(|w| w.nationality.as_deref() == Some(DPRK));
        if dprk_worker {
            let lead = format!(
                "Work authorization ({}) for a DPRK national.",
                action_name(tx.action)
            );
            self.action_rules(tx, MeasureKind::WorkAuthorizations, findings, &lead);
        }
    }

    fn jv_rules(&self, tx: &Transaction, findings: &mut Vec<Finding>) {
        let dprk_partner = tx
            .parties
            .iter()
            .any(|p| p.country.as_deref() == Some(DPRK));
        if dprk_partner {
            let lead = format!(
                "Joint venture ({}) with a DPRK party.",
                action_name(tx.action)
            );
            self.action_rules(tx, MeasureKind::JointVentures, findings, &lead);
        }
    }

    fn payment_rules(&self, tx: &Transaction, findings: &mut Vec<Finding>) {
        let nexus: Vec<String> = tx
            .parties
            .iter()
            .filter(|p| {
                p.country.as_deref() == Some(DPRK)
                    || p.bic.as_deref().is_some_and(|b| b.get(4..6) == Some(DPRK))
            })
            .map(|p| p.role.clone())
            .collect();
        if nexus.is_empty() {
            return;
        }
        for m in &self.regime.measures {
            if m.kind == MeasureKind::FinancialServices && m.in_force(tx.date) {
                let summary = format!(
                    "Payment with a DPRK party or bank ({}): {}.",
                    nexus.join(", "),
                    m.title
                );
                let (effect, summary) = self.exceptions_and_wind_down(m, tx, m.effect, summary);
                findings.push(self.finding(m, effect, summary));
            }
        }
    }

    /// The DPRK selling or transferring fishing rights: prohibited when the
    /// rights come from the DPRK (`from` or `origin`); a DPRK party in another
    /// role is a review, as the ban covers indirect transfers too.
    fn fishing_rights_rules(&self, tx: &Transaction, findings: &mut Vec<Finding>) {
        let direct = tx.from.as_deref() == Some(DPRK) || tx.origin.as_deref() == Some(DPRK);
        let dprk_parties: Vec<&str> = tx
            .parties
            .iter()
            .filter(|p| p.country.as_deref() == Some(DPRK))
            .map(|p| p.role.as_str())
            .collect();
        if !direct && dprk_parties.is_empty() {
            return;
        }
        for m in &self.regime.measures {
            if m.kind != MeasureKind::FishingRights || !m.in_force(tx.date) {
                continue;
            }
            let route = [
                ("from", &tx.from),
                ("waters of", &tx.origin),
                ("to", &tx.to),
            ]
            .iter()
            .filter_map(|(label, c)| c.as_deref().map(|c| format!("{label} {c}")))
            .collect::<Vec<_>>()
            .join(", ");
            let (base, lead) = if direct {
                (m.effect, format!("Fishing rights ({route})"))
            } else {
                (
                    Effect::Review,
                    format!(
                        "Fishing rights ({route}) with a DPRK party ({}); the ban covers sales or transfers by the DPRK, direct or indirect: check whether this is one",
                        dprk_parties.join(", ")
                    ),
                )
            };
            let (effect, summary) =
                self.exceptions_and_wind_down(m, tx, base, format!("{lead}: {}.", m.title));
            findings.push(self.finding(m, effect, summary));
        }
    }

    fn vessel_rules(&self, tx: &Transaction, designated: bool, findings: &mut Vec<Finding>) {
        let Some(action) = tx.action else { return };
        let flag_kp = tx.vessel.as_ref().and_then(|v| v.flag.as_deref()) == Some(DPRK);
        let to_kp = tx.to.as_deref() == Some(DPRK)
            || tx
                .parties
                .iter()
                .any(|p| p.country.as_deref() == Some(DPRK));
        for m in &self.regime.measures {
            if m.kind != MeasureKind::Vessels
                || !m.in_force(tx.date)
                || !m.actions.contains(&action)
            {
                continue;
            }
            let holds = match m.vessel_condition {
                Some(VesselCondition::DprkFlag) => flag_kp,
                Some(VesselCondition::Designated) => designated,
                Some(VesselCondition::ToDprk) => to_kp,
                None => false,
            };
            if holds {
                let lead = format!(
                    "Vessel {} ({}):",
                    vessel_label(tx),
                    action_name(Some(action))
                );
                let (effect, summary) =
                    self.exceptions_and_wind_down(m, tx, m.effect, format!("{lead} {}.", m.title));
                findings.push(self.finding(m, effect, summary));
            }
        }
    }

    /// Screen every party, the worker and the vessel; add asset-freeze (and
    /// travel-ban) findings for DPRK listings. Returns whether the vessel is designated.
    fn screen_parties(
        &self,
        tx: &Transaction,
        findings: &mut Vec<Finding>,
        matches: &mut Vec<PartyMatch>,
    ) -> bool {
        let Some(screener) = self.parties else {
            return false;
        };
        let mut designated_vessel = false;
        let mut seen: Vec<(String, String)> = Vec::new();
        let suppressions = self.suppressions;
        let mut record = |role: &str,
                          party: ScreenedParty,
                          hits: Vec<ListHit>,
                          findings: &mut Vec<Finding>,
                          matches: &mut Vec<PartyMatch>|
         -> bool {
            let mut any_dprk = false;
            for h in hits {
                if seen.iter().any(|(r, id)| r == role && *id == h.entity_id) {
                    continue;
                }
                seen.push((role.to_string(), h.entity_id.clone()));
                let suppression = suppressions.and_then(|s| s.suppression(&party, &h));
                let suppressed = suppression.is_some();
                matches.push(PartyMatch {
                    role: role.to_string(),
                    reference: h.reference.clone(),
                    name: h.caption.clone(),
                    score: (h.score * 1000.0).round() / 1000.0,
                    suppressed,
                    suppression,
                    entity_id: h.entity_id.clone(),
                    party: party.clone(),
                });
                // A cleared hit is shown but drives nothing: no finding, no designated vessel.
                if !suppressed {
                    any_dprk |= h.is_dprk();
                    findings.extend(self.listing_findings(role, &h));
                }
            }
            any_dprk
        };
        let named = |schema: Schema, name: &str, country: Option<&str>| ScreenedParty {
            schema: Some(schema),
            by: "name",
            value: name.trim().to_string(),
            country: country.map(str::to_string),
        };
        let ident = |schema: Schema, by: &'static str, value: &str| ScreenedParty {
            schema: Some(schema),
            by,
            value: value.to_string(),
            country: None,
        };
        for p in &tx.parties {
            if let Some(name) = &p.name {
                let hits =
                    screener.screen_name(Schema::LegalEntity, name, p.country.as_deref(), tx.date);
                record(
                    &p.role,
                    named(Schema::LegalEntity, name, p.country.as_deref()),
                    hits,
                    findings,
                    matches,
                );
            }
            if let Some(bic) = &p.bic {
                let hits = screener.screen_bic(bic, tx.date);
                record(
                    &p.role,
                    ident(Schema::LegalEntity, "bic", bic),
                    hits,
                    findings,
                    matches,
                );
            }
        }
        if let Some(w) = &tx.worker
            && let Some(name) = &w.name
        {
            let hits =
                screener.screen_name(Schema::Person, name, w.nationality.as_deref(), tx.date);
            record(
                "worker",
                named(Schema::Person, name, w.nationality.as_deref()),
                hits,
                findings,
                matches,
            );
        }
        if let Some(v) = &tx.vessel {
            if let Some(imo) = &v.imo {
                designated_vessel |= record(
                    "vessel",
                    ident(Schema::Vessel, "imo", imo),
                    screener.screen_imo(imo, tx.date),
                    findings,
                    matches,
                );
            }
            if let Some(name) = &v.name {
                let hits = screener.screen_name(Schema::Vessel, name, v.flag.as_deref(), tx.date);
                designated_vessel |= record(
                    "vessel",
                    named(Schema::Vessel, name, v.flag.as_deref()),
                    hits,
                    findings,
                    matches,
                );
            }
        }
        designated_vessel
    }

    fn listing_findings(&self, role: &str, h: &ListHit) -> Vec<Finding> {
        let listed = h
            .listed_on
            .map(|d| format!(", listed {d}"))
            .unwrap_or_default();
        let who = format!(
            "{} {} ({}{listed}, {} list, matched by {} score {:.2})",
            role,
            h.caption,
            h.reference,
            h.source.as_str(),
            h.by,
            h.score
        );
        let mut out = Vec::new();
        let is_un_dprk =
            h.source == resolute_model::Source::Un && h.programs.iter().any(|p| p == "DPRK");
        if is_un_dprk {
            let by = h.listed_on.and_then(|d| self.regime.designation_for(d));
            let (designated_by, resolution_verified) = match &by {
                Some(c) => (format!("designated by {}", c.label()), c.round.verified),
                None => (
                    "designation round not in the regime data".to_string(),
                    false,
                ),
            };
            if let Some(mi) = self.asset_freeze {
                let m = &self.regime.measures[mi];
                let mut f = self.finding(
                    m,
                    Effect::Prohibited,
                    format!("Asset freeze: {who}; {designated_by}."),
                );
                f.verified = m.verified && resolution_verified;
                out.push(f);
            }
            if h.schema == Schema::Person
                && let Some(mi) = self.travel_ban
            {
                let m = &self.regime.measures[mi];
                out.push(self.finding(
                    m,
                    Effect::Review,
                    format!("Travel ban: {who}; {designated_by}."),
                ));
            }
        } else if h.is_dprk() {
            let program = h
                .programs
                .iter()
                .find(|p| p.starts_with("DPRK"))
                .cloned()
                .unwrap_or_default();
            out.push(Finding {
                rule: format!("ofac/{}", program.to_ascii_lowercase()),
                resolution: None,
                paragraph: String::new(),
                effect: Effect::Prohibited,
                summary: format!("Blocked under OFAC program {program}: {who}. A US listing, not a UN designation; it binds US persons."),
                verified: false,
            });
        } else {
            out.push(Finding {
                rule: format!(
                    "{}/{}",
                    h.source.as_str(),
                    h.programs
                        .first()
                        .map(|p| p.to_ascii_lowercase())
                        .unwrap_or_else(|| "listed".into())
                ),
                resolution: None,
                paragraph: String::new(),
                effect: Effect::Review,
                summary: format!(
                    "Listed under another program ({}): {who}.",
                    h.programs.join(", ")
                ),
                verified: false,
            });
        }
        out
    }
}

fn action_name(a: Option<Action>) -> &'static str {
    match a {
        Some(Action::New) => "new",
        Some(Action::Renewal) => "renewal",
        Some(Action::Maintain) => "maintain",
        Some(Action::Open) => "open",
        Some(Action::Expand) => "expand",
        Some(Action::Charter) => "charter",
        Some(Action::PortEntry) => "port entry",
        Some(Action::Register) => "register",
        Some(Action::Sale) => "sale",
        Some(Action::ShipToShip) => "ship-to-ship transfer",
        None => "unspecified",
    }
}

fn vessel_label(tx: &Transaction) -> String {
    match &tx.vessel {
        Some(v) => {
            let name = v.name.clone().unwrap_or_else(|| "(unnamed)".into());
            let imo = v
                .imo
                .as_ref()
                .map(|i| format!(" IMO {i}"))
                .unwrap_or_default();
            let flag = v
                .flag
                .as_ref()
                .map(|f| format!(", flag {f}"))
                .unwrap_or_default();
            format!("{name}{imo}{flag}")
        }
        None => "(none declared)".into(),
    }
}
