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
    cmd.arg("screen")
        .args(args)
        .arg("--output")
        .arg(&out_path)
        .current_dir(tmp.path());
    let out = cmd.output().expect("run resolute");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_path).expect("output");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn decision<'a>(results: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    results
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn the_issue_examples_come_out_right() {
    let input = repo().join("tests/fixtures/transactions/scenarios.jsonl");
    let results = screen(&["--input", &input.to_string_lossy(), "--no-lists"]);
    let lines = std::fs::read_to_string(&input)
        .expect("fixture")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
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
            assert!(
                d["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["resolution"] == r && f["effect"] == expected),
                "{id}: {d}"
            );
        }
        for key in ["id", "decision", "findings", "matches"] {
            assert!(d.get(key).is_some(), "{id}: no {key}");
        }
    }
    let bad = decision(&results, "bad-country");
    assert!(
        bad["error"].as_str().unwrap_or("").contains("origin"),
        "{bad}"
    );
    assert!(bad.get("decision").is_none());
}

#[test]
fn foreign_trade_bank_before_and_after_its_designation() {
    let input = repo().join("tests/fixtures/transactions/parties.jsonl");
    let un = repo().join("data/lists/un/consolidated-2026-02-27.xml");
    let results = screen(&[
        "--input",
        &input.to_string_lossy(),
        "--list",
        &un.to_string_lossy(),
    ]);
    let before = decision(&results, "ftb-2017-08-04");
    assert_eq!(before["decision"], "review", "{before}");
    assert!(
        before["matches"].as_array().is_some_and(Vec::is_empty),
        "{before}"
    );
    let after = decision(&results, "ftb-2017-08-06");
    assert_eq!(after["decision"], "prohibited", "{after}");
    assert_eq!(after["matches"][0]["ref"], "KPe.047");
    assert_eq!(after["matches"][0]["role"], "beneficiary_bank");
    let freeze = after["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "dprk/1718/8d/asset-freeze")
        .expect("asset freeze finding");
    assert_eq!(freeze["paragraph"], "8(d)");
    assert!(
        freeze["summary"]
            .as_str()
            .unwrap_or("")
            .contains("resolution 2371"),
        "{freeze}"
    );
}

fn petroleum_line(id: &str, date: &str, bbl: u32) -> String {
    format!(
        r#"{{"id":"{id}","kind":"goods","date":"{date}","hs_code":"2710.19","origin":"CN","from":"CN","to":"KP","quantity":{bbl},"unit":"bbl"}}"#
    )
}

#[test]
fn data_dir_draws_caps_across_runs_and_records_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("resolute-data");
    let first = tmp.path().join("first.jsonl");
    let second = tmp.path().join("second.jsonl");
    std::fs::write(
        &first,
        format!(
            "{}\n{}\n",
            petroleum_line("p1", "2018-02-01", 300_000),
            petroleum_line("p2", "2018-06-01", 150_000)
        ),
    )
    .expect("write");
    std::fs::write(&second, petroleum_line("p3", "2018-09-01", 100_000) + "\n").expect("write");
    let (f, s, d) = (
        first.to_string_lossy().to_string(),
        second.to_string_lossy().to_string(),
        data.to_string_lossy().to_string(),
    );

    let run1 = screen(&["--input", &f, "--no-lists", "--data-dir", &d]);
    assert_eq!(decision(&run1, "p1")["decision"], "review");
    assert_eq!(decision(&run1, "p2")["decision"], "review");
    // A later run starts from what the store's ledger holds.
    let run2 = screen(&["--input", &s, "--no-lists", "--data-dir", &d]);
    let p3 = decision(&run2, "p3");
    assert_eq!(p3["decision"], "prohibited", "{p3}");
    assert!(
        p3["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["rule"] == "dprk/2397/5/refined-petroleum"
                && f["summary"]
                    .as_str()
                    .is_some_and(|t| t.contains("remaining 50,000"))),
        "{p3}"
    );
    // Without --data-dir the caps are drawn within the input only, as before.
    let alone = screen(&["--input", &s, "--no-lists"]);
    assert_eq!(decision(&alone, "p3")["decision"], "review");
    // Each run was recorded in the audit log (the first with its cap draws,
    // a `cap.draws` record), and the chain holds.
    let out = Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(["audit", "verify", "--json", "--data-dir", &d])
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (report["ok"].as_bool(), report["records"].as_i64()),
        (Some(true), Some(3)),
        "{report}"
    );
}

#[test]
fn data_dir_honours_the_stores_false_positive_decisions() {
    use resolute_model::Schema;
    use resolute_screening::ScreenedParty;
    use resolute_store::{CaseResolution, NewCase, Store};

    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("resolute-data");
    let input = tmp.path().join("payment.jsonl");
    std::fs::write(
        &input,
        r#"{"id":"pay-1","kind":"payment","date":"2018-03-01","parties":[{"role":"beneficiary","name":"Korea Trading Bank"}]}"#.to_string() + "\n",
    )
    .expect("write");
    // A false-positive decision on (this party as screened, KPe.047), as the service records it.
    let ftb = resolute_lists::bundled()
        .expect("lists")
        .into_iter()
        .flat_map(|v| v.entities)
        .find(|e| e.reference == "KPe.047")
        .expect("KPe.047");
    let party = ScreenedParty {
        schema: Some(Schema::LegalEntity),
        by: "name",
        value: "Korea Trading Bank".into(),
        country: None,
    };
    let case = NewCase {
        kind: "transaction".into(),
        screening_id: "scr_test".into(),
        query_key: resolute_casework::suppress::party_query_key(&party),
        query: serde_json::json!({}),
        entity_id: Some(ftb.id.clone()),
        entity_ref: Some(ftb.reference.clone()),
        entity_caption: Some(ftb.caption.clone()),
        entity_fingerprint: Some(resolute_casework::engine::entity_fingerprint(&ftb)),
        score: Some(1.0),
        decision: Some("prohibited".into()),
        summary: String::new(),
    };
    let store = Store::open(&data, Default::default()).expect("store");
    let case_id = store
        .write(move |ctx| {
            let receipt =
                ctx.append_audit("screening.transaction", "test", &serde_json::json!({}))?;
            ctx.open_case(&case, receipt.seq)
        })
        .expect("case");
    store
        .close_case_blocking(
            case_id,
            CaseResolution::FalsePositive,
            "a Seoul bank",
            "test",
        )
        .expect("close");
    store.close();

    let (i, d) = (
        input.to_string_lossy().to_string(),
        data.to_string_lossy().to_string(),
    );
    let with_store = screen(&["--input", &i, "--data-dir", &d]);
    let pay = decision(&with_store, "pay-1");
    assert_eq!(pay["decision"], "permitted", "{pay}");
    let m = pay["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["ref"] == "KPe.047")
        .expect("still shown");
    assert_eq!(
        (
            m["suppressed"].as_bool(),
            m["suppression"]["case_id"].as_i64()
        ),
        (Some(true), Some(case_id)),
        "{m}"
    );
    // Without the store the hit stands.
    let alone = screen(&["--input", &i]);
    assert_eq!(decision(&alone, "pay-1")["decision"], "prohibited");
}
