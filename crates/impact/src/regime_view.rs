//! Adapter from the regime crate's measures to [`MeasureView`].

use chrono::{Datelike, NaiveDate};

use crate::measures::{CapWindow, ImpactKind, MeasureView};
use crate::trade::DprkDirection;

/// Add `months` calendar months to `date`, clamping the day to the month's end.
fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(chrono::Months::new(months))
        .or_else(|| {
            NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?
                .checked_add_months(chrono::Months::new(months))
        })
}

/// Expand the regime's cap periods (one-off or repeating) into windows up to `horizon`.
pub fn expand_cap_periods(
    periods: &[resolute_regime::model::CapPeriod],
    horizon: NaiveDate,
) -> Vec<CapWindow> {
    use resolute_regime::model::CapUnit;
    let mut windows = Vec::new();
    for p in periods {
        let value_usd = p
            .limits
            .iter()
            .find(|l| l.unit == CapUnit::Usd)
            .map(|l| l.amount);
        let tonnes = p
            .limits
            .iter()
            .find(|l| l.unit == CapUnit::T)
            .map(|l| l.amount);
        match (p.end, p.repeat_months) {
            (Some(end), None) => windows.push(CapWindow {
                start: p.start,
                end,
                value_usd,
                tonnes,
            }),
            (end, Some(months)) if months > 0 => {
                let mut start = p.start;
                // A repeating period runs until `end` if the text sets one, else open-ended.
                let last = end.unwrap_or(horizon).min(horizon);
                while start <= last {
                    let Some(next) = add_months(start, months) else {
                        break;
                    };
                    let Some(window_end) = next.pred_opt() else {
                        break;
                    };
                    windows.push(CapWindow {
                        start,
                        end: window_end,
                        value_usd,
                        tonnes,
                    });
                    start = next;
                }
            }
            // One-off period without an end: runs to the horizon.
            _ => windows.push(CapWindow {
                start: p.start,
                end: horizon.max(p.start),
                value_usd,
                tonnes,
            }),
        }
    }
    windows.sort_by_key(|w| w.start);
    windows
}

/// Build the impact view of the regime's goods measures. Measures without
/// goods or direction (asset freezes, vessels, workers) bear on no trade flow
/// and are left out. `horizon` bounds the expansion of repeating caps.
pub fn from_regime(
    measures: &[resolute_regime::model::Measure],
    exceptions: &[resolute_regime::model::Exception],
    horizon: NaiveDate,
) -> Vec<MeasureView> {
    use resolute_regime::model::{Direction, Effect, MeasureKind};
    let mut views = Vec::new();
    for m in measures {
        let Some(direction) = m.direction else {
            continue;
        };
        if m.goods.is_empty() || !m.kind.is_goods() {
            continue;
        }
        let hs_prefixes: Vec<String> = m
            .goods
            .iter()
            .map(|g| {
                g.hs.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            })
            .filter(|h| !h.is_empty())
            .collect();
        if hs_prefixes.is_empty() {
            continue;
        }
        // Exceptions decided case by case in advance by the Committee
        // (humanitarian) or admitting only goods NOT of DPRK origin (Rajin
        // transit) leave the ban on DPRK goods outright. The livelihood
        // exception of 2270/2321 lets States judge for themselves and kept
        // coal and iron flowing, so a ban carrying it is conditional. The
        // regime marks exceptions by id and title only, hence the text test.
        let weakened = m.exceptions.iter().any(|id| {
            let title = exceptions
                .iter()
                .find(|e| &e.id == id)
                .map(|e| e.title.to_ascii_lowercase())
                .unwrap_or_default();
            id.contains("livelihood") || title.contains("livelihood")
        });
        let kind = match (m.kind, m.effect) {
            (MeasureKind::QuantityCap, _) => ImpactKind::Cap,
            (_, Effect::Prohibited) if !weakened => ImpactKind::Ban,
            _ => ImpactKind::Conditional,
        };
        let caps = m
            .cap
            .as_ref()
            .map(|c| expand_cap_periods(&c.periods, horizon))
            .unwrap_or_default();
        views.push(MeasureView {
            id: m.id.clone(),
            resolution: m.resolution,
            paragraph: m.paragraph_label(),
            title: m.title.clone(),
            kind,
            direction: match direction {
                Direction::FromDprk => DprkDirection::Exports,
                Direction::ToDprk => DprkDirection::Imports,
            },
            hs_prefixes,
            effective: m.effective,
            ends: m.ends,
            caps,
            verified: m.verified,
        });
    }
    views
}

/// The impact view of every goods measure of a loaded regime.
pub fn regime_measures(regime: &resolute_regime::Regime, horizon: NaiveDate) -> Vec<MeasureView> {
    from_regime(&regime.measures, &regime.exceptions, horizon)
}
