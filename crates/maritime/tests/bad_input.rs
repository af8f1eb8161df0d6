//! Bad input is counted per kind, reported with its line, never a panic; the rest is ingested.
//! The fixture is written by `tests/fixtures/ais/make-bad-input.py` (real Kystverket sentences
//! and pyais-encoded ones, each bad in one known way).

use std::path::PathBuf;

use resolute_maritime::params::Parameters;
use resolute_maritime::report::ProblemKind;
use resolute_maritime::store::{Format, StoreBuilder, VesselKey};

#[test]
fn every_kind_of_bad_input_is_counted_and_the_rest_ingested() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ais/bad-input.nmea");
    let mut builder = StoreBuilder::new();
    let report = builder.ingest_file(&path, Format::Nmea).expect("readable");
    let store = builder.build(&Parameters::default()).expect("build");
    let report_after_build = store.report();

    let lines_of = |kind: ProblemKind| -> Vec<u64> {
        report
            .examples
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.line)
            .collect()
    };
    use ProblemKind::*;
    let expected: &[(ProblemKind, &[u64])] = &[
        (DuplicateFix, &[2]),
        (BadChecksum, &[3]),
        (OutOfOrderFragment, &[5]),
        (OrphanFragment, &[8]),
        (IncompleteMultipart, &[9]),
        (ImpossibleCoordinates, &[10, 11]),
        (TimeOutOfOrder, &[12]),
        (NotAis, &[13, 17]),
        (BadPayload, &[14]),
        (TruncatedPayload, &[15]),
        (TagBlockChecksum, &[16]),
    ];
    for (kind, lines) in expected {
        assert_eq!(lines_of(*kind), *lines, "{kind:?}");
    }
    let kinds: usize = expected.len();
    assert_eq!(report.problems.len(), kinds, "{:?}", report.problems);
    // 18 lines; 8 messages decoded (lines 1, 2, 4-7 as one type 5, 10, 11, 12, 16, 18).
    assert_eq!((report.lines, report.messages), (18, 8));
    // Line 16 repeats line 1's fix after line 12's: found when the track is sorted.
    assert_eq!(report_after_build.count(DuplicateFix), 2);
    // What is left: the fixes of lines 1, 12 and 18, and the type 5 identity.
    let track = store.tracks_of(VesselKey::Mmsi(257_591_700));
    assert_eq!(track.len(), 1);
    let fixes = &store.track(track[0]).expect("track").fixes;
    assert_eq!(
        fixes.iter().map(|f| f.time).collect::<Vec<_>>(),
        [1_565_215_198, 1_565_218_798, 1_565_218_918]
    );
    assert_eq!(report_after_build.positions, 3);
    // The type 5 of lines 4-7 (MMSI 258488000, no position): an identity without a track's
    // fixes, still found by its MMSI.
    assert_eq!(report.static_reports, 1);
    let five = store
        .vessel(VesselKey::Mmsi(258_488_000))
        .expect("identity");
    assert_eq!(
        five.identities[0].identity.name.as_deref(),
        Some("RIVA ITALIA")
    );
    assert!(store.track(five.tracks[0]).expect("track").fixes.is_empty());
}
