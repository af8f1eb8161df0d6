//! The exposure graph of the lists in force, built once and shared by every
//! screening, and the edges analysts add to it.
//!
//! **What it is built from.** The list versions of the engine in force (UN
//! first, OFAC SDN merged into it, the UN comments' relations, OFAC "Linked
//! To"), the earlier versions of each list that the store holds (their
//! entries that are gone are delistings: `removed_on`), and every import of
//! edges recorded in the store (analyst CSV/JSON edges, BODS 0.4 packages).
//!
//! **Stored edges.** An import is one audit record of kind
//! [`IMPORT_KIND`] whose payload carries the parties and relations it adds
//! (plain [`PlannedParty`] / [`PlannedRelation`]) and the problems met: one
//! write, so an import is all or nothing, and the audit chain covers it. The
//! graph is rebuilt from the list versions and these records.
//!
//! **Cache.** [`ExposureGraphs`] keeps the graph with the key it was built
//! for: the ids of the list versions in force and the sequence number of the
//! newest import. A screening reuses it while the engine is the same; the
//! store is asked for a newer import at most every [`RECHECK`] (another
//! process, the CLI, may have imported edges), and an import made here
//! rebuilds at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use resolute_graph::ftm::{self, Neighbourhood};
use resolute_graph::plan::{PlannedParty, PlannedRelation};
use resolute_graph::{
    AnalystImport, BodsImport, BuildReport, Exposure, Graph, GraphSources, NodeId, Problem,
    RelationKind, Rules, Severity,
};
use resolute_lists::ListVersion;
use resolute_screening::GraphExposure;
use resolute_store::{AuditQuery, CanonicalPayload, Store};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Casework;
use crate::engine::Engine;
use crate::error::{CaseworkError, Result};

/// Audit kind of an edge import (its payload is an [`ImportRecord`]).
pub const IMPORT_KIND: &str = "graph.import";

/// How long a built graph is trusted before the store is asked for newer imports.
pub const RECHECK: Duration = Duration::from_secs(5);

/// Deepest neighbourhood served (a hub within three relations is already hundreds of parties).
pub const MAX_DEPTH: usize = 4;

/// The payload of an import's audit record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRecord {
    /// `edges` (analyst CSV/JSON) or `bods`.
    pub format: String,
    pub file: String,
    pub parties: Vec<PlannedParty>,
    pub relations: Vec<PlannedRelation>,
    /// What was left out or is odd, statement by statement.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// The graph in force and what it was built from.
#[derive(Debug)]
pub struct ExposureGraph {
    pub graph: Arc<Graph>,
    pub rules: Rules,
    /// The [`resolute_screening::ExposureScreener`] screenings use.
    pub screener: GraphExposure,
    pub report: BuildReport,
    /// List versions in force, earlier versions used for delistings, imports.
    pub list_versions: Vec<String>,
    pub history_versions: Vec<String>,
    pub imports: usize,
    /// Newest import's audit sequence number (0: none).
    pub imports_seq: i64,
    pub build_ms: f64,
}

#[derive(Debug, Default)]
struct Cached {
    graph: Option<Arc<ExposureGraph>>,
    checked: Option<Instant>,
    /// Earlier list versions, parsed once.
    history: HashMap<String, Arc<ListVersion>>,
}

/// The cached graph (one per [`Casework`]).
#[derive(Debug, Default)]
pub struct ExposureGraphs {
    cached: Mutex<Cached>,
}

/// Every import recorded in the store, oldest first.
pub fn stored_imports(store: &Store) -> Result<Vec<(i64, ImportRecord)>> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = store.audit_records(&AuditQuery {
            before,
            kind: Some(IMPORT_KIND.to_string()),
            limit: 1000,
        })?;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        for r in page {
            let record: ImportRecord = serde_json::from_value(r.payload).map_err(|e| {
                CaseworkError::Corrupt(format!("audit record {} ({IMPORT_KIND}): {e}", r.seq))
            })?;
            out.push((r.seq, record));
        }
    }
    out.reverse();
    Ok(out)
}

fn newest_import_seq(store: &Store) -> Result<i64> {
    let page = store.audit_records(&AuditQuery {
        before: None,
        kind: Some(IMPORT_KIND.to_string()),
        limit: 1,
    })?;
    Ok(page.first().map_or(0, |r| r.seq))
}

/// Earlier stored versions of the lists in force (for delistings), parsed
/// once per process; a stored version that no longer parses is skipped and
/// named in the graph's problems.
fn history(
    store: &Store,
    engine: &Engine,
    parsed: &mut HashMap<String, Arc<ListVersion>>,
) -> (Vec<Arc<ListVersion>>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let in_force = engine.version_ids();
    let stored = match store.list_versions() {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem::warning("store", "list versions", e.to_string()));
            return (out, problems);
        }
    };
    for meta in stored {
        if in_force.contains(&meta.id) {
            continue;
        }
        if let Some(v) = parsed.get(&meta.id) {
            out.push(Arc::clone(v));
            continue;
        }
        match store.list_version_bytes(&meta.id) {
            Ok(Some(bytes)) => match resolute_lists::load_bytes(&meta.origin, &bytes) {
                Ok(v) => {
                    let v = Arc::new(v);
                    parsed.insert(meta.id.clone(), Arc::clone(&v));
                    out.push(v);
                }
                Err(e) => problems.push(Problem::warning("store", meta.id.clone(), e.to_string())),
            },
            // Bundled versions are recorded without their bytes.
            Ok(None) => {}
            Err(e) => problems.push(Problem::warning("store", meta.id.clone(), e.to_string())),
        }
    }
    (out, problems)
}

/// Build the graph of the lists in force (`versions`), their earlier
/// versions (`history`) and `imports`.
pub fn build_graph(
    versions: &[Arc<ListVersion>],
    history: &[Arc<ListVersion>],
    imports: &[(i64, ImportRecord)],
) -> Result<ExposureGraph> {
    let started = Instant::now();
    let rules = Rules::bundled().map_err(|e| CaseworkError::NotReady(e.to_string()))?;
    let mut sources = GraphSources::new().history(history.iter().map(|v| v.as_ref()));
    for v in versions {
        sources = sources.list(v);
    }
    for (_, record) in imports {
        sources = sources.analyst(AnalystImport {
            file: record.file.clone(),
            rows: record.relations.len(),
            parties: record.parties.clone(),
            relations: record.relations.clone(),
            problems: Vec::new(),
        });
    }
    let built = sources.build();
    let graph = Arc::new(built.graph);
    Ok(ExposureGraph {
        screener: GraphExposure::new(Arc::clone(&graph), &rules),
        graph,
        rules,
        report: built.report,
        list_versions: versions.iter().map(|v| v.id()).collect(),
        history_versions: history.iter().map(|v| v.id()).collect(),
        imports: imports.len(),
        imports_seq: imports.last().map_or(0, |(seq, _)| *seq),
        build_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

impl ExposureGraphs {
    /// The graph for `engine`: the cached one while it is current (see the
    /// module docs), else rebuilt. `force` asks the store for imports now.
    fn get(&self, store: &Store, engine: &Engine, force: bool) -> Result<Arc<ExposureGraph>> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        let versions = engine.version_ids();
        if let Some(g) = &cached.graph
            && g.list_versions == versions
            && !force
            && cached.checked.is_some_and(|t| t.elapsed() < RECHECK)
        {
            return Ok(Arc::clone(g));
        }
        let newest = newest_import_seq(store)?;
        if let Some(g) = &cached.graph
            && g.list_versions == versions
            && g.imports_seq == newest
        {
            let g = Arc::clone(g);
            cached.checked = Some(Instant::now());
            return Ok(g);
        }
        let imports = stored_imports(store)?;
        let (earlier, _problems) = history(store, engine, &mut cached.history);
        let graph = Arc::new(build_graph(&engine.versions, &earlier, &imports)?);
        tracing::info!(
            parties = graph.graph.node_count(),
            relations = graph.graph.relation_count(),
            imports = graph.imports,
            ms = graph.build_ms,
            "exposure graph built"
        );
        cached.graph = Some(Arc::clone(&graph));
        cached.checked = Some(Instant::now());
        Ok(graph)
    }
}

/// A party asked about: a graph key (`un-kpe.047`, `analyst:acme-trading`),
/// `un:KPe.047` / `ofac:15603`, a bare list reference, a name or an
/// identifier. Every party it may mean, best first.
pub fn resolve(graph: &Graph, query: &str) -> Vec<NodeId> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    if let Some(id) = graph.find(q) {
        return vec![id];
    }
    let key = resolute_graph::analyst::party_key(q);
    if let Some(id) = graph.find(&key) {
        return vec![id];
    }
    for list in ["un", "ofac-sdn"] {
        if let Some(id) = graph.find_designated(list, q) {
            return vec![id];
        }
    }
    graph.lookup(q)
}

/// The one party `query` names, or a not-found / ambiguous error.
pub fn resolve_one(graph: &Graph, query: &str) -> Result<NodeId> {
    match resolve(graph, query).as_slice() {
        [] => Err(CaseworkError::not_found(format!(
            "party {query:?} in the exposure graph"
        ))),
        [one] => Ok(*one),
        many => Err(CaseworkError::invalid(
            "id",
            format!(
                "{query:?} names {} parties ({}); ask by one of these keys",
                many.len(),
                many.iter()
                    .take(10)
                    .map(|id| graph.node(*id).key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// What an import would add, checked against the graph in force.
#[derive(Debug, Clone, Serialize)]
pub struct ImportCheck {
    pub record: ImportRecord,
    /// Errors (rows left out) and warnings.
    pub errors: usize,
    pub warnings: usize,
}

/// Check a parsed import against `graph`: every relation's parties must be
/// in the graph or declared by the import (a dangling reference is an error
/// naming its statement, line or item).
pub fn check_import(graph: &Graph, format: &str, file: &str, parsed: ParsedImport) -> ImportCheck {
    let ParsedImport {
        parties,
        relations,
        mut problems,
        json_items,
    } = parsed;
    let declared: std::collections::HashSet<&str> =
        parties.iter().map(|p| p.key.as_str()).collect();
    let mut kept = Vec::with_capacity(relations.len());
    for r in relations {
        let missing = [&r.from, &r.to]
            .into_iter()
            .find(|k| graph.find(k).is_none() && !declared.contains(k.as_str()))
            .cloned();
        match missing {
            Some(key) => problems.push(Problem::error(
                file,
                location(&r, json_items),
                format!(
                    "party {key:?} is neither in the graph nor declared here; relation left out"
                ),
            )),
            None => kept.push(r),
        }
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    ImportCheck {
        record: ImportRecord {
            format: format.to_string(),
            file: file.to_string(),
            parties,
            relations: kept,
            problems,
        },
        errors,
        warnings,
    }
}

/// Where a relation came from, worded as the parser words its problems
/// (a JSON edge file's rows are items, a CSV file's are lines).
fn location(r: &PlannedRelation, json_items: bool) -> String {
    use resolute_graph::Provenance::*;
    match &r.provenance {
        Bods { statement_id, .. } => format!("statement {statement_id}"),
        Analyst { line, .. } if json_items => format!("item {line}"),
        Analyst { line, .. } => format!("line {line}"),
        UnList { reference, .. } => reference.clone(),
        OfacLinkedTo { ent_num, .. } => ent_num.clone(),
        Generated { label } => label.clone(),
    }
}

/// An import as parsed, before it is checked against the graph.
#[derive(Debug, Clone, Default)]
pub struct ParsedImport {
    pub parties: Vec<PlannedParty>,
    pub relations: Vec<PlannedRelation>,
    pub problems: Vec<Problem>,
    /// A JSON edge file (its rows are named "item N", not "line N").
    pub json_items: bool,
}

/// Parse an edge file (analyst CSV or JSON) or a BODS 0.4 package.
pub fn parse_import(format: &str, file: &str, bytes: &[u8]) -> Result<ParsedImport> {
    let bad = |e: resolute_graph::GraphError| CaseworkError::invalid(file, e.to_string());
    match format {
        "bods" => {
            let BodsImport {
                parties,
                relations,
                problems,
                ..
            } = resolute_graph::bods::parse(file, bytes).map_err(bad)?;
            Ok(ParsedImport {
                parties,
                relations,
                problems,
                json_items: false,
            })
        }
        "edges" => {
            let text = String::from_utf8_lossy(bytes);
            let json_items = text.trim_start().starts_with('[');
            let import = if json_items {
                resolute_graph::analyst::parse_json(file, bytes)
            } else {
                resolute_graph::analyst::parse_csv(file, bytes)
            }
            .map_err(bad)?;
            Ok(ParsedImport {
                parties: import.parties,
                relations: import.relations,
                problems: import.problems,
                json_items,
            })
        }
        other => Err(CaseworkError::invalid(
            "format",
            format!("{other:?}: expected edges or bods"),
        )),
    }
}

/// What an import did: committed (its audit record) or refused (why), and
/// the problems either way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportDone {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<i64>,
    /// Set when nothing was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    pub parties: usize,
    pub relations: usize,
    /// `{severity, file, location, message}` per problem.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub problems: Vec<Problem>,
}

impl Casework {
    /// The exposure graph of the lists in force and the stored edges.
    pub fn exposure_graph(&self) -> Result<Arc<ExposureGraph>> {
        self.exposure.get(&self.store, &self.engine(), false)
    }

    /// Record an import (one audit record: all or nothing) and put it in force.
    /// `all_or_nothing`: refuse the whole import when a row has an error
    /// (the API); otherwise rows with errors are left out and named (the CLI).
    pub fn import_edges(
        &self,
        format: &str,
        file: &str,
        bytes: &[u8],
        all_or_nothing: bool,
        actor: &str,
    ) -> Result<ImportDone> {
        let parsed = parse_import(format, file, bytes)?;
        let current = self.exposure_graph()?;
        let check = check_import(&current.graph, format, file, parsed);
        let refused = if all_or_nothing && check.errors > 0 {
            Some(format!(
                "{file}: {} error(s); nothing imported",
                check.errors
            ))
        } else if check.record.relations.is_empty() && check.record.parties.is_empty() {
            Some(format!("{file}: nothing to import"))
        } else {
            None
        };
        if refused.is_some() {
            return Ok(ImportDone {
                audit_seq: None,
                refused,
                parties: 0,
                relations: 0,
                problems: check.record.problems,
            });
        }
        let payload =
            CanonicalPayload::of(&serde_json::to_value(&check.record).unwrap_or(Value::Null));
        let who = actor.to_string();
        let receipt = self
            .store
            .write(move |ctx| ctx.append_audit_canonical(IMPORT_KIND, &who, &payload))?;
        self.exposure.get(&self.store, &self.engine(), true)?;
        Ok(ImportDone {
            audit_seq: Some(receipt.seq),
            refused: None,
            parties: check.record.parties.len(),
            relations: check.record.relations.len(),
            problems: check.record.problems,
        })
    }

    /// The exposure of the party `query` names under `rule` on `at`.
    pub fn exposure_of(&self, query: &str, at: NaiveDate, rule: &str) -> Result<Exposure> {
        exposure_in(&*self.exposure_graph()?, query, at, rule)
    }

    /// The neighbourhood of the party `query` names, `depth` relations out.
    pub fn neighbourhood(
        &self,
        query: &str,
        depth: usize,
        at: Option<NaiveDate>,
    ) -> Result<Neighbourhood> {
        neighbourhood_in(&*self.exposure_graph()?, query, depth, at)
    }
}

/// The exposure of the party `query` names in `g` under `rule` (`un`,
/// `ofac`, `eu`, `uk`) on `at`.
pub fn exposure_in(g: &ExposureGraph, query: &str, at: NaiveDate, rule: &str) -> Result<Exposure> {
    let rule = g.rules.get(rule).ok_or_else(|| {
        CaseworkError::invalid(
            "rule",
            format!(
                "{rule:?}: expected one of {}",
                g.rules
                    .all()
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let id = resolve_one(&g.graph, query)?;
    Ok(g.graph.exposure(id, at, rule))
}

/// The neighbourhood of the party `query` names in `g`, `depth` relations
/// out (1 to [`MAX_DEPTH`]); with `at`, only relations that hold then.
pub fn neighbourhood_in(
    g: &ExposureGraph,
    query: &str,
    depth: usize,
    at: Option<NaiveDate>,
) -> Result<Neighbourhood> {
    if depth == 0 || depth > MAX_DEPTH {
        return Err(CaseworkError::invalid(
            "depth",
            format!("{depth}: between 1 and {MAX_DEPTH}"),
        ));
    }
    let id = resolve_one(&g.graph, query)?;
    Ok(ftm::neighbourhood(&g.graph, id, depth, at))
}

/// A summary of the graph (`resolute graph inspect`).
pub fn inspect(g: &ExposureGraph, at: NaiveDate) -> Value {
    let kinds: Vec<Value> = g
        .graph
        .count_by_kind()
        .into_iter()
        .map(|(k, c)| json!({"kind": k, "relations": c}))
        .collect();
    let rules: Vec<Value> = g
        .rules
        .all()
        .iter()
        .map(|r| {
            let p = g.graph.propagation(r, at);
            let (designated, proven, indicative) = p.counts();
            json!({"rule": r.id, "designated": designated, "proven": proven, "indicative": indicative})
        })
        .collect();
    let un = g.report.un_extraction.as_ref().map(|x| {
        json!({"records": x.records, "relations": x.relations.len(), "unplaced": x.unplaced.len(),
               "by_kind": x.count_by_kind().into_iter().map(|(k, c)| json!({"kind": k, "relations": c})).collect::<Vec<_>>()})
    });
    let delisted: usize = g.report.delisted.iter().map(|d| d.delisted.len()).sum();
    let problems = g.graph.problems();
    json!({
        "parties": g.graph.node_count(),
        "relations": g.graph.relation_count(),
        "relations_by_kind": kinds,
        "list_versions": g.list_versions,
        "history_versions": g.history_versions,
        "delisted": delisted,
        "imports": g.imports,
        "un_extraction": un,
        "linked_to": g.report.linked_to.as_ref().map(|l| l.relations),
        "exposure_on": at,
        "rules": rules,
        "problems": {
            "errors": problems.iter().filter(|p| p.severity == Severity::Error).count(),
            "warnings": problems.iter().filter(|p| p.severity == Severity::Warning).count(),
            "first": problems.iter().take(20).collect::<Vec<_>>(),
        },
        "build_ms": g.build_ms,
    })
}

/// Relation kinds, for clients that label edges.
pub fn relation_kinds() -> Vec<&'static str> {
    RelationKind::ALL.iter().map(RelationKind::as_str).collect()
}
