//! Member-state reports in SQLite (issue #12), list versions held pending
//! an admin's decision (issue #19 §2), the bootstrap admin key that stays
//! revoked (issue #19 §5), each write audited with its actor.

mod common;

use chrono::NaiveDate;
use common::{list_meta, open};
use resolute_store::{NewStateReport, ReviewStatus, Role, Store, StoreError};
use serde_json::json;

fn report(state: &str, symbol: &str, day: u32) -> NewStateReport {
    NewStateReport {
        state: state.into(),
        resolutions: vec![2371, 2375],
        submitted: NaiveDate::from_ymd_opt(2017, 10, day).expect("date"),
        symbol: symbol.into(),
        notes: "received".into(),
    }
}

fn last_record(store: &Store) -> resolute_store::AuditRecord {
    store
        .audit_records(&Default::default())
        .expect("records")
        .remove(0)
}

#[test]
fn reports_are_stored_audited_and_refused_twice() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = open(tmp.path());
    let added = store
        .add_report(report("CHN", "S/AC.49/2017/99", 30), "key:analyst")
        .expect("add");
    assert_eq!(
        (added.recorded_by.as_str(), added.source.as_str()),
        ("key:analyst", "api")
    );
    let rec = last_record(&store);
    assert_eq!(
        (rec.kind.as_str(), rec.actor.as_str()),
        ("report.added", "key:analyst")
    );
    assert_eq!(rec.payload["state"], "CHN");
    assert_eq!(rec.payload["resolutions"], json!([2371, 2375]));
    // The same state and symbol again: refused, nothing written.
    let count = store.audit_count().expect("count");
    let err = store
        .add_report(report("CHN", "S/AC.49/2017/99", 31), "key:analyst")
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.audit_count().expect("count"), count);
    // Without a symbol, the same state, day and resolutions is the duplicate.
    store
        .add_report(report("RUS", "", 2), "key:analyst")
        .expect("no symbol");
    assert!(store.add_report(report("RUS", "", 2), "x").is_err());
    store
        .add_report(report("RUS", "", 3), "key:analyst")
        .expect("another day");
    let all = store.reports().expect("reports");
    let order: Vec<(&str, u32)> = all
        .iter()
        .map(|r| (r.state.as_str(), chrono::Datelike::day(&r.submitted)))
        .collect();
    assert_eq!(order, [("RUS", 2), ("RUS", 3), ("CHN", 30)]);
    assert!(store.verify_audit().expect("verify").ok);
}

#[test]
fn a_reports_csv_is_imported_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = open(tmp.path());
    store
        .add_report(report("CHN", "S/AC.49/2017/99", 30), "key:analyst")
        .expect("add");
    let from_csv = vec![
        report("CHN", "S/AC.49/2017/99", 30),
        report("GBR", "S/AC.49/2017/120", 20),
        report("FRA", "S/AC.49/2017/121", 21),
    ];
    let first = store
        .import_reports(from_csv.clone(), "reports.csv", "abc123", "system")
        .expect("import");
    assert_eq!(
        (first.added, first.already_present, first.already_imported),
        (2, 1, false)
    );
    let rec = last_record(&store);
    assert_eq!(
        (rec.kind.as_str(), rec.actor.as_str()),
        ("report.imported", "system")
    );
    assert_eq!(
        (
            rec.payload["source"].as_str(),
            rec.payload["added"].as_i64()
        ),
        (Some("reports.csv"), Some(2))
    );
    let count = store.audit_count().expect("count");
    // At the next start: nothing again, not even an audit record.
    let again = store
        .import_reports(from_csv, "reports.csv", "abc123", "system")
        .expect("again");
    assert!(again.already_imported && again.added == 0);
    assert_eq!(store.audit_count().expect("count"), count);
    let imported: Vec<_> = store
        .reports()
        .expect("reports")
        .into_iter()
        .filter(|r| r.source == "reports.csv")
        .map(|r| r.state)
        .collect();
    assert_eq!(imported, ["GBR", "FRA"]);
    assert!(store.verify_audit().expect("verify").ok);
}

#[test]
fn a_held_list_version_waits_for_an_admin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = open(tmp.path());
    store
        .save_list_version_blocking(list_meta("un-2026-02-27"), Some(b"<new/>".to_vec()), None)
        .expect("in force");
    let held = store
        .hold_list_version(
            list_meta("un-2017-07-03"),
            b"<old/>".to_vec(),
            "older than the version in force; removes 41 % of the entries",
            json!({"removed": 412, "added": 3, "changed": 10}),
            "key:uploader",
        )
        .expect("hold");
    assert_eq!(held.status, ReviewStatus::Pending);
    assert!(!held.version.active);
    // Not served, not in the version history; its bytes are kept.
    let active: Vec<String> = store
        .active_uploaded_lists()
        .expect("active")
        .into_iter()
        .map(|(v, _)| v.id)
        .collect();
    assert_eq!(active, ["un-2026-02-27"]);
    assert!(
        store
            .list_versions()
            .expect("versions")
            .iter()
            .all(|v| v.id != "un-2017-07-03")
    );
    assert_eq!(
        store
            .list_version_bytes("un-2017-07-03")
            .expect("bytes")
            .as_deref(),
        Some(&b"<old/>"[..])
    );
    let pending = store.list_reviews(false).expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].diff_summary["removed"], 412);
    let rec = last_record(&store);
    assert_eq!(
        (rec.kind.as_str(), rec.actor.as_str()),
        ("list.held", "key:uploader")
    );
    // Held twice, or loaded while pending: refused.
    assert!(matches!(
        store.hold_list_version(list_meta("un-2017-07-03"), vec![], "again", json!({}), "x"),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.save_list_version_blocking(list_meta("un-2017-07-03"), None, None),
        Err(StoreError::Conflict(_))
    ));

    // Confirmed: active for its source, audited with the admin.
    let confirmed = store
        .confirm_list_version("un-2017-07-03", "key:admin", "checked with the Committee")
        .expect("confirm");
    assert_eq!(confirmed.status, ReviewStatus::Confirmed);
    assert!(confirmed.version.active);
    assert_eq!(confirmed.decided_by.as_deref(), Some("key:admin"));
    let rec = last_record(&store);
    assert_eq!(
        (rec.kind.as_str(), rec.actor.as_str()),
        ("list.confirmed", "key:admin")
    );
    let active: Vec<String> = store
        .active_uploaded_lists()
        .expect("active")
        .into_iter()
        .map(|(v, _)| v.id)
        .collect();
    assert_eq!(active, ["un-2017-07-03"]);
    assert!(
        store
            .confirm_list_version("un-2017-07-03", "key:admin", "")
            .is_err(),
        "not pending any more"
    );

    // Another held and rejected: never served.
    store
        .hold_list_version(
            list_meta("un-bad"),
            b"<x/>".to_vec(),
            "duplicate reference numbers",
            json!({}),
            "key:uploader",
        )
        .expect("hold");
    let rejected = store
        .reject_list_version("un-bad", "key:admin", "broken file")
        .expect("reject");
    assert_eq!(rejected.status, ReviewStatus::Rejected);
    assert_eq!(last_record(&store).kind, "list.rejected");
    assert!(matches!(
        store.reject_list_version("nope", "key:admin", ""),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.list_reviews(true).expect("all").len(), 2);
    assert!(store.list_reviews(false).expect("pending").is_empty());
    let report = store.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
}

#[test]
fn a_revoked_bootstrap_admin_key_stays_revoked_across_restarts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = "rsk_0123abcd_0123456789abcdef0123456789abcdef0123456789abcdef";
    {
        let store = open(tmp.path());
        let key = store.import_admin_key(token).expect("import");
        assert_eq!(key.role, Role::Admin);
        assert!(store.authenticate(token).expect("auth").is_some());
        // Importing the same token again (a restart with the same environment) is a no-op.
        let count = store.audit_count().expect("count");
        store.import_admin_key(token).expect("again");
        assert_eq!(store.audit_count().expect("count"), count);
        store
            .revoke_key(&key.id, "key:other-admin")
            .expect("revoke");
        store.close();
    }
    // The restart: RESOLUTE_ADMIN_KEY still set, no active key left.
    let store = open(tmp.path());
    assert_eq!(store.key_count().expect("count"), 0);
    let err = store.import_admin_key(token).expect_err("stays revoked");
    assert!(matches!(err, StoreError::KeyRevoked { .. }), "{err}");
    assert!(err.to_string().contains("0123abcd"), "{err}");
    assert!(store.authenticate(token).expect("auth").is_none());
    // Another secret under an existing id is not a way around it either.
    let other = "rsk_0123abcd_ffffffffffffffffffffffffffffffffffffffffffffffff";
    assert!(matches!(
        store.import_admin_key(other),
        Err(StoreError::KeyRevoked { .. })
    ));
    assert!(store.verify_audit().expect("verify").ok);
}
