//! Snapshots of the error bodies clients see, one per error code a request
//! can provoke: `{"error": {"code", "message"}, "detail"}` (yente's `detail`
//! beside Resolute's code). A change to any wording or shape shows up here.

mod support;

use serde_json::{Value, json};
use support::{TestServer, one_query};

#[test]
fn error_bodies() {
    let s = TestServer::start();
    let long_name = "K".repeat(2_000);
    let cases: Vec<(&str, (u16, Value))> = vec![
        ("unauthorized", s.get("/cases", None)),
        (
            "forbidden",
            s.post(
                "/lists/pending/x/confirm",
                Some(&s.viewer),
                &json!({"note": "x"}),
            ),
        ),
        (
            "no_such_endpoint",
            s.get("/no-such-endpoint", Some(&s.viewer)),
        ),
        (
            "dataset_not_found",
            s.post(
                "/match/nope",
                Some(&s.screener),
                &one_query("Person", "Kim"),
            ),
        ),
        (
            "entity_not_found",
            s.get("/entities/no-such-entity", Some(&s.viewer)),
        ),
        ("case_not_found", s.get("/cases/999999", Some(&s.viewer))),
        (
            "invalid_json",
            s.post_raw(
                "/match/default",
                Some(&s.screener),
                "application/json",
                b"{\"queries\": ",
            ),
        ),
        (
            "query_without_schema",
            s.post(
                "/match/default",
                Some(&s.screener),
                &json!({"queries": {"q1": {"properties": {"name": ["Kim"]}}}}),
            ),
        ),
        (
            "query_limit",
            s.post(
                "/match/default",
                Some(&s.screener),
                &one_query("Person", &long_name),
            ),
        ),
        (
            "invalid_list",
            s.post_raw(
                "/lists?name=x.xml",
                Some(&s.admin),
                "application/xml",
                b"<not-a-list/>",
            ),
        ),
        (
            "note_required",
            s.post(
                "/lists/pending/x/confirm",
                Some(&s.admin),
                &json!({"note": " "}),
            ),
        ),
        (
            "unknown_hs_code",
            s.post(
                "/screen",
                Some(&s.screener),
                &json!({"transactions": [{"id": "t1", "kind": "goods", "date": "2018-01-10",
                    "hs_code": "9999.99", "origin": "KP", "from": "KP", "to": "CN"}]}),
            ),
        ),
    ];
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
    for (name, (status, body)) in cases {
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
