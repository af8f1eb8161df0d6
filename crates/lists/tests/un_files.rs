//! The five real UN Consolidated List copies parse with exactly the record
//! counts of `tests/fixtures/un/PROVENANCE.md` (from shared/data/SOURCES.md).

mod common;

use chrono::NaiveDate;
use common::UN;
use resolute_model::{NameKind, NameQuality, Schema, prop};

#[test]
fn record_counts_match_the_provenance_table() {
    // (dateGenerated, INDIVIDUAL, ENTITY, DPRK individuals, DPRK entities)
    let expected = [
        ("2017-06-30T19:12:08.528-04:00", 653, 371, 53, 46),
        ("2017-07-03T20:27:45.483-04:00", 650, 371, 53, 46),
        ("2018-10-29T19:09:49.856-04:00", 703, 390, 80, 75),
        ("2020-03-20T19:09:21.822-04:00", 709, 305, 80, 75),
        ("2026-02-27T00:00:09.554Z", 730, 273, 80, 75),
    ];
    for (v, (raw, ind, ent, kpi, kpe)) in UN.iter().zip(expected) {
        let count = |schema: Schema, dprk: bool| {
            v.entities
                .iter()
                .filter(|e| e.schema == schema && (!dprk || e.programs.iter().any(|p| p == "DPRK")))
                .count()
        };
        assert_eq!(v.generated_raw.as_deref(), Some(raw), "{}", v.origin);
        assert_eq!(
            v.generated.map(|d| d.to_string()).as_deref(),
            Some(&raw[..10]),
            "{}",
            v.origin
        );
        assert_eq!(
            (
                count(Schema::Person, false),
                count(Schema::Organization, false)
            ),
            (ind, ent),
            "{}",
            v.origin
        );
        assert_eq!(
            (
                count(Schema::Person, true),
                count(Schema::Organization, true)
            ),
            (kpi, kpe),
            "{}",
            v.origin
        );
        assert_eq!(v.entities.len(), ind + ent);
        let skipped: Vec<_> = v.issues.iter().filter(|i| i.skipped).collect();
        assert!(skipped.is_empty(), "{skipped:?}");
        // References are unique and trimmed.
        let mut refs: Vec<_> = v.entities.iter().map(|e| e.reference.as_str()).collect();
        assert!(refs.iter().all(|r| r.trim() == *r && !r.is_empty()));
        refs.sort_unstable();
        refs.dedup();
        assert_eq!(
            refs.len(),
            v.entities.len(),
            "duplicate references in {}",
            v.origin
        );
        // What an application reads before putting a version in force.
        let summary = resolute_lists::LoadSummary {
            records_read: ind + ent,
            ..Default::default()
        };
        assert_eq!(v.summary, summary, "{}", v.origin);
    }
}

#[test]
fn no_field_issues_in_the_real_files() {
    for v in UN.iter() {
        assert!(
            v.issues.is_empty(),
            "{}: {:#?}",
            v.origin,
            &v.issues[..v.issues.len().min(20)]
        );
    }
}

#[test]
fn komid_and_foreign_trade_bank() {
    let v = &UN[4];
    let komid = v.get("KPe.001").expect("KPe.001");
    assert_eq!(
        komid.caption,
        "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    );
    assert_eq!(komid.schema, Schema::Organization);
    assert_eq!(komid.programs, ["DPRK"]);
    assert_eq!(komid.listed_on, NaiveDate::from_ymd_opt(2009, 4, 24));
    assert!(
        komid.get(prop::ALIAS).iter().any(|a| a == "KOMID"),
        "{:?}",
        komid.properties
    );
    let ftb = v.get("KPe.047").expect("KPe.047");
    assert_eq!(ftb.caption, "FOREIGN TRADE BANK (FTB)");
    assert_eq!(ftb.get(prop::SWIFT_BIC), ["FTBDKPPY"]);
    assert_eq!(ftb.listed_on, NaiveDate::from_ymd_opt(2017, 8, 5));
    // Every UN entry carries the sanction topic and the dataset name.
    assert!(
        v.entities
            .iter()
            .all(|e| e.get(prop::TOPICS) == ["sanction"] && e.datasets == ["un_sc_sanctions"])
    );
}

#[test]
fn quirks_are_normalised() {
    let v = &UN[4];
    // Mixed-case name kept as listed, Korean name order.
    let pak = v.get("KPi.062").expect("KPi.062");
    assert_eq!(pak.caption, "Pak Il Kyu");
    assert_eq!(pak.get(prop::LAST_NAME), ["Pak"]);
    assert_eq!(pak.get(prop::NATIONALITY), ["kp"]);
    // Alias qualities survive.
    let low = v
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| n.quality == NameQuality::Low)
        .count();
    let good = v
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| n.quality == NameQuality::Good)
        .count();
    assert!(low > 100 && good > 100, "low {low} good {good}");
    // Original-script names carry a detected script.
    let scripts: std::collections::BTreeSet<_> = v
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| n.kind == NameKind::OriginalScript)
        .filter_map(|n| n.script.clone())
        .collect();
    assert!(
        scripts.contains("Arab") && scripts.contains("Cyrl"),
        "{scripts:?}"
    );
}

#[test]
fn imo_company_numbers_match_the_derived_table() {
    // shared/data/un/derived-dprk-entity-imo-numbers-2026-02-27.csv, copied as
    // tests/fixtures/un/derived-dprk-entity-imo-numbers-2026-02-27.csv.
    let table = std::fs::read_to_string(
        common::repo().join("tests/fixtures/un/derived-dprk-entity-imo-numbers-2026-02-27.csv"),
    )
    .expect("fixture");
    let mut rdr = csv::Reader::from_reader(table.as_bytes());
    let mut expected: Vec<(String, String)> = rdr
        .records()
        .flatten()
        .map(|r| (r[0].to_string(), r[3].to_string()))
        .collect();
    expected.sort();
    let mut got: Vec<(String, String)> = UN[4]
        .entities
        .iter()
        .flat_map(|e| {
            e.get(prop::IMO_NUMBER)
                .iter()
                .map(move |n| (e.reference.clone(), n.to_string()))
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 16);
}
