//! `MatchIndex::search_filtered` on the bundled lists: a filter applies while
//! candidates are gathered (the names scored are the best among the entities
//! kept), matches beyond `limit` are named, and a query without a name finds
//! entries by identifier.

use std::sync::LazyLock;

use resolute_matching::{MatchIndex, MatchOptions, Query};
use resolute_model::{Entity, Schema};

static INDEX: LazyLock<MatchIndex> = LazyLock::new(|| {
    let lists = resolute_lists::bundled().unwrap_or_else(|e| panic!("bundled lists: {e}"));
    MatchIndex::build(lists.into_iter().flat_map(|l| l.entities).collect())
});

fn ids(r: &[resolute_matching::MatchResult]) -> Vec<&str> {
    r.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn a_filter_keeps_the_candidates_it_allows() {
    let q = Query::name(Schema::Thing, "Korea Kwangson Banking Corporation");
    let opts = MatchOptions::default();
    let all = INDEX.search_filtered(&q, &opts, None);
    assert!(
        ids(&all.results).contains(&"un-kpe.025"),
        "{:?}",
        ids(&all.results)
    );
    assert!(ids(&all.results).contains(&"ofac-sdn-11581"));
    // Only the UN list, and the UN entry excluded: neither comes back, and
    // whatever does is on the UN list.
    let keep =
        |e: &Entity| e.datasets.iter().any(|d| d == "un_sc_sanctions") && e.id != "un-kpe.025";
    let kept = INDEX.search_filtered(&q, &opts, Some(&keep));
    assert!(!ids(&kept.results).contains(&"un-kpe.025"));
    assert!(
        kept.results.iter().all(|m| m.id.starts_with("un-")),
        "{:?}",
        ids(&kept.results)
    );
    // Unfiltered search is the plain search.
    assert_eq!(INDEX.search(&q, &opts), all.results);
}

#[test]
fn matches_beyond_the_limit_are_named() {
    // Both Kwangson entries score 1.0: one is reported, the other is named.
    let q = Query::name(Schema::Organization, "Korea Kwangson Banking Corporation");
    let opts = MatchOptions {
        limit: 1,
        ..MatchOptions::default()
    };
    let found = INDEX.search_filtered(&q, &opts, None);
    assert_eq!(found.results.len(), 1);
    assert_eq!(
        found.unreported_matches.len(),
        1,
        "{:?}",
        found.unreported_matches
    );
    assert_ne!(found.unreported_matches[0], found.results[0].id);
}

#[test]
fn a_query_without_a_name_finds_by_identifier() {
    let q = Query {
        id: None,
        schema: Schema::Organization,
        properties: [("swiftBic".to_string(), vec!["FTBDKPPY".to_string()])].into(),
    };
    let found = INDEX.search(&q, &MatchOptions::default());
    let got = ids(&found);
    assert!(
        got.contains(&"un-kpe.047") && got.contains(&"ofac-sdn-15603"),
        "{got:?}"
    );
    for m in &found {
        assert_eq!(m.explanation.method, "identifier");
        assert_eq!(m.explanation.query_name, "");
        assert!(m.score >= 0.95, "{}", m.score);
    }
    // No name and no identifier: nothing to go on.
    let q = Query {
        id: None,
        schema: Schema::Person,
        properties: [("birthDate".to_string(), vec!["1984-01-08".to_string()])].into(),
    };
    assert!(INDEX.search(&q, &MatchOptions::default()).is_empty());
}
