//! A real Resolute server on loopback for the tests, and a small HTTP client.
#![allow(dead_code)]

pub mod webdriver;

use std::time::Duration;

use resolute_server::{AppState, ServerConfig};
use resolute_store::Role;
use serde_json::Value;

pub struct TestServer {
    pub base: String,
    pub admin: String,
    pub screener: String,
    pub viewer: String,
    pub state: AppState,
    pub runtime: tokio::runtime::Runtime,
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Open a store in a fresh directory, load the bundled lists and regime,
    /// create one key per role and serve on 127.0.0.1:<free port>.
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut server = TestServer::start_in(dir.path());
        server._dir = Some(dir);
        server
    }

    /// Serve from an existing data directory (to restart on the same store:
    /// drop the first server, then start again on the same path).
    pub fn start_in(data_dir: &std::path::Path) -> TestServer {
        TestServer::start_with(data_dir, |_| {})
    }

    /// [`TestServer::start_in`] with the test settings changed by `adjust`.
    pub fn start_with(
        data_dir: &std::path::Path,
        adjust: impl FnOnce(&mut ServerConfig),
    ) -> TestServer {
        let mut config =
            ServerConfig::new(data_dir.to_path_buf(), "127.0.0.1:0".parse().expect("addr"));
        config.max_batch = 20;
        config.max_body = 64 * 1024;
        config.max_upload = 8 << 20;
        adjust(&mut config);
        let state = AppState::open(config).expect("open state");
        let key = |role| {
            state
                .store
                .create_key(role, "test", "test")
                .expect("create key")
                .token
        };
        let (admin, screener, viewer) = (key(Role::Admin), key(Role::Screener), key(Role::Viewer));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let serve_state = state.clone();
        runtime.spawn(async move {
            if let Err(e) = resolute_server::serve_on(listener, serve_state).await {
                eprintln!("test server stopped: {e}");
            }
        });
        let server = TestServer {
            base: format!("http://{addr}"),
            admin,
            screener,
            viewer,
            state,
            runtime,
            _dir: None,
        };
        // Wait until it answers.
        for _ in 0..100 {
            if server.get("/healthz", None).0 == 200 {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = agent().get(self.url(path));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        read(req.call())
    }

    pub fn get_text(&self, path: &str, key: Option<&str>) -> (u16, String) {
        let mut req = agent().get(self.url(path));
        if let Some(k) = key {
            req = req.header("X-API-Key", k);
        }
        match req.call() {
            Ok(mut r) => (
                r.status().as_u16(),
                r.body_mut().read_to_string().unwrap_or_default(),
            ),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = agent().post(self.url(path));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        read(req.send_json(body))
    }

    pub fn post_raw(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> (u16, Value) {
        let mut req = agent()
            .post(self.url(path))
            .header("Content-Type", content_type);
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        read(req.send(body))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn read(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    match r {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let text = resp
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                .unwrap_or_default();
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            (status, value)
        }
        Err(e) => panic!("request failed: {e}"),
    }
}

/// Every header of a response, as (name, value) text pairs.
fn all_headers(resp: &ureq::http::Response<ureq::Body>) -> Vec<(String, String)> {
    resp.headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect()
}

impl TestServer {
    /// GET with an optional key: status, every header, the body (JSON or text).
    pub fn get_headers(
        &self,
        path: &str,
        key: Option<&str>,
    ) -> (u16, Vec<(String, String)>, Value) {
        let mut req = agent().get(self.url(path));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let resp = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let headers = all_headers(&resp);
        let (status, body) = read(Ok(resp));
        (status, headers, body)
    }

    /// POST JSON with an optional key: status, every header, the body.
    pub fn post_headers(
        &self,
        path: &str,
        key: Option<&str>,
        body: &Value,
    ) -> (u16, Vec<(String, String)>, Value) {
        let mut req = agent().post(self.url(path));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let resp = req
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let headers = all_headers(&resp);
        let (status, body) = read(Ok(resp));
        (status, headers, body)
    }
}

/// A yente `/match` body with one query.
pub fn one_query(schema: &str, name: &str) -> Value {
    serde_json::json!({"queries": {"q1": {"schema": schema, "properties": {"name": [name]}}}})
}

/// GET `path` without a key: status, the named response headers and the body text.
pub fn get_with_headers(
    server: &TestServer,
    path: &str,
    names: &[&str],
) -> (u16, Vec<Option<String>>, String) {
    match agent().get(server.url(path)).call() {
        Ok(mut r) => {
            let headers = names
                .iter()
                .map(|n| {
                    r.headers()
                        .get(*n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                })
                .collect();
            (
                r.status().as_u16(),
                headers,
                r.body_mut().read_to_string().unwrap_or_default(),
            )
        }
        Err(e) => panic!("GET {path}: {e}"),
    }
}
