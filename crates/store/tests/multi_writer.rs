//! Several writers on one data directory (issue #18 §1): two `Store`s in this
//! process and two OS processes (this test binary run again, as children)
//! write interleaved audit records, cases, keys and cap draws. No write fails
//! (the writers re-read the chain head inside their write transaction), the
//! chain verifies at every moment (no false "records at the end were
//! removed"), every cap draw is counted exactly once, and a store notices the
//! others' commits.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::NaiveDate;
use resolute_store::{
    CapAccount, NewCapDraw, NewCase, Role, Store, StoreError, StoreOptions, SyncMode,
};
use serde_json::json;

const CHILD_DIR_ENV: &str = "RESOLUTE_STORE_TEST_CHILD_DIR";
const ROUNDS: usize = 60;

fn open(dir: &Path) -> Store {
    Store::open(
        dir,
        StoreOptions {
            sync: SyncMode::Normal,
        },
    )
    .expect("open store")
}

fn account() -> CapAccount {
    CapAccount::new(
        "dprk/2397/5/refined-petroleum",
        NaiveDate::from_ymd_opt(2018, 1, 1).expect("date"),
        "bbl",
    )
}

fn used(store: &Store) -> f64 {
    store
        .cap_balances()
        .expect("balances")
        .into_iter()
        .find(|b| b.account == account())
        .map_or(0.0, |b| b.used)
}

/// One writer's share: per round a screening with a case, a transaction
/// screening drawing 1 bbl (seeded from the committed ledger, retried on
/// conflict as the server does), and every tenth round a key created and
/// revoked. Returns the number of conflicts it retried.
fn workload(store: &Store, who: &str) -> usize {
    let mut conflicts = 0;
    for i in 0..ROUNDS {
        let case = NewCase {
            kind: "name".into(),
            screening_id: format!("{who}-{i}"),
            query_key: format!("{who}-{i}"),
            query: json!({"schema": "Company", "properties": {"name": ["Foreign Trade Bank"]}}),
            entity_id: Some("un-kpe.047".into()),
            entity_ref: Some("KPe.047".into()),
            entity_caption: Some("FOREIGN TRADE BANK".into()),
            entity_fingerprint: Some("fp".into()),
            score: Some(0.97),
            decision: None,
            summary: "match".into(),
        };
        let actor = who.to_string();
        store
            .write(move |ctx| {
                let r = ctx.append_audit("screening.name", &actor, &json!({"i": i}))?;
                ctx.open_case(&case, r.seq)
            })
            .expect("screening with a case");
        loop {
            let seeded = used(store);
            let (actor, sid) = (who.to_string(), format!("{who}-tx-{i}"));
            let outcome = store.write(move |ctx| {
                let r = ctx.append_audit("screening.transaction", &actor, &json!({"sid": sid}))?;
                let draw = NewCapDraw {
                    transaction_id: sid.clone(),
                    account: account(),
                    amount: 1.0,
                };
                ctx.record_cap_draws(&sid, r.seq, &actor, &[draw], &[(account(), seeded)])
            });
            match outcome {
                Ok(()) => break,
                Err(StoreError::Conflict(_)) => conflicts += 1,
                Err(e) => panic!("{who} round {i}: cap draw failed: {e}"),
            }
        }
        if i % 10 == 0 {
            let key = store
                .create_key(Role::Screener, who, who)
                .expect("create key");
            store.revoke_key(&key.id, who).expect("revoke key");
        }
    }
    conflicts
}

/// The child process's part; run only by the test below (with the data
/// directory in the environment).
#[test]
#[ignore = "run as a child process by processes_and_stores_share_one_data_directory"]
fn child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let store = open(Path::new(&dir));
    workload(&store, &format!("pid{}", std::process::id()));
    store.close();
}

#[test]
fn processes_and_stores_share_one_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(dir.path());
    let b = open(dir.path());
    // The store's creation wrote nothing to the log: the first writes race.
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "child_writer",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_DIR_ENV, dir.path())
                .spawn()
                .expect("spawn child writer")
        })
        .collect();
    let verifier_store = a.clone();
    let verifying = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let still = verifying.clone();
    // Verify again and again while everyone writes: never a false alarm.
    let verifier = std::thread::spawn(move || {
        let mut runs = 0;
        while still.load(std::sync::atomic::Ordering::Relaxed) {
            let report = verifier_store.verify_audit().expect("verify");
            assert!(report.ok, "verify during concurrent writes: {report:?}");
            runs += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        runs
    });
    let (ca, cb) = std::thread::scope(|s| {
        let ta = s.spawn(|| workload(&a, "store-a"));
        let tb = s.spawn(|| workload(&b, "store-b"));
        (ta.join().expect("a"), tb.join().expect("b"))
    });
    for mut child in children {
        let status = child.wait().expect("wait child");
        assert!(status.success(), "child writer failed: {status}");
    }
    verifying.store(false, std::sync::atomic::Ordering::Relaxed);
    let verify_runs = verifier.join().expect("verifier");
    assert!(verify_runs > 0);

    // Four writers, every draw counted once, every case and key recorded.
    let writers = 4;
    assert_eq!(used(&a), (writers * ROUNDS) as f64);
    assert_eq!(
        a.cap_draws(None, 10_000).expect("draws").len(),
        writers * ROUNDS
    );
    let cases = a
        .cases(&resolute_store::CaseFilter {
            status: None,
            limit: 1000,
        })
        .expect("cases");
    assert_eq!(cases.len(), writers * ROUNDS);
    let keys = a.list_keys().expect("keys");
    assert_eq!(keys.len(), writers * ROUNDS / 10);
    assert!(keys.iter().all(|k| k.revoked_at.is_some()));
    // Each store saw the others commit.
    assert!(a.external_writes() > 0 && b.external_writes() > 0);
    eprintln!("conflicts retried: a {ca}, b {cb}; verify ran {verify_runs} times");

    // After everyone stopped, both stores go on appending to the same chain.
    a.append_audit("note", "a", json!({})).expect("a after");
    b.append_audit("note", "b", json!({})).expect("b after");
    let report = a.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    // 1 screening + 1 case + 1 screening + 1 draw per round, 2 per key round.
    let expected = writers * (ROUNDS * 4 + (ROUNDS / 10) * 2) + 2;
    assert_eq!(report.records as usize, expected);
    assert!(report.rows >= writers * ROUNDS * 2);
}

#[test]
fn a_store_notices_another_stores_commits_and_not_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(dir.path());
    let b = open(dir.path());
    // Let each writer take its first look at data_version.
    a.append_audit("note", "a", json!({})).expect("a");
    std::thread::sleep(Duration::from_millis(600));
    let seen = a.external_writes();
    for i in 0..20 {
        a.append_audit("note", "a", json!({"i": i})).expect("a");
    }
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        a.external_writes(),
        seen,
        "its own commits do not count as external"
    );

    // A key revoked through the other store: `a` notices within its poll
    // (no write of its own needed) and reads the revocation.
    let key = a.create_key(Role::Admin, "x", "test").expect("key");
    std::thread::sleep(Duration::from_millis(600));
    let before = a.external_writes();
    b.revoke_key(&key.id, "other process").expect("revoke");
    let mut waited = 0;
    while a.external_writes() == before && waited < 40 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert!(
        a.external_writes() > before,
        "the revocation was not noticed"
    );
    assert!(a.authenticate(&key.token).expect("auth").is_none());
    // And `a` appends after `b`'s record without a conflict.
    a.append_audit("note", "a", json!({})).expect("after b");
    assert!(a.verify_audit().expect("verify").ok);
}

const READER_DB_ENV: &str = "RESOLUTE_STORE_TEST_READER_DB";

/// The child process's part of the test below: one plain SQLite connection
/// that reads and closes.
#[test]
#[ignore = "run as a child process by a_second_store_keeps_the_first_stores_locks"]
fn child_reader() {
    let Some(db) = std::env::var_os(READER_DB_ENV) else {
        return;
    };
    let conn = rusqlite::Connection::open(Path::new(&db)).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .expect("read");
    assert!(n > 0);
}

/// Opening a second store on a directory must not drop the POSIX locks the
/// first store's connections hold on the database file (closing any
/// descriptor of a file drops them all). Without its locks, another process
/// closing its last connection takes the database for unused, checkpoints and
/// deletes the WAL under the first store, whose next read fails with "disk
/// I/O error" (seen in CI in `processes_and_stores_share_one_data_directory`).
#[test]
fn a_second_store_keeps_the_first_stores_locks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(dir.path());
    a.append_audit("note", "a", json!({})).expect("a");
    let b = open(dir.path());
    let db = a.path().to_path_buf();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    assert!(
        Path::new(&wal).exists(),
        "the WAL exists while stores are open"
    );

    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["child_reader", "--exact", "--ignored", "--test-threads=1"])
        .env(READER_DB_ENV, &db)
        .status()
        .expect("run child reader");
    assert!(status.success(), "child reader failed: {status}");

    // The child could not take the database for unused: the WAL is still there.
    assert!(
        Path::new(&wal).exists(),
        "another process deleted the WAL of open stores: their locks were dropped"
    );
    assert!(a.verify_audit().expect("verify after the child").ok);
    b.append_audit("note", "b", json!({}))
        .expect("b after the child");
    a.append_audit("note", "a", json!({}))
        .expect("a after the child");
    assert_eq!(a.verify_audit().expect("verify").records, 3);
}
