//! Name analysis (tokens with roles and weights, Korean syllable readings)
//! and the pairwise name comparison with its token-by-token explanation.

use std::fmt;

use resolute_model::Schema;
use serde::Serialize;

use crate::korean::{self, Syllable};
use crate::text::{
    self, osa_distance, osa_distance_bytes, phonetic_key, weighted_distance,
    weighted_distance_bytes,
};

/// Which comparison rules apply, from the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameType {
    Person,
    Organization,
    Object,
    Any,
}

impl NameType {
    pub fn of(schema: Schema) -> NameType {
        match schema {
            Schema::Person => NameType::Person,
            Schema::Organization | Schema::Company => NameType::Organization,
            Schema::Vessel | Schema::Airplane => NameType::Object,
            Schema::Thing | Schema::LegalEntity => NameType::Any,
        }
    }
}

/// The role of a token; roles set how much a token counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Name,
    /// Particles and articles (`al`, `bin`, `de`, `of`, `the`): weighted down, not dropped.
    Stop,
    /// Legal form (`ltd`, `corp`, `jsc`), canonicalised.
    Legal,
    /// Generic organisation words (`group`, `trading`, `international`).
    Generic,
    /// A number (digits, number words and Roman numerals folded to digits).
    Number,
    /// A single letter.
    Initial,
}

impl Role {
    fn weight(self) -> f64 {
        match self {
            Role::Name => 1.0,
            Role::Stop => 0.35,
            Role::Legal => 0.3,
            Role::Generic => 0.55,
            Role::Number => 1.0,
            Role::Initial => 0.5,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    /// Consonant classes present (for a cheap lower bound on edit cost).
    pub consonants: u32,
    /// Hash of `text`: unequal hashes settle most comparisons without `memcmp`.
    pub text_hash: u64,
    /// First byte of `text` (0 when empty), kept inline: the checks that
    /// reject most joined-word pairs need only it, not the heap text.
    pub first: u8,
    /// Hash of `phonetic`.
    pub phonetic_hash: u64,
    /// A name word that is a country name (`Chile`): looked up once here, not
    /// for every comparison.
    pub is_country: bool,
    pub text: String,
    pub role: Role,
    pub weight: f64,
    pub phonetic: String,
    /// Single-syllable Korean reading, when the token is one syllable.
    pub syllable: Option<Syllable>,
}

/// A name analysed once (query names per query, list names at index build).
#[derive(Debug, Clone)]
pub struct NameForm {
    pub original: String,
    pub normalized: String,
    /// Hash of `normalized` (most pairs of names differ; this says so without `memcmp`).
    pub normalized_hash: u64,
    pub tokens: Vec<Token>,
    /// Syllable readings when the name is a Korean personal name.
    pub korean: Option<Vec<Vec<Syllable>>>,
    /// Initials of the name tokens (for acronym matching).
    pub initials: String,
    pub numbers: Vec<String>,
}

const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "dame",
    "lord",
    "lady",
    "madam",
    "mme",
    "mlle",
    "herr",
    "frau",
    "rev",
    "gen",
    "general",
    "col",
    "colonel",
    "maj",
    "major",
    "capt",
    "captain",
    "lt",
    "marshal",
    "admiral",
    "adm",
    "comrade",
    "jr",
    "sr",
    "president",
    "premier",
    "chairman",
    "minister",
    "king",
    "prince",
    "princess",
    "queen",
    "emir",
    "excellency",
    "his",
    "her",
];

const STOP: &[&str] = &[
    "al", "el", "bin", "bint", "ben", "de", "da", "di", "del", "della", "der", "den", "van", "von",
    "la", "le", "du", "dos", "das", "y", "of", "the", "and", "und", "et", "for", "in", "fur",
];

const GENERIC: &[&str] = &[
    "group",
    "holding",
    "holdings",
    "international",
    "intl",
    "trading",
    "trade",
    "general",
    "industries",
    "industry",
    "industrial",
    "services",
    "service",
    "enterprise",
    "enterprises",
    "bank",
    "national",
    "global",
    "company",
    "corporation",
    "solutions",
    "management",
    "organisation",
    "organization",
    "association",
    "foundation",
    "fund",
    "trust",
    "partners",
    "capital",
    "investment",
    "investments",
    "development",
    "import",
    "export",
    "shipping",
    "commercial",
    "technology",
    "systems",
];

/// Legal forms: word sequences → canonical form. Longest first.
const LEGAL: &[(&str, &str)] = &[
    ("public joint stock company", "jsc"),
    ("open joint stock company", "jsc"),
    ("closed joint stock company", "jsc"),
    ("joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("public limited company", "plc"),
    ("societatea cu raspundere limitata", "srl"),
    ("societe a responsabilite limitee", "sarl"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("sp z o o", "spzoo"),
    ("sp z oo", "spzoo"),
    ("s a r l", "sarl"),
    ("s r l", "srl"),
    ("l l c", "llc"),
    ("l p", "lp"),
    ("n v", "nv"),
    ("b v", "bv"),
    ("s a", "sa"),
    ("o o o", "llc"),
    ("co ltd", "coltd"),
    ("aktiengesellschaft", "ag"),
    ("akg", "ag"),
    ("ag", "ag"),
    ("incorporated", "corp"),
    ("inc", "corp"),
    ("corporation", "corp"),
    ("corp", "corp"),
    ("company", "corp"),
    ("co", "corp"),
    ("limited", "ltd"),
    ("ltd", "ltd"),
    ("llc", "llc"),
    ("ooo", "llc"),
    ("jsc", "jsc"),
    ("ojsc", "jsc"),
    ("pjsc", "jsc"),
    ("cjsc", "jsc"),
    ("oao", "jsc"),
    ("zao", "jsc"),
    ("pao", "jsc"),
    ("ao", "jsc"),
    ("plc", "plc"),
    ("gmbh", "gmbh"),
    ("sarl", "sarl"),
    ("srl", "srl"),
    ("spzoo", "spzoo"),
    ("bv", "bv"),
    ("nv", "nv"),
    ("pte", "pte"),
    ("pty", "pty"),
    ("lp", "lp"),
    ("llp", "llp"),
    ("sa", "sa"),
    ("ab", "ab"),
    ("as", "as"),
    ("oy", "oy"),
    ("spa", "spa"),
    ("kk", "kk"),
];

static LEGAL_WORDS: std::sync::LazyLock<Vec<(Vec<&'static str>, &'static str)>> =
    std::sync::LazyLock::new(|| {
        LEGAL
            .iter()
            .map(|(p, c)| (p.split(' ').collect(), *c))
            .collect()
    });

const NUMBER_WORDS: &[(&str, u64)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("1st", 1),
    ("2nd", 2),
    ("3rd", 3),
    ("4th", 4),
    ("5th", 5),
    ("ii", 2),
    ("iii", 3),
    ("iv", 4),
    ("vi", 6),
    ("vii", 7),
    ("viii", 8),
    ("ix", 9),
];

/// Vessel name prefixes (ship type abbreviations), dropped.
const OBJECT_PREFIXES: &[&str] = &[
    "mv", "mt", "ss", "m", "v", "fv", "sv", "my", "yacht", "vessel",
];

fn number_value(t: &str, ty: NameType) -> Option<u64> {
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    // Roman numerals only in organisation/object names (fund series, ship numbers).
    let roman = matches!(t, "ii" | "iii" | "iv" | "vi" | "vii" | "viii" | "ix");
    if roman && ty == NameType::Person {
        return None;
    }
    NUMBER_WORDS.iter().find(|(w, _)| *w == t).map(|(_, v)| *v)
}

impl NameForm {
    pub fn new(name: &str, ty: NameType) -> NameForm {
        let words = text::words(name);
        let hangul_words: Vec<&str> = words
            .iter()
            .filter(|w| w.hangul)
            .map(|w| w.text.as_str())
            .collect();
        let mut raw: Vec<String> = Vec::new();
        let mut korean_hangul: Option<Vec<Syllable>> = None;
        if !hangul_words.is_empty()
            && hangul_words.len() == words.len()
            && ty != NameType::Organization
            && ty != NameType::Object
        {
            // A Hangul personal name: surname + given syllables.
            let mut all = Vec::new();
            for (i, w) in hangul_words.iter().enumerate() {
                if i == 0 {
                    let (s, g) = korean::split_hangul_name(w);
                    all.extend(s);
                    all.extend(g);
                } else {
                    all.extend(w.chars().filter_map(korean::hangul_syllable));
                }
            }
            raw = all.iter().map(|s| s.text.clone()).collect();
            korean_hangul = Some(all);
        } else {
            for w in &words {
                if w.hangul {
                    raw.extend(
                        w.text
                            .chars()
                            .filter_map(korean::hangul_syllable)
                            .map(|s| s.text),
                    );
                } else {
                    raw.push(w.text.clone());
                }
            }
        }
        // Drop honorifics of persons, object prefixes of vessels (but never the whole name).
        if matches!(ty, NameType::Person | NameType::Any) && raw.len() > 1 {
            raw.retain(|t| !HONORIFICS.contains(&t.as_str()));
        }
        if ty == NameType::Object && raw.len() > 1 && OBJECT_PREFIXES.contains(&raw[0].as_str()) {
            raw.remove(0);
        }
        let mut tokens: Vec<Token> = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            // Legal form phrases (organisations and unknown types).
            if ty != NameType::Person && ty != NameType::Object {
                let mut hit = None;
                for (words, canon) in LEGAL_WORDS.iter() {
                    let n = words.len();
                    if i + n <= raw.len()
                        && raw[i..i + n]
                            .iter()
                            .map(String::as_str)
                            .eq(words.iter().copied())
                    {
                        hit = Some((n, *canon));
                        break;
                    }
                }
                if let Some((n, canon)) = hit {
                    tokens.push(Token::new(canon.to_string(), Role::Legal));
                    i += n;
                    continue;
                }
            }
            // Number words (`forty four` → 44).
            if let Some(v) = number_value(&raw[i], ty) {
                let mut total = v;
                let mut j = i + 1;
                if v >= 20
                    && v % 10 == 0
                    && v < 100
                    && let Some(u) = raw
                        .get(j)
                        .and_then(|t| number_value(t, ty))
                        .filter(|u| *u < 10)
                {
                    total += u;
                    j += 1;
                }
                tokens.push(Token::new(total.to_string(), Role::Number));
                i = j;
                continue;
            }
            let t = raw[i].clone();
            let canon = match (ty, t.as_str()) {
                (NameType::Person | NameType::Any, "ibn") => "bin".to_string(),
                (_, "el") => "al".to_string(),
                (_, "intl") => "international".to_string(),
                _ => t,
            };
            let role = if canon.len() == 1 && canon.bytes().all(|b| b.is_ascii_alphabetic()) {
                Role::Initial
            } else if STOP.contains(&canon.as_str()) {
                Role::Stop
            } else if ty != NameType::Person && GENERIC.contains(&canon.as_str()) {
                Role::Generic
            } else {
                Role::Name
            };
            tokens.push(Token::new(canon, role));
            i += 1;
        }
        let normalized = match &korean_hangul {
            // Hangul compares exactly with Hangul (종 is not 정 even though both romanize `jong`).
            Some(h) => h.iter().filter_map(|s| s.hangul).collect(),
            None => tokens
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        };
        let initials: String = tokens
            .iter()
            .filter(|t| matches!(t.role, Role::Name | Role::Generic))
            .filter_map(|t| t.text.chars().next())
            .collect();
        let numbers = tokens
            .iter()
            .filter(|t| t.role == Role::Number)
            .map(|t| t.text.clone())
            .collect();
        let korean = match korean_hangul {
            Some(h) => Some(vec![h]),
            None if matches!(ty, NameType::Person | NameType::Any) => korean_readings(&tokens),
            None => None,
        };
        let normalized_hash = crate::index::key_hash(b'n', &normalized);
        NameForm {
            original: name.to_string(),
            normalized,
            normalized_hash,
            tokens,
            korean,
            initials,
            numbers,
        }
    }
}

impl Token {
    fn new(text: String, role: Role) -> Token {
        let syllable = if role == Role::Name && text.len() <= 6 {
            korean::parse_romanized(&text, 1)
                .and_then(|r| r.into_iter().next())
                .and_then(|mut v| v.pop())
        } else {
            None
        };
        let phonetic = phonetic_key(&text);
        Token {
            weight: role.weight(),
            phonetic_hash: crate::index::key_hash(b'p', &phonetic),
            phonetic,
            syllable,
            consonants: consonant_mask(&text),
            text_hash: crate::index::key_hash(b'w', &text),
            first: text.as_bytes().first().copied().unwrap_or(0),
            is_country: role == Role::Name && resolute_model::country_from_name(&text).is_some(),
            text,
            role,
        }
    }
}

/// Bit per consonant class; letters that transliterations swap cheaply
/// share a bit, vowels, `h`, `w`, `y` have none.
fn consonant_mask(t: &str) -> u32 {
    t.bytes()
        .map(|b| match b {
            b'b' | b'p' | b'f' | b'v' => 1,
            b'c' | b'k' | b'q' | b'g' | b's' | b'z' | b'j' | b'x' => 1 << 1,
            b'd' | b't' => 1 << 2,
            b'l' => 1 << 3,
            b'r' => 1 << 4,
            b'm' => 1 << 5,
            b'n' => 1 << 6,
            b'0'..=b'9' => 1 << 7,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

/// Readings of a Latin name as a Korean personal name: 2–4 tokens, each one
/// or two syllables (`Jong-un`, `Jongun`), 2–4 syllables in all, with a
/// Korean surname first or last.
fn korean_readings(tokens: &[Token]) -> Option<Vec<Vec<Syllable>>> {
    if tokens.len() < 2
        || tokens.len() > 4
        || tokens
            .iter()
            .any(|t| t.role != Role::Name && t.role != Role::Stop)
    {
        return None;
    }
    let mut per_token = Vec::with_capacity(tokens.len());
    for t in tokens {
        let mut r = korean::parse_romanized(&t.text, 2)?;
        // A written word is one syllable unless it cannot be (`Choe` is not
        // `Cho-e`; `Jongun` has to be two).
        let fewest = r.iter().map(Vec::len).min().unwrap_or(1);
        r.retain(|x| x.len() == fewest);
        per_token.push(r);
    }
    let first_ok = per_token.first().is_some_and(|r| {
        r.iter()
            .any(|x| x.len() == 1 && korean::is_surname_syllable(&x[0]))
    });
    let last_ok = per_token.last().is_some_and(|r| {
        r.iter()
            .any(|x| x.len() == 1 && korean::is_surname_syllable(&x[0]))
    });
    if !first_ok && !last_ok {
        return None;
    }
    let mut readings: Vec<Vec<Syllable>> = vec![Vec::new()];
    for r in per_token {
        let mut next = Vec::new();
        for base in &readings {
            for alt in &r {
                let mut v = base.clone();
                v.extend(alt.iter().cloned());
                if v.len() <= 4 {
                    next.push(v);
                }
            }
        }
        next.truncate(16);
        readings = next;
        if readings.is_empty() {
            return None;
        }
    }
    readings.retain(|r| r.len() >= 2);
    if readings.is_empty() {
        None
    } else {
        Some(readings)
    }
}

/// How a query token aligned with a list token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    Exact,
    /// Same Korean syllable in another romanization (or Hangul).
    Romanization,
    /// Edit distance within the length budget.
    Fuzzy,
    /// Same phonetic key.
    Phonetic,
    /// Written joined on one side, split on the other (`Jongun` / `Jong Un`).
    Joined,
    /// An initial matches the word.
    Initial,
    /// An acronym of the other name's words (`FTB` / `Foreign Trade Bank`).
    Acronym,
    /// Query token with no counterpart.
    Missing,
    /// List token with no counterpart.
    Extra,
    /// Numbers differ.
    NumberMismatch,
    /// The father's names (after `bin`) differ.
    PatronymMismatch,
}

impl fmt::Display for How {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            How::Exact => "exact",
            How::Romanization => "romanization variant",
            How::Fuzzy => "spelling variant",
            How::Phonetic => "sounds alike",
            How::Joined => "joined/split",
            How::Initial => "initial",
            How::Acronym => "acronym",
            How::Missing => "not in list name",
            How::Extra => "not in query",
            How::NumberMismatch => "number differs",
            How::PatronymMismatch => "father's name differs",
        })
    }
}

/// One step of the alignment between the query name and the list name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenMatch {
    pub query: String,
    pub candidate: String,
    pub how: How,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<usize>,
}

/// Result of comparing two names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameComparison {
    pub score: f64,
    /// `korean_syllables`, `tokens`, `object`, `acronym`, `literal`.
    pub method: &'static str,
    pub alignment: Vec<TokenMatch>,
}

const SYL_ROMANIZATION: f64 = 0.96;
/// Weight of a list-name part that stands where the query has another part.
const CONTRADICTION: f64 = 1.25;
const KOREAN_MISSING: f64 = 1.5;

/// Compare two analysed names.
/// With `explain` false the alignment is left empty (scoring many candidates);
/// the score is the same.
pub fn compare(q: &NameForm, c: &NameForm, ty: NameType, explain: bool) -> NameComparison {
    if q.tokens.is_empty() || c.tokens.is_empty() {
        return NameComparison {
            score: 0.0,
            method: "empty",
            alignment: Vec::new(),
        };
    }
    if q.normalized_hash == c.normalized_hash && q.normalized == c.normalized {
        let alignment = if explain {
            q.tokens
                .iter()
                .map(|t| TokenMatch {
                    query: t.text.clone(),
                    candidate: t.text.clone(),
                    how: How::Exact,
                    score: 1.0,
                    distance: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        return NameComparison {
            score: 1.0,
            method: "literal",
            alignment,
        };
    }
    if let (Some(qk), Some(ck)) = (&q.korean, &c.korean) {
        return compare_korean(qk, ck, explain);
    }
    let mut best = compare_tokens(q, c, ty, explain);
    if best.score < 0.9
        && let Some(a) = compare_acronym(q, c).or_else(|| compare_acronym(c, q))
        && a.score > best.score
    {
        best = a;
    }
    best
}

fn compare_korean(qr: &[Vec<Syllable>], cr: &[Vec<Syllable>], explain: bool) -> NameComparison {
    let mut best: Option<NameComparison> = None;
    for q in qr {
        for c in cr {
            // Names have a handful of syllables: flags on the stack.
            let mut used_stack = [false; 16];
            let mut used_heap;
            let used: &mut [bool] = if c.len() <= used_stack.len() {
                &mut used_stack[..c.len()]
            } else {
                used_heap = vec![false; c.len()];
                &mut used_heap
            };
            let mut align = Vec::new();
            let mut sum = 0.0;
            let mut matched = 0usize;
            let mut missing = 0usize;
            for qs in q {
                // Prefer an identical spelling, then any equivalent syllable.
                let pick = (0..c.len())
                    .find(|&j| !used[j] && c[j].text == qs.text && qs.equivalent(&c[j]))
                    .or_else(|| (0..c.len()).find(|&j| !used[j] && qs.equivalent(&c[j])));
                match pick {
                    Some(j) => {
                        used[j] = true;
                        let exact =
                            c[j].text == qs.text && qs.hangul.is_none() == c[j].hangul.is_none();
                        let s = if exact { 1.0 } else { SYL_ROMANIZATION };
                        sum += s;
                        matched += 1;
                        if explain {
                            align.push(TokenMatch {
                                query: display_syl(qs),
                                candidate: display_syl(&c[j]),
                                how: if exact { How::Exact } else { How::Romanization },
                                score: s,
                                distance: None,
                            });
                        }
                    }
                    None => {
                        missing += 1;
                        if explain {
                            align.push(TokenMatch {
                                query: display_syl(qs),
                                candidate: String::new(),
                                how: How::Missing,
                                score: 0.0,
                                distance: None,
                            });
                        }
                    }
                }
            }
            let mut extra = 0usize;
            for (j, cs) in c.iter().enumerate() {
                if !used[j] {
                    extra += 1;
                    if explain {
                        align.push(TokenMatch {
                            query: String::new(),
                            candidate: display_syl(cs),
                            how: How::Extra,
                            score: 0.0,
                            distance: None,
                        });
                    }
                }
            }
            let den = matched as f64 + KOREAN_MISSING * (missing + extra) as f64;
            let score = if den > 0.0 { sum / den } else { 0.0 };
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(NameComparison {
                    score,
                    method: "korean_syllables",
                    alignment: align,
                });
            }
        }
    }
    best.unwrap_or(NameComparison {
        score: 0.0,
        method: "korean_syllables",
        alignment: Vec::new(),
    })
}

fn display_syl(s: &Syllable) -> String {
    match s.hangul {
        Some(h) => format!("{h} ({})", s.text),
        None => s.text.clone(),
    }
}

/// Edit budget (weighted cost) by length: short tokens must be nearly exact.
fn edit_budget(len: usize) -> f64 {
    match len {
        0..=3 => 0.5,
        4..=5 => 1.0,
        6..=8 => 1.5,
        9..=12 => 2.0,
        _ => 2.5,
    }
}

/// Similarity of two single tokens with how they matched.
/// `explain` asks for the edit count of fuzzy matches (shown in explanations only).
fn token_sim(
    a: &Token,
    b: &Token,
    ty: NameType,
    both_first: bool,
    explain: bool,
) -> Option<(f64, How, Option<usize>)> {
    if a.text_hash == b.text_hash && a.text == b.text {
        return Some((1.0, How::Exact, None));
    }
    if a.role == Role::Number || b.role == Role::Number {
        return None;
    }
    if a.role == Role::Legal || b.role == Role::Legal {
        return None;
    }
    if let (Some(x), Some(y)) = (&a.syllable, &b.syllable)
        && x.equivalent(y)
        && ty != NameType::Organization
        && ty != NameType::Object
    {
        return Some((0.9, How::Romanization, None));
    }
    if a.role == Role::Initial || b.role == Role::Initial {
        let (i, w) = if a.role == Role::Initial {
            (a, b)
        } else {
            (b, a)
        };
        if ty == NameType::Person && w.text.starts_with(&i.text) && w.role != Role::Initial {
            return Some((0.75, How::Initial, None));
        }
        return None;
    }
    let len = a.text.len().max(b.text.len());
    let budget = edit_budget(len);
    // Each edit changes at most two consonant classes and costs at least 0.5.
    let class_diff = (a.consonants ^ b.consonants).count_ones();
    let d = if f64::from(class_diff.div_ceil(2)) * 0.5 > budget {
        budget + 1.0
    } else {
        weighted_distance(&a.text, &b.text, budget)
    };
    if d <= budget {
        // The first letter is rarely misspelt: a change there costs more.
        let first_differs = a.text.as_bytes().first() != b.text.as_bytes().first();
        let mut s = 1.0 - 1.5 * d / len as f64;
        if first_differs {
            s -= 0.1;
        }
        let edits = if explain {
            Some(osa_distance(&a.text, &b.text, 8))
        } else {
            None
        };
        return Some((s.max(0.0), How::Fuzzy, edits));
    }
    // Inflection: `Bank`/`Banking`, `Lavrov`/`Lavrovs`, `Force`/`Forces`.
    let (short, long) = if a.text.len() <= b.text.len() {
        (&a.text, &b.text)
    } else {
        (&b.text, &a.text)
    };
    if short.len() >= 4 && long.starts_with(short.as_str()) {
        let rest = &long[short.len()..];
        if rest == "s" || rest == "es" || (rest == "ing" && ty != NameType::Person) {
            return Some((0.9, How::Fuzzy, Some(rest.len())));
        }
    }
    // `Ben` for `Benjamin`: a short form that is the start of the other word.
    if ty == NameType::Person
        && both_first
        && a.text.len().min(b.text.len()) >= 3
        && (a.text.starts_with(&b.text) || b.text.starts_with(&a.text))
    {
        return Some((0.75, How::Initial, None));
    }
    if len >= 5
        && a.phonetic_hash == b.phonetic_hash
        && a.phonetic == b.phonetic
        && a.phonetic.len() >= 3
    {
        return Some((0.8, How::Phonetic, None));
    }
    None
}

#[derive(Clone, Copy)]
struct Edge {
    qi: usize,
    qn: usize,
    ci: usize,
    cn: usize,
    sim: f64,
    how: How,
    distance: Option<usize>,
}

fn patronym(t: &[Token]) -> Option<usize> {
    let i = t.iter().position(|x| x.text == "bin")?;
    (i + 1 < t.len() && t[i + 1].role == Role::Name).then_some(i + 1)
}

/// Buffers of [`compare_tokens`], kept per thread: it runs for every
/// candidate of every query and would otherwise allocate each time.
#[derive(Default)]
struct TokenScratch {
    edges: Vec<Edge>,
    qused: Vec<bool>,
    cused: Vec<bool>,
    aligned_pairs: Vec<(usize, usize)>,
    unmatched: Vec<usize>,
    joined: Vec<u8>,
}

thread_local! {
    static TOKEN_SCRATCH: std::cell::Cell<TokenScratch> = std::cell::Cell::new(TokenScratch::default());
}

/// The tokens written together, into `buf`.
fn concat_into<'a>(tokens: &[Token], buf: &'a mut Vec<u8>) -> &'a [u8] {
    buf.clear();
    for t in tokens {
        buf.extend_from_slice(t.text.as_bytes());
    }
    buf
}

fn compare_tokens(q: &NameForm, c: &NameForm, ty: NameType, explain: bool) -> NameComparison {
    let qt = &q.tokens;
    let ct = &c.tokens;
    let mut scratch = TOKEN_SCRATCH.take();
    let TokenScratch {
        edges,
        qused,
        cused,
        aligned_pairs,
        unmatched,
        joined,
    } = &mut scratch;
    edges.clear();
    for (i, a) in qt.iter().enumerate() {
        for (j, b) in ct.iter().enumerate() {
            if let Some((sim, how, distance)) = token_sim(a, b, ty, i == 0 && j == 0, explain) {
                edges.push(Edge {
                    qi: i,
                    qn: 1,
                    ci: j,
                    cn: 1,
                    sim,
                    how,
                    distance,
                });
            }
        }
    }
    // Joined/split words: one token against 2–3 adjacent tokens of the other side.
    let mut join = |one: &Token, many: &[Token]| -> Option<(f64, Option<usize>, How)> {
        // Both an acronym and a joined word start with the first letter of
        // the first word: most pairs end here, before any other work.
        if one.first != many[0].first
            || one.role == Role::Number
            || many.iter().any(|t| t.role == Role::Number)
        {
            return None;
        }
        let total: usize = many.iter().map(|t| t.text.len()).sum();
        // `US` for `United States`: letters are the initials of the words.
        if (ty != NameType::Person || one.text.len() <= 3)
            && one.text.len() == many.len()
            && many.iter().all(|t| t.text.len() > 1)
            && many
                .iter()
                .zip(one.text.bytes())
                .all(|(t, b)| t.text.as_bytes().first() == Some(&b))
        {
            return Some((0.85, None, How::Acronym));
        }
        let len = one.text.len().max(total);
        let budget = edit_budget(len).min(2.0);
        // Tokens are never empty, so `first` is the first byte.
        if one.text.len().abs_diff(total) as f64 * 0.4 > budget || one.first != many[0].first {
            return None;
        }
        let m = concat_into(many, joined);
        let one_text = one.text.as_bytes();
        if one_text == m {
            return Some((0.98, None, How::Joined));
        }
        let d = weighted_distance_bytes(one_text, m, budget);
        let edits = || {
            if explain {
                Some(osa_distance_bytes(one_text, m, 8))
            } else {
                None
            }
        };
        if d <= budget {
            Some((0.98 - 1.5 * d / len as f64, edits(), How::Joined))
        } else {
            None
        }
    };
    for n in 2..=3 {
        for i in 0..qt.len() {
            for j in 0..ct.len() {
                if j + n <= ct.len()
                    && let Some((sim, d, how)) = join(&qt[i], &ct[j..j + n])
                {
                    edges.push(Edge {
                        qi: i,
                        qn: 1,
                        ci: j,
                        cn: n,
                        sim,
                        how,
                        distance: d,
                    });
                }
                if i + n <= qt.len()
                    && let Some((sim, d, how)) = join(&ct[j], &qt[i..i + n])
                {
                    edges.push(Edge {
                        qi: i,
                        qn: n,
                        ci: j,
                        cn: 1,
                        sim,
                        how,
                        distance: d,
                    });
                }
            }
        }
    }
    edges.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then((b.qn + b.cn).cmp(&(a.qn + a.cn)))
    });
    qused.clear();
    qused.resize(qt.len(), false);
    cused.clear();
    cused.resize(ct.len(), false);
    let mut align: Vec<(usize, TokenMatch)> = Vec::new();
    let mut num = 0.0;
    let mut den = 0.0;
    let mut strong_name_match = false;
    aligned_pairs.clear();
    for &e in edges.iter() {
        if qused[e.qi..e.qi + e.qn].iter().any(|x| *x)
            || cused[e.ci..e.ci + e.cn].iter().any(|x| *x)
        {
            continue;
        }
        qused[e.qi..e.qi + e.qn].iter_mut().for_each(|x| *x = true);
        aligned_pairs.push((e.qi, e.ci));
        cused[e.ci..e.ci + e.cn].iter_mut().for_each(|x| *x = true);
        let wq: f64 = qt[e.qi..e.qi + e.qn].iter().map(|t| t.weight).sum::<f64>();
        let wc: f64 = ct[e.ci..e.ci + e.cn].iter().map(|t| t.weight).sum::<f64>();
        let w = wq.max(wc);
        num += e.sim * w;
        den += w;
        if e.sim >= 0.3
            && !matches!(e.how, How::Acronym | How::Initial)
            && qt[e.qi..e.qi + e.qn]
                .iter()
                .chain(&ct[e.ci..e.ci + e.cn])
                .any(|t| matches!(t.role, Role::Name | Role::Number))
        {
            strong_name_match = true;
        }
        if explain {
            align.push((
                e.qi,
                TokenMatch {
                    query: qt[e.qi..e.qi + e.qn]
                        .iter()
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    candidate: ct[e.ci..e.ci + e.cn]
                        .iter()
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    how: e.how,
                    score: round3(e.sim),
                    distance: e.distance,
                },
            ));
        }
    }
    let extra_weight = match ty {
        NameType::Person => 0.3,
        NameType::Organization | NameType::Any => 0.3,
        NameType::Object => 0.6,
    };
    let counts = |t: &Token| matches!(t.role, Role::Name | Role::Initial | Role::Generic);
    let q_unmatched = qt
        .iter()
        .enumerate()
        .filter(|(i, t)| !qused[*i] && counts(t))
        .count();
    let c_has_unmatched = ct.iter().enumerate().any(|(j, t)| !cused[j] && counts(t));
    // A query part that the list name lacks, when the list name is fully
    // covered, is an omission by the list (persons: more given names than
    // the list knows); when the list name has an unmatched part too, the
    // two contradict each other and both count in full.
    let query_extra_weight = if ty == NameType::Person && !c_has_unmatched {
        0.5
    } else {
        1.0
    };
    for (i, t) in qt.iter().enumerate() {
        if !qused[i] {
            den += t.weight * query_extra_weight;
            if explain {
                align.push((
                    i,
                    TokenMatch {
                        query: t.text.clone(),
                        candidate: String::new(),
                        how: How::Missing,
                        score: 0.0,
                        distance: None,
                    },
                ));
            }
        }
    }
    let mut extras = Vec::new();
    let mut contradicted = 0usize;
    unmatched.clear();
    unmatched.extend((0..ct.len()).filter(|j| !cused[*j]));
    // Heaviest first (stable: equal weights keep their order).
    unmatched.sort_by(|a, b| ct[*b].weight.total_cmp(&ct[*a].weight));
    for &j in unmatched.iter() {
        let t = &ct[j];
        // A country in an organisation's name marks another national entity
        // (`Banco Santander Chile`), not a detail the query may omit.
        // A leading country word is the usual national prefix (`Korea Ryonha Machinery`), which queries often drop.
        let is_place = ty != NameType::Person && t.role == Role::Name && j != 0 && t.is_country;
        let w = if counts(t) && contradicted < q_unmatched {
            contradicted += 1;
            CONTRADICTION
        } else if is_place {
            1.0
        } else {
            extra_weight
        };
        den += t.weight * w;
        if explain {
            extras.push(TokenMatch {
                query: String::new(),
                candidate: t.text.clone(),
                how: How::Extra,
                score: 0.0,
                distance: None,
            });
        }
    }
    align.sort_by_key(|(i, _)| *i);
    let mut alignment: Vec<TokenMatch> = align.into_iter().map(|(_, m)| m).collect();
    alignment.extend(extras);
    let mut score = if den > 0.0 && strong_name_match {
        num / den
    } else {
        0.0
    };
    // Arabic nasab: the word after `bin` is the father's name. `Salman bin
    // Muhammad` is the son of Muhammad, not `Muhammad bin Salman`.
    if ty != NameType::Organization
        && let (Some(pq), Some(pc)) = (patronym(qt), patronym(ct))
        && !aligned_pairs.iter().any(|(a, b)| *a == pq && *b == pc)
    {
        score *= 0.6;
        alignment.push(TokenMatch {
            query: format!("bin {}", qt[pq].text),
            candidate: format!("bin {}", ct[pc].text),
            how: How::PatronymMismatch,
            score: 0.0,
            distance: None,
        });
    }
    // Different legal forms (`AG` / `GmbH`) are different companies more often than not.
    let q_legal = qt.iter().any(|t| t.role == Role::Legal);
    let c_legal = ct.iter().any(|t| t.role == Role::Legal);
    let legal_aligned = aligned_pairs
        .iter()
        .any(|(a, b)| qt[*a].role == Role::Legal && ct[*b].role == Role::Legal);
    if q_legal && c_legal && !legal_aligned {
        score *= 0.85;
    }
    TOKEN_SCRATCH.set(scratch);
    // Numbers must agree: `Petrel 8` is another ship than `Petrel 6`.
    if !q.numbers.is_empty() && !c.numbers.is_empty() && q.numbers != c.numbers {
        score *= if ty == NameType::Object { 0.55 } else { 0.85 };
        alignment.push(TokenMatch {
            query: q.numbers.join(" "),
            candidate: c.numbers.join(" "),
            how: How::NumberMismatch,
            score: 0.0,
            distance: None,
        });
    }
    NameComparison {
        score: score.clamp(0.0, 1.0),
        method: if ty == NameType::Object {
            "object"
        } else {
            "tokens"
        },
        alignment,
    }
}

/// `FTB` against `Foreign Trade Bank`: the single-token side equals the
/// initials of the other's words.
fn compare_acronym(a: &NameForm, b: &NameForm) -> Option<NameComparison> {
    let names: Vec<&Token> = a.tokens.iter().filter(|t| t.role != Role::Legal).collect();
    if names.len() != 1
        || names[0].text.len() < 2
        || names[0].text.len() > 8
        || b.initials.len() < 2
    {
        return None;
    }
    let acr = &names[0].text;
    let with_stop: String = b
        .tokens
        .iter()
        .filter(|t| t.role != Role::Legal && t.role != Role::Number)
        .filter_map(|t| t.text.chars().next())
        .collect();
    if *acr == b.initials || *acr == with_stop {
        let full = b
            .tokens
            .iter()
            .filter(|t| t.role != Role::Legal)
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Some(NameComparison {
            score: 0.85,
            method: "acronym",
            alignment: vec![TokenMatch {
                query: acr.clone(),
                candidate: full,
                how: How::Acronym,
                score: 0.85,
                distance: None,
            }],
        });
    }
    None
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Split `FOREIGN TRADE BANK (FTB)` into the whole, the name without the
/// parenthesis and the parenthesised part: lists put acronyms and
/// translations there.
pub fn name_variants(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    if let (Some(open), Some(close)) = (name.find('('), name.rfind(')'))
        && open < close
    {
        let outside = format!("{} {}", &name[..open], &name[close + 1..]);
        let outside = outside.trim();
        let inside = name[open + 1..close].trim();
        // Only when the parenthesis is another name of the same thing (an
        // acronym such as `(FTB)`); `Bank of China (Hong Kong)` names a branch.
        let inside_norm = text::normalize(inside);
        let initials: String = text::words(outside)
            .iter()
            .filter_map(|w| w.text.chars().next())
            .collect();
        let is_acronym =
            !inside_norm.contains(' ') && inside_norm.len() >= 2 && initials.contains(&inside_norm);
        if is_acronym && !outside.is_empty() {
            out.push(outside.to_string());
            out.push(inside.to_string());
        }
    }
    out
}
