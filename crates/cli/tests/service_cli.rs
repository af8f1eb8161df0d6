//! `resolute keys` and `resolute audit verify` on a data directory.

use std::process::Command;

use serde_json::Value;

fn resolute(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("run resolute")
}

#[test]
fn keys_create_list_and_audit_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolute(
        &[
            "keys",
            "create",
            "--role",
            "screener",
            "--label",
            "analyst one",
            "--json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(key["role"], "screener");
    let token = key["token"].as_str().expect("token");
    assert!(
        token.starts_with("rsk_") && token.len() == 4 + 8 + 1 + 48,
        "{token}"
    );

    let out = resolute(&["keys", "list", "--json"], dir.path());
    let keys: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(keys[0]["id"], key["id"]);
    assert_eq!(keys[0]["label"], "analyst one");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(token),
        "the secret must never be listed"
    );

    let bad = resolute(&["keys", "create", "--role", "superuser"], dir.path());
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("viewer, screener or admin"));

    // Key creation is audited; the chain verifies.
    let out = resolute(&["audit", "verify"], dir.path());
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("OK: 1 records"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let revoke = Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args([
            "keys",
            "revoke",
            key["id"].as_str().unwrap_or_default(),
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .expect("revoke");
    assert!(revoke.status.success());
    let out = resolute(&["audit", "verify", "--json"], dir.path());
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (report["ok"].as_bool(), report["records"].as_i64()),
        (Some(true), Some(2))
    );

    // No store there: a clear error, not an empty store created by accident.
    let empty = tempfile::tempdir().expect("tempdir");
    let out = resolute(&["audit", "verify"], &empty.path().join("nothing"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store in"));
}
