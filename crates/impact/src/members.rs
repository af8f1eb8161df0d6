//! The 193 UN member states with ISO codes and dates of admission
//! (`data/un-members/members.csv`, provenance in `data/un-members/PROVENANCE.md`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Serialize;

static MEMBERS_CSV: &str = include_str!("../../../data/un-members/members.csv");

#[derive(Debug, Clone, Serialize)]
pub struct MemberState {
    pub iso3: String,
    pub iso2: String,
    pub m49: String,
    pub name: String,
    pub official_name: String,
    pub admitted: NaiveDate,
}

static MEMBERS: LazyLock<Vec<MemberState>> = LazyLock::new(|| {
    let mut rdr = csv::Reader::from_reader(MEMBERS_CSV.as_bytes());
    // The file is bundled and checked by tests; a malformed row is dropped, and the
    // count test then fails.
    rdr.records()
        .flatten()
        .filter_map(|r| {
            Some(MemberState {
                iso3: r.get(0)?.to_string(),
                iso2: r.get(1)?.to_string(),
                m49: r.get(2)?.to_string(),
                name: r.get(3)?.to_string(),
                official_name: r.get(4)?.to_string(),
                admitted: NaiveDate::parse_from_str(r.get(5)?, "%Y-%m-%d").ok()?,
            })
        })
        .collect()
});

/// All member states, by name.
pub fn member_states() -> &'static [MemberState] {
    &MEMBERS
}

/// Member states on `date` (admitted on or before it).
pub fn members_on(date: NaiveDate) -> impl Iterator<Item = &'static MemberState> {
    MEMBERS.iter().filter(move |m| m.admitted <= date)
}

/// Why a state could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("unknown state {0:?}: give an ISO 3166-1 alpha-2 or alpha-3 code or a country name")]
    Unknown(String),
    #[error("{name} ({code}) is not a UN member state")]
    NotMember { code: String, name: String },
}

/// Resolve a member state from an ISO alpha-2/alpha-3 code or a name.
pub fn member(input: &str) -> Result<&'static MemberState, MemberError> {
    let country = resolute_model::country_by_code(input)
        .ok()
        .or_else(|| resolute_model::country_from_name(input))
        .ok_or_else(|| MemberError::Unknown(input.to_string()))?;
    MEMBERS
        .iter()
        .find(|m| m.iso3 == country.alpha3)
        .ok_or_else(|| MemberError::NotMember {
            code: country.alpha3.clone(),
            name: country.name.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn there_are_193_members_and_192_when_1718_was_adopted() {
        assert_eq!(member_states().len(), 193);
        // South Sudan joined on 2011-07-14; Montenegro on 2006-06-28, before 1718 (2006-10-14).
        assert_eq!(members_on(d(2006, 10, 14)).count(), 192);
        assert_eq!(members_on(d(2017, 8, 5)).count(), 193);
        let mut codes: Vec<&str> = member_states().iter().map(|m| m.iso3.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 193);
    }

    #[test]
    fn resolves_codes_and_names_and_rejects_non_members() {
        assert_eq!(member("KP").map(|m| m.iso3.as_str()), Ok("PRK"));
        assert_eq!(member("chn").map(|m| m.iso3.as_str()), Ok("CHN"));
        assert_eq!(
            member("Republic of Korea").map(|m| m.iso3.as_str()),
            Ok("KOR")
        );
        assert!(matches!(member("VAT"), Err(MemberError::NotMember { .. })));
        assert!(matches!(member("PSE"), Err(MemberError::NotMember { .. })));
        assert!(matches!(member("Atlantis"), Err(MemberError::Unknown(_))));
    }
}
