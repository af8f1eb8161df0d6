//! Names written in Chinese characters (Hanja in Korea, Kanji in Japan,
//! Hanzi in China).
//!
//! A Korean name in Hanja (`金正恩`, as Chinese and Japanese documents write
//! DPRK names) is read character by character in Sino-Korean: each character
//! has one or a few Hangul readings, taken from the Unicode Han Database
//! (Unihan, field `kHangul`, Unicode 15.0.0; `data/names/unihan-khangul.txt`,
//! Unicode License, see `data/names/PROVENANCE.md`). Simplified characters
//! (`郑`, `龙`) have no reading of their own and are read through their
//! traditional form (`kTraditionalVariant`,
//! `data/names/unihan-traditional-variants.txt`). The readings feed the Korean
//! syllable path, so `金正恩` meets `김정은` and `Kim Jong Un`.
//!
//! A name is read in Sino-Korean only when it looks Korean: a common Korean
//! surname character first (`data/names/korean-surname-hanja.txt`, one- and
//! two-character surnames) and one or two given-name characters. Every Han
//! name is also read in Pinyin (by `any_ascii`, one token per character), and
//! both readings stay candidates: the comparison keeps the better one and the
//! explanation says which was used.
//!
//! Limits: Japanese names in Kanji are read neither in on'yomi nor kun'yomi
//! (`山田太郎` is not `Yamada Taro`): the reading of a Japanese name depends on
//! the name, not on its characters, and no per-character table gives it. A
//! Japanese name in Kanji therefore matches only the same characters (or a
//! Latin name written in Pinyin, which is not how Japanese names are
//! romanized); kana are transliterated to Hepburn-like romaji by `any_ascii`.
//! A Chinese name whose surname is also Korean (`李`, `王`) gets both readings;
//! the Pinyin one decides against a Chinese romanization.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::korean::{self, SylScript, Syllable};

static KHANGUL: &str = include_str!("../../../data/names/unihan-khangul.txt");
static TRADITIONAL: &str = include_str!("../../../data/names/unihan-traditional-variants.txt");
static SURNAMES: &str = include_str!("../../../data/names/korean-surname-hanja.txt");

/// `U+91D1` → `金`.
fn code_point(field: &str) -> Option<char> {
    let hex = field.strip_prefix("U+")?;
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

/// Sino-Korean readings per character, readings marked `N` (used in names)
/// first: `金` is 김 in a name, 금 as gold.
static READINGS: LazyLock<HashMap<char, Vec<char>>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    for line in KHANGUL.lines().filter(|l| l.starts_with("U+")) {
        let mut f = line.split('\t');
        let (Some(c), Some(_), Some(values)) = (f.next().and_then(code_point), f.next(), f.next())
        else {
            continue;
        };
        let mut named = Vec::new();
        let mut other = Vec::new();
        for v in values.split_whitespace() {
            let (hangul, flags) = v.split_once(':').unwrap_or((v, ""));
            if let Some(h) = hangul.chars().next() {
                if flags.contains('N') {
                    named.push(h);
                } else {
                    other.push(h);
                }
            }
        }
        named.extend(other);
        named.dedup();
        out.insert(c, named);
    }
    out
});

/// Simplified character → its traditional forms that have a reading.
static TRADITIONAL_OF: LazyLock<HashMap<char, Vec<char>>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    for line in TRADITIONAL.lines().filter(|l| l.starts_with("U+")) {
        let mut f = line.split('\t');
        if let (Some(c), Some(_), Some(targets)) =
            (f.next().and_then(code_point), f.next(), f.next())
        {
            out.insert(
                c,
                targets.split_whitespace().filter_map(code_point).collect(),
            );
        }
    }
    out
});

/// Korean surnames in Hanja: single characters and two-character surnames.
static SURNAME_HANJA: LazyLock<(HashSet<char>, Vec<[char; 2]>)> = LazyLock::new(|| {
    let mut one = HashSet::new();
    let mut two = Vec::new();
    for line in SURNAMES.lines().filter(|l| !l.starts_with('#')) {
        let hanja: Vec<char> = line.split('\t').next().unwrap_or("").chars().collect();
        match hanja[..] {
            [a] => {
                one.insert(a);
            }
            [a, b] => two.push([a, b]),
            _ => {}
        }
    }
    (one, two)
});

/// A CJK ideograph (unified, extensions A–F, compatibility).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The Sino-Korean readings of one character (through its traditional form
/// when it is a simplified one).
pub fn readings(c: char) -> Vec<char> {
    if let Some(r) = READINGS.get(&c) {
        return r.clone();
    }
    TRADITIONAL_OF
        .get(&c)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| READINGS.get(t))
                .flatten()
                .copied()
                .collect()
        })
        .unwrap_or_default()
}

fn traditional(c: char) -> char {
    if READINGS.contains_key(&c) {
        return c;
    }
    TRADITIONAL_OF
        .get(&c)
        .and_then(|ts| ts.iter().copied().find(|t| READINGS.contains_key(t)))
        .unwrap_or(c)
}

/// One Hanja as a syllable: the keys of all its readings, the first reading
/// shown.
pub fn syllable(c: char) -> Option<Syllable> {
    let rs = readings(c);
    let first = *rs.first()?;
    let mut keys: Vec<korean::SylKey> = rs
        .iter()
        .filter_map(|h| korean::hangul_syllable(*h))
        .flat_map(|s| s.keys)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    Some(Syllable {
        text: c.to_string(),
        keys,
        hangul: Some(first),
        script: SylScript::Hanja,
    })
}

/// The Sino-Korean reading of a name written in Han characters, when it
/// looks like a Korean name: a Korean surname (one or two characters) and one
/// or two given-name characters, each with a reading.
pub fn korean_reading(chars: &[char]) -> Option<Vec<Syllable>> {
    let (one, two) = &*SURNAME_HANJA;
    let trad: Vec<char> = chars.iter().map(|c| traditional(*c)).collect();
    let surname_len = match trad.len() {
        3 | 4 if two.iter().any(|s| s[..] == trad[..2]) => 2,
        2 | 3 if one.contains(&trad[0]) => 1,
        _ => return None,
    };
    if !(1..=2).contains(&(trad.len() - surname_len)) {
        return None;
    }
    chars.iter().map(|c| syllable(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hangul(name: &str) -> String {
        let chars: Vec<char> = name.chars().collect();
        korean_reading(&chars)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.hangul)
            .collect()
    }

    #[test]
    fn korean_names_in_hanja_read_in_sino_korean() {
        assert_eq!(hangul("金正恩"), "김정은");
        assert_eq!(hangul("金正日"), "김정일");
        assert_eq!(hangul("崔龍海"), "최룡해");
        // Simplified characters through their traditional form.
        assert_eq!(hangul("崔龙海"), "최룡해");
        assert_eq!(hangul("南宮民秀"), "남궁민수");
    }

    #[test]
    fn names_that_do_not_look_korean_are_not_read_in_korean() {
        // No Korean surname first, or too long for a Korean personal name.
        assert_eq!(hangul("山田太郎"), "");
        assert_eq!(hangul("長安海連技術有限公司"), "");
        assert_eq!(hangul("金"), "");
    }

    #[test]
    fn reading_keys_meet_hangul_and_latin() {
        let chars: Vec<char> = "金正恩".chars().collect();
        let r = korean_reading(&chars).unwrap_or_default();
        let (sur, given) = korean::split_hangul_name("김정은");
        assert!(r[0].equivalent(&sur[0]));
        assert!(r[1].equivalent(&given[0]) && r[2].equivalent(&given[1]));
        assert!(!r[2].equivalent(&korean::split_hangul_name("김정일").1[1]));
    }
}
