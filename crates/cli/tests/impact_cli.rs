//! `resolute impact` and `resolute reports`, run as the built binary on the
//! real data in `data/trade`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn resolute(args: &[&str], data_dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resolute"));
    cmd.args(args)
        .current_dir(repo())
        .env_remove("RESOLUTE_DATA_DIR");
    if let Some(d) = data_dir {
        cmd.env("RESOLUTE_DATA_DIR", d);
    }
    cmd.output().expect("run resolute")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const COMTRADE: &str = "data/trade/comtrade-partner-PRK-totals-2013-2017.csv";
const ESTIMATES: &str = "data/trade/derived-unscr2371-estimates-as-flows.csv";

#[test]
fn impact_json_reproduces_the_2371_figures() {
    let o = resolute(
        &[
            "impact",
            "--trade",
            COMTRADE,
            ESTIMATES,
            "--year",
            "2016",
            "--at",
            "2017-08-05",
            "--json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["year"], 2016);
    let total = v["total_usd"].as_f64().expect("total");
    assert!((total - 2_913_811_748.0).abs() < 1.0, "{total}");
    let by_res = v["by_resolution"].as_array().expect("by_resolution");
    let r2371 = by_res
        .iter()
        .find(|r| r["resolution"] == 2371)
        .expect("2371");
    let cut = r2371["newly_cut_usd"].as_f64().expect("cut");
    assert!((cut - 1_059_870_018.0).abs() < 1.0, "{cut}");
    assert!(r2371["measures"].as_array().is_some_and(|m| !m.is_empty()));
    assert!(
        v["by_chapter"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["chapter"] == "27"))
    );
    assert_eq!(
        v["by_partner"][0]["partner"], "WLD",
        "the covered aggregate comes first"
    );
    assert!(
        v["imports"]["total_usd"]
            .as_f64()
            .is_some_and(|t| t > 3.0e9)
    );
    assert_eq!(v["skipped_rows"].as_array().map(Vec::len), Some(0));
}

#[test]
fn impact_text_and_svg() {
    let dir = tempfile::tempdir().expect("tmp");
    let svg = dir.path().join("chart.svg");
    let svg_arg = svg.to_str().expect("utf8 path");
    let o = resolute(
        &[
            "impact",
            "--trade",
            COMTRADE,
            ESTIMATES,
            "--year",
            "2016",
            "--at",
            "2018-01-01",
            "--svg",
            svg_arg,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("total US$ 2,913.8m"), "{out}");
    assert!(
        out.contains("UNSCR 2371") && out.contains("newly cut US$ 1,059.9m (36.4% of total)"),
        "{out}"
    );
    let chart = std::fs::read_to_string(&svg).expect("svg written");
    assert!(
        chart.starts_with("<svg") && chart.contains("UNSCR 2321") && chart.contains("UNSCR 2371")
    );
}

#[test]
fn impact_reports_bad_rows_and_goes_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("flows.csv");
    std::fs::write(
        &file,
        "reporter,partner,flow,year,hs_code,value_usd,quantity,unit\nCHN,PRK,Import,2016,0302,1000000,,\nCHN,PRK,Import,2016,03x2,5,,\n",
    )
    .expect("write");
    let o = resolute(
        &[
            "impact",
            "--trade",
            file.to_str().expect("utf8"),
            "--at",
            "2017-09-01",
            "--json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("flows.csv:3: field hs_code"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["year"], 2016);
    assert_eq!(v["prohibited_usd"].as_f64(), Some(1_000_000.0));
}

#[test]
fn reports_add_list_status_import_export() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = Some(dir.path());
    let o = resolute(
        &[
            "reports",
            "add",
            "--state",
            "MNG",
            "--resolution",
            "2375",
            "--submitted",
            "2017-12-26",
            "--symbol",
            "TEST/1",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = resolute(
        &[
            "reports",
            "add",
            "--state",
            "Japan",
            "--resolution",
            "2371,2375",
            "--submitted",
            "2017-11-01",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Invalid input: clear errors, nothing stored.
    let bad = resolute(
        &[
            "reports",
            "add",
            "--state",
            "XK",
            "--resolution",
            "2371",
            "--submitted",
            "2017-11-01",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("is not a UN member state"),
        "{}",
        stderr(&bad)
    );
    let bad = resolute(
        &[
            "reports",
            "add",
            "--state",
            "FRA",
            "--resolution",
            "9999",
            "--submitted",
            "2017-11-01",
        ],
        d,
    );
    assert!(
        stderr(&bad).contains("9999 is not a DPRK sanctions resolution"),
        "{}",
        stderr(&bad)
    );

    let o = resolute(
        &[
            "reports",
            "status",
            "--resolution",
            "2371",
            "--as-of",
            "2018-01-01",
            "--json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["members"], 193);
    assert_eq!(v["reported"], 1);
    assert_eq!(v["overdue"], 192);
    assert_eq!(v["deadline"], "2017-11-03");
    let text = stdout(&resolute(
        &[
            "reports",
            "status",
            "--resolution",
            "2375",
            "--as-of",
            "2018-01-01",
        ],
        d,
    ));
    assert!(
        text.starts_with("2 of 193 member states reported on resolution 2375"),
        "{text}"
    );

    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "state,resolutions,submitted,symbol,notes\nDEU,2371,2017-10-20,TEST/2,\nZZZ,2371,2017-10-20,,\n").expect("write");
    let o = resolute(&["reports", "import", csv.to_str().expect("utf8")], d);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a rejected row makes the exit code 1"
    );
    assert!(stderr(&o).contains("in.csv:3:"), "{}", stderr(&o));
    assert!(stdout(&o).contains("imported 1 report(s)"));
    // The same file again: recognised by its SHA-256, nothing is done.
    let o = resolute(&["reports", "import", csv.to_str().expect("utf8")], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("was imported before"), "{}", stdout(&o));

    let o = resolute(&["reports", "export"], d);
    let exported = stdout(&o);
    assert_eq!(exported.lines().count(), 4, "{exported}");
    assert!(exported.contains("JPN,2371;2375,2017-11-01,,"));
    let list = stdout(&resolute(
        &["reports", "list", "--resolution", "2371", "--json"],
        d,
    ));
    let rows: serde_json::Value = serde_json::from_str(&list).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
}

/// The data directory's reports, audit log and actors, read from its store.
fn recorded_actors(dir: &Path, kind: &str) -> Vec<String> {
    let store = resolute_store::Store::open(dir, resolute_store::StoreOptions::default())
        .expect("open the store");
    let records = store
        .audit_records(&resolute_store::AuditQuery {
            kind: Some(kind.into()),
            limit: 100,
            ..Default::default()
        })
        .expect("audit");
    store.close();
    records.into_iter().map(|r| r.actor).collect()
}

#[test]
fn reports_are_recorded_in_the_store_with_the_cli_actor() {
    let dir = tempfile::tempdir().expect("tmp");
    // A reports.csv of an older build: imported on first use, once, and left in place.
    let legacy = dir.path().join("reports.csv");
    std::fs::write(
        &legacy,
        "state,resolutions,submitted,symbol,notes
DEU,2371,2017-10-20,S/AC.49/2017/T1,
",
    )
    .expect("write");
    let data_dir = dir.path().to_str().expect("utf8");
    let add = |symbol: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_resolute"));
        cmd.args([
            "reports",
            "add",
            "--data-dir",
            data_dir,
            "--state",
            "FRA",
            "--resolution",
            "2371",
            "--submitted",
            "2017-11-02",
            "--symbol",
            symbol,
        ])
        .env_remove("RESOLUTE_DATA_DIR")
        .env("USER", "tester");
        cmd.output().expect("run resolute")
    };
    let o = add("S/AC.49/2017/T9");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("imported 1 report(s) from") && stderr(&o).contains("reports.csv"),
        "{}",
        stderr(&o)
    );
    let dup = add("S/AC.49/2017/T9");
    assert!(!dup.status.success());
    assert!(
        stderr(&dup).contains("FRA") && stderr(&dup).contains("S/AC.49/2017/T9"),
        "{}",
        stderr(&dup)
    );
    assert!(
        !stderr(&dup).contains("imported"),
        "the legacy file is imported once: {}",
        stderr(&dup)
    );
    assert!(legacy.exists());
    assert_eq!(recorded_actors(dir.path(), "report.added"), ["cli:tester"]);
    assert_eq!(recorded_actors(dir.path(), "report.imported"), ["system"]);

    let o = resolute(
        &[
            "reports",
            "status",
            "--data-dir",
            data_dir,
            "--resolution",
            "2371",
            "--as-of",
            "2018-01-01",
            "--json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    // DEU on 2017-10-20 and FRA on 2017-11-02, both by the deadline 2017-11-03
    // (2371 adopted 2017-08-05 by its regime file, + 90 days).
    assert_eq!(
        (v["reported"].as_u64(), v["on_time"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    assert_eq!(v["adopted"], "2017-08-05");
}

#[test]
fn reporting_requests_mark_unverified_paragraphs() {
    let o = resolute(
        &["reports", "requests", "--resolution", "2397", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let rows = v.as_array().expect("array");
    let nir = rows
        .iter()
        .find(|r| r["request"] == "national_implementation_report")
        .expect("nir");
    assert_eq!(nir["paragraph_verified"], false);
    let midterm = rows
        .iter()
        .find(|r| r["request"] == "worker_repatriation_midterm_report")
        .expect("midterm");
    assert_eq!(midterm["paragraph"], "8");
    assert_eq!(midterm["due"], "2019-03-22");
}
