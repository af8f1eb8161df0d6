//! List uploads that could wipe the lists (issue 19 §2) against a real server:
//! a DOCTYPE is refused; a version that removes more than 5 % of the entries
//! or is older than the version in force is held as pending with its diff and
//! goes in force only when an admin confirms it (audited).

mod support;

use serde_json::{Value, json};
use support::{TestServer, one_query};

/// A version id in a path segment (ids carry `#` and `@`).
fn enc(s: &str) -> String {
    s.replace('%', "%25")
        .replace('#', "%23")
        .replace('@', "%40")
        .replace('/', "%2F")
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn in_force(s: &TestServer, source: &str) -> Value {
    let (_, lists) = s.get("/lists", Some(&s.viewer));
    lists["in_force"]
        .as_array()
        .expect("in force")
        .iter()
        .find(|v| v["source"] == source)
        .cloned()
        .expect("source in force")
}

fn first_ref(s: &TestServer, dataset: &str, schema: &str, name: &str) -> Value {
    let (_, m) = s.post(
        &format!("/match/{dataset}"),
        Some(&s.screener),
        &one_query(schema, name),
    );
    m["responses"]["q1"]["results"][0]["ref"].clone()
}

#[test]
fn a_doctype_is_refused_and_the_lists_stay() {
    let s = TestServer::start();
    let before = in_force(&s, "un");
    let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-03-01T00:00:00"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>&xxe;</FIRST_NAME><REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"#;
    let (status, v) = s.post_raw(
        "/lists?name=xxe.xml",
        Some(&s.admin),
        "application/xml",
        xxe,
    );
    assert_eq!((status, error_code(&v)), (400, "invalid_list"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("DOCTYPE"),
        "{v}"
    );
    assert_eq!(in_force(&s, "un")["id"], before["id"]);
    assert_eq!(
        first_ref(&s, "un_sc_sanctions", "Company", "Foreign Trade Bank"),
        "KPe.047"
    );
    let (_, pending) = s.get("/lists/pending", Some(&s.admin));
    assert_eq!(pending["pending"], json!([]));
}

#[test]
fn half_an_sdn_file_is_held_until_an_admin_confirms() {
    let s = TestServer::start();
    let before = in_force(&s, "ofac-sdn");
    let (_, sdn) = resolute_lists::bundled_bytes()[1];
    // Cut at a line boundary: a well-formed file with half the entries.
    let mut cut = sdn.len() / 2;
    while sdn[cut - 1] != b'\n' {
        cut -= 1;
    }
    let (status, held) = s.post_raw(
        "/lists?name=sdn-2024-05-04.csv",
        Some(&s.admin),
        "text/csv",
        &sdn[..cut],
    );
    assert_eq!(status, 202, "{held}");
    let reasons = held["reasons"].as_array().expect("reasons");
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap_or("").contains("remov")),
        "{held}"
    );
    assert!(
        held["diff"]["removed"]
            .as_array()
            .is_some_and(|r| r.len() > 1000),
        "held diff"
    );
    let id = held["pending"]["id"]
        .as_str()
        .expect("pending id")
        .to_string();
    // Nothing changed in force: the Foreign Trade Bank still matches on OFAC.
    assert_eq!(in_force(&s, "ofac-sdn")["id"], before["id"]);
    let (_, pending) = s.get("/lists/pending", Some(&s.admin));
    assert_eq!(pending["pending"][0]["id"], id.as_str(), "{pending}");
    assert_eq!(pending["pending"][0]["status"], "pending");

    // Only an admin decides, and says why.
    let confirm = format!("/lists/pending/{}/confirm", enc(&id));
    let (status, v) = s.post(&confirm, Some(&s.screener), &json!({"note": "ok"}));
    assert_eq!((status, error_code(&v)), (403, "forbidden"), "{v}");
    let (status, v) = s.post(&confirm, Some(&s.admin), &json!({"note": "  "}));
    assert_eq!(status, 400, "{v}");
    let (status, v) = s.post(
        &confirm,
        Some(&s.admin),
        &json!({"note": "OFAC's partial file, checked"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(in_force(&s, "ofac-sdn")["id"], id.as_str());
    let (_, pending) = s.get("/lists/pending", Some(&s.admin));
    assert_eq!(pending["pending"], json!([]));
    // Decided once: a second confirmation is refused.
    let (status, _) = s.post(&confirm, Some(&s.admin), &json!({"note": "again"}));
    assert!((400..500).contains(&status), "{status}");
    // The decision is in the audit log with its actor and note.
    let (_, audit) = s.get("/audit?limit=20", Some(&s.admin));
    let text = audit.to_string();
    assert!(text.contains("OFAC's partial file, checked"), "{audit}");
}

#[test]
fn an_older_list_is_held_and_a_rejection_changes_nothing() {
    let s = TestServer::start();
    let before = in_force(&s, "un");
    let (_, un) = resolute_lists::bundled_bytes()[0];
    let text = std::str::from_utf8(un).expect("utf-8");
    let older = text.replacen(
        "dateGenerated=\"2026-02-27",
        "dateGenerated=\"2017-08-05",
        1,
    );
    assert_ne!(older, text, "the fixture edit must apply");
    let (status, held) = s.post_raw(
        "/lists?name=consolidated-2017-08-05.xml",
        Some(&s.admin),
        "application/xml",
        older.as_bytes(),
    );
    assert_eq!(status, 202, "{held}");
    assert!(held.to_string().contains("older"), "{held}");
    let id = held["pending"]["id"]
        .as_str()
        .expect("pending id")
        .to_string();
    let (status, v) = s.post(
        &format!("/lists/pending/{}/reject", enc(&id)),
        Some(&s.admin),
        &json!({"note": "an old file uploaded by mistake"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["rejected"]["status"], "rejected", "{v}");
    assert_eq!(in_force(&s, "un")["id"], before["id"]);
    let (_, pending) = s.get("/lists/pending", Some(&s.admin));
    assert_eq!(pending["pending"], json!([]));
    assert_eq!(
        first_ref(&s, "un_sc_sanctions", "Company", "Foreign Trade Bank"),
        "KPe.047"
    );
}
