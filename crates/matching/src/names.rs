//! Name analysis (tokens with roles and weights, Korean syllable readings)
//! and the pairwise name comparison with its token-by-token explanation.

use std::fmt;

use resolute_model::Schema;
use serde::Serialize;

use crate::korean::{self, SylScript, Syllable};
use crate::text::{
    self, Script, Word, osa_distance, osa_distance_bytes, phonetic_key, weighted_distance,
    weighted_distance_bytes,
};
use crate::{arabic, korean_org};

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
    /// Part of an `of <country>` phrase that ends an organisation's name
    /// (`… of the Democratic People's Republic of Korea`).
    pub country_phrase: bool,
    /// Row of the Arabic name-variant table (`Mohamed` and `Muhammad` share
    /// one); 0 for none.
    pub group: u32,
    pub text: String,
    pub role: Role,
    pub weight: f64,
    pub phonetic: String,
    /// Single-syllable Korean reading, when the token is one syllable.
    pub syllable: Option<Syllable>,
    /// Where a token not written in Latin letters came from (boxed: most
    /// tokens have none, and the token stays small for the scoring loops).
    pub source: Option<Box<TokenSource>>,
}

/// How a token written in another script became Latin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A Cyrillic word, transliterated (ICAO 9303, BGN/PCGN, GOST 7.79, press).
    Cyrillic,
    /// A Chinese character, read in Pinyin.
    Han,
    /// An Arabic word, from the variant table or by its letters.
    Arabic,
    /// A word of a Hangul organisation name, translated by the dictionary.
    HangulTerm,
    /// A Hangul word of an organisation name that the dictionary lacks (a
    /// proper name), romanized.
    Hangul,
}

/// The non-Latin side of a token.
#[derive(Debug, Clone)]
pub struct TokenSource {
    pub origin: Origin,
    /// The word as written.
    pub original: String,
    /// Other spellings or translations; a comparison takes the best.
    pub alts: Vec<String>,
    /// The Korean syllables of a romanized Hangul word.
    pub syllables: Vec<Syllable>,
    pub arabic: Option<arabic::ArabicWord>,
}

/// How a whole name was read from another script, for the explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub kind: ReadingKind,
    pub original: String,
    pub read_as: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingKind {
    /// Hanja read in Sino-Korean (Unihan kHangul), compared as Korean syllables.
    SinoKorean,
    /// Han characters read in Pinyin.
    Pinyin,
    /// Cyrillic read as Korean syllables (Kontsevich and press spellings).
    Kontsevich,
    /// Cyrillic transliterated (ICAO, BGN/PCGN, GOST, press spellings as variants).
    CyrillicTransliteration,
    /// Arabic read through the variant table and by letters.
    ArabicTransliteration,
    /// Hangul organisation words translated by the dictionary.
    HangulTranslation,
}

impl ReadingKind {
    /// Whether the reading feeds the Korean syllable comparison (else the tokens).
    fn korean(self) -> bool {
        matches!(self, ReadingKind::SinoKorean | ReadingKind::Kontsevich)
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (o, r) = (&self.original, &self.read_as);
        match self.kind {
            ReadingKind::SinoKorean => {
                write!(f, "Hanja {o} read as {r} (Sino-Korean, Unihan kHangul)")
            }
            ReadingKind::Pinyin => write!(f, "Han {o} read in Pinyin as {r}"),
            ReadingKind::Kontsevich => {
                write!(f, "Cyrillic {o} read as Korean syllables {r} (Kontsevich)")
            }
            ReadingKind::CyrillicTransliteration => write!(
                f,
                "Cyrillic {o} transliterated as {r} (ICAO 9303; BGN/PCGN, GOST 7.79 and press spellings as variants)"
            ),
            ReadingKind::ArabicTransliteration => write!(
                f,
                "Arabic {o} transliterated as {r} (name-variant table, consonant skeleton)"
            ),
            ReadingKind::HangulTranslation => {
                write!(f, "Hangul {o} translated word by word as {r}")
            }
        }
    }
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
    /// The main script of the name (names in different scripts are never
    /// equal letter for letter).
    pub script: Script,
    /// How the name was read from another script (empty for Latin names).
    pub readings: Vec<Reading>,
    /// The country of an `of <country>` phrase ending the name (FtM code).
    pub country: Option<String>,
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
    // Titles of Muslim names (`Haji Malik Noorzai`, `Mullah Omar`).
    "haji",
    "hajji",
    "alhaji",
    "mullah",
    "mulla",
    "maulvi",
    "mawlawi",
    "sheikh",
    "shaykh",
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

/// A word, or a part of one, before it gets its role: its Latin text and,
/// when it was written in another script, where it came from.
struct Raw {
    text: String,
    source: Option<Box<TokenSource>>,
}

impl Raw {
    fn latin(text: String) -> Raw {
        Raw { text, source: None }
    }

    fn from(text: String, origin: Origin, original: &str) -> Raw {
        Raw {
            text,
            source: Some(Box::new(TokenSource {
                origin,
                original: original.to_string(),
                alts: Vec::new(),
                syllables: Vec::new(),
                arabic: None,
            })),
        }
    }
}

/// Country phrases that name a country without saying which one (`of Korea`):
/// the phrase is still a country qualifier, but no country is derived.
const AMBIGUOUS_COUNTRY_WORDS: &[&str] = &["korea", "congo", "guinea"];

/// The script most of the words are written in.
fn main_script(words: &[Word]) -> Script {
    let mut counts = [0usize; 6];
    for w in words {
        counts[w.script as usize] += 1;
    }
    let best = (0..counts.len()).max_by_key(|&i| (counts[i], usize::MAX - i));
    match best {
        Some(1) => Script::Hangul,
        Some(2) => Script::Han,
        Some(3) => Script::Cyrillic,
        Some(4) => Script::Arabic,
        Some(5) => Script::Other,
        _ => Script::Latin,
    }
}

impl NameForm {
    pub fn new(name: &str, ty: NameType) -> NameForm {
        let words = text::words(name);
        let mut readings = Vec::new();
        let (mut raw, korean_hangul) = raw_words(&words, ty, &mut readings);
        // Drop honorifics of persons, object prefixes of vessels (but never the whole name).
        if matches!(ty, NameType::Person | NameType::Any) && raw.len() > 1 {
            raw.retain(|t| !HONORIFICS.contains(&t.text.as_str()));
        }
        if ty == NameType::Object
            && raw.len() > 1
            && OBJECT_PREFIXES.contains(&raw[0].text.as_str())
        {
            raw.remove(0);
        }
        let mut tokens = role_tokens(raw, ty);
        let country = if ty != NameType::Person {
            mark_country_phrase(&mut tokens)
        } else {
            None
        };
        let script = main_script(&words);
        let normalized = match &korean_hangul {
            // Hangul compares exactly with Hangul (종 is not 정 even though both romanize `jong`).
            Some(h) if script == Script::Hangul => {
                h.iter().flatten().filter_map(|s| s.hangul).collect()
            }
            _ => tokens
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
            Some(h) => Some(h),
            None if matches!(ty, NameType::Person | NameType::Any) => {
                let k = korean_readings(&tokens);
                if k.is_some() && script == Script::Cyrillic {
                    readings.push(Reading {
                        kind: ReadingKind::Kontsevich,
                        original: words
                            .iter()
                            .map(|w| w.original.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        read_as: normalized.clone(),
                    });
                }
                k
            }
            None => None,
        };
        // A name in one script is shown as written (the words are lower case).
        if words.iter().all(|w| w.script == script) {
            for r in &mut readings {
                if r.kind != ReadingKind::SinoKorean && r.kind != ReadingKind::Pinyin {
                    r.original = name.trim().to_string();
                }
            }
        }
        let normalized_hash = crate::index::key_hash(b'n', &normalized);
        NameForm {
            original: name.to_string(),
            normalized,
            normalized_hash,
            tokens,
            korean,
            initials,
            numbers,
            script,
            readings,
            country,
        }
    }

    /// Whether the name was read from another script than Latin.
    pub fn is_read(&self) -> bool {
        !self.readings.is_empty() || self.script != Script::Latin
    }
}

/// The words as Latin texts, with the Korean syllables of a personal name
/// written in Hangul or Hanja, and the readings that were made.
fn raw_words(
    words: &[Word],
    ty: NameType,
    readings: &mut Vec<Reading>,
) -> (Vec<Raw>, Option<Vec<Vec<Syllable>>>) {
    let all = |s: Script| !words.is_empty() && words.iter().all(|w| w.script == s);
    let personal = !matches!(ty, NameType::Organization | NameType::Object);
    if all(Script::Hangul) && personal && !korean_org::marks_organization(words) {
        // A Hangul personal name: surname + given syllables.
        let mut syllables = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if i == 0 {
                let (s, g) = korean::split_hangul_name(&w.text);
                syllables.extend(s);
                syllables.extend(g);
            } else {
                syllables.extend(w.text.chars().filter_map(korean::hangul_syllable));
            }
        }
        let raw = syllables
            .iter()
            .map(|s| Raw::latin(s.text.clone()))
            .collect();
        return (raw, Some(vec![syllables]));
    }
    let mut korean = None;
    if all(Script::Han) && personal {
        let chars: Vec<char> = words
            .iter()
            .filter_map(|w| w.original.chars().next())
            .collect();
        if let Some(r) = crate::hanja::korean_reading(&chars) {
            readings.push(Reading {
                kind: ReadingKind::SinoKorean,
                original: chars.iter().collect(),
                read_as: r.iter().filter_map(|s| s.hangul).collect(),
            });
            korean = Some(vec![r]);
        }
    }
    let mut out: Vec<Raw> = Vec::with_capacity(words.len());
    let mut arabic_run: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w.script == Script::Arabic {
            // Consecutive Arabic words are read together (`عبد الله`, `هدايت الله`).
            arabic_run.push(&w.original);
            if words.get(i + 1).is_some_and(|n| n.script == Script::Arabic) {
                continue;
            }
            for (part, word) in arabic::read_words(&arabic_run) {
                let mut r = Raw::from(word.latin.clone(), Origin::Arabic, &part);
                if let Some(s) = r.source.as_mut() {
                    s.arabic = Some(word);
                }
                out.push(r);
            }
            arabic_run.clear();
            continue;
        }
        match w.script {
            Script::Hangul if !personal || korean_org::marks_organization(words) => {
                out.extend(hangul_org_words(&w.text));
            }
            Script::Hangul => out.extend(
                w.text
                    .chars()
                    .filter_map(korean::hangul_syllable)
                    .map(|s| Raw::latin(s.text)),
            ),
            Script::Han => out.push(Raw::from(w.text.clone(), Origin::Han, &w.original)),
            Script::Cyrillic => {
                let mut spellings = crate::cyrillic::transliterations(&w.original);
                if spellings.is_empty() {
                    continue;
                }
                let first = spellings.remove(0);
                let mut r = Raw::from(first, Origin::Cyrillic, &w.original);
                if let Some(s) = r.source.as_mut() {
                    s.alts = spellings;
                }
                out.push(r);
            }
            _ => out.push(Raw::latin(w.text.clone())),
        }
    }
    // One reading per script for the explanation.
    for (origin, kind) in [
        (Origin::Han, ReadingKind::Pinyin),
        (Origin::Cyrillic, ReadingKind::CyrillicTransliteration),
        (Origin::Arabic, ReadingKind::ArabicTransliteration),
        (Origin::HangulTerm, ReadingKind::HangulTranslation),
    ] {
        let of: Vec<&Raw> = out
            .iter()
            .filter(|r| r.source.as_ref().is_some_and(|s| s.origin == origin))
            .collect();
        if of.is_empty() {
            continue;
        }
        let original = match origin {
            Origin::Cyrillic => words
                .iter()
                .filter(|w| w.script == Script::Cyrillic)
                .map(|w| w.original.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Origin::Arabic => words
                .iter()
                .filter(|w| w.script == Script::Arabic)
                .map(|w| w.original.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Origin::HangulTerm => words
                .iter()
                .filter(|w| w.script == Script::Hangul)
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            _ => of
                .iter()
                .filter_map(|r| r.source.as_ref().map(|s| s.original.as_str()))
                .collect(),
        };
        let read_as = out
            .iter()
            .filter(|r| {
                r.source.as_ref().is_some_and(|s| {
                    s.origin == origin
                        || (origin == Origin::HangulTerm && s.origin == Origin::Hangul)
                })
            })
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        readings.push(Reading {
            kind,
            original,
            read_as,
        });
    }
    (out, korean)
}

/// Legal forms, numbers and roles.
fn role_tokens(raw: Vec<Raw>, ty: NameType) -> Vec<Token> {
    let mut raw: Vec<Option<Raw>> = raw.into_iter().map(Some).collect();
    let text = |r: &Option<Raw>| r.as_ref().map_or("", |r| r.text.as_str()).to_string();
    let mut tokens: Vec<Token> = Vec::with_capacity(raw.len());
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
                        .map(|r| r.as_ref().map_or("", |r| r.text.as_str()))
                        .eq(words.iter().copied())
                {
                    hit = Some((n, *canon));
                    break;
                }
            }
            if let Some((n, canon)) = hit {
                let source = raw[i].take().and_then(|r| r.source);
                tokens.push(Token::new(canon.to_string(), Role::Legal).with_source(source, ty));
                i += n;
                continue;
            }
        }
        let t = text(&raw[i]);
        // Number words (`forty four` → 44).
        if let Some(v) = number_value(&t, ty) {
            let mut total = v;
            let mut j = i + 1;
            if v >= 20
                && v % 10 == 0
                && v < 100
                && let Some(u) = raw
                    .get(j)
                    .and_then(|r| number_value(&text(r), ty))
                    .filter(|u| *u < 10)
            {
                total += u;
                j += 1;
            }
            tokens.push(Token::new(total.to_string(), Role::Number));
            i = j;
            continue;
        }
        let source = raw[i].take().and_then(|r| r.source);
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
        tokens.push(Token::new(canon, role).with_source(source, ty));
        i += 1;
    }
    tokens
}

/// Mark an `of [the] <country>` phrase that ends the name; its country (FtM
/// code) when the phrase names one.
fn mark_country_phrase(tokens: &mut [Token]) -> Option<String> {
    for i in 1..tokens.len() {
        if tokens[i].text != "of" {
            continue;
        }
        let mut start = i + 1;
        if tokens.get(start).is_some_and(|t| t.text == "the") {
            start += 1;
        }
        let rest = &tokens[start..];
        if rest.is_empty() || rest.len() > 7 {
            continue;
        }
        let phrase = rest
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // Short words are codes to the country table (`al`, `de`), not names.
        let country = (phrase.len() >= 4)
            .then(|| resolute_model::country_from_name(&phrase))
            .flatten();
        if country.is_some() || AMBIGUOUS_COUNTRY_WORDS.contains(&phrase.as_str()) {
            for t in &mut tokens[i..] {
                t.country_phrase = true;
            }
            return country.map(|c| c.ftm_code());
        }
    }
    None
}

/// Longer than any word of a real name (the longest word of the bundled
/// lists has 24 letters): such a token is compared letter for letter only,
/// without the lookups that would cost time in proportion to its length.
const MAX_NAME_WORD: usize = 48;

impl Token {
    fn new(text: String, role: Role) -> Token {
        let plausible = text.len() <= MAX_NAME_WORD;
        let syllable = if role == Role::Name && text.len() <= 6 {
            korean::parse_romanized(&text, 1)
                .and_then(|r| r.into_iter().next())
                .and_then(|mut v| v.pop())
        } else {
            None
        };
        let phonetic = if plausible {
            phonetic_key(&text)
        } else {
            String::new()
        };
        let text_hash = crate::index::key_hash(b'w', &text);
        let group = if plausible && matches!(role, Role::Name | Role::Stop) {
            arabic::variant_group_hashed(text_hash, &text)
        } else {
            0
        };
        Token {
            weight: role.weight(),
            phonetic_hash: crate::index::key_hash(b'p', &phonetic),
            phonetic,
            syllable,
            consonants: consonant_mask(&text),
            text_hash,
            first: text.as_bytes().first().copied().unwrap_or(0),
            is_country: plausible
                && role == Role::Name
                && resolute_model::country_from_name(&text).is_some(),
            country_phrase: false,
            group,
            text,
            role,
            source: None,
        }
    }

    /// Attach the token's source; its Korean syllable then comes from the
    /// source (a Cyrillic word in Kontsevich, a Hanja in Sino-Korean).
    fn with_source(mut self, source: Option<Box<TokenSource>>, ty: NameType) -> Token {
        let Some(src) = source else {
            return self;
        };
        self.syllable = match src.origin {
            Origin::Cyrillic if self.role == Role::Name && ty != NameType::Organization => {
                korean::parse_cyrillic(&src.original, 1)
                    .and_then(|r| r.into_iter().next())
                    .and_then(|mut v| v.pop())
            }
            Origin::Han => src.original.chars().next().and_then(crate::hanja::syllable),
            Origin::Arabic => None,
            _ => self.syllable,
        };
        if let Some(a) = &src.arabic {
            self.group = a.group;
        }
        self.source = Some(src);
        self
    }

    /// The token as shown in explanations: the original beside its reading.
    pub fn label(&self) -> String {
        self.label_spelling(0)
    }

    /// The label with the `i`-th spelling (0: the text, then the alternatives).
    fn label_spelling(&self, i: u8) -> String {
        match &self.source {
            Some(s) => {
                let spelling = match i {
                    0 => &self.text,
                    i => s.alts.get(usize::from(i) - 1).unwrap_or(&self.text),
                };
                if s.original == *spelling {
                    spelling.clone()
                } else {
                    format!("{} ({spelling})", s.original)
                }
            }
            None => self.text.clone(),
        }
    }
}

/// A Hangul word of an organisation name: dictionary words translated,
/// other runs (proper names) romanized with their syllables kept.
fn hangul_org_words(word: &str) -> Vec<Raw> {
    let mut out = Vec::new();
    for seg in korean_org::segment(word) {
        match seg {
            korean_org::Segment::Term(t) => {
                for (k, w) in t.english.iter().enumerate() {
                    let mut r = Raw::from(w.clone(), Origin::HangulTerm, &t.hangul);
                    if let Some(s) = r.source.as_mut() {
                        // An alternative translation of as many words, word by word.
                        s.alts = t
                            .alts
                            .iter()
                            .filter(|a| a.len() == t.english.len())
                            .filter_map(|a| a.get(k).cloned())
                            .filter(|a| a != w)
                            .collect();
                    }
                    out.push(r);
                }
            }
            korean_org::Segment::Other(run) => {
                let mut r = Raw::from(korean::romanize_hangul(&run), Origin::Hangul, &run);
                if let Some(s) = r.source.as_mut() {
                    s.syllables = run.chars().filter_map(korean::hangul_syllable).collect();
                }
                out.push(r);
            }
        }
    }
    out
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

/// Readings of a Latin or Cyrillic name as a Korean personal name: 2–4
/// tokens, each one or two syllables (`Jong-un`, `Jongun`), 2–4 syllables in
/// all, with a Korean surname first or last. Cyrillic words are read in
/// Kontsevich (`Ким Чен Ын`), the others as romanizations.
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
        let mut r = match t.source.as_deref() {
            Some(s) if s.origin == Origin::Cyrillic => korean::parse_cyrillic(&s.original, 2)?,
            Some(_) => return None,
            None => korean::parse_romanized(&t.text, 2)?,
        };
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
    /// A Hanja read in Sino-Korean against a Korean syllable.
    SinoKorean,
    /// A Cyrillic Korean syllable (Kontsevich) against another spelling.
    Kontsevich,
    /// A word in another script against its Latin spelling (Cyrillic,
    /// Arabic, Pinyin).
    Transliteration,
    /// A Hangul organisation word against its translation.
    Translation,
    /// Two spellings of one name in the variant table (`Mohamed`/`Muhammad`).
    NameVariant,
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
    /// Part of an `of <country>` phrase of the list name that the query
    /// omits: a qualifier, weighed lightly.
    CountryPhrase,
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
            How::SinoKorean => "Sino-Korean reading",
            How::Kontsevich => "Korean reading of Cyrillic",
            How::Transliteration => "transliteration",
            How::Translation => "translation",
            How::NameVariant => "name variant",
            How::Fuzzy => "spelling variant",
            How::Phonetic => "sounds alike",
            How::Joined => "joined/split",
            How::Initial => "initial",
            How::Acronym => "acronym",
            How::Missing => "not in list name",
            How::Extra => "not in query",
            How::CountryPhrase => "country phrase",
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

/// Which comparison decided a name score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One side has no name.
    Empty,
    /// Equal after normalization.
    Literal,
    /// Korean personal names aligned syllable by syllable.
    KoreanSyllables,
    /// Token alignment.
    Tokens,
    /// Token alignment of vessel and aircraft names (numbers weigh more).
    Object,
    /// One name is an acronym of the other.
    Acronym,
    /// An equal identifier (set by the search, not by the name comparison).
    Identifier,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Empty => "empty",
            Method::Literal => "literal",
            Method::KoreanSyllables => "korean_syllables",
            Method::Tokens => "tokens",
            Method::Object => "object",
            Method::Acronym => "acronym",
            Method::Identifier => "identifier",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().replace('_', " "))
    }
}

/// Result of comparing two names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameComparison {
    pub score: f64,
    pub method: Method,
    pub alignment: Vec<TokenMatch>,
    /// How names in other scripts were read (explained comparisons only).
    pub notes: Vec<String>,
    /// Token pairs examined (the work of the comparison).
    #[serde(skip)]
    pub work: usize,
}

impl NameComparison {
    fn new(score: f64, method: Method, alignment: Vec<TokenMatch>) -> NameComparison {
        NameComparison {
            score,
            method,
            alignment,
            notes: Vec::new(),
            work: 0,
        }
    }
}

const SYL_ROMANIZATION: f64 = 0.96;
/// A token in another script whose Latin spelling equals the other token.
const TRANSLITERATION: f64 = 1.0;
/// A dictionary translation or a name variant: the same word, not the same spelling.
const TRANSLATION: f64 = 0.95;
/// Weight of a list-name part that stands where the query has another part.
const CONTRADICTION: f64 = 1.25;
const KOREAN_MISSING: f64 = 1.5;
/// What a whole `of <country>` phrase of a list name weighs when the query
/// omits it: a qualifier, not a part of the name.
const COUNTRY_PHRASE_WEIGHT: f64 = 0.1;

/// Compare two analysed names.
/// With `explain` false the alignment is left empty (scoring many candidates);
/// the score is the same.
pub fn compare(q: &NameForm, c: &NameForm, ty: NameType, explain: bool) -> NameComparison {
    if q.tokens.is_empty() || c.tokens.is_empty() {
        return NameComparison::new(0.0, Method::Empty, Vec::new());
    }
    let read = q.is_read() || c.is_read();
    if q.normalized_hash == c.normalized_hash
        && q.normalized == c.normalized
        && q.script == c.script
    {
        let alignment = if explain {
            q.tokens
                .iter()
                .map(|t| TokenMatch {
                    query: t.label(),
                    candidate: t.label(),
                    how: How::Exact,
                    score: 1.0,
                    distance: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        return NameComparison::new(1.0, Method::Literal, alignment);
    }
    let mut best = if let (Some(qk), Some(ck)) = (&q.korean, &c.korean) {
        let k = compare_korean(qk, ck, explain);
        // A Han name is read both ways: in Sino-Korean (here) and in Pinyin
        // (the tokens); the better reading counts.
        if read && (q.script == Script::Han || c.script == Script::Han) && k.score < 0.9 {
            let t = compare_tokens(q, c, ty, explain);
            if t.score > k.score { t } else { k }
        } else {
            k
        }
    } else {
        compare_tokens(q, c, ty, explain)
    };
    if best.score < 0.9
        && let Some(a) = compare_acronym(q, c, ty).or_else(|| compare_acronym(c, q, ty))
        && a.score > best.score
    {
        best = a;
    }
    if explain && read {
        let korean = best.method == Method::KoreanSyllables;
        best.notes = q
            .readings
            .iter()
            .chain(&c.readings)
            .filter(|r| r.kind.korean() == korean)
            .map(ToString::to_string)
            .collect();
    }
    best
}

fn compare_korean(qr: &[Vec<Syllable>], cr: &[Vec<Syllable>], explain: bool) -> NameComparison {
    let mut best: Option<NameComparison> = None;
    let mut work = 0;
    for q in qr {
        for c in cr {
            work += q.len() * c.len();
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
                    .find(|&j| !used[j] && qs.same_spelling(&c[j]))
                    .or_else(|| (0..c.len()).find(|&j| !used[j] && qs.equivalent(&c[j])));
                match pick {
                    Some(j) => {
                        used[j] = true;
                        let exact = qs.same_spelling(&c[j]);
                        let s = if exact { 1.0 } else { SYL_ROMANIZATION };
                        sum += s;
                        matched += 1;
                        if explain {
                            align.push(TokenMatch {
                                query: display_syl(qs),
                                candidate: display_syl(&c[j]),
                                how: syllable_how(qs, &c[j], exact),
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
                best = Some(NameComparison::new(score, Method::KoreanSyllables, align));
            }
        }
    }
    let mut best =
        best.unwrap_or_else(|| NameComparison::new(0.0, Method::KoreanSyllables, Vec::new()));
    best.work = work;
    best
}

fn syllable_how(a: &Syllable, b: &Syllable, exact: bool) -> How {
    if exact {
        How::Exact
    } else if a.script == SylScript::Hanja || b.script == SylScript::Hanja {
        How::SinoKorean
    } else if a.script == SylScript::Cyrillic || b.script == SylScript::Cyrillic {
        How::Kontsevich
    } else {
        How::Romanization
    }
}

fn display_syl(s: &Syllable) -> String {
    match (s.script, s.hangul) {
        (SylScript::Hangul, Some(h)) => format!("{h} ({})", s.text),
        (SylScript::Hanja, Some(h)) => format!("{} ({h})", s.text),
        _ => s.text.clone(),
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

/// A token pair's similarity, how they matched, the edit count (explained
/// fuzzy matches only) and which spelling of each token matched (0: its
/// text, `i`: its `i`-th alternative spelling).
type Sim = (f64, How, Option<usize>, [u8; 2]);

/// Similarity of two single tokens with how they matched.
/// `explain` asks for the edit count of fuzzy matches (shown in explanations only).
fn token_sim(a: &Token, b: &Token, ty: NameType, both_first: bool, explain: bool) -> Option<Sim> {
    if a.source.is_some() || b.source.is_some() {
        return script_token_sim(a, b, ty, both_first, explain);
    }
    latin_token_sim(a, b, ty, both_first, explain).map(|(s, h, d)| (s, h, d, [0, 0]))
}

fn latin_token_sim(
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
    if a.group != 0 && b.group != 0 {
        // Two names of the variant table: the same row or different names
        // (`Hasan` is not `Husain`, however alike their letters).
        return (a.group == b.group).then_some((TRANSLATION, How::NameVariant, None));
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
    let same_phonetic =
        a.phonetic_hash == b.phonetic_hash && a.phonetic == b.phonetic && a.phonetic.len() >= 3;
    if f64::from(class_diff.div_ceil(2)) * 0.5 <= budget
        && let Some(fuzzy) = spelling_sim(&a.text, &b.text, explain)
    {
        return Some(fuzzy);
    }
    spelling_rest(&a.text, &b.text, same_phonetic, ty, both_first)
}

/// Two spellings within the edit budget of their length.
fn spelling_sim(a: &str, b: &str, explain: bool) -> Option<(f64, How, Option<usize>)> {
    let len = a.len().max(b.len());
    let budget = edit_budget(len);
    let d = weighted_distance(a, b, budget);
    if d > budget {
        return None;
    }
    // The first letter is rarely misspelt: a change there costs more.
    let first_differs = a.as_bytes().first() != b.as_bytes().first();
    let mut s = 1.0 - 1.5 * d / len as f64;
    if first_differs {
        s -= 0.1;
    }
    let edits = explain.then(|| osa_distance(a, b, 8));
    Some((s.max(0.0), How::Fuzzy, edits))
}

/// What is left when the spellings are too far apart: inflection, a short
/// form of a given name, the phonetic key.
fn spelling_rest(
    a: &str,
    b: &str,
    same_phonetic: bool,
    ty: NameType,
    both_first: bool,
) -> Option<(f64, How, Option<usize>)> {
    // Inflection: `Bank`/`Banking`, `Lavrov`/`Lavrovs`, `Force`/`Forces`.
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 4 && long.starts_with(short) {
        let rest = &long[short.len()..];
        if rest == "s" || rest == "es" || (rest == "ing" && ty != NameType::Person) {
            return Some((0.9, How::Fuzzy, Some(rest.len())));
        }
    }
    // `Ben` for `Benjamin`: a short form that is the start of the other word.
    if ty == NameType::Person
        && both_first
        && a.len().min(b.len()) >= 3
        && (a.starts_with(b) || b.starts_with(a))
    {
        return Some((0.75, How::Initial, None));
    }
    let len = a.len().max(b.len());
    if len >= 5 && same_phonetic {
        return Some((0.8, How::Phonetic, None));
    }
    None
}

/// A token written in another script against another token: the best of its
/// spellings, its Korean syllable, its dictionary translation, its Arabic
/// skeleton.
fn script_token_sim(
    a: &Token,
    b: &Token,
    ty: NameType,
    both_first: bool,
    explain: bool,
) -> Option<Sim> {
    let (sa, sb) = (a.source.as_deref(), b.source.as_deref());
    if let (Some(x), Some(y)) = (sa, sb)
        && x.origin == y.origin
        && x.original == y.original
        && a.text == b.text
    {
        return Some((1.0, How::Exact, None, [0, 0]));
    }
    if a.role == Role::Number || b.role == Role::Number {
        return (a.text == b.text).then_some((1.0, How::Exact, None, [0, 0]));
    }
    let mut best: Option<Sim> = None;
    let mut offer = |c: Option<(f64, How, Option<usize>)>, spelling: [u8; 2]| {
        if let Some((score, how, d)) = c
            && best.is_none_or(|b| score > b.0)
        {
            best = Some((score, how, d, spelling));
        }
    };
    // The Latin spellings of each side (no copies: this runs per token pair).
    fn spellings(t: &Token) -> impl Iterator<Item = &str> {
        std::iter::once(t.text.as_str()).chain(
            t.source
                .as_deref()
                .into_iter()
                .flat_map(|s| s.alts.iter().map(String::as_str)),
        )
    }
    let kind = |s: Option<&TokenSource>| s.map(|s| s.origin);
    let translated = matches!(kind(sa), Some(Origin::HangulTerm))
        || matches!(kind(sb), Some(Origin::HangulTerm));

    // Two names of the variant table in different rows are different names
    // (`محمود` Mahmud is not `Mohammed`), however alike their letters.
    let known_apart = a.group != 0 && b.group != 0 && a.group != b.group;
    for (ix, x) in spellings(a).enumerate() {
        for (iy, y) in spellings(b).enumerate() {
            let spelling = [ix.min(255) as u8, iy.min(255) as u8];
            if x == y {
                let how = if translated {
                    How::Translation
                } else if a.role == Role::Legal && b.role == Role::Legal {
                    How::Exact
                } else {
                    How::Transliteration
                };
                let score = if translated {
                    TRANSLATION
                } else {
                    TRANSLITERATION
                };
                offer(Some((score, how, None)), spelling);
            } else if !translated && !known_apart && a.role != Role::Legal && b.role != Role::Legal
            {
                offer(spelling_sim(x, y, explain), spelling);
            }
        }
    }
    if a.group != 0 && a.group == b.group {
        offer(Some((TRANSLATION, How::NameVariant, None)), [0, 0]);
    }
    // A Korean syllable (Kontsevich Cyrillic, Sino-Korean Hanja) in a personal name.
    if let (Some(x), Some(y)) = (&a.syllable, &b.syllable)
        && x.equivalent(y)
        && ty != NameType::Organization
        && ty != NameType::Object
    {
        offer(Some((0.9, syllable_how(x, y, false), None)), [0, 0]);
    }
    // An Arabic word against a Latin one: the consonant skeletons.
    for (ar, other) in [(sa, b), (sb, a)] {
        if let Some(w) = ar.and_then(|s| s.arabic.as_ref())
            && !known_apart
            && other.source.as_ref().is_none_or(|s| s.arabic.is_none())
            && let Some((sim, tenths)) = arabic::similarity(w, &other.text)
        {
            let edits = explain.then_some(usize::from(tenths.div_ceil(10)));
            offer(
                Some((sim, How::Transliteration, edits.filter(|e| *e > 0))),
                [0, 0],
            );
        }
    }
    // A romanized Hangul word against a Latin one, syllable by syllable.
    for (h, other) in [(sa, b), (sb, a)] {
        if let Some(s) = h.filter(|s| s.origin == Origin::Hangul && !s.syllables.is_empty())
            && korean_syllables_match(&s.syllables, &other.text)
        {
            offer(Some((0.9, How::Romanization, None)), [0, 0]);
        }
    }
    if best.is_none() && !translated && !known_apart {
        let same_phonetic = a.phonetic == b.phonetic && a.phonetic.len() >= 3;
        best = spelling_rest(&a.text, &b.text, same_phonetic, ty, both_first)
            .map(|(s, h, d)| (s, h, d, [0, 0]));
    }
    best
}

/// Whether a Latin word reads as these Korean syllables, one for one
/// (`ryonbong` for 련봉).
fn korean_syllables_match(syllables: &[Syllable], latin: &str) -> bool {
    if syllables.len() > 6 {
        return false;
    }
    korean::parse_romanized(latin, syllables.len()).is_some_and(|readings| {
        readings.iter().any(|r| {
            r.len() == syllables.len() && r.iter().zip(syllables).all(|(x, y)| x.equivalent(y))
        })
    })
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
    /// Which spelling of the query and list token matched (single tokens).
    spelling: [u8; 2],
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

/// What the greedy alignment gathered.
struct Aligned {
    /// Weighted similarity and weight of the aligned parts.
    num: f64,
    den: f64,
    /// A name or number part matched (not only initials or acronyms).
    strong_name_match: bool,
    /// Explained steps, keyed by query position.
    steps: Vec<(usize, TokenMatch)>,
}

/// Token alignment: every pair of tokens and every token against 2–3
/// adjacent tokens of the other side are candidate edges; the best edges
/// are taken greedily, one use per token; what is left over counts against
/// the score (a list part standing where the query has another part counts
/// more than one the query simply omits).
fn compare_tokens(q: &NameForm, c: &NameForm, ty: NameType, explain: bool) -> NameComparison {
    let (qt, ct) = (&q.tokens, &c.tokens);
    let mut scratch = TOKEN_SCRATCH.take();
    scratch.edges.clear();
    single_token_edges(qt, ct, ty, explain, &mut scratch.edges);
    joined_token_edges(qt, ct, ty, explain, &mut scratch);
    scratch.edges.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then((b.qn + b.cn).cmp(&(a.qn + a.cn)))
    });
    let mut aligned = align_edges(qt, ct, explain, &mut scratch);
    let extras = weigh_unmatched(qt, ct, ty, explain, &mut scratch, &mut aligned);
    let mut alignment: Vec<TokenMatch> = {
        aligned.steps.sort_by_key(|(i, _)| *i);
        aligned.steps.into_iter().map(|(_, m)| m).collect()
    };
    alignment.extend(extras);
    let mut score = if aligned.den > 0.0 && aligned.strong_name_match {
        aligned.num / aligned.den
    } else {
        0.0
    };
    score = contradictions(q, c, ty, &scratch.aligned_pairs, score, &mut alignment);
    let work = qt.len() * ct.len() * 5;
    TOKEN_SCRATCH.set(scratch);
    let method = if ty == NameType::Object {
        Method::Object
    } else {
        Method::Tokens
    };
    let mut out = NameComparison::new(score.clamp(0.0, 1.0), method, alignment);
    out.work = work;
    out
}

/// Stage 1: one token against one token.
fn single_token_edges(
    qt: &[Token],
    ct: &[Token],
    ty: NameType,
    explain: bool,
    edges: &mut Vec<Edge>,
) {
    for (i, a) in qt.iter().enumerate() {
        for (j, b) in ct.iter().enumerate() {
            if let Some((sim, how, distance, spelling)) =
                token_sim(a, b, ty, i == 0 && j == 0, explain)
            {
                edges.push(Edge {
                    qi: i,
                    qn: 1,
                    ci: j,
                    cn: 1,
                    sim,
                    how,
                    distance,
                    spelling,
                });
            }
        }
    }
}

/// One token against 2–3 adjacent tokens of the other side: written joined
/// (`Jongun` / `Jong Un`) or an acronym (`US` / `United States`).
fn join_sim(
    one: &Token,
    many: &[Token],
    ty: NameType,
    explain: bool,
    joined: &mut Vec<u8>,
) -> Option<(f64, Option<usize>, How)> {
    if let Some(sim) = arabic_join_sim(one, many, joined) {
        return sim;
    }
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
    if one.text.len().abs_diff(total) as f64 * 0.4 > budget {
        return None;
    }
    let m = concat_into(many, joined);
    let one_text = one.text.as_bytes();
    if one_text == m {
        return Some((0.98, None, How::Joined));
    }
    let d = weighted_distance_bytes(one_text, m, budget);
    if d <= budget {
        let edits = explain.then(|| osa_distance_bytes(one_text, m, 8));
        Some((0.98 - 1.5 * d / len as f64, edits, How::Joined))
    } else {
        None
    }
}

/// A word written joined on one side and split on the other when one side
/// is Arabic: the consonant skeletons decide (`ظاهرعويس` / `Dahir Aweys`,
/// `ال صيد` / `Elsseid`). `None` when neither side is Arabic.
fn arabic_join_sim(
    one: &Token,
    many: &[Token],
    joined: &mut Vec<u8>,
) -> Option<Option<(f64, Option<usize>, How)>> {
    // Latin on both sides (nearly every pair): nothing to do here.
    if one.source.is_none() && many[0].source.is_none() {
        return None;
    }
    fn arabic(t: &Token) -> Option<&arabic::ArabicWord> {
        t.source.as_ref().and_then(|s| s.arabic.as_ref())
    }
    if let Some(w) = arabic(one) {
        if many
            .iter()
            .any(|t| t.source.is_some() || t.role == Role::Number)
        {
            return Some(None);
        }
        let latin = concat_into(many, joined);
        let latin = std::str::from_utf8(latin).unwrap_or("");
        return Some(
            arabic::similarity(w, latin)
                .map(|(s, d)| (s - 0.02, Some(usize::from(d / 10)), How::Joined)),
        );
    }
    let parts: Option<Vec<&arabic::ArabicWord>> = many.iter().map(arabic).collect();
    let parts = parts?;
    if one.source.is_some() || one.role == Role::Number {
        return Some(None);
    }
    let w = arabic::joined(&parts);
    Some(
        arabic::similarity(&w, &one.text)
            .map(|(s, d)| (s - 0.02, Some(usize::from(d / 10)), How::Joined)),
    )
}

/// Stage 2: joined and split words, both ways.
fn joined_token_edges(
    qt: &[Token],
    ct: &[Token],
    ty: NameType,
    explain: bool,
    scratch: &mut TokenScratch,
) {
    let TokenScratch { edges, joined, .. } = scratch;
    for n in 2..=3 {
        for i in 0..qt.len() {
            for j in 0..ct.len() {
                if j + n <= ct.len()
                    && let Some((sim, d, how)) =
                        join_sim(&qt[i], &ct[j..j + n], ty, explain, joined)
                {
                    edges.push(Edge {
                        qi: i,
                        qn: 1,
                        ci: j,
                        cn: n,
                        sim,
                        how,
                        distance: d,
                        spelling: [0, 0],
                    });
                }
                if i + n <= qt.len()
                    && let Some((sim, d, how)) =
                        join_sim(&ct[j], &qt[i..i + n], ty, explain, joined)
                {
                    edges.push(Edge {
                        qi: i,
                        qn: n,
                        ci: j,
                        cn: 1,
                        sim,
                        how,
                        distance: d,
                        spelling: [0, 0],
                    });
                }
            }
        }
    }
}

/// Stage 3: take the best edges greedily, each token used once.
fn align_edges(qt: &[Token], ct: &[Token], explain: bool, scratch: &mut TokenScratch) -> Aligned {
    let TokenScratch {
        edges,
        qused,
        cused,
        aligned_pairs,
        ..
    } = scratch;
    qused.clear();
    qused.resize(qt.len(), false);
    cused.clear();
    cused.resize(ct.len(), false);
    aligned_pairs.clear();
    let mut out = Aligned {
        num: 0.0,
        den: 0.0,
        strong_name_match: false,
        steps: Vec::new(),
    };
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
        out.num += e.sim * w;
        out.den += w;
        if e.sim >= 0.3
            && !matches!(e.how, How::Acronym | How::Initial)
            && qt[e.qi..e.qi + e.qn]
                .iter()
                .chain(&ct[e.ci..e.ci + e.cn])
                .any(|t| matches!(t.role, Role::Name | Role::Number))
        {
            out.strong_name_match = true;
        }
        if explain {
            let label = |ts: &[Token], spelling: u8| {
                ts.iter()
                    .map(|t| t.label_spelling(spelling))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            out.steps.push((
                e.qi,
                TokenMatch {
                    query: label(&qt[e.qi..e.qi + e.qn], e.spelling[0]),
                    candidate: label(&ct[e.ci..e.ci + e.cn], e.spelling[1]),
                    how: e.how,
                    score: round3(e.sim),
                    distance: e.distance,
                },
            ));
        }
    }
    out
}

/// Stage 4: the parts left over weigh against the score. Returns the
/// explained list-only parts.
fn weigh_unmatched(
    qt: &[Token],
    ct: &[Token],
    ty: NameType,
    explain: bool,
    scratch: &mut TokenScratch,
    aligned: &mut Aligned,
) -> Vec<TokenMatch> {
    let TokenScratch {
        qused,
        cused,
        unmatched,
        ..
    } = scratch;
    let extra_weight = match ty {
        NameType::Person => 0.3,
        NameType::Organization | NameType::Any => 0.3,
        NameType::Object => 0.6,
    };
    let counts = |t: &Token| {
        matches!(t.role, Role::Name | Role::Initial | Role::Generic) && !t.country_phrase
    };
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
    // An `of <country>` phrase ending the list name is a qualifier when the
    // query has no country phrase of its own left over: together it weighs
    // COUNTRY_PHRASE_WEIGHT (the query's country, if given, decides).
    let q_phrase_left = qt
        .iter()
        .enumerate()
        .any(|(i, t)| !qused[i] && t.country_phrase);
    let c_phrase_len = ct.iter().filter(|t| t.country_phrase).count().max(1);
    for (i, t) in qt.iter().enumerate() {
        if !qused[i] {
            aligned.den += t.weight * query_extra_weight;
            if explain {
                aligned.steps.push((
                    i,
                    TokenMatch {
                        query: t.label(),
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
        let qualifier = t.country_phrase && !q_phrase_left;
        if qualifier {
            aligned.den += COUNTRY_PHRASE_WEIGHT / c_phrase_len as f64;
        } else {
            let w = if counts(t) && contradicted < q_unmatched {
                contradicted += 1;
                CONTRADICTION
            } else if is_place {
                1.0
            } else {
                extra_weight
            };
            aligned.den += t.weight * w;
        }
        if explain {
            extras.push(TokenMatch {
                query: String::new(),
                candidate: t.label(),
                how: if qualifier {
                    How::CountryPhrase
                } else {
                    How::Extra
                },
                score: 0.0,
                distance: None,
            });
        }
    }
    extras
}

/// Stage 5: parts that contradict each other: another father's name, another
/// legal form, other numbers.
fn contradictions(
    q: &NameForm,
    c: &NameForm,
    ty: NameType,
    aligned_pairs: &[(usize, usize)],
    mut score: f64,
    alignment: &mut Vec<TokenMatch>,
) -> f64 {
    let (qt, ct) = (&q.tokens, &c.tokens);
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
    score
}

/// Whether `acr` spells the words in order, each used word giving its
/// first 1–3 letters (`KOMID`: KOrea MIning Development): the number of words
/// used. Stop words, legal forms and generic words (`trading`) may be
/// skipped; name words may not (after the last letter only words an acronym
/// leaves out may follow).
fn spells_acronym(acr: &[u8], words: &[&Token]) -> Option<usize> {
    fn go(acr: &[u8], words: &[&Token], used: usize) -> Option<usize> {
        if acr.is_empty() {
            // What is left must be words an acronym leaves out.
            let rest_ok = words.iter().all(|t| {
                matches!(
                    t.role,
                    Role::Stop | Role::Legal | Role::Generic | Role::Number
                )
            });
            return (used >= 2 && rest_ok).then_some(used);
        }
        let (w, rest) = words.split_first()?;
        let t = w.text.as_bytes();
        for k in 1..=3.min(t.len()).min(acr.len()) {
            if acr[..k] != t[..k] {
                break;
            }
            if let Some(n) = go(&acr[k..], rest, used + 1) {
                return Some(n);
            }
        }
        if matches!(w.role, Role::Stop | Role::Legal | Role::Generic) {
            return go(acr, rest, used);
        }
        None
    }
    if acr.len() > 10 || words.len() > 12 {
        return None;
    }
    go(acr, words, 0)
}

/// `FTB` against `Foreign Trade Bank`, `KOMID` against `Korea Mining
/// Development Trading Corporation`: the single-token side spells the
/// other's words. Initials score 0.85; an acronym of word beginnings
/// (1–3 letters each) needs four letters and three words and is not tried
/// for persons.
fn compare_acronym(a: &NameForm, b: &NameForm, ty: NameType) -> Option<NameComparison> {
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
    let initials = *acr == b.initials || *acr == with_stop;
    let beginnings = || {
        let words: Vec<&Token> = b.tokens.iter().filter(|t| !t.country_phrase).collect();
        ty != NameType::Person
            && acr.len() >= 4
            && spells_acronym(acr.as_bytes(), &words).is_some_and(|used| used >= 3)
    };
    if !initials && !beginnings() {
        return None;
    }
    let full = b
        .tokens
        .iter()
        .filter(|t| t.role != Role::Legal)
        .map(Token::label)
        .collect::<Vec<_>>()
        .join(" ");
    Some(NameComparison::new(
        0.85,
        Method::Acronym,
        vec![TokenMatch {
            query: acr.clone(),
            candidate: full,
            how: How::Acronym,
            score: 0.85,
            distance: None,
        }],
    ))
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
