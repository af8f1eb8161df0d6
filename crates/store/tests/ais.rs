//! AIS records in SQLite (issue #14 §2): kept across a reopen, a record already held is not
//! stored twice, each batch is one audited `ais.ingest` record whose `rows_sha256` the rows
//! reproduce, and the audit chain still verifies.

mod common;

use common::open;
use resolute_store::{AisFixRow, AisStaticRow};
use serde_json::json;

/// WOOYANG VENUS (IMO 9080649, MMSI 352001000) off Nampo, as the scenario fixture has it;
/// the last fix has no speed or course and a latitude of minus zero (kept as zero).
fn fixes() -> Vec<AisFixRow> {
    let fix = |time, lat, lon, speed| AisFixRow {
        mmsi: 352_001_000,
        time,
        lat,
        lon,
        speed,
        course: speed.map(|_| 87.5),
    };
    vec![
        fix(1_503_788_400, 38.7031, 125.3867, Some(0.1)),
        fix(1_503_786_600, 38.7029, 125.3861, Some(3.4)),
        fix(1_503_790_200, -0.0, 125.3870, None),
    ]
}

fn statics() -> Vec<AisStaticRow> {
    vec![AisStaticRow {
        mmsi: 352_001_000,
        time: 1_503_786_600,
        imo: Some(9_080_649),
        name: Some("WOOYANG VENUS".into()),
        call_sign: None,
        ship_type: Some(70),
    }]
}

#[test]
fn ais_batches_are_kept_once_audited_and_read_back_after_a_reopen() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let seq = {
        let store = open(tmp.path());
        let stored = store
            .store_ais(
                fixes(),
                statics(),
                json!({"name": "nampo.csv"}),
                "key:admin",
            )
            .expect("store");
        assert_eq!((stored.positions, stored.static_reports), (3, 1));

        // The same records again, with one new fix: only that one is stored.
        let mut again = fixes();
        again.push(AisFixRow {
            time: 1_503_792_000,
            ..again[0]
        });
        let second = store
            .store_ais(
                again,
                statics(),
                json!({"name": "nampo-2.csv"}),
                "key:admin",
            )
            .expect("store again");
        assert_eq!((second.positions, second.static_reports), (1, 0));
        assert_eq!(second.audit.seq, stored.audit.seq + 1);

        // Not an object: refused, nothing stored.
        let refused = store.store_ais(fixes(), vec![], json!(["x"]), "key:admin");
        assert!(refused.is_err());
        stored.audit.seq
    };

    let store = open(tmp.path());
    let (fixes, statics) = store.ais_records().expect("records");
    assert_eq!(fixes.len(), 4);
    // By MMSI and time; minus zero read back as zero, absent speed and course as absent.
    assert!(fixes.windows(2).all(|w| w[0].time < w[1].time));
    assert_eq!(fixes[2].lat.to_bits(), 0.0f64.to_bits());
    assert_eq!((fixes[2].speed, fixes[2].course), (None, None));
    assert_eq!(fixes[0].speed, Some(3.4));
    assert_eq!(statics, self::statics());

    let records = store
        .audit_records(&Default::default())
        .expect("audit records");
    let first = records.iter().find(|r| r.seq == seq).expect("first batch");
    assert_eq!(
        (first.kind.as_str(), first.actor.as_str()),
        ("ais.ingest", "key:admin")
    );
    assert_eq!(first.payload["name"], "nampo.csv");
    assert_eq!(first.payload["stored_positions"], 3);
    assert_eq!(first.payload["stored_static_reports"], 1);
    assert_eq!(
        first.payload["rows_sha256"],
        store.ais_batch_digest(seq).expect("digest").as_str()
    );
    let second = records.iter().find(|r| r.seq == seq + 1).expect("second");
    assert_eq!(
        second.payload["rows_sha256"],
        store.ais_batch_digest(seq + 1).expect("digest").as_str()
    );
    assert_ne!(first.payload["rows_sha256"], second.payload["rows_sha256"]);
    assert!(store.verify_audit().expect("verify").ok);
}
