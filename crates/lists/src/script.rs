//! ISO 15924 script of a name, from its characters.

/// The ISO 15924 code of the script most of `text`'s letters are written in
/// (`Hang`, `Arab`, `Cyrl`, `Hani`, `Latn`, ...), or `None` when it has no
/// letters. Han mixed with Hangul is `Kore`, Han mixed with kana `Jpan`.
pub fn detect_script(text: &str) -> Option<&'static str> {
    if text.is_ascii() {
        // Most names: ASCII letters are Latin (and nothing else is a letter).
        return text
            .bytes()
            .any(|b| b.is_ascii_alphabetic())
            .then_some("Latn");
    }
    // Counts per script, in a fixed small table: names are short.
    let mut counts: [(&'static str, usize); 14] = [
        ("Latn", 0),
        ("Hang", 0),
        ("Hani", 0),
        ("Kana", 0),
        ("Arab", 0),
        ("Cyrl", 0),
        ("Grek", 0),
        ("Hebr", 0),
        ("Thai", 0),
        ("Deva", 0),
        ("Geor", 0),
        ("Armn", 0),
        ("Ethi", 0),
        ("Zyyy", 0),
    ];
    for c in text.chars().filter(|&c| is_letter(c)) {
        let idx = match c as u32 {
            0x0041..=0x024F | 0x1E00..=0x1EFF => 0,
            0x1100..=0x11FF
            | 0x3130..=0x318F
            | 0xA960..=0xA97F
            | 0xAC00..=0xD7AF
            | 0xD7B0..=0xD7FF => 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => 2,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => 3,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => 4,
            0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => 5,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => 6,
            0x0590..=0x05FF => 7,
            0x0E00..=0x0E7F => 8,
            0x0900..=0x097F => 9,
            0x10A0..=0x10FF => 10,
            0x0530..=0x058F => 11,
            0x1200..=0x139F => 12,
            _ => 13,
        };
        counts[idx].1 += 1;
    }
    let han = counts[2].1;
    if han > 0 && counts[1].1 > 0 {
        return Some("Kore");
    }
    if han > 0 && counts[3].1 > 0 {
        return Some("Jpan");
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(code, _)| *code)
}

/// `char::is_alphabetic`, answered without its table search for the
/// blocks of letters that names use most (all code points in these ranges
/// are alphabetic; the test below checks it).
fn is_letter(c: char) -> bool {
    match c as u32 {
        0x0041..=0x005A | 0x0061..=0x007A => true,
        0x0410..=0x044F | 0x0621..=0x063A | 0x0641..=0x064A | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => {
            true
        }
        0x0000..=0x007F => false,
        _ => c.is_alphabetic(),
    }
}

#[cfg(test)]
mod tests {
    use super::{detect_script, is_letter};

    #[test]
    fn letter_ranges_are_alphabetic() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn scripts() {
        assert_eq!(detect_script("김정은"), Some("Hang"));
        assert_eq!(detect_script("金正恩"), Some("Hani"));
        assert_eq!(detect_script("조선무역은행 朝鮮"), Some("Kore"));
        assert_eq!(detect_script("عبد الرحمن"), Some("Arab"));
        assert_eq!(detect_script("Абу Банат"), Some("Cyrl"));
        assert_eq!(detect_script("Pak Il Kyu"), Some("Latn"));
        assert_eq!(detect_script(" 123 - "), None);
    }
}
