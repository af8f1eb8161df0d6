//! `resolute regime …` end to end, run from a directory outside the repository
//! (the regime and the HS nomenclature are embedded).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn resolute(args: &[&str]) -> Output {
    let dir = std::env::temp_dir();
    Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run resolute")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = resolute(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn at_lists_the_full_coal_ban_not_the_cap() {
    let v = json(&["regime", "at", "2017-08-06", "--json"]);
    let measures = ids(&v["measures"]);
    assert!(measures.contains(&"dprk/2371/8/coal".to_string()));
    assert!(!measures.contains(&"dprk/2321/26/coal-cap".to_string()));
    let before = ids(&json(&["regime", "at", "2017-08-04", "--json"])["measures"]);
    assert!(before.contains(&"dprk/2321/26/coal-cap".to_string()));
    assert!(!before.contains(&"dprk/2371/8/coal".to_string()));
}

#[test]
fn diff_across_2371() {
    let v = json(&["regime", "diff", "2017-08-04", "2017-08-06", "--json"]);
    let came = ids(&v["came_into_force"]);
    assert_eq!(came.len(), 9, "{came:?}");
    assert!(came.contains(&"dprk/2371/9/fishing-rights".to_string()));
    assert!(came.iter().all(|id| id.starts_with("dprk/2371/")));
    assert_eq!(
        ids(&v["ended"]),
        ["dprk/2270/29/iron", "dprk/2321/26/coal-cap"]
    );
    assert_eq!(v["designations"][0]["resolution"], 2371);
}

#[test]
fn diff_reports_new_cap_periods_and_ended_wind_downs() {
    let v = json(&["regime", "diff", "2018-12-01", "2019-01-15", "--json"]);
    let changed: Vec<String> = v["changed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["measure"].as_str().map(String::from))
        .collect();
    assert!(
        changed.contains(&"dprk/2397/5/refined-petroleum".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"dprk/2397/4/crude-oil".to_string()),
        "{changed:?}"
    );
    let v = json(&["regime", "diff", "2018-01-01", "2018-01-31", "--json"]);
    assert!(
        v["changed"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["measure"] == "dprk/2375/18/joint-ventures"),
        "{v}"
    );
}

#[test]
fn explain_seafood_before_and_after_2371() {
    let before = json(&[
        "regime",
        "explain",
        "--hs",
        "0303.89",
        "--date",
        "2017-07-15",
        "--from",
        "KP",
        "--to",
        "CN",
        "--json",
    ]);
    assert!(before["strictest_effect"].is_null(), "{before}");
    let after = json(&[
        "regime",
        "explain",
        "--hs",
        "0303.89",
        "--date",
        "2017-10-15",
        "--from",
        "KP",
        "--to",
        "CN",
        "--json",
    ]);
    assert_eq!(after["strictest_effect"], "prohibited");
    let applies: Vec<&str> = after["measures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["applies"] == true)
        .filter_map(|m| m["measure"]["id"].as_str())
        .collect();
    assert_eq!(applies, ["dprk/2371/9/seafood"]);
    assert_eq!(after["hs"]["edition"], "HS2017");
}

#[test]
fn explain_rejects_unknown_codes_and_countries() {
    let out = resolute(&[
        "regime",
        "explain",
        "--hs",
        "2799",
        "--date",
        "2017-10-02",
        "--from",
        "KP",
        "--to",
        "CN",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HS code \"2799\" does not exist in HS2017")
    );
    let out = resolute(&[
        "regime",
        "explain",
        "--hs",
        "2701",
        "--date",
        "2017-10-02",
        "--from",
        "XX",
        "--to",
        "CN",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
    let out = resolute(&["regime", "at", "2017-02-30"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_counts_verified_measures() {
    let v = json(&["regime", "check", "--json"]);
    assert_eq!(v["resolutions"], 10);
    let verified = v["verified"].as_array().map(Vec::len).unwrap_or(0);
    let unverified = v["unverified"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        verified + unverified,
        v["measures"].as_u64().unwrap_or(0) as usize
    );
    assert!(ids(&v["verified"]).contains(&"dprk/2371/8/coal".to_string()));
    assert!(ids(&v["verified"]).contains(&"dprk/2371/9/seafood".to_string()));
    assert!(ids(&v["unverified"]).contains(&"dprk/2397/4/crude-oil".to_string()));
    assert!(verified >= 38, "{verified} verified");
    // Every verified measure rests on the Council's own words.
    for m in v["verified"].as_array().into_iter().flatten() {
        let kind = m["verification"].as_str().unwrap_or("");
        assert!(
            kind == "verbatim" || kind == "council_citation",
            "{} verified on {kind:?}",
            m["id"]
        );
    }
    let by_kind = &v["by_verification"];
    let total: u64 = [
        "verbatim",
        "council_citation",
        "implementing_act",
        "secondary",
    ]
    .iter()
    .map(|k| by_kind[*k]["measures"].as_u64().unwrap_or(0))
    .sum();
    assert_eq!(total, v["measures"].as_u64().unwrap_or(0), "{by_kind}");
    assert_eq!(by_kind["secondary"]["verified"], 0, "{by_kind}");
    assert_eq!(by_kind["implementing_act"]["verified"], 0, "{by_kind}");

    let out = resolute(&["regime", "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for needle in [
        "verbatim",
        "council_citation",
        "implementing_act",
        "secondary",
        "dprk/2397/4/crude-oil",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn exceptions_lists_ids_with_what_the_claimant_must_show() {
    let v = json(&["regime", "exceptions", "--at", "2017-10-02", "--json"]);
    assert_eq!(v["at"], "2017-10-02");
    let list = v["exceptions"].as_array().cloned().unwrap_or_default();
    let listed = ids(&v["exceptions"]);
    let rajin = list
        .iter()
        .find(|x| x["id"] == "dprk/2371/8/rajin-transit")
        .unwrap_or_else(|| panic!("no Rajin exception in {listed:?}"));
    assert_eq!(rajin["resolution"], 2371);
    assert_eq!(rajin["paragraphs"][0], "8");
    assert!(
        rajin["requires"][0]
            .as_str()
            .is_some_and(|r| r.contains("exporting State confirms")),
        "{rajin}"
    );
    assert!(
        rajin["measures"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m == "dprk/2371/8/coal"),
        "{rajin}"
    );
    assert!(listed.contains(&"dprk/2375/26/humanitarian".to_string()));
    // Not yet adopted, or no measure in force that it could lift.
    assert!(!listed.contains(&"dprk/2397/25/humanitarian".to_string()));
    assert!(!listed.contains(&"dprk/2270/19/livelihood-notified".to_string()));

    let all = ids(&json(&["regime", "exceptions", "--json"])["exceptions"]);
    assert!(all.contains(&"dprk/2397/25/humanitarian".to_string()));
    assert!(all.contains(&"dprk/2270/19/livelihood-notified".to_string()));
    assert!(all.len() > listed.len());

    let out = resolute(&["regime", "exceptions", "--at", "2018-03-01"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dprk/2371/6/return-to-port-of-origination") && text.contains("para 6"),
        "{text}"
    );
}

#[test]
fn an_unknown_id_is_answered_with_the_closest_ids() {
    let out = resolute(&["regime", "show", "dprk/2371/8/rajin"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("closest: dprk/2371/8/rajin-transit"), "{err}");
}

#[test]
fn a_broken_regime_directory_is_an_error_naming_file_and_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(repo().join("regime/dprk")).expect("regime/dprk") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|x| x == "toml") {
            let mut text = std::fs::read_to_string(&p).expect("read");
            if p.ends_with("2375.toml") {
                text = text.replacen(
                    "superseded_by = \"dprk/2397/5/refined-petroleum\"",
                    "superseded_by = \"dprk/2397/5/no-such\"",
                    1,
                );
            }
            std::fs::write(tmp.path().join(p.file_name().expect("name")), text).expect("write");
        }
    }
    let dir = tmp.path().to_string_lossy().to_string();
    let out = resolute(&["regime", "check", "--regime-dir", &dir]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2375.toml")
            && err.contains("superseded_by")
            && err.contains("dprk/2397/5/no-such"),
        "{err}"
    );
}
