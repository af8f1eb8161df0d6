//! Korean organisation names written in Hangul (`조선광업개발무역회사`).
//!
//! DPRK organisation names are compounds of a few dozen words that the
//! lists translate consistently: 조선 Korea, 광업 mining, 개발 development,
//! 무역 trading, 회사 corporation, 총회사 general corporation, 은행 bank,
//! 해운 shipping … (`data/names/korean-org-terms.csv`, with the sources of
//! each translation). A Hangul word is split into dictionary words (the split
//! that covers the most syllables, then the fewest pieces), each translated;
//! what the dictionary lacks is a proper name (`련봉`), romanized DPRK-style
//! and compared syllable by syllable. Words marked in the dictionary (회사,
//! 은행, 총국 …) make a name an organisation even when the query's schema
//! does not say so.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::korean::is_hangul_syllable;
use crate::text::{Script, Word};

static TERMS_CSV: &str = include_str!("../../../data/names/korean-org-terms.csv");

/// One dictionary word.
#[derive(Debug)]
pub struct Term {
    pub hangul: String,
    /// The translation, word by word.
    pub english: Vec<String>,
    /// Other translations, each word by word.
    pub alts: Vec<Vec<String>>,
    /// The word marks an organisation.
    pub marker: bool,
}

struct Dictionary {
    terms: Vec<Term>,
    by_hangul: HashMap<String, usize>,
    /// Longest entry, in syllables.
    longest: usize,
}

fn words_of(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(|| {
    let mut d = Dictionary {
        terms: Vec::new(),
        by_hangul: HashMap::new(),
        longest: 0,
    };
    for line in TERMS_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [hangul, english, alts, marker] = f[..] else {
            continue;
        };
        let term = Term {
            hangul: hangul.to_string(),
            english: words_of(english),
            alts: alts
                .split('|')
                .filter(|a| !a.is_empty())
                .map(words_of)
                .collect(),
            marker: marker == "yes",
        };
        d.longest = d.longest.max(hangul.chars().count());
        d.by_hangul.insert(term.hangul.clone(), d.terms.len());
        d.terms.push(term);
    }
    d
});

/// A piece of a Hangul word.
#[derive(Debug)]
pub enum Segment {
    Term(&'static Term),
    /// Syllables the dictionary lacks (a proper name).
    Other(String),
}

/// How good a split of a prefix is: syllables in dictionary words, minus pieces.
type Rank = (usize, isize);
/// The last piece of the best split of a prefix: where it starts, and its
/// dictionary entry (none: one syllable outside the dictionary).
type Step = (usize, Option<usize>);

/// Split a Hangul word into dictionary words and other runs: the split that
/// covers the most syllables with dictionary words, then has the fewest
/// pieces. Linear in the word's length (entries are a few syllables long).
pub fn segment(word: &str) -> Vec<Segment> {
    let d = &*DICTIONARY;
    let chars: Vec<char> = word.chars().filter(|c| is_hangul_syllable(*c)).collect();
    let n = chars.len();
    // best[i]: (syllables covered, -pieces) for chars[..i], and the step there.
    let mut best: Vec<(Rank, Option<Step>)> = vec![((0, 0), None); n + 1];
    for i in 0..n {
        let here = best[i].0;
        // One syllable outside the dictionary (runs are merged afterwards).
        let cand = (here.0, here.1 - 1);
        if best[i + 1].1.is_none() || cand > best[i + 1].0 {
            best[i + 1] = (cand, Some((i, None)));
        }
        let mut key = String::new();
        for j in i..n.min(i + d.longest) {
            key.push(chars[j]);
            if let Some(&t) = d.by_hangul.get(&key) {
                let cand = (here.0 + (j + 1 - i), here.1 - 1);
                if best[j + 1].1.is_none() || cand > best[j + 1].0 {
                    best[j + 1] = (cand, Some((i, Some(t))));
                }
            }
        }
    }
    let mut pieces = Vec::new();
    let mut at = n;
    while at > 0 {
        let Some((from, term)) = best[at].1 else {
            break;
        };
        pieces.push((from, at, term));
        at = from;
    }
    pieces.reverse();
    let mut out: Vec<Segment> = Vec::new();
    for (from, to, term) in pieces {
        match term {
            Some(t) => out.push(Segment::Term(&d.terms[t])),
            None => {
                let text: String = chars[from..to].iter().collect();
                if let Some(Segment::Other(run)) = out.last_mut() {
                    run.push_str(&text);
                } else {
                    out.push(Segment::Other(text));
                }
            }
        }
    }
    out
}

/// Whether a Hangul word of the name contains a word that marks an
/// organisation (회사, 은행 …).
pub fn marks_organization(words: &[Word]) -> bool {
    words
        .iter()
        .filter(|w| w.script == Script::Hangul)
        .any(|w| {
            segment(&w.text)
                .iter()
                .any(|s| matches!(s, Segment::Term(t) if t.marker))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(w: &str) -> Vec<String> {
        segment(w)
            .iter()
            .map(|s| match s {
                Segment::Term(t) => t.english.join(" "),
                Segment::Other(o) => format!("[{o}]"),
            })
            .collect()
    }

    #[test]
    fn dprk_organisation_names_split_into_dictionary_words() {
        assert_eq!(
            split("조선광업개발무역회사"),
            ["korea", "mining", "development", "trading", "corporation"]
        );
        assert_eq!(
            split("조선련봉총회사"),
            ["korea", "[련봉]", "general corporation"]
        );
        assert_eq!(split("대외무역은행"), ["foreign", "trade bank"]);
        assert_eq!(split("김정은"), ["[김정은]"]);
    }

    #[test]
    fn marker_words_make_an_organisation() {
        let w = crate::text::words("조선대성은행");
        assert!(marks_organization(&w));
        assert!(!marks_organization(&crate::text::words("김정은")));
    }
}
