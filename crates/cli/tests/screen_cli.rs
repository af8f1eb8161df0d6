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
