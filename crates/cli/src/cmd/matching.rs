//! `resolute match`, `resolute compare` and `resolute bench match`.
//!
//! Output shapes (one JSON object per line, for scripts):
//! - match: `{"id", "results": [{"ref","id","caption","schema","score","match","explanations"}]}`;
//!   a line that cannot be read gives `{"id", "error"}` (the line's own `id`, else its
//!   line number as text, as in `resolute screen`) and the run goes on; when no line
//!   could be read the command exits 2.
//! - compare: `{"id": row from 1, "score", "match", "explanation"}` (or `{"id","error"}`).
//! - bench match (`--json`): one object with build, throughput, latency, memory and scaling figures.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use resolute_matching::{
    Explanation, MatchIndex, MatchOptions, MatchResult, Query, compare_names, pairs,
};
use resolute_model::{Entity, EntityName, NameKind, NameQuality, Schema, Source};
use serde::Serialize;
use serde_json::{Value, json};

use super::Rng;

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// List files (UN XML or OFAC SDN CSV); repeat for several. Default: the bundled lists.
    #[arg(long = "list", value_name = "FILE")]
    pub lists: Vec<PathBuf>,
    /// Queries, one FtM-shaped JSON object per line (`-` for stdin).
    #[arg(long, value_name = "QUERIES.jsonl")]
    pub input: PathBuf,
    /// Where to write results (default stdout).
    #[arg(long, value_name = "RESULTS.jsonl")]
    pub output: Option<PathBuf>,
    /// `match` is true when score >= threshold.
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// At most this many results per query.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Results scoring below this are not reported.
    #[arg(long, default_value_t = 0.5)]
    pub cutoff: f64,
    /// Only entries designated on or before this date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Print the run summary on stderr as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// CSV with columns schema,name1,name2 (other columns ignored; nomenklatura name_bench format).
    #[arg(long, value_name = "PAIRS.csv")]
    pub input: PathBuf,
    /// Where to write results (default stdout).
    #[arg(long, value_name = "RESULTS.jsonl")]
    pub output: Option<PathBuf>,
    /// `match` is true when score >= threshold.
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// Print precision/recall/F1 on stderr when the CSV has an is_match column (JSON with --json).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// List files; default: the bundled lists (UN + OFAC SDN).
    #[arg(long = "list", value_name = "FILE")]
    pub lists: Vec<PathBuf>,
    /// Number of generated queries (half perturbed list names, half names that are not listed).
    #[arg(long, default_value_t = 4000)]
    pub queries: usize,
    /// Scale factors of the list size for the growth measurement (synthetic entries are added).
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    pub scales: Vec<usize>,
    /// Results per query.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Also write the generated queries as JSONL (input for `resolute match`, to compare outputs across versions).
    #[arg(long, value_name = "QUERIES.jsonl")]
    pub dump_queries: Option<PathBuf>,
}

fn load_entities(lists: &[PathBuf]) -> anyhow::Result<Vec<Entity>> {
    let versions = if lists.is_empty() {
        resolute_lists::bundled().context("loading the bundled lists")?
    } else {
        lists
            .iter()
            .map(|p| {
                resolute_lists::load_file(p)
                    .with_context(|| format!("loading list {}", p.display()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    Ok(versions.into_iter().flat_map(|v| v.entities).collect())
}

fn open_output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec})") {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    pb
}

/// One result as the `match` command writes it.
#[derive(Serialize)]
struct ResultOut<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    id: &'a str,
    caption: &'a str,
    schema: Schema,
    score: f64,
    #[serde(rename = "match")]
    is_match: bool,
    explanations: &'a Explanation,
}

impl<'a> From<&'a MatchResult> for ResultOut<'a> {
    fn from(r: &'a MatchResult) -> Self {
        ResultOut {
            reference: &r.reference,
            id: &r.id,
            caption: &r.caption,
            schema: r.schema,
            score: r.score,
            is_match: r.is_match,
            explanations: &r.explanation,
        }
    }
}

enum Line {
    Query(Query),
    Error { id: Value, error: String },
}

fn parse_line(line_no: usize, text: &str) -> Line {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Line::Error {
                id: json!(line_no.to_string()),
                error: format!("line {line_no}: not JSON: {e}"),
            };
        }
    };
    match Query::from_json(&v) {
        Ok(mut q) => {
            if q.id.is_none() {
                q.id = Some(line_no.to_string());
            }
            Line::Query(q)
        }
        Err(e) => {
            let id = v
                .get("id")
                .cloned()
                .filter(|x| !x.is_null())
                .unwrap_or(json!(line_no.to_string()));
            Line::Error {
                id,
                error: format!("line {line_no}: {e}"),
            }
        }
    }
}

pub fn run_match(a: MatchArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let entities = load_entities(&a.lists)?;
    let n_entities = entities.len();
    let index = MatchIndex::build(entities);
    let build = t0.elapsed();
    let reader: Box<dyn BufRead> = if a.input.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            File::open(&a.input).with_context(|| format!("opening {}", a.input.display()))?,
        ))
    };
    let mut lines = Vec::new();
    for (i, l) in reader.lines().enumerate() {
        let l = l.with_context(|| format!("{}: reading line {}", a.input.display(), i + 1))?;
        if l.trim().is_empty() {
            continue;
        }
        lines.push(parse_line(i + 1, &l));
    }
    let opts = MatchOptions {
        threshold: a.threshold,
        limit: a.limit,
        cutoff: a.cutoff,
        as_of: a.as_of,
    };
    let pb = progress(lines.len() as u64, "screening");
    let t1 = Instant::now();
    let outputs: Vec<String> = lines
        .par_iter()
        .map(|l| {
            let v = match l {
                Line::Query(q) => {
                    let results = index.search(q, &opts);
                    let out: Vec<ResultOut> = results.iter().map(ResultOut::from).collect();
                    serde_json::to_string(&json!({"id": q.id, "results": out}))
                }
                Line::Error { id, error } => {
                    serde_json::to_string(&json!({"id": id, "error": error}))
                }
            };
            pb.inc(1);
            v.unwrap_or_else(|e| format!("{{\"error\":\"serialization: {e}\"}}"))
        })
        .collect();
    pb.finish_and_clear();
    let screening = t1.elapsed();
    let mut out = open_output(a.output.as_deref())?;
    for o in &outputs {
        writeln!(out, "{o}")?;
    }
    out.flush()?;
    let errors = lines
        .iter()
        .filter(|l| matches!(l, Line::Error { .. }))
        .count();
    let queries = lines.len() - errors;
    let summary = json!({
        "entities": n_entities, "queries": queries, "errors": errors,
        "load_and_index_ms": build.as_secs_f64() * 1e3, "screening_ms": screening.as_secs_f64() * 1e3,
    });
    if a.json {
        eprintln!("{summary}");
    } else {
        eprintln!(
            "screened {queries} queries against {n_entities} entries in {:.1} ms ({errors} bad lines); lists loaded and indexed in {:.0} ms",
            screening.as_secs_f64() * 1e3,
            build.as_secs_f64() * 1e3
        );
    }
    if queries == 0 && errors > 0 {
        eprintln!("error: none of the {errors} input lines could be read");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_compare(a: CompareArgs) -> anyhow::Result<ExitCode> {
    let file = File::open(&a.input).with_context(|| format!("opening {}", a.input.display()))?;
    let rows = pairs::read_pairs(file).with_context(|| format!("{}", a.input.display()))?;
    let mut out = open_output(a.output.as_deref())?;
    let mut confusion = pairs::Confusion::default();
    let mut labelled = 0usize;
    let mut errors = 0usize;
    let results: Vec<Result<(pairs::Pair, f64, Explanation), pairs::PairError>> = rows
        .into_par_iter()
        .map(|r| {
            r.map(|p| {
                let (s, ex) = compare_names(p.schema, &p.name1, &p.name2);
                (p, s, ex)
            })
        })
        .collect();
    for r in results {
        let line = match r {
            Ok((p, score, ex)) => {
                let m = score >= a.threshold;
                if let Some(l) = p.label {
                    labelled += 1;
                    confusion.add(l, m);
                }
                json!({"id": p.row, "score": score, "match": m, "explanation": ex})
            }
            Err(e) => {
                errors += 1;
                json!({"id": e.row, "error": e.message})
            }
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    if labelled > 0 {
        if a.json {
            eprintln!(
                "{}",
                json!({"pairs": labelled, "errors": errors, "threshold": a.threshold, "f1": confusion.f1(), "precision": confusion.precision(), "recall": confusion.recall(), "confusion": confusion})
            );
        } else {
            eprintln!(
                "{labelled} labelled pairs ({errors} bad rows) at threshold {}: f1={:.3} p={:.3} r={:.3} (tp {} fp {} fn {} tn {})",
                a.threshold,
                confusion.f1(),
                confusion.precision(),
                confusion.recall(),
                confusion.tp,
                confusion.fp,
                confusion.fn_,
                confusion.tn
            );
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// CPU seconds of the calling thread, in nanoseconds resolution (first field
/// of /proc/thread-self/schedstat); 0 where unavailable.
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
) -> anyhow::Result<(f64, f64)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
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

pub fn bench(a: BenchArgs) -> anyhow::Result<ExitCode> {
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
        let mut w =
            BufWriter::new(File::create(p).with_context(|| format!("creating {}", p.display()))?);
        for (i, q) in queries.iter().enumerate() {
            writeln!(
                w,
                "{}",
                json!({"id": format!("b{i}"), "schema": q.schema, "properties": q.properties})
            )?;
        }
        w.flush()?;
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
    let mut lat: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(index.search(q, &opts));
            t.elapsed()
        })
        .collect();
    lat.sort();
    let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    let matched = queries
        .iter()
        .filter(|q| index.search(q, &opts).first().is_some_and(|r| r.is_match))
        .count();
    let (_, peak_rss) = rss_mb();
    drop(index);
    let pb = progress(a.scales.len() as u64, "scaling");
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
        pb.inc(1);
    }
    pb.finish_and_clear();
    let report = json!({
        "entities": n_entities, "queries": queries.len(), "queries_with_match": matched, "limit": a.limit,
        "lists_load_ms": load_ms, "index_build_ms_median": build_ms[build_ms.len() / 2],
        "queries_per_sec_per_core": per_core, "queries_per_cpu_second": per_cpu_second, "queries_per_sec_all_cores": all_cores, "cores": cores, "load_average": load,
        "latency_us_p50": p50, "latency_us_p99": p99,
        "rss_mb_after_build": rss_after_build, "rss_mb_peak": peak_rss,
        "scaling": scaling,
    });
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
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
    }
    Ok(ExitCode::SUCCESS)
}
