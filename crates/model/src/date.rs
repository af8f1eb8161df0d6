//! Dates that keep their precision.
//!
//! Sanctions lists give dates of birth as a full date, a year and month, a
//! year only, an approximate year or a range ("between 1960 and 1962"). Folding
//! them to one `NaiveDate` would invent precision that is not there and make a
//! matcher punish a true hit, so they stay partial.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DateError {
    #[error("invalid date {0:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Invalid(String),
}

/// A calendar date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
        }
    }

    pub fn from_naive(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            month: Some(d.month() as u8),
            day: Some(d.day() as u8),
        }
    }

    /// The first day this partial date may stand for.
    pub fn first_day(&self) -> NaiveDate {
        let m = self.month.unwrap_or(1) as u32;
        let d = self.day.unwrap_or(1) as u32;
        NaiveDate::from_ymd_opt(self.year, m, d)
            .or_else(|| NaiveDate::from_ymd_opt(self.year, m, 1))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day this partial date may stand for.
    pub fn last_day(&self) -> NaiveDate {
        match (self.month, self.day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(self.year, m as u32, d as u32),
            (Some(m), None) => {
                let (ny, nm) = if m == 12 {
                    (self.year + 1, 1)
                } else {
                    (self.year, m as u32 + 1)
                };
                NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
            }
            _ => NaiveDate::from_ymd_opt(self.year, 12, 31),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// Full day precision, as a `NaiveDate`.
    pub fn as_naive(&self) -> Option<NaiveDate> {
        match (self.month, self.day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(self.year, m as u32, d as u32),
            _ => None,
        }
    }
}

impl PartialDate {
    /// The ISO 8601 text of the date, as `Display` writes it (`1960`,
    /// `1960-03`, `1960-03-28`).
    pub fn to_iso(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for PartialDate {
    type Err = DateError;

    /// Accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and a trailing time part
    /// (`2017-08-05T00:00:00`), which is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError::Invalid(s.to_string());
        let t = s.trim();
        let t = t.split(['T', ' ']).next().unwrap_or(t);
        let mut parts = t.split('-');
        let year: i32 = parts
            .next()
            .filter(|p| p.len() == 4)
            .and_then(|p| p.parse().ok())
            .ok_or_else(bad)?;
        let month = match parts.next() {
            None => None,
            Some(p) => Some(
                p.parse::<u8>()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(bad)?,
            ),
        };
        let day = match parts.next() {
            None => None,
            Some(p) => Some(
                p.parse::<u8>()
                    .ok()
                    .filter(|d| (1..=31).contains(d))
                    .ok_or_else(bad)?,
            ),
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        let pd = PartialDate { year, month, day };
        if day.is_some() && pd.as_naive().is_none() {
            return Err(bad());
        }
        Ok(pd)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How sure the list is of a date (UN `TYPE_OF_DATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateQualifier {
    #[default]
    Exact,
    Approximately,
    Between,
}

/// A date as a list states it: exact, approximate, or a range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FuzzyDate {
    pub qualifier: DateQualifier,
    pub from: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub to: Option<PartialDate>,
}

impl FuzzyDate {
    pub fn exact(d: PartialDate) -> Self {
        Self {
            qualifier: DateQualifier::Exact,
            from: d,
            to: None,
        }
    }

    pub fn between(from: PartialDate, to: PartialDate) -> Self {
        Self {
            qualifier: DateQualifier::Between,
            from,
            to: Some(to),
        }
    }

    /// Earliest and latest day the date may stand for. An approximate date
    /// widens by one year on each side, since lists use "approximately" for
    /// a year that can be off by one.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        let lo = self.from.first_day();
        let hi = self.to.unwrap_or(self.from).last_day();
        if self.qualifier == DateQualifier::Approximately {
            let widen = |d: NaiveDate, years: i32| {
                NaiveDate::from_ymd_opt(d.year() + years, d.month(), d.day().min(28)).unwrap_or(d)
            };
            (widen(lo, -1), widen(hi, 1))
        } else {
            (lo, hi)
        }
    }

    /// Could this date be the given day?
    pub fn may_be(&self, day: NaiveDate) -> bool {
        let (lo, hi) = self.span();
        lo <= day && day <= hi
    }

    /// Could the two dates be the same day?
    pub fn overlaps(&self, other: &FuzzyDate) -> bool {
        let (a0, a1) = self.span();
        let (b0, b1) = other.span();
        a0 <= b1 && b0 <= a1
    }

    /// FtM property values: one for a single date, both ends for a range.
    pub fn ftm_values(&self) -> impl Iterator<Item = String> + use<> {
        let to = self.to.filter(|to| *to != self.from);
        std::iter::once(self.from.to_iso()).chain(to.map(|to| to.to_iso()))
    }
}

impl fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.qualifier, self.to) {
            (DateQualifier::Between, Some(to)) => write!(f, "between {} and {}", self.from, to),
            (DateQualifier::Approximately, _) => write!(f, "approximately {}", self.from),
            _ => write!(f, "{}", self.from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partial_dates() {
        assert_eq!(
            "1984".parse::<PartialDate>().unwrap(),
            PartialDate::year(1984)
        );
        assert_eq!(
            "1984-01-08".parse::<PartialDate>().unwrap().to_string(),
            "1984-01-08"
        );
        assert_eq!(
            "1984-02"
                .parse::<PartialDate>()
                .unwrap()
                .last_day()
                .to_string(),
            "1984-02-29"
        );
        assert_eq!(
            "2017-08-05T00:00:00"
                .parse::<PartialDate>()
                .unwrap()
                .to_string(),
            "2017-08-05"
        );
        assert!("84".parse::<PartialDate>().is_err());
        assert!("1984-02-30".parse::<PartialDate>().is_err());
        assert!("1984-13".parse::<PartialDate>().is_err());
    }

    #[test]
    fn spans_and_overlaps() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let y = FuzzyDate::exact(PartialDate::year(1960));
        assert!(y.may_be(d("1960-06-01")));
        assert!(!y.may_be(d("1961-01-01")));
        let approx = FuzzyDate {
            qualifier: DateQualifier::Approximately,
            from: PartialDate::year(1960),
            to: None,
        };
        assert!(approx.may_be(d("1961-06-01")));
        let range = FuzzyDate::between(PartialDate::year(1958), PartialDate::year(1962));
        assert!(range.overlaps(&FuzzyDate::exact("1961-03-02".parse().unwrap())));
        assert!(!range.overlaps(&FuzzyDate::exact("1963-03-02".parse().unwrap())));
        assert_eq!(range.ftm_values().collect::<Vec<_>>(), ["1958", "1962"]);
        for (year, month, day, text) in [
            (1960, Some(3), Some(28), "1960-03-28"),
            (7, Some(1), None, "0007-01"),
            (2017, None, None, "2017"),
            (0, Some(12), Some(1), "0000-12-01"),
            (9999, Some(99), Some(99), "9999-99-99"),
            (-44, Some(3), Some(15), "-044-03-15"),
            (12345, None, None, "12345"),
            (1960, Some(100), None, "1960-100"),
            (1960, None, Some(5), "1960"),
        ] {
            let date = PartialDate { year, month, day };
            assert_eq!(date.to_iso(), text, "{date:?}");
            assert_eq!(date.to_string(), text, "{date:?}");
        }
    }
}
