//! `resolute lists ...`.
//!
//! JSON output (`--json`) is meant for scripts:
//! - `inspect`: always a JSON **array**, one object per FILE in argument
//!   order (also for a single file), each
//!   `{"file","version","source","generated","content_hash","total","by_schema","by_program","issues"}`.
//! - `diff`: `{"old","new","added":[{"ref","schema","name","programs","listed_on"}],"removed":[...],"changed":[{"ref","fields"}]}`.
//! - `show`: the entry as FtM JSON (one object).
//!
//! Exit codes: 0 success, 1 entry not found (`show`), 2 error (unreadable or
//! broken file; the message names the file and line:column).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use resolute_lists::{ListVersion, LoadOptions, RecordIssue};
use resolute_model::{Entity, NameKind};
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum ListsCmd {
    /// Summarise list files: source, list date, counts by schema and by program.
    ///
    /// The format (UN Consolidated List XML or OFAC SDN CSV) is detected from
    /// the content. With --json, prints a JSON array with one object per file.
    Inspect(InspectArgs),
    /// Entries added, removed and changed (with the changed fields) between two versions of a list.
    Diff(DiffArgs),
    /// Show one entry by its list reference (UN `KPe.047`, OFAC ent_num `9345`).
    Show(ShowArgs),
    /// Uploaded versions held for review (too many entries removed or records bad, older
    /// than the version in force, repeated reference numbers), with why and the diff.
    Pending(super::lists_review::PendingArgs),
    /// Put a held version in force (admin decision, audited; --note says why).
    Confirm(super::lists_review::DecisionArgs),
    /// Turn a held version down (audited; --note says why); the version in force stays.
    Reject(super::lists_review::DecisionArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// List files (UN XML or OFAC SDN CSV).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Date of lists that carry none (OFAC SDN CSV); default: a YYYY-MM-DD in the file name.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub generated: Option<NaiveDate>,
    /// Print the record issues (bad records skipped, bad fields dropped).
    #[arg(long)]
    pub issues: bool,
    /// Machine-readable output (a JSON array, one object per file).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older version.
    pub old: PathBuf,
    /// The newer version.
    pub new: PathBuf,
    /// Only entries in a program starting with this prefix (`DPRK` also matches `DPRK3`).
    #[arg(long)]
    pub program: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The list reference (`KPe.047`, `KPi.016`, `9345`); case and surrounding space are ignored.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Look in these list files instead of the bundled lists.
    #[arg(long = "list", value_name = "FILE")]
    pub lists: Vec<PathBuf>,
    /// Print the entry as FtM JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(c: ListsCmd) -> anyhow::Result<ExitCode> {
    match c {
        ListsCmd::Inspect(a) => inspect(a),
        ListsCmd::Diff(a) => diff(a),
        ListsCmd::Show(a) => show(a),
        ListsCmd::Pending(a) => super::lists_review::pending(a),
        ListsCmd::Confirm(a) => super::lists_review::confirm(a),
        ListsCmd::Reject(a) => super::lists_review::reject(a),
    }
}

/// Load files in parallel with a progress bar on stderr (drawn only on a
/// terminal, and only for more than one file).
fn load_all(files: &[PathBuf], options: &LoadOptions) -> anyhow::Result<Vec<ListVersion>> {
    let bar = if files.len() > 1 {
        let b =
            ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} loading lists {bar:30} {pos}/{len} {wide_msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let loaded: Vec<anyhow::Result<ListVersion>> = files
        .par_iter()
        .map(|f| {
            let r = resolute_lists::load_file_with(f, options).map_err(anyhow::Error::from);
            bar.set_message(f.display().to_string());
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    loaded.into_iter().collect()
}

#[derive(Debug, Serialize)]
struct Summary {
    file: String,
    version: String,
    source: String,
    generated: Option<NaiveDate>,
    content_hash: String,
    total: usize,
    by_schema: BTreeMap<String, usize>,
    by_program: BTreeMap<String, usize>,
    issues: usize,
}

fn summarise(v: &ListVersion) -> Summary {
    let mut by_schema = BTreeMap::new();
    let mut by_program = BTreeMap::new();
    for e in &v.entities {
        *by_schema.entry(e.schema.to_string()).or_insert(0) += 1;
        for p in &e.programs {
            *by_program.entry(p.clone()).or_insert(0) += 1;
        }
    }
    Summary {
        file: v.origin.clone(),
        version: v.id(),
        source: v.source.to_string(),
        generated: v.generated,
        content_hash: v.content_hash.clone(),
        total: v.entities.len(),
        by_schema,
        by_program,
        issues: v.issues.len(),
    }
}

fn print_issues(issues: &[RecordIssue], limit: usize) {
    let mut err = std::io::stderr().lock();
    for i in issues.iter().take(limit) {
        let _ = writeln!(err, "  issue: {i}");
    }
    if issues.len() > limit {
        let _ = writeln!(
            err,
            "  ... and {} more issues (use --issues to list all)",
            issues.len() - limit
        );
    }
}

fn inspect(a: InspectArgs) -> anyhow::Result<ExitCode> {
    let versions = load_all(
        &a.files,
        &LoadOptions {
            generated: a.generated,
            ..LoadOptions::default()
        },
    )?;
    let summaries: Vec<Summary> = versions.iter().map(summarise).collect();
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &summaries)?;
        writeln!(out)?;
        if a.issues {
            for v in &versions {
                print_issues(&v.issues, usize::MAX);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    for (s, v) in summaries.iter().zip(&versions) {
        writeln!(out, "{}  ({})", s.file, s.version)?;
        let generated = s
            .generated
            .map_or_else(|| "undated".to_string(), |d| d.to_string());
        writeln!(
            out,
            "  source {}  generated {}  total {}  issues {}",
            s.source, generated, s.total, s.issues
        )?;
        let join = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "  by schema:  {}", join(&s.by_schema))?;
        writeln!(out, "  by program: {}", join(&s.by_program))?;
        out.flush()?;
        print_issues(&v.issues, if a.issues { usize::MAX } else { 10 });
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(a: DiffArgs) -> anyhow::Result<ExitCode> {
    let versions = load_all(&[a.old.clone(), a.new.clone()], &LoadOptions::default())?;
    let (old, new) = (&versions[0], &versions[1]);
    if old.source != new.source {
        anyhow::bail!(
            "cannot diff {} ({}) against {} ({}): different lists",
            old.origin,
            old.source,
            new.origin,
            new.source
        );
    }
    let mut d = resolute_lists::diff(old, new);
    if let Some(prefix) = &a.program {
        let keep = |programs: &[String]| programs.iter().any(|p| p.starts_with(prefix.as_str()));
        d.added.retain(|e| keep(&e.programs));
        d.removed.retain(|e| keep(&e.programs));
        d.changed.retain(|c| {
            new.get(&c.reference)
                .or_else(|| old.get(&c.reference))
                .is_some_and(|e| keep(&e.programs))
        });
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        #[derive(Serialize)]
        struct Out<'a> {
            old: String,
            new: String,
            #[serde(flatten)]
            diff: &'a resolute_lists::ListDiff,
        }
        serde_json::to_writer_pretty(
            &mut out,
            &Out {
                old: old.id(),
                new: new.id(),
                diff: &d,
            },
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} → {}", old.id(), new.id())?;
    let line = |sign: char, e: &resolute_lists::EntrySummary| {
        let listed = e
            .listed_on
            .map(|d| format!("  listed {d}"))
            .unwrap_or_default();
        format!(
            "{sign} {:<10} {:<12} {}  [{}]{listed}",
            e.reference,
            e.schema,
            e.name,
            e.programs.join(", ")
        )
    };
    for e in &d.added {
        writeln!(out, "{}", line('+', e))?;
    }
    for e in &d.removed {
        writeln!(out, "{}", line('-', e))?;
    }
    for c in &d.changed {
        writeln!(out, "~ {:<10} {}", c.reference, c.fields.join(", "))?;
    }
    writeln!(
        out,
        "{} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let versions = if a.lists.is_empty() {
        resolute_lists::bundled().context("loading the bundled lists")?
    } else {
        load_all(&a.lists, &LoadOptions::default())?
    };
    let Some((v, e)) = versions
        .iter()
        .find_map(|v| v.get(&a.reference).map(|e| (v, e)))
    else {
        let searched: Vec<String> = versions.iter().map(|v| v.id()).collect();
        eprintln!(
            "error: no entry with reference {:?} in {}",
            a.reference.trim(),
            searched.join(", ")
        );
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &e.to_ftm_json())?;
        writeln!(out)?;
    } else {
        print_entity(&mut out, v, e)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_entity(out: &mut impl Write, v: &ListVersion, e: &Entity) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  ({} {}, {})",
        e.caption,
        e.schema,
        e.reference,
        v.id()
    )?;
    writeln!(out, "  programs:    {}", e.programs.join(", "))?;
    if let Some(d) = e.listed_on {
        writeln!(out, "  listed on:   {d}")?;
    }
    if !e.last_updated.is_empty() {
        let d: Vec<String> = e.last_updated.iter().map(|d| d.to_string()).collect();
        writeln!(out, "  updated:     {}", d.join(", "))?;
    }
    for n in &e.names {
        let kind = match n.kind {
            NameKind::Primary => "name",
            NameKind::Alias if n.is_weak() => "weak alias",
            NameKind::Alias => "alias",
            NameKind::Weak => "weak alias",
            NameKind::Previous => "former name",
            NameKind::OriginalScript => "original",
        };
        let script = n
            .script
            .as_ref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        writeln!(out, "  {kind:<12} {}{script}", n.value)?;
    }
    for d in &e.birth_dates {
        writeln!(out, "  born         {d}")?;
    }
    const SHOWN_ELSEWHERE: &[&str] = &[
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "birthDate",
        "program",
        "notes",
        "topics",
    ];
    for (k, vals) in e
        .properties
        .iter()
        .filter(|(k, _)| !SHOWN_ELSEWHERE.contains(&k.as_ref()))
    {
        writeln!(out, "  {k:<12} {}", vals.join("; "))?;
    }
    if let Some(c) = &e.comments {
        writeln!(
            out,
            "  comments:    {}",
            c.split_whitespace().collect::<Vec<_>>().join(" ")
        )?;
    }
    Ok(())
}
