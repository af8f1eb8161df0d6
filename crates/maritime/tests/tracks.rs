//! Track splitting (two vessels on one MMSI), suspected disabling, loitering and identity
//! changes, on scenarios built from the real NOAA tracks.

use std::path::PathBuf;

use resolute_maritime::events::{Details, Event, EventKind, GapClass};
use resolute_maritime::geo::{LatLon, offset};
use resolute_maritime::params::Parameters;
use resolute_maritime::scenario::{Path, Replay, replayed};
use resolute_maritime::store::{
    Fix, FixRecord, Format, StaticRecord, StoreBuilder, VesselKey, VesselStore,
};

fn real_fixes(mmsi: u32) -> Vec<Fix> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv");
    let mut builder = StoreBuilder::new();
    builder
        .ingest_file(&path, Format::Noaa)
        .expect("NOAA tracks");
    let store = builder.build(&Parameters::default()).expect("build");
    let track = store.tracks_of(VesselKey::Mmsi(mmsi))[0];
    store.track(track).expect("track").fixes.clone()
}

fn of_kind(store: &VesselStore, kind: EventKind) -> Vec<&Event> {
    store
        .all_events()
        .iter()
        .filter(|e| e.kind == kind)
        .collect()
}

const DAY: i64 = 1_641_168_000; // 2022-01-03T00:00:00Z
const SHARED_MMSI: u32 = 412_000_001;

/// WOOYANG VENUS's real hour at anchor (19 fixes, 0 kn), replayed for 24 h, and GULF
/// RASTAQ's real hour, replayed for 24 h, both broadcasting MMSI 412000001, ~110 km apart in
/// the East China Sea; the second vessel is silent from 06:00 to 19:00.
fn two_vessels_one_mmsi() -> StoreBuilder {
    let a = real_fixes(370_871_000);
    let b = real_fixes(311_017_100);
    let a_copies = (86_400 / Replay::from_fixes(&a).expect("a").period()) as usize;
    let b_copies = (86_400 / Replay::from_fixes(&b).expect("b").period()) as usize;
    let mut fixes: Vec<FixRecord> =
        replayed(SHARED_MMSI, &a, a_copies, DAY, LatLon::new(31.0, 124.5));
    let b_fixes = replayed(
        SHARED_MMSI,
        &b,
        b_copies,
        DAY + 20,
        LatLon::new(30.5, 125.5),
    );
    fixes.extend(
        b_fixes
            .into_iter()
            .filter(|f| f.time < DAY + 6 * 3600 || f.time >= DAY + 19 * 3600),
    );
    fixes.sort_by_key(|f| f.time);
    let mut builder = StoreBuilder::new();
    for f in &fixes {
        builder.add_fix("scenario", f);
    }
    builder
}

#[test]
fn two_vessels_on_one_mmsi_are_two_tracks_and_the_silent_one_has_its_gap() {
    let store = two_vessels_one_mmsi()
        .build(&Parameters::default())
        .expect("build");
    // Grouped by MMSI (as GFW does), the fixes would jump ~110 km every minute and the
    // second vessel's 13 h silence would be hidden by the first vessel's reports.
    let tracks = store.tracks_of(VesselKey::Mmsi(SHARED_MMSI));
    assert_eq!(tracks.len(), 2);
    assert!(of_kind(&store, EventKind::Spoofing).is_empty());
    let shared = of_kind(&store, EventKind::SharedMmsi);
    assert_eq!(shared.len(), 1);
    let gaps = of_kind(&store, EventKind::Gap);
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    let gap = gaps[0];
    let Details::Gap {
        class,
        hours,
        reasons,
        ..
    } = &gap.details
    else {
        panic!()
    };
    assert!((12.9..13.1).contains(hours), "{hours}");
    // 450 km off Shanghai, with the other vessel received nearby all along, and reporting
    // every minute before: GFW's suspected disabling.
    assert_eq!(*class, GapClass::SuspectedDisabling, "{reasons:?}");
    assert!((gap.position.expect("position").lat - 30.5).abs() < 1.0);
}

#[test]
fn a_slow_drift_far_offshore_is_loitering_and_near_the_coast_is_not() {
    let pattern = Replay::from_fixes(&real_fixes(311_000_391)).expect("CLERMONT");
    let times = pattern.times(DAY, DAY + 6 * 3600);
    let drift = |start: LatLon| {
        // 0.5 kn for 6 h: 5.6 km.
        Path::new(vec![
            (DAY, start),
            (DAY + 6 * 3600, offset(start, 5_556.0, 0.0)),
        ])
    };
    let mut builder = StoreBuilder::new();
    for f in drift(LatLon::new(30.5, 125.5)).fixes(311_000_391, &times) {
        builder.add_fix("scenario", &f);
    }
    let store = builder.build(&Parameters::default()).expect("build");
    let loitering = of_kind(&store, EventKind::Loitering);
    assert_eq!(loitering.len(), 1);
    let Details::Loitering {
        mean_speed_knots,
        hours,
        ..
    } = &loitering[0].details
    else {
        panic!()
    };
    assert!(
        (mean_speed_knots - 0.5).abs() < 0.05 && *hours > 5.9,
        "{mean_speed_knots} {hours}"
    );

    // The same drift 5 km off the DPRK coast west of Nampo: within 20 nm of shore.
    let mut builder = StoreBuilder::new();
    for f in drift(LatLon::new(38.6, 125.0)).fixes(311_000_391, &times) {
        builder.add_fix("scenario", &f);
    }
    let store = builder.build(&Parameters::default()).expect("build");
    assert!(of_kind(&store, EventKind::Loitering).is_empty());
}

#[test]
fn a_renamed_vessel_has_a_dated_name_change() {
    let fixes = real_fixes(370_871_000);
    let mut builder = StoreBuilder::new();
    for f in replayed(370_871_000, &fixes, 10, DAY, LatLon::new(31.0, 124.5)) {
        builder.add_fix("scenario", &f);
    }
    let renamed_at = DAY + 4 * 3600;
    for (time, name) in [
        (DAY, "WOOYANG VENUS"),
        (renamed_at, "NEW NAME 606"),
        (DAY + 8 * 3600, "NEW NAME 606"),
    ] {
        let record = StaticRecord {
            mmsi: 370_871_000,
            time,
            imo: Some(9_080_649),
            name: Some(name.into()),
            call_sign: Some("3EHV7".into()),
            ship_type: Some(70),
        };
        builder.add_static("scenario", 0, &record);
    }
    let store = builder.build(&Parameters::default()).expect("build");
    let changes = of_kind(&store, EventKind::IdentityChange);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].start, renamed_at);
    let Details::IdentityChange { field, old, new } = &changes[0].details else {
        panic!()
    };
    assert_eq!(
        (field.as_str(), old.as_deref(), new.as_deref()),
        ("name", Some("WOOYANG VENUS"), Some("NEW NAME 606"))
    );
    let history = store.vessel(VesselKey::Imo(9_080_649)).expect("history");
    let spans: Vec<(i64, i64, &str)> = history
        .identities
        .iter()
        .map(|d| (d.from, d.to, d.identity.name.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        spans,
        [
            (DAY, DAY, "WOOYANG VENUS"),
            (renamed_at, DAY + 8 * 3600, "NEW NAME 606")
        ]
    );
}

#[test]
fn kystverket_nmea_fills_the_store_with_dated_identities() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/ais/kystverket-ais-1000-lines-2019-08-07.nm4");
    let mut builder = StoreBuilder::new();
    let report = builder.ingest_file(&path, Format::Nmea).expect("sample");
    let store = builder.build(&Parameters::default()).expect("build");
    // 748 position reports (types 1, 3, 18): 742 stored, 5 at 91°/181° ("not available"),
    // 1 from an MMSI outside the ship range; 129 static reports (123 type 5, 6 type 24), 128
    // applied and 1 from an MMSI outside the ship range.
    assert_eq!(report.positions, 742);
    assert_eq!(
        report.count(resolute_maritime::ProblemKind::ImpossibleCoordinates),
        5
    );
    assert_eq!(report.count(resolute_maritime::ProblemKind::InvalidMmsi), 2);
    assert_eq!(report.static_reports, 128);
    // LILLGRUND's type 5 (lines 640-641, received 23:00:16 UTC) dates its identity.
    let history = store.vessel(VesselKey::Imo(8_741_856)).expect("LILLGRUND");
    let first = &history.identities[0];
    assert_eq!(
        (first.identity.mmsi, first.from),
        (219_010_942, 1_565_218_816)
    );
    assert_eq!(first.identity.call_sign.as_deref(), Some("OYBR2"));
    assert_eq!(
        first
            .identity
            .flag
            .as_ref()
            .and_then(|f| f.country.as_deref()),
        Some("DK")
    );
}
