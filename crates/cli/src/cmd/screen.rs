//! `resolute screen` and `resolute bench screen`.

use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use resolute_casework::transactions::{TxItem, outcome_json, parse_item};
use resolute_casework::{Casework, Engine};
use resolute_lists::ListVersion;
use resolute_regime::{Effect, HsEdition, Regime, hs};
use resolute_screening::{
    LineResult, ListScreener, PartyScreener, RawTransaction, Screener, Transaction,
};
use resolute_store::{Store, StoreOptions};
use serde_json::json;

use super::Rng;
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

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Goods declarations for the rule-evaluation run (no party screening).
    #[arg(long, default_value_t = 2_000_000)]
    pub declarations: usize,
    /// Goods declarations for the run with party screening (two parties each).
    #[arg(long, default_value_t = 2_000)]
    pub with_parties: usize,
    /// List files for the party run; the bundled lists if none.
    #[arg(long = "list", num_args = 1..)]
    pub lists: Vec<PathBuf>,
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

fn load_lists(paths: &[PathBuf]) -> anyhow::Result<(ListScreener, Vec<String>)> {
    let versions = load_versions(paths)?;
    let ids = versions.iter().map(|v| v.id()).collect();
    let entities = versions.into_iter().flat_map(|v| v.entities).collect();
    Ok((ListScreener::new(entities), ids))
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

/// Goods declarations: a third on HS codes the regime covers, the rest drawn
/// from the HS 2017 subheadings; dates 2016–2019; 30 % to or from the DPRK.
fn synthetic_declarations(
    regime: &Regime,
    n: usize,
    names: &[String],
) -> anyhow::Result<Vec<Transaction>> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut subheadings: Vec<&str> = hs::nomenclature(HsEdition::Hs2017)
        .entries()
        .filter(|e| e.level == 6 && !e.code.starts_with("99"))
        .map(|e| e.code.as_str())
        .collect();
    subheadings.sort_unstable();
    let covered = [
        "270112", "270119", "030389", "160510", "620342", "610910", "271019", "270900", "260111",
        "260700", "870421", "930190", "890190", "570110", "970300",
    ];
    let countries = ["KP", "KP", "KP", "CN", "CN", "RU", "JP", "DE", "US", "IN"];
    let units = [
        ("t", 1000.0),
        ("kg", 50_000.0),
        ("bbl", 20_000.0),
        ("item", 100.0),
    ];
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).context("date")?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let hs_code = if rng.next().is_multiple_of(3) {
            *rng.pick(&covered)
        } else {
            *rng.pick(&subheadings)
        };
        let date = start + chrono::Days::new(rng.next() % 1461);
        let (from, to) = (*rng.pick(&countries), *rng.pick(&countries));
        let (unit, scale) = *rng.pick(&units);
        let mut parties = Vec::new();
        if !names.is_empty() {
            for role in ["exporter", "importer"] {
                parties.push(resolute_screening::tx::RawParty {
                    role: Some(role.into()),
                    name: Some(rng.pick(names).clone()),
                    country: None,
                    bic: None,
                });
            }
        }
        let raw = RawTransaction {
            id: Some(json!(i)),
            kind: Some("goods".into()),
            date: Some(date.to_string()),
            hs_code: Some(hs_code.into()),
            origin: Some(from.into()),
            from: Some(from.into()),
            to: Some(to.into()),
            quantity: Some((rng.next() % 1000) as f64 / 1000.0 * scale),
            unit: Some(unit.into()),
            value_usd: Some((rng.next() % 1_000_000) as f64),
            parties,
            ..Default::default()
        };
        out.push(
            Transaction::from_raw(raw, regime)
                .map_err(|e| anyhow::anyhow!("synthetic declaration {i}: {e}"))?,
        );
    }
    Ok(out)
}

pub fn bench(a: BenchArgs) -> anyhow::Result<ExitCode> {
    let regime = Regime::embedded()?;
    // 1. Rule evaluation only, one thread.
    let txs = synthetic_declarations(&regime, a.declarations, &[])?;
    let mut screener = Screener::new(&regime, None);
    let mut counts = [0u64; 3];
    let t = Instant::now();
    for tx in &txs {
        let d = screener.screen(tx);
        counts[d.decision as usize] += 1;
    }
    let rules_secs = t.elapsed().as_secs_f64();
    let rules_rate = txs.len() as f64 / rules_secs;

    // 2. With party screening (two names per declaration, a fifth of them listed names).
    let t_load = Instant::now();
    let (lists, list_ids) = load_lists(&a.lists)?;
    let load_secs = t_load.elapsed().as_secs_f64();
    let mut names: Vec<String> = Vec::new();
    let listed: Vec<String> = resolute_lists::bundled()
        .map(|v| {
            v.into_iter()
                .flat_map(|l| l.entities)
                .filter(|e| e.in_program("DPRK"))
                .map(|e| e.caption)
                .take(200)
                .collect()
        })
        .unwrap_or_default();
    for i in 0..800 {
        names.push(format!("Example Trading Company {i} Limited"));
    }
    names.extend(listed);
    let ptxs = synthetic_declarations(&regime, a.with_parties, &names)?;
    let mut pscreener = Screener::new(&regime, Some(&lists as &dyn PartyScreener));
    let mut pcounts = [0u64; 3];
    let mut matched = 0u64;
    let t = Instant::now();
    for tx in &ptxs {
        let d = pscreener.screen(tx);
        pcounts[d.decision as usize] += 1;
        matched += d.matches.len() as u64;
    }
    let party_secs = t.elapsed().as_secs_f64();
    let party_rate = ptxs.len() as f64 / party_secs;
    let report = json!({
        "rules_only": {
            "declarations": txs.len(), "seconds": rules_secs, "per_second_per_core": rules_rate.round(),
            "permitted": counts[Effect::Permitted as usize], "review": counts[Effect::Review as usize], "prohibited": counts[Effect::Prohibited as usize],
        },
        "with_party_screening": {
            "declarations": ptxs.len(), "parties_per_declaration": 2, "seconds": party_secs, "per_second_per_core": party_rate.round(),
            "list_entities": lists.len(), "lists": list_ids, "list_load_and_index_seconds": load_secs, "party_matches": matched,
            "permitted": pcounts[Effect::Permitted as usize], "review": pcounts[Effect::Review as usize], "prohibited": pcounts[Effect::Prohibited as usize],
        },
        "threads": 1,
        "target_rules_only_per_second_per_core": 1_000_000,
    });
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "rule evaluation (no party screening): {} declarations in {:.3} s = {:.0} declarations/s on 1 core (target ≥ 1,000,000)",
            txs.len(),
            rules_secs,
            rules_rate
        );
        println!(
            "  decisions: {} permitted, {} review, {} prohibited",
            counts[0], counts[1], counts[2]
        );
        println!(
            "with party screening (2 parties each, {} list entities): {} declarations in {:.3} s = {:.0} declarations/s on 1 core; {} matches",
            lists.len(),
            ptxs.len(),
            party_secs,
            party_rate,
            matched
        );
        println!(
            "  lists loaded and indexed in {load_secs:.2} s: {}",
            list_ids.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
