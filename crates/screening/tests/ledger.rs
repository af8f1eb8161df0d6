//! The cap ledger keyed by stable ids: seeded with opening amounts, draws
//! recorded for the caller to persist, and suppressed party matches.

use chrono::NaiveDate;
use resolute_model::Schema;
use resolute_regime::{CapUnit, Effect, Regime};
use resolute_screening::{
    CapKey, CapLedger, LineResult, ListHit, MatchSuppressor, PartyScreener, ScreenedParty,
    Screener, may_draw_cap, parse_cap_unit,
};

const PETROLEUM: &str = "dprk/2397/5/refined-petroleum";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn petroleum(id: &str, day: &str, bbl: u32) -> String {
    format!(
        r#"{{"id":"{id}","kind":"goods","date":"{day}","hs_code":"2710.19","origin":"CN","from":"CN","to":"KP","quantity":{bbl},"unit":"bbl"}}"#
    )
}

fn decision(r: LineResult) -> resolute_screening::Decision {
    match r {
        LineResult::Decision(d) => d,
        LineResult::Error { error, .. } => panic!("{error}"),
    }
}

fn petroleum_finding(d: &resolute_screening::Decision) -> &resolute_screening::Finding {
    d.findings
        .iter()
        .find(|f| f.rule == PETROLEUM)
        .unwrap_or_else(|| panic!("no {PETROLEUM} finding: {d:?}"))
}

#[test]
fn separate_screeners_share_a_seeded_ledger() {
    let regime = Regime::embedded().expect("regime");
    let period = date("2018-01-01");
    // First "request": 300,000 bbl, a fresh ledger that records its draws.
    let mut first = Screener::with_ledger(&regime, None, CapLedger::recording());
    let d1 = decision(first.screen_line(&regime, &petroleum("a", "2018-02-01", 300_000), 1));
    assert_eq!(d1.decision, Effect::Review, "{d1:?}");
    let draws = first.ledger_mut().take_draws();
    assert_eq!(draws.len(), 1, "{draws:?}");
    assert_eq!(
        (
            draws[0].transaction.as_str(),
            draws[0].measure.as_str(),
            draws[0].period_start,
            draws[0].unit,
            draws[0].amount
        ),
        ("a", PETROLEUM, period, CapUnit::Bbl, 300_000.0)
    );
    assert_eq!(draws[0].period_end, date("2018-12-31"));

    // Second "request": seeded with what the first used (as a store would).
    let balances: Vec<(CapKey, f64)> = first
        .ledger()
        .balances()
        .map(|(k, v)| (k.clone(), v))
        .collect();
    let mut second = Screener::with_ledger(&regime, None, CapLedger::seeded(balances.clone()));
    let d2 = decision(second.screen_line(&regime, &petroleum("b", "2018-06-01", 150_000), 1));
    assert_eq!(d2.decision, Effect::Review, "{d2:?}");
    assert!(
        petroleum_finding(&d2)
            .summary
            .contains("used 450,000 of 500,000 bbl, remaining 50,000"),
        "{d2:?}"
    );
    assert_eq!(
        second.ledger().draws().len(),
        1,
        "only this screening's draws are recorded"
    );

    // Third: 100,000 bbl would exceed: prohibited, nothing drawn.
    let mut third = Screener::with_ledger(
        &regime,
        None,
        CapLedger::seeded([(CapKey::new(PETROLEUM, period, CapUnit::Bbl), 450_000.0)]),
    );
    let d3 = decision(third.screen_line(&regime, &petroleum("c", "2018-09-01", 100_000), 1));
    assert_eq!(d3.decision, Effect::Prohibited, "{d3:?}");
    assert!(
        petroleum_finding(&d3).summary.contains("remaining 50,000"),
        "{d3:?}"
    );
    assert!(third.ledger().draws().is_empty());
    assert_eq!(
        third.ledger().used(PETROLEUM, period, CapUnit::Bbl),
        450_000.0
    );

    // The default ledger (draw-down within one run) keeps no list of draws.
    let mut plain = Screener::new(&regime, None);
    plain.screen_line(&regime, &petroleum("e", "2018-02-01", 1), 1);
    assert!(plain.ledger().draws().is_empty());
    assert_eq!(plain.ledger().used(PETROLEUM, period, CapUnit::Bbl), 1.0);

    // An opening amount in another period does not count in this one.
    let mut other = Screener::with_ledger(
        &regime,
        None,
        CapLedger::seeded([(
            CapKey::new(PETROLEUM, date("2019-01-01"), CapUnit::Bbl),
            499_000.0,
        )]),
    );
    assert_eq!(
        decision(other.screen_line(&regime, &petroleum("d", "2018-09-01", 100_000), 1)).decision,
        Effect::Review
    );
}

#[test]
fn only_capped_goods_may_draw() {
    let regime = Regime::embedded().expect("regime");
    let parse = |line: &str| {
        let raw = serde_json::from_str(line).expect("json");
        resolute_screening::Transaction::from_raw(raw, &regime).expect("valid")
    };
    assert!(may_draw_cap(
        &regime,
        &parse(&petroleum("p", "2018-02-01", 1))
    ));
    // Before any cap on refined petroleum was in force.
    assert!(!may_draw_cap(
        &regime,
        &parse(&petroleum("p", "2016-02-01", 1))
    ));
    assert!(!may_draw_cap(
        &regime,
        &parse(
            r#"{"id":"c","kind":"goods","date":"2017-10-02","hs_code":"2701","origin":"KP","from":"KP","to":"CN"}"#
        )
    ));
    assert_eq!(parse_cap_unit("USD"), Some(CapUnit::Usd));
    assert_eq!(parse_cap_unit("barrels"), None);
}

/// A fixed list: one DPRK entity that any name containing "ocean" matches.
struct OneEntry;

impl PartyScreener for OneEntry {
    fn screen_name(
        &self,
        schema: Schema,
        name: &str,
        _country: Option<&str>,
        _as_of: NaiveDate,
    ) -> Vec<ListHit> {
        if !name.to_lowercase().contains("ocean") {
            return Vec::new();
        }
        vec![ListHit {
            entity_id: "un-kpe.999".into(),
            reference: "KPe.999".into(),
            caption: "OCEAN MARITIME TEST".into(),
            schema: if schema == Schema::Vessel {
                Schema::Vessel
            } else {
                Schema::Organization
            },
            source: resolute_model::Source::Un,
            programs: vec!["DPRK".into()],
            listed_on: Some(date("2016-03-02")),
            score: 0.81,
            by: "name",
        }]
    }
    fn screen_imo(&self, _imo: &str, _as_of: NaiveDate) -> Vec<ListHit> {
        Vec::new()
    }
    fn screen_bic(&self, _bic: &str, _as_of: NaiveDate) -> Vec<ListHit> {
        Vec::new()
    }
}

/// Clears the pair (party name "Ocean Star Trading", entry un-kpe.999) only.
struct ClearOceanStar;

impl MatchSuppressor for ClearOceanStar {
    fn suppression(&self, party: &ScreenedParty, hit: &ListHit) -> Option<serde_json::Value> {
        (party.by == "name"
            && party.value.eq_ignore_ascii_case("Ocean Star Trading")
            && hit.entity_id == "un-kpe.999")
            .then(|| serde_json::json!({"case_id": 7}))
    }
}

#[test]
fn suppressed_match_is_shown_but_does_not_decide() {
    let regime = Regime::embedded().expect("regime");
    let payment = |name: &str| {
        format!(
            r#"{{"id":"pay","kind":"payment","date":"2018-03-01","parties":[{{"role":"beneficiary","name":"{name}","country":"SG"}}]}}"#
        )
    };
    let mut plain = Screener::new(&regime, Some(&OneEntry));
    let before = decision(plain.screen_line(&regime, &payment("Ocean Star Trading"), 1));
    assert_eq!(before.decision, Effect::Prohibited, "{before:?}");
    assert!(
        before
            .findings
            .iter()
            .any(|f| f.rule == "dprk/1718/8d/asset-freeze")
    );
    assert!(!before.matches[0].suppressed);

    let filter = ClearOceanStar;
    let mut cleared = Screener::new(&regime, Some(&OneEntry)).with_suppressions(&filter);
    let after = decision(cleared.screen_line(&regime, &payment("Ocean Star Trading"), 1));
    assert_eq!(after.decision, Effect::Permitted, "{after:?}");
    assert!(after.findings.is_empty(), "{after:?}");
    let m = &after.matches[0];
    assert!(m.suppressed);
    assert_eq!(m.reference, "KPe.999");
    // The key is the party as screened, not the list entry.
    assert_eq!(
        (
            m.party.value.as_str(),
            m.party.country.as_deref(),
            m.party.schema
        ),
        ("Ocean Star Trading", Some("SG"), Some(Schema::LegalEntity))
    );
    let out = serde_json::to_value(&after).expect("json");
    assert_eq!(out["matches"][0]["suppressed"], true);
    assert_eq!(out["matches"][0]["suppression"]["case_id"], 7);
    // Another party matching the same entry is not cleared.
    let other = decision(cleared.screen_line(&regime, &payment("Ocean Moon Shipping"), 1));
    assert_eq!(other.decision, Effect::Prohibited);
    // Unsuppressed matches keep the output contract {role, ref, name, score}.
    let plain_out = serde_json::to_value(&before).expect("json");
    let keys: Vec<&String> = plain_out["matches"][0]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
}
