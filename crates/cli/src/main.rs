//! `resolute`: the command-line front of Resolute.
//!
//! Each command group lives in its own module under `cmd/`; this file only
//! wires them into one clap tree.

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

/// `println!` that returns the write error instead of panicking, so a
/// command whose reader went away (`resolute … | head`) ends quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod cmd;

// List parsing and matching allocate many small strings; glibc malloc took a third
// of parse time in profiles (perf), mimalloc removes most of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resolute: UN DPRK sanctions compliance — lists, name screening, the regime
/// as dated rules, and transaction screening.
#[derive(Debug, Parser)]
#[command(
    name = "resolute",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit status: 0 done; 1 the answer is no (no such list entry, the audit chain does \
                  not verify, …); 2 an error (bad arguments, an unreadable file, no input line \
                  could be read, the store refused)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect, diff and show sanctions lists (UN Consolidated List XML, OFAC SDN CSV).
    #[command(subcommand)]
    Lists(cmd::lists::ListsCmd),
    /// Screen names (FtM-shaped JSONL queries) against the lists.
    Match(cmd::matching::MatchArgs),
    /// Score labelled name pairs from a CSV (schema,name1,name2).
    Compare(cmd::matching::CompareArgs),
    /// Query the DPRK sanctions regime: measures in force, changes, what applies to a good.
    #[command(subcommand)]
    Regime(cmd::regime::RegimeCmd),
    /// Screen transactions (JSONL) against the regime and the lists.
    Screen(cmd::screen::ScreenArgs),
    /// Run the HTTP service and web UI.
    Serve(cmd::service::ServeArgs),
    /// Manage API keys of the service.
    #[command(subcommand)]
    Keys(cmd::service::KeysCmd),
    /// Verify the tamper-evident audit log.
    #[command(subcommand)]
    Audit(cmd::service::AuditCmd),
    /// Copy a data directory's database while the service runs (SQLite online backup).
    Backup(cmd::backup::BackupArgs),
    /// Restore a backup into a data directory, verifying its audit chain first.
    Restore(cmd::backup::RestoreArgs),
    /// Whether a party is owned or controlled by designated parties, with the paths.
    Exposure(cmd::graph::ExposureArgs),
    /// The ownership and control graph: import edges (BODS, analyst files), inspect it.
    #[command(subcommand)]
    Graph(cmd::graph::GraphCmd),
    /// Revenue covered by the measures, from trade flows.
    Impact(cmd::impact::ImpactArgs),
    /// Member-state implementation reports.
    #[command(subcommand)]
    Reports(cmd::impact::ReportsCmd),
    /// AIS input in the store: ingest NMEA or NOAA files, list vessel events.
    #[command(subcommand)]
    Ais(cmd::ais::AisCmd),
    /// A vessel's AIS identity history and list matches.
    #[command(subcommand)]
    Vessel(cmd::ais::VesselCmd),
    /// Screen a whole file with SQL (Parquet, CSV, JSON Lines), embedded or on a cluster.
    #[cfg(feature = "batch")]
    Batch(Box<cmd::batch::BatchArgs>),
    /// Run a Ballista scheduler or executor with Resolute's screening functions.
    #[cfg(feature = "batch")]
    #[command(subcommand)]
    Cluster(cmd::cluster::ClusterCmd),
    /// `batch` and `cluster` in a build without them: say how to get them.
    #[cfg(not(feature = "batch"))]
    #[command(
        name = "batch",
        alias = "cluster",
        hide = true,
        disable_help_flag = true
    )]
    BatchUnavailable {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        _args: Vec<String>,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RESOLUTE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lists(c) => cmd::lists::run(c),
        Command::Match(a) => cmd::matching::run_match(a),
        Command::Compare(a) => cmd::matching::run_compare(a),
        Command::Regime(c) => cmd::regime::run(c),
        Command::Screen(a) => cmd::screen::run(a),
        Command::Serve(a) => cmd::service::run_serve(a),
        Command::Keys(c) => cmd::service::run_keys(c),
        Command::Audit(c) => cmd::service::run_audit(c),
        Command::Backup(a) => cmd::backup::run_backup(a),
        Command::Restore(a) => cmd::backup::run_restore(a),
        Command::Exposure(a) => cmd::graph::run_exposure(a),
        Command::Graph(c) => cmd::graph::run(c),
        Command::Impact(a) => cmd::impact::run_impact(a),
        Command::Reports(c) => cmd::impact::run_reports(c),
        Command::Ais(c) => cmd::ais::run_ais(c),
        Command::Vessel(c) => cmd::ais::run_vessel(c),
        #[cfg(feature = "batch")]
        Command::Batch(a) => cmd::batch::run(*a),
        #[cfg(feature = "batch")]
        Command::Cluster(c) => cmd::cluster::run(c),
        #[cfg(not(feature = "batch"))]
        Command::BatchUnavailable { .. } => Err(anyhow::anyhow!(
            "batch screening (`resolute batch`, `resolute cluster`) is not in this build: \
             build with `cargo build --release -p resolute-cli --features batch`"
        )),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away (`| head`): nothing more to say.
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            std::process::ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = Some(std::io::ErrorKind::BrokenPipe);
    e.chain().any(|cause| {
        // serde_json wraps the io::Error without exposing it as a source.
        cause.downcast_ref::<std::io::Error>().map(|io| io.kind()) == broken
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == broken
    })
}

/// The error and its causes, each said once: a library error that already
/// quotes its source (`cannot read x: No such file…`) does not get it twice.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
