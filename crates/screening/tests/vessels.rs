//! Vessel risk in screening: real NOAA tracks moved into DPRK-relevant waters and times, and
//! what a transaction on the vessel is decided to be.

use std::path::PathBuf;
use std::sync::OnceLock;

use resolute_maritime::Parameters;
use resolute_maritime::events::EventKind;
use resolute_maritime::geo::{LatLon, offset};
use resolute_maritime::places::PortIndex;
use resolute_maritime::scenario::{Path, Replay, shifted};
use resolute_maritime::store::{
    Fix, FixRecord, Format, StaticRecord, StoreBuilder, VesselKey, VesselStore,
};
use resolute_regime::{Effect, Regime};
use resolute_screening::vessels::{CONDUCT_RULES, ConductParams};
use resolute_screening::{
    Decision, ListScreener, PartyScreener, RawTransaction, Screener, Transaction,
};
use serde_json::json;

const NOAA_TRACKS: &str = "data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv";
/// WOOYANG VENUS (IMO 9080649, MMSI 370871000): 19 real fixes at 0 kn off Corpus Christi.
const WOOYANG_MMSI: u32 = 370_871_000;
const WOOYANG_IMO: u32 = 9_080_649;
/// 2017-08-27T00:00:00Z, the day the UN list says HAO FAN 6 loaded at Nampo.
const NAMPO_DAY: i64 = 1_503_792_000;
const DAY: i64 = 86_400;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn regime() -> &'static Regime {
    static R: OnceLock<Regime> = OnceLock::new();
    R.get_or_init(|| Regime::embedded().expect("regime"))
}

fn lists() -> &'static ListScreener {
    static L: OnceLock<ListScreener> = OnceLock::new();
    L.get_or_init(|| {
        let entities = resolute_lists::bundled()
            .expect("bundled lists")
            .into_iter()
            .flat_map(|v| v.entities)
            .collect();
        ListScreener::new(entities)
    })
}

/// The real fixes of one MMSI in the NOAA tracks.
fn real_fixes(mmsi: u32) -> Vec<Fix> {
    static STORE: OnceLock<VesselStore> = OnceLock::new();
    let store = STORE.get_or_init(|| {
        let mut b = StoreBuilder::new();
        b.ingest_file(&repo_file(NOAA_TRACKS), Format::Noaa)
            .expect("NOAA tracks");
        b.build(&Parameters::default()).expect("build")
    });
    let track = store.tracks_of(VesselKey::Mmsi(mmsi))[0];
    store.track(track).expect("track").fixes.clone()
}

fn identity(mmsi: u32, time: i64, imo: Option<u32>, name: &str) -> StaticRecord {
    StaticRecord {
        mmsi,
        time,
        imo,
        name: Some(name.into()),
        call_sign: None,
        ship_type: Some(70),
    }
}

fn nampo() -> LatLon {
    PortIndex::bundled()
        .expect("ports")
        .by_name("Nampo")
        .expect("Nampo")
        .position
}

/// WOOYANG VENUS's real track moved to `at`, starting at `start`, broadcasting `mmsi`.
fn wooyang_at(builder: &mut StoreBuilder, mmsi: u32, start: i64, at: LatLon) -> Vec<FixRecord> {
    let fixes = real_fixes(WOOYANG_MMSI);
    let moved = shifted(mmsi, &fixes, start - fixes[0].time, at);
    for f in &moved {
        builder.add_fix("scenario", f);
    }
    builder.add_static(
        "scenario",
        0,
        &identity(mmsi, moved[0].time, Some(WOOYANG_IMO), "WOOYANG VENUS"),
    );
    moved
}

/// The store with WOOYANG VENUS stopped 1 km north of Nampo on `day`.
fn nampo_call_store(day: i64) -> VesselStore {
    let mut b = StoreBuilder::new();
    wooyang_at(&mut b, WOOYANG_MMSI, day, offset(nampo(), 1_000.0, 0.0));
    b.build(&Parameters::default()).expect("build")
}

fn tx(value: serde_json::Value) -> Transaction {
    let raw: RawTransaction = serde_json::from_value(value).expect("raw transaction");
    Transaction::from_raw(raw, regime()).expect("valid transaction")
}

fn port_entry(date: &str) -> Transaction {
    tx(json!({
        "id": "port-entry", "kind": "vessel", "date": date, "action": "port_entry",
        "vessel": {"name": "WOOYANG VENUS", "imo": "9080649", "flag": "PA"}
    }))
}

fn screen(store: &VesselStore, t: &Transaction) -> Decision {
    let parties: &dyn PartyScreener = lists();
    Screener::new(regime(), Some(parties))
        .with_vessels(store, ConductParams::default())
        .screen(t)
}

fn rules(d: &Decision) -> Vec<&str> {
    d.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn every_cited_measure_exists_in_the_regime() {
    for rule in CONDUCT_RULES {
        if let Some(id) = rule.measure {
            let m = regime()
                .measure(id)
                .unwrap_or_else(|| panic!("{id} not in the regime"));
            assert_eq!(m.id, id);
        }
    }
}

#[test]
fn a_nampo_call_38_days_before_is_review_with_the_call_as_the_finding() {
    let store = nampo_call_store(NAMPO_DAY);
    let d = screen(&store, &port_entry("2017-10-04"));
    assert_eq!(d.decision, Effect::Review, "{d:#?}");
    assert_eq!(rules(&d), ["dprk/2270/18/cargo-inspection"]);
    let f = &d.findings[0];
    assert!(f.verified);
    assert_eq!(f.vessel_events.len(), 1);
    let call = &f.vessel_events[0];
    assert_eq!(call.kind, EventKind::PortVisit);
    let port = call.port.as_ref().expect("port");
    assert_eq!((port.name.as_str(), port.dprk), ("Nampo", true));
    assert_eq!(call.start, NAMPO_DAY);
    assert!(
        f.summary
            .contains("called at Nampo (KP NAM, WPI 60280), a DPRK port")
    );
    assert!(f.summary.contains("38 days before the transaction date"));
    insta::assert_json_snapshot!("nampo_call_decision", d);
}

#[test]
fn the_same_call_200_days_before_or_no_call_is_not_flagged() {
    // 200 days before 2017-10-04.
    let store = nampo_call_store(NAMPO_DAY - 162 * DAY);
    let d = screen(&store, &port_entry("2017-10-04"));
    assert_eq!(d.decision, Effect::Permitted, "{d:#?}");
    assert!(d.findings.is_empty());
    // The call is in the store: a longer window finds it.
    let wider = Screener::new(regime(), None)
        .with_vessels(
            &store,
            ConductParams {
                window_days: 210,
                ..ConductParams::default()
            },
        )
        .screen(&port_entry("2017-10-04"));
    assert_eq!(rules(&wider), ["dprk/2270/18/cargo-inspection"]);

    // The ship where it really was (off Corpus Christi), at the same time: nothing.
    let mut b = StoreBuilder::new();
    let fixes = real_fixes(WOOYANG_MMSI);
    let origin = fixes[0].position();
    wooyang_at(&mut b, WOOYANG_MMSI, NAMPO_DAY, origin);
    let store = b.build(&Parameters::default()).expect("build");
    let d = screen(&store, &port_entry("2017-10-04"));
    assert_eq!(d.decision, Effect::Permitted, "{d:#?}");
}

#[test]
fn the_dprk_flag_declared_or_broadcast_gets_the_flag_measures() {
    let empty = StoreBuilder::new()
        .build(&Parameters::default())
        .expect("build");
    // Declared: a port entry of a DPRK-flagged vessel → its cargo must be inspected.
    let declared = tx(json!({
        "id": "kp-flag", "kind": "vessel", "date": "2018-03-01", "action": "port_entry",
        "vessel": {"name": "Example Star", "imo": "9000002", "flag": "KP"}
    }));
    let d = screen(&empty, &declared);
    assert_eq!(rules(&d), ["dprk/2270/18/cargo-inspection"]);
    assert!(
        d.findings[0]
            .summary
            .contains("declared under the DPRK flag")
    );

    // Broadcast: the ship declared as Panamanian sent an MMSI with the DPRK's MID 445.
    let mut b = StoreBuilder::new();
    wooyang_at(&mut b, 445_000_123, NAMPO_DAY, LatLon::new(35.0, 125.0));
    let store = b.build(&Parameters::default()).expect("build");
    let charter = tx(json!({
        "id": "charter", "kind": "vessel", "date": "2017-10-04", "action": "charter",
        "vessel": {"name": "WOOYANG VENUS", "imo": "9080649", "flag": "PA"}
    }));
    let d = screen(&store, &charter);
    assert_eq!(d.decision, Effect::Prohibited, "{d:#?}");
    assert_eq!(
        rules(&d),
        [
            "dprk/2371/7/dprk-flag-chartering",
            "maritime/identity-mismatch"
        ]
    );
    assert!(
        d.findings[1]
            .summary
            .contains("declares flag PA; in the window the vessel broadcast flag KP"),
        "{}",
        d.findings[1].summary
    );
    // The broadcast MMSI is screened against the lists too.
    assert!(d.matches.is_empty());
}

/// Two vessels meet at `centre` for 3 h at 1 kn from 10:00 to 13:00 on `day` (each
/// reporting with a real track's pattern): WOOYANG VENUS (its real MMSI) and `other`.
fn meeting(day: i64, centre: LatLon, other: StaticRecord) -> VesselStore {
    let start = day + 10 * 3600;
    let end = start + 3 * 3600;
    let drift = 5_556.0;
    let a_meet = offset(centre, -100.0, -drift / 2.0);
    let b_meet = offset(centre, 100.0, -drift / 2.0);
    let a = Path::new(vec![
        (start - 3600, offset(a_meet, 0.0, -15_000.0)),
        (start, a_meet),
        (end, offset(a_meet, 0.0, drift)),
        (end + 3600, offset(a_meet, -15_000.0, drift)),
    ]);
    let b = Path::new(vec![
        (start - 3600, offset(b_meet, 15_000.0, 0.0)),
        (start, b_meet),
        (end, offset(b_meet, 0.0, drift)),
        (end + 3600, offset(b_meet, 15_000.0, drift)),
    ]);
    let pattern_a = Replay::from_fixes(&real_fixes(311_017_100)).expect("GULF RASTAQ");
    let pattern_b = Replay::from_fixes(&real_fixes(311_000_391)).expect("CLERMONT");
    let mut builder = StoreBuilder::new();
    for f in a.fixes(
        WOOYANG_MMSI,
        &pattern_a.times(start - 3600 + 17, end + 3600),
    ) {
        builder.add_fix("scenario", &f);
    }
    builder.add_static(
        "scenario",
        0,
        &identity(
            WOOYANG_MMSI,
            start - 3600,
            Some(WOOYANG_IMO),
            "WOOYANG VENUS",
        ),
    );
    for f in b.fixes(other.mmsi, &pattern_b.times(start - 3600 + 41, end + 3600)) {
        builder.add_fix("scenario", &f);
    }
    builder.add_static("scenario", 0, &other);
    builder.build(&Parameters::default()).expect("build")
}

/// 30 km off the DPRK's west coast, 80 km from Nampo (the maritime crate's encounter test).
const OFFSHORE: LatLon = LatLon {
    lat: 38.43,
    lon: 124.53,
};

#[test]
fn an_encounter_with_a_dprk_flagged_vessel_cites_the_ship_to_ship_ban_as_unverified() {
    let day = 1_515_110_400; // 2018-01-05
    let other = identity(445_000_777, day, None, "EXAMPLE KP TANKER");
    let store = meeting(day, OFFSHORE, other);
    let d = screen(&store, &port_entry("2018-02-01"));
    assert_eq!(d.decision, Effect::Review, "{d:#?}");
    assert_eq!(
        rules(&d),
        [
            "dprk/2375/11/ship-to-ship",
            "dprk/2397/9/seize-inspect-freeze"
        ]
    );
    let sts = &d.findings[0];
    assert!(!sts.verified);
    assert!(sts.summary.contains("Unverified"), "{}", sts.summary);
    assert!(
        sts.summary
            .contains("MMSI 445000777 carries the DPRK's MID 445")
    );
    let e = &sts.vessel_events[0];
    assert_eq!(e.kind, EventKind::Encounter);
    assert_eq!(e.vessel.mmsi, WOOYANG_MMSI);
    assert_eq!((e.start, e.end), (day + 10 * 3600, day + 13 * 3600));
    // The same meeting before 2375 (adopted 11 September 2017) breached no ship-to-ship ban.
    let early = 1_501_891_200; // 2017-08-05
    let store = meeting(
        early,
        OFFSHORE,
        identity(445_000_777, early, None, "EXAMPLE KP TANKER"),
    );
    let d = screen(&store, &port_entry("2017-10-01"));
    assert!(d.findings.is_empty(), "{d:#?}");
}

#[test]
fn an_encounter_with_a_listed_dprk_vessel_names_the_entry() {
    // The other vessel broadcasts the IMO of CHONG CHON GANG (OFAC SDN 17069, DPRK flag)
    // from a Sierra Leone MMSI.
    let day = 1_515_110_400;
    let other = identity(667_001_234, day, Some(7_937_317), "DUK SAN");
    let store = meeting(day, OFFSHORE, other);
    let d = screen(&store, &port_entry("2018-02-01"));
    assert_eq!(
        rules(&d),
        [
            "dprk/2375/11/ship-to-ship",
            "maritime/encounter-listed",
            "dprk/2397/9/seize-inspect-freeze"
        ],
        "{d:#?}"
    );
    assert!(
        d.findings[0].summary.contains(
            "The other vessel is 17069 CHONG CHON GANG, DPRK-flagged by the ofac-sdn list"
        ),
        "{}",
        d.findings[0].summary
    );
    assert!(d.findings[1].summary.contains("national list only"));
}

#[test]
fn a_dark_period_from_which_a_dprk_port_was_reachable_is_review() {
    // Sailing north 100 km west of Nampo, silent for 20 h, back where it went dark.
    let day = 1_515_110_400;
    let west = offset(nampo(), -40_000.0, -100_000.0);
    let mut b = StoreBuilder::new();
    let pattern = Replay::from_fixes(&real_fixes(311_017_100)).expect("GULF RASTAQ");
    let path = Path::new(vec![
        (day, offset(west, -20_000.0, 0.0)),
        (day + 4 * 3600, west),
    ]);
    for f in path.fixes(WOOYANG_MMSI, &pattern.times(day, day + 4 * 3600)) {
        b.add_fix("scenario", &f);
    }
    let back = day + 24 * 3600;
    let path = Path::new(vec![
        (back, west),
        (back + 4 * 3600, offset(west, 20_000.0, 0.0)),
    ]);
    for f in path.fixes(WOOYANG_MMSI, &pattern.times(back, back + 4 * 3600)) {
        b.add_fix("scenario", &f);
    }
    b.add_static(
        "scenario",
        0,
        &identity(WOOYANG_MMSI, day, Some(WOOYANG_IMO), "WOOYANG VENUS"),
    );
    let store = b.build(&Parameters::default()).expect("build");
    let d = screen(&store, &port_entry("2018-02-01"));
    assert_eq!(rules(&d), ["dprk/2270/18/cargo-inspection"], "{d:#?}");
    let f = &d.findings[0];
    assert_eq!(f.vessel_events[0].kind, EventKind::Gap);
    assert!(
        f.summary.contains("could have been called at"),
        "{}",
        f.summary
    );

    // The same 20 h silence 450 km off Shanghai: no DPRK port within reach.
    let mut b = StoreBuilder::new();
    let far = LatLon::new(31.0, 126.0);
    for (from, to, t0) in [
        (offset(far, -20_000.0, 0.0), far, day),
        (far, offset(far, 20_000.0, 0.0), back),
    ] {
        let path = Path::new(vec![(t0, from), (t0 + 4 * 3600, to)]);
        for f in path.fixes(WOOYANG_MMSI, &pattern.times(t0, t0 + 4 * 3600)) {
            b.add_fix("scenario", &f);
        }
    }
    b.add_static(
        "scenario",
        0,
        &identity(WOOYANG_MMSI, day, Some(WOOYANG_IMO), "WOOYANG VENUS"),
    );
    let store = b.build(&Parameters::default()).expect("build");
    let d = screen(&store, &port_entry("2018-02-01"));
    assert!(d.findings.is_empty(), "{d:#?}");
}

#[test]
fn a_declared_name_the_vessel_never_broadcast_is_an_identity_mismatch() {
    let mut b = StoreBuilder::new();
    let origin = real_fixes(WOOYANG_MMSI)[0].position();
    wooyang_at(&mut b, WOOYANG_MMSI, NAMPO_DAY - 300 * DAY, origin);
    let store = b.build(&Parameters::default()).expect("build");
    let renamed = tx(json!({
        "id": "renamed", "kind": "vessel", "date": "2017-01-10", "action": "register",
        "vessel": {"name": "OCEAN PEARL", "imo": "9080649", "mmsi": "370871000"}
    }));
    let d = screen(&store, &renamed);
    assert_eq!(rules(&d), ["maritime/identity-mismatch"], "{d:#?}");
    assert_eq!(d.findings[0].resolution, None);
    assert!(
        d.findings[0].summary.contains(
            "declares name OCEAN PEARL; in the window the vessel broadcast name WOOYANG VENUS"
        ),
        "{}",
        d.findings[0].summary
    );
}

#[test]
fn an_mmsi_on_a_list_is_a_match_and_a_broadcast_listed_imo_is_prohibited() {
    // ARTAVIL (OFAC SDN 15036, IRAN) carries MMSI 572469210 in its remarks.
    let empty = StoreBuilder::new()
        .build(&Parameters::default())
        .expect("build");
    let by_mmsi = tx(json!({
        "id": "mmsi", "kind": "vessel", "date": "2024-06-01", "action": "port_entry",
        "vessel": {"name": "Some Tanker", "mmsi": "572469210"}
    }));
    let d = screen(&empty, &by_mmsi);
    assert_eq!(d.matches.len(), 1, "{d:#?}");
    assert_eq!(
        (d.matches[0].reference.as_str(), d.matches[0].party.by),
        ("15036", "mmsi")
    );

    // A ship declared without an IMO whose MMSI broadcast CHONG CHON GANG's IMO.
    let mut b = StoreBuilder::new();
    let fixes = real_fixes(WOOYANG_MMSI);
    for f in shifted(
        667_001_234,
        &fixes,
        NAMPO_DAY - fixes[0].time,
        LatLon::new(35.0, 125.0),
    ) {
        b.add_fix("scenario", &f);
    }
    b.add_static(
        "scenario",
        0,
        &identity(667_001_234, NAMPO_DAY, Some(7_937_317), "DUK SAN"),
    );
    let store = b.build(&Parameters::default()).expect("build");
    let declared = tx(json!({
        "id": "laundered", "kind": "vessel", "date": "2017-10-04", "action": "port_entry",
        "vessel": {"name": "DUK SAN", "mmsi": "667001234", "flag": "SL"}
    }));
    let d = screen(&store, &declared);
    let ais: Vec<(&str, &str)> = d
        .matches
        .iter()
        .map(|m| (m.role.as_str(), m.reference.as_str()))
        .collect();
    assert!(ais.contains(&("vessel (AIS)", "17069")), "{ais:?}");
    assert_eq!(d.decision, Effect::Prohibited);
}
