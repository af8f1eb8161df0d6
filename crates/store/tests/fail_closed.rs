//! Storage fails closed (issue #19 §3): a data directory that was
//! initialised refuses a missing, emptied, foreign, damaged or shortened
//! database, and the wrong or a missing audit key, with an error that names
//! the file and what to do; files are private to their owner.

use std::path::{Path, PathBuf};

use resolute_store::{
    AuditKeySource, DB_FILE, IntegrityCheck, OpenOptions, Store, StoreError, StoreOptions, SyncMode,
};
use serde_json::json;

fn normal() -> StoreOptions {
    StoreOptions {
        sync: SyncMode::Normal,
    }
}

/// A store with `n` records in `<tmp>/data`, closed.
fn initialised(n: usize) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = Store::open(&dir, normal()).expect("create");
    for i in 0..n {
        store
            .append_audit("screening.name", "key:test", json!({"i": i}))
            .expect("append");
    }
    store.close();
    drop(store);
    (tmp, dir)
}

fn open_err(dir: &Path) -> StoreError {
    Store::open(dir, normal()).expect_err("must be refused")
}

#[test]
fn an_emptied_database_is_refused_not_replaced_by_a_new_store() {
    let (_tmp, dir) = initialised(5);
    std::fs::write(dir.join(DB_FILE), b"").expect("truncate");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::EmptyDatabase { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&dir.join(DB_FILE).display().to_string()) && msg.contains("resolute restore"),
        "{msg}"
    );
    // Nothing was created in its place: the file is still empty.
    assert_eq!(std::fs::metadata(dir.join(DB_FILE)).expect("db").len(), 0);
}

#[test]
fn a_missing_database_is_refused_when_the_marker_says_there_was_one() {
    let (_tmp, dir) = initialised(3);
    std::fs::remove_file(dir.join(DB_FILE)).expect("remove");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::MissingDatabase { .. }), "{err}");
    assert!(!dir.join(DB_FILE).exists(), "no new database was created");
    // Even with the marker gone, the head witness remembers the store.
    std::fs::remove_file(dir.join(resolute_store::MARKER_FILE)).expect("remove marker");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::MissingDatabase { .. }), "{err}");
}

#[test]
fn another_stores_database_is_refused() {
    let (_tmp1, dir1) = initialised(2);
    let (_tmp2, dir2) = initialised(2);
    std::fs::copy(dir2.join(DB_FILE), dir1.join(DB_FILE)).expect("swap");
    let err = open_err(&dir1);
    assert!(matches!(err, StoreError::DifferentDatabase { .. }), "{err}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_as_damaged() {
    let (_tmp, dir) = initialised(2);
    std::fs::write(dir.join(DB_FILE), vec![0x42u8; 8192]).expect("garbage");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}

/// Bytes flipped inside the database file: `quick_check` finds the damaged
/// b-tree page and the store refuses to start (it started and answered
/// `/readyz` before).
#[test]
fn a_damaged_database_fails_the_quick_check() {
    let (_tmp, dir) = initialised(300);
    let db = dir.join(DB_FILE);
    let mut bytes = std::fs::read(&db).expect("read");
    let page = 4096;
    assert!(bytes.len() > 4 * page, "{} bytes", bytes.len());
    // The b-tree page headers of pages 2 to 4.
    for p in 1..4 {
        for b in &mut bytes[p * page..p * page + 12] {
            *b ^= 0xA5;
        }
    }
    std::fs::write(&db, &bytes).expect("write");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("--replace"), "{err}");
    // The full check refuses it as well.
    let err = Store::open_with(
        &dir,
        OpenOptions {
            integrity: IntegrityCheck::Full,
            ..OpenOptions::default()
        },
    )
    .expect_err("full check");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}

#[test]
fn the_full_integrity_check_passes_a_sound_database() {
    let (_tmp, dir) = initialised(50);
    let store = Store::open_with(
        &dir,
        OpenOptions {
            integrity: IntegrityCheck::Full,
            verify_audit: true,
            ..OpenOptions::default()
        },
    )
    .expect("open with integrity_check and verify");
    assert_eq!(store.audit_count().expect("count"), 50);
}

#[test]
fn the_wrong_or_a_missing_audit_key_is_refused() {
    let (_tmp, dir) = initialised(3);
    let err = Store::open_with(
        &dir,
        OpenOptions {
            audit_key: AuditKeySource::Hex("11".repeat(32)),
            ..OpenOptions::default()
        },
    )
    .expect_err("wrong key");
    assert!(matches!(err, StoreError::WrongAuditKey { .. }), "{err}");
    let key = dir.join(resolute_store::AUDIT_KEY_FILE);
    let saved = std::fs::read(&key).expect("key");
    std::fs::remove_file(&key).expect("remove key");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::MissingAuditKey { .. }), "{err}");
    assert!(!key.exists(), "no new key was made for a keyed chain");
    // The key kept elsewhere, given by path, opens it.
    let elsewhere = dir.parent().expect("parent").join("kept-elsewhere.key");
    std::fs::write(&elsewhere, saved).expect("write key");
    let store = Store::open_with(
        &dir,
        OpenOptions {
            audit_key: AuditKeySource::File(elsewhere),
            ..OpenOptions::default()
        },
    )
    .expect("open with the key from its path");
    assert!(store.verify_audit().expect("verify").ok);
    assert!(
        store.open_report().warnings.is_empty(),
        "{:?}",
        store.open_report().warnings
    );
}

#[test]
fn open_existing_does_not_create_a_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("nothing-here");
    let err = Store::open_existing(&dir, normal()).expect_err("no store");
    assert!(matches!(err, StoreError::NotInitialised { .. }), "{err}");
    assert!(!dir.exists());
    std::fs::create_dir(&dir).expect("mkdir");
    let err = Store::open_existing(&dir, normal()).expect_err("no store");
    assert!(matches!(err, StoreError::NotInitialised { .. }), "{err}");
    assert!(!dir.join(DB_FILE).exists());
}

#[test]
fn a_new_store_reports_itself_and_warns_about_the_key_in_the_data_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = Store::open(&dir, normal()).expect("create");
    let report = store.open_report();
    assert!(report.created && report.audit_key_created && !report.adopted);
    assert_eq!(report.keyed_from, 1);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("audit key is kept in the data directory")),
        "{:?}",
        report.warnings
    );
    let marker: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(resolute_store::MARKER_FILE)).expect("marker"),
    )
    .expect("marker json");
    assert_eq!(marker["store_id"], store.store_id());
    assert_eq!(
        marker["checkpoint_public_key"],
        store.checkpoint_public_key()
    );
}

#[cfg(unix)]
#[test]
fn files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = Store::open(&dir, normal()).expect("create");
    store
        .append_audit("note", "test", json!({}))
        .expect("append");
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "data directory");
    for name in [
        DB_FILE,
        "resolute.db-wal",
        "resolute.db-shm",
        resolute_store::AUDIT_KEY_FILE,
        resolute_store::MARKER_FILE,
        resolute_store::HEAD_FILE,
    ] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    store.close();
    drop(store);
    // A database an older build left readable by others is tightened.
    std::fs::set_permissions(dir.join(DB_FILE), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let store = Store::open(&dir, normal()).expect("reopen");
    assert_eq!(mode(&dir.join(DB_FILE)), 0o600);
    drop(store);
}

#[test]
fn probe_write_commits_and_fails_once_the_writer_stopped() {
    let (_tmp, dir) = initialised(1);
    let store = Store::open(&dir, normal()).expect("open");
    store.probe_write().expect("a write can commit");
    let records = store.audit_count().expect("count");
    assert_eq!(records, 1, "the probe is not an audit record");
    store.close();
    assert!(matches!(store.probe_write(), Err(StoreError::WriterGone)));
}

/// A damaged WAL (issue #19: 64 flipped bytes dropped 8,344 acknowledged
/// screenings silently). SQLite's recovery keeps the frames before the
/// damage and drops every frame after it; the head witness, kept outside the
/// database, names the last committed record, so the shortened log is
/// refused. The loss can then be acknowledged (it becomes an audit record).
#[test]
fn records_dropped_from_a_damaged_wal_are_detected() {
    let (tmp, dir) = initialised(20);
    let store = Store::open(&dir, normal()).expect("open");
    // A reader holding its snapshot keeps the checkpointer from copying the
    // next commits into the database file: they stay in the WAL only.
    let reader = rusqlite::Connection::open(dir.join(DB_FILE)).expect("reader");
    reader.execute_batch("BEGIN").expect("begin");
    let _: i64 = reader
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .expect("pin snapshot");
    for i in 0..200 {
        store
            .append_audit(
                "screening.name",
                "key:test",
                json!({"i": i, "pad": "x".repeat(500)}),
            )
            .expect("acknowledged");
    }
    // The machine's state at this moment (as after a crash), copied.
    let copy = tmp.path().join("copy");
    std::fs::create_dir(&copy).expect("mkdir");
    for name in [
        DB_FILE,
        "resolute.db-wal",
        resolute_store::MARKER_FILE,
        resolute_store::HEAD_FILE,
        resolute_store::AUDIT_KEY_FILE,
    ] {
        std::fs::copy(dir.join(name), copy.join(name)).expect(name);
    }
    drop(reader);
    store.close();
    let wal = copy.join("resolute.db-wal");
    let mut bytes = std::fs::read(&wal).expect("wal");
    let frame = 24 + 4096;
    let frames = (bytes.len() - 32) / frame;
    assert!(frames > 20, "{frames} frames in the WAL");
    let at = 32 + (frames / 2) * frame + 24 + 1000;
    for b in &mut bytes[at..at + 64] {
        *b ^= 0xFF;
    }
    std::fs::write(&wal, &bytes).expect("flip");

    let err = open_err(&copy);
    let StoreError::LostRecords { detail, .. } = &err else {
        panic!("expected LostRecords, got {err}");
    };
    assert!(
        detail.contains("records record 220 as committed"),
        "{detail}"
    );

    // Acknowledged by an operator: opens, and the loss is on the record.
    let store = Store::open_with(
        &copy,
        OpenOptions {
            acknowledge_lost_records: Some("operator".into()),
            ..OpenOptions::default()
        },
    )
    .expect("acknowledged");
    let last = store
        .audit_records(&Default::default())
        .expect("records")
        .remove(0);
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("store.records_lost", "operator")
    );
    assert!(last.seq < 220, "records were really lost: {}", last.seq);
    let report = store.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    drop(store);
    // From now on it opens normally.
    Store::open(&copy, normal()).expect("reopen after acknowledging");
}

#[test]
fn a_deleted_head_witness_is_refused() {
    let (_tmp, dir) = initialised(4);
    std::fs::remove_file(dir.join(resolute_store::HEAD_FILE)).expect("rm");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::LostRecords { .. }), "{err}");
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn an_older_copy_of_the_database_is_refused() {
    let (tmp, dir) = initialised(10);
    let old = tmp.path().join("old.db");
    std::fs::copy(dir.join(DB_FILE), &old).expect("copy");
    let store = Store::open(&dir, normal()).expect("open");
    for i in 0..5 {
        store
            .append_audit("note", "t", json!({"i": i}))
            .expect("append");
    }
    store.close();
    drop(store);
    std::fs::copy(&old, dir.join(DB_FILE)).expect("put the old copy back");
    let err = open_err(&dir);
    assert!(matches!(err, StoreError::LostRecords { .. }), "{err}");
}
