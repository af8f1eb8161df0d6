//! Korean names: syllable-level romanization equivalence and Hangul handling.
//!
//! A Korean personal name is a sequence of syllables (surname first, then one
//! or two given-name syllables). The same syllable is written very
//! differently by the DPRK's official system, McCune–Reischauer (MR, often
//! with its breves and apostrophes dropped), Revised Romanization (RR) and
//! passport habits: 정 is `Jong`, `Chong`, `Jeong`, `Chung`; 이/리 is `Ri`,
//! `I`, `Yi`, `Lee`, `Rhee`. Instead of listing pairs, every syllable is
//! reduced to a *canonical key* built from its three jamo slots (initial
//! consonant, vowel, final consonant), each folded into the class of sounds
//! the systems fail to distinguish once diacritics and apostrophes are gone:
//!
//! - initials: plain / aspirated / tense stops merge (MR writes plain ㅈ as
//!   `ch` and aspirated ㅊ as `ch'`; with the apostrophe lost they coincide):
//!   ㄱㅋㄲ→K, ㄷㅌㄸ→T, ㅂㅍㅃ→P, ㅈㅊㅉ→J, ㅅㅆ→S; ㄹ and ㄴ follow the South's
//!   initial-sound law (두음법칙): before `i`/`y` vowels they drop (리→이,
//!   `Ri`~`I`~`Lee`), elsewhere ㄹ→ㄴ (로→노, `Ro`~`No`).
//! - vowels: ㅓ (MR ŏ) and ㅗ both lose their breve to `o`; ㅡ (ŭ, RR `eu`) and
//!   ㅜ to `u`; ㅕ and ㅛ to `yo`; ㅐ/ㅔ to `ae/e`; ㅚ/ㅙ/ㅞ (`oe`, `oi`, `wae`,
//!   `we`) to one class (`Choe`~`Choi`~`Chwe`); ㅢ (`ui`, passport `ee` as in
//!   `Hee`) to `i`.
//! - finals: ㄹ is `l` or `r`; ㄱ/ㅂ/ㄷ are `k/g`, `p/b`, `t/s/d`.
//!
//! Passport habits that reuse a letter for another vowel produce *several*
//! keys for one Latin syllable: `u` before a final consonant is also ㅓ
//! (`Chul`=철, `Sung`=성), `yu` before a final is also ㅕ (`Hyuk`=혁,
//! `Hyun`=현). Two syllables are equivalent when their key sets intersect.
//! A different syllable stays different: `Il` and `Un` share no key.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Initial-consonant classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Ini {
    None = 0,
    K,
    N,
    T,
    R,
    M,
    P,
    S,
    J,
    H,
}

/// Vowel classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Vow {
    A = 0,
    E,
    Ya,
    Ye,
    O,
    Yo,
    U,
    Yu,
    Wa,
    We,
    Wo,
    Wi,
    I,
}

/// Final-consonant classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Fin {
    None = 0,
    K,
    N,
    Ng,
    L,
    M,
    P,
    T,
}

/// Canonical key of one syllable (initial class, vowel class, final class),
/// after the initial-sound law.
pub type SylKey = u16;

fn key(i: Ini, v: Vow, f: Fin) -> SylKey {
    let y_like = matches!(v, Vow::I | Vow::Ya | Vow::Ye | Vow::Yo | Vow::Yu);
    let i = match i {
        Ini::R | Ini::N if y_like => Ini::None,
        Ini::R => Ini::N,
        other => other,
    };
    ((i as u16) << 8) | ((v as u16) << 4) | f as u16
}

/// The script a syllable was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SylScript {
    Latin,
    Hangul,
    /// A Chinese character read in Sino-Korean (Unihan kHangul).
    Hanja,
    /// Russian Cyrillic (Kontsevich system or the older press spellings).
    Cyrillic,
}

/// One syllable of a romanized, Hangul, Hanja or Cyrillic name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syllable {
    /// Surface text as written (Latin, Cyrillic or the Hanja character); for
    /// Hangul its DPRK-style romanization.
    pub text: String,
    /// Canonical keys; equivalent syllables share at least one.
    pub keys: Vec<SylKey>,
    /// The Hangul syllable: as written, or the Sino-Korean reading of a Hanja.
    pub hangul: Option<char>,
    pub script: SylScript,
}

impl Syllable {
    pub fn equivalent(&self, other: &Syllable) -> bool {
        if self.script == SylScript::Hangul && other.script == SylScript::Hangul {
            // Hangul spells the sound exactly: 종 is not 정.
            return self.hangul == other.hangul;
        }
        self.keys.iter().any(|k| other.keys.contains(k))
    }

    /// Written the same way in the same script.
    pub fn same_spelling(&self, other: &Syllable) -> bool {
        self.script == other.script && self.text == other.text && self.hangul == other.hangul
    }
}

/// Spellings of the three jamo slots in one writing system.
struct Spellings {
    initials: &'static [(&'static str, Ini)],
    /// Vowel spelling, its classes, and more classes that apply only before
    /// a final consonant (a passport habit: `u` for ㅓ in `Chul`).
    vowels: &'static [(&'static str, &'static [Vow], &'static [Vow])],
    finals: &'static [(&'static str, &'static [Fin])],
    /// `ar` in `Park`: an English r marking a long a before a final (Latin only).
    english_ar: bool,
}

const LATIN: Spellings = Spellings {
    initials: INITIALS,
    vowels: VOWELS,
    finals: FINALS,
    english_ar: true,
};

const INITIALS: &[(&str, Ini)] = &[
    ("kk", Ini::K),
    ("gg", Ini::K),
    ("kh", Ini::K),
    ("k", Ini::K),
    ("g", Ini::K),
    ("n", Ini::N),
    ("tt", Ini::T),
    ("dd", Ini::T),
    ("th", Ini::T),
    ("t", Ini::T),
    ("d", Ini::T),
    ("rh", Ini::R),
    ("r", Ini::R),
    ("l", Ini::R),
    ("m", Ini::M),
    ("pp", Ini::P),
    ("bb", Ini::P),
    ("ph", Ini::P),
    ("p", Ini::P),
    ("b", Ini::P),
    ("ss", Ini::S),
    ("sh", Ini::S),
    ("s", Ini::S),
    ("jj", Ini::J),
    ("tch", Ini::J),
    ("chh", Ini::J),
    ("ch", Ini::J),
    ("j", Ini::J),
    ("h", Ini::H),
];

/// Vowel spellings; the third slot lists classes that a spelling takes by
/// passport habit only before a final consonant.
const VOWELS: &[(&str, &[Vow], &[Vow])] = &[
    ("yae", &[Vow::Ye], &[]),
    ("yeo", &[Vow::Yo], &[]),
    ("yoo", &[Vow::Yu], &[Vow::Yo]),
    ("you", &[Vow::Yu], &[Vow::Yo]),
    ("woo", &[Vow::U], &[]),
    ("wae", &[Vow::We], &[]),
    ("weo", &[Vow::Wo], &[]),
    ("eui", &[Vow::I], &[]),
    ("ae", &[Vow::E], &[]),
    ("ai", &[Vow::E], &[]),
    ("ya", &[Vow::Ya], &[]),
    ("ye", &[Vow::Ye], &[]),
    ("eo", &[Vow::O], &[]),
    ("yo", &[Vow::Yo], &[]),
    ("oo", &[Vow::U], &[]),
    ("ou", &[Vow::U], &[Vow::O]),
    ("eu", &[Vow::U], &[]),
    ("yu", &[Vow::Yu], &[Vow::Yo]),
    ("wa", &[Vow::Wa], &[]),
    ("oe", &[Vow::We], &[]),
    ("oi", &[Vow::We], &[]),
    ("oy", &[Vow::We], &[]),
    ("we", &[Vow::We], &[]),
    ("wo", &[Vow::Wo], &[]),
    ("wi", &[Vow::Wi], &[]),
    ("ui", &[Vow::I], &[]),
    ("ee", &[Vow::I], &[]),
    ("yi", &[Vow::I], &[]),
    ("a", &[Vow::A], &[]),
    ("e", &[Vow::E], &[]),
    ("o", &[Vow::O], &[]),
    ("u", &[Vow::U], &[Vow::O]),
    ("i", &[Vow::I], &[]),
];

const FINALS: &[(&str, &[Fin])] = &[
    ("ng", &[Fin::Ng]),
    ("ck", &[Fin::K]),
    ("k", &[Fin::K]),
    ("g", &[Fin::K]),
    ("n", &[Fin::N]),
    ("l", &[Fin::L]),
    ("r", &[Fin::L]),
    ("m", &[Fin::M]),
    ("p", &[Fin::P]),
    ("b", &[Fin::P]),
    ("t", &[Fin::T]),
    ("s", &[Fin::T]),
    ("d", &[Fin::T]),
];

/// Korean syllables in Russian Cyrillic: the Kontsevich system (Концевич,
/// the standard of Russian Korean studies: 김정은 Ким Чон Ын, 최 Чхве, 평양
/// Пхеньян) and the older press spellings still used by Russian banks and
/// media (`Ким Чен Ын`, `Ким Ир Сен`): ㅓ/ㅕ written `е` after a consonant,
/// final ㄹ written `р`. Final `н` is both ㄴ and ㅇ (Kontsevich writes both
/// so), `е` is ㅓ, ㅔ, ㅕ or ㅖ.
const CYRILLIC: Spellings = Spellings {
    initials: &[
        ("кк", Ini::K),
        ("кх", Ini::K),
        ("к", Ini::K),
        ("г", Ini::K),
        ("н", Ini::N),
        ("тт", Ini::T),
        ("тх", Ini::T),
        ("т", Ini::T),
        ("д", Ini::T),
        ("р", Ini::R),
        ("л", Ini::R),
        ("м", Ini::M),
        ("пп", Ini::P),
        ("пх", Ini::P),
        ("п", Ini::P),
        ("б", Ini::P),
        ("сс", Ini::S),
        ("с", Ini::S),
        ("ш", Ini::S),
        ("чч", Ini::J),
        ("чх", Ini::J),
        ("дж", Ini::J),
        ("ч", Ini::J),
        ("х", Ini::H),
    ],
    vowels: &[
        ("йо", &[Vow::Yo], &[]),
        ("йе", &[Vow::Ye], &[]),
        ("ый", &[Vow::I], &[]),
        ("ва", &[Vow::Wa], &[]),
        ("во", &[Vow::Wo], &[]),
        ("вэ", &[Vow::We], &[]),
        ("ве", &[Vow::We], &[]),
        ("ви", &[Vow::Wi], &[]),
        ("а", &[Vow::A], &[]),
        ("я", &[Vow::Ya], &[]),
        ("о", &[Vow::O], &[]),
        ("ё", &[Vow::Yo], &[]),
        ("е", &[Vow::O, Vow::E, Vow::Yo, Vow::Ye], &[]),
        ("э", &[Vow::E], &[]),
        ("у", &[Vow::U], &[]),
        ("ы", &[Vow::U], &[]),
        ("ю", &[Vow::Yu], &[]),
        ("и", &[Vow::I], &[]),
    ],
    finals: &[
        ("нг", &[Fin::Ng]),
        ("к", &[Fin::K]),
        ("н", &[Fin::N, Fin::Ng]),
        ("т", &[Fin::T]),
        ("л", &[Fin::L]),
        ("р", &[Fin::L]),
        ("м", &[Fin::M]),
        ("п", &[Fin::P]),
    ],
    english_ar: false,
};

/// Parse a lower-case ASCII token into Korean syllables; every reading is
/// returned (`jongun` → `jong·un`, `jon·gun`). `None` if the token cannot be
/// read as Korean syllables. At most `max_syllables` per reading.
pub fn parse_romanized(token: &str, max_syllables: usize) -> Option<Vec<Vec<Syllable>>> {
    // No romanization table uses f, q, v, x or z: a word with one of them
    // cannot be read (checked here before the search through the tables).
    if token.is_empty()
        || token.len() > 12
        || !token
            .bytes()
            .all(|b| b.is_ascii_lowercase() && !matches!(b, b'f' | b'q' | b'v' | b'x' | b'z'))
    {
        return None;
    }
    parse_with(&LATIN, token, max_syllables, SylScript::Latin)
}

/// Parse a lower-case Cyrillic word (Kontsevich or press spelling) into
/// Korean syllables, as [`parse_romanized`] does for Latin.
pub fn parse_cyrillic(word: &str, max_syllables: usize) -> Option<Vec<Vec<Syllable>>> {
    // Signs that only soften or separate (`Иль`, `Пхеньян`) carry no jamo.
    let word: String = word.chars().filter(|c| !matches!(c, 'ь' | 'ъ')).collect();
    if word.is_empty()
        || word.len() > 24
        || !word.chars().all(|c| matches!(c, 'а'..='я' | 'ё'))
        || word.chars().any(|c| matches!(c, 'ф' | 'ц' | 'щ' | 'з'))
    {
        return None;
    }
    parse_with(&CYRILLIC, &word, max_syllables, SylScript::Cyrillic)
}

fn parse_with(
    sp: &Spellings,
    token: &str,
    max_syllables: usize,
    script: SylScript,
) -> Option<Vec<Vec<Syllable>>> {
    let mut raw: Vec<Vec<RawSyl>> = Vec::new();
    let mut cur: Vec<RawSyl> = Vec::with_capacity(max_syllables);
    parse_from(sp, token.as_bytes(), 0, max_syllables, &mut cur, &mut raw);
    if raw.is_empty() {
        return None;
    }
    // Fewest syllables first: the most natural reading.
    raw.sort_by_key(Vec::len);
    raw.truncate(6);
    Some(
        raw.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|x| Syllable {
                        text: token[x.start..x.start + x.len].to_string(),
                        keys: x.keys[..x.nkeys].to_vec(),
                        hangul: None,
                        script,
                    })
                    .collect()
            })
            .collect(),
    )
}

/// Most keys one spelling of a syllable can have (Cyrillic `Чен`: 4 vowels × 2 finals).
const MAX_KEYS: usize = 8;

/// A syllable while parsing: a byte range and its keys (no allocation).
#[derive(Debug, Clone, Copy)]
struct RawSyl {
    start: usize,
    len: usize,
    keys: [SylKey; MAX_KEYS],
    nkeys: usize,
}

impl RawSyl {
    fn push(&mut self, k: SylKey) {
        if self.nkeys < MAX_KEYS && !self.keys[..self.nkeys].contains(&k) {
            self.keys[self.nkeys] = k;
            self.nkeys += 1;
        }
    }
}

fn parse_from(
    sp: &Spellings,
    s: &[u8],
    pos: usize,
    max: usize,
    cur: &mut Vec<RawSyl>,
    out: &mut Vec<Vec<RawSyl>>,
) {
    if out.len() >= 12 {
        return;
    }
    if pos == s.len() {
        if !cur.is_empty() {
            out.push(cur.clone());
        }
        return;
    }
    if cur.len() >= max {
        return;
    }
    let last = cur.len() + 1 == max;
    let rest = &s[pos..];
    let initials = std::iter::once((0usize, Ini::None)).chain(
        sp.initials
            .iter()
            .filter(|(t, _)| rest.starts_with(t.as_bytes()))
            .map(|(t, c)| (t.len(), *c)),
    );
    for (il, ini) in initials {
        let after_i = &rest[il..];
        for &(vt, vows, before_final) in sp.vowels {
            if !after_i.starts_with(vt.as_bytes()) {
                continue;
            }
            let vl0 = vt.len();
            let after_v = &after_i[vl0..];
            let ar = sp.english_ar
                && vt == "a"
                && after_v.first() == Some(&b'r')
                && after_v.get(1).is_some_and(|c| !b"aeiouwy".contains(c));
            let a_only: &[Vow] = &[Vow::A];
            let vowel_opts = [(vl0, vows, before_final), (vl0 + 1, a_only, &[][..])];
            for &(vl, vows, before_final) in &vowel_opts[..if ar { 2 } else { 1 }] {
                let after_v = &after_i[vl..];
                let no_final: &[Fin] = &[Fin::None];
                let finals = std::iter::once((0usize, no_final)).chain(
                    sp.finals
                        .iter()
                        .filter(|(t, _)| after_v.starts_with(t.as_bytes()))
                        .map(|(t, f)| (t.len(), *f)),
                );
                for (fl, fins) in finals {
                    let len = il + vl + fl;
                    // The last allowed syllable must end the word.
                    if last && pos + len != s.len() {
                        continue;
                    }
                    let mut syl = RawSyl {
                        start: pos,
                        len,
                        keys: [0; MAX_KEYS],
                        nkeys: 0,
                    };
                    for &fin in fins {
                        for &v in vows {
                            syl.push(key(ini, v, fin));
                        }
                        if fin != Fin::None {
                            for &v in before_final {
                                syl.push(key(ini, v, fin));
                            }
                        }
                    }
                    cur.push(syl);
                    parse_from(sp, s, pos + len, max, cur, out);
                    cur.pop();
                }
            }
        }
    }
}

const HANGUL_BASE: u32 = 0xAC00;
const HANGUL_LAST: u32 = 0xD7A3;

pub fn is_hangul_syllable(c: char) -> bool {
    (HANGUL_BASE..=HANGUL_LAST).contains(&(c as u32))
}

const H_INI: [Ini; 19] = [
    Ini::K,
    Ini::K,
    Ini::N,
    Ini::T,
    Ini::T,
    Ini::R,
    Ini::M,
    Ini::P,
    Ini::P,
    Ini::S,
    Ini::S,
    Ini::None,
    Ini::J,
    Ini::J,
    Ini::J,
    Ini::K,
    Ini::T,
    Ini::P,
    Ini::H,
];
const H_VOW: [Vow; 21] = [
    Vow::A,
    Vow::E,
    Vow::Ya,
    Vow::Ye,
    Vow::O,
    Vow::E,
    Vow::Yo,
    Vow::Ye,
    Vow::O,
    Vow::Wa,
    Vow::We,
    Vow::We,
    Vow::Yo,
    Vow::U,
    Vow::Wo,
    Vow::We,
    Vow::Wi,
    Vow::Yu,
    Vow::U,
    Vow::I,
    Vow::I,
];
const H_FIN: [Fin; 28] = [
    Fin::None,
    Fin::K,
    Fin::K,
    Fin::K,
    Fin::N,
    Fin::N,
    Fin::N,
    Fin::T,
    Fin::L,
    Fin::K,
    Fin::M,
    Fin::L,
    Fin::L,
    Fin::L,
    Fin::P,
    Fin::L,
    Fin::M,
    Fin::P,
    Fin::P,
    Fin::T,
    Fin::T,
    Fin::Ng,
    Fin::T,
    Fin::T,
    Fin::K,
    Fin::T,
    Fin::P,
    Fin::T,
];

/// DPRK-style romanization (breves dropped) of each jamo slot, for display.
const R_INI: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
    "ph", "h",
];
const R_VOW: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const R_FIN: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

fn jamo(c: char) -> Option<(usize, usize, usize)> {
    if !is_hangul_syllable(c) {
        return None;
    }
    let idx = c as u32 - HANGUL_BASE;
    Some((
        (idx / 588) as usize,
        ((idx % 588) / 28) as usize,
        (idx % 28) as usize,
    ))
}

/// A Hangul syllable as a [`Syllable`] (key and DPRK-style romanization).
pub fn hangul_syllable(c: char) -> Option<Syllable> {
    let (i, v, f) = jamo(c)?;
    let text = format!("{}{}{}", R_INI[i], R_VOW[v], R_FIN[f]);
    Some(Syllable {
        text,
        keys: vec![key(H_INI[i], H_VOW[v], H_FIN[f])],
        hangul: Some(c),
        script: SylScript::Hangul,
    })
}

/// DPRK-style romanization of a Hangul string (other characters kept).
pub fn romanize_hangul(s: &str) -> String {
    s.chars()
        .map(|c| {
            hangul_syllable(c)
                .map(|x| x.text)
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}

/// Korean surnames in Hangul (the most frequent single-syllable ones and the
/// two-syllable ones), used to split `김정은` into `김` + `정은` and to
/// recognise Korean-shaped Latin names.
const SURNAMES_1: &str = "김이리박최정강조윤장임림한오서신권황안송류유전홍고문양손배백허남심노로하곽성차주우구민진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부태피두감음빈동온호범좌팽승간상갈시단견당계";
const SURNAMES_2: &[&str] = &[
    "남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "망절",
];

static SURNAME_KEYS: LazyLock<HashSet<SylKey>> = LazyLock::new(|| {
    SURNAMES_1
        .chars()
        .filter_map(hangul_syllable)
        .flat_map(|s| s.keys)
        .collect()
});

/// Could this syllable (Latin, Cyrillic or Hanja) be a Korean surname?
pub fn is_surname_syllable(s: &Syllable) -> bool {
    s.keys.iter().any(|k| SURNAME_KEYS.contains(k))
}

/// Split a Hangul word into surname and given-name syllables.
pub fn split_hangul_name(word: &str) -> (Vec<Syllable>, Vec<Syllable>) {
    let chars: Vec<char> = word.chars().filter(|c| is_hangul_syllable(*c)).collect();
    let sy: Vec<Syllable> = chars.iter().filter_map(|c| hangul_syllable(*c)).collect();
    let two: String = chars.iter().take(2).collect();
    let cut = if chars.len() >= 3 && SURNAMES_2.contains(&two.as_str()) {
        2
    } else {
        1.min(chars.len())
    };
    let (a, b) = sy.split_at(cut);
    (a.to_vec(), b.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Syllable {
        let p = parse_romanized(s, 1).unwrap_or_default();
        p.into_iter()
            .next()
            .and_then(|mut v| v.pop())
            .unwrap_or_else(|| panic!("{s} does not parse"))
    }

    fn eq(a: &str, b: &str) -> bool {
        one(a).equivalent(&one(b))
    }

    #[test]
    fn romanization_variants_share_a_key() {
        for set in [
            &["jong", "jeong", "chong", "chung", "joung"][..],
            &["ri", "rhee", "lee", "yi", "i", "li"],
            &["pak", "park", "bak"],
            &["choe", "choi", "chwe", "choy"],
            &["chol", "cheol", "chul"],
            &["un", "eun"],
            &["song", "seong", "sung"],
            &["hyok", "hyeok", "hyuk"],
            &["kwang", "gwang"],
            &["thaek", "taek"],
            &["kim", "gim"],
            &["hui", "hee", "hi"],
            &["yong", "young", "yeong"],
            &["u", "woo"],
        ] {
            for a in set {
                for b in set {
                    assert!(eq(a, b), "{a} ~ {b}");
                }
            }
        }
    }

    #[test]
    fn different_syllables_differ() {
        for (a, b) in [
            ("il", "un"),
            ("yong", "pyong"),
            ("chol", "chun"),
            ("jong", "yong"),
            ("kim", "kin"),
            ("sik", "man"),
        ] {
            assert!(!eq(a, b), "{a} !~ {b}");
        }
    }

    #[test]
    fn joined_given_names_have_two_syllable_readings() {
        let p = parse_romanized("jongun", 3).unwrap_or_default();
        assert!(
            p.iter()
                .any(|r| r.len() == 2 && r[0].text == "jong" && r[1].text == "un")
        );
    }

    #[test]
    fn hangul_keys_match_latin() {
        let (sur, given) = split_hangul_name("김정은");
        assert_eq!(sur.len(), 1);
        assert_eq!(given.len(), 2);
        assert!(sur[0].equivalent(&one("kim")));
        assert!(given[0].equivalent(&one("jong")));
        assert!(given[1].equivalent(&one("un")));
        assert_eq!(romanize_hangul("김정은"), "kimjongun");
        let (sur, _) = split_hangul_name("리홍섭");
        assert!(sur[0].equivalent(&one("ri")) && sur[0].equivalent(&one("lee")));
        let (sur, given) = split_hangul_name("남궁민수");
        assert_eq!((sur.len(), given.len()), (2, 2));
    }

    #[test]
    fn hangul_compares_exactly_with_hangul() {
        let a = hangul_syllable('종').unwrap_or_else(|| panic!());
        let b = hangul_syllable('정').unwrap_or_else(|| panic!());
        assert!(!a.equivalent(&b));
    }
}
