//! Dates as every request gives them: `YYYY-MM-DD`.

use chrono::NaiveDate;

use crate::error::{CaseworkError, Result};

/// A calendar date `YYYY-MM-DD` (surrounding spaces ignored); the error names `field`.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        CaseworkError::invalid(field, format!("must be a date YYYY-MM-DD, got {value:?}"))
    })
}

/// [`parse_date`] for an optional field; empty counts as absent.
pub fn parse_optional_date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date(field, s).map(Some),
        None => Ok(None),
    }
}

/// Today in UTC: the default "as of" of reports and caps.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_errors_name_the_field() {
        assert_eq!(
            parse_date("at", " 2017-08-06 ").unwrap(),
            NaiveDate::from_ymd_opt(2017, 8, 6).unwrap()
        );
        let e = parse_date("at", "06/08/2017").unwrap_err().to_string();
        assert_eq!(e, "at: must be a date YYYY-MM-DD, got \"06/08/2017\"");
        assert!(parse_date("at", "2017-02-30").is_err());
        assert_eq!(parse_optional_date("from", Some("  ")).unwrap(), None);
        assert_eq!(parse_optional_date("from", None).unwrap(), None);
    }
}
