//! `resolute match` and `resolute compare` run as a binary on real list data.

use std::io::Write;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_resolute");

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lines(s: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(s)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
        .collect()
}

#[test]
fn match_screens_queries_against_the_un_list_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let input = dir.path().join("q.jsonl");
    let mut f = std::fs::File::create(&input).unwrap_or_else(|e| panic!("{e}"));
    writeln!(f, r#"{{"id": "q1", "schema": "Person", "properties": {{"name": ["Baek Se-bong"], "nationality": ["kp"]}}}}"#).ok();
    writeln!(f, "this is not json").ok();
    writeln!(
        f,
        r#"{{"id": "q3", "schema": "Planet", "properties": {{"name": ["x"]}}}}"#
    )
    .ok();
    writeln!(f, r#"{{"id": "q4", "schema": "Organization", "properties": {{"name": ["Foreign Trade Bank of the DPRK"]}}}}"#).ok();
    writeln!(
        f,
        r#"{{"id": "q5", "schema": "Person", "properties": {{"name": ["Kim Jong Il"]}}}}"#
    )
    .ok();
    drop(f);
    let out = dir.path().join("r.jsonl");
    let un = root().join("data/lists/un/consolidated-2026-02-27.xml");
    let status = Command::new(BIN)
        .args(["match", "--list"])
        .arg(&un)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .args(["--limit", "3"])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    let rows = lines(&std::fs::read(&out).unwrap_or_default());
    assert_eq!(rows.len(), 5, "{rows:#?}");
    assert_eq!(rows[0]["id"], "q1");
    let first = &rows[0]["results"][0];
    assert_eq!(first["ref"], "KPi.048", "{first:#}");
    assert_eq!(first["match"], true);
    assert!(
        first["explanations"]["alignment"]
            .as_array()
            .is_some_and(|a| a.iter().any(|m| m["how"] == "romanization"))
    );
    assert_eq!(
        rows[1]["id"], "2",
        "the line number, as text (as in `resolute screen`)"
    );
    assert!(
        rows[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("line 2"))
    );
    assert_eq!(rows[2]["id"], "q3");
    assert!(
        rows[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Planet"))
    );
    assert_eq!(rows[3]["results"][0]["ref"], "KPe.047");
    // Kim Jong Il is not Kim Jong Un (nor any other listed Kim): nothing flagged.
    assert!(
        rows[4]["results"]
            .as_array()
            .is_some_and(|r| r.iter().all(|x| x["match"] == false))
    );
}

#[test]
fn compare_scores_name_bench_pairs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let input = dir.path().join("pairs.csv");
    std::fs::write(
        &input,
        "case_group,schema,name1,name2,is_match\nk,Person,김정은,Kim Jong Un,true\nk,Person,Kim Jong Il,Kim Jong Un,false\nk,Starship,a,b,false\nk,Vessel,Petrel 8,PETREL 6,false\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(BIN)
        .args(["compare", "--input"])
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let rows = lines(&out.stdout);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[0]["match"], true);
    assert!(rows[0]["score"].as_f64().is_some_and(|s| s >= 0.9));
    assert_eq!(rows[1]["match"], false);
    assert!(
        rows[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Starship"))
    );
    assert_eq!(rows[3]["match"], false);
    assert!(String::from_utf8_lossy(&out.stderr).contains("f1="));
}

#[test]
fn missing_input_is_a_clear_error() {
    let out = Command::new(BIN)
        .args(["compare", "--input", "/nonexistent/pairs.csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/pairs.csv"));
}
