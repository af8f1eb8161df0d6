//! The audit log's hash chain detects edited, deleted, reordered and truncated
//! records, naming the first bad one; keys, cases and suppressions persist.

use resolute_store::{CaseFilter, CaseResolution, CaseStatus, NewCase, Role, Store, StoreOptions};
use rusqlite::Connection;
use serde_json::json;

fn store_with_records(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), StoreOptions::default()).expect("open store");
    for i in 1..=n {
        store
            .append_audit(
                "screening.name",
                "key-test",
                json!({"query": format!("name {i}"), "n": i}),
            )
            .expect("append");
    }
    (dir, store)
}

/// Raw access as an attacker would have it: the append-only triggers dropped.
fn tamper(store: &Store, sql: &str) {
    let conn = Connection::open(store.path()).expect("open raw");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .expect("drop triggers");
    conn.execute_batch(sql).expect("tamper");
}

#[test]
fn intact_chain_verifies() {
    let (_dir, store) = store_with_records(5);
    let report = store.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 5);
    let records = store.audit_records(&Default::default()).expect("records");
    assert_eq!(records.len(), 5);
    assert_eq!(records[0].seq, 5, "newest first");
    assert_eq!(records[4].prev_hash, resolute_store::genesis_hash());
    assert_eq!(
        records[3].prev_hash, records[4].hash,
        "record 2 links to record 1"
    );
}

#[test]
fn triggers_refuse_update_and_delete() {
    let (_dir, store) = store_with_records(2);
    let conn = Connection::open(store.path()).expect("open raw");
    let upd = conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", []);
    assert!(upd.is_err_and(|e| e.to_string().contains("append-only")));
    let del = conn.execute("DELETE FROM audit_log WHERE seq = 1", []);
    assert!(del.is_err_and(|e| e.to_string().contains("append-only")));
}

#[test]
fn edited_record_is_named() {
    let (_dir, store) = store_with_records(5);
    tamper(
        &store,
        r#"UPDATE audit_log SET payload = '{"n":3,"query":"someone else"}' WHERE seq = 3"#,
    );
    let report = store.verify_audit().expect("verify");
    assert!(!report.ok);
    let bad = report.first_bad.expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (3, "edited"),
        "{}",
        bad.detail
    );
}

#[test]
fn edited_actor_is_named() {
    let (_dir, store) = store_with_records(4);
    tamper(
        &store,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
    );
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("first bad");
    assert_eq!((bad.seq, bad.problem.as_str()), (2, "edited"));
}

#[test]
fn deleted_record_is_named() {
    let (_dir, store) = store_with_records(5);
    tamper(&store, "DELETE FROM audit_log WHERE seq = 3");
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (3, "missing"),
        "{}",
        bad.detail
    );
}

#[test]
fn deleted_and_renumbered_record_is_named() {
    // A careful attacker closes the gap; the links still break at record 3.
    let (_dir, store) = store_with_records(5);
    tamper(
        &store,
        "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3;",
    );
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (3, "misplaced"),
        "{}",
        bad.detail
    );
}

#[test]
fn reordered_records_are_named() {
    let (_dir, store) = store_with_records(5);
    tamper(
        &store,
        "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -2;",
    );
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (2, "misplaced"),
        "{}",
        bad.detail
    );
}

#[test]
fn truncated_tail_is_named() {
    let (_dir, store) = store_with_records(5);
    tamper(&store, "DELETE FROM audit_log WHERE seq >= 4");
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (4, "truncated"),
        "{}",
        bad.detail
    );
}

#[test]
fn chain_continues_across_reopen_and_concurrent_writers() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), StoreOptions::default()).expect("open");
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        store
                            .append_audit("screening.name", &format!("t{t}"), json!({"i": i}))
                            .expect("append");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
        store.close();
    }
    let store = Store::open(dir.path(), StoreOptions::default()).expect("reopen");
    store
        .append_audit("screening.name", "after", json!({}))
        .expect("append after reopen");
    let report = store.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 201);
}

#[test]
fn keys_are_hashed_and_checked() {
    let (_dir, store) = store_with_records(0);
    let key = store
        .create_key(Role::Screener, "analyst", "test")
        .expect("create");
    assert!(key.token.starts_with("rsk_"));
    let found = store
        .authenticate(&key.token)
        .expect("auth")
        .expect("known key");
    assert_eq!(found.role, Role::Screener);
    // Wrong secret, same id.
    let forged = format!(
        "{}{}",
        &key.token[..key.token.len() - 1],
        if key.token.ends_with('0') { '1' } else { '0' }
    );
    assert!(store.authenticate(&forged).expect("auth").is_none());
    // The secret is not in the database.
    let conn = Connection::open(store.path()).expect("raw");
    let secret = key.token.rsplit('_').next().expect("secret");
    let hits: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM api_keys WHERE hash LIKE '%' || ?1 || '%' OR salt = ?1",
            [secret],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(hits, 0);
    store.revoke_key(&key.id, "test").expect("revoke");
    assert!(store.authenticate(&key.token).expect("auth").is_none());
    // Key creation and revocation are audited.
    let kinds: Vec<String> = store
        .audit_records(&Default::default())
        .expect("records")
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["key.revoked", "key.created"]);
}

#[test]
fn false_positive_creates_suppression_and_audit() {
    let (_dir, store) = store_with_records(0);
    let case_id = store
        .write(|ctx| {
            let receipt = ctx.append_audit("screening.name", "k1", &json!({"q": "Foreign Trade Bank"}))?;
            ctx.open_case(
                &NewCase {
                    kind: "name".into(),
                    screening_id: "s-1".into(),
                    query_key: "qk".into(),
                    query: json!({"schema": "Organization", "properties": {"name": ["Foreign Trade Bank"]}}),
                    entity_id: Some("un-kpe.047".into()),
                    entity_ref: Some("KPe.047".into()),
                    entity_caption: Some("FOREIGN TRADE BANK".into()),
                    entity_fingerprint: Some("fp1".into()),
                    score: Some(0.98),
                    decision: None,
                    summary: "match".into(),
                },
                receipt.seq,
            )
        })
        .expect("open case");
    let open = store
        .cases(&CaseFilter {
            status: Some(CaseStatus::Open),
            limit: 10,
        })
        .expect("cases");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].audit_seq, Some(1));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (closed, suppression) = rt
        .block_on(store.close_case(
            case_id,
            CaseResolution::FalsePositive,
            "different bank",
            "k2",
        ))
        .expect("close");
    assert_eq!(closed.status, CaseStatus::Closed);
    let suppression = suppression.expect("suppression");
    assert_eq!(
        (
            suppression.entity_id.as_str(),
            suppression.entity_fingerprint.as_str()
        ),
        ("un-kpe.047", "fp1")
    );
    assert_eq!(store.suppressions(false).expect("list").len(), 1);
    // Closing twice is refused and writes nothing.
    assert!(
        rt.block_on(store.close_case(case_id, CaseResolution::TrueMatch, "", "k2"))
            .is_err()
    );
    let records = store.audit_records(&Default::default()).expect("records");
    let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["case.closed", "case.opened", "screening.name"]);
    assert_eq!(records[0].payload["resolution"], "false_positive");
    // The case is opened by the screening's actor, closed by the reviewer.
    assert_eq!(
        (records[1].actor.as_str(), records[0].actor.as_str()),
        ("k1", "k2")
    );
    let report = store.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    // The case and the suppression are cross-checked against their records.
    assert_eq!(report.rows, 2);
}

/// Checkpoints run on the store's own thread (automatic checkpoints are off
/// on the writer): the WAL must still be folded back and reused, so its file
/// stays far smaller than the data written through it.
#[test]
fn wal_is_checkpointed_off_the_commit_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    // sync=normal: the test is about checkpoints, not fsync latency.
    let store = Store::open(
        dir.path(),
        StoreOptions {
            sync: resolute_store::SyncMode::Normal,
        },
    )
    .expect("open store");
    let payload = "x".repeat(2_000);
    for round in 0..30 {
        for i in 0..100 {
            store
                .append_audit(
                    "screening.name",
                    "key-test",
                    json!({"round": round, "i": i, "pad": payload}),
                )
                .expect("append");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let wal = std::fs::metadata(dir.path().join("resolute.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    let db = std::fs::metadata(dir.path().join("resolute.db"))
        .map(|m| m.len())
        .expect("db file");
    assert!(
        db > 3_000 * 2_000,
        "records reached the database file: {db} bytes"
    );
    // Never checkpointed, the WAL would hold every page version written, more
    // than the database itself; how far below that it stays depends on when
    // the checkpoint thread ran between bursts (6.4 MB of 12.5 MB once in CI).
    assert!(
        wal < db,
        "WAL {wal} bytes should be reused after checkpoints, database {db} bytes"
    );
    assert!(store.verify_audit().expect("verify").ok);
}
