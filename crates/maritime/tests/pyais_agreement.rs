//! Every real NMEA sample decodes to the same messages as pyais 3.3.1, message by message.
//!
//! The reference is `tests/fixtures/ais/pyais-reference-*.jsonl`, written by
//! `scripts/ais-pyais-reference.py` (pyais from PyPI) from the same files in `data/ais/`.

use std::collections::HashMap;
use std::path::PathBuf;

use resolute_maritime::ais::AisMessage;
use resolute_maritime::nmea::{Decoded, decode_text};
use resolute_maritime::report::{IngestReport, ProblemKind};
use serde_json::Value;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

struct Reference {
    /// First line → pyais's decoded fields.
    messages: HashMap<u64, Value>,
    /// Line → pyais's error or the reason its stream dropped the line.
    failures: HashMap<u64, String>,
    summary: Value,
}

fn reference(name: &str) -> Reference {
    let text = std::fs::read_to_string(repo_file(&format!(
        "tests/fixtures/ais/pyais-reference-{name}.jsonl"
    )))
    .expect("reference fixture");
    let mut r = Reference {
        messages: HashMap::new(),
        failures: HashMap::new(),
        summary: Value::Null,
    };
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("json");
        if let Some(s) = v.get("summary") {
            r.summary = s.clone();
            continue;
        }
        let first = v["lines"][0].as_u64().expect("line");
        if let Some(msg) = v.get("msg") {
            assert_eq!(
                v["valid"], true,
                "pyais read a bad checksum on line {first}"
            );
            r.messages.insert(first, msg.clone());
        } else {
            let why = v.get("error").or(v.get("dropped")).expect("reason");
            r.failures
                .insert(first, why.as_str().expect("text").to_string());
        }
    }
    r
}

/// pyais folds ship types it has no name for (`ShipType._missing_`): 1–19, 38, 39 → 0, the
/// reserved 26–28 → 25, 46–48 → 45, 57 → 56, 66–68 → 65, 76–78 → 75, 86–88 → 85, 96–98 → 95
/// (e.g. LILLGRUND, Kystverket line 640, sends 76 and pyais reports 75). We keep what was sent.
fn pyais_ship_type(raw: u64) -> u64 {
    match raw {
        1..=19 | 38 | 39 => 0,
        26..=28 => 25,
        46..=48 => 45,
        57 => 56,
        66..=68 => 65,
        76..=78 => 75,
        86..=88 => 85,
        96..=98 => 95,
        100.. => 0,
        other => other,
    }
}

/// Our message as pyais writes it: the rate of turn converted, and ship type and EPFD folded,
/// as pyais converts them.
fn as_pyais(message: &AisMessage) -> Value {
    let mut v = serde_json::to_value(message).expect("serialize");
    if let AisMessage::ClassA(m) = message {
        v["turn"] = Value::from(m.turn_rate());
    }
    if matches!(
        message,
        AisMessage::StaticVoyage(_) | AisMessage::ClassBExtended(_)
    ) {
        let raw = v["ship_type"].as_u64().expect("ship type");
        v["ship_type"] = Value::from(pyais_ship_type(raw));
    }
    if let Some(epfd) = v.get("epfd").and_then(Value::as_u64) {
        // pyais names EPFD 0–8 and 15; any other value becomes 0 (`EpfdType._missing_`).
        v["epfd"] = Value::from(if epfd <= 8 || epfd == 15 { epfd } else { 0 });
    }
    v
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_f64() || b.is_f64() => (x - y).abs() <= 1e-6 * x.abs().max(1.0),
        _ => a == b,
    }
}

fn compare(name: &str) -> (Vec<Decoded>, IngestReport, Reference) {
    let text = std::fs::read(repo_file(&format!("data/ais/{name}"))).expect("sample");
    let (messages, report) = decode_text(name, &text);
    let r = reference(name);
    let ours: HashMap<u64, &Decoded> = messages.iter().map(|d| (d.first_line, d)).collect();
    for (line, theirs) in &r.messages {
        let mine = ours
            .get(line)
            .unwrap_or_else(|| panic!("{name}:{line}: pyais decoded it, we did not"));
        let mine = as_pyais(&mine.message);
        let (Value::Object(mine), Value::Object(theirs)) = (&mine, theirs) else {
            panic!("objects");
        };
        let full = mine.len() > 3;
        for (key, value) in mine {
            let expected = theirs
                .get(key)
                .unwrap_or_else(|| panic!("{name}:{line}: pyais has no {key}"));
            assert!(
                same(value, expected),
                "{name}:{line}: {key} is {value}, pyais {expected}"
            );
        }
        if full {
            for key in theirs.keys() {
                assert!(
                    mine.contains_key(key),
                    "{name}:{line}: we do not decode {key}"
                );
            }
        }
    }
    assert_eq!(messages.len(), r.messages.len(), "{name}: message count");
    // Every line pyais could not use is reported by us on that line, with the same reason.
    for (line, why) in &r.failures {
        let ours: Vec<ProblemKind> = report
            .examples
            .iter()
            .filter(|p| p.line == *line)
            .map(|p| p.kind)
            .collect();
        let expected = match why.as_str() {
            "MissingPayloadException" => ProblemKind::EmptyPayload,
            "overwritten by a new first fragment" | "incomplete at end of file" => {
                ProblemKind::IncompleteMultipart
            }
            other => panic!("{name}:{line}: unexpected pyais outcome {other}"),
        };
        // Examples are capped per kind; the counts below cover the rest.
        if report.count(expected) as usize <= resolute_maritime::report::EXAMPLES_PER_KIND {
            assert!(
                ours.contains(&expected),
                "{name}:{line}: pyais says {why}, we report {ours:?}"
            );
        }
    }
    (messages, report, r)
}

#[test]
fn pyais_sample_agrees_message_by_message() {
    let (messages, report, r) = compare("pyais-nmea-data-sample.nmea");
    // 898 lines: 778 messages (1: 667, 3: 76, 4: 6, 15: 7, 18: 19, 20: 1, 24: 2); 100 empty
    // payloads (`!AIVDM,1,1,,B,,0*25`); 20 first fragments of two-part messages whose second
    // fragment never came (8 replaced by a new first fragment, 12 still open at the end).
    assert_eq!(r.summary["messages"], 778);
    assert_eq!(messages.len(), 778);
    let by_type: Vec<(u8, u64)> = report
        .messages_by_type
        .iter()
        .map(|(k, v)| (*k, *v))
        .collect();
    assert_eq!(
        by_type,
        [
            (1, 667),
            (3, 76),
            (4, 6),
            (15, 7),
            (18, 19),
            (20, 1),
            (24, 2)
        ]
    );
    assert_eq!(report.lines, 898);
    assert_eq!(report.count(ProblemKind::EmptyPayload), 100);
    assert_eq!(report.count(ProblemKind::IncompleteMultipart), 20);
    assert_eq!(report.problems.values().sum::<u64>(), 120);
}

#[test]
fn kystverket_sample_agrees_message_by_message() {
    let (messages, report, r) = compare("kystverket-ais-1000-lines-2019-08-07.nm4");
    // 1,000 lines: 877 messages (1: 621, 3: 115, 5: 123 of two fragments each, 18: 12, 24: 6).
    assert_eq!(r.summary["messages"], 877);
    let by_type: Vec<(u8, u64)> = report
        .messages_by_type
        .iter()
        .map(|(k, v)| (*k, *v))
        .collect();
    assert_eq!(by_type, [(1, 621), (3, 115), (5, 123), (18, 12), (24, 6)]);
    // Every message has its tag-block time, 2019-08-07 22:59:58–23:00:27 UTC.
    let times: Vec<i64> = messages
        .iter()
        .map(|m| m.time.expect("tag block time"))
        .collect();
    assert_eq!(times.iter().min(), Some(&1_565_218_798));
    assert_eq!(times.iter().max(), Some(&1_565_218_827));
    // The only problem: the 246 fragment lines carry `g:…,c:…*53`, the checksum of `c:…` alone.
    assert_eq!(report.count(ProblemKind::TagBlockChecksum), 246);
    assert_eq!(report.problems.len(), 1);
}
