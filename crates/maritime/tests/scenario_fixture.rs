//! The scenario fixture `tests/fixtures/ais/scenario-nampo-call-2017-08-27.csv`: a real
//! vessel's reporting pattern laid along a call at Nampo, as NOAA MarineCadastre CSV. The
//! service's API and browser tests and the README's example ingest it; this test rebuilds it
//! from the real data and fails if the file differs (`UPDATE_FIXTURES=1` rewrites it).
//!
//! WOOYANG VENUS (IMO 9080649, MMSI 370871000) reports on 2022-01-03 at its real times
//! (`data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv`); the pattern is
//! replayed from 2017-08-26 21:00Z, thinned to one report per 10 minutes: in from the Korea
//! Bay at ~9 kn, 24 h stopped 1 km north of Nampo's World Port Index position, out again.

use std::path::PathBuf;

use resolute_maritime::events::EventKind;
use resolute_maritime::geo::{LatLon, offset};
use resolute_maritime::params::Parameters;
use resolute_maritime::places::PortIndex;
use resolute_maritime::scenario::{Path, Replay, noaa_csv};
use resolute_maritime::store::{Format, StaticRecord, StoreBuilder, VesselKey};

const FIXTURE: &str = "tests/fixtures/ais/scenario-nampo-call-2017-08-27.csv";
const NOAA_TRACKS: &str = "data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv";

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn scenario_csv() -> String {
    let mut real = StoreBuilder::new();
    real.ingest_file(&repo_file(NOAA_TRACKS), Format::Noaa)
        .expect("NOAA tracks");
    let real = real.build(&Parameters::default()).expect("build");
    let track = real.tracks_of(VesselKey::Mmsi(370_871_000))[0];
    let pattern = Replay::from_fixes(&real.track(track).expect("track").fixes).expect("pattern");

    let nampo = PortIndex::bundled()
        .expect("ports")
        .by_name("Nampo")
        .expect("Nampo")
        .position;
    let berth = offset(nampo, 1_000.0, 0.0);
    let sea = LatLon::new(38.55, 124.95);
    let t0 = 1_503_781_200; // 2017-08-26T21:00:00Z
    let path = Path::new(vec![
        (t0, sea),
        (t0 + 3 * 3600, berth),
        (t0 + 27 * 3600, berth),
        (t0 + 30 * 3600, sea),
    ]);
    let mut times = pattern.times(t0, t0 + 30 * 3600);
    times.dedup_by_key(|t| *t / 600);
    let fixes = path.fixes(370_871_000, &times);
    let identity = StaticRecord {
        mmsi: 370_871_000,
        time: t0,
        imo: Some(9_080_649),
        name: Some("WOOYANG VENUS".into()),
        call_sign: Some("3FFB9".into()),
        ship_type: Some(70),
    };
    noaa_csv(&fixes, Some(&identity))
}

#[test]
fn the_nampo_call_fixture_is_the_real_pattern_moved_to_nampo() {
    let csv = scenario_csv();
    let path = repo_file(FIXTURE);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &csv).expect("write fixture");
    }
    let stored = std::fs::read_to_string(&path).expect("fixture (UPDATE_FIXTURES=1 writes it)");
    assert_eq!(stored, csv, "{FIXTURE} differs from its recipe");

    // Read back as a file: one vessel, one DPRK port visit at Nampo that it left.
    let mut b = StoreBuilder::new();
    let report = b.ingest_file(&path, Format::Noaa).expect("fixture");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.positions, 180);
    let store = b.build(&Parameters::default()).expect("build");
    let visits: Vec<_> = store
        .all_events()
        .iter()
        .filter(|e| e.kind == EventKind::PortVisit)
        .collect();
    assert_eq!(visits.len(), 1, "{visits:#?}");
    let port = visits[0].port.as_ref().expect("port");
    assert_eq!((port.name.as_str(), port.dprk), ("Nampo", true));
    assert_eq!(
        chrono::DateTime::from_timestamp(visits[0].start, 0)
            .map(|d| d.date_naive().to_string())
            .as_deref(),
        Some("2017-08-26")
    );
}
