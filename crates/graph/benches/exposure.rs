//! Exposure benchmark: `cargo bench -p resolute-graph --bench exposure -- [--json] [--nodes N] [--growth]`
//!
//! 1. The real combined graph (bundled UN + SDN lists, Linked To, UN text
//!    relations, the nine BODS examples): full propagation of all four rules
//!    on one date (goal: under 100 ms on one core).
//! 2. A generated power-law graph with cycles, `--nodes` parties (default
//!    100,000) and three relations per party: full propagation of all four
//!    rules (goal at 1,000,000 / 3,000,000: under 10 s, under 2 GB peak RSS),
//!    single-party exposure queries with paths (goal: p99 under 1 ms).
//! 3. `--growth`: the same at 1×, 10×, 100× of 10,000 parties.
//! 4. The same out-edge walk on CSR and on petgraph's `Graph` (why CSR).
//! 5. The anchor, OpenSanctions `ann_graph_topics` (one hop of ownership
//!    descent per run, a run every six hours, no percentages): the same
//!    descent re-implemented here, counting the runs it needs to converge.
//!
//! Everything runs on the calling thread (one core). The machine may be
//! shared: each timing is given as wall time and as the CPU time the thread
//! got (`/proc/thread-self/schedstat`), with the load average; single-party
//! queries are timed as the fastest of three runs of the same query (what
//! a query costs when the thread is not preempted), next to the plain
//! single-run figures.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use resolute_graph::{
    Designation, Graph, GraphBuilder, GraphSources, Node, NodeId, Origin, Provenance, Relation,
    RelationKind, RelationSource, Rules, Share, analyst, bods, propagate,
};
use resolute_model::Schema;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// Power law: holders are drawn with probability falling as a power of
/// their index (a few holding companies own much); targets uniformly, so
/// random back edges make cycles. 1 % of parties are designated, 85 % of
/// relations are ownership with a share, the rest control, agency and
/// directorship; a tenth of the relations carry dates.
fn generate(nodes: usize, per_node: usize, seed: u64) -> Graph {
    let mut rng = Lcg(seed);
    let mut b = GraphBuilder::new();
    b.reserve(nodes, nodes * per_node);
    for i in 0..nodes {
        let mut n = Node::new(
            format!("generated:{i}"),
            Schema::Company,
            format!("Company {i}"),
            Origin::Generated,
        );
        if rng.below(100) == 0 {
            for list in ["un", "ofac-sdn"] {
                n.designations.push(Designation {
                    list: list.into(),
                    reference: i.to_string(),
                    listed_on: Some(date("2010-01-01") + chrono::Days::new(rng.below(4000) as u64)),
                    removed_on: None,
                    removed_evidence: None,
                    programs: vec![],
                });
            }
        }
        b.add_node(n);
    }
    let provenance = b.add_source(RelationSource {
        provenance: Provenance::Generated {
            label: "bench".into(),
        },
        role: None,
    });
    const SHARES: [f64; 10] = [5.0, 10.0, 20.0, 25.0, 30.0, 40.0, 50.0, 51.0, 75.0, 100.0];
    for _ in 0..nodes * per_node {
        let from = ((nodes as f64) * rng.unit().powi(3)) as usize % nodes;
        let to = rng.below(nodes);
        if from == to {
            continue;
        }
        let k = rng.below(100);
        let (kind, share) = match k {
            0..85 => (
                RelationKind::Ownership,
                Share::from_percent(SHARES[rng.below(SHARES.len())]),
            ),
            85..92 => (RelationKind::Control, Share::UNKNOWN),
            92..96 => (RelationKind::ActingOnBehalf, Share::UNKNOWN),
            _ => (RelationKind::Directorship, Share::UNKNOWN),
        };
        let dated = rng.below(10) == 0;
        b.add_relation(Relation {
            from: NodeId(from as u32),
            to: NodeId(to as u32),
            kind,
            former: false,
            share,
            start: dated.then(|| date("2012-01-01") + chrono::Days::new(rng.below(3000) as u64)),
            end: None,
            provenance,
        });
    }
    b.build()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time this thread got, ms (the scheduler's count, updated at each
/// tick and switch: good for spans of tens of milliseconds and more).
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e6)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One rule's propagation: counts and its wall and CPU ms.
struct RuleRun {
    rule: String,
    designated: usize,
    proven: usize,
    indicative: usize,
    wall_ms: f64,
    cpu_ms: f64,
}

/// All four rules on one date: wall ms, CPU ms, and per rule.
fn all_rules(g: &Graph, rules: &Rules, on: NaiveDate) -> (f64, f64, Vec<RuleRun>) {
    let (t, c) = (Instant::now(), thread_cpu_ms());
    let mut runs = Vec::new();
    for r in rules.all() {
        let (tr, cr) = (Instant::now(), thread_cpu_ms());
        let p = propagate(g, r, on);
        let (wall_ms, cpu_ms) = (ms(tr.elapsed()), thread_cpu_ms() - cr);
        let (designated, proven, indicative) = p.counts();
        runs.push(RuleRun {
            rule: r.id.clone(),
            designated,
            proven,
            indicative,
            wall_ms,
            cpu_ms,
        });
    }
    (ms(t.elapsed()), thread_cpu_ms() - c, runs)
}

/// Single-party query latencies (ms) on a cached propagation.
struct QueryTimes {
    /// Fastest of three runs of each query.
    p50: f64,
    p99: f64,
    /// One run of each query, as timed (includes preemption on a busy machine).
    single_p50: f64,
    single_p99: f64,
    /// Mean path length (steps) and paths per exposed party.
    steps_per_path: f64,
    paths_per_exposed: f64,
}

/// `count` queries under `rule`: half exposed parties (paths to build),
/// half any party.
fn queries(g: &Graph, rules: &Rules, rule: &str, on: NaiveDate, count: usize) -> QueryTimes {
    let rule = rules.get(rule).unwrap_or(&rules.all()[0]);
    let p = g.propagation(rule, on);
    let exposed: Vec<NodeId> = p.exposed().map(|(id, _)| id).collect();
    let mut rng = Lcg(7);
    let mut best = Vec::with_capacity(count);
    let mut single = Vec::with_capacity(count);
    let (mut paths, mut steps, mut exposed_asked) = (0usize, 0usize, 0usize);
    for i in 0..count {
        let id = if i % 2 == 0 && !exposed.is_empty() {
            exposed[rng.below(exposed.len())]
        } else {
            NodeId(rng.below(g.node_count()) as u32)
        };
        let mut fastest = f64::MAX;
        for run in 0..3 {
            let t = Instant::now();
            let e = g.exposure(id, on, rule);
            let took = ms(t.elapsed());
            fastest = fastest.min(took);
            if run == 0 {
                single.push(took);
                if !e.paths.is_empty() {
                    exposed_asked += 1;
                    paths += e.paths.len();
                    steps += e.paths.iter().map(|p| p.steps.len()).sum::<usize>();
                }
            }
        }
        best.push(fastest);
    }
    let pct = |v: &mut Vec<f64>, q: usize| {
        v.sort_by(f64::total_cmp);
        v[(v.len() * q / 100).min(v.len() - 1)]
    };
    QueryTimes {
        p50: pct(&mut best, 50),
        p99: pct(&mut best, 99),
        single_p50: pct(&mut single, 50),
        single_p99: pct(&mut single, 99),
        steps_per_path: steps as f64 / paths.max(1) as f64,
        paths_per_exposed: paths as f64 / exposed_asked.max(1) as f64,
    }
}

/// The out-edge walk of the propagation (breadth-first from the
/// designated parties over ownership), on CSR and on petgraph.
fn csr_vs_petgraph(g: &Graph) -> (f64, f64, u64) {
    let roots: Vec<usize> = g
        .nodes()
        .filter(|(_, n)| n.is_designated())
        .map(|(id, _)| id.index())
        .collect();
    let walk_csr = || {
        let mut seen = vec![false; g.node_count()];
        let mut queue: Vec<NodeId> = roots.iter().map(|&r| NodeId(r as u32)).collect();
        let mut sum = 0u64;
        let mut head = 0;
        while let Some(&n) = queue.get(head) {
            head += 1;
            for (_, r) in g.out_relations(n) {
                sum += u64::from(r.share.min);
                if !seen[r.to.index()] {
                    seen[r.to.index()] = true;
                    queue.push(r.to);
                }
            }
        }
        sum
    };
    let mut pg: petgraph::Graph<(), u32> =
        petgraph::Graph::with_capacity(g.node_count(), g.relation_count());
    for _ in 0..g.node_count() {
        pg.add_node(());
    }
    for r in g.relations() {
        pg.add_edge(
            petgraph::graph::NodeIndex::new(r.from.index()),
            petgraph::graph::NodeIndex::new(r.to.index()),
            r.share.min,
        );
    }
    let walk_pg = || {
        use petgraph::visit::EdgeRef;
        let mut seen = vec![false; pg.node_count()];
        let mut queue: Vec<petgraph::graph::NodeIndex> = roots
            .iter()
            .map(|&r| petgraph::graph::NodeIndex::new(r))
            .collect();
        let mut sum = 0u64;
        let mut head = 0;
        while let Some(&n) = queue.get(head) {
            head += 1;
            for e in pg.edges(n) {
                sum += u64::from(*e.weight());
                if !seen[e.target().index()] {
                    seen[e.target().index()] = true;
                    queue.push(e.target());
                }
            }
        }
        sum
    };
    let mut t_csr = Vec::new();
    let mut t_pg = Vec::new();
    let mut check = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        check.0 = walk_csr();
        t_csr.push(ms(t.elapsed()));
        let t = Instant::now();
        check.1 = walk_pg();
        t_pg.push(ms(t.elapsed()));
    }
    assert_eq!(check.0, check.1, "the two walks must agree");
    (median(t_csr), median(t_pg), check.0)
}

/// OpenSanctions' `rule_ownership_descent`: each run tags the assets of
/// tagged owners, one hop, any share. Runs until nothing changes.
fn anchor_runs(g: &Graph) -> (usize, f64, usize) {
    let t = Instant::now();
    let mut tagged: Vec<bool> = g.nodes().map(|(_, n)| n.is_designated()).collect();
    let mut runs = 0;
    loop {
        let mut next = tagged.clone();
        let mut changed = false;
        for r in g.relations() {
            if r.kind == RelationKind::Ownership
                && r.end.is_none()
                && tagged[r.from.index()]
                && !next[r.to.index()]
            {
                next[r.to.index()] = true;
                changed = true;
            }
        }
        tagged = next;
        if !changed {
            break;
        }
        runs += 1;
    }
    (runs, ms(t.elapsed()), tagged.iter().filter(|t| **t).count())
}

struct Row {
    nodes: usize,
    relations: usize,
    build_ms: f64,
    propagate_ms: f64,
    propagate_cpu_ms: f64,
    rules: Vec<RuleRun>,
    /// Under `ofac` and under `uk` (the per-controller rule).
    ofac: QueryTimes,
    uk: QueryTimes,
    rss_mb: f64,
}

fn generated_row(nodes: usize, rules: &Rules, on: NaiveDate) -> Row {
    let t = Instant::now();
    let g = generate(nodes, 3, 42);
    let build_ms = ms(t.elapsed());
    let (propagate_ms, propagate_cpu_ms, runs) = all_rules(&g, rules, on);
    let ofac = queries(&g, rules, "ofac", on, 5_000);
    let uk = queries(&g, rules, "uk", on, 5_000);
    Row {
        nodes,
        relations: g.relation_count(),
        build_ms,
        propagate_ms,
        propagate_cpu_ms,
        rules: runs,
        ofac,
        uk,
        rss_mb: peak_rss_mb(),
    }
}

fn query_json(q: &QueryTimes) -> serde_json::Value {
    serde_json::json!({"p50_ms": q.p50, "p99_ms": q.p99, "single_run_p50_ms": q.single_p50,
        "single_run_p99_ms": q.single_p99, "steps_per_path": q.steps_per_path,
        "paths_per_exposed_party": q.paths_per_exposed})
}

fn rules_json(runs: &[RuleRun]) -> serde_json::Value {
    runs.iter()
        .map(|r| {
            serde_json::json!({"rule": r.rule, "designated": r.designated, "proven": r.proven,
            "indicative": r.indicative, "wall_ms": r.wall_ms, "cpu_ms": r.cpu_ms})
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let growth = args.iter().any(|a| a == "--growth");
    let nodes: usize = args
        .iter()
        .position(|a| a == "--nodes")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rules = Rules::bundled().expect("bundled rules");
    let on = date("2024-05-03");

    // 1. The real combined graph.
    let lists = resolute_lists::bundled().expect("bundled lists");
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ownership");
    let t = Instant::now();
    let mut sources = GraphSources::new().lists(&lists);
    for entry in std::fs::read_dir(dir.join("bods"))
        .expect("bods dir")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).expect("bods file");
            sources = sources.bods(bods::parse(&name, &bytes).expect("bods parse"));
        }
    }
    let edges = std::fs::read(dir.join("analyst-ftb-60.csv")).expect("analyst edges");
    sources = sources.analyst(analyst::parse_csv("analyst-ftb-60.csv", &edges).expect("edges"));
    let real = sources.build();
    let real_build_ms = ms(t.elapsed());
    let g = &real.graph;
    let mut real_runs = Vec::new();
    for _ in 0..9 {
        let (wall, cpu, _) = all_rules(g, &rules, on);
        real_runs.push((wall, cpu));
    }
    let (_, _, real_counts) = all_rules(g, &rules, on);
    let real_ms = median(real_runs.iter().map(|r| r.0).collect());
    let real_cpu_ms = median(real_runs.iter().map(|r| r.1).collect());
    let real_q = queries(g, &rules, "ofac", on, 2_000);
    let (anchor_runs_real, anchor_ms_real, _) = anchor_runs(g);

    // 2. Generated.
    let main_row = generated_row(nodes, &rules, on);
    let generated = generate(nodes, 3, 42);
    let (csr_ms, pg_ms, _) = csr_vs_petgraph(&generated);
    let (anchor_runs_gen, anchor_ms_gen, anchor_tagged) = anchor_runs(&generated);
    drop(generated);

    // 3. Growth.
    let growth_rows: Vec<Row> = if growth {
        [10_000, 100_000, 1_000_000]
            .iter()
            .map(|&n| generated_row(n, &rules, on))
            .collect()
    } else {
        Vec::new()
    };

    if json {
        let row = |r: &Row| {
            serde_json::json!({"nodes": r.nodes, "relations": r.relations, "build_ms": r.build_ms,
                "propagate_all_rules_ms": r.propagate_ms, "propagate_all_rules_cpu_ms": r.propagate_cpu_ms,
                "rules": rules_json(&r.rules), "query_ofac": query_json(&r.ofac), "query_uk": query_json(&r.uk),
                "peak_rss_mb": r.rss_mb})
        };
        let out = serde_json::json!({
            "load_average": load_average(),
            "real": {"nodes": g.node_count(), "relations": g.relation_count(), "build_ms": real_build_ms,
                "propagate_all_rules_ms": real_ms, "propagate_all_rules_cpu_ms": real_cpu_ms,
                "query_ofac": query_json(&real_q), "rules": rules_json(&real_counts),
                "anchor": {"runs_to_converge": anchor_runs_real, "hours_at_one_run_per_6h": anchor_runs_real * 6, "ms": anchor_ms_real}},
            "generated": row(&main_row),
            "walk": {"csr_ms": csr_ms, "petgraph_ms": pg_ms},
            "anchor_generated": {"runs_to_converge": anchor_runs_gen, "hours_at_one_run_per_6h": anchor_runs_gen * 6, "ms": anchor_ms_gen, "tagged": anchor_tagged},
            "growth": growth_rows.iter().map(row).collect::<Vec<_>>(),
        });
        println!("{out}");
        return;
    }
    println!("load average {}", load_average());
    println!(
        "real combined graph: {} parties, {} relations (built in {real_build_ms:.0} ms)",
        g.node_count(),
        g.relation_count()
    );
    println!(
        "  all four rules, full propagation: {real_ms:.2} ms wall, {real_cpu_ms:.1} ms CPU (goal < 100 ms)"
    );
    for r in &real_counts {
        println!(
            "    {:5} designated {:6}  proven {:5}  indicative {:5}",
            r.rule, r.designated, r.proven, r.indicative
        );
    }
    println!(
        "  single-party exposure with paths (ofac): p50 {:.4} ms, p99 {:.4} ms (single run p99 {:.4} ms)",
        real_q.p50, real_q.p99, real_q.single_p99
    );
    println!(
        "  anchor (OpenSanctions one-hop descent per 6-hourly run): {anchor_runs_real} runs to converge = {} h; the same descent here {anchor_ms_real:.2} ms",
        anchor_runs_real * 6
    );
    println!();
    print_row("generated power-law graph with cycles", &main_row);
    println!("  out-edge walk: CSR {csr_ms:.1} ms, petgraph Graph {pg_ms:.1} ms");
    println!(
        "  anchor: {anchor_runs_gen} runs to converge = {} h, {anchor_tagged} tagged (no percentages); the same descent here {anchor_ms_gen:.0} ms",
        anchor_runs_gen * 6
    );
    if !growth_rows.is_empty() {
        println!();
        println!(
            "growth         parties   relations   build ms   4 rules ms (CPU)   p99 ofac / uk ms   peak RSS MB"
        );
        for (k, r) in growth_rows.iter().enumerate() {
            println!(
                "  {:>4}×  {:>10}  {:>10}  {:>9.0}  {:>9.0} ({:>6.0})  {:>7.4} / {:>7.4}  {:>11.0}",
                10usize.pow(k as u32),
                r.nodes,
                r.relations,
                r.build_ms,
                r.propagate_ms,
                r.propagate_cpu_ms,
                r.ofac.p99,
                r.uk.p99,
                r.rss_mb
            );
        }
    }
}

fn print_row(title: &str, r: &Row) {
    println!(
        "{title}: {} parties, {} relations (built in {:.0} ms)",
        r.nodes, r.relations, r.build_ms
    );
    println!(
        "  all four rules, full propagation: {:.0} ms wall, {:.0} ms CPU (goal at 1M/3M < 10 s on one core)",
        r.propagate_ms, r.propagate_cpu_ms
    );
    for run in &r.rules {
        println!(
            "    {:5} {:>7.0} ms wall {:>7.0} ms CPU   designated {:6}  proven {:7}  indicative {:7}",
            run.rule, run.wall_ms, run.cpu_ms, run.designated, run.proven, run.indicative
        );
    }
    for (rule, q) in [("ofac", &r.ofac), ("uk", &r.uk)] {
        println!(
            "  single-party exposure with paths ({rule}): p50 {:.4} ms, p99 {:.4} ms (goal p99 < 1 ms); single run p50 {:.4}, p99 {:.4} ms; {:.1} paths of {:.1} steps per exposed party",
            q.p50, q.p99, q.single_p50, q.single_p99, q.paths_per_exposed, q.steps_per_path
        );
    }
    println!("  peak RSS {:.0} MB (goal < 2048 MB)", r.rss_mb);
}
