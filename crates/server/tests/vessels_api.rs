//! AIS and vessels over HTTP on loopback: `POST /ais` (admin, audited, counts per bad-input
//! kind), vessel screening from the AIS (a call at Nampo 38 days before a port entry is
//! `review`; 200 days before, or a ship without the call, is not), `GET /vessels/{key}`,
//! `/events`, `/map`; the AIS records kept in the store across a restart.

mod support;

use std::path::PathBuf;

use serde_json::{Value, json};
use support::TestServer;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(repo_file(rel)).expect(rel)
}

const NAMPO_FIXTURE: &str = "tests/fixtures/ais/scenario-nampo-call-2017-08-27.csv";
const NOAA_TRACKS: &str = "data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv";

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

fn port_entry(id: &str, date: &str) -> Value {
    json!({"id": id, "kind": "vessel", "date": date, "action": "port_entry",
           "vessel": {"name": "WOOYANG VENUS", "imo": "9080649", "flag": "PA"}})
}

fn rules(d: &Value) -> Vec<String> {
    d["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_nampo_call_in_the_180_days_before_is_review_with_the_call_as_finding() {
    let s = TestServer::start();
    // Only an admin may ingest.
    let body = read(NAMPO_FIXTURE);
    let (code, v) = s.post_raw("/ais?name=nampo.csv", Some(&s.screener), "text/csv", &body);
    assert_eq!((code, error_code(&v)), (403, "forbidden"));

    let (code, v) = s.post_raw(
        "/ais?name=scenario-nampo-call-2017-08-27.csv",
        Some(&s.admin),
        "text/csv",
        &body,
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["format"], "noaa");
    assert_eq!(v["report"]["positions"], 180);
    assert_eq!(v["report"]["problems"], json!({}));
    assert_eq!(v["stored_positions"], 180);
    assert_eq!(v["rebuild"]["tracks"], 1);
    let ingest_seq = v["audit_seq"].as_i64().expect("audit seq");

    // The batch's audit record: file name, counts, actor.
    let (_, log) = s.get("/audit?kind=ais.ingest", Some(&s.viewer));
    let record = &log["records"][0];
    assert_eq!(record["seq"].as_i64(), Some(ingest_seq));
    assert!(record["actor"].as_str().unwrap_or("").starts_with("key:"));
    assert_eq!(
        record["payload"]["name"],
        "scenario-nampo-call-2017-08-27.csv"
    );
    assert_eq!(record["payload"]["stored_positions"], 180);

    // A port entry on 4 October 2017: the call at Nampo on 26–28 August is in the window.
    let (code, d) = s.post(
        "/screen",
        Some(&s.screener),
        &port_entry("pe-1", "2017-10-04"),
    );
    assert_eq!(code, 200, "{d}");
    assert_eq!(d["decision"], "review", "{d}");
    assert_eq!(rules(&d), ["dprk/2270/18/cargo-inspection"]);
    let finding = &d["findings"][0];
    assert_eq!(finding["verified"], true);
    let call = &finding["vessel_events"][0];
    assert_eq!(call["kind"], "port_visit");
    assert_eq!(call["port"]["name"], "Nampo");
    assert_eq!(call["port"]["dprk"], true);
    assert_eq!(call["vessel"]["imo"], 9_080_649);
    assert!(
        call["start"]
            .as_str()
            .unwrap_or("")
            .starts_with("2017-08-26T23:")
    );
    assert!(
        finding["summary"]
            .as_str()
            .unwrap_or("")
            .contains("called at Nampo (KP NAM, WPI 60280), a DPRK port")
    );
    // The review opened a case.
    assert_eq!(d["resolute"]["cases"].as_array().map(Vec::len), Some(1));

    // 200 days after the call: outside the window, nothing.
    let (_, d) = s.post(
        "/screen",
        Some(&s.screener),
        &port_entry("pe-2", "2018-03-17"),
    );
    assert_eq!(d["decision"], "permitted", "{d}");
    assert!(rules(&d).is_empty());

    // The same ship where it really was (NOAA, 3 January 2022): no call, nothing.
    let (code, v) = s.post_raw(
        "/ais?name=noaa-2022-01-03.csv",
        Some(&s.admin),
        "text/csv",
        &read(NOAA_TRACKS),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["stored_positions"], 12_634);
    // 1,412 vessels: WOOYANG VENUS's 2017 and 2022 positions are one track (a ship could
    // sail from Nampo to Corpus Christi in four years), whose four-year hole is no dark
    // period (longer than 30 days).
    assert_eq!(v["rebuild"]["tracks"], 1_412);
    let (_, d) = s.post(
        "/screen",
        Some(&s.screener),
        &port_entry("pe-3", "2022-01-10"),
    );
    assert_eq!(d["decision"], "permitted", "{d}");

    // The vessel: identity history, no list entry; events in a period; the map.
    let (code, v) = s.get("/vessels/9080649", Some(&s.viewer));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["label"], "IMO 9080649");
    assert_eq!(v["ais"]["positions"], 180 + 19);
    assert_eq!(v["ais"]["mmsis"][0]["flag"], "PA");
    let names: Vec<&str> = v["history"]["identities"]
        .as_array()
        .expect("identities")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| *n == "WOOYANG VENUS"), "{names:?}");
    assert_eq!(v["list_matches"], json!([]));

    let (_, v) = s.get(
        "/vessels/9080649/events?from=2017-08-01&to=2017-09-30",
        Some(&s.viewer),
    );
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    // The call, and the four-year silence that follows it (a gap, near the coast at both ends).
    assert_eq!(kinds, ["port_visit", "gap"], "{v}");
    assert_eq!(v["events"][1]["details"]["class"], "near_coast");
    let (_, v) = s.get(
        "/vessels/IMO9080649/events?from=2016-01-01&to=2016-12-31",
        Some(&s.viewer),
    );
    assert_eq!(v["count"], 0);

    let (code, map) = s.get(
        "/vessels/9080649/map?from=2017-08-01&to=2017-09-30",
        Some(&s.viewer),
    );
    assert_eq!(code, 200);
    assert_eq!(
        map["tracks"][0]["points"].as_array().map(Vec::len),
        Some(180)
    );
    let ports: Vec<(&str, bool)> = map["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or(""), p["dprk"] == true))
        .collect();
    assert!(ports.contains(&("Nampo", true)), "{ports:?}");
    assert!(map["coastline"].as_array().is_some_and(|c| !c.is_empty()));
    let b = &map["bounds"];
    assert!(b["south"].as_f64() < Some(38.55) && b["north"].as_f64() > Some(38.73));

    // Keys that are not vessels, vessels nobody knows.
    let (code, v) = s.get("/vessels/12345", Some(&s.viewer));
    assert_eq!((code, error_code(&v)), (400, "invalid_parameter"));
    let (code, v) = s.get("/vessels/1234567", Some(&s.viewer));
    assert_eq!((code, error_code(&v)), (404, "vessel_not_found"));
    let (code, v) = s.get("/vessels/1234567/map", Some(&s.viewer));
    assert_eq!((code, error_code(&v)), (404, "vessel_not_found"));
    let (code, v) = s.get("/vessels/9080649/events?from=yesterday", Some(&s.viewer));
    assert_eq!((code, error_code(&v)), (400, "invalid_parameter"));
}

#[test]
fn bad_ais_batches_are_counted_per_kind_and_the_rest_ingested() {
    // A 64 KiB upload limit: a body over it fits in the socket buffers, so the client is not
    // cut off mid-write when the server answers 413 before reading it all.
    let dir = tempfile::tempdir().expect("tempdir");
    let s = TestServer::start_with(dir.path(), |c| c.max_upload = 64 << 10);
    // Real and pyais-encoded NMEA sentences, each bad in one known way
    // (tests/fixtures/ais/make-bad-input.py).
    let (code, v) = s.post_raw(
        "/ais?name=bad-input.nmea",
        Some(&s.admin),
        "text/plain",
        &read("tests/fixtures/ais/bad-input.nmea"),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["format"], "nmea");
    assert_eq!(
        v["report"]["problems"],
        json!({
            "bad_checksum": 1, "bad_payload": 1, "duplicate_fix": 1, "impossible_coordinates": 2,
            "incomplete_multipart": 1, "not_ais": 2, "orphan_fragment": 1,
            "out_of_order_fragment": 1, "tag_block_checksum": 1, "time_out_of_order": 1,
            "truncated_payload": 1
        })
    );
    assert_eq!(
        (
            v["report"]["lines"].as_u64(),
            v["report"]["messages"].as_u64()
        ),
        (Some(18), Some(8))
    );
    // Lines 1, 12, 16 and 18 are good fixes; 16 repeats 1: three positions stored, and the
    // type 5 identity of lines 4–7.
    assert_eq!(v["stored_positions"], 3);
    assert_eq!(v["stored_static_reports"], 1);
    let examples = v["report"]["examples"].as_array().expect("examples");
    let bad_checksum = examples
        .iter()
        .find(|e| e["kind"] == "bad_checksum")
        .expect("example");
    assert_eq!(
        (&bad_checksum["source"], &bad_checksum["line"]),
        (&json!("bad-input.nmea"), &json!(3))
    );

    // The same batch again: nothing new, still audited, nothing rebuilt.
    let (_, again) = s.post_raw(
        "/ais?name=bad-input.nmea",
        Some(&s.admin),
        "text/plain",
        &read("tests/fixtures/ais/bad-input.nmea"),
    );
    assert_eq!(again["stored_positions"], 0);
    assert_eq!(again["rebuild"], Value::Null);
    assert!(again["audit_seq"].as_i64() > v["audit_seq"].as_i64());

    // NOAA CSV with bad rows: 91° N, an MMSI that is not a ship's, a time and a number that
    // do not read; the good row is stored.
    let csv = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType\n\
        370871000,2017-08-27T00:00:00,38.7257,125.4,0.0,0.0,0,WOOYANG VENUS,IMO9080649,3FFB9,70\n\
        370871000,2017-08-27T00:10:00,91.0,125.4,0.0,0.0,0,WOOYANG VENUS,IMO9080649,3FFB9,70\n\
        0,2017-08-27T00:10:00,38.7,125.4,0.0,0.0,0,,,,\n\
        370871000,27/08/2017 00:20,38.7,125.4,0.0,0.0,0,,,,\n\
        370871000,2017-08-27T00:30:00,north,125.4,0.0,0.0,0,,,,\n";
    let (code, v) = s.post_raw(
        "/ais?name=rows.csv",
        Some(&s.admin),
        "text/csv",
        csv.as_bytes(),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        v["report"]["problems"],
        json!({"impossible_coordinates": 1, "invalid_mmsi": 1, "bad_row": 2})
    );
    assert_eq!(v["stored_positions"], 1);

    // A file that cannot be read at all: named, nothing stored; an empty body; a bad format.
    let (code, v) = s.post_raw(
        "/ais?name=wrong.csv",
        Some(&s.admin),
        "text/csv",
        b"a,b,c\n1,2,3\n",
    );
    assert_eq!((code, error_code(&v)), (400, "invalid_body"));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("wrong.csv"),
        "{v}"
    );
    let (code, v) = s.post_raw("/ais?name=x.nmea", Some(&s.admin), "text/plain", b"");
    assert_eq!((code, error_code(&v)), (400, "invalid_body"));
    let (code, v) = s.post_raw("/ais?format=kml", Some(&s.admin), "text/plain", b"x");
    assert_eq!((code, error_code(&v)), (400, "invalid_parameter"));
    // Larger than the upload limit.
    let big = vec![b'!'; 100 << 10];
    let (code, v) = s.post_raw("/ais?name=big.nmea", Some(&s.admin), "text/plain", &big);
    assert_eq!((code, error_code(&v)), (413, "payload_too_large"));
}

#[test]
fn ais_records_survive_a_restart_and_are_not_stored_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = read(NAMPO_FIXTURE);
    let ingest_seq = {
        let s = TestServer::start_in(dir.path());
        let (code, v) = s.post_raw("/ais?name=nampo.csv", Some(&s.admin), "text/csv", &body);
        assert_eq!(code, 200, "{v}");
        assert_eq!(v["stored_positions"], 180);
        let seq = v["audit_seq"].as_i64().expect("audit seq");
        // The audit record names the rows it stored by their digest, recomputed from the table.
        let (_, log) = s.get("/audit?kind=ais.ingest", Some(&s.viewer));
        let digest = s.state.store.ais_batch_digest(seq).expect("digest");
        assert_eq!(log["records"][0]["payload"]["rows_sha256"], digest.as_str());
        seq
    };

    // A new server on the same data directory: the track, and what it means, are still there.
    let s = TestServer::start_in(dir.path());
    let (code, v) = s.get("/vessels/9080649", Some(&s.viewer));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["ais"]["positions"], 180);
    let (_, d) = s.post(
        "/screen",
        Some(&s.screener),
        &port_entry("pe-restart", "2017-10-04"),
    );
    assert_eq!(d["decision"], "review", "{d}");
    assert_eq!(rules(&d), ["dprk/2270/18/cargo-inspection"]);
    assert_eq!(
        d["findings"][0]["vessel_events"][0]["port"]["name"],
        "Nampo"
    );

    // The same file again: audited, nothing stored, nothing rebuilt.
    let (code, v) = s.post_raw("/ais?name=nampo.csv", Some(&s.admin), "text/csv", &body);
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["report"]["positions"], 180);
    assert_eq!(
        (
            v["stored_positions"].as_u64(),
            v["stored_static_reports"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(v["rebuild"], Value::Null);
    assert!(v["audit_seq"].as_i64() > Some(ingest_seq));
}
