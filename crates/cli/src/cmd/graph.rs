//! `resolute exposure` and `resolute graph import|inspect`: thin adapters over
//! `resolute_casework::exposure` (which graph, how an import is checked and
//! recorded). With `--data-dir` the graph is the service's: its list versions
//! in force, their stored history and every recorded edge import. Without it,
//! the lists given with `--list` (or the bundled ones) and nothing else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use resolute_casework::exposure::{
    ExposureGraph, build_graph, check_import, exposure_in, inspect, parse_import,
};
use resolute_casework::{Casework, CaseworkError, Engine};
use resolute_lists::ListVersion;
use resolute_store::{Store, StoreOptions};
use serde_json::Value;

#[derive(Debug, Args)]
pub struct ExposureArgs {
    /// The party by list reference (`KPe.047`), `un:KPe.047`, `ofac:15603` or graph key.
    #[arg(long, conflicts_with = "name", required_unless_present = "name")]
    pub entity: Option<String>,
    /// The party by exact name (or alias) as the graph knows it.
    #[arg(long)]
    pub name: Option<String>,
    /// The date the exposure holds on (YYYY-MM-DD); today if absent.
    #[arg(long)]
    pub at: Option<String>,
    /// un (UN asset freeze, the default), ofac (50 Percent Rule), eu, uk.
    #[arg(long, default_value = "un")]
    pub rule: String,
    #[command(flatten)]
    pub source: GraphSource,
    /// Print the answer as JSON (status, stake, paths with every step's source).
    #[arg(long)]
    pub json: bool,
}

/// Where the graph comes from.
#[derive(Debug, Args)]
pub struct GraphSource {
    /// The service's data directory: its lists in force, their history and its edge imports.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// List files (UN XML, OFAC SDN CSV) instead of the bundled lists (without --data-dir).
    #[arg(long = "list", num_args = 1.., conflicts_with = "data_dir")]
    pub lists: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum GraphCmd {
    /// Import ownership and control edges: a BODS 0.4 package or an analyst edge file.
    Import(ImportArgs),
    /// Summarise the exposure graph: parties, relations by kind, exposure per rule, problems.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A BODS 0.4 package (JSON array or JSON Lines of statements).
    #[arg(long, conflicts_with = "edges", required_unless_present = "edges")]
    pub bods: Option<PathBuf>,
    /// An analyst edge file (CSV with a header, or a JSON array of edges).
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// Record the import in this data directory (one audit record). Without
    /// it the file is only checked against the bundled lists' graph.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Refuse the whole import when any row has an error (the API's rule);
    /// by default rows with errors are left out and named.
    #[arg(long)]
    pub strict: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Exposure counts as on this date (YYYY-MM-DD); today if absent.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub source: GraphSource,
    #[arg(long)]
    pub json: bool,
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn date_or_today(at: Option<&str>) -> anyhow::Result<NaiveDate> {
    Ok(resolute_casework::dates::parse_optional_date("--at", at)?
        .unwrap_or_else(|| chrono::Utc::now().date_naive()))
}

fn open_casework(dir: &Path) -> anyhow::Result<Casework> {
    let store = Store::open(dir, StoreOptions::default())
        .with_context(|| format!("opening the store in {}", dir.display()))?;
    let engine = Engine::load(&store);
    Ok(Casework::open(store, engine)?)
}

/// The graph `source` names.
fn load_graph(source: &GraphSource) -> anyhow::Result<Arc<ExposureGraph>> {
    if let Some(dir) = &source.data_dir {
        return Ok(open_casework(dir)?.exposure_graph()?);
    }
    let versions: Vec<Arc<ListVersion>> = if source.lists.is_empty() {
        resolute_lists::bundled()
            .context("loading the bundled lists")?
            .into_iter()
            .map(Arc::new)
            .collect()
    } else {
        source
            .lists
            .iter()
            .map(|p| {
                resolute_lists::load_file(p)
                    .map(Arc::new)
                    .with_context(|| format!("loading {}", p.display()))
            })
            .collect::<anyhow::Result<_>>()?
    };
    Ok(Arc::new(build_graph(&versions, &[], &[])?))
}

pub fn run_exposure(a: ExposureArgs) -> anyhow::Result<ExitCode> {
    let at = date_or_today(a.at.as_deref())?;
    let query = a
        .entity
        .as_deref()
        .or(a.name.as_deref())
        .unwrap_or_default();
    let graph = load_graph(&a.source)?;
    let e = match exposure_in(&graph, query, at, &a.rule) {
        Ok(e) => e,
        Err(CaseworkError::NotFound { what }) => {
            eprintln!("error: {what}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&e)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let status = serde_json::to_value(e.status)?;
    outln!(
        "{} [{}] under {} on {}: {}",
        e.entity.caption,
        e.entity.id,
        e.rule_title,
        e.as_of,
        status.as_str().unwrap_or("?")
    )?;
    if let Some(stake) = e.stake_percent {
        outln!("  stake counted: {stake} % (threshold {})", e.threshold)?;
    }
    for p in &e.paths {
        let kind = if p.proven { "proven" } else { "indicative" };
        outln!("  [{kind}] {}", p.text)?;
    }
    if e.paths_truncated {
        outln!("  (more paths not shown; --json has the same limit)")?;
    }
    if e.paths.is_empty() {
        outln!("  {}", e.summary)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(c: GraphCmd) -> anyhow::Result<ExitCode> {
    match c {
        GraphCmd::Import(a) => run_import(a),
        GraphCmd::Inspect(a) => run_inspect(a),
    }
}

fn run_import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let (format, path) = match (&a.bods, &a.edges) {
        (Some(p), _) => ("bods", p),
        (None, Some(p)) => ("edges", p),
        (None, None) => anyhow::bail!("give --bods FILE or --edges FILE"),
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let (committed, refused, parties, relations, problems) = match &a.data_dir {
        Some(dir) => {
            let casework = open_casework(dir)?;
            let done = casework.import_edges(format, &file, &bytes, a.strict, &actor())?;
            casework.store().close();
            let (p, r) = (done.parties, done.relations);
            (done.audit_seq, done.refused, p, r, done.problems)
        }
        None => {
            let parsed = parse_import(format, &file, &bytes)?;
            let graph = load_graph(&GraphSource {
                data_dir: None,
                lists: Vec::new(),
            })?;
            let check = check_import(&graph.graph, format, &file, parsed);
            let r = &check.record;
            let refused = (a.strict && check.errors > 0)
                .then(|| format!("{file}: {} error(s)", check.errors));
            (
                None,
                refused,
                r.parties.len(),
                r.relations.len(),
                r.problems.clone(),
            )
        }
    };
    for p in &problems {
        eprintln!(
            "{}",
            serde_json::to_value(p).map_or_else(|_| String::new(), |v| problem_line(&v))
        );
    }
    if a.json {
        outln!(
            "{}",
            serde_json::json!({
                "file": file, "format": format, "audit_seq": committed, "refused": refused,
                "parties": parties, "relations": relations, "problems": problems,
            })
        )?;
    }
    if let Some(why) = refused {
        eprintln!("error: {why}; nothing imported");
        return Ok(ExitCode::from(1));
    }
    if !a.json {
        match (committed, &a.data_dir) {
            (Some(seq), Some(dir)) => eprintln!(
                "imported {file}: {parties} parties, {relations} relations, {} problem(s); audit record {seq} in {}",
                problems.len(),
                dir.display()
            ),
            _ => eprintln!(
                "checked {file}: {parties} parties, {relations} relations would be imported, {} problem(s); nothing recorded (no --data-dir)",
                problems.len()
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `file: location: severity: message`, one problem per line.
fn problem_line(p: &Value) -> String {
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    format!(
        "{}: {}: {}: {}",
        s("file"),
        s("location"),
        s("severity"),
        s("message")
    )
}

fn run_inspect(a: InspectArgs) -> anyhow::Result<ExitCode> {
    let at = date_or_today(a.at.as_deref())?;
    let graph = load_graph(&a.source)?;
    let summary = inspect(&graph, at);
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{} parties, {} relations (built in {:.0} ms)",
        summary["parties"],
        summary["relations"],
        graph.build_ms
    )?;
    outln!("lists in force: {}", graph.list_versions.join(", "))?;
    if !graph.history_versions.is_empty() {
        outln!(
            "earlier versions: {} ({} delisted entries)",
            graph.history_versions.join(", "),
            summary["delisted"]
        )?;
    }
    outln!("edge imports: {}", graph.imports)?;
    for k in summary["relations_by_kind"]
        .as_array()
        .into_iter()
        .flatten()
    {
        outln!(
            "  {:<20} {}",
            k["kind"].as_str().unwrap_or("?"),
            k["relations"]
        )?;
    }
    outln!("exposure on {at}:")?;
    for r in summary["rules"].as_array().into_iter().flatten() {
        outln!(
            "  {:<5} {} designated, {} proven, {} indicative",
            r["rule"].as_str().unwrap_or("?"),
            r["designated"],
            r["proven"],
            r["indicative"]
        )?;
    }
    let problems = &summary["problems"];
    outln!(
        "problems: {} errors, {} warnings",
        problems["errors"],
        problems["warnings"]
    )?;
    for p in problems["first"].as_array().into_iter().flatten() {
        outln!("  {}", problem_line(p))?;
    }
    Ok(ExitCode::SUCCESS)
}
