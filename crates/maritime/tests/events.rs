//! The detectors on the real NOAA tracks, and on scenarios built from them.

use std::path::PathBuf;

use resolute_maritime::events::{Details, Event, EventKind, GapClass, distance_to_shore_m};
use resolute_maritime::geo::{LatLon, distance_m, offset};
use resolute_maritime::params::Parameters;
use resolute_maritime::places::{PortIndex, Shore};
use resolute_maritime::report::ProblemKind;
use resolute_maritime::scenario::{Path, Replay, shifted};
use resolute_maritime::store::{
    Fix, FixRecord, Format, StaticRecord, StoreBuilder, VesselKey, VesselStore,
};

const NOAA_TRACKS: &str = "data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv";

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn noaa_store(params: &Parameters) -> VesselStore {
    let mut builder = StoreBuilder::new();
    builder
        .ingest_file(&repo_file(NOAA_TRACKS), Format::Noaa)
        .expect("NOAA tracks");
    builder.build(params).expect("build")
}

fn of_kind(store: &VesselStore, kind: EventKind) -> Vec<&Event> {
    store
        .all_events()
        .iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// The real fixes of one MMSI in the NOAA tracks.
fn real_fixes(mmsi: u32) -> Vec<Fix> {
    let store = noaa_store(&Parameters::default());
    let track = store.tracks_of(VesselKey::Mmsi(mmsi))[0];
    store.track(track).expect("track").fixes.clone()
}

#[test]
fn real_noaa_tracks_with_gfw_defaults() {
    let store = noaa_store(&Parameters::default());
    let report = store.report();
    // 12,634 rows, all stored; the file is not sorted by time within a vessel (1,365 rows come
    // earlier than the vessel's previous row: kept and sorted).
    assert_eq!(report.lines, 12_634);
    assert_eq!(report.positions, 12_634);
    assert_eq!(report.count(ProblemKind::TimeOutOfOrder), 1_365);
    assert_eq!(report.problems.len(), 1);
    // 1,412 vessels, one track each: no MMSI is shared by two vessels.
    assert_eq!(store.tracks().len(), 1_412);
    assert!(of_kind(&store, EventKind::SharedMmsi).is_empty());

    // No encounter: every track lasts at most an hour, and an encounter needs 2 h.
    assert!(of_kind(&store, EventKind::Encounter).is_empty());
    assert!(store.tracks().iter().all(|t| {
        let hours = t.fixes.partition_point(|f| f.time < 1_641_171_600);
        t.fixes[..hours]
            .last()
            .is_none_or(|f| f.time - t.start() <= 3600)
    }));

    // The 85 vessels whose track jumps from 00:xx to 14:xx–23:xx (the source is the first
    // 99,999 rows of the day file) have one gap of 14.3–24.0 h; one of them has a second,
    // 9.6 h gap. None is "suspected disabling":
    // - 74 are near the coast: an end is within 50 nm of the shore (Natural Earth coastline
    //   or a World Port Index port), where GFW does not trust gaps;
    // - the other 11 lie 54+ nm off Southern California and Baja California, but nothing was
    //   received from any vessel near them for almost the whole gap (the file has no rows
    //   between 01:00 and 23:00 but for the end of SANTIAGO's 14.3 h gap): "no coverage". GFW's own reception score would have flagged one of
    //   them (CMA CGM LYRA, 14 positions in the hour before: score 27.6 ≥ 20).
    let gaps = of_kind(&store, EventKind::Gap);
    let class = |e: &Event| match &e.details {
        Details::Gap { class, hours, .. } => (*class, *hours),
        other => panic!("{other:?}"),
    };
    let long: Vec<(GapClass, f64)> = gaps
        .iter()
        .map(|e| class(e))
        .filter(|(_, h)| *h >= 12.0)
        .collect();
    assert_eq!(long.len(), 85);
    assert_eq!(gaps.len(), 86);
    let near = long
        .iter()
        .filter(|(c, _)| *c == GapClass::NearCoast)
        .count();
    let no_coverage = long
        .iter()
        .filter(|(c, _)| *c == GapClass::NoCoverage)
        .count();
    assert_eq!((near, no_coverage), (74, 11));
    assert!(
        gaps.iter()
            .all(|e| class(e).0 != GapClass::SuspectedDisabling)
    );
    let (min, max) = long
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), (_, h)| (a.min(*h), b.max(*h)));
    assert!(
        (14.3..14.4).contains(&min) && (23.9..24.0).contains(&max),
        "{min} {max}"
    );
    let lyra = gaps
        .iter()
        .find(|e| e.vessel.name.as_deref() == Some("CMA CGM LYRA"))
        .expect("LYRA");
    let Details::Gap {
        reception_score,
        coverage_fraction,
        ..
    } = &lyra.details
    else {
        panic!()
    };
    // One hour of the 22 inside its gap has a position nearby (SANTIAGO's, at 14:21).
    assert!(
        *reception_score >= 20.0 && (*coverage_fraction - 1.0 / 22.0).abs() < 1e-9,
        "{coverage_fraction}"
    );

    // Without the coverage rule (a minimum of 0 %), exactly that one would be suspected.
    let mut gfw_only = Parameters::default();
    gfw_only.gap.min_coverage_fraction = 0.0;
    let store = noaa_store(&gfw_only);
    let suspected: Vec<&str> = of_kind(&store, EventKind::Gap)
        .iter()
        .filter(|e| class(e).0 == GapClass::SuspectedDisabling)
        .filter_map(|e| e.vessel.name.as_deref())
        .collect();
    assert_eq!(suspected, ["CMA CGM LYRA"]);
}

#[test]
fn real_noaa_identities_and_jumps() {
    let store = noaa_store(&Parameters::default());
    // IMO 9548574 is broadcast by two MMSIs in the same hour: LMZ VEGA (538, Marshall
    // Islands) and FLAG ALEXANDROS (355, Panama): reported as an MMSI and a flag change.
    let history = store
        .vessel(VesselKey::Imo(9_548_574))
        .expect("IMO 9548574");
    let names: Vec<(u32, &str)> = history
        .identities
        .iter()
        .map(|d| (d.identity.mmsi, d.identity.name.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        names,
        [(538_007_150, "LMZ VEGA"), (355_369_000, "FLAG ALEXANDROS")]
    );
    let changes: Vec<String> = store
        .events(VesselKey::Imo(9_548_574), i64::MIN, i64::MAX)
        .iter()
        .filter_map(|e| match &e.details {
            Details::IdentityChange { field, old, new } => {
                Some(format!("{field}: {old:?} -> {new:?}"))
            }
            _ => None,
        })
        .collect();
    // LMZ VEGA's first row (00:00:00) is earlier than FLAG ALEXANDROS's, so the change reads
    // from LMZ VEGA's MMSI to FLAG ALEXANDROS's.
    assert_eq!(
        changes,
        [
            r#"mmsi: Some("538007150") -> Some("355369000")"#,
            r#"flag: Some("MH") -> Some("PA")"#
        ]
    );
    // The day file's first second carries earlier positions of some vessels (CMA CGM MARCO
    // POLO is at seven places at 00:00:00-00:00:01, 5 to 300 km apart): jumps no ship could
    // make, reported as spoofing signs and kept off the tracks.
    let spoofing = of_kind(&store, EventKind::Spoofing);
    assert_eq!(spoofing.len(), 44);
    assert!(
        spoofing
            .iter()
            .all(|e| e.start <= 1_641_168_001 || e.end <= 1_641_168_001)
    );
    let polo = spoofing
        .iter()
        .filter(|e| e.vessel.mmsi == 311_000_923)
        .count();
    assert_eq!(polo, 6);
}

/// Two vessels, each reporting with a real track's pattern, meet at `centre` for 3 h at 1 kn
/// (200 m apart, sailing east together) from 10:00 to 13:00 on 2022-01-05, arriving and
/// leaving at about 8 kn.
fn meeting(centre: LatLon) -> (StoreBuilder, i64, i64) {
    let t0 = 1_641_376_800; // 2022-01-05T10:00:00Z
    let (start, end) = (t0, t0 + 3 * 3600);
    let drift = 5_556.0; // 1 kn for 3 h, metres
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
    for fix in a.fixes(311_017_100, &pattern_a.times(start - 3600 + 17, end + 3600)) {
        builder.add_fix("scenario", &fix);
    }
    for fix in b.fixes(311_000_391, &pattern_b.times(start - 3600 + 41, end + 3600)) {
        builder.add_fix("scenario", &fix);
    }
    (builder, start, end)
}

#[test]
fn two_tracks_meeting_30_km_offshore_make_one_encounter() {
    // In the Yellow Sea west of the DPRK coast: ~30 km from the shore, ~80 km from Nampo.
    let centre = LatLon::new(38.43, 124.53);
    let (ports, shore) = (
        PortIndex::bundled().expect("ports"),
        Shore::bundled().expect("shore"),
    );
    let to_shore = distance_to_shore_m(shore, ports, centre, 100_000.0).expect("shore");
    assert!((25_000.0..35_000.0).contains(&to_shore), "{to_shore}");
    let (builder, start, end) = meeting(centre);
    let store = builder.build(&Parameters::default()).expect("build");
    let encounters = of_kind(&store, EventKind::Encounter);
    assert_eq!(encounters.len(), 1, "{encounters:#?}");
    let e = encounters[0];
    assert_eq!((e.start, e.end), (start, end));
    let position = e.position.expect("position");
    assert!(distance_m(position, centre) < 100.0, "{position:?}");
    let Details::Encounter {
        median_distance_m,
        vessel_median_speed_knots,
        points,
        ..
    } = &e.details
    else {
        panic!()
    };
    assert!(
        (*median_distance_m - 200.0).abs() < 20.0,
        "{median_distance_m}"
    );
    assert!((vessel_median_speed_knots - 1.0).abs() < 0.1);
    assert_eq!(*points, 19);
    // Both vessels see it, each as `vessel`, the other as `other`.
    let from_b = store.events(VesselKey::Mmsi(311_000_391), start, end);
    let from_b: Vec<&Event> = from_b
        .iter()
        .filter(|e| e.kind == EventKind::Encounter)
        .collect();
    assert_eq!(from_b.len(), 1);
    assert_eq!(from_b[0].vessel.mmsi, 311_000_391);
    assert_eq!(from_b[0].other.as_ref().map(|o| o.mmsi), Some(311_017_100));
    // The event as the API returns it.
    insta::assert_json_snapshot!("encounter_30_km_offshore", from_b[0]);
}

#[test]
fn the_same_meeting_8_km_from_a_port_is_no_encounter() {
    let ports = PortIndex::bundled().expect("ports");
    let nampo = ports.by_name("Nampo").expect("Nampo").position;
    // 8 km south-west of Nampo's WPI position, in the Taedong estuary's approaches.
    let centre = offset(nampo, -5_657.0, -5_657.0);
    let (_, d) = ports.nearest(centre, 20_000.0).expect("a port");
    assert!((d - 8_000.0).abs() < 50.0, "{d}");
    let (builder, _, _) = meeting(centre);
    let store = builder.build(&Parameters::default()).expect("build");
    assert!(of_kind(&store, EventKind::Encounter).is_empty());
    // It is the 10 km port rule that removes it: at 5 km it is reported.
    let (builder, _, _) = meeting(centre);
    let mut closer = Parameters::default();
    closer.encounter.min_distance_from_port_m = 5_000.0;
    let store = builder.build(&closer).expect("build");
    assert_eq!(of_kind(&store, EventKind::Encounter).len(), 1);
}

#[test]
fn a_real_track_moved_to_nampo_is_a_dprk_port_visit() {
    // WOOYANG VENUS (IMO 9080649), 19 real fixes at 0 kn, moved 1 km north of Nampo's WPI
    // position and to 2017-08-27 (the day the UN list says HAO FAN 6 called at Nampo).
    let fixes = real_fixes(370_871_000);
    let ports = PortIndex::bundled().expect("ports");
    let nampo = ports.by_name("Nampo").expect("Nampo").position;
    let dt = 1_503_792_000 - 1_641_168_000; // 2017-08-27 minus 2022-01-03
    let moved: Vec<FixRecord> = shifted(370_871_000, &fixes, dt, offset(nampo, 1_000.0, 0.0));
    let mut builder = StoreBuilder::new();
    for fix in &moved {
        builder.add_fix("scenario", fix);
    }
    let identity = StaticRecord {
        mmsi: 370_871_000,
        time: moved[0].time,
        imo: Some(9_080_649),
        name: Some("WOOYANG VENUS".into()),
        call_sign: Some("3EHV7".into()),
        ship_type: Some(70),
    };
    builder.add_static("scenario", 0, &identity);
    let store = builder.build(&Parameters::default()).expect("build");
    let events = store.events(
        VesselKey::Imo(9_080_649),
        moved[0].time - 180 * 86_400,
        moved[0].time + 86_400,
    );
    let visits: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::PortVisit)
        .collect();
    assert_eq!(visits.len(), 1, "{events:#?}");
    let visit = visits[0];
    let port = visit.port.as_ref().expect("port");
    assert!(port.dprk);
    assert_eq!(
        (port.name.as_str(), port.unlocode.as_str()),
        ("Nampo", "KP NAM")
    );
    assert_eq!(
        (visit.start, visit.end),
        (moved[0].time, moved[moved.len() - 1].time)
    );
    let Details::PortVisit {
        stopped, exited, ..
    } = visit.details
    else {
        panic!()
    };
    assert!(stopped && !exited);
    // The identity history and the map track the API will serve.
    let history = store.vessel(VesselKey::Imo(9_080_649)).expect("vessel");
    assert_eq!(history.identities.len(), 1);
    assert_eq!(
        history.identities[0]
            .identity
            .flag
            .as_ref()
            .and_then(|f| f.country.as_deref()),
        Some("PA")
    );
    let map = store.map_tracks(VesselKey::Imo(9_080_649), i64::MIN, i64::MAX);
    assert_eq!(map[0].points.len(), fixes.len());
    insta::assert_json_snapshot!("port_visit_nampo", visit);
}

#[test]
fn noaa_one_row_per_vessel_sample_reads_with_flags_from_the_mid() {
    let mut builder = StoreBuilder::new();
    let path = repo_file("data/ais/noaa-marinecadastre-2023-01-11-sample.csv");
    let report = builder
        .ingest_file(&path, Format::Noaa)
        .expect("NOAA sample");
    let store = builder.build(&Parameters::default()).expect("build");
    // 1,000 rows, one per vessel; two MMSIs are not nine-digit ship station identities
    // (3669882, and 36926403 of PCU MARINETTE): counted, not stored.
    assert_eq!(report.lines, 1_000);
    assert_eq!(report.count(ProblemKind::InvalidMmsi), 2);
    assert_eq!(report.positions, 998);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(store.tracks().len() as u64, report.positions);
    let with_imo = store
        .tracks()
        .iter()
        .filter(|t| store.current_identity(t.id).and_then(|i| i.imo).is_some())
        .count();
    // 442 rows have an `IMO…` value, 22 of them `IMO0000000` (not available).
    assert_eq!(with_imo, 420);
    let liberia = store
        .current_identity(store.tracks_of(VesselKey::Mmsi(636_021_061))[0])
        .expect("MSC NAISHA III");
    assert_eq!(liberia.name.as_deref(), Some("MSC NAISHA III"));
    assert_eq!(
        liberia.flag.as_ref().and_then(|f| f.country.as_deref()),
        Some("LR")
    );
}

#[test]
fn a_listed_imo_broadcast_under_another_name_is_a_list_mismatch() {
    // The "Hai Xin You 606" pattern: a list entry's IMO broadcast under a different name. The
    // list entry here is made up; the broadcast is WOOYANG VENUS's real track.
    let listed = resolute_maritime::ListedVessel {
        reference: "TEST.1".into(),
        names: vec!["EXAMPLE LISTED NAME".into()],
        imo: Some(9_080_649),
        mmsi: None,
    };
    let mut builder = StoreBuilder::new();
    builder
        .ingest_file(&repo_file(NOAA_TRACKS), Format::Noaa)
        .expect("NOAA tracks");
    let store = builder
        .build_with_lists(&Parameters::default(), &[listed])
        .expect("build");
    let mismatches = of_kind(&store, EventKind::ListMismatch);
    assert_eq!(mismatches.len(), 1);
    let Details::ListMismatch {
        list_reference,
        field,
        listed,
        broadcast,
    } = &mismatches[0].details
    else {
        panic!()
    };
    assert_eq!(
        (
            list_reference.as_str(),
            field.as_str(),
            listed.as_str(),
            broadcast.as_str()
        ),
        ("TEST.1", "name", "EXAMPLE LISTED NAME", "WOOYANG VENUS")
    );
}

#[test]
fn ofac_dprk_vessels_become_listed_vessels() {
    // The bundled OFAC SDN file's vessels, as the screening layer will hand them over.
    let sdn =
        resolute_lists::load_file(&repo_file("data/lists/ofac/sdn-2024-05-03.csv")).expect("SDN");
    let listed: Vec<resolute_maritime::ListedVessel> = sdn
        .entities
        .iter()
        .filter(|e| e.programs.iter().any(|p| p.starts_with("DPRK")))
        .filter_map(resolute_maritime::ListedVessel::from_entity)
        .collect();
    let chong_chon_gang = listed
        .iter()
        .find(|l| l.imo == Some(7_937_317))
        .expect("CHONG CHON GANG");
    // This SDN file gives the DPRK vessels' IMO numbers but no MMSIs.
    assert_eq!(chong_chon_gang.mmsi, None);
    assert_eq!(chong_chon_gang.names[0], "CHONG CHON GANG");
    let with_imo = listed.iter().filter(|l| l.imo.is_some()).count();
    assert_eq!((listed.len(), with_imo), (105, 105));
}
