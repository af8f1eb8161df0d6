//! Scenario tests: every measure kind, wind-down, exception and cap, on the
//! fixtures in tests/fixtures/transactions (table-driven, plus a snapshot of
//! the full output for review).

use std::path::PathBuf;

use resolute_regime::{Effect, Regime};
use resolute_screening::{LineResult, ListScreener, PartyScreener, Screener};

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/transactions")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(regime: &Regime, parties: Option<&dyn PartyScreener>, text: &str) -> Vec<LineResult> {
    let mut s = Screener::new(regime, parties);
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| s.screen_line(regime, l, i + 1))
        .collect()
}

fn by_id<'a>(results: &'a [LineResult], id: &str) -> &'a LineResult {
    results
        .iter()
        .find(|r| match r {
            LineResult::Decision(d) => d.id == id,
            LineResult::Error { id: e, .. } => e == id,
        })
        .unwrap_or_else(|| panic!("no result for {id}"))
}

/// (id, decision, rules that must be among the findings)
const EXPECTED: &[(&str, Effect, &[&str])] = &[
    (
        "coal-kp-cn-2017-10-02",
        Effect::Prohibited,
        &["dprk/2371/8/coal"],
    ),
    (
        "coal-kp-cn-2017-06-01-within-cap",
        Effect::Review,
        &["dprk/2321/26/coal-cap"],
    ),
    (
        "coal-kp-cn-2017-07-01-over-tonnes",
        Effect::Prohibited,
        &["dprk/2321/26/coal-cap"],
    ),
    (
        "coal-kp-cn-2017-07-02-no-quantity",
        Effect::Review,
        &["dprk/2321/26/coal-cap"],
    ),
    // Paragraph 8 of 2371 gives the 30-day wind-down to iron and iron ore only, not to coal.
    (
        "coal-kp-cn-2017-08-20-no-wind-down",
        Effect::Prohibited,
        &["dprk/2371/8/coal"],
    ),
    (
        "iron-ore-kp-cn-2017-08-20-wind-down",
        Effect::Review,
        &["dprk/2371/8/iron"],
    ),
    (
        "iron-ore-kp-cn-2017-09-10-after-wind-down",
        Effect::Prohibited,
        &["dprk/2371/8/iron"],
    ),
    (
        "coal-kp-cn-2017-08-20-late-contract",
        Effect::Prohibited,
        &["dprk/2371/8/coal"],
    ),
    (
        "coal-ru-via-rajin-rajin-claimed",
        Effect::Review,
        &["dprk/2371/8/coal"],
    ),
    (
        "coal-ru-via-rajin-no-claim",
        Effect::Prohibited,
        &["dprk/2371/8/coal"],
    ),
    (
        "coal-kp-origin-rajin-claimed",
        Effect::Prohibited,
        &["dprk/2371/8/coal"],
    ),
    ("coal-au-to-jp", Effect::Permitted, &[]),
    ("seafood-kp-2017-07-15", Effect::Permitted, &[]),
    (
        "seafood-kp-2017-10-15",
        Effect::Prohibited,
        &["dprk/2371/9/seafood"],
    ),
    (
        "crab-kp-flag-2017-10-15",
        Effect::Prohibited,
        &["dprk/2371/9/seafood"],
    ),
    (
        "iron-ore-kp-2017-03-01-livelihood",
        Effect::Review,
        &["dprk/2270/29/iron"],
    ),
    (
        "lead-ore-kp-2017-09-10",
        Effect::Prohibited,
        &["dprk/2371/10/lead"],
    ),
    (
        "textiles-kp-2018-03-01",
        Effect::Prohibited,
        &["dprk/2375/16/textiles"],
    ),
    (
        "textiles-kp-2017-11-01-wind-down",
        Effect::Review,
        &["dprk/2375/16/textiles"],
    ),
    ("textiles-kp-2017-09-01", Effect::Permitted, &[]),
    (
        "petroleum-2017-10-10",
        Effect::Review,
        &[
            "dprk/2375/14/refined-petroleum",
            "dprk/2270/31/aviation-fuel",
        ],
    ),
    (
        "petroleum-2017-11-10-over",
        Effect::Prohibited,
        &["dprk/2375/14/refined-petroleum"],
    ),
    (
        "petroleum-2018-02-01",
        Effect::Review,
        &["dprk/2397/5/refined-petroleum"],
    ),
    (
        "petroleum-2018-06-01",
        Effect::Review,
        &["dprk/2397/5/refined-petroleum"],
    ),
    (
        "petroleum-2018-09-01-over",
        Effect::Prohibited,
        &["dprk/2397/5/refined-petroleum"],
    ),
    (
        "petroleum-2019-01-05-new-period",
        Effect::Review,
        &["dprk/2397/5/refined-petroleum"],
    ),
    (
        "crude-2018-03-01-tonnes",
        Effect::Review,
        &["dprk/2397/4/crude-oil", "dprk/2375/13/condensates-ngl"],
    ),
    (
        "crude-2018-04-01-over",
        Effect::Prohibited,
        &["dprk/2397/4/crude-oil"],
    ),
    (
        "trucks-to-kp-2018-02-01",
        Effect::Prohibited,
        &["dprk/2397/7/machinery-vehicles-metals"],
    ),
    (
        "aircraft-part-to-kp-spare-parts",
        Effect::Review,
        &["dprk/2397/7/machinery-vehicles-metals"],
    ),
    (
        "pistols-to-kp-2010",
        Effect::Review,
        &["dprk/1874/10/arms-supply"],
    ),
    (
        "pistols-to-kp-2016-06",
        Effect::Prohibited,
        &["dprk/2270/8/arms-embargo"],
    ),
    ("rug-to-kp-cheap", Effect::Permitted, &[]),
    (
        "rug-to-kp-expensive",
        Effect::Prohibited,
        &["dprk/2321/annex/luxury-goods"],
    ),
    (
        "statue-kp-2017",
        Effect::Prohibited,
        &["dprk/2321/29/statues"],
    ),
    (
        "vessel-export-kp-2018",
        Effect::Prohibited,
        &["dprk/2397/6/vessels-export"],
    ),
    (
        "work-new-kp-2017-10-01",
        Effect::Prohibited,
        &[
            "dprk/2375/17/work-authorizations",
            "dprk/2371/11/work-authorizations",
        ],
    ),
    (
        "work-new-kp-2017-08-20",
        Effect::Review,
        &["dprk/2371/11/work-authorizations"],
    ),
    (
        "work-new-kp-prior-contract",
        Effect::Review,
        &["dprk/2375/17/work-authorizations"],
    ),
    (
        "work-maintain-kp-2018",
        Effect::Review,
        &["dprk/2397/8/repatriation"],
    ),
    (
        "work-maintain-kp-2020",
        Effect::Prohibited,
        &["dprk/2397/8/repatriation-deadline"],
    ),
    ("work-new-cn-2018", Effect::Permitted, &[]),
    (
        "jv-open-2017-08-10",
        Effect::Prohibited,
        &["dprk/2371/12/joint-ventures"],
    ),
    (
        "jv-maintain-2017-10-01",
        Effect::Review,
        &["dprk/2375/18/joint-ventures"],
    ),
    (
        "jv-maintain-2018-02-01",
        Effect::Prohibited,
        &["dprk/2375/18/joint-ventures"],
    ),
    (
        "jv-maintain-hydro-2018",
        Effect::Review,
        &["dprk/2375/18/joint-ventures"],
    ),
    (
        "vessel-charter-kp-flag-2017-09",
        Effect::Prohibited,
        &["dprk/2371/7/dprk-flag-chartering"],
    ),
    (
        "vessel-sts-kp-flag-2018",
        Effect::Prohibited,
        &["dprk/2375/11/ship-to-ship"],
    ),
    (
        "vessel-sale-to-kp-2018",
        Effect::Prohibited,
        &["dprk/2397/14/vessels-to-dprk"],
    ),
    (
        "vessel-charter-to-kp-2016-05",
        Effect::Prohibited,
        &["dprk/2270/19/leasing-chartering"],
    ),
    (
        "payment-kp-bank-2017-01",
        Effect::Review,
        &[
            "dprk/2094/11/financial-services",
            "dprk/2321/32/trade-financial-support",
        ],
    ),
    ("payment-cn-to-de", Effect::Permitted, &[]),
    ("after-bad-lines", Effect::Prohibited, &["dprk/2371/8/coal"]),
    // 2397 para 6: imports under written contracts finalized before 22 December 2017 may land
    // up to 30 days from adoption (until 21 January 2018), on all five measures of the paragraph.
    (
        "food-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/food-agricultural"],
    ),
    (
        "machinery-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/machinery-electrical"],
    ),
    (
        "electrical-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/machinery-electrical"],
    ),
    (
        "magnesite-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/earth-stone"],
    ),
    (
        "wood-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/wood"],
    ),
    (
        "vessel-kp-2018-01-10-wind-down",
        Effect::Review,
        &["dprk/2397/6/vessels-export"],
    ),
    (
        "wood-kp-2018-01-21-last-day",
        Effect::Review,
        &["dprk/2397/6/wood"],
    ),
    (
        "wood-kp-2018-01-22-after-wind-down",
        Effect::Prohibited,
        &["dprk/2397/6/wood"],
    ),
    (
        "magnesite-kp-2018-01-10-contract-on-adoption-day",
        Effect::Prohibited,
        &["dprk/2397/6/earth-stone"],
    ),
    (
        "seafood-kp-2017-08-25-wind-down",
        Effect::Review,
        &["dprk/2371/9/seafood"],
    ),
    // Each measure cites the humanitarian exemption of its own resolution (or a later one).
    (
        "seafood-kp-2017-10-15-humanitarian-2375",
        Effect::Review,
        &["dprk/2371/9/seafood"],
    ),
    (
        "seafood-kp-2018-03-01-humanitarian-2397",
        Effect::Review,
        &["dprk/2371/9/seafood"],
    ),
    (
        "seafood-kp-2017-10-15-claims-2321-46",
        Effect::Prohibited,
        &["dprk/2371/9/seafood"],
    ),
    (
        "seafood-kp-2017-08-20-humanitarian-before-2375",
        Effect::Prohibited,
        &["dprk/2371/9/seafood"],
    ),
    (
        "textiles-kp-2018-03-01-humanitarian",
        Effect::Review,
        &["dprk/2375/16/textiles"],
    ),
    (
        "trucks-to-kp-2018-02-01-humanitarian",
        Effect::Review,
        &["dprk/2397/7/machinery-vehicles-metals"],
    ),
    (
        "statue-kp-2017-humanitarian-2321",
        Effect::Review,
        &["dprk/2321/29/statues"],
    ),
    // 2397 para 6: the seafood ban of 2371 para 9 covers fishing rights.
    (
        "fishing-rights-kp-2018-03-01",
        Effect::Prohibited,
        &["dprk/2371/9/fishing-rights"],
    ),
    ("fishing-rights-kp-2017-07-01", Effect::Permitted, &[]),
    ("fishing-rights-ru-2018-03-01", Effect::Permitted, &[]),
    (
        "fishing-rights-ru-waters-kp-buyer-2018",
        Effect::Review,
        &["dprk/2371/9/fishing-rights"],
    ),
    // An empty IMO number is an unknown IMO number, not a bad line.
    (
        "vessel-sts-kp-flag-empty-imo",
        Effect::Prohibited,
        &["dprk/2375/11/ship-to-ship"],
    ),
    (
        "vessel-charter-kp-flag-blank-imo",
        Effect::Prohibited,
        &["dprk/2371/7/dprk-flag-chartering"],
    ),
    // "No later than 24 months from the date of adoption": 22 December 2019 is still in time.
    (
        "work-maintain-kp-2019-12-22-last-day",
        Effect::Review,
        &["dprk/2397/8/repatriation"],
    ),
    (
        "work-maintain-kp-2019-12-23-deadline-passed",
        Effect::Prohibited,
        &["dprk/2397/8/repatriation-deadline"],
    ),
];

fn decision<'a>(results: &'a [LineResult], id: &str) -> &'a resolute_screening::Decision {
    match by_id(results, id) {
        LineResult::Decision(d) => d,
        LineResult::Error { error, .. } => panic!("{id}: expected a decision, got {error}"),
    }
}

fn finding<'a>(d: &'a resolute_screening::Decision, rule: &str) -> &'a resolute_screening::Finding {
    d.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("{}: no finding {rule} in {:#?}", d.id, d.findings))
}

#[test]
fn the_2397_para_6_wind_down_states_its_conditions() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    let f = finding(
        decision(&results, "food-kp-2018-01-10-wind-down"),
        "dprk/2397/6/food-agricultural",
    );
    assert_eq!(f.effect, Effect::Review);
    for needle in [
        "Wind-down",
        "completion allowed until 2018-01-21",
        "no later than 45 days after adoption (by 5 February 2018)",
    ] {
        assert!(
            f.summary.contains(needle),
            "{needle:?} not in {}",
            f.summary
        );
    }
    let late = finding(
        decision(&results, "wood-kp-2018-01-22-after-wind-down"),
        "dprk/2397/6/wood",
    );
    assert_eq!(late.effect, Effect::Prohibited);
    let seafood = finding(
        decision(&results, "seafood-kp-2017-08-25-wind-down"),
        "dprk/2371/9/seafood",
    );
    assert!(
        seafood
            .summary
            .contains("no later than 45 days after adoption (by 19 September 2017)"),
        "{}",
        seafood.summary
    );
}

#[test]
fn humanitarian_claims_cite_the_paragraph_of_the_right_resolution() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    let f = finding(
        decision(&results, "seafood-kp-2017-10-15-humanitarian-2375"),
        "dprk/2371/9/seafood",
    );
    assert!(f.summary.contains("(2375 para 26)"), "{}", f.summary);
    let f = finding(
        decision(&results, "seafood-kp-2018-03-01-humanitarian-2397"),
        "dprk/2371/9/seafood",
    );
    assert!(f.summary.contains("(2397 para 25)"), "{}", f.summary);
    let f = finding(
        decision(&results, "seafood-kp-2017-10-15-claims-2321-46"),
        "dprk/2371/9/seafood",
    );
    assert!(
        f.summary
            .contains("Claimed exception dprk/2321/46/humanitarian does not apply to this rule"),
        "{}",
        f.summary
    );
    let f = finding(
        decision(&results, "seafood-kp-2017-08-20-humanitarian-before-2375"),
        "dprk/2371/9/seafood",
    );
    assert!(
        f.summary.contains("not in force before 2017-09-11"),
        "{}",
        f.summary
    );
}

#[test]
fn an_unknown_exception_id_names_the_closest_valid_ids() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    let LineResult::Error { error, .. } = by_id(&results, "bad-exception-typo") else {
        panic!("bad-exception-typo: expected an error")
    };
    assert!(
        error.contains("unknown exception id \"dprk/2371/8/rajin-transt\"")
            && error.contains("closest: dprk/2371/8/rajin-transit, "),
        "{error}"
    );
}

#[test]
fn scenarios_come_out_right() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    for (id, effect, rules) in EXPECTED {
        let LineResult::Decision(d) = by_id(&results, id) else {
            panic!("{id}: expected a decision")
        };
        assert_eq!(d.decision, *effect, "{id}: {:#?}", d.findings);
        for rule in *rules {
            assert!(
                d.findings.iter().any(|f| f.rule == *rule),
                "{id}: no finding {rule} in {:#?}",
                d.findings
            );
        }
        if *effect == Effect::Permitted {
            assert!(d.findings.is_empty(), "{id}: {:#?}", d.findings);
        }
    }
}

#[test]
fn bad_lines_are_reported_and_the_batch_goes_on() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    for (id, needle) in [
        ("bad-country", "origin: unknown country code \"XX\""),
        (
            "bad-hs",
            "hs_code: HS code \"2799\" does not exist in HS2017",
        ),
        ("bad-exception", "unknown exception id \"rajin\""),
        ("bad-date", "date: \"2017-13-40\" is not an ISO date"),
    ] {
        let LineResult::Error { error, .. } = by_id(&results, id) else {
            panic!("{id}: expected an error")
        };
        assert!(error.contains(needle), "{id}: {error}");
    }
    assert!(results.iter().any(|r| matches!(r, LineResult::Error { id, error } if id.is_empty() && error.contains("not JSON"))));
}

#[test]
fn cap_findings_state_used_and_remaining() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    let LineResult::Decision(d) = by_id(&results, "petroleum-2018-09-01-over") else {
        panic!()
    };
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == "dprk/2397/5/refined-petroleum")
        .expect("cap finding");
    assert!(
        f.summary
            .contains("used 450,000 of 500,000 bbl, remaining 50,000"),
        "{}",
        f.summary
    );
    assert_eq!(f.paragraph, "5");
    assert!(f.verified);
    let LineResult::Decision(d) = by_id(&results, "petroleum-2019-01-05-new-period") else {
        panic!()
    };
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == "dprk/2397/5/refined-petroleum")
        .expect("cap finding");
    assert!(
        f.summary.contains("2019-01-01–2019-12-31") && f.summary.contains("remaining 400,000"),
        "{}",
        f.summary
    );
}

#[test]
fn scenario_output_snapshot() {
    let regime = Regime::embedded().expect("regime");
    let results = run(&regime, None, &fixture("scenarios.jsonl"));
    insta::assert_json_snapshot!("scenarios", results);
}

/// Party screening on the real UN Consolidated List (2026-02-27) and OFAC SDN (2024-05-03).
#[test]
fn parties_are_screened_as_of_the_transaction_date() {
    let regime = Regime::embedded().expect("regime");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/lists");
    let mut entities = Vec::new();
    for f in ["un/consolidated-2026-02-27.xml", "ofac/sdn-2024-05-03.csv"] {
        let v = resolute_lists::load_file(&root.join(f)).expect("list loads");
        entities.extend(v.entities);
    }
    let screener = ListScreener::new(entities);
    let results = run(&regime, Some(&screener), &fixture("parties.jsonl"));

    let LineResult::Decision(before) = by_id(&results, "ftb-2017-08-04") else {
        panic!()
    };
    assert_eq!(before.decision, Effect::Review, "{before:#?}");
    assert!(
        !before.matches.iter().any(|m| m.reference == "KPe.047"),
        "{before:#?}"
    );

    let LineResult::Decision(after) = by_id(&results, "ftb-2017-08-06") else {
        panic!()
    };
    assert_eq!(after.decision, Effect::Prohibited, "{after:#?}");
    assert!(
        after
            .matches
            .iter()
            .any(|m| m.reference == "KPe.047" && m.role == "beneficiary_bank")
    );
    let freeze = after
        .findings
        .iter()
        .find(|f| f.rule == "dprk/1718/8d/asset-freeze")
        .expect("asset freeze");
    assert!(
        freeze.summary.contains("resolution 2371"),
        "{}",
        freeze.summary
    );
    assert_eq!(freeze.paragraph, "8(d)");

    let LineResult::Decision(bic) = by_id(&results, "ftb-bic-ofac") else {
        panic!()
    };
    assert_eq!(bic.decision, Effect::Prohibited, "{bic:#?}");
    assert!(
        bic.findings.iter().any(|f| f.rule == "ofac/dprk3"),
        "{bic:#?}"
    );

    let LineResult::Decision(w) = by_id(&results, "worker-listed-2017-09") else {
        panic!()
    };
    assert_eq!(w.decision, Effect::Prohibited, "{w:#?}");
    assert!(w.matches.iter().any(|m| m.reference == "KPi.055"), "{w:#?}");
    assert!(
        w.findings
            .iter()
            .any(|f| f.rule == "dprk/1718/8e/travel-ban")
    );

    // 2371 para 6: a designated vessel may enter a port on return to its port of
    // origination, or when the Committee approved it in advance.
    let port = |id: &str| {
        let LineResult::Decision(d) = by_id(&results, id) else {
            panic!("{id}: expected a decision")
        };
        d.findings
            .iter()
            .find(|f| f.rule == "dprk/2371/6/designated-vessels-port-entry")
            .unwrap_or_else(|| panic!("{id}: no 2371 para 6 finding in {d:#?}"))
            .clone()
    };
    assert_eq!(
        port("port-entry-designated-2018").effect,
        Effect::Prohibited
    );
    let back = port("port-entry-return-to-port-of-origination");
    assert_eq!(back.effect, Effect::Review, "{}", back.summary);
    assert!(
        back.summary.contains("port of origination"),
        "{}",
        back.summary
    );
    let approved = port("port-entry-committee-approved");
    assert_eq!(approved.effect, Effect::Review, "{}", approved.summary);
    assert!(
        approved.summary.contains("humanitarian"),
        "{}",
        approved.summary
    );
    // An empty IMO number: the vessel is still screened, by name.
    assert_eq!(
        port("port-entry-designated-empty-imo").effect,
        Effect::Prohibited
    );
}
