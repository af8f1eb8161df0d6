//! Recorded screening on a real SQLite store, the bundled lists and the
//! embedded regime: cases, cap ledgers shared by two writers, suppressions.

use resolute_casework::suppress::SuppressionStatus;
use resolute_casework::transactions::{TxItem, outcome_json};
use resolute_casework::{Casework, Engine};
use resolute_screening::LineResult;
use resolute_store::{CaseFilter, CaseResolution, Store, StoreOptions};
use serde_json::{Value, json};

fn open(dir: &std::path::Path) -> Casework {
    let store = Store::open(dir, StoreOptions::default()).expect("store");
    let engine = Engine::load(&store);
    assert!(engine.ready(), "{:?}", engine.problems);
    Casework::open(store, engine).expect("casework")
}

fn petroleum(id: &str, barrels: f64) -> TxItem {
    TxItem::json(json!({
        "id": id, "kind": "goods", "date": "2018-06-01", "hs_code": "2710.19",
        "origin": "RU", "from": "RU", "to": "KP", "quantity": barrels, "unit": "bbl",
    }))
}

fn decision(r: &LineResult) -> &str {
    match r {
        LineResult::Decision(d) => d.decision.as_str(),
        LineResult::Error { error, .. } => panic!("not screened: {error}"),
    }
}

#[test]
fn a_payment_to_a_listed_bank_is_prohibited_recorded_and_opens_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let cw = open(dir.path());
    let items = [
        TxItem::json(json!({
            "id": "pay-1", "kind": "payment", "date": "2017-10-02", "value_usd": 1000,
            "parties": [{"role": "beneficiary", "name": "Foreign Trade Bank", "country": "KP"}],
        })),
        TxItem::line(7, "{not json"),
    ];
    let done = cw
        .screen_transactions(&items, Some("test.jsonl"), "test")
        .unwrap();
    assert_eq!(decision(&done.outcomes[0]), "prohibited");
    let out = outcome_json(&done.outcomes[0]);
    let m = &out["matches"][0];
    assert_eq!(m["ref"], "KPe.047", "{out}");
    assert_eq!(m["suppressed"], false);
    assert_eq!(m["party"]["value"], "Foreign Trade Bank");
    // The unreadable line is its own error, the rest went on.
    match &done.outcomes[1] {
        LineResult::Error { error, .. } => {
            assert!(error.starts_with("line 7: not JSON"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    // One case, on the party match, keyed on the party as screened.
    assert_eq!(done.cases.len(), 1);
    let case = cw.store().case(done.cases[0]).unwrap();
    assert_eq!(case.entity_ref.as_deref(), Some("KPe.047"));
    assert_eq!(case.audit_seq, Some(done.audit_seq));
    // The audit record holds inputs, outputs, versions and the source.
    let record = cw.store().audit_record(done.audit_seq).unwrap();
    let payload: Value = serde_json::to_value(&record).unwrap()["payload"].clone();
    assert_eq!(payload["source"], "test.jsonl");
    assert_eq!(payload["transactions"][1]["line"], 7);
    assert_eq!(payload["transactions"][1]["input"], "{not json");
    assert_eq!(payload["list_versions"], json!(done.list_versions));
    assert!(cw.store().verify_audit().unwrap().ok);
}

#[test]
fn a_false_positive_clears_its_pair_until_the_entry_changes() {
    let dir = tempfile::tempdir().unwrap();
    let cw = open(dir.path());
    let pay = || {
        TxItem::json(json!({
            "id": "pay", "kind": "payment", "date": "2017-10-02", "value_usd": 5,
            "parties": [{"role": "beneficiary", "name": "Foreign Trade Bank", "country": "KP"}],
        }))
    };
    let done = cw.screen_transactions(&[pay()], None, "t").unwrap();
    let case_id = done.cases[0];
    let (_, suppression) = cw
        .close_case(case_id, CaseResolution::FalsePositive, "other bank", "t")
        .unwrap();
    let suppression = suppression.expect("a false positive on an entry suppresses");
    assert_eq!(
        SuppressionStatus::of(&suppression, &cw.engine()),
        SuppressionStatus::Active
    );
    let again = cw.screen_transactions(&[pay()], None, "t").unwrap();
    let out = outcome_json(&again.outcomes[0]);
    assert_eq!(out["matches"][0]["suppressed"], true, "{out}");
    assert_ne!(out["decision"], "prohibited", "{out}");
    // A cleared match opens no case on the entry (the transaction itself may
    // still need review: a payment whose beneficiary gives country KP).
    for id in &again.cases {
        assert_ne!(
            cw.store().case(*id).unwrap().entity_ref.as_deref(),
            Some("KPe.047"),
            "{out}"
        );
    }
    assert_eq!(again.suppressed, 1);
    let on_entry = cw
        .store()
        .cases(&CaseFilter {
            status: None,
            limit: 10,
        })
        .unwrap()
        .into_iter()
        .filter(|c| c.entity_ref.as_deref() == Some("KPe.047"))
        .count();
    assert_eq!(
        on_entry, 1,
        "only the first screening's case is on the entry"
    );
    // On the list of July 2017 the bank is not listed yet (designated 5 August 2017).
    let old = resolute_lists::load_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/un/consolidated-2017-07-03.xml"),
    )
    .unwrap();
    let lapsed = cw.engine().with_version(std::sync::Arc::new(old));
    assert_eq!(
        SuppressionStatus::of(&suppression, &lapsed),
        SuppressionStatus::EntryRemoved
    );
}

#[test]
fn a_stored_list_that_no_longer_loads_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    // An uploaded UN version whose stored bytes are damaged (cut short).
    let meta = resolute_store::StoredListVersion {
        id: "un-damaged".into(),
        source: "un".into(),
        generated: None,
        content_hash: "0".into(),
        origin: "upload:consolidated.xml".into(),
        entity_count: 1003,
        issue_count: 0,
        loaded_at: String::new(),
        loaded_by: "test".into(),
        active: true,
        stored_bytes: true,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime
        .block_on(store.save_list_version(
            meta,
            Some(b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>".to_vec()),
            None,
        ))
        .unwrap();
    let engine = Engine::load(&store);
    assert!(!engine.ready(), "{:?}", engine.problems);
    assert!(
        engine.version_of(resolute_model::Source::Un).is_none(),
        "the bundled UN list must not silently stand in for the stored one"
    );
    assert!(
        engine.problems.iter().any(|p| p.contains("un-damaged")),
        "{:?}",
        engine.problems
    );
    // Screening refuses rather than screen against the OFAC list alone.
    let healed_with = resolute_lists::bundled()
        .unwrap()
        .into_iter()
        .find(|v| v.source == resolute_model::Source::Un)
        .unwrap();
    let healed = engine.with_version(std::sync::Arc::new(healed_with));
    let cw = Casework::open(store, engine).unwrap();
    let err = cw
        .screen_transactions(
            &[TxItem::json(
                json!({"id": "t", "kind": "payment", "date": "2017-10-02",
                "parties": [{"role": "beneficiary", "name": "Foreign Trade Bank"}]}),
            )],
            None,
            "t",
        )
        .unwrap_err();
    assert!(err.to_string().contains("un-damaged"), "{err}");
    // Putting a good version in force (an upload) makes it ready again.
    assert!(healed.ready(), "{:?}", healed.problems);
}

#[test]
fn two_writers_on_one_store_never_spend_the_same_cap_amount() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    let second = open(dir.path());
    // 2397 para 5: 500,000 bbl of refined petroleum a year (2018).
    let a = first
        .screen_transactions(&[petroleum("a", 300_000.0)], None, "first")
        .unwrap();
    assert_eq!(a.cap_draws.len(), 1);
    // The second writer's ledger was loaded before the first drew: its seed is
    // stale, the store refuses the commit, it reloads and screens again.
    let b = second
        .screen_transactions(&[petroleum("b", 300_000.0)], None, "second")
        .unwrap();
    assert_eq!(b.retries, 1, "the stale seed was caught");
    assert_eq!(
        decision(&b.outcomes[0]),
        "prohibited",
        "{:?}",
        b.outcomes[0]
    );
    let caps = first
        .caps_at(chrono::NaiveDate::from_ymd_opt(2018, 6, 1).unwrap())
        .unwrap();
    let bbl = caps
        .iter()
        .find(|c| c.measure == "dprk/2397/5/refined-petroleum")
        .and_then(|c| c.limits.iter().find(|l| l.unit == "bbl"))
        .expect("the 2397 petroleum cap");
    assert_eq!(
        bbl.used, 300_000.0,
        "only the first draw was within the cap"
    );
}
