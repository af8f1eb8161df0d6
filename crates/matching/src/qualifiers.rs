//! Qualifiers besides the name: identifiers, date of birth, nationality and
//! country, gender. Each one that applies adds or subtracts a bounded amount
//! and is listed in the explanation.

use std::collections::BTreeSet;

use chrono::Datelike;
use resolute_model::{Entity, FuzzyDate, PartialDate, country_by_code, country_from_name, prop};

use crate::{QualifierEffect, Query};

/// Identifier properties compared exactly (after normalization).
pub const ID_PROPS: &[&str] = &[
    prop::PASSPORT_NUMBER,
    prop::ID_NUMBER,
    prop::IMO_NUMBER,
    prop::MMSI,
    prop::SWIFT_BIC,
    prop::REGISTRATION_NUMBER,
    "taxNumber",
    "innCode",
    "leiCode",
    "ogrnCode",
    "vatCode",
];

const COUNTRY_PROPS: &[&str] = &[
    prop::NATIONALITY,
    prop::CITIZENSHIP,
    prop::COUNTRY,
    prop::JURISDICTION,
    prop::FLAG,
];

/// Upper-case alphanumerics; IMO numbers lose their `IMO` prefix, BICs are
/// compared on their first 8 characters (the branch code is optional).
pub fn normalize_id(prop: &str, v: &str) -> Option<String> {
    let mut s: String = v
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if prop == prop::IMO_NUMBER
        && let Some(rest) = s.strip_prefix("IMO")
    {
        s = rest.to_string();
    }
    if prop == prop::SWIFT_BIC && s.len() == 11 {
        s.truncate(8);
    }
    (s.len() >= 4).then_some(s)
}

/// Identifier keys of an entity or query: `prop-class:value`. Passport and
/// national id numbers are one class (lists mix them up).
pub fn id_keys<'a, S: AsRef<str> + 'a>(get: impl Fn(&str) -> &'a [S]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for p in ID_PROPS {
        let class = match *p {
            prop::PASSPORT_NUMBER | prop::ID_NUMBER => "doc",
            other => other,
        };
        for v in get(p) {
            if let Some(n) = normalize_id(p, v.as_ref()) {
                out.insert(format!("{class}:{n}"));
            }
        }
    }
    out.into_iter().collect()
}

pub fn country_codes<'a, S: AsRef<str> + 'a>(get: impl Fn(&str) -> &'a [S]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in COUNTRY_PROPS {
        for v in get(p) {
            let v = v.as_ref();
            let c = country_by_code(v).ok().or_else(|| country_from_name(v));
            if let Some(c) = c {
                out.insert(c.ftm_code());
            }
        }
    }
    out
}

fn gender_of(v: &str) -> Option<&'static str> {
    match v.trim().to_ascii_lowercase().as_str() {
        "m" | "male" | "man" => Some("male"),
        "f" | "female" | "woman" => Some("female"),
        _ => None,
    }
}

/// The country of a BIC/SWIFT code: its 5th and 6th characters (ISO 9362:
/// bank code, country code, location code, branch). `FTBDKPPY` → `kp`.
pub fn bic_country(bic: &str) -> Option<String> {
    let s: Vec<u8> = bic
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if s.len() != 8 && s.len() != 11 {
        return None;
    }
    let code = std::str::from_utf8(&s[4..6]).ok()?;
    if !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    country_by_code(code).ok().map(|c| c.ftm_code())
}

/// Precomputed qualifier data of a list entity.
#[derive(Debug, Clone, Default)]
pub struct EntityQuals {
    pub ids: Vec<String>,
    /// Countries of the country properties and those derived below.
    pub countries: BTreeSet<String>,
    /// Countries derived from a BIC/SWIFT code or an `of <country>` phrase
    /// of a name (not in a country property), with where they came from.
    pub derived: Vec<(String, String)>,
    pub birth_dates: Vec<FuzzyDate>,
    pub gender: Option<&'static str>,
}

impl EntityQuals {
    /// `name_countries`: countries of `of <country>` phrases ending the
    /// entity's names, with the name.
    pub fn of(e: &Entity, name_countries: &[(String, String)]) -> EntityQuals {
        let mut birth_dates = e.birth_dates.clone();
        if birth_dates.is_empty() {
            birth_dates = e
                .get(prop::BIRTH_DATE)
                .iter()
                .filter_map(|d| d.parse::<PartialDate>().ok())
                .map(FuzzyDate::exact)
                .collect();
        }
        let mut countries = country_codes(|p| e.get(p));
        let mut derived: Vec<(String, String)> = Vec::new();
        let mut derive = |code: String, how: String| {
            if !countries.contains(&code) && !derived.iter().any(|d| d.0 == code) {
                derived.push((code, how));
            }
        };
        for bic in e.get(prop::SWIFT_BIC) {
            if let Some(c) = bic_country(bic) {
                derive(c, format!("BIC {bic}"));
            }
        }
        for (code, name) in name_countries {
            derive(code.clone(), format!("name \"{name}\""));
        }
        countries.extend(derived.iter().map(|d| d.0.clone()));
        EntityQuals {
            ids: id_keys(|p| e.get(p)),
            countries,
            derived,
            birth_dates,
            gender: e.get(prop::GENDER).iter().find_map(|g| gender_of(g)),
        }
    }
}

/// Precomputed qualifier data of a query.
#[derive(Debug, Clone, Default)]
pub struct QueryQuals {
    pub ids: Vec<String>,
    pub countries: BTreeSet<String>,
    pub birth_dates: Vec<PartialDate>,
    pub gender: Option<&'static str>,
}

impl QueryQuals {
    pub fn of(q: &Query) -> QueryQuals {
        QueryQuals {
            ids: id_keys(|p| q.get(p)),
            countries: country_codes(|p| q.get(p)),
            birth_dates: q
                .get(prop::BIRTH_DATE)
                .iter()
                .filter_map(|d| d.parse::<PartialDate>().ok())
                .collect(),
            gender: q.get(prop::GENDER).iter().find_map(|g| gender_of(g)),
        }
    }
}

/// Score adjustments. `identifier` is returned separately because an equal
/// identifier decides the match on its own. The effects are written to `out`
/// when given (for reported results); scoring alone passes `None` and skips
/// formatting them.
pub fn apply(
    q: &QueryQuals,
    e: &EntityQuals,
    mut out: Option<&mut Vec<QualifierEffect>>,
) -> (f64, Option<String>) {
    macro_rules! note {
        ($effect:expr) => {
            if let Some(o) = out.as_mut() {
                o.push($effect);
            }
        };
    }
    let mut delta = 0.0;
    let id_hit = q.ids.iter().find(|k| e.ids.contains(k)).cloned();
    if let Some(k) = &id_hit {
        note!(QualifierEffect {
            feature: "identifier".into(),
            effect: 0.0,
            detail: format!("same identifier {k}")
        });
    } else if !q.ids.is_empty() && !e.ids.is_empty() {
        // Both have identifiers of the same class, none equal: mild (people
        // renew passports, lists keep old ones).
        let same_class = q.ids.iter().any(|k| {
            e.ids
                .iter()
                .any(|x| x.split(':').next() == k.split(':').next())
        });
        if same_class {
            delta -= 0.05;
            note!(QualifierEffect {
                feature: "identifier".into(),
                effect: -0.05,
                detail: format!(
                    "identifiers differ ({} vs {})",
                    q.ids.join(", "),
                    e.ids.join(", ")
                ),
            });
        }
    }
    if !q.birth_dates.is_empty() && !e.birth_dates.is_empty() {
        let (d, detail) = compare_dob(&q.birth_dates, &e.birth_dates);
        if d != 0.0 {
            delta += d;
            note!(QualifierEffect {
                feature: "birth_date".into(),
                effect: d,
                detail
            });
        }
    }
    if !q.countries.is_empty() && !e.countries.is_empty() {
        // Where a list country was derived from, for the explanation.
        let sources = |codes: &mut dyn Iterator<Item = &String>| {
            let notes: Vec<String> = codes
                .filter_map(|c| e.derived.iter().find(|d| &d.0 == c))
                .map(|(c, how)| format!("{c} from {how}"))
                .collect();
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            }
        };
        if q.countries.is_disjoint(&e.countries) {
            delta -= 0.15;
            note!(QualifierEffect {
                feature: "nationality".into(),
                effect: -0.15,
                detail: format!(
                    "query {} vs list {}{}",
                    q.countries.iter().cloned().collect::<Vec<_>>().join(","),
                    e.countries.iter().cloned().collect::<Vec<_>>().join(","),
                    sources(&mut e.countries.iter())
                ),
            });
        } else {
            delta += 0.03;
            note!(QualifierEffect {
                feature: "nationality".into(),
                effect: 0.03,
                detail: format!(
                    "both {}{}",
                    q.countries
                        .intersection(&e.countries)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(","),
                    sources(&mut q.countries.intersection(&e.countries))
                ),
            });
        }
    }
    if let (Some(a), Some(b)) = (q.gender, e.gender)
        && a != b
    {
        delta -= 0.2;
        note!(QualifierEffect {
            feature: "gender".into(),
            effect: -0.2,
            detail: format!("query {a}, list {b}")
        });
    }
    (delta, id_hit)
}

fn compare_dob(q: &[PartialDate], e: &[FuzzyDate]) -> (f64, String) {
    let list = e
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" / ");
    let mut best = -1.0f64;
    let mut best_detail = String::new();
    for qd in q {
        let qf = FuzzyDate::exact(*qd);
        for ed in e {
            let (score, detail) = if qf.overlaps(ed) {
                let exact_both = qd.day.is_some() && ed.from.day.is_some() && ed.to.is_none();
                if exact_both {
                    (0.05, format!("{qd} = {ed}"))
                } else {
                    (0.0, format!("{qd} within {ed}"))
                }
            } else {
                let years_overlap = {
                    let y = FuzzyDate::exact(PartialDate::year(qd.year));
                    y.overlaps(ed)
                };
                if years_overlap {
                    // Same year, other day: a typo or a day/month swap is
                    // plausible, a flip costs little.
                    let flipped = qd.day.zip(qd.month).is_some_and(|(d, m)| {
                        d <= 12
                            && PartialDate {
                                year: qd.year,
                                month: Some(d),
                                day: Some(m),
                            }
                            .to_string()
                                == ed.from.to_string()
                    });
                    if flipped {
                        (-0.05, format!("{qd} is {ed} with day and month swapped"))
                    } else {
                        (-0.1, format!("{qd} vs {ed}: same year, other day"))
                    }
                } else {
                    // Years far apart rule the person out more surely than a
                    // neighbouring year (a typo or an approximate list date).
                    let (lo, hi) = ed.span();
                    let gap = (i64::from(qd.year) - i64::from(hi.year()))
                        .max(i64::from(lo.year()) - i64::from(qd.year));
                    if gap >= 3 {
                        (-0.35, format!("{qd} vs {ed}: {gap} years apart"))
                    } else {
                        (-0.2, format!("{qd} vs {ed}: other year"))
                    }
                }
            };
            if score > best {
                best = score;
                best_detail = detail;
            }
        }
    }
    if best_detail.is_empty() {
        best_detail = format!("list: {list}");
    }
    (best, best_detail)
}
