//! Exposure in screening, on the bundled lists and the analyst edge of
//! issue 13: a payment to an unlisted company owned 60 % by the Foreign
//! Trade Bank (UN KPe.047, listed 2017-08-05 by resolution 2371).

use std::sync::{Arc, OnceLock};

use resolute_graph::{GraphSources, Rules, analyst};
use resolute_regime::{Effect, Regime};
use resolute_screening::{
    Decision, GraphExposure, LineResult, ListHit, ListScreener, MatchSuppressor, ScreenedParty,
    Screener,
};

/// FTB owns 60 % of Acme Trading Co from 2016-01-01 (the issue's example),
/// and controls Acme Shipping without a known share (an indicative path).
const EDGES: &str = "from,to,to_name,kind,share,start,source\n\
    un:KPe.047,acme-trading,Acme Trading Co,ownership,60,2016-01-01,test scenario (issue 13)\n\
    un:KPe.047,acme-shipping,Acme Shipping Ltd,control,,2016-01-01,test scenario\n";

struct World {
    regime: Regime,
    parties: ListScreener,
    exposure: GraphExposure,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let lists = resolute_lists::bundled().expect("lists");
        let built = GraphSources::new()
            .lists(&lists)
            .analyst(analyst::parse_csv("edges.csv", EDGES.as_bytes()).expect("edges"))
            .build();
        let entities = lists.iter().flat_map(|v| v.entities.clone()).collect();
        World {
            regime: Regime::embedded().expect("regime"),
            parties: ListScreener::new(entities),
            exposure: GraphExposure::new(Arc::new(built.graph), &Rules::bundled().expect("rules")),
        }
    })
}

fn payment(date: &str, payee: &str) -> String {
    format!(
        r#"{{"id":"pay-{date}","kind":"payment","date":"{date}","value_usd":250000,"parties":[{{"role":"payer","name":"Example Importers GmbH","country":"DE"}},{{"role":"payee","name":"{payee}","country":"CN"}}]}}"#
    )
}

fn screen(line: &str, suppressor: Option<&dyn MatchSuppressor>) -> Decision {
    let w = world();
    let mut s = Screener::new(&w.regime, Some(&w.parties)).with_exposure(&w.exposure);
    if let Some(f) = suppressor {
        s = s.with_suppressions(f);
    }
    match s.screen_line(&w.regime, line, 1) {
        LineResult::Decision(d) => d,
        LineResult::Error { error, .. } => panic!("{error}"),
    }
}

#[test]
fn payment_to_a_company_owned_60_percent_by_ftb_is_prohibited_from_its_un_listing() {
    let d = screen(&payment("2017-08-06", "Acme Trading Co"), None);
    assert_eq!(d.decision, Effect::Prohibited, "{d:#?}");
    let freeze = d
        .findings
        .iter()
        .find(|f| f.rule == "dprk/1718/8d/asset-freeze")
        .expect("asset-freeze finding");
    assert_eq!(freeze.effect, Effect::Prohibited);
    assert_eq!(
        (freeze.resolution, freeze.paragraph.as_str()),
        (Some(1718), "8(d)")
    );
    assert_eq!(freeze.entity.as_deref(), Some("analyst:acme-trading"));
    // The path, with the root's listing date and the edge's source.
    assert!(
        freeze.summary.contains(
            "FOREIGN TRADE BANK (FTB) (un KPe.047, listed 2017-08-05) owns 60 % of Acme Trading Co \
             [from 2016-01-01; edges.csv:2]"
        ),
        "{}",
        freeze.summary
    );
    assert!(
        freeze.summary.contains("designated by"),
        "{}",
        freeze.summary
    );
    // The match names the root and carries the exposure.
    let m = d
        .matches
        .iter()
        .find(|m| m.exposure.is_some())
        .expect("exposure match");
    assert_eq!(
        (m.role.as_str(), m.reference.as_str()),
        ("payee", "KPe.047")
    );
    assert_eq!(m.entity_id, "un-kpe.047");
    let e = m.exposure.as_deref().expect("exposure");
    assert_eq!((e.rule.as_str(), e.stake_percent), ("un", Some(60.0)));
    // OFAC: the same party is SDN 15603, whose file gives no listing date: review, not blocked.
    let ofac = d
        .findings
        .iter()
        .find(|f| f.rule.starts_with("ofac/"))
        .expect("ofac finding");
    assert_eq!(ofac.effect, Effect::Review);
    assert!(
        ofac.summary.contains("no designation date"),
        "{}",
        ofac.summary
    );
    insta::assert_json_snapshot!("ftb_60_payment_2017_08_06", d);
}

#[test]
fn the_day_before_the_un_listing_the_same_payment_is_not_prohibited() {
    let d = screen(&payment("2017-08-04", "Acme Trading Co"), None);
    assert_ne!(d.decision, Effect::Prohibited, "{d:#?}");
    assert!(
        !d.findings
            .iter()
            .any(|f| f.rule == "dprk/1718/8d/asset-freeze")
    );
    // What remains is OFAC's undated designation, for review (and a fuzzy
    // name match on another program's entry, YAKIMA TRADING CORPORATION).
    assert_eq!(d.decision, Effect::Review);
    assert!(d.findings.iter().all(|f| f.effect == Effect::Review));
    let exposed: Vec<&str> = d
        .findings
        .iter()
        .filter(|f| f.entity.as_deref() == Some("analyst:acme-trading"))
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(exposed, ["ofac/dprk3"]);
}

#[test]
fn a_control_path_without_a_share_is_for_review() {
    let d = screen(&payment("2017-08-06", "ACME SHIPPING LTD."), None);
    let freeze = d
        .findings
        .iter()
        .find(|f| f.rule == "dprk/1718/8d/asset-freeze")
        .expect("asset-freeze finding");
    assert_eq!(freeze.effect, Effect::Review);
    assert!(
        freeze.summary.contains("controls Acme Shipping Ltd"),
        "{}",
        freeze.summary
    );
    assert_eq!(d.decision, Effect::Review);
}

#[test]
fn unknown_and_listed_parties_get_no_exposure_match() {
    let d = screen(&payment("2017-08-06", "Unrelated Trading Co"), None);
    assert_eq!(d.decision, Effect::Permitted, "{d:#?}");
    assert!(d.matches.is_empty());
    // FTB itself is a list match, not an exposure.
    let d = screen(&payment("2017-08-06", "Foreign Trade Bank"), None);
    assert!(
        d.matches
            .iter()
            .any(|m| m.reference == "KPe.047" && m.exposure.is_none())
    );
    assert!(d.matches.iter().all(|m| m.exposure.is_none()));
}

/// Clears (party as screened, root entry) pairs, as casework's suppressions do.
struct Cleared(&'static str, &'static str);

impl MatchSuppressor for Cleared {
    fn suppression(&self, party: &ScreenedParty, hit: &ListHit) -> Option<serde_json::Value> {
        (party.value == self.0 && hit.entity_id == self.1)
            .then(|| serde_json::json!({"case_id": 1}))
    }
}

#[test]
fn a_false_positive_decision_clears_the_party_and_root_pair() {
    let cleared = Cleared("Acme Trading Co", "un-kpe.047");
    let d = screen(&payment("2017-08-06", "Acme Trading Co"), Some(&cleared));
    let un = d
        .matches
        .iter()
        .find(|m| m.entity_id == "un-kpe.047")
        .expect("un match");
    assert!(un.suppressed);
    assert!(
        !d.findings
            .iter()
            .any(|f| f.rule == "dprk/1718/8d/asset-freeze")
    );
    // The OFAC root (another entry) is not cleared by it.
    assert!(
        d.matches
            .iter()
            .any(|m| m.entity_id == "ofac-sdn-15603" && !m.suppressed)
    );
    assert_eq!(d.decision, Effect::Review);
}
