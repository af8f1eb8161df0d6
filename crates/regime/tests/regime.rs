//! The embedded regime loads, answers dated queries, and rejects broken files
//! with the file and key named.

use chrono::NaiveDate;
use resolute_regime::{
    Applicability, GoodsContext, Measure, MeasureKind, Regime, RegimeError, Verification,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn embedded() -> Regime {
    Regime::embedded().expect("embedded regime must load")
}

#[test]
fn all_ten_resolutions_are_encoded() {
    let r = embedded();
    let numbers: Vec<u32> = r.resolutions.iter().map(|x| x.number).collect();
    assert_eq!(
        numbers,
        [1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397]
    );
    assert!(r.measures.len() >= 50, "{} measures", r.measures.len());
    for kind in [
        MeasureKind::ExportBan,
        MeasureKind::SupplyBan,
        MeasureKind::QuantityCap,
        MeasureKind::AssetFreeze,
        MeasureKind::TravelBan,
        MeasureKind::WorkAuthorizations,
        MeasureKind::JointVentures,
        MeasureKind::Vessels,
        MeasureKind::FinancialServices,
        MeasureKind::LuxuryGoods,
        MeasureKind::ArmsEmbargo,
    ] {
        assert!(
            r.measures.iter().any(|m| m.kind == kind),
            "no measure of kind {kind:?}"
        );
    }
}

#[test]
fn diff_across_adoption_of_2371_shows_its_measures() {
    let r = embedded();
    let diff = r.diff(d("2017-08-04"), d("2017-08-06"));
    let came: Vec<&str> = diff.came_into_force.iter().map(|m| m.id.as_str()).collect();
    assert!(
        came.iter().all(|id| id.starts_with("dprk/2371/")),
        "{came:?}"
    );
    for id in [
        "dprk/2371/8/coal",
        "dprk/2371/8/iron",
        "dprk/2371/9/seafood",
        "dprk/2371/10/lead",
        "dprk/2371/12/joint-ventures",
    ] {
        assert!(came.contains(&id), "{id} missing from {came:?}");
    }
    let ended: Vec<&str> = diff.ended.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ended, ["dprk/2270/29/iron", "dprk/2321/26/coal-cap"]);
    assert_eq!(diff.designations.len(), 1);
    assert_eq!(diff.designations[0].resolution, 2371);
}

#[test]
fn superseded_measures_end_the_day_before() {
    let r = embedded();
    let cap = r.measure("dprk/2321/26/coal-cap").expect("coal cap");
    assert_eq!(cap.ends, Some(d("2017-08-04")));
    assert_eq!(cap.superseded_by.as_deref(), Some("dprk/2371/8/coal"));
    let p = r
        .measure("dprk/2375/14/refined-petroleum")
        .expect("2375 petroleum");
    assert_eq!(p.ends, Some(d("2017-12-31")));
    assert!(
        r.in_force(d("2017-08-04"))
            .iter()
            .any(|m| m.id == "dprk/2321/26/coal-cap")
    );
    assert!(
        !r.in_force(d("2017-08-05"))
            .iter()
            .any(|m| m.id == "dprk/2321/26/coal-cap")
    );
}

#[test]
fn explain_coal_from_dprk_to_china() {
    let r = embedded();
    let ctx = GoodsContext {
        hs: "270112",
        date: d("2017-10-02"),
        origin: Some("KP"),
        from: Some("KP"),
        to: Some("CN"),
        flag: None,
        value_usd: None,
    };
    let ex = r.explain_goods(&ctx);
    let applies: Vec<&str> = ex
        .iter()
        .filter(|e| e.applicability == Applicability::Applies)
        .map(|e| e.measure.id.as_str())
        .collect();
    assert_eq!(applies, ["dprk/2371/8/coal"]);
    let ended = ex
        .iter()
        .find(|e| e.measure.id == "dprk/2321/26/coal-cap")
        .expect("cap listed");
    assert!(matches!(ended.applicability, Applicability::Ended { .. }));
}

#[test]
fn designation_dates_map_to_resolutions() {
    let r = embedded();
    assert_eq!(
        r.designation_for(d("2017-08-05")).map(|c| c.resolution),
        Some(2371)
    );
    assert_eq!(
        r.designation_for(d("2016-03-02")).map(|c| c.resolution),
        Some(2270)
    );
    assert!(r.designation_for(d("2017-08-06")).is_none());
}

fn with_2371_edit(from: &str, to: &str) -> Result<Regime, RegimeError> {
    let sources = resolute_regime::embedded_files()
        .iter()
        .map(|(n, t)| {
            (
                n.to_string(),
                if n.ends_with("2371.toml") {
                    t.replacen(from, to, 1)
                } else {
                    t.to_string()
                },
            )
        })
        .collect();
    Regime::from_sources(sources)
}

#[test]
fn unknown_hs_code_is_an_error_naming_file_and_key() {
    let err = with_2371_edit("hs = \"2601\"", "hs = \"2699\"").expect_err("2699 does not exist");
    let msg = err.to_string();
    assert!(
        msg.contains("2371.toml") && msg.contains("goods[0].hs") && msg.contains("2699"),
        "{msg}"
    );
}

#[test]
fn unknown_field_is_an_error() {
    let err = with_2371_edit("verified = true", "verifed = true").expect_err("typo");
    let msg = err.to_string();
    assert!(
        msg.contains("2371.toml") && msg.contains("verifed"),
        "{msg}"
    );
}

#[test]
fn dangling_exception_and_dates_out_of_order_are_errors() {
    let err = with_2371_edit(
        "\"dprk/2371/8/rajin-transit\", ",
        "\"dprk/2371/8/no-such\", ",
    )
    .expect_err("dangling");
    assert!(
        err.to_string()
            .contains("unknown exception \"dprk/2371/8/no-such\""),
        "{err}"
    );
    let err = with_2371_edit("effective = \"2017-08-05\"", "effective = \"2017-08-01\"")
        .expect_err("before adoption");
    assert!(err.to_string().contains("before the adoption"), "{err}");
}

#[test]
fn the_directory_override_loads_the_repository_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../regime");
    let r = Regime::from_dir(&dir).expect("regime/ loads");
    assert_eq!(r.resolutions.len(), 10);
}

fn with_edit(file: &str, from: &str, to: &str) -> Result<Regime, RegimeError> {
    let sources = resolute_regime::embedded_files()
        .iter()
        .map(|(n, t)| {
            let text = if n.ends_with(file) {
                assert!(t.contains(from), "{from:?} not in {n}");
                t.replacen(from, to, 1)
            } else {
                t.to_string()
            };
            (n.to_string(), text)
        })
        .collect();
    Regime::from_sources(sources)
}

#[test]
fn verified_needs_the_councils_own_words() {
    let r = embedded();
    let verified: Vec<&Measure> = r.measures.iter().filter(|m| m.verified).collect();
    assert!(
        verified.len() >= 38,
        "{} of {} verified",
        verified.len(),
        r.measures.len()
    );
    for m in &verified {
        assert!(
            m.verification.supports_verified(),
            "{} is verified on {:?}",
            m.id,
            m.verification
        );
    }
    // The two that rested on a national act or a fact sheet only.
    let crude = r.measure("dprk/2397/4/crude-oil").expect("crude");
    assert!(!crude.verified);
    assert_eq!(crude.verification, Verification::ImplementingAct);
    let committee = r.measure("dprk/1718/12/committee").expect("committee");
    assert_eq!(committee.verification, Verification::CouncilCitation);
    assert!(
        committee
            .source
            .contains("un.org/securitycouncil/sanctions/1718/panel_experts"),
        "{}",
        committee.source
    );
    for id in [
        "dprk/1718/8b/arms-procurement",
        "dprk/1874/10/arms-supply",
        "dprk/2094/11/financial-services",
        "dprk/2371/9/seafood",
        "dprk/2375/7/high-seas-inspection",
        "dprk/2397/6/food-agricultural",
        "dprk/2397/6/machinery-electrical",
        "dprk/2397/6/earth-stone",
        "dprk/2397/6/wood",
    ] {
        assert!(r.measure(id).is_some_and(|m| m.verified), "{id}");
    }
}

#[test]
fn a_verified_measure_on_a_secondary_source_is_an_error_naming_file_and_measure() {
    let err = with_edit(
        "2371.toml",
        "verified = false\nverification = \"secondary\"",
        "verified = true\nverification = \"secondary\"",
    )
    .expect_err("verified on a secondary source");
    let msg = err.to_string();
    assert!(
        msg.contains("2371.toml")
            && msg.contains("dprk/2371/7/dprk-flag-chartering")
            && msg.contains("not secondary"),
        "{msg}"
    );
    let err = with_edit(
        "2397.toml",
        "verified = false\nverification = \"implementing_act\"",
        "verified = true\nverification = \"implementing_act\"",
    )
    .expect_err("verified on a national act");
    assert!(
        err.to_string().contains("dprk/2397/4/crude-oil")
            && err.to_string().contains("implementing_act"),
        "{err}"
    );
    let err = with_edit("2371.toml", "verification = \"council_citation\"", "")
        .expect_err("verification is required");
    assert!(err.to_string().contains("verification"), "{err}");
}

#[test]
fn every_resolution_from_2087_has_its_meeting_number_and_source() {
    let r = embedded();
    for (number, meeting) in [
        (2087, 6904),
        (2094, 6932),
        (2270, 7638),
        (2321, 7821),
        (2356, 7958),
        (2371, 8019),
        (2375, 8042),
        (2397, 8151),
    ] {
        let res = r.resolution(number).expect("resolution");
        assert_eq!(res.meeting, Some(meeting), "{number}");
        let header = format!("at its {meeting}");
        assert!(
            res.sources.iter().any(|s| s.contains(&header)),
            "{number}: no source quoting {header:?}"
        );
    }
}

#[test]
fn the_repatriation_deadline_passes_after_the_24th_month_ends() {
    let r = embedded();
    let deadline = r
        .measure("dprk/2397/8/repatriation-deadline")
        .expect("deadline");
    assert_eq!(deadline.effective, d("2019-12-23"));
    let period = r.measure("dprk/2397/8/repatriation").expect("period");
    assert_eq!(period.ends, Some(d("2019-12-22")));
}

#[test]
fn the_2397_para_6_measures_have_the_wind_down_of_the_text() {
    let r = embedded();
    for id in [
        "dprk/2397/6/vessels-export",
        "dprk/2397/6/food-agricultural",
        "dprk/2397/6/machinery-electrical",
        "dprk/2397/6/earth-stone",
        "dprk/2397/6/wood",
    ] {
        let w = r
            .measure(id)
            .and_then(|m| m.wind_down.as_ref())
            .unwrap_or_else(|| panic!("{id}: no wind-down"));
        assert_eq!(w.contracts_before, d("2017-12-22"), "{id}");
        assert_eq!(w.until(), d("2018-01-21"), "{id}");
        assert!(
            w.verified && w.verification == Verification::Verbatim,
            "{id}"
        );
        assert!(
            w.requires.iter().any(|x| x.contains("by 5 February 2018")),
            "{id}: {:?}",
            w.requires
        );
    }
}

#[test]
fn exceptions_are_dated_by_their_resolution() {
    let r = embedded();
    let h = r
        .exception("dprk/2375/26/humanitarian")
        .expect("2375 para 26");
    assert_eq!(h.effective, Some(d("2017-09-11")));
    assert!(!h.in_force(d("2017-09-10")) && h.in_force(d("2017-09-11")));
    let at = |date: &str| -> Vec<String> {
        r.exceptions_at(d(date))
            .iter()
            .map(|x| x.id.clone())
            .collect()
    };
    let before = at("2017-09-10");
    assert!(before.contains(&"dprk/2371/8/rajin-transit".to_string()));
    assert!(!before.contains(&"dprk/2375/26/humanitarian".to_string()));
    // 2321 para 8 removed the livelihood exception of 2270 para 19.
    assert!(!at("2018-01-01").contains(&"dprk/2270/19/livelihood-notified".to_string()));
    assert!(at("2016-06-01").contains(&"dprk/2270/19/livelihood-notified".to_string()));
    for m in r.measures.iter().filter(|m| m.resolution >= 2371) {
        assert!(
            !m.exceptions
                .iter()
                .any(|x| x == "dprk/2321/46/humanitarian"),
            "{} cites 2321 para 46, which covers the measures up to 2321",
            m.id
        );
    }
    let mut rajin = r.closest_exception_ids("rajin", 3);
    rajin.sort_unstable();
    assert_eq!(
        rajin,
        [
            "dprk/2270/29/rajin-transit",
            "dprk/2371/8/rajin-transit",
            "dprk/2375/18/rajin-khasan"
        ]
    );
    assert_eq!(
        r.closest_exception_ids("dprk/2397/25/humanitrian", 1),
        ["dprk/2397/25/humanitarian"]
    );
}
