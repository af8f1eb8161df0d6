//! Build the index over the bundled lists and screen names given on the
//! command line (`--schema Person` optional), printing explanations.
//! `cargo run --release -p resolute-matching --example screen -- "김정은" "Choe Ryong Hae"`
use std::time::Instant;

use resolute_matching::{MatchIndex, MatchOptions, Query};
use resolute_model::Schema;

fn main() {
    let t = Instant::now();
    let lists = match resolute_lists::bundled() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let entities: Vec<_> = lists.into_iter().flat_map(|l| l.entities).collect();
    let parsed = t.elapsed();
    let n = entities.len();
    let t = Instant::now();
    let index = MatchIndex::build(entities);
    eprintln!(
        "parsed {n} entities in {parsed:?}; index of {} names built in {:?}",
        index.name_count(),
        t.elapsed()
    );
    let mut schema = Schema::Thing;
    let opts = MatchOptions {
        cutoff: 0.3,
        ..MatchOptions::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--schema" {
            schema = args
                .next()
                .and_then(|s| Schema::parse(&s))
                .unwrap_or(Schema::Thing);
            continue;
        }
        let (name, rest) = a.split_once('|').unwrap_or((&a, ""));
        let mut q = Query::name(schema, name);
        for kv in rest.split('|').filter(|s| !s.is_empty()) {
            if let Some((k, v)) = kv.split_once('=') {
                q = q.with(k, v);
            }
        }
        let t = Instant::now();
        let reps = std::env::var("REPS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1u32);
        let mut r = Vec::new();
        for _ in 0..reps {
            r = index.search(&q, &opts);
        }
        println!("== {a} ({:?} per query)", t.elapsed() / reps);
        for m in r {
            println!(
                "[{}] {} {} {}\n{}",
                m.reference, m.caption, m.schema, m.score, m.explanation
            );
        }
    }
}
