//! Prints what the extractor finds on the bundled lists (run with --ignored --nocapture).
use resolute_graph::GraphSources;

#[test]
#[ignore]
fn dump_extraction() {
    let lists = resolute_lists::bundled().unwrap();
    let built = GraphSources::new().lists(&lists).build();
    let x = built.report.un_extraction.as_ref().unwrap();
    println!(
        "records {} relations {} unplaced {} new vessels {}",
        x.records,
        x.relations.len(),
        x.unplaced.len(),
        x.new_vessels.len()
    );
    println!("{:?}", x.count_by_kind());
    for r in &x.relations {
        println!(
            "R {} [{}] {} {} -> {} former={} ({:?} via {}) :: {}",
            r.record,
            r.pattern,
            r.kind,
            r.from,
            r.to,
            r.former,
            r.counterpart,
            r.resolved_by,
            &r.quote[..r.quote.len().min(120)]
        );
    }
    for u in &x.unplaced {
        println!(
            "U {} [{}] {:?}: {} :: {}",
            u.record,
            u.pattern,
            u.counterpart,
            u.reason,
            &u.quote[..u.quote.len().min(100)]
        );
    }
    for l in &built.report.lists {
        println!(
            "list {} added {} merged {} problems {}",
            l.list,
            l.parties_added,
            l.merged.len(),
            l.problems.len()
        );
        for m in l.merged.iter().filter(|m| m.1.starts_with("un-kp")) {
            println!("  M {:?}", m);
        }
    }
    let lt = built.report.linked_to.as_ref().unwrap();
    println!("linked to {} problems {}", lt.relations, lt.problems.len());
    for p in lt.problems.iter().take(10) {
        println!("  {p}");
    }
}
