//! The index with hand-built entities: qualifiers, identifiers, weak
//! aliases, schema and date filters, query parsing.

use chrono::NaiveDate;
use resolute_matching::{MatchIndex, MatchOptions, Query, QueryError};
use resolute_model::{Entity, EntityName, FuzzyDate, NameKind, NameQuality, Schema, Source};

fn person(reference: &str, name: &str, dob: Option<&str>) -> Entity {
    let mut e = Entity::new(Source::Un, reference, Schema::Person);
    e.add_name(EntityName {
        value: name.into(),
        kind: NameKind::Primary,
        quality: NameQuality::Unspecified,
        script: None,
    });
    if let Some(d) = dob {
        e.add_birth_date(FuzzyDate::exact(
            d.parse().unwrap_or_else(|e| panic!("{e}")),
        ));
    }
    e.add("nationality", "kp");
    e
}

fn index() -> MatchIndex {
    let mut a = person("KPi.900", "KIM JONG UN", Some("1984-01-08"));
    a.add_name(EntityName {
        value: "KJU".into(),
        kind: NameKind::Alias,
        quality: NameQuality::Low,
        script: None,
    });
    a.add("passportNumber", "PS-123456");
    let b = person("KPi.901", "KIM JONG IL", Some("1941-02-16"));
    let mut c = person("KPi.902", "RI SU YONG", Some("1940"));
    c.listed_on = NaiveDate::from_ymd_opt(2017, 8, 5);
    let mut v = Entity::new(Source::OfacSdn, "9001", Schema::Vessel);
    v.add_name(EntityName {
        value: "KIM JONG UN".into(),
        kind: NameKind::Primary,
        quality: NameQuality::Unspecified,
        script: None,
    });
    v.add("imoNumber", "IMO 9123456");
    MatchIndex::build(vec![a, b, c, v])
}

fn top(idx: &MatchIndex, q: &Query) -> Option<(String, f64)> {
    idx.search(q, &MatchOptions::default())
        .first()
        .map(|r| (r.reference.clone(), r.score))
}

#[test]
fn finds_hangul_and_variants_but_not_the_father() {
    let idx = index();
    let r = idx.search(
        &Query::name(Schema::Person, "김정은"),
        &MatchOptions::default(),
    );
    assert_eq!(r.first().map(|x| x.reference.as_str()), Some("KPi.900"));
    assert!(r[0].is_match);
    assert!(r.iter().all(|x| x.reference != "KPi.901" || !x.is_match));
    // A Person query never returns the vessel of the same name.
    assert!(r.iter().all(|x| x.schema == Schema::Person));
}

#[test]
fn contradicting_birth_date_lowers_and_equal_date_raises() {
    let idx = index();
    let base = top(&idx, &Query::name(Schema::Person, "Kim Jong-un"))
        .map(|x| x.1)
        .unwrap_or(0.0);
    let same = top(
        &idx,
        &Query::name(Schema::Person, "Kim Jong-un").with("birthDate", "1984-01-08"),
    )
    .map(|x| x.1)
    .unwrap_or(0.0);
    let other = top(
        &idx,
        &Query::name(Schema::Person, "Kim Jong-un").with("birthDate", "1990-05-05"),
    )
    .map(|x| x.1)
    .unwrap_or(0.0);
    let year_only = top(
        &idx,
        &Query::name(Schema::Person, "Ri Su Yong").with("birthDate", "1940"),
    )
    .map(|x| x.1)
    .unwrap_or(0.0);
    assert!(
        same >= base && other < base - 0.1,
        "base {base} same {same} other {other}"
    );
    assert!(year_only >= 0.99, "year-only DOB agrees: {year_only}");
}

#[test]
fn nationality_and_gender_mismatch_lower() {
    let idx = index();
    let kp = top(
        &idx,
        &Query::name(Schema::Person, "Kim Jong Il").with("nationality", "kp"),
    )
    .map(|x| x.1)
    .unwrap_or(0.0);
    let kr = top(
        &idx,
        &Query::name(Schema::Person, "Kim Jong Il").with("nationality", "KR"),
    )
    .map(|x| x.1)
    .unwrap_or(0.0);
    assert!(kr < kp - 0.1, "kp {kp} kr {kr}");
}

#[test]
fn equal_identifier_is_strong_evidence_alone() {
    let idx = index();
    let r = idx.search(
        &Query::name(Schema::Person, "John Smith").with("passportNumber", "ps 123456"),
        &MatchOptions::default(),
    );
    assert_eq!(
        r.first().map(|x| (x.reference.as_str(), x.is_match)),
        Some(("KPi.900", true))
    );
    assert_eq!(r[0].explanation.method, "identifier");
    let v = idx.search(
        &Query::name(Schema::Vessel, "Sea Star").with("imoNumber", "9123456"),
        &MatchOptions::default(),
    );
    assert_eq!(v.first().map(|x| x.reference.as_str()), Some("9001"));
}

#[test]
fn weak_alias_counts_less() {
    let idx = index();
    let r = idx.search(
        &Query::name(Schema::Person, "KJU"),
        &MatchOptions {
            cutoff: 0.1,
            ..MatchOptions::default()
        },
    );
    let hit = r
        .iter()
        .find(|x| x.reference == "KPi.900")
        .map(|x| x.score)
        .unwrap_or(0.0);
    assert!(hit < 1.0 && hit > 0.5, "{hit}");
    assert!(r.iter().any(|x| {
        x.explanation
            .qualifiers
            .iter()
            .any(|q| q.feature == "weak_alias")
    }));
}

#[test]
fn as_of_hides_later_designations() {
    let idx = index();
    let before = MatchOptions {
        as_of: NaiveDate::from_ymd_opt(2017, 8, 4),
        ..MatchOptions::default()
    };
    assert!(
        idx.search(&Query::name(Schema::Person, "Ri Su Yong"), &before)
            .is_empty()
    );
    let after = MatchOptions {
        as_of: NaiveDate::from_ymd_opt(2017, 8, 5),
        ..MatchOptions::default()
    };
    assert_eq!(
        idx.search(&Query::name(Schema::Person, "Ri Su Yong"), &after)
            .len(),
        1
    );
}

#[test]
fn results_sorted_limited_and_entities_looked_up() {
    let idx = index();
    let r = idx.search(
        &Query::name(Schema::Thing, "Kim Jong"),
        &MatchOptions {
            limit: 2,
            cutoff: 0.0,
            ..MatchOptions::default()
        },
    );
    assert!(r.len() <= 2);
    assert!(r.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(
        idx.entity("un-kpi.900").map(|e| e.caption.as_str()),
        Some("KIM JONG UN")
    );
    assert_eq!(idx.entities().len(), 4);
}

#[test]
fn query_from_json_reports_what_is_wrong() {
    let ok = Query::from_json(
        &serde_json::json!({"id": "q1", "schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": "1984"}}),
    );
    assert!(ok.as_ref().is_ok_and(|q| q.get("birthDate") == ["1984"]));
    assert_eq!(
        Query::from_json(&serde_json::json!([1])),
        Err(QueryError::NotAnObject)
    );
    assert_eq!(
        Query::from_json(&serde_json::json!({"schema": "Planet", "properties": {"name": ["x"]}})),
        Err(QueryError::UnknownSchema("Planet".into()))
    );
    assert_eq!(
        Query::from_json(
            &serde_json::json!({"schema": "Person", "properties": {"birthDate": ["1984"]}})
        ),
        Err(QueryError::NoName)
    );
    assert!(matches!(
        Query::from_json(&serde_json::json!({"properties": {"name": [{"x": 1}]}})),
        Err(QueryError::BadField { .. })
    ));
    let parts = Query::from_json(
        &serde_json::json!({"schema": "Person", "properties": {"firstName": ["Jong Un"], "lastName": ["Kim"]}}),
    );
    assert!(parts.is_ok_and(|q| q.all_names() == ["Jong Un Kim"]));
}

#[test]
fn index_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<MatchIndex>();
    let idx = index();
    let qs = vec![
        Query::name(Schema::Person, "Kim Jong Un"),
        Query::name(Schema::Person, "Ri Su Yong"),
    ];
    let r = idx.clone().search_batch(&qs, &MatchOptions::default());
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].first().map(|x| x.reference.as_str()), Some("KPi.902"));
}
