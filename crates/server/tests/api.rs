//! The HTTP API against a real server on loopback: auth, yente-shaped /match,
//! transaction screening, cases and suppressions, audit, lists, limits and errors.

mod support;

use std::sync::OnceLock;

use serde_json::{Value, json};
use support::{TestServer, one_query};

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(TestServer::start)
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

#[test]
fn open_endpoints_and_auth() {
    let s = server();
    assert_eq!(s.get("/healthz", None).0, 200);
    let (status, ready) = s.get("/readyz", None);
    assert_eq!(status, 200, "{ready}");
    assert!(ready["entities"].as_u64().unwrap_or(0) > 1000, "{ready}");
    let (status, html) = s.get_text("/", None);
    assert_eq!(status, 200);
    assert!(html.contains("Resolute"));

    // yente's metadata is open (yente has no keys; `open_metadata`, the default).
    assert_eq!(s.get("/catalog", None).0, 200);
    // No key, unknown key, malformed header.
    let (status, body) = s.get("/cases", None);
    assert_eq!((status, error_code(&body)), (401, "unauthorized"));
    let (status, _) = s.get(
        "/cases",
        Some("rsk_00000000_000000000000000000000000000000000000000000000000"),
    );
    assert_eq!(status, 401);
    // X-API-Key works as well as Bearer.
    assert_eq!(s.get_text("/cases", Some(&s.viewer)).0, 200);
    // Viewer cannot screen, screener cannot upload or manage keys.
    let (status, body) = s.post(
        "/match/default",
        Some(&s.viewer),
        &one_query("Person", "Kim Jong Un"),
    );
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    assert_eq!(
        s.post_raw("/lists", Some(&s.screener), "application/xml", b"<x/>")
            .0,
        403
    );
    assert_eq!(s.get("/keys", Some(&s.screener)).0, 403);
    assert_eq!(s.get("/keys", Some(&s.admin)).0, 200);
    let (status, me) = s.get("/me", Some(&s.screener));
    assert_eq!((status, me["role"].as_str()), (200, Some("screener")));
}

#[test]
fn match_is_yente_shaped_and_audited() {
    let s = server();
    let body = json!({"queries": {
        "ftb": {"schema": "Company", "properties": {"name": ["Foreign Trade Bank"], "country": ["kp"]}},
        "nobody": {"schema": "Person", "properties": {"name": ["Johanna Zimmermann-Oberholzer"]}},
    }});
    let (status, v) = s.post(
        "/match/default?threshold=0.7&limit=5&algorithm=best",
        Some(&s.screener),
        &body,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["limit"], 5);
    let ftb = &v["responses"]["ftb"];
    assert_eq!(ftb["status"], 200);
    assert_eq!(ftb["query"]["schema"], "Company");
    let results = ftb["results"].as_array().expect("results");
    let top = &results[0];
    assert_eq!(top["ref"], "KPe.047", "{top}");
    assert_eq!(top["id"], "un-kpe.047");
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap_or(0.0) >= 0.7);
    for field in [
        "caption",
        "schema",
        "properties",
        "datasets",
        "explanations",
    ] {
        assert!(!top[field].is_null(), "result lacks {field}: {top}");
    }
    assert!(
        top["explanations"]["name_match"]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{top}"
    );
    // The three forms of the explanation agree, and the entity part is the entity as `/entities` gives it.
    let text = top["explanation_text"].as_str().expect("explanation_text");
    assert_eq!(
        top["explanations"]["name_match"]["detail"].as_str(),
        text.lines().next(),
        "{top}"
    );
    assert_eq!(
        top["explanations"]["name_match"]["candidate"], top["explanation"]["matched_name"],
        "{top}"
    );
    assert_eq!(
        top["explanations"]["name_match"]["score"], top["explanation"]["name_score"],
        "{top}"
    );
    assert_eq!(top["explanation"]["score"], top["score"], "{top}");
    // A match result is the entity as `/entities` gives it without nesting.
    let (status, entity) = s.get("/entities/un-kpe.047?nested=false", Some(&s.viewer));
    assert_eq!(status, 200);
    for (k, v) in entity.as_object().expect("entity object") {
        assert_eq!(&top[k], v, "result field {k} differs from /entities");
    }
    let matches = results.iter().filter(|r| r["match"] == true).count() as u64;
    assert_eq!(ftb["total"]["value"], matches, "{ftb}");
    assert!(ftb["total"]["value"].as_u64().unwrap_or(0) >= 1);
    assert_eq!(ftb["total"]["relation"], "eq");
    assert_eq!(v["responses"]["nobody"]["total"]["value"], 0);

    // The screening is in the audit log with inputs, list versions, regime version, results, caller.
    let seq = v["resolute"]["audit_seq"].as_i64().expect("audit seq");
    let (status, rec) = s.get(&format!("/audit/{seq}"), Some(&s.viewer));
    assert_eq!(status, 200);
    assert_eq!(rec["kind"], "screening.name");
    assert!(rec["actor"].as_str().is_some_and(|a| a.starts_with("key:")));
    let p = &rec["payload"];
    assert_eq!(p["screening_id"], v["resolute"]["screening_id"]);
    assert!(
        p["list_versions"].as_array().is_some_and(|l| l.len() == 2),
        "{p}"
    );
    assert!(
        p["regime_version"]
            .as_str()
            .is_some_and(|r| r.starts_with("dprk-regime#"))
    );
    assert_eq!(
        p["queries"]["ftb"]["query"]["properties"]["name"][0],
        "Foreign Trade Bank"
    );
    assert_eq!(p["queries"]["ftb"]["results"][0]["ref"], "KPe.047");
    // A match opened a case.
    assert!(
        v["resolute"]["cases"]
            .as_array()
            .is_some_and(|c| c.len() == 1),
        "{v}"
    );
}

#[test]
fn dataset_filters_sources() {
    let s = server();
    let (status, v) = s.post(
        "/match/us_ofac_sdn",
        Some(&s.screener),
        &one_query("Company", "Foreign Trade Bank"),
    );
    assert_eq!(status, 200);
    for r in v["responses"]["q1"]["results"].as_array().expect("results") {
        assert_eq!(r["datasets"][0], "us_ofac_sdn", "{r}");
    }
    let (status, v) = s.post(
        "/match/eu_fsf",
        Some(&s.screener),
        &one_query("Company", "x"),
    );
    assert_eq!((status, error_code(&v)), (404, "dataset_not_found"));
}

#[test]
fn bad_input_gets_json_errors_never_500() {
    let s = server();
    let k = Some(s.screener.as_str());
    // yente's endpoints answer malformed input as FastAPI does: 422 with the problems.
    let (status, v) = s.post_raw("/match/default", k, "application/json", b"{\"queries\": ");
    assert_eq!((status, error_code(&v)), (422, "validation_error"), "{v}");
    assert_eq!(v["detail"][0]["type"], "json_invalid");
    let (status, v) = s.post_raw("/match/default", k, "text/plain", b"{}");
    assert_eq!((status, error_code(&v)), (422, "validation_error"));
    let (status, v) = s.post("/match/default", k, &json!({"q": 1}));
    assert_eq!((status, error_code(&v)), (422, "validation_error"));
    assert_eq!(v["detail"][0]["loc"], json!(["body", "queries"]));
    let (status, v) = s.post("/match/default?threshold=2", k, &one_query("Person", "x"));
    assert_eq!((status, error_code(&v)), (422, "validation_error"));
    let (status, v) = s.post("/match/default?limit=abc", k, &one_query("Person", "x"));
    assert_eq!((status, error_code(&v)), (422, "validation_error"));
    assert_eq!(v["detail"][0]["loc"], json!(["query", "limit"]));
    let (status, v) = s.post(
        "/match/default?algorithm=magic",
        k,
        &one_query("Person", "x"),
    );
    assert_eq!((status, error_code(&v)), (400, "unknown_algorithm"));
    // Batch limit (20 in the test server).
    let many: serde_json::Map<String, Value> = (0..21)
        .map(|i| {
            (
                format!("q{i}"),
                json!({"schema": "Person", "properties": {"name": ["Kim"]}}),
            )
        })
        .collect();
    let (status, v) = s.post("/match/default", k, &json!({ "queries": many }));
    assert_eq!((status, error_code(&v)), (400, "batch_too_large"));
    // Body limit (64 KiB in the test server).
    let big = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["x".repeat(100_000)]}}}});
    let (status, v) = s.post("/match/default", k, &big);
    assert_eq!((status, error_code(&v)), (413, "payload_too_large"));
    // A query of an unknown schema fails the whole request, as in yente; a
    // query without a name (a refinement) is screened.
    let body = json!({"queries": {
        "good": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}},
        "bad": {"schema": "Spaceship", "properties": {"name": ["x"]}},
    }});
    let (status, v) = s.post("/match/default", k, &body);
    assert_eq!((status, error_code(&v)), (400, "invalid_query"), "{v}");
    assert_eq!(
        v["detail"],
        "Cannot parse example entity: Unknown schema: 'Spaceship'"
    );
    let body = json!({"queries": {
        "good": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}},
        "noname": {"schema": "Person", "properties": {"birthDate": ["1984"]}},
    }});
    let (status, v) = s.post("/match/default", k, &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["responses"]["good"]["status"], 200);
    assert_eq!(v["responses"]["noname"]["status"], 200);
    assert_eq!(v["responses"]["noname"]["results"], json!([]));
    // Unknown route and method are JSON too.
    let (status, v) = s.get("/nope", Some(&s.viewer));
    assert_eq!((status, error_code(&v)), (404, "not_found"));
    let (status, v) = s.get("/regime?at=2017-13-45", Some(&s.viewer));
    assert_eq!((status, error_code(&v)), (400, "invalid_parameter"));
    let (status, v) = s.post("/screen", k, &json!("coal"));
    assert_eq!((status, error_code(&v)), (400, "invalid_body"));
}

#[test]
fn coal_declaration_is_prohibited_citing_2371() {
    let s = server();
    let tx = json!({"id": "coal-1", "kind": "goods", "date": "2017-10-02", "hs_code": "2701.12", "origin": "KP", "from": "KP", "to": "CN",
        "quantity": 5000, "unit": "t", "parties": [{"role": "exporter", "name": "Korea Mining Development Trading Corporation"}]});
    let (status, v) = s.post("/screen", Some(&s.screener), &tx);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], "coal-1");
    assert_eq!(v["decision"], "prohibited", "{v}");
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["resolution"] == 2371), "{v}");
    let seq = v["resolute"]["audit_seq"].as_i64().expect("audit seq");
    let (_, rec) = s.get(&format!("/audit/{seq}"), Some(&s.viewer));
    assert_eq!(rec["kind"], "screening.transaction");
    assert_eq!(
        rec["payload"]["transactions"][0]["output"]["decision"],
        "prohibited"
    );

    // Batch form, with a bad line reported and the rest screened.
    let (status, v) = s.post(
        "/screen",
        Some(&s.screener),
        &json!({"transactions": [tx, {"id": "broken", "kind": "goods", "date": "not a date"}]}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "prohibited");
    assert_eq!(v["results"][1]["id"], "broken");
    assert!(v["results"][1]["error"].as_str().is_some(), "{v}");
}

#[test]
fn false_positive_suppresses_until_entry_changes() {
    let s = server();
    let q = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Mun Chong Chol"], "nationality": ["kp"]}}}});
    let (status, v) = s.post("/match/default", Some(&s.screener), &q);
    assert_eq!(status, 200, "{v}");
    let top = v["responses"]["q"]["results"][0].clone();
    assert_eq!(top["match"], true, "{v}");
    let case_id = v["resolute"]["cases"][0].as_i64().expect("case opened");
    let (status, c) = s.get(&format!("/cases/{case_id}"), Some(&s.viewer));
    assert_eq!(status, 200);
    assert_eq!(c["case"]["status"], "open");
    assert_eq!(c["case"]["entity_id"], top["id"]);

    // Closing needs a valid resolution and a note, and the screener role.
    let (status, _) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.viewer),
        &json!({"resolution": "false_positive", "note": "x"}),
    );
    assert_eq!(status, 403);
    let (status, e) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.screener),
        &json!({"resolution": "maybe", "note": "x"}),
    );
    assert_eq!((status, error_code(&e)), (400, "invalid_body"));
    let (status, closed) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.screener),
        &json!({"resolution": "false_positive", "note": "customer born 1990 in Seoul; different person"}),
    );
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["case"]["status"], "closed");
    assert!(closed["suppression"]["id"].as_i64().is_some());
    let (status, again) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.screener),
        &json!({"resolution": "true_match", "note": "x"}),
    );
    assert_eq!((status, error_code(&again)), (409, "conflict"));

    // Same query again: the hit is shown, marked suppressed, not a match, no new case.
    let (_, v2) = s.post("/match/default", Some(&s.screener), &q);
    let hit = v2["responses"]["q"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"] == top["id"])
        .cloned();
    let hit = hit.expect("suppressed hit still shown");
    assert_eq!(hit["suppressed"], true, "{hit}");
    assert_eq!(hit["match"], false);
    assert_eq!(hit["suppression"]["case_id"], case_id);
    assert!(
        v2["resolute"]["cases"]
            .as_array()
            .is_some_and(|c| c.iter().all(|id| id.as_i64() != Some(case_id)))
    );
    // Same name spelt with other case and spacing is the same query.
    let q3 = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["MUN  chong CHOL"], "nationality": ["KP"]}}}});
    let (_, v3) = s.post("/match/default", Some(&s.screener), &q3);
    let hit3 = v3["responses"]["q"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"] == top["id"])
        .cloned();
    assert_eq!(hit3.expect("hit")["suppressed"], true);

    let (_, sup) = s.get("/suppressions", Some(&s.viewer));
    assert!(
        sup["suppressions"]
            .as_array()
            .expect("list")
            .iter()
            .any(|x| x["case_id"] == case_id && x["status"] == "active")
    );
    // The closing is audited and the chain verifies.
    let (_, log) = s.get("/audit?kind=case.closed", Some(&s.viewer));
    assert!(
        log["records"]
            .as_array()
            .expect("records")
            .iter()
            .any(|r| r["payload"]["case_id"] == case_id)
    );
    let (_, verify) = s.get("/audit/verify", Some(&s.viewer));
    assert_eq!(verify["ok"], true, "{verify}");
}

#[test]
fn regime_catalog_algorithms_openapi_metrics() {
    let s = server();
    let (status, v) = s.get("/regime?at=2017-10-02", Some(&s.viewer));
    assert_eq!(status, 200, "{v}");
    let ids: Vec<&str> = v["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(ids.iter().any(|id| id.starts_with("dprk/2371/")), "{ids:?}");
    let (status, d) = s.get(
        "/regime/diff?from=2017-08-04&to=2017-08-06",
        Some(&s.viewer),
    );
    assert_eq!(status, 200);
    assert!(d["diff"].to_string().contains("2371"), "{d}");
    let (_, cat) = s.get("/catalog", Some(&s.viewer));
    let names: Vec<&str> = cat["datasets"]
        .as_array()
        .expect("datasets")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["default", "un_sc_sanctions", "us_ofac_sdn"]);
    let (_, alg) = s.get("/algorithms", Some(&s.viewer));
    assert_eq!(alg["best"], "resolute-v1");
    let (status, api) = s.get("/openapi.json", Some(&s.viewer));
    assert_eq!(status, 200);
    assert!(
        api["paths"]["/match/{dataset}"]["post"].is_object(),
        "{}",
        api["paths"]
    );
    assert!(
        api["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    let (_, e) = s.get("/entities/un-kpe.047", Some(&s.viewer));
    assert_eq!(e["ref"], "KPe.047");
    let (status, _) = s.get("/entities/un-nope", Some(&s.viewer));
    assert_eq!(status, 404);
    let (_, found) = s.get("/search/default?q=Foreign%20Trade%20Bank", Some(&s.viewer));
    assert!(
        found["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["ref"] == "KPe.047")
    );
    let (status, text) = s.get_text("/metrics", Some(&s.viewer));
    assert_eq!(status, 200);
    assert!(text.contains("# TYPE resolute_http_requests_total counter"));
    assert!(text.contains("resolute_list_entities "));
}

#[test]
fn list_upload_validates_diffs_and_swaps() {
    // Own server: this test changes the list in force.
    let s = TestServer::start();
    let (_, before) = s.get("/lists", Some(&s.viewer));
    let un_before = before["in_force"]
        .as_array()
        .expect("in force")
        .iter()
        .find(|v| v["source"] == "un")
        .cloned()
        .expect("un");

    // Corrupt file: rejected, nothing changes.
    let (un_name, un_bytes) = resolute_lists::bundled_bytes()[0];
    assert!(un_name.contains("un/"));
    let (status, v) = s.post_raw(
        "/lists?name=truncated.xml",
        Some(&s.admin),
        "application/xml",
        &un_bytes[..un_bytes.len() / 2],
    );
    assert_eq!((status, error_code(&v)), (400, "invalid_list"), "{v}");
    let (_, after_bad) = s.get("/lists", Some(&s.viewer));
    assert_eq!(after_bad["in_force"], before["in_force"]);
    let (_, still) = s.post(
        "/match/un_sc_sanctions",
        Some(&s.screener),
        &one_query("Company", "Foreign Trade Bank"),
    );
    assert_eq!(still["responses"]["q1"]["results"][0]["ref"], "KPe.047");

    // Clear a Foreign Trade Bank hit as a false positive before the new version.
    let q = one_query("Company", "Foreign Trade Bank");
    let (_, first) = s.post("/match/un_sc_sanctions", Some(&s.screener), &q);
    let case_id = first["resolute"]["cases"][0].as_i64().expect("case");
    let (status, _) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.screener),
        &json!({"resolution": "false_positive", "note": "other bank"}),
    );
    assert_eq!(status, 200);
    let (_, cleared) = s.post("/match/un_sc_sanctions", Some(&s.screener), &q);
    assert_eq!(cleared["responses"]["q1"]["results"][0]["suppressed"], true);

    // A new version of the real list: one entry's name edited, dated a day later.
    let text = std::str::from_utf8(un_bytes).expect("utf-8");
    let edited = text
        .replacen("FOREIGN TRADE BANK", "FOREIGN TRADE BANK OF THE DPRK", 1)
        .replacen(
            "dateGenerated=\"2026-02-27",
            "dateGenerated=\"2026-02-28",
            1,
        );
    assert_ne!(edited, text, "the fixture edit must apply");
    let (status, v) = s.post_raw(
        "/lists?name=consolidated-2026-02-28.xml",
        Some(&s.admin),
        "application/xml",
        edited.as_bytes(),
    );
    assert_eq!(status, 201, "{v}");
    let changed = v["diff"]["changed"].as_array().expect("changed");
    assert!(
        changed.iter().any(|c| c["ref"] == "KPe.047"),
        "{}",
        v["diff"]
    );
    assert_eq!(v["previous"], un_before["id"]);
    let (_, after) = s.get("/lists", Some(&s.viewer));
    let un_after = after["in_force"]
        .as_array()
        .expect("in force")
        .iter()
        .find(|v| v["source"] == "un")
        .cloned()
        .expect("un");
    assert_ne!(un_after["id"], un_before["id"]);
    let (_, d) = s.get(
        &format!(
            "/lists/diff?from={}&to={}",
            enc(un_before["id"].as_str().unwrap_or("")),
            enc(un_after["id"].as_str().unwrap_or(""))
        ),
        Some(&s.viewer),
    );
    assert!(
        d["diff"]["changed"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["ref"] == "KPe.047")),
        "{d}"
    );
    // The new version serves (cutoff 0.5: the renamed entry scores below the threshold).
    let (_, m) = s.post(
        "/match/un_sc_sanctions?cutoff=0.5",
        Some(&s.screener),
        &one_query("Company", "Foreign Trade Bank"),
    );
    let caption = m["responses"]["q1"]["results"][0]["caption"]
        .as_str()
        .unwrap_or("");
    assert!(caption.starts_with("FOREIGN TRADE BANK OF THE DPRK"), "{m}");
    // The entry changed, so the false-positive decision no longer holds: the hit is live again
    // (whether it is a match now depends on the new name's score alone).
    let top = &m["responses"]["q1"]["results"][0];
    assert_eq!(top["suppressed"], false, "{top}");
    assert_eq!(
        top["match"].as_bool(),
        top["score"].as_f64().map(|s| s >= 0.7),
        "{top}"
    );
    let (_, sup) = s.get("/suppressions", Some(&s.viewer));
    assert!(
        sup["suppressions"]
            .as_array()
            .expect("list")
            .iter()
            .any(|x| x["case_id"] == case_id && x["status"] == "lapsed_entry_changed"),
        "{sup}"
    );
    // Audited.
    let (_, log) = s.get("/audit?kind=list.loaded", Some(&s.viewer));
    assert!(
        log["records"]
            .as_array()
            .expect("records")
            .iter()
            .any(|r| r["payload"]["version"] == un_after["id"])
    );
}

fn enc(s: &str) -> String {
    s.replace('#', "%23").replace('@', "%40")
}

#[test]
fn impact_and_implementation_reporting() {
    let s = server();
    // 2371 newly cuts the published ~US$1.06bn (coal: what 2321's cap still allowed), with its chart.
    let (status, v) = s.get("/impact?at=2017-08-05&year=2016", Some(&s.viewer));
    assert_eq!(status, 200, "{v}");
    let r2371 = v["report"]["by_resolution"]
        .as_array()
        .expect("by_resolution")
        .iter()
        .find(|r| r["resolution"] == 2371)
        .cloned()
        .expect("2371");
    let cut = r2371["newly_cut_usd"].as_f64().expect("newly cut");
    assert!((cut - 1_059_870_018.0).abs() < 1.0, "{cut}");
    assert!(
        v["svg"]
            .as_str()
            .is_some_and(|svg| svg.starts_with("<svg") || svg.contains("<svg")),
        "no svg"
    );
    let (status, e) = s.get("/impact?at=2017-99-01", Some(&s.viewer));
    assert_eq!((status, error_code(&e)), (400, "invalid_parameter"));

    // A viewer may read reports but not record one; a screener records one and the status counts it.
    let report = serde_json::json!({"state": "JPN", "resolutions": [2371], "submitted": "2017-10-20", "symbol": "S/AC.49/2017/TEST-JPN"});
    let (status, _) = s.post("/reports", Some(&s.viewer), &report);
    assert_eq!(status, 403);
    let (status, added) = s.post("/reports", Some(&s.screener), &report);
    assert_eq!(status, 200, "{added}");
    let (status, bad) = s.post(
        "/reports",
        Some(&s.screener),
        &serde_json::json!({"state": "Atlantis", "resolutions": [2371], "submitted": "2017-10-20"}),
    );
    assert_eq!((status, error_code(&bad)), (400, "invalid_report"), "{bad}");
    let (status, st) = s.get(
        "/reports/status?resolution=2371&as_of=2018-01-01",
        Some(&s.viewer),
    );
    assert_eq!(status, 200, "{st}");
    let st = &st["status"][0];
    assert_eq!(st["members"], 193);
    assert!(st["reported"].as_u64().is_some_and(|n| n >= 1), "{st}");
    assert!(
        st["summary"].as_str().is_some_and(|t| t.contains("of 193")),
        "{st}"
    );
    let japan = st["states"]
        .as_array()
        .expect("states")
        .iter()
        .find(|x| x["state"] == "JPN")
        .cloned()
        .expect("JPN row");
    assert_eq!(japan["status"], "reported", "{japan}");
    let (_, listed) = s.get("/reports?resolution=2371", Some(&s.viewer));
    assert!(
        listed["reports"]
            .to_string()
            .contains("S/AC.49/2017/TEST-JPN"),
        "{listed}"
    );
}

// ---------------------------------------------------------------- cap ledgers

const PETROLEUM: &str = "dprk/2397/5/refined-petroleum";

fn petroleum(id: &str, date: &str, bbl: u32) -> Value {
    json!({"id": id, "kind": "goods", "date": date, "hs_code": "2710.19", "origin": "CN", "from": "CN", "to": "KP", "quantity": bbl, "unit": "bbl"})
}

fn cap_finding(v: &Value) -> Value {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == PETROLEUM)
        .cloned()
        .unwrap_or_else(|| panic!("no {PETROLEUM} finding: {v}"))
}

fn cap_row(caps: &Value, measure: &str) -> Value {
    caps["caps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["measure"] == measure)
        .cloned()
        .unwrap_or_else(|| panic!("no {measure} in {caps}"))
}

#[test]
fn cap_ledger_persists_across_requests_and_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = TestServer::start_in(dir.path());
        let (status, v) = s.post(
            "/screen",
            Some(&s.screener),
            &petroleum("pet-1", "2018-02-01", 300_000),
        );
        assert_eq!(
            (status, v["decision"].as_str()),
            (200, Some("review")),
            "{v}"
        );
        let draws = v["resolute"]["cap_draws"].as_array().expect("cap draws");
        assert!(
            draws.iter().any(|d| d["measure"] == PETROLEUM
                && d["amount"] == 300_000.0
                && d["period_start"] == "2018-01-01"),
            "{v}"
        );
        // A separate request draws on what the first one used.
        let (_, v) = s.post(
            "/screen",
            Some(&s.screener),
            &petroleum("pet-2", "2018-06-01", 150_000),
        );
        assert_eq!(v["decision"], "review", "{v}");
        let summary = cap_finding(&v)["summary"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            summary.contains("used 450,000 of 500,000 bbl, remaining 50,000"),
            "{summary}"
        );
        let (status, caps) = s.get("/caps?at=2018-07-01", Some(&s.viewer));
        assert_eq!(status, 200, "{caps}");
        let row = cap_row(&caps, PETROLEUM);
        assert_eq!(
            row["period"],
            json!({"start": "2018-01-01", "end": "2018-12-31"})
        );
        let bbl = &row["limits"][0];
        assert_eq!(
            (
                bbl["unit"].as_str(),
                bbl["limit"].as_f64(),
                bbl["used"].as_f64(),
                bbl["remaining"].as_f64(),
                bbl["draws"].as_i64()
            ),
            (
                Some("bbl"),
                Some(500_000.0),
                Some(450_000.0),
                Some(50_000.0),
                Some(2)
            ),
            "{row}"
        );
        let (status, e) = s.get("/caps?at=2018-02-30", Some(&s.viewer));
        assert_eq!((status, error_code(&e)), (400, "invalid_parameter"));
    }
    // Restart on the same data directory: the ledger is still there.
    let s = TestServer::start_in(dir.path());
    let (_, v) = s.post(
        "/screen",
        Some(&s.screener),
        &petroleum("pet-3", "2018-09-01", 100_000),
    );
    assert_eq!(v["decision"], "prohibited", "{v}");
    let f = cap_finding(&v);
    assert!(
        f["summary"]
            .as_str()
            .is_some_and(|t| t.contains("remaining 50,000")),
        "{f}"
    );
    assert!(
        v["resolute"]["cap_draws"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["measure"] != PETROLEUM)),
        "a refused supply draws nothing: {v}"
    );

    // Opening amounts: admin only, validated, audited, and they count.
    let opening = json!({"measure": PETROLEUM, "period_start": "2019-01-01", "unit": "bbl", "amount": 450_000, "note": "delivered before the ledger was kept (national customs records)"});
    assert_eq!(s.post("/caps/opening", Some(&s.viewer), &opening).0, 403);
    assert_eq!(s.post("/caps/opening", Some(&s.screener), &opening).0, 403);
    for (bad, why) in [
        (
            json!({"measure": PETROLEUM, "period_start": "2019-01-02", "unit": "bbl", "amount": 1, "note": "x"}),
            "not the first day",
        ),
        (
            json!({"measure": PETROLEUM, "period_start": "2019-01-01", "unit": "t", "amount": 1, "note": "x"}),
            "not counted in t",
        ),
        (
            json!({"measure": "dprk/2371/8/coal", "period_start": "2019-01-01", "unit": "bbl", "amount": 1, "note": "x"}),
            "not a quantity cap",
        ),
        (
            json!({"measure": PETROLEUM, "period_start": "2019-01-01", "unit": "bbl", "amount": -5, "note": "x"}),
            "non-negative",
        ),
        (
            json!({"measure": PETROLEUM, "period_start": "2019-01-01", "unit": "bbl", "amount": 5}),
            "note",
        ),
    ] {
        let (status, e) = s.post("/caps/opening", Some(&s.admin), &bad);
        assert_eq!(
            (status, error_code(&e)),
            (400, "invalid_body"),
            "{bad}: {e}"
        );
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(why)),
            "{why}: {e}"
        );
    }
    let (status, set) = s.post("/caps/opening", Some(&s.admin), &opening);
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        (set["balance"]["used"].as_f64(), set["remaining"].as_f64()),
        (Some(450_000.0), Some(50_000.0)),
        "{set}"
    );
    let (_, rec) = s.get(&format!("/audit/{}", set["audit_seq"]), Some(&s.viewer));
    assert_eq!(
        (rec["kind"].as_str(), rec["payload"]["opening"].as_f64()),
        (Some("cap.opening_set"), Some(450_000.0)),
        "{rec}"
    );
    let (_, v) = s.post(
        "/screen",
        Some(&s.screener),
        &petroleum("pet-4", "2019-01-05", 100_000),
    );
    assert_eq!(v["decision"], "prohibited", "{v}");
    let (_, v) = s.post(
        "/screen",
        Some(&s.screener),
        &petroleum("pet-5", "2019-02-01", 40_000),
    );
    assert_eq!(v["decision"], "review", "{v}");
    assert!(
        cap_finding(&v)["summary"]
            .as_str()
            .is_some_and(|t| t.contains("used 490,000")),
        "{v}"
    );
    let (_, caps) = s.get("/caps?at=2019-03-01", Some(&s.viewer));
    let bbl = cap_row(&caps, PETROLEUM)["limits"][0].clone();
    assert_eq!(
        (
            bbl["opening"].as_f64(),
            bbl["used"].as_f64(),
            bbl["draws"].as_i64()
        ),
        (Some(450_000.0), Some(490_000.0), Some(1)),
        "{bbl}"
    );

    // Concurrent requests never both spend the same remaining amount: eight
    // supplies of 100,000 bbl against a fresh 500,000 bbl period.
    let outcomes: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let s = &s;
                scope.spawn(move || {
                    s.post(
                        "/screen",
                        Some(&s.screener),
                        &petroleum(&format!("pet-c{i}"), "2020-03-01", 100_000),
                    )
                    .1["decision"]
                        .as_str()
                        .unwrap_or("?")
                        .to_string()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        outcomes.iter().filter(|d| *d == "review").count(),
        5,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|d| *d == "prohibited").count(),
        3,
        "{outcomes:?}"
    );
    let (_, caps) = s.get("/caps?at=2020-03-01", Some(&s.viewer));
    assert_eq!(
        cap_row(&caps, PETROLEUM)["limits"][0]["used"].as_f64(),
        Some(500_000.0),
        "{caps}"
    );
    let (_, verify) = s.get("/audit/verify", Some(&s.viewer));
    assert_eq!(verify["ok"], true, "{verify}");
    let (_, api) = s.get("/openapi.json", Some(&s.viewer));
    assert!(
        api["paths"]["/caps"]["get"].is_object()
            && api["paths"]["/caps/opening"]["post"].is_object()
    );
}

// ---------------------------------------------------------------- transaction suppressions

fn payment_to(name: &str) -> Value {
    json!({"id": "pay-1", "kind": "payment", "date": "2018-03-01", "parties": [
        {"role": "originator", "name": "Hamburger Maschinenbau GmbH", "country": "DE"},
        {"role": "beneficiary", "name": name}]})
}

fn has_freeze(v: &Value) -> bool {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["rule"] == "dprk/1718/8d/asset-freeze")
}

#[test]
fn transaction_false_positive_suppresses_until_entry_changes() {
    // Own server: it uploads a new list version.
    let s = TestServer::start();
    let party = "Korea Trading Bank";
    let (status, v) = s.post("/screen", Some(&s.screener), &payment_to(party));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "prohibited", "{v}");
    assert!(has_freeze(&v), "{v}");
    let un_match = v["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["ref"] == "KPe.047")
        .cloned()
        .expect("KPe.047 matched");
    assert_eq!(un_match["suppressed"], false);
    assert_eq!(
        un_match["party"],
        json!({"by": "name", "value": party, "country": null}),
        "{un_match}"
    );

    // Clear every hit on this party as a false positive, case by case (one case per screening, on the best open hit).
    let mut closed = Vec::new();
    let mut latest = v;
    for _ in 0..4 {
        let Some(case_id) = latest["resolute"]["cases"][0].as_i64() else {
            break;
        };
        let (_, c) = s.get(&format!("/cases/{case_id}"), Some(&s.viewer));
        // The case is keyed on the party as screened, not on the list entry's name.
        assert_eq!(c["case"]["query"]["properties"]["name"][0], party, "{c}");
        assert_eq!(c["case"]["kind"], "transaction");
        let (status, done) = s.post(
            &format!("/cases/{case_id}/close"),
            Some(&s.screener),
            &json!({"resolution": "false_positive", "note": "a Seoul bank, not the DPRK's"}),
        );
        assert_eq!(status, 200, "{done}");
        assert!(done["suppression"]["id"].as_i64().is_some(), "{done}");
        closed.push(case_id);
        latest = s.post("/screen", Some(&s.screener), &payment_to(party)).1;
    }
    assert!(!closed.is_empty());
    // Screened again: every hit is still shown, marked suppressed, and the decision no longer rests on them.
    let matches = latest["matches"].as_array().expect("matches");
    assert!(
        !matches.is_empty() && matches.iter().all(|m| m["suppressed"] == true),
        "{latest}"
    );
    let un = matches
        .iter()
        .find(|m| m["ref"] == "KPe.047")
        .expect("still shown");
    assert!(
        un["suppression"]["case_id"]
            .as_i64()
            .is_some_and(|id| closed.contains(&id)),
        "{un}"
    );
    assert_eq!(latest["decision"], "permitted", "{latest}");
    assert!(!has_freeze(&latest), "{latest}");
    assert!(
        latest["resolute"]["cases"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "no new case: {latest}"
    );
    let (_, rec) = s.get(
        &format!("/audit/{}", latest["resolute"]["audit_seq"]),
        Some(&s.viewer),
    );
    assert_eq!(
        rec["payload"]["transactions"][0]["output"]["matches"][0]["suppressed"], true,
        "{rec}"
    );

    // Another party that matches the same entry is not cleared.
    let (_, other) = s.post(
        "/screen",
        Some(&s.screener),
        &payment_to("Foreign Trade Bank"),
    );
    assert_eq!(other["decision"], "prohibited", "{other}");
    // Goods bans from the regime are unaffected by a cleared party.
    let coal = json!({"id": "coal-x", "kind": "goods", "date": "2018-03-01", "hs_code": "2701", "origin": "KP", "from": "KP", "to": "CN", "parties": [{"role": "importer", "name": party}]});
    let (_, coal) = s.post("/screen", Some(&s.screener), &coal);
    assert_eq!(coal["decision"], "prohibited", "{coal}");
    assert!(
        coal["matches"]
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["suppressed"] == true)),
        "{coal}"
    );

    // The UN entry changes in a new list version (its address): the decision on it lapses.
    let (_, un_bytes) = resolute_lists::bundled_bytes()[0];
    let text = std::str::from_utf8(un_bytes).expect("utf-8");
    let edited = text
        .replacen(
            "FTB Building, Jungsong-dong, Central District",
            "FTB Building, Jungsong-dong, Central District, Pyongyang",
            1,
        )
        .replacen(
            "dateGenerated=\"2026-02-27",
            "dateGenerated=\"2026-02-28",
            1,
        );
    assert_ne!(edited, text, "the fixture edit must apply");
    let (status, up) = s.post_raw(
        "/lists?name=consolidated-2026-02-28.xml",
        Some(&s.admin),
        "application/xml",
        edited.as_bytes(),
    );
    assert_eq!(status, 201, "{up}");
    let (_, after) = s.post("/screen", Some(&s.screener), &payment_to(party));
    let un = after["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["ref"] == "KPe.047")
        .cloned()
        .expect("matched");
    assert_eq!(un["suppressed"], false, "{after}");
    assert_eq!(after["decision"], "prohibited", "{after}");
    assert!(has_freeze(&after), "{after}");
}
