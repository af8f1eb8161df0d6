//! A store holding one of every audited kind of row, for the forgery and
//! backup tests.

#![allow(dead_code)]

use std::path::Path;

use chrono::NaiveDate;
use resolute_store::{
    CapAccount, CaseResolution, NewCapDraw, NewCase, NewStateReport, Role, Store, StoreOptions,
    StoredListVersion, SyncMode,
};
use serde_json::json;

pub fn open(dir: &Path) -> Store {
    Store::open(
        dir,
        StoreOptions {
            sync: SyncMode::Normal,
        },
    )
    .expect("open store")
}

pub fn account() -> CapAccount {
    CapAccount::new(
        "dprk/2397/5/refined-petroleum",
        NaiveDate::from_ymd_opt(2018, 1, 1).expect("date"),
        "bbl",
    )
}

pub fn new_case(n: usize) -> NewCase {
    NewCase {
        kind: "name".into(),
        screening_id: format!("scr_{n}"),
        query_key: format!("qk{n}"),
        query: json!({"schema": "Company", "properties": {"name": ["Foreign Trade Bank"]}}),
        entity_id: Some("un-kpe.047".into()),
        entity_ref: Some("KPe.047".into()),
        entity_caption: Some("FOREIGN TRADE BANK".into()),
        entity_fingerprint: Some("fp1".into()),
        score: Some(0.98),
        decision: None,
        summary: "match".into(),
    }
}

pub fn list_meta(id: &str) -> StoredListVersion {
    StoredListVersion {
        id: id.into(),
        source: "un".into(),
        generated: Some("2026-02-27".into()),
        content_hash: format!("hash-{id}"),
        origin: format!("{id}.xml"),
        entity_count: 1003,
        issue_count: 0,
        loaded_at: String::new(),
        loaded_by: "key:admin".into(),
        active: true,
        stored_bytes: true,
    }
}

/// Ids of what [`populate`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub screener_key: String,
    pub revoked_key: String,
    pub closed_case: i64,
    pub open_case: i64,
    pub suppression: i64,
    pub report: i64,
}

/// Keys (one revoked), two cases (one closed as a false positive, so a
/// suppression, then revoked), a cap opening and two draws, a list version
/// and a held one, a report; then some screenings.
pub fn populate(store: &Store) -> Written {
    let screener = store
        .create_key(Role::Screener, "analyst", "key:admin")
        .expect("key");
    let revoked = store
        .create_key(Role::Admin, "old admin", "key:admin")
        .expect("key");
    store.revoke_key(&revoked.id, "key:admin").expect("revoke");
    let mut cases = Vec::new();
    for n in 0..2 {
        let c = new_case(n);
        cases.push(
            store
                .write(move |ctx| {
                    let r = ctx.append_audit("screening.name", "key:screener", &json!({"n": n}))?;
                    ctx.open_case(&c, r.seq)
                })
                .expect("case"),
        );
    }
    let (_, suppression) = store
        .close_case_blocking(
            cases[0],
            CaseResolution::FalsePositive,
            "another bank",
            "key:reviewer",
        )
        .expect("close");
    let suppression = suppression.expect("suppression").id;
    store
        .revoke_suppression_blocking(suppression, "key:reviewer")
        .expect("revoke suppression");
    store
        .set_cap_opening(account(), 120_000.0, "Jan-Mar", "key:admin")
        .expect("opening");
    for (i, amount) in [(1, 50_000.0), (2, 25_000.0)] {
        let seeded = 120_000.0 + if i == 2 { 50_000.0 } else { 0.0 };
        store
            .write(move |ctx| {
                let r =
                    ctx.append_audit("screening.transaction", "key:screener", &json!({"i": i}))?;
                let d = NewCapDraw {
                    transaction_id: format!("tx{i}"),
                    account: account(),
                    amount,
                };
                ctx.record_cap_draws(
                    &format!("scr_tx{i}"),
                    r.seq,
                    "key:screener",
                    &[d],
                    &[(account(), seeded)],
                )
            })
            .expect("draw");
    }
    store
        .save_list_version_blocking(list_meta("un-2026-02-27"), Some(b"<xml/>".to_vec()), None)
        .expect("list");
    store
        .hold_list_version(
            list_meta("un-2017-07-03"),
            b"<old/>".to_vec(),
            "older than the version in force",
            json!({"removed": 990, "added": 0}),
            "key:admin",
        )
        .expect("held");
    let report = store
        .add_report(
            NewStateReport {
                state: "CHN".into(),
                resolutions: vec![2371],
                submitted: NaiveDate::from_ymd_opt(2017, 10, 30).expect("date"),
                symbol: "S/AC.49/2017/99".into(),
                notes: String::new(),
            },
            "key:admin",
        )
        .expect("report");
    for i in 0..10 {
        store
            .append_audit("screening.name", "key:screener", json!({"i": i}))
            .expect("screening");
    }
    Written {
        screener_key: screener.id,
        revoked_key: revoked.id,
        closed_case: cases[0],
        open_case: cases[1],
        suppression,
        report: report.id,
    }
}

/// Raw SQL as someone with the database file would run it (append-only
/// triggers dropped first).
pub fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).expect("open raw");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;
         DROP TRIGGER IF EXISTS cap_draws_no_update; DROP TRIGGER IF EXISTS cap_draws_no_delete;",
    )
    .expect("drop triggers");
    conn.execute_batch(sql).expect("tamper");
}
