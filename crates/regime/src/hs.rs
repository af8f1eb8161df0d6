//! The Harmonized System nomenclature (HS 2017 and HS 2022), embedded.
//!
//! Source: datasets/harmonized-system (UN Comtrade, ODC-PDDL-1.0); provenance
//! in `data/SOURCES.md`. Codes are 2 (chapter), 4 (heading) or 6
//! (subheading) digits. National codes (8–10 digits) are validated on their
//! first six digits.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

static HS2017_CSV: &str = include_str!("../../../data/hs/harmonized-system-2017.csv");
static HS2022_CSV: &str = include_str!("../../../data/hs/harmonized-system-2022.csv");
static SECTIONS_CSV: &str = include_str!("../../../data/hs/sections.csv");

/// An edition of the HS nomenclature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HsEdition {
    #[serde(rename = "HS2017")]
    Hs2017,
    #[serde(rename = "HS2022")]
    Hs2022,
}

impl HsEdition {
    pub fn as_str(&self) -> &'static str {
        match self {
            HsEdition::Hs2017 => "HS2017",
            HsEdition::Hs2022 => "HS2022",
        }
    }

    /// The edition in force for customs declarations on a date: HS 2022 from
    /// 1 January 2022, HS 2017 before (HS 2017 is also used for dates before
    /// 2017, since the older editions are not bundled).
    pub fn for_date(date: chrono::NaiveDate) -> HsEdition {
        if date >= chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or(chrono::NaiveDate::MIN) {
            HsEdition::Hs2022
        } else {
            HsEdition::Hs2017
        }
    }
}

impl fmt::Display for HsEdition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsError {
    #[error("HS code {0:?} is malformed: expected 2 to 10 digits (dots and spaces allowed)")]
    Malformed(String),
    #[error("HS code {code:?} does not exist in {edition}")]
    Unknown { code: String, edition: HsEdition },
}

/// One code of the nomenclature.
#[derive(Debug, Clone, Serialize)]
pub struct HsEntry {
    pub code: String,
    pub description: String,
    /// 2 chapter, 4 heading, 6 subheading.
    pub level: u8,
    /// Roman numeral of the section (`V`).
    pub section: String,
}

/// An HS code as validated against an edition: its digits and the entry that
/// describes it (for national codes longer than six digits, the six-digit
/// subheading).
#[derive(Debug, Clone, Serialize)]
pub struct HsCode {
    pub code: String,
    pub edition: HsEdition,
    pub description: String,
    pub section: String,
}

#[derive(Debug)]
pub struct Nomenclature {
    pub edition: HsEdition,
    entries: HashMap<String, HsEntry>,
}

impl Nomenclature {
    fn parse(edition: HsEdition, csv_text: &str) -> Nomenclature {
        let text = csv_text.trim_start_matches('\u{feff}');
        let mut entries = HashMap::new();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records().flatten() {
            let (Some(section), Some(code), Some(desc), Some(level)) =
                (rec.get(0), rec.get(1), rec.get(2), rec.get(4))
            else {
                continue;
            };
            let Ok(level) = level.trim().parse::<u8>() else {
                continue;
            };
            // Skip the TOTAL row and the source's chapter 99 ("commodities not
            // specified according to kind", section TOTAL): a trade-statistics
            // code, not part of the Harmonized System (chapters 01–97).
            if !matches!(level, 2 | 4 | 6) || section.trim() == "TOTAL" {
                continue;
            }
            entries.insert(
                code.trim().to_string(),
                HsEntry {
                    code: code.trim().to_string(),
                    description: desc.trim().to_string(),
                    level,
                    section: section.trim().to_string(),
                },
            );
        }
        Nomenclature { edition, entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = &HsEntry> {
        self.entries.values()
    }

    /// The entry of an exact 2-, 4- or 6-digit code.
    pub fn get(&self, digits: &str) -> Option<&HsEntry> {
        self.entries.get(digits)
    }

    /// Validate a code (dots and spaces allowed) and describe it.
    pub fn validate(&self, raw: &str) -> Result<HsCode, HsError> {
        let digits = normalize(raw)?;
        let key = if digits.len() > 6 {
            &digits[..6]
        } else {
            digits.as_str()
        };
        match self.entries.get(key) {
            Some(e) => Ok(HsCode {
                code: digits.clone(),
                edition: self.edition,
                description: e.description.clone(),
                section: e.section.clone(),
            }),
            None => Err(HsError::Unknown {
                code: raw.trim().to_string(),
                edition: self.edition,
            }),
        }
    }
}

/// Digits of an HS code: dots and spaces removed, 2–10 digits, even length
/// up to six (HS levels), any length 7–10 for national codes.
pub fn normalize(raw: &str) -> Result<String, HsError> {
    let digits: String = raw.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    let ok = digits.chars().all(|c| c.is_ascii_digit())
        && (digits.len() == 2 || digits.len() == 4 || (6..=10).contains(&digits.len()));
    if ok {
        Ok(digits)
    } else {
        Err(HsError::Malformed(raw.to_string()))
    }
}

static HS2017: LazyLock<Nomenclature> =
    LazyLock::new(|| Nomenclature::parse(HsEdition::Hs2017, HS2017_CSV));
static HS2022: LazyLock<Nomenclature> =
    LazyLock::new(|| Nomenclature::parse(HsEdition::Hs2022, HS2022_CSV));
static SECTIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    let mut rdr = csv::Reader::from_reader(SECTIONS_CSV.trim_start_matches('\u{feff}').as_bytes());
    for rec in rdr.records().flatten() {
        if let (Some(s), Some(n)) = (rec.get(0), rec.get(1)) {
            m.insert(s.trim().to_string(), n.trim().to_string());
        }
    }
    m
});

/// The embedded nomenclature of an edition.
pub fn nomenclature(edition: HsEdition) -> &'static Nomenclature {
    match edition {
        HsEdition::Hs2017 => &HS2017,
        HsEdition::Hs2022 => &HS2022,
    }
}

/// Name of an HS section (`XI` → textiles and textile articles).
pub fn section_name(section: &str) -> Option<&'static str> {
    SECTIONS.get(section).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_editions_load_with_their_published_sizes() {
        // SOURCES.md §3: 6,710 and 6,940 CSV rows; minus the TOTAL row, the
        // three chapter-99 rows (not HS) and, in 2017, one row of another level.
        assert_eq!(nomenclature(HsEdition::Hs2017).len(), 6705);
        assert_eq!(nomenclature(HsEdition::Hs2022).len(), 6936);
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn codes_of_2371_exist_and_are_described() {
        let hs = nomenclature(HsEdition::Hs2017);
        assert!(
            hs.validate("2701")
                .unwrap()
                .description
                .to_lowercase()
                .contains("coal")
        );
        assert!(
            hs.validate("26.01")
                .unwrap()
                .description
                .to_lowercase()
                .contains("iron ores")
        );
        assert!(
            hs.validate("2607")
                .unwrap()
                .description
                .to_lowercase()
                .contains("lead ores")
        );
        assert!(
            hs.validate("03")
                .unwrap()
                .description
                .to_lowercase()
                .contains("fish")
        );
        assert_eq!(hs.validate("2701.12.10").unwrap().code, "27011210");
    }

    #[test]
    fn unknown_and_malformed_codes_are_errors() {
        let hs = nomenclature(HsEdition::Hs2017);
        assert!(matches!(hs.validate("2799"), Err(HsError::Unknown { .. })));
        // Chapter 99 is a statistics code in the source file, not HS.
        for edition in [HsEdition::Hs2017, HsEdition::Hs2022] {
            let unknown = nomenclature(edition).validate("9999.99");
            assert!(
                matches!(unknown, Err(HsError::Unknown { .. })),
                "{edition:?}"
            );
        }
        assert!(matches!(hs.validate("27a1"), Err(HsError::Malformed(_))));
        assert!(matches!(hs.validate("270"), Err(HsError::Malformed(_))));
        assert!(matches!(hs.validate(""), Err(HsError::Malformed(_))));
    }

    #[test]
    fn section_names_load() {
        assert!(
            section_name("XI")
                .unwrap_or("")
                .to_lowercase()
                .contains("textile")
        );
    }
}
