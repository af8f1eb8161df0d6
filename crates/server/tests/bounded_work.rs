//! Issue 19 §1: the work one request may cause is bounded. Names over the
//! matcher's limits are refused before any work with `query_limit` naming
//! the limit; a request past its time budget stops with `timeout` and
//! records nothing; `/healthz` and `/readyz` answer while screeners load the
//! service (matching runs on the blocking pool, never on the async workers).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::TestServer;

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn query_with_names(names: Vec<String>) -> Value {
    json!({"queries": {"q1": {"schema": "Person", "properties": {"name": names}}}})
}

#[test]
fn names_over_a_limit_are_refused_naming_it() {
    let s = TestServer::start_configured(|c| c.max_body = 1 << 20);
    // One 64k-character word (took 2.9 s before the limits).
    let long = "K".repeat(64_000);
    let (status, v) = s.post(
        "/match/default",
        Some(&s.screener),
        &query_with_names(vec![long]),
    );
    assert_eq!((status, error_code(&v)), (400, "query_limit"), "{v}");
    let msg = v["error"]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("max_name_chars") && msg.contains("1000"),
        "{msg}"
    );
    assert!(
        v["detail"]
            .as_str()
            .is_some_and(|d| d.contains("max_name_chars")),
        "{v}"
    );

    let many: Vec<String> = (0..60).map(|i| format!("Kim Chol {i}")).collect();
    let (status, v) = s.post("/match/default", Some(&s.screener), &query_with_names(many));
    assert_eq!((status, error_code(&v)), (400, "query_limit"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("max_names"),
        "{v}"
    );

    let words = vec!["kim ".repeat(100)];
    let (status, v) = s.post(
        "/match/default",
        Some(&s.screener),
        &query_with_names(words),
    );
    assert_eq!((status, error_code(&v)), (400, "query_limit"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("max_tokens_per_name"),
        "{v}"
    );
    // Within the limits: screened.
    let (status, v) = s.post(
        "/match/default",
        Some(&s.screener),
        &query_with_names(vec!["Kim Jong Un".into()]),
    );
    assert_eq!(status, 200, "{v}");
}

#[test]
fn a_request_past_its_budget_stops_and_records_nothing() {
    let s = TestServer::start_configured(|c| c.match_budget = Duration::from_micros(1));
    let (_, before) = s.get("/audit?limit=1", Some(&s.admin));
    let queries: serde_json::Map<String, Value> = (0..20)
        .map(|i| {
            (
                format!("q{i}"),
                json!({"schema": "Company", "properties": {"name": [format!("Korea Trading Corporation {i}")]}}),
            )
        })
        .collect();
    let (status, v) = s.post(
        "/match/default",
        Some(&s.screener),
        &json!({"queries": queries}),
    );
    assert_eq!((status, error_code(&v)), (503, "timeout"), "{v}");
    let (_, after) = s.get("/audit?limit=1", Some(&s.admin));
    assert_eq!(after, before, "nothing recorded");
}

#[test]
fn health_answers_while_screeners_load_the_service() {
    let s = Arc::new(TestServer::start_configured(|c| c.max_batch = 50));
    let stop = Arc::new(AtomicBool::new(false));
    // Batches of long (within the limits) names and /search pages, four
    // clients at once: more matching work than the two cores can do.
    let loaders: Vec<_> = (0..4)
        .map(|i| {
            let (s, stop) = (s.clone(), stop.clone());
            std::thread::spawn(move || {
                let name = "Korea Ryonbong General Corporation Trading ".repeat(20);
                let queries: serde_json::Map<String, Value> = (0..50)
                    .map(|q| {
                        (
                            format!("q{q}"),
                            json!({"schema": "Company", "properties": {"name": [format!("{name}{q}")]}}),
                        )
                    })
                    .collect();
                let body = json!({"queries": queries});
                while !stop.load(Ordering::Relaxed) {
                    if i % 2 == 0 {
                        s.post("/match/default", Some(&s.screener), &body);
                    } else {
                        s.get("/search/default?q=korea%20trading&limit=100", Some(&s.viewer));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut health = Vec::new();
    let mut ready = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(s.get("/healthz", None).0, 200);
        health.push(t.elapsed());
        let t = Instant::now();
        let (status, body) = s.get("/readyz", None);
        assert_eq!(status, 200, "{body}");
        ready.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for l in loaders {
        l.join().expect("loader");
    }
    health.sort();
    ready.sort();
    eprintln!(
        "under load: /healthz median {:?} p95 {:?} max {:?}; /readyz median {:?} p95 {:?} max {:?}",
        health[10], health[18], health[19], ready[10], ready[18], ready[19]
    );
    // 19 of 20 within 100 ms (the bound), none past a second.
    assert!(health[18] < Duration::from_millis(100), "{health:?}");
    assert!(ready[18] < Duration::from_millis(100), "{ready:?}");
    assert!(health[19] < Duration::from_secs(1) && ready[19] < Duration::from_secs(1));
}
