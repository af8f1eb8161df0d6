//! Country names as the lists write them → ISO 3166-1 alpha-2 (lower case,
//! the FtM convention).
//!
//! The spellings live in `data/iso/country-aliases.csv` (read by
//! `resolute_model::country_from_name`); this module only cleans the string
//! first (surrounding space, a trailing full stop, a parenthesised remark such
//! as "Iraq (as of 2019)").

use resolute_model::{Entity, country_from_name};

/// Strings that occur where the lists put a country but that name no current
/// country, so no ISO 3166-1 alpha-2 code is given. The country test checks
/// that nothing else in the six real files goes unmapped.
/// - The Soviet Union was dissolved in 1991; ISO 3166-3 gives it `SUHH`, it
///   has no alpha-2 code, and mapping it to Russia would be wrong for
///   nationals of the other successor states.
/// - A withdrawn citizenship is not a nationality.
/// - OFAC writes "None Identified" for a vessel whose flag it does not know.
pub const NOT_COUNTRIES: &[&str] = &[
    "None Identified",
    "USSR (until 1991)",
    "former Soviet Union",
    "Kuwaiti citizenship withdrawn in 2002",
];

/// Words that qualify a country without being part of its name.
const QUALIFIER_PREFIXES: &[&str] = &[
    "possibly ",
    "probably ",
    "reportedly ",
    "also believed to hold ",
    "or ",
    "and ",
];
const QUALIFIER_SUFFIXES: &[&str] = &[
    " nationality",
    " citizenship",
    " by birth",
    " origin",
    " passport",
];

/// Every country a string names: one for "Korea, North", two for
/// "Sudan/South Sudan" or "United States. Also believed to hold Syrian
/// nationality" (the list gives both, so both are kept), the country after a
/// label ("Branch Office 11: Iran"). Empty when nothing maps.
pub fn country_codes(text: &str) -> Vec<String> {
    if let Some(code) = country_code(text) {
        return vec![code];
    }
    let mut codes: Vec<String> = Vec::new();
    let pieces = text
        .split(['/', ';', ':'])
        .flat_map(|p| p.split(". "))
        .flat_map(|p| p.split(" or "));
    for piece in pieces {
        let mut t = piece.trim().trim_end_matches('.').trim().to_string();
        let mut lower = t.to_lowercase();
        for q in QUALIFIER_PREFIXES {
            if let Some(rest) = lower.strip_prefix(q) {
                t = t[t.len() - rest.len()..].to_string();
                lower = rest.to_string();
            }
        }
        for q in QUALIFIER_SUFFIXES {
            if let Some(rest) = lower.strip_suffix(q) {
                t.truncate(rest.len());
                lower = rest.to_string();
            }
        }
        if let Some(code) = country_code(&t)
            && !codes.contains(&code)
        {
            codes.push(code);
        }
    }
    codes
}

/// The lower-case ISO alpha-2 code for a country name or code, if known.
pub fn country_code(name: &str) -> Option<String> {
    let t = name.trim().trim_end_matches(['.', ',', ';']).trim();
    if t.is_empty() {
        return None;
    }
    if let Some(c) = country_from_name(t) {
        return Some(c.ftm_code());
    }
    // "Iraq (as of 2019)", "Korea, North (DPRK)": try without the remark, then the remark.
    if let Some(open) = t.find('(') {
        let head = t[..open].trim();
        if let Some(c) = country_from_name(head) {
            return Some(c.ftm_code());
        }
        let inner = t[open + 1..].trim_end_matches(')').trim();
        if let Some(c) = country_from_name(inner) {
            return Some(c.ftm_code());
        }
    }
    None
}

/// Whether `name` is on the documented list of non-country strings.
pub fn is_known_non_country(name: &str) -> bool {
    let t = name.trim().trim_end_matches('.');
    NOT_COUNTRIES.iter().any(|n| n.eq_ignore_ascii_case(t))
}

/// Add the code of every country `name` names to `property` of `e`.
/// `false` when it names none and is not a documented non-country
/// ([`NOT_COUNTRIES`]): the caller reports it.
pub(crate) fn add_countries(e: &mut Entity, property: &str, name: &str) -> bool {
    let codes = country_codes(name);
    let known = !codes.is_empty() || is_known_non_country(name);
    for code in codes {
        e.add(property, code);
    }
    known
}

#[cfg(test)]
mod tests {
    use super::{country_code, country_codes};

    #[test]
    fn maps_list_spellings() {
        assert_eq!(
            country_code(" Democratic People's Republic of Korea ").as_deref(),
            Some("kp")
        );
        assert_eq!(country_code("Korea, North.").as_deref(), Some("kp"));
        assert_eq!(country_code("Iraq (as of 2019)").as_deref(), Some("iq"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(country_code(""), None);
    }

    #[test]
    fn several_countries_in_one_string() {
        assert_eq!(country_codes("Sudan/or South Sudan"), ["sd", "ss"]);
        assert_eq!(
            country_codes("United States. Also believed to hold Syrian nationality"),
            ["us", "sy"]
        );
        assert_eq!(country_codes("Branch Office 11: Iran"), ["ir"]);
        assert_eq!(country_codes("Possibly Ethiopian"), ["et"]);
        assert_eq!(country_codes("Sudanese by birth"), ["sd"]);
        assert!(country_codes("former Soviet Union").is_empty());
    }
}
