//! `resolute ais ingest|events` and `resolute vessel show` (issue #14): what one process
//! ingests into a data directory, the next one reads — the track, the call at Nampo it shows,
//! the identity it broadcast — and a file ingested twice stores nothing the second time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn resolute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(args)
        .env_remove("RESOLUTE_AUDIT_KEY_FILE")
        .env_remove("RESOLUTE_AUDIT_KEY")
        .env_remove("RESOLUTE_DATA_DIR")
        .output()
        .expect("run resolute")
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(|v| v.expect("JSON values on stdout"))
        .collect()
}

fn nampo_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ais/scenario-nampo-call-2017-08-27.csv")
}

fn text(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn what_one_process_ingests_the_next_one_sees() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let fixture = nampo_fixture();
    let ingest = || {
        json_lines(&resolute(&[
            "ais",
            "ingest",
            text(&fixture),
            "--data-dir",
            text(&data),
            "--json",
        ]))
    };
    let first = ingest();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["format"], "noaa");
    assert_eq!(first[0]["stored_positions"], 180);

    let events = json_lines(&resolute(&[
        "ais",
        "events",
        "--vessel",
        "9080649",
        "--from",
        "2017-08-01",
        "--to",
        "2017-09-30",
        "--data-dir",
        text(&data),
        "--json",
    ]));
    let events = events[0].as_array().expect("an array of events");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["kind"], "port_visit");
    assert_eq!(events[0]["port"]["name"], "Nampo");
    assert_eq!(events[0]["port"]["dprk"], true);

    let shown = json_lines(&resolute(&[
        "vessel",
        "show",
        "9080649",
        "--data-dir",
        text(&data),
        "--json",
    ]));
    assert_eq!(shown[0]["ais"]["positions"], 180);
    assert_eq!(
        shown[0]["history"]["identities"][0]["name"],
        "WOOYANG VENUS"
    );

    let again = ingest();
    assert_eq!(
        (
            again[0]["stored_positions"].as_u64(),
            again[0]["stored_static_reports"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(again[0]["rebuild"], Value::Null);
}
