//! Member-state implementation reports over HTTP: recorded in the store
//! (they survive a restart), audited with the caller as actor, a duplicate
//! refused, and the `reports.csv` of an older build imported once.

mod support;

use serde_json::{Value, json};
use support::TestServer;

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn key_id(token: &str) -> &str {
    resolute_store::parse_token(token).expect("token").0
}

fn audit_of(s: &TestServer, kind: &str) -> Vec<Value> {
    let (status, log) = s.get(&format!("/audit?kind={kind}&limit=100"), Some(&s.admin));
    assert_eq!(status, 200, "{log}");
    log["records"].as_array().cloned().unwrap_or_default()
}

#[test]
fn reports_are_audited_refuse_duplicates_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let report = json!({"state": "Mongolia", "resolutions": [2375], "submitted": "2017-12-26",
        "symbol": "S/AC.49/2017/TEST-MNG"});
    {
        let s = TestServer::start_in(dir.path());
        let (status, added) = s.post("/reports", Some(&s.screener), &report);
        assert_eq!(status, 200, "{added}");
        assert_eq!(added["report"]["state"], "MNG");
        let actor = format!("key:{}", key_id(&s.screener));
        assert_eq!(added["report"]["recorded_by"], actor.as_str());

        // The write is in the audit log, with the caller's key as actor.
        let records = audit_of(&s, "report.added");
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0]["actor"], actor.as_str());
        assert_eq!(records[0]["payload"]["symbol"], "S/AC.49/2017/TEST-MNG");

        // The same state and symbol again: 409 naming both.
        let again = json!({"state": "MN", "resolutions": [2375], "submitted": "2018-01-02",
            "symbol": "S/AC.49/2017/TEST-MNG"});
        let (status, dup) = s.post("/reports", Some(&s.screener), &again);
        assert_eq!((status, error_code(&dup)), (409, "conflict"), "{dup}");
        let message = dup["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("MNG") && message.contains("S/AC.49/2017/TEST-MNG"),
            "{message}"
        );
        assert_eq!(audit_of(&s, "report.added").len(), 1);

        // Before the adoption date the regime gives for 2397 (2017-12-22).
        let early = json!({"state": "FRA", "resolutions": [2397], "submitted": "2017-12-21"});
        let (status, bad) = s.post("/reports", Some(&s.screener), &early);
        assert_eq!((status, error_code(&bad)), (400, "invalid_report"), "{bad}");
        assert!(
            bad["error"]["message"].to_string().contains("2017-12-22"),
            "{bad}"
        );

        let (status, st) = s.get("/reports/status?resolution=9999", Some(&s.viewer));
        assert_eq!(
            (status, error_code(&st)),
            (400, "invalid_parameter"),
            "{st}"
        );
    }
    // A new process on the same data directory: the report is still there.
    let s = TestServer::start_in(dir.path());
    let (status, listed) = s.get("/reports?resolution=2375", Some(&s.viewer));
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["count"], 1, "{listed}");
    assert_eq!(listed["reports"][0]["symbol"], "S/AC.49/2017/TEST-MNG");
    let (status, st) = s.get(
        "/reports/status?resolution=2375&as_of=2018-01-01",
        Some(&s.viewer),
    );
    assert_eq!(status, 200, "{st}");
    // Due 2017-12-10 (2375 adopted 2017-09-11, + 90 days): Mongolia is late.
    let st = &st["status"][0];
    assert_eq!(
        (st["reported"].as_u64(), st["late"].as_u64()),
        (Some(1), Some(1)),
        "{st}"
    );
    assert_eq!(st["deadline"], "2017-12-10");
}

#[test]
fn legacy_reports_csv_is_imported_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let legacy = dir.path().join("reports.csv");
    std::fs::write(
        &legacy,
        "state,resolutions,submitted,symbol,notes\n\
         DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
         JPN,2371;2375,2017-11-01,,by post\n\
         XX,2371,2017-10-20,S/AC.49/2017/T2,\n",
    )
    .expect("write legacy file");
    {
        let s = TestServer::start_in(dir.path());
        let (_, listed) = s.get("/reports", Some(&s.viewer));
        assert_eq!(listed["count"], 2, "{listed}");
        assert_eq!(listed["reports"][0]["source"], legacy.display().to_string());
        let imports = audit_of(&s, "report.imported");
        assert_eq!(imports.len(), 1, "{imports:?}");
        assert_eq!(imports[0]["actor"], "system");
        assert_eq!(imports[0]["payload"]["added"], 2);
    }
    // The second start finds the file imported: nothing added, no new audit record.
    let s = TestServer::start_in(dir.path());
    let (_, listed) = s.get("/reports", Some(&s.viewer));
    assert_eq!(listed["count"], 2, "{listed}");
    assert_eq!(audit_of(&s, "report.imported").len(), 1);
    assert!(legacy.exists(), "the legacy file is left in place");
}
