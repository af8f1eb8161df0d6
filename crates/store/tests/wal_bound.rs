//! A bounded WAL (issue #19 §5 saw 262 MB of WAL for a 23 MB database):
//! readers that overlap without pause keep a passive checkpoint from ever
//! letting the WAL be reused, so it grows with everything written. Past its
//! limit the checkpointer waits briefly for readers (RESTART) and the WAL is
//! reused and truncated.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use resolute_store::{OpenOptions, Store, SyncMode};
use serde_json::json;

const MIB: u64 = 1 << 20;

/// Write about 24 MB of records while two readers overlap all the time;
/// return the largest WAL seen and the database size.
fn run(wal_limit: u64) -> (u64, u64) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let store = Store::open_with(
        &dir,
        OpenOptions {
            sync: SyncMode::Normal,
            wal_limit,
            ..OpenOptions::default()
        },
    )
    .expect("open");
    let wal = dir.join("resolute.db-wal");
    let running = Arc::new(AtomicBool::new(true));
    let largest = Arc::new(AtomicU64::new(0));
    let mut helpers = Vec::new();
    for offset in [0u64, 3] {
        // Reads through the store, as the server's handlers make them.
        let (store, running) = (store.clone(), running.clone());
        helpers.push(std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(offset));
            while running.load(Ordering::Relaxed) {
                store
                    .read(|conn| {
                        conn.execute_batch("BEGIN")?;
                        let _: i64 =
                            conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
                        std::thread::sleep(Duration::from_millis(6));
                        conn.execute_batch("COMMIT")?;
                        Ok(())
                    })
                    .expect("read");
            }
        }));
    }
    {
        let (running, largest, wal) = (running.clone(), largest.clone(), wal.clone());
        helpers.push(std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                let len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                largest.fetch_max(len, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        }));
    }
    let pad = "w".repeat(2_000);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (store, pad) = (store.clone(), pad.clone());
            s.spawn(move || {
                for i in 0..3_000 {
                    store
                        .append_audit(
                            "screening.name",
                            "key:load",
                            json!({"t": t, "i": i, "pad": pad}),
                        )
                        .expect("append");
                }
            });
        }
    });
    running.store(false, Ordering::Relaxed);
    for h in helpers {
        h.join().expect("helper");
    }
    let db = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(store.verify_audit().expect("verify").ok);
    (largest.load(Ordering::Relaxed), db)
}

#[test]
fn the_wal_stays_near_its_limit_under_overlapping_readers() {
    let (unbounded, db) = run(u64::MAX);
    let (bounded, _) = run(2 * MIB);
    eprintln!(
        "largest WAL: {:.1} MiB without a limit, {:.1} MiB with a 2 MiB limit (database {:.1} MiB)",
        unbounded as f64 / MIB as f64,
        bounded as f64 / MIB as f64,
        db as f64 / MIB as f64
    );
    assert!(
        unbounded > 12 * MIB,
        "without the limit the readers let the WAL grow: {unbounded} bytes"
    );
    assert!(
        bounded < 8 * MIB,
        "with a 2 MiB limit the WAL stays small: {bounded} bytes"
    );
}
