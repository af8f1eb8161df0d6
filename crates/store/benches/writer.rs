//! Writer throughput: audit records committed per second through the store's
//! writer thread, one blocking writer (every record its own commit) and many
//! concurrent submitters (group commit), with and without a case opened in the
//! same job (a screening that matched).
//!
//! `cargo bench -p resolute-store --bench writer` (SyncMode::Normal, as the
//! server's default). Prints one line per scenario: jobs per second (wall
//! clock) and the process's CPU time per job (user + system, all threads,
//! from /proc/self/stat; the steadier figure on a shared machine), medians of
//! the rounds. Uses only the store's public API, so the same file measures
//! older commits.
//!
//! Measured 2026-11-28 16:35-16:38 UTC, this file built at 3079800 (before the
//! hardening) and at da43d00 (after), run alternately three times each on
//! the 2-core VM shared with other builds (load average 16-19, so jobs/s
//! swing by 2x; CPU per job is the figure to compare), medians of 5 rounds:
//!
//! | scenario | CPU us/job before | after | jobs/s before | after |
//! |---|---|---|---|---|
//! | serial, audit record | 60-65 | 63-83 | 4,490-9,182 | 3,071-8,662 |
//! | serial, audit record + case | 78-83 | 125-138 | 3,558-10,022 | 2,726-5,044 |
//! | group of 16, audit record | 38-40 | 36-44 | 17,101-18,205 | 9,823-13,073 |
//! | group of 16, audit record + case | 45-51 | 74-86 | 9,554-15,040 | 6,060-7,689 |
//!
//! A case now costs a second audit record (`case.opened`, with the row's
//! digest read back): `perf` puts the difference in SQLite (`sqlite3_step`,
//! WAL frame writes), not in the HMAC, digests or head witness (under 3 %).

use std::time::Instant;

use resolute_store::{CanonicalPayload, NewCase, Store, StoreOptions, SyncMode};
use serde_json::json;

const ROUNDS: usize = 5;

/// CPU time of this process so far (user + system, all threads), in seconds;
/// 0 where /proc is not available.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 after ')'.
    (ticks(11) + ticks(12)) / 100.0
}

fn payload(i: usize) -> CanonicalPayload {
    // About the size of a one-query /match audit payload (1.3 KB).
    let results: Vec<_> = (0..3)
        .map(|r| {
            json!({"id": format!("un-kpe.{r:03}"), "caption": "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
                   "score": 0.97 - r as f64 * 0.1, "match": r == 0, "datasets": ["un_sc_sanctions"],
                   "explanation": "name: FOREIGN TRADE BANK ~ Foreign Trade Bank (token alignment 1.0)"})
        })
        .collect();
    CanonicalPayload::of(&json!({
        "screening_id": format!("scr_{i:016x}"),
        "queries": {"q1": {"query": {"schema": "Company", "properties": {"name": ["Foreign Trade Bank"], "country": ["kp"]}},
                           "results": results}},
        "lists": ["un-2026-02-27", "ofac-sdn-2024-05-03"],
        "threshold": 0.7,
    }))
}

fn new_case(i: usize) -> NewCase {
    NewCase {
        kind: "name".into(),
        screening_id: format!("scr_{i:016x}"),
        query_key: format!("qk{i}"),
        query: json!({"schema": "Company", "properties": {"name": ["Foreign Trade Bank"]}}),
        entity_id: Some("un-kpe.047".into()),
        entity_ref: Some("KPe.047".into()),
        entity_caption: Some("FOREIGN TRADE BANK".into()),
        entity_fingerprint: Some("fp".into()),
        score: Some(0.97),
        decision: None,
        summary: "match".into(),
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(
        dir.path(),
        StoreOptions {
            sync: SyncMode::Normal,
        },
    )
    .expect("open");
    (dir, store)
}

/// One job: the screening's audit record, and a case when `with_case`.
fn job(store: &Store, i: usize, with_case: bool) {
    let p = payload(i);
    store
        .write(move |ctx| {
            let receipt = ctx.append_audit_canonical("screening.name", "key:bench", &p)?;
            if with_case {
                ctx.open_case(&new_case(i), receipt.seq)?;
            }
            Ok(())
        })
        .expect("write");
}

/// Jobs per second and CPU microseconds per job: `threads` submitters,
/// `per_thread` jobs each.
fn run(threads: usize, per_thread: usize, with_case: bool) -> (f64, f64) {
    let (_dir, store) = open();
    // Warm the statement cache and the file.
    for i in 0..50 {
        job(&store, i, with_case);
    }
    let (start, cpu) = (Instant::now(), cpu_seconds());
    std::thread::scope(|s| {
        for t in 0..threads {
            let store = store.clone();
            s.spawn(move || {
                for i in 0..per_thread {
                    job(&store, 1_000_000 * (t + 1) + i, with_case);
                }
            });
        }
    });
    let (secs, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    store.close();
    let jobs = (threads * per_thread) as f64;
    (jobs / secs, cpu * 1e6 / jobs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let label = std::env::var("BENCH_LABEL").unwrap_or_else(|_| "this build".into());
    for (name, threads, per_thread, with_case) in [
        ("serial, 1 writer, audit record", 1, 4_000, false),
        ("serial, 1 writer, audit record + case", 1, 4_000, true),
        ("group, 16 writers, audit record", 16, 500, false),
        ("group, 16 writers, audit record + case", 16, 500, true),
    ] {
        let runs: Vec<(f64, f64)> = (0..ROUNDS)
            .map(|_| run(threads, per_thread, with_case))
            .collect();
        let rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
        let cpu: Vec<f64> = runs.iter().map(|r| r.1).collect();
        println!(
            "{label}: {name}: {:.0} jobs/s, {:.0} us CPU/job (medians of {ROUNDS}; jobs/s {})",
            median(rates.clone()),
            median(cpu),
            rates
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
