//! `resolute match` and `resolute compare`.
//!
//! Output shapes (one JSON object per line, for scripts):
//! - match: `{"id", "results": [{"ref","id","caption","schema","score","match","explanations"}]}`;
//!   a line that cannot be read gives `{"id", "error"}` (the line's own `id`, else its
//!   line number as text, as in `resolute screen`) and the run goes on; when no line
//!   could be read the command exits 2.
//! - compare: `{"id": row from 1, "score", "match", "explanation"}` (or `{"id","error"}`).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use resolute_matching::{
    Explanation, MatchIndex, MatchOptions, MatchResult, Query, compare_names, pairs,
};
use resolute_model::{Entity, Schema};
use serde::Serialize;
use serde_json::{Value, json};

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
