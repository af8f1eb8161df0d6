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
//! Everything runs on the calling thread (one core).

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// All four rules on one date; returns ms and the exposed counts.
fn all_rules(g: &Graph, rules: &Rules, on: NaiveDate) -> (f64, Vec<(String, usize, usize, usize)>) {
    let t = Instant::now();
    let mut counts = Vec::new();
    for r in rules.all() {
        let p = propagate(g, r, on);
        let (d, pr, i) = p.counts();
        counts.push((r.id.clone(), d, pr, i));
    }
    (ms(t.elapsed()), counts)
}

/// Single-party queries on a cached propagation: p50, p99 in ms.
fn queries(g: &Graph, rules: &Rules, on: NaiveDate, count: usize) -> (f64, f64, usize) {
    let rule = rules.get("ofac").unwrap_or(&rules.all()[0]);
    let p = g.propagation(rule, on);
    let exposed: Vec<NodeId> = p.exposed().map(|(id, _)| id).collect();
    let mut rng = Lcg(7);
    let mut times = Vec::with_capacity(count);
    let mut paths = 0;
    for i in 0..count {
        // Half exposed parties (paths to build), half any party.
        let id = if i % 2 == 0 && !exposed.is_empty() {
            exposed[rng.below(exposed.len())]
        } else {
            NodeId(rng.below(g.node_count()) as u32)
        };
        let t = Instant::now();
        let e = g.exposure(id, on, rule);
        times.push(ms(t.elapsed()));
        paths += e.paths.len();
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() * 99 / 100], paths)
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
    p50_ms: f64,
    p99_ms: f64,
    rss_mb: f64,
}

fn generated_row(nodes: usize, rules: &Rules, on: NaiveDate) -> Row {
    let t = Instant::now();
    let g = generate(nodes, 3, 42);
    let build_ms = ms(t.elapsed());
    let (propagate_ms, _) = all_rules(&g, rules, on);
    let (p50_ms, p99_ms, _) = queries(&g, rules, on, 10_000);
    Row {
        nodes,
        relations: g.relation_count(),
        build_ms,
        propagate_ms,
        p50_ms,
        p99_ms,
        rss_mb: peak_rss_mb(),
    }
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
    let runs: Vec<f64> = (0..9).map(|_| all_rules(g, &rules, on).0).collect();
    let (_, real_counts) = all_rules(g, &rules, on);
    let real_ms = median(runs);
    let (real_p50, real_p99, _) = queries(g, &rules, on, 2_000);
    let (anchor_runs_real, anchor_ms_real, _) = anchor_runs(g);

    // 2. Generated.
    let main_row = generated_row(nodes, &rules, on);
    let generated = generate(nodes, 3, 42);
    let (csr_ms, pg_ms, _) = csr_vs_petgraph(&generated);
    let (anchor_runs_gen, anchor_ms_gen, anchor_tagged) = anchor_runs(&generated);
    let ofac = propagate(&generated, rules.get("ofac").expect("ofac"), on);
    let (d, p, i) = ofac.counts();
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
                "propagate_all_rules_ms": r.propagate_ms, "query_p50_ms": r.p50_ms, "query_p99_ms": r.p99_ms,
                "peak_rss_mb": r.rss_mb})
        };
        let out = serde_json::json!({
            "real": {"nodes": g.node_count(), "relations": g.relation_count(), "build_ms": real_build_ms,
                "propagate_all_rules_ms": real_ms, "query_p50_ms": real_p50, "query_p99_ms": real_p99,
                "counts": real_counts,
                "anchor": {"runs_to_converge": anchor_runs_real, "hours_at_one_run_per_6h": anchor_runs_real * 6, "ms": anchor_ms_real}},
            "generated": row(&main_row),
            "generated_ofac": {"designated": d, "proven": p, "indicative": i},
            "walk": {"csr_ms": csr_ms, "petgraph_ms": pg_ms},
            "anchor_generated": {"runs_to_converge": anchor_runs_gen, "hours_at_one_run_per_6h": anchor_runs_gen * 6, "ms": anchor_ms_gen, "tagged": anchor_tagged},
            "growth": growth_rows.iter().map(row).collect::<Vec<_>>(),
        });
        println!("{out}");
        return;
    }
    println!(
        "real combined graph: {} parties, {} relations (built in {real_build_ms:.0} ms)",
        g.node_count(),
        g.relation_count()
    );
    println!("  all four rules, full propagation: {real_ms:.2} ms (goal < 100 ms)");
    for (rule, d, p, i) in &real_counts {
        println!("    {rule:5} designated {d:6}  proven {p:5}  indicative {i:5}");
    }
    println!("  single-party exposure with paths: p50 {real_p50:.4} ms, p99 {real_p99:.4} ms");
    println!(
        "  anchor (OpenSanctions one-hop descent per 6-hourly run): {anchor_runs_real} runs to converge = {} h; the same descent here {anchor_ms_real:.2} ms",
        anchor_runs_real * 6
    );
    println!();
    println!(
        "generated power-law graph with cycles: {} parties, {} relations (built in {:.0} ms)",
        main_row.nodes, main_row.relations, main_row.build_ms
    );
    println!(
        "  all four rules, full propagation: {:.0} ms (goal at 1M/3M < 10 s)",
        main_row.propagate_ms
    );
    println!("  ofac: designated {d}, proven {p}, indicative {i}");
    println!(
        "  single-party exposure with paths: p50 {:.4} ms, p99 {:.4} ms (goal p99 < 1 ms)",
        main_row.p50_ms, main_row.p99_ms
    );
    println!("  peak RSS {:.0} MB (goal < 2048 MB)", main_row.rss_mb);
    println!("  out-edge walk: CSR {csr_ms:.1} ms, petgraph Graph {pg_ms:.1} ms");
    println!(
        "  anchor: {anchor_runs_gen} runs to converge = {} h, {anchor_tagged} tagged (no percentages); the same descent here {anchor_ms_gen:.0} ms",
        anchor_runs_gen * 6
    );
    if !growth_rows.is_empty() {
        println!();
        println!(
            "growth         parties   relations   build ms   4 rules ms   p99 ms   peak RSS MB"
        );
        for (k, r) in growth_rows.iter().enumerate() {
            println!(
                "  {:>4}×  {:>10}  {:>10}  {:>9.0}  {:>11.0}  {:>7.4}  {:>11.0}",
                10usize.pow(k as u32),
                r.nodes,
                r.relations,
                r.build_ms,
                r.propagate_ms,
                r.p99_ms,
                r.rss_mb
            );
        }
    }
}
