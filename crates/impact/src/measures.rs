//! The view of a regime measure that the impact computation needs: what it
//! covers (direction and HS prefixes), when, and whether it prohibits
//! outright or caps. Built from the regime crate's measures
//! ([`from_regime`]) or by hand in tests.

use chrono::NaiveDate;
use serde::Serialize;

use crate::trade::DprkDirection;

/// How a measure bears on the value of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    /// Prohibited outright: nothing of the flow may go on.
    Ban,
    /// Allowed up to an aggregate amount per period.
    Cap,
    /// Covered, but whether a flow is prohibited needs a judgement the trade
    /// data cannot make (luxury goods, bans with a livelihood exception).
    Conditional,
}

impl ImpactKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ImpactKind::Ban => "ban",
            ImpactKind::Cap => "cap",
            ImpactKind::Conditional => "conditional",
        }
    }
}

/// One period of a cap, with its limits. `end` is the last day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tonnes: Option<f64>,
}

impl CapWindow {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The value limit as a rate per 365 days, so that a one-month stub and a
    /// calendar-year cap compare with annual trade figures.
    pub fn annual_value_usd(&self) -> Option<f64> {
        let days = self.days();
        self.value_usd
            .map(|v| if days > 0 { v * 365.0 / days as f64 } else { v })
    }

    pub fn annual_tonnes(&self) -> Option<f64> {
        let days = self.days();
        self.tonnes
            .map(|t| if days > 0 { t * 365.0 / days as f64 } else { t })
    }
}

/// What coverage a measure gives an HS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The code lies inside the measure's scope.
    Full,
    /// The code is broader than the measure's scope (a chapter-level flow
    /// against a heading-level measure): part of its value may be covered.
    Partial,
    None,
}

/// A measure as the impact computation sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureView {
    pub id: String,
    pub resolution: u32,
    pub paragraph: String,
    pub title: String,
    pub kind: ImpactKind,
    pub direction: DprkDirection,
    /// HS prefixes (digits only) the measure covers.
    pub hs_prefixes: Vec<String>,
    pub effective: NaiveDate,
    /// Last day in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<CapWindow>,
    pub verified: bool,
}

impl MeasureView {
    pub fn in_force(&self, date: NaiveDate) -> bool {
        date >= self.effective && self.ends.is_none_or(|e| date <= e)
    }

    pub fn coverage(&self, hs_code: &str) -> Coverage {
        if self
            .hs_prefixes
            .iter()
            .any(|p| hs_code.starts_with(p.as_str()))
        {
            Coverage::Full
        } else if self.hs_prefixes.iter().any(|p| p.starts_with(hs_code)) {
            Coverage::Partial
        } else {
            Coverage::None
        }
    }

    /// The cap window in force on `date`.
    pub fn cap_window(&self, date: NaiveDate) -> Option<&CapWindow> {
        self.caps.iter().find(|w| w.start <= date && date <= w.end)
    }

    /// Days on which what this measure does may change: its start, the day
    /// after its end, and the starts and day-after-ends of its cap windows.
    pub fn change_days(&self) -> Vec<NaiveDate> {
        let mut days = vec![self.effective];
        days.extend(self.ends.and_then(|e| e.succ_opt()));
        for w in &self.caps {
            days.push(w.start);
            days.extend(w.end.succ_opt());
        }
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn annualises_a_stub_cap() {
        // 2321 para 26 stub as transposed by the EU: USD 53,495,894 from adoption to 31 Dec 2016.
        let w = CapWindow {
            start: d(2016, 11, 30),
            end: d(2016, 12, 31),
            value_usd: Some(53_495_894.0),
            tonnes: None,
        };
        assert_eq!(w.days(), 32);
        let annual = w.annual_value_usd().expect("value");
        assert!((annual - 610_187_540.9).abs() < 1.0, "{annual}");
    }

    #[test]
    fn coverage_full_partial_none() {
        let m = MeasureView {
            id: "t".into(),
            resolution: 1,
            paragraph: "1".into(),
            title: "t".into(),
            kind: ImpactKind::Ban,
            direction: DprkDirection::Exports,
            hs_prefixes: vec!["0302".into(), "2701".into()],
            effective: d(2017, 1, 1),
            ends: Some(d(2017, 12, 31)),
            caps: vec![],
            verified: false,
        };
        assert_eq!(m.coverage("270112"), Coverage::Full);
        assert_eq!(m.coverage("03"), Coverage::Partial);
        assert_eq!(m.coverage("2601"), Coverage::None);
        assert!(m.in_force(d(2017, 12, 31)) && !m.in_force(d(2018, 1, 1)));
        assert_eq!(m.change_days(), vec![d(2017, 1, 1), d(2018, 1, 1)]);
    }
}
