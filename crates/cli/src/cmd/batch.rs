//! `resolute batch`: one SQL job over Parquet, CSV or JSON Lines files with
//! Resolute's screening functions, embedded (default) or on a Ballista
//! cluster (`--cluster df://host:port`). See the `resolute-batch` crate.
//!
//! Progress goes to stderr: a bar on a terminal, otherwise one JSON object per
//! line (`{"rows","total","rows_per_s","eta_s","elapsed_s"}`); the summary at
//! the end is one line (JSON with `--json`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use resolute_batch::cluster::{embedded_context, remote_context};
use resolute_batch::job::{self, InputFormat, OutputFormat, Progress};
use resolute_batch::{Screening, ScreeningConfig, shorthand};
use serde_json::json;

/// Where the lists and the regime come from (the same on every process of a cluster).
#[derive(Debug, Clone, Args)]
pub struct ScreeningArgs {
    /// List files (UN XML, OFAC SDN CSV); repeat for several. Default: the bundled lists.
    #[arg(long = "list", value_name = "FILE")]
    pub lists: Vec<PathBuf>,
    /// Dated list versions (files or directories) for as-of screening, e.g. tests/fixtures/un.
    #[arg(long = "history", value_name = "FILE|DIR")]
    pub history: Vec<PathBuf>,
    /// Load the regime from this directory instead of the embedded copy.
    #[arg(long, value_name = "DIR")]
    pub regime_dir: Option<PathBuf>,
    /// `match` is true when score >= threshold.
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// At most this many hits per row.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Hits scoring below this are not reported.
    #[arg(long, default_value_t = 0.5)]
    pub cutoff: f64,
}

impl ScreeningArgs {
    pub fn load(&self) -> anyhow::Result<Arc<Screening>> {
        let config = ScreeningConfig {
            lists: self.lists.clone(),
            history: self.history.clone(),
            regime_dir: self.regime_dir.clone(),
            threshold: self.threshold,
            limit: self.limit,
            cutoff: self.cutoff,
        };
        Ok(Arc::new(Screening::load(&config)?))
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Parquet,
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, JSON lines otherwise.
    Auto,
    Bar,
    Json,
    None,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The input file, table `input` in the SQL (.parquet, .csv with a header, .jsonl).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// More tables: NAME=FILE (repeatable).
    #[arg(long = "table", value_name = "NAME=FILE")]
    pub tables: Vec<String>,
    /// The query, e.g. "SELECT id, screen_name('Person', name, nationality, dob, NULL) AS hits FROM input".
    #[arg(long, required_unless_present_any = ["names", "transactions", "as_of_designations"])]
    pub sql: Option<String>,
    /// Screen the input's names: its columns plus `hits` and `error` (columns found by
    /// name: schema, name, country|nationality, birth_date|dob, id_number).
    #[arg(long, conflicts_with_all = ["sql", "transactions", "as_of_designations"])]
    pub names: bool,
    /// Screen transactions: a JSON Lines file of transaction objects (the contract of
    /// `resolute screen`), or a table with a `json` column.
    #[arg(long, conflicts_with_all = ["sql", "as_of_designations"])]
    pub transactions: bool,
    /// Re-screen every row as of each designation date of the list history (--history),
    /// keeping hits on entries designated that day.
    #[arg(long, conflicts_with = "sql")]
    pub as_of_designations: bool,
    /// With --as-of-designations: only designations of programs starting with this (e.g. DPRK).
    #[arg(long)]
    pub program: Option<String>,
    /// Schema of the names when the input has no `schema` column.
    #[arg(long, default_value = "Person")]
    pub schema: String,
    /// Where to write the result (format by extension unless --format: Parquet by default).
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    #[command(flatten)]
    pub screening: ScreeningArgs,
    /// Run on a Ballista cluster (df://host:port of the scheduler) instead of in this process.
    /// Input paths must be readable at the same path on every executor.
    #[arg(long, value_name = "df://HOST:PORT")]
    pub cluster: Option<String>,
    /// Partitions: threads of the embedded engine, tasks per scan on a cluster; default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Progress reporting on stderr.
enum Reporter {
    Bar(ProgressBar),
    Json,
    Silent,
}

impl Reporter {
    fn new(mode: ProgressArg, total: Option<u64>) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        match mode {
            ProgressArg::None => Reporter::Silent,
            ProgressArg::Json => Reporter::Json,
            ProgressArg::Auto if !terminal => Reporter::Json,
            ProgressArg::Auto | ProgressArg::Bar => {
                let pb = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
                let template =
                    "{elapsed_precise} {bar:40} {human_pos}/{human_len} rows, {per_sec}, ETA {eta}";
                if let Ok(style) = ProgressStyle::with_template(template) {
                    pb.set_style(style);
                }
                Reporter::Bar(pb)
            }
        }
    }

    fn report(&self, p: &Progress) {
        match self {
            Reporter::Bar(pb) => pb.set_position(p.rows),
            Reporter::Json => {
                let secs = p.elapsed.as_secs_f64().max(1e-9);
                let rate = p.rows as f64 / secs;
                let eta = p
                    .total
                    .filter(|_| rate > 0.0)
                    .map(|t| (t.saturating_sub(p.rows)) as f64 / rate);
                eprintln!(
                    "{}",
                    json!({
                        "rows": p.rows,
                        "total": p.total,
                        "rows_per_s": (rate * 10.0).round() / 10.0,
                        "eta_s": eta.map(|e| (e * 10.0).round() / 10.0),
                        "elapsed_s": (secs * 1000.0).round() / 1000.0,
                    })
                );
            }
            Reporter::Silent => {}
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(pb) = self {
            pb.finish_and_clear();
        }
    }
}

fn output_format(a: &BatchArgs) -> OutputFormat {
    match a.format {
        Some(FormatArg::Parquet) => OutputFormat::Parquet,
        Some(FormatArg::Csv) => OutputFormat::Csv,
        Some(FormatArg::Jsonl) => OutputFormat::JsonLines,
        None => OutputFormat::of(&a.output),
    }
}

/// A temporary file next to `output`, removed on drop.
struct TempNext(PathBuf);

impl Drop for TempNext {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_next_to(output: &Path, suffix: &str) -> PathBuf {
    let mut name = output
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    output.with_file_name(name)
}

pub fn run(a: BatchArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(a))
}

async fn run_async(a: BatchArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let screening = a.screening.load()?;
    let loaded = started.elapsed();
    let ctx = match &a.cluster {
        None => {
            let threads = a.threads.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            });
            embedded_context(&screening, threads)
        }
        Some(url) => remote_context(url, &screening, a.threads).await?,
    };

    // Transactions in JSON Lines become a table with one `json` column first.
    let mut input = a.input.clone();
    let mut _converted = None;
    if a.transactions && InputFormat::of(&a.input)? == InputFormat::JsonLines {
        let temp = temp_next_to(&a.output, ".transactions.parquet");
        job::lines_to_parquet(&a.input, &temp)?;
        input = temp.clone();
        _converted = Some(TempNext(temp));
    }
    job::register_input(&ctx, "input", &input).await?;
    let mut inputs = vec![a.input.clone()];
    for t in &a.tables {
        let (name, path) = t
            .split_once('=')
            .with_context(|| format!("--table {t}: expected NAME=FILE"))?;
        job::register_input(&ctx, name, Path::new(path)).await?;
        inputs.push(PathBuf::from(path));
    }

    let table_schema = || async {
        let table = ctx.table("input").await?;
        anyhow::Ok(table.schema().as_arrow().clone())
    };
    let sql = if let Some(sql) = &a.sql {
        sql.clone()
    } else if a.names {
        shorthand::names_sql(&table_schema().await?, &a.schema)?
    } else if a.transactions {
        shorthand::transactions_sql(&table_schema().await?)?
    } else {
        let dates = screening.designation_dates(a.program.as_deref());
        shorthand::as_of_designations_sql(&table_schema().await?, &a.schema, &dates)?
    };
    let total = job::count_rows(&input).ok();
    let reporter = Reporter::new(a.progress, total);
    let mut on_progress = |p: &Progress| reporter.report(p);
    let summary = job::run_sql(
        &ctx,
        &sql,
        &job::Target {
            path: &a.output,
            format: output_format(&a),
            versions: screening.versions(),
        },
        &inputs,
        total,
        &mut on_progress,
    )
    .await;
    reporter.finish();
    let summary = summary?;
    let secs = summary.elapsed.as_secs_f64().max(1e-9);
    let report = json!({
        "output": summary.output,
        "rows": summary.rows,
        "input_rows": total,
        "seconds": (secs * 1000.0).round() / 1000.0,
        "rows_per_s": (summary.rows as f64 / secs).round(),
        "load_seconds": (loaded.as_secs_f64() * 1000.0).round() / 1000.0,
        "engine": if a.cluster.is_some() { "ballista" } else { "datafusion" },
        "versions": screening.versions(),
        "fingerprint": screening.fingerprint(),
    });
    if a.json {
        eprintln!("{report}");
    } else {
        eprintln!(
            "{} rows -> {} in {:.2} s ({:.0} rows/s); lists {}; {}",
            summary.rows,
            summary.output.display(),
            secs,
            summary.rows as f64 / secs,
            screening.versions().lists.join(", "),
            screening.versions().regime
        );
    }
    Ok(ExitCode::SUCCESS)
}
