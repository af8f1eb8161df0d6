//! `resolute cluster scheduler|executor`: Apache DataFusion Ballista's
//! scheduler and executor processes with Resolute's screening functions
//! registered. Every process loads the lists and regime itself (the same
//! `--list`/`--history`/`--regime-dir` everywhere); a job whose plan was made
//! with other versions is refused (see `resolute_batch::cluster`).

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use resolute_batch::cluster::{self, ExecutorOptions, Liveness};

use super::batch::ScreeningArgs;

#[derive(Debug, Subcommand)]
pub enum ClusterCmd {
    /// Run a Ballista scheduler (clients connect with `resolute batch --cluster df://HOST:PORT`).
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor that takes tasks from a scheduler.
    Executor(ExecutorArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LivenessArgs {
    /// Seconds without a heartbeat after which an executor counts as dead and its tasks are rerun.
    #[arg(long, default_value_t = 20)]
    pub executor_timeout: u64,
    /// Seconds between heartbeats (executor) and between dead-executor checks (scheduler).
    #[arg(long, default_value_t = 5)]
    pub heartbeat: u64,
}

impl LivenessArgs {
    fn liveness(&self) -> Liveness {
        Liveness {
            executor_timeout_seconds: self.executor_timeout,
            heartbeat_seconds: self.heartbeat,
        }
    }
}

#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// Address to listen on (gRPC, for clients and executors).
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub bind: SocketAddr,
    /// The host name executors and clients reach this scheduler by (default: the bind address).
    #[arg(long)]
    pub external_host: Option<String>,
    #[command(flatten)]
    pub screening: ScreeningArgs,
    #[command(flatten)]
    pub liveness: LivenessArgs,
}

#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler, df://HOST:PORT.
    #[arg(long, default_value = "df://127.0.0.1:50050")]
    pub scheduler: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_host: String,
    /// The host name the scheduler and clients reach this executor by (default: the bind host).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Arrow Flight port (results and shuffle data).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks at once (one per core); 0: all cores.
    #[arg(long, default_value_t = 0)]
    pub concurrent_tasks: usize,
    /// Directory for shuffle files (default: a temporary directory).
    #[arg(long)]
    pub work_dir: Option<String>,
    #[command(flatten)]
    pub screening: ScreeningArgs,
    #[command(flatten)]
    pub liveness: LivenessArgs,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    // Ballista's own binaries use 32 MB stacks: planning deep queries recurses.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .context("starting the async runtime")
}

pub fn run(c: ClusterCmd) -> anyhow::Result<ExitCode> {
    match c {
        ClusterCmd::Scheduler(a) => {
            let screening = a.screening.load()?;
            eprintln!(
                "resolute cluster scheduler on {} (fingerprint {}; lists {}; {})",
                a.bind,
                screening.fingerprint(),
                screening.versions().lists.join(", "),
                screening.versions().regime
            );
            runtime()?.block_on(cluster::run_scheduler(
                a.bind,
                a.external_host,
                screening,
                a.liveness.liveness(),
            ))?;
        }
        ClusterCmd::Executor(a) => {
            let (scheduler_host, scheduler_port) = cluster::parse_cluster_url(&a.scheduler)?;
            let screening = a.screening.load()?;
            eprintln!(
                "resolute cluster executor on {}:{}/{} for {} (fingerprint {}; index of {} names)",
                a.bind_host,
                a.port,
                a.grpc_port,
                a.scheduler,
                screening.fingerprint(),
                screening.index().name_count()
            );
            let options = ExecutorOptions {
                scheduler_host,
                scheduler_port,
                bind_host: a.bind_host.clone(),
                external_host: a.external_host.clone(),
                port: a.port,
                grpc_port: a.grpc_port,
                concurrent_tasks: a.concurrent_tasks,
                work_dir: a.work_dir.clone(),
                liveness: a.liveness.liveness(),
            };
            runtime()?.block_on(cluster::run_executor(options, screening))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
