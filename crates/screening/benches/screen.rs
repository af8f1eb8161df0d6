//! Benchmark of transaction screening, out of the product binary:
//!
//! ```sh
//! cargo bench -p resolute-screening --bench screen -- [--declarations N] [--with-parties N] [--list FILE]… [--json]
//! ```
//!
//! Two runs on one thread, on synthetic goods declarations (the same generator
//! and seed as `resolute bench screen` (f7f5d82 and earlier), so the figures compare):
//! 1. rule evaluation only (no party screening), 2,000,000 declarations by default;
//! 2. with party screening: two parties per declaration against the bundled UN
//!    and OFAC lists (or `--list` files), 2,000 declarations by default.
//!
//! It prints the rate per second on one core and the decision counts; with
//! `--json` the same figures as `resolute bench screen --json`. It also prints
//! the thread's CPU time for each run (Linux, from /proc/thread-self/stat):
//! on a shared machine wall time includes waiting for a core, so compare
//! declarations per CPU-second between builds.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use resolute_regime::{Effect, HsEdition, Regime, hs};
use resolute_screening::tx::RawParty;
use resolute_screening::{ListScreener, PartyScreener, RawTransaction, Screener, Transaction};
use serde_json::json;

struct Args {
    declarations: usize,
    with_parties: usize,
    lists: Vec<PathBuf>,
    json: bool,
}

const USAGE: &str = "usage: cargo bench -p resolute-screening --bench screen -- \
[--declarations N] [--with-parties N] [--list FILE]... [--json]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        declarations: 2_000_000,
        with_parties: 2_000,
        lists: Vec::new(),
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let v = it.next().ok_or(format!("{name}: missing value"))?;
            v.replace('_', "")
                .parse()
                .map_err(|_| format!("{name}: {v:?} is not a number"))
        };
        match a.as_str() {
            "--declarations" => args.declarations = number("--declarations")?,
            "--with-parties" => args.with_parties = number("--with-parties")?,
            "--list" => {
                let v = it.next().ok_or("--list: missing file")?;
                args.lists.push(PathBuf::from(v));
            }
            "--json" => args.json = true,
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// xorshift64: the generator `resolute bench screen` uses, for the same declarations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len().max(1) as u64) as usize]
    }
}

/// Goods declarations: a third on HS codes the regime covers, the rest drawn
/// from the HS 2017 subheadings; dates 2016–2019; 30 % to or from the DPRK.
fn synthetic_declarations(
    regime: &Regime,
    n: usize,
    names: &[String],
) -> Result<Vec<Transaction>, String> {
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
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).ok_or("start date")?;
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
                parties.push(RawParty {
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
        let tx = Transaction::from_raw(raw, regime)
            .map_err(|e| format!("synthetic declaration {i}: {e}"))?;
        out.push(tx);
    }
    Ok(out)
}

fn load_lists(paths: &[PathBuf]) -> Result<(ListScreener, Vec<String>), String> {
    let versions = if paths.is_empty() {
        resolute_lists::bundled().map_err(|e| format!("loading the bundled lists: {e}"))?
    } else {
        paths
            .iter()
            .map(|p| resolute_lists::load_file(p).map_err(|e| format!("{}: {e}", p.display())))
            .collect::<Result<Vec<_>, _>>()?
    };
    let ids = versions.iter().map(|v| v.id()).collect();
    let entities = versions.into_iter().flat_map(|v| v.entities).collect();
    Ok((ListScreener::new(entities), ids))
}

/// CPU seconds (user + system) of the calling thread, in clock ticks of 10 ms;
/// `None` where /proc is not available.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // utime and stime are fields 14 and 15, the 12th and 13th after the command name.
    let after = stat.rsplit_once(')')?.1;
    let mut fields = after.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Runs `f`, returning its result with the wall and CPU seconds it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let cpu = thread_cpu_seconds();
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    (out, wall, cpu)
}

fn per_cpu_second(n: usize, cpu: Option<f64>) -> Option<f64> {
    cpu.filter(|c| *c > 0.0).map(|c| (n as f64 / c).round())
}

fn run(a: &Args) -> Result<String, String> {
    let regime = Regime::embedded().map_err(|e| e.to_string())?;
    // 1. Rule evaluation only, one thread.
    let txs = synthetic_declarations(&regime, a.declarations, &[])?;
    let mut screener = Screener::new(&regime, None);
    let mut counts = [0u64; 3];
    let ((), rules_secs, rules_cpu) = timed(|| {
        for tx in &txs {
            let d = screener.screen(tx);
            counts[d.decision as usize] += 1;
        }
    });
    let rules_rate = txs.len() as f64 / rules_secs;

    // 2. With party screening (two names per declaration, a fifth of them listed names).
    let t_load = Instant::now();
    let (lists, list_ids) = load_lists(&a.lists)?;
    let load_secs = t_load.elapsed().as_secs_f64();
    let mut names: Vec<String> = (0..800)
        .map(|i| format!("Example Trading Company {i} Limited"))
        .collect();
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
    names.extend(listed);
    let ptxs = synthetic_declarations(&regime, a.with_parties, &names)?;
    let mut pscreener = Screener::new(&regime, Some(&lists as &dyn PartyScreener));
    let mut pcounts = [0u64; 3];
    let mut matched = 0u64;
    let ((), party_secs, party_cpu) = timed(|| {
        for tx in &ptxs {
            let d = pscreener.screen(tx);
            pcounts[d.decision as usize] += 1;
            matched += d.matches.len() as u64;
        }
    });
    let party_rate = ptxs.len() as f64 / party_secs;
    let cpu_label = |cpu: Option<f64>, n: usize| match (cpu, per_cpu_second(n, cpu)) {
        (Some(c), Some(rate)) => format!("; {c:.2} CPU s = {rate:.0} per CPU-second"),
        _ => String::new(),
    };

    if a.json {
        let report = json!({
            "rules_only": {
                "declarations": txs.len(), "seconds": rules_secs, "per_second_per_core": rules_rate.round(),
                "cpu_seconds": rules_cpu, "per_cpu_second": per_cpu_second(txs.len(), rules_cpu),
                "permitted": counts[Effect::Permitted as usize], "review": counts[Effect::Review as usize], "prohibited": counts[Effect::Prohibited as usize],
            },
            "with_party_screening": {
                "declarations": ptxs.len(), "parties_per_declaration": 2, "seconds": party_secs, "per_second_per_core": party_rate.round(),
                "cpu_seconds": party_cpu, "per_cpu_second": per_cpu_second(ptxs.len(), party_cpu),
                "list_entities": lists.len(), "lists": list_ids, "list_load_and_index_seconds": load_secs, "party_matches": matched,
                "permitted": pcounts[Effect::Permitted as usize], "review": pcounts[Effect::Review as usize], "prohibited": pcounts[Effect::Prohibited as usize],
            },
            "threads": 1,
            "target_rules_only_per_second_per_core": 1_000_000,
        });
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        return Ok(text + "\n");
    }
    Ok(format!(
        "rule evaluation (no party screening): {} declarations in {:.3} s = {:.0} declarations/s on 1 core (target ≥ 1,000,000){}\n  \
         decisions: {} permitted, {} review, {} prohibited\n\
         with party screening (2 parties each, {} list entities): {} declarations in {:.3} s = {:.0} declarations/s on 1 core; {} matches{}\n  \
         lists loaded and indexed in {load_secs:.2} s: {}\n",
        txs.len(),
        rules_secs,
        rules_rate,
        cpu_label(rules_cpu, txs.len()),
        counts[0],
        counts[1],
        counts[2],
        lists.len(),
        ptxs.len(),
        party_secs,
        party_rate,
        matched,
        cpu_label(party_cpu, ptxs.len()),
        list_ids.join(", ")
    ))
}

fn main() -> ExitCode {
    match parse_args().and_then(|a| run(&a)) {
        Ok(text) => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // A closed pipe (`| head`) is not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("bench screen: writing the report: {e}");
                ExitCode::from(2)
            }
            _ => ExitCode::SUCCESS,
        },
        Err(e) => {
            eprintln!("bench screen: {e}");
            ExitCode::from(2)
        }
    }
}
