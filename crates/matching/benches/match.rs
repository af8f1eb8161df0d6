//! The match benchmark (out of the product binary): index build, batch
//! throughput on one and on all threads (wall clock and per CPU-second),
//! single-query p50/p99 latency, memory, per-query cost as the list grows
//! (synthetic entries), the cost of non-Latin queries, and the time of huge
//! inputs. The same figures as `resolute bench match` had (f7f5d82 and earlier), from the same
//! generated queries (same seed), so the two can run side by side.
//!
//! ```sh
//! cargo bench -p resolute-matching --bench match -- [--scales 1,10] [--queries 4000] [--limit 5]
//!     [--list FILE]... [--json] [--dump-queries FILE]
//! ```
//! Scales above 10 need memory in proportion (about 50 MB per 1× of the
//! bundled lists: 100× peaks near 5 GB); the benchmark says so before it
//! starts them. `scripts/bench-match.sh` runs it next to the anchors.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use resolute_matching::{Budget, Limits, MatchIndex, MatchOptions, Query};
use resolute_model::{Entity, EntityName, NameKind, NameQuality, Schema, Source};
use serde_json::json;

// The allocator of the `resolute` binary (crates/cli/src/main.rs), so the
// figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Memory the index needs per 1× of the bundled lists (measured: 160 MB at
/// 1×, 638 MB at 10×, 5.0 GB at 100×).
const MB_PER_SCALE: usize = 50;

#[derive(Debug)]
struct Args {
    lists: Vec<PathBuf>,
    queries: usize,
    scales: Vec<usize>,
    limit: usize,
    json: bool,
    dump_queries: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        lists: Vec::new(),
        queries: 4000,
        scales: vec![1, 10],
        limit: 5,
        json: false,
        dump_queries: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every benchmark binary.
            "--bench" => {}
            "--json" => a.json = true,
            "--list" => a.lists.push(value("--list")?.into()),
            "--queries" => {
                a.queries = value("--queries")?
                    .parse()
                    .map_err(|e| format!("--queries: {e}"))?
            }
            "--limit" => {
                a.limit = value("--limit")?
                    .parse()
                    .map_err(|e| format!("--limit: {e}"))?
            }
            "--scales" => {
                a.scales = value("--scales")?
                    .split(',')
                    .map(|s| s.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--scales: {e}"))?
            }
            "--dump-queries" => a.dump_queries = Some(value("--dump-queries")?.into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

/// The benchmark's xorshift generator (the same as the CLI's, so both
/// generate the same queries).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn load_entities(lists: &[PathBuf]) -> Result<Vec<Entity>, String> {
    let versions = if lists.is_empty() {
        resolute_lists::bundled().map_err(|e| format!("bundled lists: {e}"))?
    } else {
        lists
            .iter()
            .map(|p| resolute_lists::load_file(p).map_err(|e| format!("{}: {e}", p.display())))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(versions.into_iter().flat_map(|v| v.entities).collect())
}

/// Queries: half are list names with a perturbation (order, case, one
/// letter changed), half are names assembled from list words that are not
/// listed (the usual case when screening a customer base).
fn make_queries(entities: &[Entity], n: usize, rng: &mut Rng) -> Vec<Query> {
    let names: Vec<(&str, Schema)> = entities
        .iter()
        .flat_map(|e| {
            e.names
                .iter()
                .filter(|x| !x.is_weak())
                .map(move |x| (x.value.as_str(), e.schema))
        })
        .collect();
    let words: Vec<&str> = names
        .iter()
        .flat_map(|(n, _)| n.split_whitespace())
        .filter(|w| w.len() > 2)
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if names.is_empty() || words.is_empty() {
            break;
        }
        let (name, schema) = names[rng.below(names.len())];
        let q = if i % 2 == 0 {
            let mut toks: Vec<String> = name.split_whitespace().map(str::to_string).collect();
            match rng.below(3) {
                0 => toks.reverse(),
                1 => {
                    if let Some(t) = toks.iter_mut().max_by_key(|t| t.len())
                        && t.len() > 5
                        && t.is_ascii()
                    {
                        let k = 1 + rng.below(t.len() - 2);
                        t.replace_range(k..k + 1, "e");
                    }
                }
                _ => toks.iter_mut().for_each(|t| *t = t.to_lowercase()),
            }
            Query::name(schema, &toks.join(" "))
        } else {
            let k = 2 + rng.below(2);
            let made: Vec<&str> = (0..k).map(|_| words[rng.below(words.len())]).collect();
            Query::name(
                if rng.below(2) == 0 {
                    Schema::Person
                } else {
                    Schema::Thing
                },
                &made.join(" "),
            )
        };
        out.push(q);
    }
    out
}

/// Synthetic entries for the growth measurement: names recombined from the
/// words of real names of the same schema, so postings grow realistically.
fn synthetic_entities(entities: &[Entity], count: usize, rng: &mut Rng) -> Vec<Entity> {
    let words: Vec<&str> = entities
        .iter()
        .flat_map(|e| e.caption.split_whitespace())
        .collect();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let base = &entities[rng.below(entities.len())];
        let mut e = Entity::new(Source::OfacSdn, &format!("SYN{i}"), base.schema);
        let k = base.caption.split_whitespace().count().clamp(2, 4);
        let name: Vec<&str> = (0..k).map(|_| words[rng.below(words.len())]).collect();
        e.add_name(EntityName {
            value: name.join(" "),
            kind: NameKind::Primary,
            quality: NameQuality::Unspecified,
            script: None,
        });
        out.push(e);
    }
    out
}

/// Queries in other scripts: every name of the bundled entries written in a
/// non-Latin script (Arabic, Cyrillic, Han), and Korean names in Hangul,
/// Hanja and Cyrillic.
fn non_latin_queries(entities: &[Entity]) -> Vec<Query> {
    let mut out: Vec<Query> = entities
        .iter()
        .flat_map(|e| {
            e.names
                .iter()
                .filter(|n| n.value.chars().any(|c| c.is_alphabetic() && !c.is_ascii()))
                .filter(|n| !n.value.chars().any(|c| c.is_ascii_alphabetic()))
                .map(move |n| Query::name(e.schema, &n.value))
        })
        .collect();
    for (schema, name) in [
        (Schema::Person, "김정은"),
        (Schema::Person, "金正恩"),
        (Schema::Person, "Ким Чен Ын"),
        (Schema::Person, "최룡해"),
        (Schema::Person, "崔龍海"),
        (Schema::Organization, "조선광업개발무역회사"),
        (Schema::Organization, "대외무역은행"),
    ] {
        out.push(Query::name(schema, name));
    }
    out
}

/// CPU seconds used by this process so far (user + system, from
/// /proc/self/stat): throughput per CPU-second stays meaningful on a shared,
/// loaded machine where wall-clock time includes waiting for a core.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of the calling thread (first field of
/// /proc/thread-self/schedstat, nanoseconds); 0 where unavailable.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e9)
}

/// Current and peak resident memory, MB.
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e6
}

/// Queries per wall-clock second and per CPU-second, with `threads` rayon threads.
fn throughput(
    index: &MatchIndex,
    queries: &[Query],
    opts: &MatchOptions,
    threads: usize,
) -> Result<(f64, f64), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;
    let c0 = cpu_seconds();
    let t = Instant::now();
    let hits: usize = pool.install(|| {
        queries
            .par_iter()
            .map(|q| index.search(q, opts).len())
            .sum()
    });
    let dt = t.elapsed().as_secs_f64();
    let cpu = (cpu_seconds() - c0).max(0.01);
    std::hint::black_box(hits);
    Ok((queries.len() as f64 / dt, queries.len() as f64 / cpu))
}

/// Single-thread latencies of a query set, sorted.
fn latencies(index: &MatchIndex, queries: &[Query], opts: &MatchOptions) -> Vec<Duration> {
    let mut lat: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(index.search(q, opts));
            t.elapsed()
        })
        .collect();
    lat.sort();
    lat
}

/// Milliseconds to search one huge name with no limits (the work is linear).
fn huge_input_ms(index: &MatchIndex, name: &str, opts: &MatchOptions) -> f64 {
    let unbounded = Limits {
        max_name_chars: usize::MAX,
        max_names: usize::MAX,
        max_tokens_per_name: usize::MAX,
    };
    let t = Instant::now();
    let r = index.search_within(
        &Query::name(Schema::Person, name),
        opts,
        &unbounded,
        &Budget::default(),
    );
    std::hint::black_box(r.is_ok());
    t.elapsed().as_secs_f64() * 1e3
}

fn run(a: Args) -> Result<(), String> {
    for &s in &a.scales {
        if s > 10 {
            eprintln!(
                "note: scale {s}x builds an index of about {} MB ({} GB) and takes a while",
                s * MB_PER_SCALE,
                s * MB_PER_SCALE / 1024
            );
        }
    }
    let t = Instant::now();
    let entities = load_entities(&a.lists)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let n_entities = entities.len();
    let mut build_ms = Vec::new();
    let mut index = MatchIndex::build(entities.clone());
    for _ in 0..3 {
        let t = Instant::now();
        index = MatchIndex::build(entities.clone());
        build_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    build_ms.sort_by(f64::total_cmp);
    let (rss_after_build, _) = rss_mb();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let queries = make_queries(&entities, a.queries, &mut rng);
    if let Some(p) = &a.dump_queries {
        let file = File::create(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut w = BufWriter::new(file);
        for (i, q) in queries.iter().enumerate() {
            writeln!(
                w,
                "{}",
                json!({"id": format!("b{i}"), "schema": q.schema, "properties": q.properties})
            )
            .map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    let opts = MatchOptions {
        limit: a.limit,
        ..MatchOptions::default()
    };
    // Warm up caches and lazy tables.
    for q in queries.iter().take(200) {
        std::hint::black_box(index.search(q, &opts));
    }
    let (per_core, per_cpu_second) = throughput(&index, &queries, &opts, 1)?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let (all_cores, _) = throughput(&index, &queries, &opts, cores)?;
    let load = std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string();
    let lat = latencies(&index, &queries, &opts);
    let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    let matched = queries
        .iter()
        .filter(|q| index.search(q, &opts).first().is_some_and(|r| r.is_match))
        .count();
    // Queries in other scripts, cycled to about as many as the Latin ones.
    let other = non_latin_queries(&entities);
    let other: Vec<Query> = other
        .iter()
        .cycle()
        .take(queries.len().min(other.len() * 10))
        .cloned()
        .collect();
    let (other_per_core, _) = throughput(&index, &other, &opts, 1)?;
    let other_lat = latencies(&index, &other, &opts);
    let (other_p50, other_p99) = (percentile(&other_lat, 0.5), percentile(&other_lat, 0.99));
    let mut long = "Kim Jong Un ".repeat(200_000 / 12 + 1);
    long.truncate(200_000);
    let huge_200k_ms = huge_input_ms(&index, &long, &opts);
    let huge_1mb_ms = huge_input_ms(&index, &"a".repeat(1 << 20), &opts);
    let (_, peak_rss) = rss_mb();
    drop(index);
    let mut scaling = Vec::new();
    for &s in &a.scales {
        let mut ents = entities.clone();
        if s > 1 {
            ents.extend(synthetic_entities(
                &entities,
                n_entities * (s - 1),
                &mut rng,
            ));
        }
        let n = ents.len();
        let t = Instant::now();
        let idx = MatchIndex::build(ents);
        let build = t.elapsed().as_secs_f64() * 1e3;
        let sample = &queries[..queries.len().min(1000)];
        let c0 = thread_cpu_seconds();
        let t = Instant::now();
        for q in sample {
            std::hint::black_box(idx.search(q, &opts));
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / sample.len().max(1) as f64;
        // CPU time as well: on a shared machine the wall clock includes waiting for a core.
        let cpu_us = (thread_cpu_seconds() - c0) * 1e6 / sample.len().max(1) as f64;
        let (rss, _) = rss_mb();
        scaling.push(json!({"scale": s, "entities": n, "names": idx.name_count(), "build_ms": build, "us_per_query": us, "cpu_us_per_query": cpu_us, "rss_mb": rss}));
    }
    let report = json!({
        "entities": n_entities, "queries": queries.len(), "queries_with_match": matched, "limit": a.limit,
        "lists_load_ms": load_ms, "index_build_ms_median": build_ms[build_ms.len() / 2],
        "queries_per_sec_per_core": per_core, "queries_per_cpu_second": per_cpu_second, "queries_per_sec_all_cores": all_cores, "cores": cores, "load_average": load,
        "latency_us_p50": p50, "latency_us_p99": p99,
        "non_latin": {"queries": other.len(), "queries_per_sec_per_core": other_per_core, "latency_us_p50": other_p50, "latency_us_p99": other_p99},
        "huge_input_ms": {"name_200000_chars": huge_200k_ms, "one_word_1mb": huge_1mb_ms},
        "rss_mb_after_build": rss_after_build, "rss_mb_peak": peak_rss,
        "scaling": scaling,
    });
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "entries {n_entities}, {} queries ({matched} with a match at 0.7), limit {}",
        queries.len(),
        a.limit
    );
    println!(
        "lists load {load_ms:.0} ms; index build {:.0} ms (median of 3)",
        build_ms[build_ms.len() / 2]
    );
    println!(
        "throughput {per_core:.0} queries/s wall on 1 thread ({per_cpu_second:.0} per CPU-second); {all_cores:.0} queries/s on {cores} threads; load average {load}"
    );
    println!("latency p50 {p50:.0} µs, p99 {p99:.0} µs (single query, sequential)");
    println!(
        "non-Latin queries ({} Arabic, Cyrillic, Han, Hangul names): {other_per_core:.0} queries/s on 1 thread, p50 {other_p50:.0} µs, p99 {other_p99:.0} µs",
        other.len()
    );
    println!(
        "huge inputs, no limits: 200,000-character name {huge_200k_ms:.0} ms, one-word 1 MB name {huge_1mb_ms:.0} ms"
    );
    println!("RSS after build {rss_after_build:.0} MB, peak {peak_rss:.0} MB");
    for s in &scaling {
        println!(
            "scale {:>3}x: {:>8} entries, build {:>7.0} ms, {:>6.1} µs/query wall ({:.0} µs CPU), RSS {:.0} MB",
            s["scale"],
            s["entities"],
            s["build_ms"].as_f64().unwrap_or(0.0),
            s["us_per_query"].as_f64().unwrap_or(0.0),
            s["cpu_us_per_query"].as_f64().unwrap_or(0.0),
            s["rss_mb"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench match: {e}");
            ExitCode::from(2)
        }
    }
}
