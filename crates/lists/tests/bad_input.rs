//! Broken inputs (tests/fixtures/bad/, built from the real files): a clear
//! error naming the file and line:column, or, for a bad record inside a good
//! file, an issue while the rest loads. Never a panic.

mod common;

use std::path::PathBuf;

use resolute_lists::{ListError, load_bytes, load_file};

fn bad(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/bad").join(name)
}

fn error(name: &str) -> (ListError, String) {
    match load_file(&bad(name)) {
        Ok(v) => panic!("{name} loaded: {} entities", v.entities.len()),
        Err(e) => {
            let s = e.to_string();
            (e, s)
        }
    }
}

fn position(e: &ListError) -> (u64, u64) {
    match e {
        ListError::Syntax { line, column, .. } => (*line, *column),
        other => panic!("not a positioned error: {other}"),
    }
}

#[test]
fn the_good_small_file_loads() {
    let v = load_file(&bad("un-three-records.xml")).expect("loads");
    assert_eq!(v.entities.len(), 4);
    assert!(v.issues.is_empty(), "{:?}", v.issues);
}

#[test]
fn truncated_xml_names_the_unclosed_element() {
    let (e, s) = error("un-truncated.xml");
    // The innermost open element, where the cut happened.
    assert!(
        s.ends_with("un-truncated.xml:7:185: truncated file: <REFERENCE_NUMBER> opened here is not closed (file ends at 7:209)"),
        "{s}"
    );
    assert_eq!(position(&e), (7, 185));
}

#[test]
fn wrong_root_element() {
    let (e, s) = error("wrong-root.xml");
    assert!(
        s.contains(
            "wrong-root.xml:2:1: wrong root element <sdnList>: expected <CONSOLIDATED_LIST>"
        ),
        "{s}"
    );
    assert_eq!(position(&e), (2, 1));
}

#[test]
fn invalid_utf8_in_xml() {
    let (e, s) = error("un-invalid-utf8.xml");
    assert!(s.contains("invalid UTF-8 (byte 0xFF)"), "{s}");
    // Line 3, after `<SECOND_NAME>WON `.
    let (line, col) = position(&e);
    assert_eq!(line, 3);
    let text = std::fs::read(bad("un-invalid-utf8.xml")).expect("read");
    let line3 = text.split(|b| *b == b'\n').nth(2).expect("line 3");
    let at = line3.iter().position(|b| *b == 0xFF).expect("0xFF") as u64 + 1;
    assert_eq!(col, at);
}

#[test]
fn mismatched_end_tag() {
    let (e, s) = error("un-mismatched-tag.xml");
    assert!(
        s.contains("malformed XML") && s.contains("FIRSTNAME"),
        "{s}"
    );
    assert_eq!(position(&e).0, 3);
}

#[test]
fn empty_and_blank_files() {
    let (e, s) = error("empty.xml");
    assert!(matches!(e, ListError::Empty { .. }), "{s}");
    assert!(s.contains("empty.xml: empty file"), "{s}");
    let (e, _) = error("blank.csv");
    assert!(matches!(e, ListError::Empty { .. }));
}

#[test]
fn unknown_format() {
    let (e, s) = error("unknown.txt");
    assert!(matches!(e, ListError::UnknownFormat { .. }));
    assert!(
        s.contains("unknown.txt:1:1: unknown list format (starts with \"Name,Country"),
        "{s}"
    );
}

#[test]
fn bad_xml_records_are_reported_and_the_rest_loads() {
    let v = load_file(&bad("un-bad-records.xml")).expect("loads");
    assert_eq!(
        v.entities.len(),
        3,
        "one record without REFERENCE_NUMBER skipped"
    );
    let skipped: Vec<_> = v.issues.iter().filter(|i| i.skipped).collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].line, Some(3));
    assert!(
        skipped[0]
            .message
            .contains("INDIVIDUAL without REFERENCE_NUMBER (DATAID 6908555)"),
        "{}",
        skipped[0]
    );
    // `&nbsp;` is not an XML entity: reported, raw text kept, record kept.
    let entity = v
        .issues
        .iter()
        .find(|i| i.message.contains("bad character reference"))
        .expect("entity issue");
    assert!(!entity.skipped);
    assert_eq!(entity.line, Some(6));
    assert!(
        v.entities
            .iter()
            .any(|e| e.caption.contains("CHANG&nbsp;HA"))
    );
}

#[test]
fn csv_row_with_too_few_columns_is_skipped() {
    let v = load_file(&bad("sdn-short-row.csv")).expect("loads");
    assert_eq!(v.entities.len(), 3);
    assert_eq!(v.issues.len(), 1);
    let i = &v.issues[0];
    assert_eq!(
        (i.line, i.reference.as_deref(), i.skipped),
        (Some(2), Some("11599"), true)
    );
    assert_eq!(
        i.message,
        "expected 12 columns (ent_num ... Remarks), found 5"
    );
    assert!(i.to_string().contains("sdn-short-row.csv:2 [11599]"), "{i}");
}

#[test]
fn csv_row_with_invalid_utf8_is_skipped() {
    let v = load_file(&bad("sdn-latin1-row.csv")).expect("loads");
    assert_eq!(v.entities.len(), 3);
    assert_eq!(v.issues.len(), 1);
    assert_eq!(v.issues[0].line, Some(3));
    assert!(
        v.issues[0]
            .message
            .contains("invalid UTF-8 (byte 0xC9) in column 2"),
        "{}",
        v.issues[0]
    );
}

#[test]
fn csv_with_no_good_row_is_an_error() {
    let (_, s) = error("sdn-only-bad-rows.csv");
    assert!(
        s.contains("sdn-only-bad-rows.csv: no valid SDN record: line 1: expected 12 columns"),
        "{s}"
    );
}

#[test]
fn every_prefix_of_a_real_file_fails_cleanly_or_loads() {
    // Cheap in-process fuzzing of truncation: no panic at any cut point.
    let text = std::fs::read(bad("un-three-records.xml")).expect("read");
    for cut in 0..text.len() {
        let _ = load_bytes("cut.xml", &text[..cut]);
    }
    let csv = std::fs::read(bad("sdn-short-row.csv")).expect("read");
    for cut in 0..csv.len() {
        let _ = load_bytes("cut.csv", &csv[..cut]);
    }
}
