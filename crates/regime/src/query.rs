//! Queries on the regime: in force on a date, changes between dates, the
//! measures that bear on a good.

use chrono::NaiveDate;
use serde::Serialize;

use crate::load::Regime;
use crate::model::*;

/// KP: the ISO 3166-1 alpha-2 code of the DPRK.
pub const DPRK: &str = "KP";

/// A good as declared, for `explain` and for screening.
#[derive(Debug, Clone, Copy)]
pub struct GoodsContext<'a> {
    /// HS digits (normalized, no dots).
    pub hs: &'a str,
    pub date: NaiveDate,
    /// ISO alpha-2, upper case.
    pub origin: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// Flag of the carrying vessel.
    pub flag: Option<&'a str>,
    pub value_usd: Option<f64>,
}

impl GoodsContext<'_> {
    /// Goods of DPRK origin, shipped from the DPRK, or carried under its flag.
    pub fn from_dprk(&self) -> bool {
        self.origin == Some(DPRK) || self.from == Some(DPRK) || self.flag == Some(DPRK)
    }

    pub fn to_dprk(&self) -> bool {
        self.to == Some(DPRK)
    }
}

/// Whether a measure that covers the good's HS code applies to this declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Applicability {
    Applies,
    NotYetInForce {
        effective: NaiveDate,
    },
    Ended {
        ends: NaiveDate,
        superseded_by: Option<String>,
    },
    /// The good does not move the way the measure covers.
    OtherDirection {
        direction: Direction,
    },
    /// Below the value threshold of the measure (luxury goods).
    BelowThreshold {
        min_value_usd: f64,
    },
}

impl Applicability {
    pub fn reason(&self) -> String {
        match self {
            Applicability::Applies => "applies".into(),
            Applicability::NotYetInForce { effective } => format!("not yet in force (takes effect {effective})"),
            Applicability::Ended { ends, superseded_by: Some(s) } => format!("ended {ends}, superseded by {s}"),
            Applicability::Ended { ends, superseded_by: None } => format!("ended {ends}"),
            Applicability::OtherDirection { direction: Direction::FromDprk } => {
                "covers goods from the DPRK (origin, shipped from, or DPRK-flagged vessel); this good is not".into()
            }
            Applicability::OtherDirection { direction: Direction::ToDprk } => "covers goods going to the DPRK; this good is not".into(),
            Applicability::BelowThreshold { min_value_usd } => format!("covers only goods valued above USD {min_value_usd}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GoodsExplanation<'r> {
    pub measure: &'r Measure,
    /// The HS prefix of the measure the code falls under.
    pub matched_hs: &'r GoodsRef,
    pub applicability: Applicability,
}

/// A measure whose state changed between two dates without coming into
/// force or ending (a wind-down ran out, a new cap period began).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegimeChange<'r> {
    pub date: NaiveDate,
    pub measure: &'r Measure,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegimeDiff<'r> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub came_into_force: Vec<&'r Measure>,
    pub ended: Vec<&'r Measure>,
    pub changed: Vec<RegimeChange<'r>>,
    pub designations: Vec<DesignationCitation<'r>>,
}

/// The designation behind a listing date: which resolution (or Committee
/// decision) listed entries on that date.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesignationCitation<'r> {
    /// The resolution whose file records the round (for Committee decisions, 1718).
    pub resolution: u32,
    pub round: &'r DesignationRound,
}

impl DesignationCitation<'_> {
    /// `resolution 2371 (2017), annex I, annex II` or `1718 Committee decision of 2018-03-30`.
    pub fn label(&self) -> String {
        match self.round.by {
            DesignatedBy::Resolution => format!(
                "resolution {}, {}",
                self.resolution,
                self.round.annexes.join(", ")
            ),
            DesignatedBy::Committee => {
                format!("1718 Committee decision of {}", self.round.listed_on)
            }
        }
    }
}

impl Regime {
    /// Every measure in force on `date`, in adoption order.
    pub fn in_force(&self, date: NaiveDate) -> Vec<&Measure> {
        self.measures.iter().filter(|m| m.in_force(date)).collect()
    }

    /// What came into force, ended or changed after `from` up to and including `to`.
    pub fn diff(&self, from: NaiveDate, to: NaiveDate) -> RegimeDiff<'_> {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        let mut diff = RegimeDiff {
            from,
            to,
            came_into_force: Vec::new(),
            ended: Vec::new(),
            changed: Vec::new(),
            designations: Vec::new(),
        };
        let between = |d: NaiveDate| d > a && d <= b;
        for m in &self.measures {
            match (m.in_force(a), m.in_force(b)) {
                (false, true) => diff.came_into_force.push(m),
                (true, false) => diff.ended.push(m),
                (false, false) if m.effective > a && m.effective <= b => {
                    // In force only for part of the interval.
                    diff.came_into_force.push(m);
                    diff.ended.push(m);
                }
                (true, true) => {
                    if let Some(w) = &m.wind_down {
                        let end = w.until();
                        if between(end) || between(end.succ_opt().unwrap_or(end)) {
                            diff.changed.push(RegimeChange {
                                date: end,
                                measure: m,
                                what: format!("wind-down of {} days ends on {end}", w.days),
                            });
                        }
                    }
                    if let Some(cap) = &m.cap {
                        for p in &cap.periods {
                            for start in period_starts(p, b) {
                                if between(start) {
                                    diff.changed.push(RegimeChange {
                                        date: start,
                                        measure: m,
                                        what: format!(
                                            "new cap period from {start}: {}",
                                            limits_label(&p.limits)
                                        ),
                                    });
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        diff.changed.sort_by_key(|c| c.date);
        for (res, round) in &self.designations {
            if between(round.listed_on) {
                diff.designations.push(DesignationCitation {
                    resolution: *res,
                    round,
                });
            }
        }
        diff
    }

    /// The designation round for a listing date.
    pub fn designation_for(&self, listed_on: NaiveDate) -> Option<DesignationCitation<'_>> {
        self.designations
            .iter()
            .find(|(_, d)| d.listed_on == listed_on)
            .map(|(r, d)| DesignationCitation {
                resolution: *r,
                round: d,
            })
    }

    /// Every goods measure whose HS prefixes cover `ctx.hs`, with whether it applies.
    pub fn explain_goods(&self, ctx: &GoodsContext<'_>) -> Vec<GoodsExplanation<'_>> {
        let mut out = Vec::new();
        for m in &self.measures {
            for g in &m.goods {
                if ctx.hs.starts_with(g.hs.as_str()) {
                    out.push(GoodsExplanation {
                        measure: m,
                        matched_hs: g,
                        applicability: applicability(m, g, ctx),
                    });
                    break;
                }
            }
        }
        out
    }
}

/// Whether a goods measure (already known to cover the HS code) applies.
pub fn applicability(m: &Measure, g: &GoodsRef, ctx: &GoodsContext<'_>) -> Applicability {
    if ctx.date < m.effective {
        return Applicability::NotYetInForce {
            effective: m.effective,
        };
    }
    if let Some(ends) = m.ends
        && ctx.date > ends
    {
        return Applicability::Ended {
            ends,
            superseded_by: m.superseded_by.clone(),
        };
    }
    match m.direction {
        Some(Direction::FromDprk) if !ctx.from_dprk() => {
            return Applicability::OtherDirection {
                direction: Direction::FromDprk,
            };
        }
        Some(Direction::ToDprk) if !ctx.to_dprk() => {
            return Applicability::OtherDirection {
                direction: Direction::ToDprk,
            };
        }
        _ => {}
    }
    if let Some(min) = g.min_value_usd
        && ctx.value_usd.is_some_and(|v| v <= min)
    {
        return Applicability::BelowThreshold { min_value_usd: min };
    }
    Applicability::Applies
}

/// The starts of a cap period's occurrences up to `until`.
pub fn period_starts(p: &CapPeriod, until: NaiveDate) -> Vec<NaiveDate> {
    let mut out = vec![p.start];
    if let Some(months) = p.repeat_months {
        let mut k = 1u32;
        while let Some(next) = p
            .start
            .checked_add_months(chrono::Months::new(months.saturating_mul(k)))
        {
            if next > until || k > 1000 {
                break;
            }
            out.push(next);
            k += 1;
        }
    }
    out
}

/// The occurrence of a cap period that contains `date`: (start, last day).
pub fn period_containing(p: &CapPeriod, date: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    if date < p.start {
        return None;
    }
    match (p.end, p.repeat_months) {
        (Some(end), _) => (date <= end).then_some((p.start, end)),
        (None, Some(months)) => {
            let mut start = p.start;
            for k in 1..=10_000u32 {
                let next = p
                    .start
                    .checked_add_months(chrono::Months::new(months.saturating_mul(k)))?;
                if date < next {
                    return Some((start, next.pred_opt()?));
                }
                start = next;
            }
            None
        }
        (None, None) => None,
    }
}

pub fn limits_label(limits: &[CapLimit]) -> String {
    limits
        .iter()
        .map(|l| format!("{} {}", fmt_amount(l.amount), l.unit.as_str()))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// 500000 → "500,000"; keeps two decimals only when there are any.
pub fn fmt_amount(x: f64) -> String {
    let neg = x < 0.0;
    let x = x.abs();
    let whole = x.trunc() as u64;
    let frac = x - whole as f64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac > 0.005 {
        grouped.push_str(&format!("{:.2}", frac)[1..]);
    }
    if neg { format!("-{grouped}") } else { grouped }
}
