//! `GET /openapi.json` describes every answer: each operation's 2xx JSON body
//! has a schema, every 4xx/5xx references the error body, and every `$ref`
//! resolves. The exceptions are listed below.

mod support;

use serde_json::Value;
use support::TestServer;

/// 2xx answers that are not JSON: (method, path, status).
const NOT_JSON: [(&str, &str, &str); 2] = [
    // Prometheus text exposition format.
    ("get", "/metrics", "200"),
    // Not a 2xx, but listed by the catalog: no body at all.
    ("get", "/catalog", "304"),
];

/// 4xx/5xx answers whose body is not the error body: (method, path, status, schema).
const OWN_ERROR_BODY: [(&str, &str, &str, &str); 1] = [
    // yente's readiness answer, with `detail` saying why it is not ready.
    ("get", "/readyz", "503", "Readiness"),
];

const ERROR_REF: &str = "#/components/schemas/ErrorBody";

fn json_schema(response: &Value) -> Option<&Value> {
    response["content"]["application/json"]["schema"]
        .as_object()
        .map(|_| &response["content"]["application/json"]["schema"])
}

/// Every `$ref` in `v`, with where it was found.
fn refs<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref"
                    && let Some(r) = x.as_str()
                {
                    out.push((at.to_string(), r));
                }
                refs(x, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                refs(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_answer_has_a_schema() {
    let s = TestServer::start();
    let (status, api) = s.get("/openapi.json", Some(&s.viewer));
    assert_eq!(status, 200);
    let no_schemas = serde_json::Map::new();
    let schemas = api["components"]["schemas"]
        .as_object()
        .unwrap_or(&no_schemas);
    let mut problems = Vec::new();
    let error = &api["components"]["schemas"]["ErrorBody"];
    for field in ["error", "detail"] {
        if !error["properties"][field].is_object() {
            problems.push(format!("components.schemas.ErrorBody has no {field}"));
        }
    }
    let codes = &api["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["enum"];
    for code in ["not_found", "validation_error", "internal"] {
        if !codes
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x == code))
        {
            problems.push(format!("ErrorInfo.code does not list {code}: {codes}"));
        }
    }

    let mut operations = 0;
    for (path, ops) in api["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            operations += 1;
            let responses = op["responses"].as_object().expect("responses");
            // Any operation can fail inside (500); one that takes a key can refuse it (401).
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            for (code, needed) in [("500", true), ("401", secured)] {
                if needed && !responses.contains_key(code) {
                    problems.push(format!("{method} {path}: no {code} answer"));
                }
            }
            let mut success = 0;
            for (code, response) in responses {
                let where_ = format!("{method} {path} {code}");
                if code.starts_with('2') {
                    success += 1;
                }
                if NOT_JSON.contains(&(method.as_str(), path.as_str(), code.as_str())) {
                    continue;
                }
                let schema = json_schema(response);
                if code.starts_with('2') {
                    match schema {
                        Some(schema) if !schema.as_object().is_some_and(|o| o.is_empty()) => {}
                        _ => problems.push(format!("{where_}: no application/json schema")),
                    }
                } else if code.starts_with('4') || code.starts_with('5') {
                    let expected = OWN_ERROR_BODY
                        .iter()
                        .find(|e| {
                            (e.0, e.1, e.2) == (method.as_str(), path.as_str(), code.as_str())
                        })
                        .map(|e| format!("#/components/schemas/{}", e.3))
                        .unwrap_or_else(|| ERROR_REF.to_string());
                    let got = schema.and_then(|s| s["$ref"].as_str());
                    if got != Some(expected.as_str()) {
                        problems.push(format!("{where_}: schema {got:?}, expected {expected}"));
                    }
                }
            }
            if success == 0 {
                problems.push(format!("{method} {path}: no 2xx answer"));
            }
        }
    }
    // The 44 operations of src/openapi.rs.
    assert_eq!(operations, 44, "operations in the document");

    let mut all = Vec::new();
    refs(&api, "#", &mut all);
    for (at, r) in all {
        let resolves = r
            .strip_prefix("#/components/schemas/")
            .is_some_and(|name| schemas.contains_key(name));
        if !resolves {
            problems.push(format!("{at}: $ref {r} does not resolve"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
