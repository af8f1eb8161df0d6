//! The embedded regime loads, answers dated queries, and rejects broken files
//! with the file and key named.

use chrono::NaiveDate;
use resolute_regime::{Applicability, GoodsContext, MeasureKind, Regime, RegimeError};

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
