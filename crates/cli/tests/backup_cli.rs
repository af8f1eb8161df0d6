//! `resolute backup` and `resolute restore` (issue #19 §3): a backup taken
//! while another process writes, a damaged or emptied database refused by
//! every command (the service too: no fresh store, no new admin key), and a
//! restore that brings the store back and verifies.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn resolute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(args)
        .env_remove("RESOLUTE_AUDIT_KEY_FILE")
        .env_remove("RESOLUTE_AUDIT_KEY")
        .env_remove("RESOLUTE_ADMIN_KEY")
        .output()
        .expect("run resolute")
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn text(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn backup_while_another_process_writes_then_restore_over_a_damaged_database() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let key = ok(&resolute(&[
        "keys",
        "create",
        "--role",
        "screener",
        "--label",
        "before the backup",
        "--json",
        "--data-dir",
        text(&data),
    ]));

    // This test process writes to the same directory while the CLI copies it.
    let (started, has_started) = std::sync::mpsc::channel();
    let writer = {
        let data = data.clone();
        std::thread::spawn(move || {
            let store = resolute_store::Store::open(&data, Default::default()).expect("open");
            for i in 0..400 {
                if i == 50 {
                    let _ = started.send(());
                }
                store
                    .append_audit("screening.name", "key:test", serde_json::json!({"i": i}))
                    .expect("append during the backup");
            }
            store.close();
        })
    };
    has_started.recv().expect("writer started");
    let backup = tmp.path().join("nightly.db");
    let report = ok(&resolute(&[
        "backup",
        "--data-dir",
        text(&data),
        "--to",
        text(&backup),
        "--json",
    ]));
    writer.join().expect("writer");
    assert!(
        report["records"].as_i64().expect("records") > 50,
        "{report}"
    );
    assert_eq!(report["records"], report["head_seq"]);
    // A backup is never overwritten.
    let again = resolute(&["backup", "--data-dir", text(&data), "--to", text(&backup)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));

    // Damage the database: every command refuses it and says how to restore.
    let db = data.join("resolute.db");
    let mut bytes = std::fs::read(&db).expect("read");
    for page in 1..bytes.len() / 4096 {
        for b in &mut bytes[page * 4096..page * 4096 + 8] {
            *b ^= 0x3C;
        }
    }
    std::fs::write(&db, &bytes).expect("damage");
    let refused = resolute(&["keys", "list", "--data-dir", text(&data)]);
    assert_eq!(refused.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(
        msg.contains("damaged") && msg.contains("resolute restore"),
        "{msg}"
    );

    // Restore needs --replace over an existing database.
    let no_replace = resolute(&[
        "restore",
        "--from",
        text(&backup),
        "--data-dir",
        text(&data),
    ]);
    assert_eq!(no_replace.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_replace.stderr).contains("--replace"));
    let restored = ok(&resolute(&[
        "restore",
        "--from",
        text(&backup),
        "--data-dir",
        text(&data),
        "--replace",
        "--json",
    ]));
    assert_eq!(restored["head_seq"], report["head_seq"]);
    assert!(restored["verify"]["ok"].as_bool().expect("ok"));
    let kept = restored["replaced"][0].as_str().expect("replaced file");
    assert!(Path::new(kept).exists(), "{kept}");
    assert!(
        restored["lost_after"].as_i64().expect("lost_after")
            > report["head_seq"].as_i64().expect("seq"),
        "the writes after the backup are named as lost: {restored}"
    );

    // The store is back: the key from before the backup, a verifying chain.
    let keys = ok(&resolute(&[
        "keys",
        "list",
        "--json",
        "--data-dir",
        text(&data),
    ]));
    assert_eq!(keys[0]["id"], key["id"]);
    let verify = ok(&resolute(&[
        "audit",
        "verify",
        "--json",
        "--data-dir",
        text(&data),
    ]));
    assert_eq!(verify["ok"], true, "{verify}");
}

#[test]
fn an_emptied_database_is_refused_at_start_without_a_new_admin_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    ok(&resolute(&[
        "keys",
        "create",
        "--role",
        "admin",
        "--json",
        "--data-dir",
        text(&data),
    ]));
    std::fs::write(data.join("resolute.db"), b"").expect("truncate to 0 bytes");
    let out = resolute(&["serve", "--data-dir", text(&data), "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "the service must not start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is empty (0 bytes)"), "{stderr}");
    assert!(
        !stderr.contains("rsk_"),
        "no new admin key may be printed: {stderr}"
    );
    assert_eq!(
        std::fs::metadata(data.join("resolute.db"))
            .expect("db")
            .len(),
        0
    );
}

#[test]
fn restore_into_an_empty_directory_with_the_key_given_by_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    ok(&resolute(&[
        "keys",
        "create",
        "--role",
        "viewer",
        "--json",
        "--data-dir",
        text(&data),
    ]));
    let backup = tmp.path().join("b.db");
    ok(&resolute(&[
        "backup",
        "--data-dir",
        text(&data),
        "--to",
        text(&backup),
        "--json",
    ]));
    let elsewhere = tmp.path().join("elsewhere");
    // Without the key the chain cannot be verified: refused.
    let out = resolute(&[
        "restore",
        "--from",
        text(&backup),
        "--data-dir",
        text(&elsewhere),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("audit key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = data.join("audit.key");
    let out = resolute(&[
        "restore",
        "--from",
        text(&backup),
        "--data-dir",
        text(&elsewhere),
        "--audit-key",
        text(&key),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit records verified"));
}
