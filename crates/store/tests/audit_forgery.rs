//! The audit chain cannot be re-forged with the database file alone (issue
//! #19 §4): each manipulation the probe got past the plain SHA-256 chain
//! now fails `verify`, naming what was changed; a key holder's rewrite is
//! caught by checkpoints exported before it.

mod common;

use std::path::Path;

use common::{Written, open, populate, tamper};
use resolute_store::{Checkpoint, Finding, RestoreOptions, Store, VerifyReport, sha256_hex};
use serde_json::json;

fn populated() -> (tempfile::TempDir, Store, Written) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = open(&tmp.path().join("data"));
    let written = populate(&store);
    (tmp, store, written)
}

fn has_finding(report: &VerifyReport, pred: impl Fn(&Finding) -> bool) -> bool {
    report.findings.iter().any(pred)
}

#[test]
fn the_good_case_verifies_with_checkpoints_and_every_row_cross_checked() {
    let (_tmp, store, _) = populated();
    let cp = store.checkpoint_now().expect("checkpoint");
    let exported = store.export_checkpoints(0).expect("export");
    assert_eq!(exported.last(), Some(&cp));
    assert!(cp.verify_with(&store.checkpoint_public_key()));
    // Exported as JSON lines and read back.
    let lines: Vec<String> = exported.iter().map(Checkpoint::to_json_line).collect();
    let back: Vec<Checkpoint> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| Checkpoint::from_json_line(l, i + 1).expect("line"))
        .collect();
    let report = store.verify_audit_with(&back).expect("verify");
    assert!(report.ok, "{report:#?}");
    // 2 keys, 2 cases, 1 suppression, 1 ledger row, 2 draws, 2 list versions, 1 report.
    assert_eq!(report.rows, 11);
    assert!(report.checkpoints >= 2, "{}", report.checkpoints);
    assert_eq!(report.keyed_from, 1);
}

/// Recompute every record's hash as plain SHA-256 in Rust (what the issue's
/// Python script did), after editing one record's actor.
fn recompute_plain_chain(db: &Path, seq: i64, actor: &str) {
    let conn = rusqlite::Connection::open(db).expect("raw");
    conn.execute_batch("DROP TRIGGER audit_log_no_update;")
        .expect("drop trigger");
    conn.execute(
        "UPDATE audit_log SET actor = ?1 WHERE seq = ?2",
        rusqlite::params![actor, seq],
    )
    .expect("edit");
    let rows: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT seq, ts, kind, actor, payload FROM audit_log ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mut prev = "0".repeat(64);
    let mut last = 0;
    for (seq, ts, kind, actor, payload) in rows {
        let body = json!({"actor": actor, "kind": kind, "payload": serde_json::from_str::<serde_json::Value>(&payload).expect("json"),
                          "prev_hash": prev, "seq": seq, "ts": ts});
        let hash = sha256_hex(resolute_store::canonical_json(&body).as_bytes());
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, hash, seq],
        )
        .expect("rehash");
        prev = hash;
        last = seq;
    }
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
        [format!("{last}:{prev}")],
    )
    .expect("head");
}

/// Whether the log is a valid *plain* SHA-256 chain (what older builds
/// accepted): the forgery itself is sound, only the key stops it.
fn is_valid_plain_chain(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("raw");
    let mut stmt = conn
        .prepare(
            "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .expect("prepare");
    let mut rows = stmt.query([]).expect("query");
    let mut prev = "0".repeat(64);
    while let Some(r) = rows.next().expect("row") {
        let (seq, ts, kind, actor, payload, stored_prev, hash): (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
        ) = (
            r.get(0).expect("c"),
            r.get(1).expect("c"),
            r.get(2).expect("c"),
            r.get(3).expect("c"),
            r.get(4).expect("c"),
            r.get(5).expect("c"),
            r.get(6).expect("c"),
        );
        let body = json!({"actor": actor, "kind": kind, "payload": serde_json::from_str::<serde_json::Value>(&payload).expect("json"),
                          "prev_hash": stored_prev, "seq": seq, "ts": ts});
        if stored_prev != prev
            || sha256_hex(resolute_store::canonical_json(&body).as_bytes()) != hash
        {
            return false;
        }
        prev = hash;
    }
    true
}

#[test]
fn a_recomputed_plain_sha256_chain_fails_verify() {
    let (_tmp, store, _) = populated();
    recompute_plain_chain(store.path(), 3, "someone-else");
    assert!(
        is_valid_plain_chain(store.path()),
        "the forgery is a valid plain chain"
    );
    let report = store.verify_audit().expect("verify");
    assert!(!report.ok);
    let bad = report.first_bad.expect("first bad");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (1, "edited"),
        "{}",
        bad.detail
    );
    assert!(bad.detail.contains("MAC"), "{}", bad.detail);
}

/// The issue's own tool: a 31-line Python script that recomputes the chain.
/// Skipped (with a note) where no python3 is installed.
#[test]
fn the_python_forgery_script_fails_verify() {
    let (_tmp, store, _) = populated();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/forge_plain_chain.py");
    let out = match std::process::Command::new("python3")
        .arg(&script)
        .arg(store.path())
        .args(["2", "someone-else"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("python3 not available ({e}): the Rust recomputation test covers this");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        is_valid_plain_chain(store.path()),
        "the script wrote a valid plain chain"
    );
    let report = store.verify_audit().expect("verify");
    assert!(!report.ok);
    assert_eq!(report.first_bad.expect("bad").problem, "edited");
}

#[test]
fn trimming_the_tail_and_fixing_the_stored_head_fails_verify() {
    let (tmp, store, _) = populated();
    store.checkpoint_now().expect("checkpoint");
    let total = store.audit_count().expect("count");
    let keep = total - 3;
    let hash: String = store.audit_record(keep).expect("record").hash;
    let trim = format!(
        "DELETE FROM audit_log WHERE seq > {keep}; DELETE FROM audit_checkpoints WHERE seq > {keep};
         UPDATE meta SET value = '{keep}:{hash}' WHERE key = 'audit_head';"
    );
    tamper(store.path(), &trim);
    // The head witness outside the database still names the last record.
    let report = store.verify_audit().expect("verify");
    let bad = report.first_bad.clone().expect("truncated");
    assert_eq!(
        (bad.seq, bad.problem.as_str()),
        (keep + 1, "truncated"),
        "{}",
        bad.detail
    );
    assert!(bad.detail.contains("head witness"), "{}", bad.detail);
    // Without the witness (removed too), the head's MAC gives it away.
    store.close();
    std::fs::remove_file(tmp.path().join("data").join(resolute_store::HEAD_FILE))
        .expect("rm witness");
    let report = store.verify_audit().expect("verify");
    assert!(!report.ok);
    assert!(
        has_finding(&report, |f| f.problem == "head_forged"),
        "{:#?}",
        report.findings
    );
    assert!(has_finding(&report, |f| f.problem == "witness_missing"));
}

#[test]
fn a_duplicate_key_json_edit_fails_verify() {
    let (_tmp, store, _) = populated();
    let seq = store.audit_count().expect("count");
    let stored: String = rusqlite::Connection::open(store.path())
        .expect("raw")
        .query_row("SELECT payload FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .expect("payload");
    assert_eq!(stored, r#"{"i":9}"#);
    // SQL reads the first "i", serde_json the last: the JSON re-serialised
    // is unchanged, only hashing the stored bytes sees the edit.
    tamper(
        store.path(),
        &format!(r#"UPDATE audit_log SET payload = '{{"i":0,"i":9}}' WHERE seq = {seq}"#),
    );
    let conn = rusqlite::Connection::open(store.path()).expect("raw");
    let sql_sees: i64 = conn
        .query_row(
            "SELECT json_extract(payload, '$.i') FROM audit_log WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .expect("json_extract");
    let reparsed: serde_json::Value = serde_json::from_str(r#"{"i":0,"i":9}"#).expect("parse");
    assert_eq!((sql_sees, reparsed), (0, json!({"i": 9})));
    let bad = store
        .verify_audit()
        .expect("verify")
        .first_bad
        .expect("bad");
    assert_eq!((bad.seq, bad.problem.as_str()), (seq, "edited"));
}

#[test]
fn rows_changed_outside_the_store_are_named() {
    let (_tmp, store, w) = populated();
    let forged_key = "rsk_forged";
    tamper(
        store.path(),
        &format!(
            "UPDATE cases SET status = 'open', resolution = NULL WHERE id = {closed};
             DELETE FROM cases WHERE id = {open};
             UPDATE api_keys SET revoked_at = NULL WHERE id = '{revoked}';
             UPDATE api_keys SET role = 'admin' WHERE id = '{screener}';
             INSERT INTO api_keys(id, role, label, salt, hash, created_at) VALUES ('{forged_key}', 'admin', '', 's', 'h', 'now');
             UPDATE suppressions SET revoked_at = NULL WHERE id = {suppression};
             UPDATE cap_ledger SET used = 0;
             DELETE FROM cap_draws WHERE transaction_id = 'tx2';
             UPDATE reports SET symbol = 'S/AC.49/2017/1' WHERE id = {report};
             UPDATE list_versions SET active = 1 WHERE id = 'un-2017-07-03';",
            closed = w.closed_case,
            open = w.open_case,
            revoked = w.revoked_key,
            screener = w.screener_key,
            suppression = w.suppression,
            report = w.report,
        ),
    );
    let report = store.verify_audit().expect("verify");
    assert!(!report.ok);
    assert!(report.first_bad.is_none(), "the chain itself is intact");
    let named: Vec<(String, String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.table.clone().unwrap_or_default(),
                f.id.clone().unwrap_or_default(),
                f.problem.clone(),
            )
        })
        .collect();
    let expect = [
        ("cases", w.closed_case.to_string(), "changed"),
        ("cases", w.open_case.to_string(), "deleted"),
        ("api_keys", w.revoked_key.clone(), "changed"),
        ("api_keys", w.screener_key.clone(), "changed"),
        ("api_keys", forged_key.to_string(), "unaudited"),
        ("suppressions", w.suppression.to_string(), "changed"),
        (
            "cap_ledger",
            "dprk/2397/5/refined-petroleum|2018-01-01|bbl".to_string(),
            "changed",
        ),
        ("cap_draws", "2".to_string(), "deleted"),
        ("reports", w.report.to_string(), "changed"),
        ("list_versions", "un-2017-07-03".to_string(), "changed"),
    ];
    for (table, id, problem) in &expect {
        assert!(
            named.contains(&(table.to_string(), id.clone(), problem.to_string())),
            "{table} {id} {problem} not named in {named:#?}"
        );
    }
    assert_eq!(report.finding_count, expect.len(), "{named:#?}");
}

#[test]
fn verify_is_read_only() {
    let (_tmp, store, _) = populated();
    store.close();
    let digest = |p: &Path| sha256_hex(&std::fs::read(p).unwrap_or_default());
    let wal = {
        let mut s = store.path().as_os_str().to_owned();
        s.push("-wal");
        std::path::PathBuf::from(s)
    };
    let before = (digest(store.path()), digest(&wal));
    for _ in 0..3 {
        assert!(store.verify_audit().expect("verify").ok);
    }
    assert_eq!((digest(store.path()), digest(&wal)), before);
}

/// Someone with the key *and* the file can rewrite the chain so that it
/// verifies again; checkpoints exported before the rewrite still show it.
#[test]
fn a_key_holders_rewrite_is_caught_by_exported_checkpoints() {
    let (tmp, store, _) = populated();
    let backup = tmp.path().join("early.db");
    store.backup_to(&backup, "key:admin").expect("backup");
    for i in 0..5 {
        store
            .append_audit("screening.name", "key:screener", json!({"real": i}))
            .expect("append");
    }
    store.checkpoint_now().expect("checkpoint");
    let exported = store.export_checkpoints(0).expect("export");
    store.close();
    drop(store);

    // The rewrite: the history from the early copy on, with other records.
    let dir = tmp.path().join("data");
    let (store, _) = Store::restore(
        &backup,
        &dir,
        RestoreOptions {
            replace: true,
            actor: "insider".into(),
            ..RestoreOptions::default()
        },
    )
    .expect("restore");
    for i in 0..10 {
        store
            .append_audit("screening.name", "key:screener", json!({"forged": i}))
            .expect("append");
    }
    assert!(
        store.verify_audit().expect("verify").ok,
        "on its own it verifies"
    );
    let report = store.verify_audit_with(&exported).expect("verify");
    assert!(!report.ok);
    assert!(
        has_finding(&report, |f| f.area == "checkpoint"
            && f.problem == "chain_differs"),
        "{:#?}",
        report.findings
    );
}
