//! The real OFAC SDN legacy CSV of 2024-05-03 (data/lists/ofac/): record
//! counts by type and DPRK program from shared/data/SOURCES.md §2.

mod common;

use chrono::NaiveDate;
use common::SDN;
use resolute_model::{NameKind, Schema, Source, prop};

#[test]
fn record_counts_by_type_and_program() {
    let v = &*SDN;
    assert_eq!(v.source, Source::OfacSdn);
    assert_eq!(
        v.generated,
        NaiveDate::from_ymd_opt(2024, 5, 3),
        "date from the file name"
    );
    assert_eq!(v.entities.len(), 14_965);
    let count = |s: Schema| v.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Person), 6_854);
    assert_eq!(count(Schema::Organization), 6_884);
    assert_eq!(count(Schema::Vessel), 851);
    assert_eq!(count(Schema::Airplane), 376);
    let program = |p: &str| {
        v.entities
            .iter()
            .filter(|e| e.programs.iter().any(|x| x == p))
            .count()
    };
    assert_eq!(
        [
            program("DPRK"),
            program("DPRK2"),
            program("DPRK3"),
            program("DPRK4")
        ],
        [57, 111, 147, 174]
    );
    assert!(
        v.issues.iter().all(|i| !i.skipped),
        "{:?}",
        v.issues.iter().find(|i| i.skipped)
    );
    let summary = resolute_lists::LoadSummary {
        records_read: 14_965,
        ..Default::default()
    };
    assert_eq!(v.summary, summary);
}

#[test]
fn no_field_issues() {
    let v = &*SDN;
    assert!(
        v.issues.is_empty(),
        "{:#?}",
        &v.issues[..v.issues.len().min(30)]
    );
}

#[test]
fn dprk_vessels_have_the_imo_numbers_of_the_derived_table() {
    // tests/fixtures/ofac/derived-dprk-vessels-from-sdn-2024-05-03.csv (105
    // DPRK-program vessels, 104 with an IMO number), from shared/data.
    let table = std::fs::read_to_string(
        common::repo().join("tests/fixtures/ofac/derived-dprk-vessels-from-sdn-2024-05-03.csv"),
    )
    .expect("fixture");
    let mut rdr = csv::Reader::from_reader(table.as_bytes());
    let headers = rdr.headers().expect("header").clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("column {n} in {headers:?}"))
    };
    let (ent, imo) = (col("ent_num"), col("imo_number"));
    let rows: Vec<csv::StringRecord> = rdr.records().flatten().collect();
    assert_eq!(rows.len(), 105);
    let mut with_imo = 0;
    for r in &rows {
        let e = SDN
            .get(&r[ent])
            .unwrap_or_else(|| panic!("{} missing", &r[ent]));
        assert_eq!(e.schema, Schema::Vessel);
        assert!(e.in_program("DPRK"));
        if !r[imo].is_empty() {
            with_imo += 1;
            assert_eq!(e.get(prop::IMO_NUMBER), [r[imo].to_string()], "{}", &r[ent]);
        }
    }
    assert_eq!(with_imo, 104);
    let dprk_vessels = SDN
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Vessel && e.in_program("DPRK"))
        .count();
    assert_eq!(dprk_vessels, 105);
}

#[test]
fn remarks_become_properties() {
    let komid = SDN.get("9345").expect("KOMID");
    assert_eq!(
        komid.caption,
        "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    );
    assert_eq!(komid.programs, ["NPWMD", "DPRK2"]);
    assert_eq!(komid.get(prop::WEAK_ALIAS), ["KOMID"]);
    assert!(
        komid
            .names
            .iter()
            .filter(|n| n.kind != NameKind::Primary)
            .all(|n| n.is_weak())
    );
    let kim = SDN.get("12211").expect("KIM Yong Chol");
    assert_eq!(kim.get(prop::LAST_NAME), ["KIM"]);
    assert_eq!(
        kim.birth_dates
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        ["approximately 1947", "approximately 1946"]
    );
    assert_eq!(kim.get("birthCountry"), ["kp"]);
    let daesong = SDN.get("12312").expect("KOREA DAESONG BANK");
    assert_eq!(daesong.get(prop::SWIFT_BIC), ["KDBKKPPY"]);
    assert_eq!(daesong.get(prop::EMAIL), ["kdb@co.chesin.com"]);
    let omm = SDN.get("17068").expect("OMM");
    assert_eq!(omm.get(prop::IMO_NUMBER), ["1790183"], "company IMO number");
    // Totals over the file, as a guard against a parser regression.
    let with = |p: &str| SDN.entities.iter().filter(|e| !e.get(p).is_empty()).count();
    assert!(with(prop::BIRTH_DATE) > 6_000, "{}", with(prop::BIRTH_DATE));
    assert!(
        with(prop::PASSPORT_NUMBER) > 500,
        "{}",
        with(prop::PASSPORT_NUMBER)
    );
    assert!(
        with(prop::NATIONALITY) > 3_000,
        "{}",
        with(prop::NATIONALITY)
    );
}
