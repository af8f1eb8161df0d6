//! Online backup while writers run, and restore: into an empty directory,
//! and over a damaged database that the store refused to open.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{open, populate, tamper};
use resolute_store::{AuditKeySource, DB_FILE, RestoreOptions, Store, StoreError};
use serde_json::json;

fn key_of(dir: &Path) -> AuditKeySource {
    AuditKeySource::File(dir.join(resolute_store::AUDIT_KEY_FILE))
}

#[test]
fn backups_taken_while_writers_run_are_consistent_and_restore() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = open(&dir);
    populate(&store);
    let running = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (store, running) = (store.clone(), running.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    store
                        .append_audit("screening.name", &format!("t{t}"), json!({"n": n}))
                        .expect("append during backup");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut backups = Vec::new();
    for i in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(150));
        let path = tmp.path().join(format!("backup-{i}.db"));
        let report = store.backup_to(&path, "key:admin").expect("backup");
        assert_eq!(report.records, report.head_seq, "{report:?}");
        backups.push(report);
    }
    running.store(false, Ordering::Relaxed);
    let written: usize = writers.into_iter().map(|h| h.join().expect("writer")).sum();
    assert!(written > 0);
    assert!(
        backups.windows(2).all(|w| w[0].head_seq < w[1].head_seq),
        "later backups hold more: {backups:?}"
    );
    // Each backup was audited (with its head).
    let audited = store
        .audit_records(&resolute_store::AuditQuery {
            kind: Some("store.backup".into()),
            ..Default::default()
        })
        .expect("records");
    assert_eq!(audited.len(), 3);

    // Restore the second into an empty directory: it verifies, under the store's key.
    let target = tmp.path().join("restored");
    let (restored, report) = Store::restore(
        Path::new(&backups[1].path),
        &target,
        RestoreOptions {
            audit_key: key_of(&dir),
            actor: "ops".into(),
            ..RestoreOptions::default()
        },
    )
    .expect("restore");
    assert!(report.verify.ok && report.replaced.is_empty() && report.lost_after.is_none());
    assert_eq!(report.head_seq, backups[1].head_seq);
    assert_eq!(restored.store_id(), store.store_id());
    assert_eq!(
        restored.audit_count().expect("count"),
        backups[1].head_seq + 1,
        "the backup's records and store.restored"
    );
    let v = restored.verify_audit().expect("verify");
    assert!(v.ok, "{v:?}");
    assert!(target.join(resolute_store::MARKER_FILE).exists());
}

#[test]
fn a_damaged_database_is_refused_then_restored_from_the_backup() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = open(&dir);
    populate(&store);
    let backup = tmp.path().join("nightly.db");
    let taken = store.backup_to(&backup, "cron").expect("backup");
    for i in 0..300 {
        store
            .append_audit(
                "screening.name",
                "key:screener",
                json!({"after_backup": i, "pad": "y".repeat(200)}),
            )
            .expect("append");
    }
    let last_seq = store.audit_count().expect("count");
    store.close();
    drop(store);

    // Damage: bytes flipped in b-tree pages of the database file.
    let db = dir.join(DB_FILE);
    let mut bytes = std::fs::read(&db).expect("read");
    for p in [2usize, 5, 9] {
        for b in &mut bytes[p * 4096..p * 4096 + 16] {
            *b ^= 0x5A;
        }
    }
    std::fs::write(&db, &bytes).expect("damage");
    let err = Store::open(&dir, Default::default()).expect_err("refused");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");

    // Restoring over it needs --replace; the damaged file is kept aside.
    let err = Store::restore(&backup, &dir, RestoreOptions::default()).expect_err("no replace");
    assert!(err.to_string().contains("--replace"), "{err}");
    let (store, report) = Store::restore(
        &backup,
        &dir,
        RestoreOptions {
            replace: true,
            actor: "ops".into(),
            ..RestoreOptions::default()
        },
    )
    .expect("restore");
    assert_eq!(report.head_seq, taken.head_seq);
    assert_eq!(
        report.lost_after,
        Some(last_seq),
        "what the restore loses is said"
    );
    assert!(
        report
            .replaced
            .iter()
            .any(|p| p.contains("resolute.db.replaced-")),
        "{:?}",
        report.replaced
    );
    for p in &report.replaced {
        assert!(Path::new(p).exists(), "{p} kept");
    }
    let v = store.verify_audit().expect("verify");
    assert!(v.ok, "{v:?}");
    let last = store
        .audit_records(&Default::default())
        .expect("records")
        .remove(0);
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("store.restored", "ops")
    );
    assert_eq!(last.payload["lost_after"], last_seq);
    store.close();
    drop(store);
    // And it opens normally from now on.
    open(&dir);
}

#[test]
fn restore_refuses_what_it_cannot_trust() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = open(&dir);
    populate(&store);
    let backup = tmp.path().join("b.db");
    store.backup_to(&backup, "ops").expect("backup");
    // A backup is never written over.
    let err = store.backup_to(&backup, "ops").expect_err("exists");
    assert!(matches!(err, StoreError::Backup { .. }), "{err}");
    store.close();

    // Into an empty directory without the key: the key is needed to verify.
    let err = Store::restore(
        &backup,
        &tmp.path().join("empty"),
        RestoreOptions::default(),
    )
    .expect_err("no key");
    assert!(matches!(err, StoreError::MissingAuditKey { .. }), "{err}");
    // Into the directory of another store.
    let other = tmp.path().join("other");
    drop(open(&other));
    let err = Store::restore(
        &backup,
        &other,
        RestoreOptions {
            audit_key: key_of(&dir),
            replace: true,
            ..RestoreOptions::default()
        },
    )
    .expect_err("other store");
    assert!(err.to_string().contains("holds store"), "{err}");
    // A backup whose log was edited.
    let edited = tmp.path().join("edited.db");
    std::fs::copy(&backup, &edited).expect("copy");
    tamper(&edited, "UPDATE audit_log SET actor = 'x' WHERE seq = 2");
    let err = Store::restore(
        &edited,
        &tmp.path().join("fresh"),
        RestoreOptions {
            audit_key: key_of(&dir),
            ..RestoreOptions::default()
        },
    )
    .expect_err("edited");
    assert!(err.to_string().contains("does not verify"), "{err}");
    // Not a database at all.
    let junk = tmp.path().join("junk.db");
    std::fs::write(&junk, b"not a database").expect("write");
    let err = Store::restore(&junk, &tmp.path().join("fresh2"), RestoreOptions::default())
        .expect_err("junk");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
}
