//! The cross-script fixture in process: recall of its pairs at 0.7 (per
//! script), and false alerts when each non-Latin name is screened against
//! the UN list, next to the same figure for the entries' Latin names (what
//! any name of those entries gets, whatever its script).
//! `cargo run --release -p resolute-matching --example cross_script [-- -v]`
//! (`scripts/eval-match.py` gives the same figures through the `resolute` binary,
//! before and after.)
use std::collections::BTreeMap;

use resolute_matching::{MatchIndex, MatchOptions, Query, compare_names, pairs};

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let verbose = std::env::args().any(|a| a == "-v");
    let path = format!("{root}/tests/fixtures/matching/cross-script-pairs.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .flatten()
        .collect();
    let pairs: Vec<pairs::Pair> = pairs::read_pairs(text.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .flatten()
        .collect();
    let un_path = format!("{root}/data/lists/un/consolidated-2026-02-27.xml");
    let un = resolute_lists::load_file(std::path::Path::new(&un_path))
        .unwrap_or_else(|e| panic!("{un_path}: {e}"));
    let index = MatchIndex::build(un.entities);
    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut flagged, mut others, mut latin_flagged) = (0usize, 0usize, 0usize);
    for (p, row) in pairs.iter().zip(&rows) {
        let (group, reference) = (&row[0], row[7].trim());
        let (score, ex) = compare_names(p.schema, &p.name1, &p.name2);
        let slot = recall.entry(group.to_string()).or_default();
        slot.1 += 1;
        if score >= 0.7 {
            slot.0 += 1;
        } else if verbose {
            println!(
                "MISS {score:.3} {reference} {} | {}\n{ex}",
                p.name1, p.name2
            );
        }
        let wrong = |name: &str| -> Vec<(String, f64, String)> {
            index
                .search(&Query::name(p.schema, name), &MatchOptions::default())
                .into_iter()
                .filter(|r| r.is_match && r.reference.trim() != reference)
                .map(|r| {
                    (
                        r.reference.trim().to_string(),
                        r.score,
                        r.explanation.to_string(),
                    )
                })
                .collect()
        };
        let w = wrong(&p.name1);
        if !w.is_empty() {
            flagged += 1;
            others += w.len();
            if verbose {
                for (r, s, ex) in &w {
                    println!("ALERT {reference} {} -> {r} {s:.3}\n{ex}", p.name1);
                }
            }
        }
        latin_flagged += usize::from(!wrong(&p.name2).is_empty());
    }
    let n = pairs.len().max(1);
    for (g, (hit, total)) in &recall {
        println!(
            "recall {g:<9} {hit:>3}/{total:<3} {:.3}",
            *hit as f64 / *total as f64
        );
    }
    let hits: usize = recall.values().map(|v| v.0).sum();
    println!(
        "recall all       {hits:>3}/{n:<3} {:.3}",
        hits as f64 / n as f64
    );
    println!(
        "false alerts: {flagged}/{n} non-Latin names flag another UN entry ({:.3}; {:.2} entries per name); their Latin names: {latin_flagged}/{n} ({:.3})",
        flagged as f64 / n as f64,
        others as f64 / n as f64,
        latin_flagged as f64 / n as f64
    );
}
