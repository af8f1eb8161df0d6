//! Normal forms for looking names and identifiers up.

/// A name for exact comparison: upper case, apostrophes dropped
/// (`CHO'NGSONG` = `CHONGSONG`), every other non-alphanumeric character a
/// space, spaces collapsed, a leading `THE` dropped.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if matches!(c, '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | '"' | '“' | '”') {
            continue;
        }
        if c.is_alphanumeric() {
            for u in c.to_uppercase() {
                out.push(u);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    match out.strip_prefix("THE ") {
        Some(rest) => rest.to_string(),
        None => out,
    }
}

/// Legal-form words that a text may add or drop when naming a company
/// ("Korea Hyoksin Trading" for "KOREA HYOKSIN TRADING CORPORATION").
const LEGAL_FORMS: &[&str] = &[
    "CORPORATION",
    "CORP",
    "COMPANY",
    "CO",
    "LTD",
    "LIMITED",
    "INC",
    "LLC",
    "PTE",
];

/// [`normalize_name`] without legal-form words; `None` when nothing else is
/// left or when only one word is left (too weak to identify a company).
pub fn core_name(normalized: &str) -> Option<String> {
    let words: Vec<&str> = normalized
        .split(' ')
        .filter(|w| !LEGAL_FORMS.contains(w))
        .collect();
    (words.len() >= 2).then(|| words.join(" "))
}

/// Person names compared without order (`RI, Je Son` = `RI JE-SON`).
pub fn sorted_tokens(normalized: &str) -> String {
    let mut words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.join(" ")
}

/// An identifier for exact comparison: letters and digits only, upper case.
pub fn normalize_identifier(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Split `NAME (ACRONYM)` into the name and the acronym when the bracket
/// holds one upper-case word (`GENERAL BUREAU OF ATOMIC ENERGY (GBAE)`).
pub fn split_acronym(name: &str) -> Option<(&str, &str)> {
    let open = name.rfind('(')?;
    let inner = name[open + 1..].strip_suffix(')')?.trim();
    let is_acronym = inner.len() >= 2
        && inner.len() <= 8
        && inner
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    is_acronym.then(|| (name[..open].trim(), inner))
}

/// Levenshtein distance, stopping early above `limit` (returns `limit + 1`).
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalize() {
        assert_eq!(
            normalize_name("  The Korea Ryonbong General Corporation"),
            "KOREA RYONBONG GENERAL CORPORATION"
        );
        assert_eq!(normalize_name("CHO'NGSONG UNITED"), "CHONGSONG UNITED");
        assert_eq!(
            normalize_name("Korea Workers’ Party"),
            "KOREA WORKERS PARTY"
        );
        assert_eq!(normalize_name("RI JE-SON"), "RI JE SON");
        assert_eq!(sorted_tokens(&normalize_name("RI, Je Son")), "JE RI SON");
        assert_eq!(
            core_name("KOREA HYOKSIN TRADING CORPORATION").as_deref(),
            Some("KOREA HYOKSIN TRADING")
        );
        assert_eq!(core_name("KOMID CORPORATION"), None);
        assert_eq!(normalize_identifier("+850-2-381 4410"), "85023814410");
    }

    #[test]
    fn acronyms_split() {
        assert_eq!(
            split_acronym("GENERAL BUREAU OF ATOMIC ENERGY (GBAE)"),
            Some(("GENERAL BUREAU OF ATOMIC ENERGY", "GBAE"))
        );
        assert_eq!(
            split_acronym("FOREIGN TRADE BANK (FTB)"),
            Some(("FOREIGN TRADE BANK", "FTB"))
        );
        assert_eq!(
            split_acronym("SECOND ACADEMY OF NATURAL SCIENCES (KPE.018)"),
            None
        );
        assert_eq!(split_acronym("NO BRACKET"), None);
    }

    #[test]
    fn edit_distance() {
        assert_eq!(edit_distance_within("RYONGBONG", "RYONBONG", 2), 1);
        assert_eq!(edit_distance_within("KOMID", "KOMID", 1), 0);
        assert_eq!(edit_distance_within("ABCDEF", "UVWXYZ", 1), 2);
    }
}
