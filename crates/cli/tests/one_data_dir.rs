//! Issue 18 §1: a running `resolute serve` and CLI commands writing to the
//! same data directory at the same time (keys, a recorded screening, a
//! member-state report). Every writer re-reads the audit
//! chain head inside its own write transaction, and the server follows the
//! other writers' commits: no 500, no false "chain broken", a key created by
//! the CLI works at once and one revoked by the CLI stops working within a
//! second, and both the API and the CLI verify the chain afterwards.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn resolute() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `resolute serve` on a free port; killed when dropped.
struct Served {
    child: Child,
    base: String,
    admin: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Served {
    let mut child = resolute()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("RESOLUTE_ADMIN_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start resolute serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let (mut admin, mut base) = (None, None);
    for line in lines.by_ref() {
        let line = line.expect("read stderr");
        let t = line.trim();
        if t.starts_with("rsk_") {
            admin = Some(t.to_string());
        }
        if let Some(rest) = t.strip_prefix("Resolute listening on ") {
            base = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        base: base.expect("listening line"),
        admin: admin.expect("bootstrap admin key"),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn call(base: &str, method: &str, path: &str, key: &str, body: Option<&Value>) -> (u16, Value) {
    let url = format!("{base}{path}");
    let auth = format!("Bearer {key}");
    let resp = match (method, body) {
        ("POST", Some(b)) => agent()
            .post(&url)
            .header("Authorization", &auth)
            .send_json(b),
        _ => agent().get(&url).header("Authorization", &auth).call(),
    };
    let mut resp = resp.expect("request");
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn cli(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = resolute()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("run resolute");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_running_server_and_cli_writers_share_a_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = serve(dir.path());
    let base = served.base.clone();

    // Screen through the API the whole time the CLI writes.
    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let load = {
        let (stop, statuses, base, key) = (
            stop.clone(),
            statuses.clone(),
            base.clone(),
            served.admin.clone(),
        );
        std::thread::spawn(move || {
            let q = json!({"queries": {"q1": {"schema": "Company", "properties": {"name": ["Foreign Trade Bank"]}}}});
            while !stop.load(Ordering::Relaxed) {
                let (status, body) = call(&base, "POST", "/match/default", &key, Some(&q));
                statuses
                    .lock()
                    .expect("lock")
                    .push((status, body.to_string()));
            }
        })
    };

    // CLI writers: keys, and a recorded screening of real transactions.
    let mut created = Vec::new();
    for i in 0..3 {
        let (code, out, err) = cli(
            &[
                "keys",
                "create",
                "--role",
                "screener",
                "--label",
                &format!("cli {i}"),
                "--json",
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        let key: Value = serde_json::from_str(&out).expect("key json");
        created.push((
            key["id"].as_str().expect("id").to_string(),
            key["token"].as_str().expect("token").to_string(),
        ));
    }
    let (code, _, err) = cli(
        &[
            "reports",
            "add",
            "--state",
            "CHN",
            "--resolution",
            "2371",
            "--submitted",
            "2017-10-30",
            "--symbol",
            "S/AC.49/2017/99",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "reports add: {err}");
    let transactions = repo().join("tests/fixtures/transactions/scenarios.jsonl");
    let (code, _, err) = cli(
        &[
            "screen",
            "--input",
            transactions.to_str().expect("utf-8 path"),
        ],
        dir.path(),
    );
    assert!(matches!(code, 0 | 1), "screen exit {code}: {err}");

    // The report the CLI recorded is served at once (read from the store).
    let (status, reports) = call(
        &base,
        "GET",
        "/reports?resolution=2371",
        &served.admin,
        None,
    );
    assert_eq!(status, 200, "{reports}");
    assert!(reports.to_string().contains("S/AC.49/2017/99"), "{reports}");
    // A key the CLI created works on the running server at once.
    let (id, token) = &created[0];
    let (status, me) = call(&base, "GET", "/me", token, None);
    assert_eq!(status, 200, "{me}");
    // One the CLI revokes stops working within a second or two (not the
    // cache's ten seconds).
    let (code, _, err) = cli(&["keys", "revoke", id], dir.path());
    assert_eq!(code, 0, "{err}");
    let started = Instant::now();
    loop {
        let (status, _) = call(&base, "GET", "/me", token, None);
        if status == 401 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "revoked key still accepted"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    stop.store(true, Ordering::Relaxed);
    load.join().expect("load thread");
    let statuses = statuses.lock().expect("lock");
    assert!(
        statuses.len() >= 3,
        "the API was screened during the CLI writes"
    );
    let failed: Vec<_> = statuses.iter().filter(|(s, _)| *s != 200).collect();
    assert!(
        failed.is_empty(),
        "{} of {} failed: {:?}",
        failed.len(),
        statuses.len(),
        failed.first()
    );

    // Both sides verify the chain: no false alarm.
    let (status, verified) = call(&base, "GET", "/audit/verify", &served.admin, None);
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["ok"], true, "{verified}");
    drop(served);
    let (code, out, err) = cli(&["audit", "verify"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    // Signed checkpoints for an external log: one JSON line each.
    let (code, out, err) = cli(&["audit", "checkpoints", "--now"], dir.path());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|c| c["signature"].is_string()),
        "{out}"
    );
    assert!(err.contains("public key"), "{err}");
}
