//! OFAC FAQ 401 examples 1–4 under each rule, UK non-aggregation, cycles
//! and as-of dates, on small graphs built in the test.

// Test helpers outside #[test] functions may unwrap too (clippy.toml allows it in tests only).
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use resolute_graph::{
    Designation, Graph, GraphBuilder, Node, NodeId, Origin, Provenance, Relation, RelationKind,
    RelationSource, Rules, Share, Status,
};
use resolute_model::Schema;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `designated`: parties designated by both the UN and OFAC lists.
/// Edges `(from, to, percent)`; a negative percent is a joint arrangement.
fn graph(designated: &[&str], edges: &[(&str, &str, f64)]) -> Graph {
    let mut b = GraphBuilder::new();
    let id = |b: &mut GraphBuilder, name: &str| -> NodeId {
        let mut n = Node::new(
            format!("t:{name}"),
            Schema::Company,
            name,
            Origin::Generated,
        );
        if designated.contains(&name) {
            for list in ["un", "ofac-sdn"] {
                n.designations.push(Designation {
                    list: list.into(),
                    reference: name.into(),
                    listed_on: None,
                    removed_on: None,
                    programs: vec![],
                });
            }
        }
        b.add_node(n)
    };
    for (from, to, pct) in edges {
        let (f, t) = (id(&mut b, from), id(&mut b, to));
        let provenance = b.add_source(RelationSource {
            provenance: Provenance::Generated {
                label: "FAQ 401".into(),
            },
            role: None,
        });
        let (kind, share) = if *pct < 0.0 {
            (RelationKind::JointArrangement, Share::UNKNOWN)
        } else {
            (RelationKind::Ownership, Share::from_percent(*pct))
        };
        b.add_relation(Relation {
            from: f,
            to: t,
            kind,
            former: false,
            share,
            start: None,
            end: None,
            provenance,
        });
    }
    b.build()
}

fn status(g: &Graph, rule: &str, name: &str) -> Status {
    let rules = Rules::bundled().unwrap();
    let id = g.find(&format!("t:{name}")).unwrap();
    g.exposure(id, d("2020-01-01"), rules.get(rule).unwrap())
        .status
}

const P: Status = Status::Proven;
const N: Status = Status::None;
const I: Status = Status::Indicative;

/// (rule, [statuses of the parties in order]) for one graph.
fn check(g: &Graph, parties: &[&str], expected: &[(&str, &[Status])]) {
    for (rule, want) in expected {
        let got: Vec<Status> = parties.iter().map(|p| status(g, rule, p)).collect();
        assert_eq!(&got, want, "rule {rule}, parties {parties:?}");
    }
}

#[test]
fn faq_401_example_1_chain_of_fifty_percent() {
    // X owns 50 % of A; A owns 50 % of B: B is blocked (OFAC).
    let g = graph(&["X"], &[("X", "A", 50.0), ("A", "B", 50.0)]);
    check(
        &g,
        &["A", "B"],
        &[
            ("ofac", &[P, P]),
            ("eu", &[P, P]),
            ("uk", &[N, N]),
            ("un", &[P, P]),
        ],
    );
}

#[test]
fn faq_401_example_2_two_blocked_owners_aggregate() {
    // X owns 50 % of A and of B; A and B each own 25 % of C: C is blocked.
    let g = graph(
        &["X"],
        &[
            ("X", "A", 50.0),
            ("X", "B", 50.0),
            ("A", "C", 25.0),
            ("B", "C", 25.0),
        ],
    );
    check(
        &g,
        &["A", "B", "C"],
        &[
            ("ofac", &[P, P, P]),
            ("eu", &[P, P, P]),
            // UK: 50 % is not more than 50 %, so neither A nor B is owned by X.
            ("uk", &[N, N, N]),
            ("un", &[P, P, P]),
        ],
    );
}

#[test]
fn faq_401_example_3_blocked_intermediate_counts_in_full() {
    // X owns 50 % of A and 10 % of B; A owns 40 % of B: B is blocked,
    // 40 % + 10 % = 50 %; multiplying (50 % × 40 % + 10 % = 30 %) is wrong.
    let g = graph(
        &["X"],
        &[("X", "A", 50.0), ("X", "B", 10.0), ("A", "B", 40.0)],
    );
    check(
        &g,
        &["A", "B"],
        &[
            ("ofac", &[P, P]),
            ("eu", &[P, P]),
            ("uk", &[N, N]),
            ("un", &[P, P]),
        ],
    );
    let rules = Rules::bundled().unwrap();
    let b = g.find("t:B").unwrap();
    let e = g.exposure(b, d("2020-01-01"), rules.get("ofac").unwrap());
    assert_eq!(e.stake_percent, Some(50.0));
    let mut products: Vec<f64> = e.paths.iter().filter_map(|p| p.product_percent).collect();
    products.sort_by(f64::total_cmp);
    // The integrated (multiplied) figures of the two paths sum to 30 %.
    assert_eq!(products, [10.0, 20.0]);
    assert!(e.paths.iter().all(|p| p.proven && p.root.id == "t:X"));
    insta::assert_json_snapshot!("faq401_example3_ofac", e);
}

#[test]
fn faq_401_example_4_non_blocked_intermediates_pass_nothing() {
    // X owns 25 % of A and of B; A and B each own 50 % of C: C is not blocked.
    let g = graph(
        &["X"],
        &[
            ("X", "A", 25.0),
            ("X", "B", 25.0),
            ("A", "C", 50.0),
            ("B", "C", 50.0),
        ],
    );
    check(
        &g,
        &["A", "B", "C"],
        &[
            ("ofac", &[N, N, N]),
            ("eu", &[N, N, N]),
            ("uk", &[N, N, N]),
            // UN: a minority stake of a designated party is a control path to review.
            ("un", &[I, I, I]),
        ],
    );
}

#[test]
fn uk_does_not_aggregate_unconnected_designated_persons() {
    let edges = [("X", "C", 30.0), ("Y", "C", 30.0)];
    let g = graph(&["X", "Y"], &edges);
    check(
        &g,
        &["C"],
        &[("ofac", &[P]), ("eu", &[P]), ("uk", &[N]), ("un", &[P])],
    );
    // A joint arrangement between X and Y: the UK aggregates them.
    let g = graph(
        &["X", "Y"],
        &[("X", "C", 30.0), ("Y", "C", 30.0), ("X", "Y", -1.0)],
    );
    check(&g, &["C"], &[("uk", &[P])]);
    // One person's stake held through a company it owns counts as its own.
    let g = graph(
        &["X"],
        &[("X", "A", 60.0), ("A", "C", 30.0), ("X", "C", 25.0)],
    );
    check(&g, &["A", "C"], &[("uk", &[P, P])]);
    // ...but not together with another person's.
    let g = graph(
        &["X", "Y"],
        &[("X", "A", 60.0), ("A", "C", 30.0), ("Y", "C", 25.0)],
    );
    check(&g, &["A", "C"], &[("uk", &[P, N]), ("ofac", &[P, P])]);
}

#[test]
fn cycles_never_expose_themselves_and_terminate() {
    // A ring of companies owning each other, no designated party: nothing.
    let g = graph(
        &["X"],
        &[("A", "B", 60.0), ("B", "A", 60.0), ("X", "Z", 1.0)],
    );
    check(
        &g,
        &["A", "B"],
        &[("ofac", &[N, N]), ("uk", &[N, N]), ("un", &[N, N])],
    );
    // X 40 % of A, B 20 % of A, A 60 % of B: least fixpoint, neither (a
    // greatest fixpoint would say both, by circular support).
    let g = graph(
        &["X"],
        &[("X", "A", 40.0), ("B", "A", 20.0), ("A", "B", 60.0)],
    );
    check(&g, &["A", "B"], &[("ofac", &[N, N]), ("eu", &[N, N])]);
    // With X at 50 %: A, then B; the paths stay finite.
    let g = graph(
        &["X"],
        &[("X", "A", 50.0), ("B", "A", 20.0), ("A", "B", 60.0)],
    );
    check(&g, &["A", "B"], &[("ofac", &[P, P])]);
    let rules = Rules::bundled().unwrap();
    let e = g.exposure(
        g.find("t:B").unwrap(),
        d("2020-01-01"),
        rules.get("ofac").unwrap(),
    );
    assert_eq!(e.paths.len(), 1);
    assert_eq!(e.paths[0].steps.len(), 2);
}

#[test]
fn edges_count_only_while_their_dates_hold() {
    let mut b = GraphBuilder::new();
    let mut x = Node::new("t:X", Schema::Company, "X", Origin::Generated);
    x.designations.push(Designation {
        list: "un".into(),
        reference: "X".into(),
        listed_on: Some(d("2019-06-01")),
        removed_on: None,
        programs: vec![],
    });
    let x = b.add_node(x);
    let a = b.add_node(Node::new("t:A", Schema::Company, "A", Origin::Generated));
    let provenance = b.add_source(RelationSource {
        provenance: Provenance::Generated {
            label: "dated".into(),
        },
        role: None,
    });
    b.add_relation(Relation {
        from: x,
        to: a,
        kind: RelationKind::Ownership,
        former: false,
        share: Share::from_percent(60.0),
        start: Some(d("2019-01-01")),
        end: Some(d("2021-01-01")),
        provenance,
    });
    let g = b.build();
    let rules = Rules::bundled().unwrap();
    let un = rules.get("un").unwrap();
    let at = |date: &str| g.exposure(a, d(date), un).status;
    assert_eq!(
        at("2019-05-31"),
        N,
        "edge holds, designation not yet in force"
    );
    assert_eq!(at("2019-06-01"), P);
    assert_eq!(at("2020-12-31"), P);
    assert_eq!(at("2021-01-01"), N, "end is exclusive");
}
