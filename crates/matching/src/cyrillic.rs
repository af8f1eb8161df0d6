//! Names written in Cyrillic.
//!
//! A Cyrillic name has no single Latin spelling: Russian passports since 2013
//! follow ICAO Doc 9303 (`Сергей` → `Sergei`), geographic and many Western
//! sources BGN/PCGN (`Sergey`, `ye` for an initial `е`), Russian libraries
//! GOST 7.79-2000 system B (`Sergej`, `x` for `х`), and English and German
//! press write `x` for `кс` (`Alexander`). Each Cyrillic word therefore
//! becomes one token with every distinct spelling as a variant
//! (`data/names/cyrillic-latin.csv`: the letter tables of the three
//! standards), and a comparison takes the best variant. The ICAO spelling is
//! the token's text.
//!
//! Korean names in Cyrillic (`Ким Чен Ын`) are read syllable by syllable in
//! [`crate::korean::parse_cyrillic`] (Kontsevich and press spellings).

use std::collections::HashMap;
use std::sync::LazyLock;

static TABLE_CSV: &str = include_str!("../../../data/names/cyrillic-latin.csv");

/// Letter → (ICAO 9303, BGN/PCGN, GOST 7.79 B).
static LETTERS: LazyLock<HashMap<char, [String; 3]>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    for line in TABLE_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let [c, icao, bgn, gost] = f[..]
            && let Some(c) = c.chars().next()
        {
            out.insert(c, [icao.into(), bgn.into(), gost.into()]);
        }
    }
    out
});

/// A Cyrillic letter (Russian, Ukrainian, Belarusian, Serbian, Bulgarian).
pub fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x052F)
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

/// Every distinct Latin spelling of a lower-case Cyrillic word, ICAO first,
/// then BGN/PCGN, GOST 7.79 B and the press spelling with `x` for `кс`.
/// Letters outside the tables are left to `any_ascii`.
pub fn transliterations(word: &str) -> Vec<String> {
    let table = &*LETTERS;
    let mut out: Vec<String> = Vec::with_capacity(4);
    for system in 0..3 {
        let mut s = String::with_capacity(word.len());
        let mut prev: Option<char> = None;
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match table.get(&c) {
                Some(t) => {
                    // BGN/PCGN writes `ye` for `е`/`ё` at the start of a word and after a
                    // vowel or a sign (`Yegor`, `Aleksandrovna` but `Andreyev`).
                    let ye = system == 1
                        && matches!(c, 'е' | 'ё')
                        && prev.is_none_or(|p| is_vowel(p) || matches!(p, 'ъ' | 'ь' | 'й'));
                    // GOST writes `c` for `ц` before e, i, y, j.
                    let gost_c = system == 2
                        && c == 'ц'
                        && chars
                            .get(i + 1)
                            .is_some_and(|n| matches!(n, 'е' | 'и' | 'ы' | 'й' | 'і' | 'є'));
                    if ye {
                        s.push('y');
                        s.push('e');
                    } else if gost_c {
                        s.push('c');
                    } else {
                        s.push_str(&t[system]);
                    }
                }
                None => {
                    for a in any_ascii::any_ascii_char(c).chars() {
                        if a.is_ascii_alphanumeric() {
                            s.push(a.to_ascii_lowercase());
                        }
                    }
                }
            }
            prev = Some(c);
        }
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    if let Some(x) = out
        .iter()
        .find(|b| b.contains("ks"))
        .map(|b| b.replace("ks", "x"))
        && !out.contains(&x)
    {
        out.push(x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_spelling_is_a_variant() {
        assert_eq!(
            transliterations("александр"),
            ["aleksandr", "alexandr"].map(String::from)
        );
        let sergey = transliterations("сергей");
        for s in ["sergei", "sergey", "sergej"] {
            assert!(sergey.contains(&s.to_string()), "{sergey:?}");
        }
        assert_eq!(
            transliterations("хрущёв"),
            ["khrushchev", "xrushhyov"].map(String::from)
        );
        assert!(transliterations("егор").contains(&"yegor".to_string()));
        assert!(transliterations("цирк").contains(&"cirk".to_string()));
        assert_eq!(transliterations("петров"), ["petrov"].map(String::from));
    }
}
