//! Search-only timing loop for profiling and before/after checks.
//!
//! `profile_search QUERIES.jsonl [--entities ENTITIES.jsonl] [--dump-entities FILE] [--results FILE] [--scale N]`
//!
//! Queries: one FtM-shaped JSON object per line (`resolute bench match
//! --dump-queries FILE` writes the bench mix). Entities: the bundled lists, or
//! entities as JSON lines (so that a comparison does not depend on the list
//! parsers). Every query is searched `REPS` (default 5) times on one thread;
//! `--results` writes each query's results as one JSON line; `--scale N` adds
//! synthetic entries (words of real captions recombined, as `resolute bench
//! match` does) up to N times the list size.
//! `cargo build --release -p resolute-matching --example profile_search`, then
//! `perf record -g target/release/examples/profile_search FILE`.
use std::io::Write;
use std::time::Instant;

use resolute_matching::{MatchIndex, MatchOptions, Query};
use resolute_model::{Entity, EntityName, NameKind, NameQuality, Source};

fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(2);
}

/// CPU seconds of this process (user + system), from /proc/self/stat: on a
/// shared machine wall-clock time includes waiting for a core.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(path) = args.first() else {
        fail(
            "usage: profile_search QUERIES.jsonl [--entities F] [--dump-entities F] [--results F]"
                .into(),
        )
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    let queries: Vec<Query> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Query::from_json(&v).ok())
        .collect();
    let entities: Vec<Entity> = match opt("--entities") {
        Some(f) => {
            let text = std::fs::read_to_string(&f).unwrap_or_else(|e| fail(format!("{f}: {e}")));
            text.lines()
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l).unwrap_or_else(|e| fail(format!("{f}:{}: {e}", i + 1)))
                })
                .collect()
        }
        None => resolute_lists::bundled()
            .unwrap_or_else(|e| fail(e.to_string()))
            .into_iter()
            .flat_map(|l| l.entities)
            .collect(),
    };
    let mut entities = entities;
    let scale: usize = opt("--scale").and_then(|s| s.parse().ok()).unwrap_or(1);
    if scale > 1 && !entities.is_empty() {
        // xorshift, as the bench's generator.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut below = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let words: Vec<String> = entities
            .iter()
            .flat_map(|e| e.caption.split_whitespace().map(str::to_string))
            .collect();
        let n = entities.len();
        for i in 0..n * (scale - 1) {
            let base = &entities[below(n)];
            let mut e = Entity::new(Source::OfacSdn, &format!("SYN{i}"), base.schema);
            let k = base.caption.split_whitespace().count().clamp(2, 4);
            let name: Vec<&str> = (0..k).map(|_| words[below(words.len())].as_str()).collect();
            e.add_name(EntityName {
                value: name.join(" "),
                kind: NameKind::Primary,
                quality: NameQuality::Unspecified,
                script: None,
            });
            entities.push(e);
        }
    }
    if let Some(f) = opt("--dump-entities") {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&f).unwrap_or_else(|e| fail(format!("{f}: {e}"))),
        );
        for e in &entities {
            let line = serde_json::to_string(e).unwrap_or_else(|e| fail(e.to_string()));
            writeln!(w, "{line}").unwrap_or_else(|e| fail(e.to_string()));
        }
    }
    let t = Instant::now();
    let index = MatchIndex::build(entities);
    eprintln!(
        "index of {} names built in {:.0} ms",
        index.name_count(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let opts = MatchOptions::default();
    if let Some(f) = opt("--results") {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&f).unwrap_or_else(|e| fail(format!("{f}: {e}"))),
        );
        for q in &queries {
            let line = serde_json::to_string(&index.search(q, &opts))
                .unwrap_or_else(|e| fail(e.to_string()));
            writeln!(w, "{line}").unwrap_or_else(|e| fail(e.to_string()));
        }
    }
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut hits = 0usize;
    let t = Instant::now();
    let c0 = cpu_seconds();
    for _ in 0..reps {
        for q in &queries {
            hits += index.search(q, &opts).len();
        }
    }
    let n = queries.len() * reps;
    let dt = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c0;
    println!(
        "{n} searches, {hits} results: {:.1} µs/query wall, {:.1} µs/query CPU ({:.0} queries per CPU-second)",
        dt * 1e6 / n.max(1) as f64,
        cpu * 1e6 / n.max(1) as f64,
        n as f64 / cpu.max(1e-9)
    );
}
