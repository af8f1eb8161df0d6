//! `resolute screen` end to end on the fixtures in tests/fixtures/transactions.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn screen(args: &[&str]) -> Vec<serde_json::Value> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_path = tmp.path().join("decisions.jsonl");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resolute"));
    cmd.arg("screen").args(args).arg("--output").arg(&out_path).current_dir(tmp.path());
    let out = cmd.output().expect("run resolute");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&out_path).expect("output");
    text.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn decision<'a>(results: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    results.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn the_issue_examples_come_out_right() {
    let input = repo().join("tests/fixtures/transactions/scenarios.jsonl");
    let results = screen(&["--input", &input.to_string_lossy(), "--no-lists"]);
    let lines = std::fs::read_to_string(&input).expect("fixture").lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(results.len(), lines, "one output line per input line");
    for (id, expected, resolution) in [
        ("coal-kp-cn-2017-10-02", "prohibited", Some(2371)),
        ("seafood-kp-2017-07-15", "permitted", None),
        ("seafood-kp-2017-10-15", "prohibited", Some(2371)),
        ("coal-ru-via-rajin-rajin-claimed", "review", Some(2371)),
        ("textiles-kp-2018-03-01", "prohibited", Some(2375)),
        ("petroleum-2018-06-01", "review", Some(2397)),
        ("petroleum-2018-09-01-over", "prohibited", Some(2397)),
        ("work-new-kp-2017-10-01", "prohibited", Some(2375)),
    ] {
        let d = decision(&results, id);
        assert_eq!(d["decision"], expected, "{id}: {d}");
        if let Some(r) = resolution {
            assert!(d["findings"].as_array().into_iter().flatten().any(|f| f["resolution"] == r && f["effect"] == expected), "{id}: {d}");
        }
        for key in ["id", "decision", "findings", "matches"] {
            assert!(d.get(key).is_some(), "{id}: no {key}");
        }
    }
    let bad = decision(&results, "bad-country");
    assert!(bad["error"].as_str().unwrap_or("").contains("origin"), "{bad}");
    assert!(bad.get("decision").is_none());
}

#[test]
fn foreign_trade_bank_before_and_after_its_designation() {
    let input = repo().join("tests/fixtures/transactions/parties.jsonl");
    let un = repo().join("data/lists/un/consolidated-2026-02-27.xml");
    let results = screen(&["--input", &input.to_string_lossy(), "--list", &un.to_string_lossy()]);
    let before = decision(&results, "ftb-2017-08-04");
    assert_eq!(before["decision"], "review", "{before}");
    assert!(before["matches"].as_array().is_some_and(Vec::is_empty), "{before}");
    let after = decision(&results, "ftb-2017-08-06");
    assert_eq!(after["decision"], "prohibited", "{after}");
    assert_eq!(after["matches"][0]["ref"], "KPe.047");
    assert_eq!(after["matches"][0]["role"], "beneficiary_bank");
    let freeze = after["findings"].as_array().into_iter().flatten().find(|f| f["rule"] == "dprk/1718/8d/asset-freeze").expect("asset freeze finding");
    assert_eq!(freeze["paragraph"], "8(d)");
    assert!(freeze["summary"].as_str().unwrap_or("").contains("resolution 2371"), "{freeze}");
}

fn petroleum_line(id: &str, date: &str, bbl: u32) -> String {
    format!(r#"{{"id":"{id}","kind":"goods","date":"{date}","hs_code":"2710.19","origin":"CN","from":"CN","to":"KP","quantity":{bbl},"unit":"bbl"}}"#)
}

#[test]
fn data_dir_draws_caps_across_runs_and_records_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("resolute-data");
    let first = tmp.path().join("first.jsonl");
    let second = tmp.path().join("second.jsonl");
    std::fs::write(&first, format!("{}\n{}\n", petroleum_line("p1", "2018-02-01", 300_000), petroleum_line("p2", "2018-06-01", 150_000))).expect("write");
    std::fs::write(&second, petroleum_line("p3", "2018-09-01", 100_000) + "\n").expect("write");
    let (f, s, d) = (first.to_string_lossy().to_string(), second.to_string_lossy().to_string(), data.to_string_lossy().to_string());

    let run1 = screen(&["--input", &f, "--no-lists", "--data-dir", &d]);
    assert_eq!(decision(&run1, "p1")["decision"], "review");
    assert_eq!(decision(&run1, "p2")["decision"], "review");
    // A later run starts from what the store's ledger holds.
    let run2 = screen(&["--input", &s, "--no-lists", "--data-dir", &d]);
    let p3 = decision(&run2, "p3");
    assert_eq!(p3["decision"], "prohibited", "{p3}");
    assert!(p3["findings"].as_array().into_iter().flatten().any(|f| f["rule"] == "dprk/2397/5/refined-petroleum"
        && f["summary"].as_str().is_some_and(|t| t.contains("remaining 50,000"))), "{p3}");
    // Without --data-dir the caps are drawn within the input only, as before.
    let alone = screen(&["--input", &s, "--no-lists"]);
    assert_eq!(decision(&alone, "p3")["decision"], "review");
    // Each run was recorded in the audit log, and the chain holds.
    let out = Command::new(env!("CARGO_BIN_EXE_resolute")).args(["audit", "verify", "--json", "--data-dir", &d]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((report["ok"].as_bool(), report["records"].as_i64()), (Some(true), Some(2)), "{report}");
}
