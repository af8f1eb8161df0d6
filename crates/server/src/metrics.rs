//! Prometheus text metrics, kept with atomics and one small map (no exporter crate).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    pub screenings_name: AtomicU64,
    pub screenings_transaction: AtomicU64,
    pub queries: AtomicU64,
    pub audit_records: AtomicU64,
    pub cases_opened: AtomicU64,
    pub suppressed_hits: AtomicU64,
    pub list_uploads_rejected: AtomicU64,
    /// Amounts drawn against quantity caps (committed).
    pub cap_draws: AtomicU64,
    /// Screenings redone because the cap ledger moved under them.
    pub cap_retries: AtomicU64,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let s = routes
            .entry((method.to_string(), route.to_string()))
            .or_default();
        *s.by_status.entry(status).or_default() += 1;
        s.count += 1;
        s.sum_seconds += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn inc(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn render(&self, entities: usize, open_cases: Option<i64>) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, v: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
            ));
        };
        counter(
            &mut out,
            "resolute_screenings_name_total",
            "Name screening requests answered.",
            self.screenings_name.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_screenings_transaction_total",
            "Transactions screened.",
            self.screenings_transaction.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_match_queries_total",
            "Name queries screened (a batch counts each).",
            self.queries.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_audit_records_total",
            "Audit records committed by this process.",
            self.audit_records.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_cases_opened_total",
            "Review cases opened.",
            self.cases_opened.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_suppressed_hits_total",
            "Hits shown as suppressed.",
            self.suppressed_hits.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_list_uploads_rejected_total",
            "List uploads rejected as invalid.",
            self.list_uploads_rejected.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_cap_draws_total",
            "Draws against quantity caps committed.",
            self.cap_draws.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "resolute_cap_retries_total",
            "Screenings redone because the cap ledger changed under them.",
            self.cap_retries.load(Ordering::Relaxed),
        );
        out.push_str(&format!("# HELP resolute_list_entities Entities in the lists in force.\n# TYPE resolute_list_entities gauge\nresolute_list_entities {entities}\n"));
        if let Some(n) = open_cases {
            out.push_str(&format!("# HELP resolute_cases_open Open review cases.\n# TYPE resolute_cases_open gauge\nresolute_cases_open {n}\n"));
        }
        let Ok(routes) = self.routes.lock() else {
            return out;
        };
        out.push_str("# HELP resolute_http_requests_total HTTP requests by route and status.\n# TYPE resolute_http_requests_total counter\n");
        for ((method, route), s) in routes.iter() {
            for (status, n) in &s.by_status {
                out.push_str(&format!("resolute_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"));
            }
        }
        out.push_str("# HELP resolute_http_request_duration_seconds Request latency.\n# TYPE resolute_http_request_duration_seconds histogram\n");
        for ((method, route), s) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "resolute_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "resolute_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "resolute_http_request_duration_seconds_sum{{{labels}}} {}\n",
                s.sum_seconds
            ));
            out.push_str(&format!(
                "resolute_http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        out
    }
}

/// Middleware: time and count every request by its route template.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}
