//! `resolute lists pending|confirm|reject`: the list versions an upload put on
//! hold (they would remove more than 5 % of the entries, report more than 5 %
//! bad records, are older than the version in force or repeat reference
//! numbers) and an admin's decision on them. The same workflow as
//! `GET /lists/pending` and `POST /lists/pending/{id}/confirm|reject`; every
//! decision is audited with the CLI user as actor.
//!
//! A running `resolute serve` on the same data directory sees a confirmed
//! version at its next start (the store records it in force).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use resolute_casework::{Casework, Engine};
use resolute_store::{OpenOptions, Store};

#[derive(Debug, Args)]
pub struct PendingArgs {
    /// Data directory of the store.
    #[arg(long, default_value = "./resolute-data", env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Machine-readable output (a JSON array of held versions).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// The held version's id (from `resolute lists pending`).
    pub id: String,
    /// Why: recorded in the audit log with the decision.
    #[arg(long)]
    pub note: String,
    /// Data directory of the store.
    #[arg(long, default_value = "./resolute-data", env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

fn open(dir: &std::path::Path) -> anyhow::Result<Store> {
    Store::open_with(
        dir,
        OpenOptions {
            create: false,
            ..OpenOptions::default()
        },
    )
    .with_context(|| format!("opening the store in {}", dir.display()))
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn note(a: &DecisionArgs) -> anyhow::Result<&str> {
    let note = a.note.trim();
    anyhow::ensure!(
        !note.is_empty(),
        "--note must say why the version is confirmed or rejected"
    );
    Ok(note)
}

pub fn pending(a: PendingArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.data_dir)?;
    let held = store.list_reviews(false)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&held)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if held.is_empty() {
        outln!("no list version is waiting for review")?;
    }
    for r in &held {
        outln!(
            "{}  {} ({} entries, dated {}) uploaded by {}\n  held: {}\n  diff: {}",
            r.version.id,
            r.version.origin,
            r.version.entity_count,
            r.version.generated.as_deref().unwrap_or("undated"),
            r.version.loaded_by,
            r.reason,
            r.diff_summary
                .get("diff_counts")
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none".into())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn confirm(a: DecisionArgs) -> anyhow::Result<ExitCode> {
    let note = note(&a)?;
    let store = open(&a.data_dir)?;
    let engine = Engine::load(&store);
    let casework = Casework::open(store, engine)?;
    let up = casework
        .confirm_pending(&a.id, &actor(), note)
        .with_context(|| format!("confirming list version {}", a.id))?;
    if a.json {
        outln!(
            "{}",
            serde_json::json!({"confirmed": up.stored, "previous": up.previous})
        )?;
    } else {
        outln!(
            "list version {} is in force ({} entries){}",
            up.stored.id,
            up.stored.entity_count,
            up.previous
                .map(|p| format!("; it replaces {p}"))
                .unwrap_or_default()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reject(a: DecisionArgs) -> anyhow::Result<ExitCode> {
    let note = note(&a)?;
    let store = open(&a.data_dir)?;
    let review = store
        .reject_list_version(&a.id, &actor(), note)
        .with_context(|| format!("rejecting list version {}", a.id))?;
    if a.json {
        outln!("{}", serde_json::to_string(&review)?)?;
    } else {
        outln!(
            "list version {} rejected; the version in force is unchanged",
            review.version.id
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
