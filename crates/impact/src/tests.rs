//! Tests of the computation on hand-built measures and on the real data in `data/trade`.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::compute::{ImpactOptions, compute_impact};
use crate::measures::{CapWindow, ImpactKind, MeasureView};
use crate::trade::{DprkDirection, TradeData, read_trade_file};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/trade")
        .join(name)
}

fn measure(
    id: &str,
    resolution: u32,
    kind: ImpactKind,
    hs: &[&str],
    effective: NaiveDate,
    ends: Option<NaiveDate>,
) -> MeasureView {
    MeasureView {
        id: id.into(),
        resolution,
        paragraph: "test".into(),
        title: id.into(),
        kind,
        direction: DprkDirection::Exports,
        hs_prefixes: hs.iter().map(|s| s.to_string()).collect(),
        effective,
        ends,
        caps: vec![],
        verified: false,
    }
}

/// The coal, iron, lead and seafood measures as the research note gives them:
/// 2321 para 26 coal cap (stub to 31 Dec 2016, then USD 400,870,018 per
/// year), replaced by the 2371 full bans on 5 Aug 2017.
fn test_measures() -> Vec<MeasureView> {
    let mut cap = measure(
        "2321/26/coal-cap",
        2321,
        ImpactKind::Cap,
        &["2701"],
        d(2016, 11, 30),
        Some(d(2017, 8, 4)),
    );
    cap.caps = vec![
        CapWindow {
            start: d(2016, 11, 30),
            end: d(2016, 12, 31),
            value_usd: Some(53_495_894.0),
            tonnes: Some(1_000_866.0),
        },
        CapWindow {
            start: d(2017, 1, 1),
            end: d(2017, 12, 31),
            value_usd: Some(400_870_018.0),
            tonnes: Some(7_500_000.0),
        },
    ];
    vec![
        cap,
        measure(
            "2371/8/coal-iron",
            2371,
            ImpactKind::Ban,
            &["2701", "2601", "72"],
            d(2017, 8, 5),
            None,
        ),
        measure(
            "2371/9/seafood",
            2371,
            ImpactKind::Ban,
            &["03", "1604", "1605"],
            d(2017, 8, 5),
            None,
        ),
        measure(
            "2371/10/lead",
            2371,
            ImpactKind::Ban,
            &["2607", "78"],
            d(2017, 8, 5),
            None,
        ),
    ]
}

fn real_flows() -> TradeData {
    let mut all = read_trade_file(&data("comtrade-partner-PRK-totals-2013-2017.csv"))
        .expect("comtrade totals");
    all.extend(
        read_trade_file(&data("derived-unscr2371-estimates-as-flows.csv"))
            .expect("estimates as flows"),
    );
    all
}

#[test]
fn comtrade_totals_give_2016_mirror_exports_of_2_914_bn_and_china_2_537_bn() {
    let t = read_trade_file(&data("comtrade-partner-PRK-totals-2013-2017.csv")).expect("read");
    assert!(t.skipped.is_empty(), "{:?}", t.skipped);
    assert_eq!(t.flows.len(), 989);
    let report = compute_impact(
        &t.flows,
        &[],
        &ImpactOptions {
            year: 2016,
            at: d(2016, 12, 31),
            resolution: None,
        },
    );
    assert_eq!(report.exports.total_basis, "all-commodity rows");
    assert!(
        (report.exports.total_usd - 2_913_811_748.0).abs() < 1.0,
        "{}",
        report.exports.total_usd
    );
    let china = report
        .exports
        .by_partner
        .iter()
        .find(|p| p.partner == "CHN")
        .expect("China");
    assert!((china.total_usd - 2_537_313_613.0).abs() < 1.0);
    assert_eq!(
        report.exports.by_partner[0].partner, "CHN",
        "largest partner first"
    );
    // Mirror imports: partners' exports to the DPRK (re-exports left out).
    assert!(
        (report.imports.total_usd - 3_143_573_492.0).abs() < 1.0,
        "{}",
        report.imports.total_usd
    );
}

#[test]
fn published_estimates_reproduce_1_06_bn_about_a_third_of_2_91_bn() {
    let flows = real_flows();
    assert!(flows.skipped.is_empty(), "{:?}", flows.skipped);
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2017, 8, 5),
            resolution: None,
        },
    );
    let ex = &report.exports;
    let r2371 = ex
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2371)
        .expect("2371");
    // 400,870,018 (what the coal cap allowed) + 251m + 113m + 295m.
    assert!(
        (r2371.newly_cut_usd - 1_059_870_018.0).abs() < 1.0,
        "{}",
        r2371.newly_cut_usd
    );
    assert!((ex.total_usd - 2_913_811_748.0).abs() < 1.0);
    let third = r2371.newly_cut_usd / ex.total_usd;
    assert!((0.33..0.38).contains(&third), "share {third}");
    let coal = r2371
        .measures
        .iter()
        .find(|m| m.id == "2371/8/coal-iron")
        .expect("coal measure");
    assert!(
        (coal.newly_cut_usd - (400_870_018.0 + 251_000_000.0)).abs() < 1.0,
        "{}",
        coal.newly_cut_usd
    );
    // 2321's cap took the rest of the 1.2bn of coal: first the stub, then the annual cap.
    let r2321 = ex
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2321)
        .expect("2321");
    assert_eq!(r2321.newly_cut_usd, 0.0);
    assert!(
        (r2321.cap_reduction_usd - (1_200_000_000.0 - 400_870_018.0)).abs() < 1.0,
        "{}",
        r2321.cap_reduction_usd
    );
    // At 2371's date everything in the estimates is prohibited.
    assert!((ex.prohibited_usd - 1_859_000_000.0).abs() < 1.0);
    let last = ex.timeline.last().expect("timeline");
    assert!((last.removed_by_resolution[&2371] - 1_059_870_018.0).abs() < 1.0);
    assert!((last.removed_by_resolution[&2321] - 799_129_982.0).abs() < 1.0);
}

#[test]
fn a_flow_counts_once_and_later_bans_cut_nothing_more() {
    let flows = real_flows();
    let mut ms = test_measures();
    // A later resolution banning coal again.
    ms.push(measure(
        "2397/x/coal-again",
        2397,
        ImpactKind::Ban,
        &["27"],
        d(2017, 12, 22),
        None,
    ));
    let report = compute_impact(
        &flows.flows,
        &ms,
        &ImpactOptions {
            year: 2016,
            at: d(2018, 1, 1),
            resolution: None,
        },
    );
    let r2397 = report
        .exports
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2397)
        .expect("2397");
    assert_eq!(r2397.newly_cut_usd, 0.0);
    assert!((r2397.covered_at_date_usd - 1_200_000_000.0).abs() < 1.0);
    // Covered value counts the coal flow once though two bans cover it.
    assert!((report.exports.covered_usd - 1_859_000_000.0).abs() < 1.0);
}

#[test]
fn before_2371_the_cap_allows_its_share_and_nothing_is_cut() {
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2017, 8, 4),
            resolution: None,
        },
    );
    let ex = &report.exports;
    assert_eq!(ex.prohibited_usd, 0.0);
    assert!(
        (ex.cap_allowed_usd - 400_870_018.0).abs() < 1.0,
        "{}",
        ex.cap_allowed_usd
    );
    assert!((ex.covered_usd - 1_200_000_000.0).abs() < 1.0);
    assert!(!ex.by_resolution.iter().any(|r| r.resolution == 2371));
}

#[test]
fn resolution_filter_and_chapters() {
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2017, 9, 1),
            resolution: Some(2371),
        },
    );
    let ex = &report.exports;
    assert_eq!(ex.by_resolution.len(), 1);
    let chapters: Vec<&str> = ex.by_chapter.iter().map(|c| c.chapter.as_str()).collect();
    assert_eq!(chapters, vec!["27", "26", "03"]);
    let ch26 = &ex.by_chapter[1];
    assert!((ch26.prohibited_usd - 364_000_000.0).abs() < 1.0);
}

#[test]
fn chapter_level_flow_against_heading_level_measure_is_partial_not_counted() {
    let flows = real_flows();
    let ms = vec![measure(
        "narrow-seafood",
        2371,
        ImpactKind::Ban,
        &["0302"],
        d(2017, 8, 5),
        None,
    )];
    let report = compute_impact(
        &flows.flows,
        &ms,
        &ImpactOptions {
            year: 2016,
            at: d(2017, 9, 1),
            resolution: None,
        },
    );
    assert_eq!(report.exports.covered_usd, 0.0);
    assert_eq!(report.exports.partial_coverage.len(), 1);
    assert_eq!(report.exports.partial_coverage[0].hs_code, "03");
}

#[test]
fn svg_chart_has_bands_for_each_resolution() {
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2018, 6, 30),
            resolution: None,
        },
    );
    let svg = crate::chart::impact_svg(&report).expect("svg");
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.contains("UNSCR 2321") && svg.contains("UNSCR 2371"));
    assert!(svg.contains("still allowed under a cap"));
    assert!(svg.contains("2017-08-05"));
}

/// Writes the chart for a visual check: `IMPACT_SVG_OUT=/tmp/x.svg cargo test -p resolute-impact write_chart`.
#[test]
fn write_chart_when_asked() {
    let Ok(out) = std::env::var("IMPACT_SVG_OUT") else {
        return;
    };
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2018, 6, 30),
            resolution: None,
        },
    );
    std::fs::write(out, crate::chart::impact_svg(&report).expect("svg")).expect("write");
}

/// The same check with the measures of the regime crate (`regime/dprk/*.toml`).
#[test]
fn with_the_regime_measures_2371_newly_cuts_1_06_bn() {
    let regime = resolute_regime::Regime::embedded().expect("embedded regime loads");
    let measures = crate::regime_measures(&regime, d(2030, 12, 31));
    let coal_cap = measures
        .iter()
        .find(|m| m.kind == ImpactKind::Cap && m.hs_prefixes.iter().any(|h| h == "2701"))
        .expect("2321 coal cap");
    assert_eq!(coal_cap.resolution, 2321);
    assert_eq!(coal_cap.ends, Some(d(2017, 8, 4)));
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &measures,
        &ImpactOptions {
            year: 2016,
            at: d(2017, 8, 5),
            resolution: None,
        },
    );
    let r2371 = report
        .exports
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2371)
        .expect("2371");
    assert!(
        (r2371.newly_cut_usd - 1_059_870_018.0).abs() < 1.0,
        "{:#?}",
        report.exports.by_resolution
    );
    // 2270's coal and iron bans carry the livelihood exception: conditional, they cut nothing.
    let r2270 = report
        .exports
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2270)
        .expect("2270");
    assert_eq!(r2270.newly_cut_usd, 0.0);
    assert!(
        r2270
            .measures
            .iter()
            .filter(|m| m.scope_usd > 0.0)
            .all(|m| m.kind == ImpactKind::Conditional)
    );
}

#[test]
fn chart_of_totals_only_has_no_bands_but_renders() {
    let t = read_trade_file(&data("comtrade-partner-PRK-totals-2013-2017.csv")).expect("read");
    let report = compute_impact(
        &t.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2018, 1, 1),
            resolution: None,
        },
    );
    let svg = crate::chart::impact_svg(&report).expect("svg");
    assert!(svg.contains("</svg>"));
    assert!(
        !svg.contains("UNSCR 2371"),
        "no commodity rows, so nothing is removed"
    );
}

#[test]
fn imports_under_2397_supply_ban_and_a_barrel_cap() {
    let regime = resolute_regime::Regime::embedded().expect("embedded regime loads");
    let measures = crate::regime_measures(&regime, d(2030, 12, 31));
    let t = crate::trade::read_trade(
        "reporter,partner,flow,year,hs_code,value_usd,quantity,unit\n\
         CHN,PRK,Export,2016,870323,10000000,,\n\
         CHN,PRK,Export,2016,2710,5000000,,\n\
         CHN,PRK,Export,2016,1006,2000000,,\n"
            .as_bytes(),
        "imports.csv",
        std::path::Path::new("imports.csv"),
    )
    .expect("read");
    let report = compute_impact(
        &t.flows,
        &measures,
        &ImpactOptions {
            year: 2016,
            at: d(2018, 1, 1),
            resolution: None,
        },
    );
    let im = &report.imports;
    assert_eq!(im.total_usd, 17_000_000.0);
    assert_eq!(im.prohibited_usd, 10_000_000.0, "{:#?}", im.by_resolution);
    // The refined-petroleum cap is in barrels; with values only, it is covered but allows the flow.
    assert_eq!(im.cap_allowed_usd, 5_000_000.0);
    let r2397 = im
        .by_resolution
        .iter()
        .find(|r| r.resolution == 2397)
        .expect("2397");
    assert_eq!(r2397.newly_cut_usd, 10_000_000.0);
    assert_eq!(report.exports.total_usd, 0.0);
}

#[test]
fn chapters_carry_hs_descriptions() {
    let flows = real_flows();
    let report = compute_impact(
        &flows.flows,
        &test_measures(),
        &ImpactOptions {
            year: 2016,
            at: d(2017, 9, 1),
            resolution: None,
        },
    );
    let coal = report
        .exports
        .by_chapter
        .iter()
        .find(|c| c.chapter == "27")
        .expect("27");
    assert!(
        coal.description
            .to_ascii_lowercase()
            .contains("mineral fuels"),
        "{}",
        coal.description
    );
}
