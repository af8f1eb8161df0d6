//! `resolute screen`.

use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use resolute_casework::transactions::{TxItem, outcome_json, parse_item};
use resolute_casework::{Casework, Engine};
use resolute_lists::ListVersion;
use resolute_regime::Effect;
use resolute_screening::{LineResult, ListScreener, PartyScreener, Screener};
use resolute_store::{Store, StoreOptions};
use serde_json::json;

use super::regime::load_regime;

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Transactions, one JSON object per line (`-` for stdin).
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the decisions (JSONL); stdout if absent.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// List files to screen parties against (UN XML, OFAC SDN CSV); the bundled lists if none.
    #[arg(long = "list", num_args = 1..)]
    pub lists: Vec<PathBuf>,
    /// Do not screen parties against any list (regime rules only).
    #[arg(long, conflicts_with = "lists")]
    pub no_lists: bool,
    /// Load the regime from this directory instead of the embedded copy.
    #[arg(long, value_name = "DIR")]
    pub regime_dir: Option<PathBuf>,
    /// Draw quantity caps against the cap ledger of the service's store in DIR
    /// (opening amounts and earlier screenings count), honour its false-positive
    /// decisions (suppressed party matches), and record this screening there:
    /// per batch of lines, one audit record with its cap draws.
    /// Without it, caps are drawn down within this input only.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print a JSON summary (counts per decision) to stderr at the end.
    #[arg(long)]
    pub json: bool,
}

fn load_versions(paths: &[PathBuf]) -> anyhow::Result<Vec<ListVersion>> {
    Ok(if paths.is_empty() {
        resolute_lists::bundled().context("loading the bundled lists")?
    } else {
        paths
            .iter()
            .map(|p| {
                resolute_lists::load_file(p).with_context(|| format!("loading {}", p.display()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    })
}

fn progress(len: Option<u64>) -> ProgressBar {
    let pb = match len {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    if std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {pos} transactions {per_sec} {elapsed}")
        {
            pb.set_style(style);
        }
    } else {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb
}

pub fn run(a: ScreenArgs) -> anyhow::Result<ExitCode> {
    let input: Box<dyn BufRead> = if a.input.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(
            std::fs::File::open(&a.input)
                .with_context(|| format!("cannot open {}", a.input.display()))?,
        ))
    };
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut counts = Counts::default();
    let pb = progress(None);
    let started = Instant::now();
    let mut lines = input
        .lines()
        .enumerate()
        .filter_map(|(i, line)| match line {
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(Ok((i + 1, l))),
            Err(e) => Some(Err(anyhow::Error::new(e).context(format!(
                "{}: cannot read line {}",
                a.input.display(),
                i + 1
            )))),
        });
    let mut emit = |result: &LineResult, out: &mut dyn Write| -> anyhow::Result<()> {
        counts.add(result);
        serde_json::to_writer(&mut *out, &outcome_json(result))?;
        out.write_all(b"\n")?;
        pb.inc(1);
        Ok(())
    };
    let regime = load_regime(a.regime_dir.as_deref())?;
    let versions = if a.no_lists {
        Vec::new()
    } else {
        load_versions(&a.lists)?
    };
    let list_ids: Vec<String> = versions.iter().map(ListVersion::id).collect();
    let mut recorded = None;
    match &a.data_dir {
        None => {
            let entities = versions.into_iter().flat_map(|v| v.entities).collect();
            let lists = (!a.no_lists).then(|| ListScreener::new(entities));
            let parties = lists.as_ref().map(|s| s as &dyn PartyScreener);
            let mut screener = Screener::new(&regime, parties);
            for line in lines {
                let (line_no, text) = line?;
                let result = match parse_item(&TxItem::line(line_no, &text), 0, &regime) {
                    Ok(tx) => LineResult::Decision(screener.screen(&tx)),
                    Err(unreadable) => unreadable,
                };
                emit(&result, &mut out)?;
            }
        }
        Some(dir) => {
            // Recorded: the same workflow as `POST /screen` (cases, cap ledger,
            // suppressions, one audit record per batch of lines).
            let store = Store::open(dir, StoreOptions::default())
                .with_context(|| format!("opening the store in {}", dir.display()))?;
            let mut engine = Engine::build(
                versions.into_iter().map(std::sync::Arc::new).collect(),
                Some(std::sync::Arc::new(regime)),
                Vec::new(),
            );
            if let Some(d) = &a.regime_dir {
                engine = engine.with_regime_version(format!("dir:{}", d.display()));
            }
            if a.no_lists {
                engine = engine.without_lists_by_choice();
            }
            let casework = Casework::open(store.clone(), engine)?;
            let actor = format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            );
            let source = a.input.display().to_string();
            let (mut batches, mut draws, mut cases) = (0u64, 0usize, 0usize);
            loop {
                let batch: Vec<TxItem> = lines
                    .by_ref()
                    .take(RECORD_BATCH)
                    .map(|l| l.map(|(no, text)| TxItem::line(no, &text)))
                    .collect::<anyhow::Result<_>>()?;
                if batch.is_empty() {
                    break;
                }
                let done = casework
                    .screen_transactions(&batch, Some(&source), &actor)
                    .with_context(|| {
                        format!(
                            "recording a batch of {source} in {}",
                            store.path().display()
                        )
                    })?;
                batches += 1;
                draws += done.cap_draws.len();
                cases += done.cases.len();
                for result in &done.outcomes {
                    emit(result, &mut out)?;
                }
            }
            store.close();
            recorded = Some(
                json!({"data_dir": dir, "audit_records": batches, "cap_draws": draws, "cases": cases}),
            );
        }
    }
    out.flush()?;
    pb.finish_and_clear();
    let Counts {
        prohibited,
        review,
        permitted,
        errors,
    } = counts;
    let summary = json!({
        "prohibited": prohibited, "review": review, "permitted": permitted, "errors": errors,
        "lists": list_ids,
        "seconds": started.elapsed().as_secs_f64(),
        "recorded": recorded,
    });
    if a.json {
        eprintln!("{summary}");
    } else {
        eprintln!(
            "screened {} transactions: {prohibited} prohibited, {review} review, {permitted} permitted, {errors} unreadable",
            prohibited + review + permitted + errors
        );
        if let Some(r) = &recorded {
            eprintln!(
                "recorded in {}: {} audit records, {} cases opened, {} cap draws",
                a.data_dir
                    .as_deref()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default(),
                r["audit_records"],
                r["cases"],
                r["cap_draws"]
            );
        }
    }
    if errors > 0 && prohibited + review + permitted == 0 {
        eprintln!("error: none of the {errors} input lines could be screened");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Default)]
struct Counts {
    prohibited: u64,
    review: u64,
    permitted: u64,
    errors: u64,
}

impl Counts {
    fn add(&mut self, r: &LineResult) {
        match r {
            LineResult::Decision(d) => match d.decision {
                Effect::Prohibited => self.prohibited += 1,
                Effect::Review => self.review += 1,
                Effect::Permitted => self.permitted += 1,
            },
            LineResult::Error { .. } => self.errors += 1,
        }
    }
}

/// Lines per audit record when screening against a store.
const RECORD_BATCH: usize = 100;
