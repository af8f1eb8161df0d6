//! kill -9 durability: the real `resolute serve` binary is loaded with name
//! screenings from several clients and killed with SIGKILL mid-load. After a
//! restart, every screening that was acknowledged (HTTP 200 with its audit
//! sequence number) is in the audit log, and the hash chain verifies. One
//! client screens refined-petroleum supplies: every acknowledged one has its
//! cap draw, and the cap ledger equals the sum of the draws (never half-written).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ADMIN_KEY: &str = "rsk_0d0d0d0d_0123456789abcdef0123456789abcdef0123456789abcdef";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One HTTP/1.1 request with `Connection: close`; (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn start(dir: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("RESOLUTE_ADMIN_KEY", ADMIN_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn resolute serve");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(300) {
        if http(port, "GET", "/readyz", None).is_ok_and(|(s, _)| s == 200) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("resolute serve did not become ready on port {port}");
}

#[test]
fn acknowledged_screenings_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut server = start(dir.path(), port);

    // Several clients screen as fast as they can; each keeps what was acknowledged.
    let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|t| {
            let (acked, stop) = (acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) && i < 5000 {
                    i += 1;
                    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": [format!("Durability Client{t} Number{i}")]}}}});
                    // Refused or cut off by the kill: not acknowledged, nothing to check.
                    if let Ok((200, text)) = http(port, "POST", "/match/default", Some(&body)) {
                        let v: Value = serde_json::from_str(&text).expect("acknowledged answer is JSON");
                        let id = v["resolute"]["screening_id"].as_str().expect("screening id").to_string();
                        let seq = v["resolute"]["audit_seq"].as_i64().expect("audit seq");
                        acked.lock().expect("lock").push((id, seq));
                    }
                }
            })
        })
        .collect();

    // One more client draws on the 2397 refined-petroleum cap, 1 barrel at a time.
    let acked_caps: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let cap_client = {
        let (acked, stop) = (acked_caps.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) && i < 5000 {
                i += 1;
                let body = json!({"id": format!("pet-{i}"), "kind": "goods", "date": "2018-02-01", "hs_code": "2710.19",
                    "origin": "CN", "from": "CN", "to": "KP", "quantity": 1, "unit": "bbl"});
                if let Ok((200, text)) = http(port, "POST", "/screen", Some(&body)) {
                    let v: Value =
                        serde_json::from_str(&text).expect("acknowledged answer is JSON");
                    assert_eq!(v["decision"], "review", "{v}");
                    let id = v["resolute"]["screening_id"]
                        .as_str()
                        .expect("screening id")
                        .to_string();
                    acked
                        .lock()
                        .expect("lock")
                        .push((id, v["resolute"]["audit_seq"].as_i64().expect("audit seq")));
                }
            }
        })
    };

    // Kill -9 in the middle of the load, once a good number is acknowledged.
    let t0 = Instant::now();
    while acked.lock().expect("lock").len() < 200 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().expect("SIGKILL"); // std's Child::kill is SIGKILL on Unix
    let _ = server.wait();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client thread");
    }
    cap_client.join().expect("cap client thread");
    let acked_caps = acked_caps.lock().expect("lock").clone();
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= 50,
        "the load did not get going: {} acknowledged",
        acked.len()
    );

    // Restart on the same data directory.
    let mut server = start(dir.path(), port);
    let (status, body) = http(port, "GET", "/audit/verify", None).expect("verify");
    assert_eq!(status, 200);
    let report: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(report["ok"], true, "{report}");

    // Every acknowledged screening is in the log at the sequence number it was given.
    let store = resolute_store::Store::open(dir.path(), Default::default()).expect("open store");
    for (id, seq) in &acked {
        let rec = store
            .audit_record(*seq)
            .unwrap_or_else(|e| panic!("acknowledged screening {id} (seq {seq}) lost: {e}"));
        assert_eq!(rec.kind, "screening.name");
        assert_eq!(
            rec.payload["screening_id"].as_str(),
            Some(id.as_str()),
            "seq {seq}"
        );
    }
    // Every acknowledged cap screening has its draw, committed with its audit record,
    // and the ledger is exactly the sum of the draws.
    let account = resolute_store::CapAccount::new(
        "dprk/2397/5/refined-petroleum",
        chrono::NaiveDate::from_ymd_opt(2018, 1, 1).expect("date"),
        "bbl",
    );
    let draws = store.cap_draws(Some(&account), 10_000).expect("draws");
    for (id, seq) in &acked_caps {
        let d = draws
            .iter()
            .find(|d| d.screening_id == *id)
            .unwrap_or_else(|| panic!("acknowledged cap screening {id} lost its draw"));
        assert_eq!((d.audit_seq, d.amount), (*seq, 1.0));
        assert_eq!(
            store.audit_record(*seq).expect("audit record").payload["screening_id"].as_str(),
            Some(id.as_str())
        );
    }
    let balance = store
        .cap_balances()
        .expect("balances")
        .into_iter()
        .find(|b| b.account == account);
    let used = balance.map_or(0.0, |b| b.used);
    assert_eq!(
        used,
        draws.len() as f64,
        "ledger {used} vs {} draws",
        draws.len()
    );
    store.close();
    let _ = server.kill();
    let _ = server.wait();

    // The CLI agrees, offline.
    let out = Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(["audit", "verify", "--json", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run audit verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert!(v["records"].as_i64().unwrap_or(0) >= acked.len() as i64);
    eprintln!(
        "kill -9 durability: {} acknowledged screenings and {} cap screenings, all present; chain of {} records verifies",
        acked.len(),
        acked_caps.len(),
        v["records"]
    );
}
