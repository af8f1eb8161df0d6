//! `resolute backup` and `resolute restore`: a consistent copy of a data
//! directory's database taken while the service runs (SQLite's online backup
//! API), and a restore that verifies the copy's audit chain under the store's
//! audit key before it puts it in place.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use resolute_store::{AuditKeySource, OpenOptions, RestoreOptions, Store, SyncMode};

const DEFAULT_DATA_DIR: &str = "./resolute-data";

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Data directory of the store to copy (a running `resolute serve` may go on writing).
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// The backup file to write; it must not exist. The audit key is not copied into it.
    #[arg(long)]
    pub to: PathBuf,
    /// Audit key file (default: RESOLUTE_AUDIT_KEY_FILE, else RESOLUTE_AUDIT_KEY, else
    /// <data-dir>/audit.key).
    #[arg(long)]
    pub audit_key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (written by `resolute backup`).
    #[arg(long)]
    pub from: PathBuf,
    /// Data directory to restore into: empty, or the directory of the same store.
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Replace the database already in the data directory (e.g. a damaged one). Its
    /// files are moved aside as resolute.db.replaced-<time>, not deleted.
    #[arg(long)]
    pub replace: bool,
    /// Audit key file the backup's chain was keyed with (default: RESOLUTE_AUDIT_KEY_FILE,
    /// else RESOLUTE_AUDIT_KEY, else <data-dir>/audit.key).
    #[arg(long)]
    pub audit_key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn key_source(flag: Option<PathBuf>) -> AuditKeySource {
    flag.map_or(AuditKeySource::Environment, AuditKeySource::File)
}

fn describe_key(flag: Option<&Path>, dir: &Path) -> String {
    match flag {
        Some(p) => p.display().to_string(),
        None => std::env::var("RESOLUTE_AUDIT_KEY_FILE").unwrap_or_else(|_| {
            dir.join(resolute_store::AUDIT_KEY_FILE)
                .display()
                .to_string()
        }),
    }
}

pub fn run_backup(a: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_with(
        &a.data_dir,
        OpenOptions {
            sync: SyncMode::Normal,
            create: false,
            audit_key: key_source(a.audit_key.clone()),
            ..OpenOptions::default()
        },
    )
    .with_context(|| format!("opening the store in {}", a.data_dir.display()))?;
    let report = store.backup_to(&a.to, "cli");
    store.close();
    let report = report.with_context(|| format!("backing up {}", a.data_dir.display()))?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "backed up store {} to {}: {} audit records (head {} {}), {} bytes",
            report.store_id,
            report.path,
            report.records,
            report.head_seq,
            &report.head_hash[..12.min(report.head_hash.len())],
            report.bytes
        );
        eprintln!(
            "the audit key is not in the backup: keep {} to restore it",
            describe_key(a.audit_key.as_deref(), &a.data_dir)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_restore(a: RestoreArgs) -> anyhow::Result<ExitCode> {
    let (store, report) = Store::restore(
        &a.from,
        &a.data_dir,
        RestoreOptions {
            audit_key: key_source(a.audit_key),
            replace: a.replace,
            actor: "cli".into(),
            sync: SyncMode::Normal,
        },
    )
    .with_context(|| {
        format!(
            "restoring {} into {}",
            a.from.display(),
            a.data_dir.display()
        )
    })?;
    store.close();
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "restored store {} into {}: {} audit records verified (head {}), {} table rows cross-checked",
        report.store_id, report.dir, report.records, report.head_seq, report.verify.rows
    );
    for p in &report.replaced {
        println!("kept the replaced file as {p}");
    }
    if let Some(seq) = report.lost_after {
        println!(
            "records {}..{seq} were committed after this backup and are not in it (recorded in the audit log)",
            report.head_seq + 1
        );
    }
    Ok(ExitCode::SUCCESS)
}
