//! `resolute lists ...` end to end, running the built binary on the real files.

use std::path::PathBuf;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    p.canonicalize().unwrap_or(p)
}

fn resolute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run resolute")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

const UN_2017_07_03: &str = "tests/fixtures/un/consolidated-2017-07-03.xml";
const UN_2018: &str = "tests/fixtures/un/consolidated-2018-10-29.xml";
const UN_2026: &str = "data/lists/un/consolidated-2026-02-27.xml";
const SDN: &str = "data/lists/ofac/sdn-2024-05-03.csv";

#[test]
fn inspect_json_counts_per_file() {
    let v = json(&resolute(&["lists", "inspect", "--json", UN_2026, SDN]));
    let files = v.as_array().expect("array");
    assert_eq!(files.len(), 2);
    let un = &files[0];
    assert_eq!(un["source"], "un");
    assert_eq!(un["generated"], "2026-02-27");
    assert_eq!(un["total"], 1003);
    assert_eq!(un["by_schema"]["Person"], 730);
    assert_eq!(un["by_schema"]["Organization"], 273);
    assert_eq!(un["by_program"]["DPRK"], 155);
    assert_eq!(un["issues"], 0);
    assert_eq!(un["version"], "un@2026-02-27#66b392a4");
    let sdn = &files[1];
    assert_eq!(sdn["source"], "ofac-sdn");
    assert_eq!(sdn["generated"], "2024-05-03");
    assert_eq!(sdn["total"], 14965);
    assert_eq!(sdn["by_schema"]["Vessel"], 851);
    assert_eq!(sdn["by_schema"]["Airplane"], 376);
    assert_eq!(sdn["by_program"]["DPRK3"], 147);
}

#[test]
fn inspect_one_file_is_still_an_array() {
    let v = json(&resolute(&["lists", "inspect", "--json", UN_2017_07_03]));
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["by_program"]["DPRK"], 99);
}

#[test]
fn diff_json_shows_the_2371_designations() {
    let v = json(&resolute(&[
        "lists",
        "diff",
        "--json",
        "--program",
        "DPRK",
        UN_2017_07_03,
        UN_2018,
    ]));
    let added = v["added"].as_array().expect("added");
    assert_eq!(added.len(), 56);
    let kpe047 = added
        .iter()
        .find(|e| e["ref"] == "KPe.047")
        .expect("KPe.047");
    assert_eq!(kpe047["schema"], "Organization");
    assert_eq!(kpe047["listed_on"], "2017-08-05");
    assert_eq!(kpe047["programs"][0], "DPRK");
    assert!(
        kpe047["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("FOREIGN TRADE BANK"))
    );
    assert_eq!(v["removed"].as_array().map(Vec::len), Some(0));
    let kpi016 = v["changed"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["ref"] == "KPi.016"))
        .expect("KPi.016");
    assert!(
        kpi016["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "alias"))
    );
}

#[test]
fn show_bundled_entry_as_ftm_json() {
    let v = json(&resolute(&["lists", "show", "KPe.047", "--json"]));
    assert_eq!(v["schema"], "Organization");
    assert_eq!(v["ref"], "KPe.047");
    assert_eq!(v["id"], "un-kpe.047");
    assert_eq!(v["properties"]["swiftBic"][0], "FTBDKPPY");
    let sdn = json(&resolute(&["lists", "show", " 9345 ", "--json"]));
    assert_eq!(sdn["properties"]["weakAlias"][0], "KOMID");
}

#[test]
fn show_human_and_not_found() {
    let out = resolute(&["lists", "show", "kpi.016", "--list", UN_2018]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("JANG BOM SU  (Person KPi.016, un@2018-10-29#"),
        "{text}"
    );
    assert!(text.contains("alias        Jang Hyon U"), "{text}");
    let missing = resolute(&["lists", "show", "KPe.999", "--list", UN_2018]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no entry with reference \"KPe.999\"")
    );
}

#[test]
fn broken_files_fail_with_position() {
    let out = resolute(&["lists", "inspect", "tests/fixtures/bad/un-truncated.xml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("un-truncated.xml:7:185: truncated file"),
        "{err}"
    );
    let out = resolute(&["lists", "inspect", "tests/fixtures/bad/unknown.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown list format"));
    let out = resolute(&["lists", "diff", UN_2026, SDN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different lists"));
}
