//! Snapshots of the error bodies clients see: one per error code a request
//! can provoke, and at least one per operation of `GET /openapi.json`:
//! `{"error": {"code", "message"}, "detail"}` (yente's `detail` beside
//! Resolute's code). A change to any wording or shape shows up here.

mod support;

use serde_json::{Value, json};
use support::{TestServer, one_query};

#[test]
fn error_bodies() {
    let s = TestServer::start();
    let long_name = "K".repeat(2_000);
    let note = json!({"note": "x"});
    // (snapshot name, the operation of /openapi.json it exercises, status and body)
    let cases: Vec<(&str, &str, (u16, Value))> = vec![
        ("unauthorized", "get /cases", s.get("/cases", None)),
        (
            "forbidden",
            "post /lists/pending/{id}/confirm",
            s.post("/lists/pending/x/confirm", Some(&s.viewer), &note),
        ),
        (
            "no_such_endpoint",
            "",
            s.get("/no-such-endpoint", Some(&s.viewer)),
        ),
        (
            "dataset_not_found",
            "post /match/{dataset}",
            s.post(
                "/match/nope",
                Some(&s.screener),
                &one_query("Person", "Kim"),
            ),
        ),
        (
            "entity_not_found",
            "get /entities/{id}",
            s.get("/entities/no-such-entity", Some(&s.viewer)),
        ),
        (
            "case_not_found",
            "get /cases/{id}",
            s.get("/cases/999999", Some(&s.viewer)),
        ),
        (
            "invalid_json",
            "post /match/{dataset}",
            s.post_raw(
                "/match/default",
                Some(&s.screener),
                "application/json",
                b"{\"queries\": ",
            ),
        ),
        (
            "query_without_schema",
            "post /match/{dataset}",
            s.post(
                "/match/default",
                Some(&s.screener),
                &json!({"queries": {"q1": {"properties": {"name": ["Kim"]}}}}),
            ),
        ),
        (
            "query_limit",
            "post /match/{dataset}",
            s.post(
                "/match/default",
                Some(&s.screener),
                &one_query("Person", &long_name),
            ),
        ),
        (
            "invalid_list",
            "post /lists",
            s.post_raw(
                "/lists?name=x.xml",
                Some(&s.admin),
                "application/xml",
                b"<not-a-list/>",
            ),
        ),
        (
            "note_required",
            "post /lists/pending/{id}/confirm",
            s.post(
                "/lists/pending/x/confirm",
                Some(&s.admin),
                &json!({"note": " "}),
            ),
        ),
        (
            "unknown_hs_code",
            "post /screen",
            s.post(
                "/screen",
                Some(&s.screener),
                &json!({"transactions": [{"id": "t1", "kind": "goods", "date": "2018-01-10",
                    "hs_code": "9999.99", "origin": "KP", "from": "KP", "to": "CN"}]}),
            ),
        ),
        // ---- at least one per operation
        (
            "search_limit_not_a_number",
            "get /search/{dataset}",
            s.get("/search/default?q=Kim&limit=many", Some(&s.viewer)),
        ),
        (
            "adjacent_entity_not_found",
            "get /entities/{id}/adjacent",
            s.get("/entities/no-such-entity/adjacent", Some(&s.viewer)),
        ),
        (
            "adjacent_no_such_property",
            "get /entities/{id}/adjacent/{property}",
            s.get("/entities/un-kpe.047/adjacent/nope", Some(&s.viewer)),
        ),
        (
            "catalog_method_not_allowed",
            "get /catalog",
            s.post("/catalog", Some(&s.viewer), &json!({})),
        ),
        (
            "algorithms_method_not_allowed",
            "get /algorithms",
            s.post("/algorithms", Some(&s.viewer), &json!({})),
        ),
        (
            "reconcile_dataset_not_found",
            "get /reconcile/{dataset}",
            s.get("/reconcile/nope", Some(&s.viewer)),
        ),
        (
            "reconcile_query_not_a_string",
            "post /reconcile/{dataset}",
            s.post_raw(
                "/reconcile/default",
                Some(&s.screener),
                "application/x-www-form-urlencoded",
                b"queries=%7B%22q0%22%3A%7B%22query%22%3A5%7D%7D",
            ),
        ),
        (
            "screen_nothing",
            "post /screen",
            s.post("/screen", Some(&s.screener), &json!([])),
        ),
        (
            "caps_bad_date",
            "get /caps",
            s.get("/caps?at=2017-13-01", Some(&s.viewer)),
        ),
        (
            "caps_opening_missing_fields",
            "post /caps/opening",
            s.post("/caps/opening", Some(&s.admin), &json!({"unit": "bbl"})),
        ),
        (
            "healthz_method_not_allowed",
            "get /healthz",
            s.post("/healthz", None, &json!({})),
        ),
        (
            "readyz_method_not_allowed",
            "get /readyz",
            s.post("/readyz", None, &json!({})),
        ),
        (
            "metrics_unauthorized",
            "get /metrics",
            s.get("/metrics", None),
        ),
        (
            "regime_date_required",
            "get /regime",
            s.get("/regime", Some(&s.viewer)),
        ),
        (
            "regime_diff_to_required",
            "get /regime/diff",
            s.get("/regime/diff?from=2017-08-04", Some(&s.viewer)),
        ),
        (
            "lists_unknown_key",
            "get /lists",
            s.get("/lists", Some("rsk_unknown_key")),
        ),
        (
            "lists_diff_version_not_found",
            "get /lists/diff",
            s.get("/lists/diff?from=a&to=b", Some(&s.viewer)),
        ),
        (
            "pending_lists_method_not_allowed",
            "get /lists/pending",
            s.post("/lists/pending", Some(&s.admin), &note),
        ),
        (
            "reject_list_not_found",
            "post /lists/pending/{id}/reject",
            s.post("/lists/pending/nope/reject", Some(&s.admin), &note),
        ),
        (
            "cases_bad_status",
            "get /cases",
            s.get("/cases?status=pending", Some(&s.viewer)),
        ),
        (
            "close_case_bad_resolution",
            "post /cases/{id}/close",
            s.post(
                "/cases/999999/close",
                Some(&s.screener),
                &json!({"resolution": "maybe", "note": "x"}),
            ),
        ),
        (
            "suppressions_method_not_allowed",
            "get /suppressions",
            s.post("/suppressions", Some(&s.screener), &json!({})),
        ),
        (
            "audit_limit_not_a_number",
            "get /audit",
            s.get("/audit?limit=all", Some(&s.viewer)),
        ),
        (
            "audit_record_not_found",
            "get /audit/{seq}",
            s.get("/audit/999999", Some(&s.viewer)),
        ),
        (
            "audit_verify_unauthorized",
            "get /audit/verify",
            s.get("/audit/verify", None),
        ),
        (
            "audit_checkpoints_forbidden",
            "get /audit/checkpoints",
            s.get("/audit/checkpoints", Some(&s.viewer)),
        ),
        (
            "keys_forbidden",
            "get /keys",
            s.get("/keys", Some(&s.screener)),
        ),
        (
            "create_key_bad_role",
            "post /keys",
            s.post("/keys", Some(&s.admin), &json!({"role": "owner"})),
        ),
        (
            "impact_resolution_not_in_regime",
            "get /impact",
            s.get("/impact?resolution=1", Some(&s.viewer)),
        ),
        (
            "reports_resolution_not_a_number",
            "get /reports",
            s.get("/reports?resolution=latest", Some(&s.viewer)),
        ),
        (
            "reports_status_bad_date",
            "get /reports/status",
            s.get("/reports/status?as_of=yesterday", Some(&s.viewer)),
        ),
        (
            "add_report_missing_fields",
            "post /reports",
            s.post("/reports", Some(&s.screener), &json!({"state": "DEU"})),
        ),
        (
            "exposure_not_found",
            "get /exposure/{id}",
            s.get("/exposure/no-such-party", Some(&s.viewer)),
        ),
        (
            "graph_not_found",
            "get /graph/{id}",
            s.get("/graph/no-such-party", Some(&s.viewer)),
        ),
        (
            "edges_refused",
            "post /graph/edges",
            s.post(
                "/graph/edges",
                Some(&s.admin),
                &json!([{"from": "analyst:a", "to": "analyst:b", "kind": "friendship"}]),
            ),
        ),
        (
            "ais_empty_body",
            "post /ais",
            s.post_raw("/ais?name=x.nmea", Some(&s.admin), "text/plain", b""),
        ),
        (
            "vessel_bad_key",
            "get /vessels/{key}",
            s.get("/vessels/abc", Some(&s.viewer)),
        ),
        (
            "vessel_events_bad_key",
            "get /vessels/{key}/events",
            s.get("/vessels/12/events", Some(&s.viewer)),
        ),
        (
            "vessel_map_not_found",
            "get /vessels/{key}/map",
            s.get("/vessels/9074729/map", Some(&s.viewer)),
        ),
    ];
    // Every operation of the OpenAPI document has a snapshot here.
    let (_, api) = s.get("/openapi.json", Some(&s.viewer));
    let mut missing = Vec::new();
    for (path, ops) in api["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            let op = format!("{method} {path}");
            if !cases.iter().any(|c| c.1 == op) {
                missing.push(op);
            }
        }
    }
    assert!(missing.is_empty(), "no error snapshot for {missing:?}");
    // Key ids are random: name them by role.
    let key_id = |token: &str| token.split('_').nth(1).unwrap_or("").to_string();
    let stable = |body: &Value| -> Value {
        let text = body
            .to_string()
            .replace(&key_id(&s.viewer), "<viewer key>")
            .replace(&key_id(&s.screener), "<screener key>")
            .replace(&key_id(&s.admin), "<admin key>");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    for (name, _, (status, body)) in cases {
        // A batch answers 200 with an error per bad item (the rest goes on):
        // the item's error is what a client reads.
        let body = if body.get("results").is_some() {
            body["results"].clone()
        } else {
            stable(&body)
        };
        insta::assert_json_snapshot!(name, json!({"status": status, "body": body}));
    }
}
