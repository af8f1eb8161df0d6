//! `resolute`: the command-line front of Resolute.
//!
//! Each command group lives in its own module under `cmd/`; this file only
//! wires them into one clap tree.

use clap::{Parser, Subcommand};

mod cmd;

// List parsing and matching allocate many small strings; glibc malloc took a third
// of parse time in profiles (perf), mimalloc removes most of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resolute: UN DPRK sanctions compliance — lists, name screening, the regime
/// as dated rules, and transaction screening.
#[derive(Debug, Parser)]
#[command(name = "resolute", version, about, long_about = None, propagate_version = true)]
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
    /// Revenue covered by the measures, from trade flows.
    Impact(cmd::impact::ImpactArgs),
    /// Member-state implementation reports.
    #[command(subcommand)]
    Reports(cmd::impact::ReportsCmd),
    /// Screen a whole file with SQL (Parquet, CSV, JSON Lines), embedded or on a cluster.
    Batch(Box<cmd::batch::BatchArgs>),
    /// Run a Ballista scheduler or executor with Resolute's screening functions.
    #[command(subcommand)]
    Cluster(cmd::cluster::ClusterCmd),
    /// Benchmarks of the hot paths.
    #[command(subcommand)]
    Bench(cmd::BenchCmd),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RESOLUTE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
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
        Command::Impact(a) => cmd::impact::run_impact(a),
        Command::Reports(c) => cmd::impact::run_reports(c),
        Command::Batch(a) => cmd::batch::run(*a),
        Command::Cluster(c) => cmd::cluster::run(c),
        Command::Bench(c) => cmd::run_bench(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
