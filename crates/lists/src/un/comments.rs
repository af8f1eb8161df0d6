//! Identifiers written in the free text of `COMMENTS1`.

/// IMO numbers written in a comment: "IMO number: 5571322",
/// "International Maritime Organization (IMO) Number: 1790183", "IMO 5434358".
pub fn imo_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("IMO") {
        let after = &rest[i + 3..];
        let mut t = after.trim_start_matches(')').trim_start();
        for word in ["Number", "number", "No.", "no."] {
            if let Some(s) = t.strip_prefix(word) {
                t = s;
                break;
            }
        }
        let t = t.trim_start_matches(':').trim_start();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let next = t[digits.len()..].chars().next();
        if digits.len() == 7
            && !next.is_some_and(|c| c.is_ascii_alphanumeric())
            && !found.contains(&digits)
        {
            found.push(digits);
        }
        rest = after;
    }
    found
}

/// Passport numbers written in a comment: "passport number 836110034",
/// "passport no. 123456789", "Passport number: PD381420754". The token after
/// the label must contain a digit and be at least five characters long.
pub fn passport_numbers(text: &str) -> Vec<String> {
    // ASCII lower-casing keeps every byte where it is: positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("passport n") {
        let start = from + i + "passport n".len();
        from = start;
        let rest = &text[start..];
        let Some(rest) = rest
            .strip_prefix("umber")
            .or_else(|| rest.strip_prefix("o."))
        else {
            continue;
        };
        let token: String = rest
            .trim_start_matches([':', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if token.len() >= 5 && token.chars().any(|c| c.is_ascii_digit()) && !found.contains(&token)
        {
            found.push(token);
        }
    }
    found
}

/// SWIFT/BIC codes written in a comment ("SWIFT/BIC: FTBDKPPY."): 8 or 11
/// letters and digits after the label.
pub fn swift_bics(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("SWIFT/BIC") {
        let after = &rest[i + "SWIFT/BIC".len()..];
        let t = after.trim_start_matches([':', ' ']);
        let code: String = t.chars().take_while(char::is_ascii_alphanumeric).collect();
        if (code.len() == 8 || code.len() == 11)
            && code[..6].chars().all(|c| c.is_ascii_uppercase())
            && !found.contains(&code)
        {
            found.push(code);
        }
        rest = after;
    }
    found
}

/// Whether `hay` contains `needle` (lower-case ASCII), ignoring ASCII case.
pub(super) fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports_in_comments() {
        assert_eq!(
            passport_numbers(
                "New AKA: Jang Hyon U with date of birth 22 February 1958 and diplomatic passport number 836110034, which"
            ),
            ["836110034"]
        );
        assert_eq!(
            passport_numbers("Passport No.: PD381420754."),
            ["PD381420754"]
        );
        assert!(passport_numbers("passport number unknown").is_empty());
        assert!(passport_numbers("passport").is_empty());
        assert!(passport_numbers("Паспорт passport n").is_empty());
    }

    #[test]
    fn bics_in_comments() {
        assert_eq!(swift_bics("a bank.  SWIFT/BIC: FTBDKPPY."), ["FTBDKPPY"]);
        assert_eq!(swift_bics("SWIFT/BIC KDBKKPPY; x"), ["KDBKKPPY"]);
        assert!(swift_bics("SWIFT/BIC: 1234").is_empty());
    }

    #[test]
    fn imo_numbers_in_comments() {
        assert_eq!(
            imo_numbers("International Maritime Organization (IMO) Number: 1790183."),
            ["1790183"]
        );
        assert_eq!(imo_numbers("IMO number: 5676084"), ["5676084"]);
        assert_eq!(imo_numbers("owns IMO 5434358."), ["5434358"]);
        assert!(imo_numbers("IMOVICH 1234567").is_empty());
        assert!(imo_numbers("IMO number: 123456").is_empty());
    }

    #[test]
    fn document_types_ignore_case() {
        assert!(contains_ascii_ci("Diplomatic PASSPORT", "passport"));
        assert!(contains_ascii_ci("Passeport", "passeport"));
        assert!(!contains_ascii_ci("National ID", "passport"));
    }
}
