//! ISO 3166-1 countries and the many ways sanctions lists spell them.
//!
//! The table is embedded (`data/iso/countries.csv`, trimmed from
//! datasets/country-codes, ODC-PDDL-1.0) together with
//! `data/iso/country-aliases.csv`, the spellings that lists use and ISO does
//! not ("Korea, North", "Democratic People's Republic of Korea", "Burma").

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

static COUNTRIES_CSV: &str = include_str!("../../../data/iso/countries.csv");
static ALIASES_CSV: &str = include_str!("../../../data/iso/country-aliases.csv");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CountryError {
    #[error("unknown country code {0:?}: expected an ISO 3166-1 alpha-2 or alpha-3 code")]
    UnknownCode(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case (`KP`).
    pub alpha2: String,
    pub alpha3: String,
    pub numeric: String,
    /// Short English name (`North Korea`).
    pub name: String,
    /// UN official English name (`Democratic People's Republic of Korea`).
    pub official_name: String,
    pub independent: bool,
}

impl Country {
    /// Lower-case alpha-2, the FtM convention for `country` and `nationality`.
    pub fn ftm_code(&self) -> String {
        self.alpha2.to_ascii_lowercase()
    }
}

struct Table {
    countries: Vec<Country>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

/// Lower-case, drop "the", punctuation and diacritic-free spacing so that
/// "the Democratic People's Republic of Korea" and
/// "DEMOCRATIC PEOPLES REPUBLIC OF KOREA" meet.
fn name_key(name: &str) -> String {
    let lowered: String = name
        .chars()
        .map(|c| match c {
            'ü' | 'Ü' => 'u',
            'ô' | 'Ô' => 'o',
            'é' | 'É' => 'e',
            'ç' | 'Ç' => 'c',
            'å' | 'Å' => 'a',
            c if c.is_alphanumeric() => c.to_ascii_lowercase(),
            '\'' | '\u{2019}' => '\0',
            _ => ' ',
        })
        .filter(|c| *c != '\0')
        .collect();
    lowered
        .split_whitespace()
        .filter(|w| *w != "the")
        .collect::<Vec<_>>()
        .join(" ")
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut countries = Vec::new();
    let mut by_code = HashMap::new();
    let mut by_name = HashMap::new();
    let mut rdr = csv::Reader::from_reader(COUNTRIES_CSV.as_bytes());
    for rec in rdr.records().flatten() {
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let c = Country {
            alpha2: get(0).to_ascii_uppercase(),
            alpha3: get(1).to_ascii_uppercase(),
            numeric: get(2),
            name: get(3),
            official_name: get(4),
            independent: get(7) == "Yes",
        };
        let idx = countries.len();
        by_code.insert(c.alpha2.clone(), idx);
        by_code.insert(c.alpha3.clone(), idx);
        for n in [get(3), get(4), get(5), get(6)] {
            if !n.is_empty() {
                by_name.entry(name_key(&n)).or_insert(idx);
            }
        }
        countries.push(c);
    }
    // Kosovo is not in ISO 3166-1 but appears on sanctions lists.
    if !by_code.contains_key("XK") {
        let idx = countries.len();
        countries.push(Country {
            alpha2: "XK".into(),
            alpha3: "XKX".into(),
            numeric: String::new(),
            name: "Kosovo".into(),
            official_name: "Kosovo".into(),
            independent: false,
        });
        by_code.insert("XK".into(), idx);
        by_code.insert("XKX".into(), idx);
    }
    let mut rdr = csv::Reader::from_reader(ALIASES_CSV.as_bytes());
    for rec in rdr.records().flatten() {
        if let (Some(name), Some(code)) = (rec.get(0), rec.get(1))
            && let Some(&idx) = by_code.get(&code.trim().to_ascii_uppercase())
        {
            by_name.insert(name_key(name), idx);
        }
    }
    Table {
        countries,
        by_code,
        by_name,
    }
});

/// Look a country up by ISO alpha-2 or alpha-3 code, any case.
pub fn country_by_code(code: &str) -> Result<&'static Country, CountryError> {
    let t = &*TABLE;
    t.by_code
        .get(&code.trim().to_ascii_uppercase())
        .map(|&i| &t.countries[i])
        .ok_or_else(|| CountryError::UnknownCode(code.to_string()))
}

/// Look a country up by a name as a list writes it ("Korea, North",
/// "Iran (Islamic Republic of)"), or by a code.
pub fn country_from_name(name: &str) -> Option<&'static Country> {
    let t = &*TABLE;
    let trimmed = name.trim().trim_end_matches('.');
    if trimmed.is_empty() {
        return None;
    }
    if let Some(&i) = t.by_name.get(&name_key(trimmed)) {
        return Some(&t.countries[i]);
    }
    if trimmed.len() <= 3 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return country_by_code(trimmed).ok();
    }
    None
}

/// Every country in the table.
pub fn all_countries() -> &'static [Country] {
    &TABLE.countries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_list_spellings() {
        for n in [
            "Democratic People's Republic of Korea",
            "Korea, North",
            "NORTH KOREA",
            "DPRK",
            "the Democratic People's Republic of Korea",
        ] {
            assert_eq!(
                country_from_name(n).map(|c| c.alpha2.as_str()),
                Some("KP"),
                "{n}"
            );
        }
        assert_eq!(
            country_from_name("Iran (Islamic Republic of)")
                .unwrap()
                .alpha2,
            "IR"
        );
        assert_eq!(country_from_name("Burma").unwrap().alpha2, "MM");
        assert_eq!(
            country_from_name("Russian Federation").unwrap().alpha2,
            "RU"
        );
        assert!(country_from_name("Atlantis").is_none());
    }

    #[test]
    fn codes() {
        assert_eq!(country_by_code("kp").unwrap().alpha3, "PRK");
        assert_eq!(country_by_code("PRK").unwrap().alpha2, "KP");
        assert_eq!(country_by_code("NA").unwrap().name, "Namibia");
        assert!(country_by_code("ZZ").is_err());
        assert!(all_countries().len() >= 249);
    }
}
