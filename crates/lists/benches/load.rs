//! How long a list load takes: `cargo bench -p resolute-lists --bench load -- [ARGS]`.
//!
//! ```text
//! load [FILES...] [--runs N] [--threads 1,2] [--json]
//! ```
//!
//! Prints, per file and `--threads` setting, what `resolute bench lists` (f7f5d82 and earlier)
//! printed (the same JSON fields, so `scripts/bench-lists.py` reads either):
//! the load (`load_bytes_with`: format detection, parse into the entity
//! model, SHA-256 content hash, summary), the parse alone
//! (`parse_bytes_with`), and the hash alone. `--threads 2` computes the hash
//! on a second thread while the file is parsed; the parse itself is always
//! on one thread. Runs of each setting alternate, so load from other
//! processes affects them alike; freeing the result is not timed. Default
//! files: the bundled UN list and OFAC SDN file.

use std::process::ExitCode;
use std::time::Instant;

use resolute_lists::{LoadOptions, bundled_bytes, content_hash, load_bytes_with, parse_bytes_with};

#[derive(Debug)]
struct Args {
    files: Vec<String>,
    runs: usize,
    threads: Vec<usize>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        files: Vec::new(),
        runs: 20,
        threads: vec![1, 2],
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            // `cargo bench` adds `--bench`.
            "--bench" => {}
            "--json" => args.json = true,
            "--runs" => {
                let n = it.next().ok_or("--runs needs a number")?;
                args.runs = n
                    .parse()
                    .map_err(|_| format!("--runs {n:?}: not a number"))?;
            }
            "--threads" => {
                let list = it.next().ok_or("--threads needs a list such as 1,2")?;
                args.threads = list
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|n| (1..=2).contains(n))
                    })
                    .collect::<Option<_>>()
                    .ok_or(format!("--threads {list:?}: expected 1, 2 or 1,2"))?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => args.files.push(file.to_string()),
        }
    }
    args.threads.dedup();
    args.runs = args.runs.max(1);
    Ok(args)
}

/// One file and `--threads` setting (the JSON of `resolute bench lists`).
#[derive(Debug, serde::Serialize)]
struct BenchResult {
    file: String,
    threads: usize,
    bytes: usize,
    entities: usize,
    runs: usize,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
    mb_per_s: f64,
    parse_median_ms: f64,
    parse_min_ms: f64,
    hash_ms: f64,
}

/// Sorts `times` and gives their median.
fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn bench_file(name: &str, bytes: &[u8], args: &Args) -> Result<Vec<BenchResult>, String> {
    let options: Vec<LoadOptions> = args
        .threads
        .iter()
        .map(|&n| LoadOptions {
            threads: Some(n),
            ..LoadOptions::default()
        })
        .collect();
    // One untimed run per setting, which also checks that the file loads.
    let mut entities = 0;
    for o in &options {
        entities = load_bytes_with(name, bytes, o)
            .map_err(|e| e.to_string())?
            .entities
            .len();
    }
    let mut loads = vec![Vec::with_capacity(args.runs); options.len()];
    let mut parses = vec![Vec::with_capacity(args.runs); options.len()];
    for _ in 0..args.runs {
        for ((o, load), parse) in options.iter().zip(&mut loads).zip(&mut parses) {
            let start = Instant::now();
            let v = load_bytes_with(name, bytes, o);
            load.push(ms_since(start));
            drop(std::hint::black_box(v));
            let start = Instant::now();
            let p = parse_bytes_with(name, bytes, o);
            parse.push(ms_since(start));
            drop(std::hint::black_box(p));
        }
    }
    let mut hashes: Vec<f64> = (0..args.runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(content_hash(bytes));
            ms_since(start)
        })
        .collect();
    let hash_ms = median(&mut hashes);
    let rows = args.threads.iter().zip(loads).zip(parses);
    Ok(rows
        .map(|((&threads, mut load), mut parse)| {
            let median_ms = median(&mut load);
            BenchResult {
                file: name.to_string(),
                threads,
                bytes: bytes.len(),
                entities,
                runs: args.runs,
                median_ms,
                min_ms: load[0],
                max_ms: load[load.len() - 1],
                mb_per_s: bytes.len() as f64 / 1e6 / (median_ms / 1e3),
                parse_median_ms: median(&mut parse),
                parse_min_ms: parse[0],
                hash_ms,
            }
        })
        .collect())
}

fn print_table(results: &[BenchResult], runs: usize) {
    println!(
        "{:<48} {:>7} {:>9} {:>8} {:>10} {:>9} {:>9} {:>8} {:>9} {:>10}",
        "file",
        "threads",
        "bytes",
        "entities",
        "median ms",
        "min ms",
        "max ms",
        "MB/s",
        "parse ms",
        "SHA-256"
    );
    for r in results {
        println!(
            "{:<48} {:>7} {:>9} {:>8} {:>10.2} {:>9.2} {:>9.2} {:>8.1} {:>9.2} {:>7.2} ms",
            r.file,
            r.threads,
            r.bytes,
            r.entities,
            r.median_ms,
            r.min_ms,
            r.max_ms,
            r.mb_per_s,
            r.parse_median_ms,
            r.hash_ms
        );
    }
    println!(
        "(median of {runs} runs each: the load = detect the format, parse into the entity model, \
         SHA-256 content hash (on a second thread with 2 threads); `parse ms` = the parse alone; \
         the SHA-256 column is the hash alone, on one thread; freeing the result is not timed)"
    );
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\nusage: load [FILES...] [--runs N] [--threads 1,2] [--json]");
            return ExitCode::from(2);
        }
    };
    let inputs: Result<Vec<(String, Vec<u8>)>, String> = if args.files.is_empty() {
        Ok(bundled_bytes()
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect())
    } else {
        args.files
            .iter()
            .map(|f| {
                std::fs::read(f)
                    .map(|bytes| (f.clone(), bytes))
                    .map_err(|e| format!("{f}: {e}"))
            })
            .collect()
    };
    let results: Result<Vec<BenchResult>, String> = inputs.and_then(|inputs| {
        let mut all = Vec::new();
        for (name, bytes) in &inputs {
            all.extend(bench_file(name, bytes, &args)?);
        }
        Ok(all)
    });
    let results = match results {
        Ok(results) => results,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&results) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_table(&results, args.runs);
    }
    ExitCode::SUCCESS
}
