//! "Did you mean": the valid ids closest to a mistyped one.
//!
//! Ids are long (`dprk/2371/8/rajin-transit`) and users often type a part of
//! one (`rajin`, `2371/8/rajin-transt`). Plain edit distance to the whole id
//! would then prefer the shortest ids, so candidates are ranked first by how
//! well the input fits anywhere inside the id (edit distance to the best
//! matching substring), then by edit distance to the whole id.

/// Up to `n` candidates closest to `wanted`, best first (ties by id).
pub fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let wanted: Vec<char> = wanted.trim().to_lowercase().chars().collect();
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .map(|c| {
            let chars: Vec<char> = c.to_lowercase().chars().collect();
            (
                edit_distance(&wanted, &chars, true),
                edit_distance(&wanted, &chars, false),
                c,
            )
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

/// Levenshtein distance from `a` to `b`; with `within`, to the substring of
/// `b` that fits `a` best (skipping a prefix and a suffix of `b` is free).
fn edit_distance(a: &[char], b: &[char], within: bool) -> usize {
    // prev[j]: distance between the first i chars of `a` and the first j chars of `b`.
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| if within { 0 } else { j }).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    if within {
        prev.iter().copied().min().unwrap_or(a.len())
    } else {
        prev[b.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, within: bool) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b, within)
    }

    #[test]
    fn distances() {
        assert_eq!(d("kitten", "sitting", false), 3);
        assert_eq!(d("", "abc", false), 3);
        assert_eq!(d("rajin", "dprk/2371/8/rajin-transit", true), 0);
        assert_eq!(d("rajn", "dprk/2371/8/rajin-transit", true), 1);
        assert_eq!(d("abc", "", true), 3);
    }

    #[test]
    fn a_part_of_an_id_finds_the_id_not_the_shortest_ids() {
        let ids = [
            "dprk/2371/6/emergency",
            "dprk/2371/8/rajin-transit",
            "dprk/2270/29/rajin-transit",
            "dprk/2397/8/host-national",
        ];
        assert_eq!(
            closest("dprk/2371/8/rajin", ids.into_iter(), 2),
            ["dprk/2371/8/rajin-transit", "dprk/2270/29/rajin-transit"]
        );
        assert_eq!(
            closest("DPRK/2371/6/emergncy", ids.into_iter(), 1),
            ["dprk/2371/6/emergency"]
        );
    }
}
