//! `resolute serve`, `resolute keys …`, `resolute audit verify`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use resolute_server::ServerConfig;
use resolute_store::{Role, Store, StoreOptions, SyncMode};

pub(crate) const DEFAULT_DATA_DIR: &str = "./resolute-data";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory of the SQLite store (created if missing).
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "RESOLUTE_ADDR")]
    pub addr: SocketAddr,
    /// SQLite synchronous level. `normal` (WAL, fsync at checkpoints): an
    /// acknowledged screening survives a killed process (kill -9, tested) but the
    /// last commits may be lost on power loss or an OS crash; `full` also fsyncs
    /// every group commit (survives power loss; latency then follows the disk's
    /// fsync time).
    #[arg(long, default_value = "normal", env = "RESOLUTE_SYNC", value_parser = parse_sync)]
    pub sync: SyncMode,
    /// Most queries or transactions in one request.
    #[arg(long, default_value_t = 100)]
    pub max_batch: usize,
    /// Largest JSON request body in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
}

fn parse_sync(s: &str) -> Result<SyncMode, String> {
    SyncMode::parse(s).ok_or_else(|| format!("expected full or normal, got {s:?}"))
}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Create an API key and print it (once: only its hash is stored).
    Create {
        /// viewer (read), screener (screen, manage cases) or admin (upload lists, manage keys).
        #[arg(long)]
        role: String,
        /// A label to recognise the key by.
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
        data_dir: PathBuf,
        /// Print {"id","role","label","token"} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List keys (ids and roles, never secrets).
    List {
        #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id.
    Revoke {
        id: String,
        #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
        data_dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Walk the audit log's hash chain; exit 1 naming the first bad record.
    Verify {
        #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Print the signed checkpoints after --since as JSON lines, for an external
    /// append-only log (keep the last seq printed and pass it next time). --now signs
    /// one of the current head first. The store's public key goes to stderr.
    Checkpoints {
        /// Only checkpoints of records after this seq.
        #[arg(long, default_value_t = 0)]
        since: i64,
        /// Sign a checkpoint of the current head before exporting.
        #[arg(long)]
        now: bool,
        #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
        data_dir: PathBuf,
    },
}

pub fn run_serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = ServerConfig::new(a.data_dir.clone(), a.addr);
    config.sync = a.sync;
    config.max_batch = a.max_batch.max(1);
    config.max_body = a.max_body.max(1024);
    let admin_env = std::env::var("RESOLUTE_ADMIN_KEY").ok();
    let data_dir = a.data_dir.clone();
    resolute_server::serve_blocking(config, admin_env, move |addr, bootstrap| {
            if let Some(token) = bootstrap {
                eprintln!("No API key existed: created a bootstrap admin key. It is shown only now; keep it safe:");
                eprintln!();
                eprintln!("    {token}");
                eprintln!();
                eprintln!("Create more with `resolute keys create --role screener --data-dir {}`.", data_dir.display());
            }
            eprintln!("Resolute listening on http://{addr}  (web UI at http://{addr}/, data in {})", data_dir.display());
        })
        .with_context(|| format!("serving from {}", a.data_dir.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn open_store(dir: &std::path::Path) -> anyhow::Result<Store> {
    Store::open(dir, StoreOptions::default())
        .with_context(|| format!("opening the store in {}", dir.display()))
}

pub fn run_keys(c: KeysCmd) -> anyhow::Result<ExitCode> {
    match c {
        KeysCmd::Create {
            role,
            label,
            data_dir,
            json,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("--role must be viewer, screener or admin, got {role:?}")
            })?;
            let store = open_store(&data_dir)?;
            let key = store.create_key(role, &label, "cli")?;
            store.close();
            if json {
                outln!("{}", serde_json::to_string(&key)?)?;
            } else {
                outln!("{}", key.token)?;
                eprintln!(
                    "created {} key {} (shown once; only its hash is stored)",
                    key.role, key.id
                );
            }
        }
        KeysCmd::List { data_dir, json } => {
            let store = open_store(&data_dir)?;
            let keys = store.list_keys()?;
            store.close();
            if json {
                outln!("{}", serde_json::to_string(&keys)?)?;
            } else {
                for k in keys {
                    let state = if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    outln!(
                        "{}\t{}\t{}\t{}\t{}",
                        k.id,
                        k.role,
                        state,
                        k.created_at,
                        k.label
                    )?;
                }
            }
        }
        KeysCmd::Revoke { id, data_dir } => {
            let store = open_store(&data_dir)?;
            store.revoke_key(&id, "cli")?;
            store.close();
            eprintln!("revoked key {id} (a running service notices within 10 s)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_audit(c: AuditCmd) -> anyhow::Result<ExitCode> {
    match c {
        AuditCmd::Verify { data_dir, json } => {
            if !data_dir.join(resolute_store::DB_FILE).exists() {
                anyhow::bail!(
                    "no store in {} (expected {})",
                    data_dir.display(),
                    resolute_store::DB_FILE
                );
            }
            let store = open_store(&data_dir)?;
            let report = store.verify_audit()?;
            store.close();
            if json {
                outln!("{}", serde_json::to_string(&report)?)?;
            } else if let Some(bad) = &report.first_bad {
                outln!(
                    "FAILED: first bad record is {} ({}): {}",
                    bad.seq,
                    bad.problem,
                    bad.detail
                )?;
                outln!("{} records read before the break", report.records)?;
            } else {
                outln!(
                    "OK: {} records, chain intact, head {}",
                    report.records,
                    report.head_hash
                )?;
            }
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCmd::Checkpoints {
            since,
            now,
            data_dir,
        } => {
            let store = open_store(&data_dir)?;
            if now {
                store.checkpoint_now()?;
            }
            let checkpoints = store.export_checkpoints(since)?;
            eprintln!(
                "{} checkpoints; verify them with the store's public key {}",
                checkpoints.len(),
                store.checkpoint_public_key()
            );
            store.close();
            for c in &checkpoints {
                outln!("{}", c.to_json_line())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
