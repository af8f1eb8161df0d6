//! HTTP hygiene (#19 section 5) on a real server on loopback: slow and idle
//! connections are closed, the connection cap holds, every answer carries the
//! security headers, path parameters get JSON errors, key creation is not cached.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;
use support::TestServer;

fn short_timeouts(dir: &std::path::Path) -> TestServer {
    TestServer::start_with(dir, |c| {
        c.limits.header_timeout = Duration::from_secs(1);
        c.limits.max_connections = 8;
    })
}

fn connect(server: &TestServer) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

/// Seconds until the server closes `s` (reads until EOF or reset).
fn closed_after(mut s: TcpStream) -> f64 {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return start.elapsed().as_secs_f64(),
            Ok(_) => {}
        }
    }
}

#[test]
fn slow_headers_and_idle_connections_are_closed_and_the_cap_holds() {
    let dir = tempfile::tempdir().unwrap();
    let server = short_timeouts(dir.path());

    // Slowloris: a request line and one header, then nothing.
    let mut slow = connect(&server);
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let t = closed_after(slow);
    assert!(t < 5.0, "slow client held for {t:.1} s");

    // Idle after a complete request on a kept-alive connection.
    let mut idle = connect(&server);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let t = closed_after(idle);
    assert!(t < 5.0, "idle connection held for {t:.1} s");

    // The cap: 8 open connections; the ninth is closed at once, and once
    // they go the service answers again.
    let held: Vec<TcpStream> = (0..8).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut ninth = connect(&server);
    let _ = ninth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = [0u8; 64];
    let got = ninth.read(&mut buf).unwrap_or(0);
    assert_eq!(got, 0, "a connection over the cap was served");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.get("/healthz", None).0, 200);
}

#[test]
fn answers_carry_security_headers_and_json_errors() {
    let server = TestServer::start();
    for (path, key) in [
        ("/healthz", None),
        ("/", None),
        ("/cases/abc", Some(server.viewer.as_str())),
        ("/nope", None),
    ] {
        let (status, headers, _) = server.get_headers(path, key);
        assert!(status > 0, "{path}");
        let h = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'")
                && !h("content-security-policy").contains("unsafe-inline"),
            "{path}: {headers:?}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
    }
    // A bad path parameter is a JSON error naming it, not axum's plain text.
    let (status, body) = server.get("/cases/abc", Some(&server.viewer));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_parameter", "{body}");
    assert!(
        body["detail"].as_str().unwrap_or("").contains("path"),
        "{body}"
    );
    // A new key is in the answer once and must not be cached.
    let (status, headers, body) = server.post_headers(
        "/keys",
        Some(&server.admin),
        &json!({"role": "viewer", "label": "t"}),
    );
    assert_eq!(status, 201, "{body}");
    assert!(
        headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("cache-control") && v == "no-store"),
        "{headers:?}"
    );
}
