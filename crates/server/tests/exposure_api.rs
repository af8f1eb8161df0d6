//! Exposure over HTTP against a real server on loopback (issue 13's "done
//! when"): an analyst's edge (POST /graph/edges), then a payment to the
//! unlisted company owned 60 % by the Foreign Trade Bank (POST /screen) is
//! prohibited on 2017-08-06 and not on 2017-08-04, with the path in the
//! finding; the exposure and the neighbourhood endpoints; a false-positive
//! decision on the exposure.

mod support;

use serde_json::{Value, json};
use support::TestServer;

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn payment(date: &str) -> Value {
    json!({"id": format!("pay-{date}"), "kind": "payment", "date": date, "value_usd": 250000,
        "parties": [
            {"role": "payer", "name": "Hamburger Maschinenbau GmbH", "country": "DE"},
            {"role": "payee", "name": "Acme Trading Co", "country": "CN"}]})
}

fn freeze(v: &Value) -> Option<&Value> {
    v["findings"]
        .as_array()?
        .iter()
        .find(|f| f["rule"] == "dprk/1718/8d/asset-freeze")
}

#[test]
fn edges_then_screening_exposure_and_graph() {
    let s = TestServer::start();
    let ftb_60 = json!({"file": "ftb-60.json", "edges": [
        {"from": "un:KPe.047", "to": "acme-trading", "to_name": "Acme Trading Co",
         "kind": "ownership", "share": "60", "start": "2016-01-01", "source": "test scenario (issue 13)"}]});

    // Admin only.
    let (status, v) = s.post("/graph/edges", Some(&s.screener), &ftb_60);
    assert_eq!((status, error_code(&v)), (403, "forbidden"), "{v}");

    // All or nothing: one bad row refuses the whole import, each problem named.
    let bad = json!({"file": "bad.json", "edges": [
        {"from": "un:KPe.047", "to": "acme-trading", "to_name": "Acme Trading Co", "kind": "ownership", "share": "60"},
        {"from": "un:KPe.047", "to": "other", "to_name": "Other Co", "kind": "owns"},
        {"from": "nobody-declared", "to": "acme-trading", "kind": "control"},
        {"from": "un:KPe.047", "to": "third", "to_name": "Third Co", "kind": "ownership", "share": "130"}]});
    let (status, v) = s.post("/graph/edges", Some(&s.admin), &bad);
    assert_eq!((status, error_code(&v)), (400, "invalid_edges"), "{v}");
    let problems = v["problems"].as_array().expect("problems");
    let at = |loc: &str, words: &str| {
        problems.iter().any(|p| {
            p["location"] == loc && p["message"].as_str().is_some_and(|m| m.contains(words))
        })
    };
    assert!(at("item 2", "unknown kind"), "{v}");
    assert!(at("item 3", "nobody-declared"), "{v}");
    assert!(at("item 4", "130"), "{v}");
    let (status, v) = s.get("/exposure/acme-trading?at=2017-08-06", Some(&s.viewer));
    assert_eq!(
        (status, error_code(&v)),
        (404, "not_found"),
        "nothing imported: {v}"
    );

    // The good import: one audit record.
    let (status, done) = s.post("/graph/edges", Some(&s.admin), &ftb_60);
    assert_eq!(status, 201, "{done}");
    assert_eq!(
        (done["parties"].as_u64(), done["relations"].as_u64()),
        (Some(1), Some(1))
    );
    let seq = done["audit_seq"].as_i64().expect("audit_seq");
    let (_, audit) = s.get(&format!("/audit/{seq}"), Some(&s.viewer));
    assert_eq!(audit["kind"], "graph.import", "{audit}");
    assert_eq!(
        audit["payload"]["relations"][0]["share_min"], 60.0,
        "{audit}"
    );

    // The payment on the day after FTB's UN listing (2017-08-05): prohibited, with the path.
    let (status, v) = s.post("/screen", Some(&s.screener), &payment("2017-08-06"));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "prohibited", "{v}");
    let f = freeze(&v).expect("asset-freeze finding");
    assert_eq!(
        (f["resolution"].as_u64(), f["paragraph"].as_str()),
        (Some(1718), Some("8(d)"))
    );
    assert_eq!(f["entity"], "analyst:acme-trading");
    let summary = f["summary"].as_str().expect("summary");
    assert!(
        summary.contains(
            "FOREIGN TRADE BANK (FTB) (un KPe.047, listed 2017-08-05) owns 60 % of Acme Trading Co"
        ),
        "{summary}"
    );
    let exposure_match = v["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["exposure"]["rule"] == "un")
        .cloned()
        .expect("exposure match");
    assert_eq!(exposure_match["ref"], "KPe.047");
    assert_eq!(exposure_match["party"]["value"], "Acme Trading Co");
    // The day before: not prohibited (OFAC's undated designation is left for review).
    let (_, before) = s.post("/screen", Some(&s.screener), &payment("2017-08-04"));
    assert_ne!(before["decision"], "prohibited", "{before}");
    assert!(freeze(&before).is_none(), "{before}");

    // GET /exposure: by key, by name; rules; bad input.
    let (status, e) = s.get(
        "/exposure/analyst:acme-trading?at=2017-08-06&rule=un",
        Some(&s.viewer),
    );
    assert_eq!(status, 200, "{e}");
    assert_eq!(
        (e["status"].as_str(), e["stake_percent"].as_f64()),
        (Some("proven"), Some(60.0))
    );
    assert_eq!(e["paths"][0]["root"]["id"], "un-kpe.047");
    assert_eq!(
        e["paths"][0]["steps"][0]["relation"]
            .as_str()
            .map(|r| r.starts_with("rel-")),
        Some(true)
    );
    let (_, e) = s.get(
        "/exposure/Acme%20Trading%20Co?at=2017-08-04&rule=eu",
        Some(&s.viewer),
    );
    assert_eq!(e["status"], "none", "{e}");
    let (status, e) = s.get(
        "/exposure/acme-trading?at=2017-08-06&rule=mars",
        Some(&s.viewer),
    );
    assert_eq!((status, error_code(&e)), (400, "invalid_parameter"), "{e}");
    let (status, e) = s.get("/exposure/acme-trading?at=2017-13-01", Some(&s.viewer));
    assert_eq!(status, 400, "{e}");

    // GET /graph: FtM-shaped neighbourhood of FTB with the new ownership.
    let (status, g) = s.get("/graph/KPe.047?depth=1&at=2017-08-06", Some(&s.viewer));
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["center"], "un-kpe.047");
    let ownership = g["relations"]
        .as_array()
        .expect("relations")
        .iter()
        .find(|r| {
            r["schema"] == "Ownership" && r["properties"]["asset"][0] == "analyst:acme-trading"
        })
        .cloned()
        .expect("the imported ownership");
    assert_eq!(ownership["properties"]["percentage"][0], "60");
    assert_eq!(ownership["properties"]["owner"][0], "un-kpe.047");
    let (status, g) = s.get("/graph/KPe.047?depth=9", Some(&s.viewer));
    assert_eq!((status, error_code(&g)), (400, "invalid_parameter"), "{g}");
    let (status, _) = s.get("/graph/no-such-party-anywhere", Some(&s.viewer));
    assert_eq!(status, 404);

    // The case the prohibited payment opened is keyed (party as screened, root entry):
    // closing it as a false positive clears the UN exposure for this party.
    let (_, v) = s.post("/screen", Some(&s.screener), &payment("2017-08-06"));
    let case_id = v["resolute"]["cases"][0].as_i64().expect("case");
    let (_, c) = s.get(&format!("/cases/{case_id}"), Some(&s.viewer));
    assert_eq!(
        c["case"]["query"]["properties"]["name"][0], "Acme Trading Co",
        "{c}"
    );
    let entity = c["case"]["entity_id"].as_str().expect("entity").to_string();
    let (status, done) = s.post(
        &format!("/cases/{case_id}/close"),
        Some(&s.screener),
        &json!({"resolution": "false_positive", "note": "another Acme, not FTB's subsidiary"}),
    );
    assert_eq!(status, 200, "{done}");
    let (_, after) = s.post("/screen", Some(&s.screener), &payment("2017-08-06"));
    let cleared = after["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["exposure"]["root_entity_id"] == entity.as_str())
        .cloned()
        .expect("still shown");
    assert_eq!(cleared["suppressed"], true, "{after}");
}
