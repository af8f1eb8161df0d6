//! Diffs between real UN list versions and the as-of-date view.

mod common;

use chrono::NaiveDate;
use common::UN;
use resolute_lists::{ListHistory, diff};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn ids_are_source_date_and_hash() {
    assert_eq!(UN[4].id(), "un@2026-02-27#66b392a4");
    assert_eq!(UN[0].id(), "un@2017-06-30#3f42e513");
    assert_eq!(common::SDN.id(), "ofac-sdn@2024-05-03#210ca6b4");
}

#[test]
fn diff_2017_06_30_to_07_03_is_three_removals() {
    let d = diff(&UN[0], &UN[1]);
    let removed: Vec<&str> = d.removed.iter().map(|e| e.reference.as_str()).collect();
    assert_eq!(removed, ["QDi.168", "QDi.169", "QDi.170"]);
    assert!(d.added.is_empty(), "{:?}", d.added);
    assert!(d.changed.is_empty(), "{:?}", d.changed);
}

#[test]
fn diff_2017_07_03_to_2018_10_29_has_the_2371_designations() {
    let d = diff(&UN[1], &UN[2]);
    let dprk_added: Vec<_> = d
        .added
        .iter()
        .filter(|e| e.programs.iter().any(|p| p == "DPRK"))
        .collect();
    assert_eq!(dprk_added.len(), 56);
    assert!(
        !d.removed
            .iter()
            .any(|e| e.programs.iter().any(|p| p == "DPRK"))
    );
    let by_date = |s: &str| {
        dprk_added
            .iter()
            .filter(|e| e.listed_on == Some(day(s)))
            .count()
    };
    assert_eq!(
        [
            by_date("2017-08-05"),
            by_date("2017-09-11"),
            by_date("2017-12-22"),
            by_date("2018-03-30")
        ],
        [13, 4, 17, 22]
    );
    let mut res2371: Vec<&str> = dprk_added
        .iter()
        .filter(|e| e.listed_on == Some(day("2017-08-05")))
        .map(|e| e.reference.as_str())
        .collect();
    res2371.sort_unstable();
    let mut expected: Vec<String> = (54..=62).map(|n| format!("KPi.{n:03}")).collect();
    expected.extend((47..=50).map(|n| format!("KPe.{n:03}")));
    expected.sort_unstable();
    assert_eq!(res2371, expected);
    let names: Vec<&str> = dprk_added
        .iter()
        .filter(|e| e.reference.starts_with("KPe.04") || e.reference == "KPe.050")
        .map(|e| e.name.as_str())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("FOREIGN TRADE BANK")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("MANSUDAE OVERSEAS PROJECT GROUP")),
        "{names:?}"
    );
    // The 2371 amendments to earlier entries.
    for r in ["KPi.016", "KPi.018"] {
        // "Pursuant to Resolution 2371(2017) ... New AKA ... with date of birth
        // ... and diplomatic passport number ...", and the update date.
        let c = d
            .changed
            .iter()
            .find(|c| c.reference == r)
            .unwrap_or_else(|| panic!("{r} not changed"));
        assert_eq!(
            c.fields,
            [
                "alias",
                "birthDate",
                "last_updated",
                "notes",
                "passportNumber"
            ],
            "{r}"
        );
    }
}

#[test]
fn kpi_016_gains_the_2371_alias_and_date_of_birth() {
    let old = UN[1].get("KPi.016").expect("old");
    let new = UN[2].get("KPi.016").expect("new");
    assert_eq!(old.get(resolute_model::prop::ALIAS), ["Jang Pom Su"]);
    assert_eq!(
        new.get(resolute_model::prop::ALIAS),
        ["Jang Pom Su", "Jang Hyon U"]
    );
    assert_eq!(
        new.get(resolute_model::prop::BIRTH_DATE),
        ["1958-02-22", "1957-04-15"]
    );
    assert_eq!(
        new.get(resolute_model::prop::PASSPORT_NUMBER),
        ["836110034"]
    );
}

#[test]
fn later_dprk_part_is_stable() {
    for (a, b) in [(2, 3), (3, 4)] {
        let d = diff(&UN[a], &UN[b]);
        let dprk = |p: &Vec<String>| p.iter().any(|x| x == "DPRK");
        assert!(
            !d.added.iter().any(|e| dprk(&e.programs))
                && !d.removed.iter().any(|e| dprk(&e.programs))
        );
    }
}

#[test]
fn designated_on_uses_the_version_in_force() {
    let h = ListHistory::new(UN.to_vec());
    let dprk_on = |s: &str| {
        h.designated_on(day(s))
            .into_iter()
            .filter(|e| e.in_program("DPRK"))
            .count()
    };
    // Before 2371: the 2017-07-03 list, 99 DPRK entries.
    assert_eq!(dprk_on("2017-08-04"), 99);
    // From 2371 to the next known version, the 2017-07-03 list is the newest
    // one known, so the 13 entries listed on 2017-08-05 are not yet seen.
    assert_eq!(dprk_on("2017-08-05"), 99);
    // With the 2018 list in force: all 155, each with listed_on <= D.
    assert_eq!(dprk_on("2018-10-29"), 155);
    // Before the oldest version: fall back to the oldest, filtered by listed_on.
    let early = h.designated_on(day("2009-04-24"));
    assert!(early.iter().any(|e| e.reference == "KPe.001"));
    assert!(
        early
            .iter()
            .all(|e| e.listed_on.is_none_or(|d| d <= day("2009-04-24")))
    );
    assert_eq!(
        h.version_on(resolute_model::Source::Un, day("2017-07-01"))
            .map(|v| v.id()),
        Some(UN[0].id())
    );
}
