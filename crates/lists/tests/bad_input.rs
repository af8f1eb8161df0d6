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
        ListError::Syntax { line, column, .. }
        | ListError::Truncated { line, column, .. }
        | ListError::DocType { line, column, .. } => (*line, *column),
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
    assert!(matches!(e, ListError::Truncated { .. }), "{e:?}");
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

/// Any DOCTYPE (an external entity, a parameter entity, an entity bomb, a
/// plain one) is refused at the line:column where it starts: before, these
/// files loaded as lists of four entries.
#[test]
fn xml_with_a_doctype_is_refused() {
    for name in [
        "un-doctype-xxe.xml",
        "un-doctype-parameter-entity.xml",
        "un-doctype-entity-bomb.xml",
        "un-doctype-plain.xml",
    ] {
        let (e, s) = error(name);
        assert!(matches!(e, ListError::DocType { .. }), "{name}: {s}");
        assert_eq!(position(&e), (2, 1), "{name}");
        assert!(
            s.ends_with(&format!(
                "{name}:2:1: DOCTYPE not allowed: a UN Consolidated List has none, and a DTD can \
                 declare entities that read other files or expand without bound"
            )),
            "{s}"
        );
    }
}

/// An SDN file cut inside the remarks of its last row: before, it loaded
/// with 0 issues and without the rows after the cut.
#[test]
fn csv_cut_inside_a_quoted_field_is_truncated() {
    let (e, s) = error("sdn-cut-in-remarks.csv");
    assert!(matches!(e, ListError::Truncated { .. }), "{s}");
    assert_eq!(position(&e), (5, 1));
    assert!(
        s.contains(
            "sdn-cut-in-remarks.csv:5:1: truncated file: the row that starts here ends inside a \
             quoted field and the file ends there, without a line end (file ends at 5:"
        ),
        "{s}"
    );
}

#[test]
fn csv_cut_between_columns_is_truncated() {
    let (e, s) = error("sdn-cut-last-line.csv");
    assert!(matches!(e, ListError::Truncated { .. }), "{s}");
    assert_eq!(position(&e), (5, 1));
    assert!(
        s.contains("the row that starts here has 5 of 12 columns"),
        "{s}"
    );
    // The same rows with their line end: a short row, skipped and reported.
    let mut text = std::fs::read(bad("sdn-cut-last-line.csv")).expect("read");
    text.extend_from_slice(b"\r\n");
    let v = load_bytes("sdn-2024-05-03.csv", &text).expect("loads");
    assert_eq!((v.entities.len(), v.issues.len()), (4, 1));
    assert_eq!(v.summary.records_read, 5);
    assert_eq!(v.summary.records_skipped, 1);
}

/// A complete last row without a line end is not a cut.
#[test]
fn csv_last_row_without_line_end_loads() {
    let text = std::fs::read(bad("sdn-short-row.csv")).expect("read");
    let complete = text.strip_suffix(b"\r\n\x1a").expect("CRLF and EOF marker");
    let v = load_bytes("sdn.csv", complete).expect("loads");
    assert_eq!(v.entities.len(), 3);
}

#[test]
fn repeated_xml_reference_is_reported() {
    let v = load_file(&bad("un-duplicate-reference.xml")).expect("loads");
    assert_eq!(v.entities.len(), 4, "both records are kept");
    let d = &v.summary.duplicate_references;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].reference, "KPi.033");
    assert_eq!(d[0].lines, [3, 6]);
    let issue = v.issues.last().expect("an issue");
    assert_eq!(
        issue.to_string(),
        format!(
            "{} [kpi.033]: reference repeated: the record at line 3 has it too; both are kept",
            bad("un-duplicate-reference.xml").display().to_string() + ":6"
        )
    );
    assert_eq!(v.summary.records_read, 4);
    assert_eq!(v.summary.records_with_issues, 0);
}

#[test]
fn repeated_csv_reference_is_reported() {
    let v = load_file(&bad("sdn-duplicate-reference.csv")).expect("loads");
    let d = &v.summary.duplicate_references;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].reference.as_str(), d[0].lines.as_slice()),
        ("15667", &[2, 4][..])
    );
    assert_eq!(v.summary.records_read, 6);
}

#[test]
fn summary_counts_records_read_skipped_and_with_issues() {
    let v = load_file(&bad("un-bad-records.xml")).expect("loads");
    // One record without REFERENCE_NUMBER (skipped), one with `&nbsp;` (kept, reported).
    assert_eq!(v.summary.records_read, 4);
    assert_eq!(v.summary.records_skipped, 1);
    assert_eq!(v.summary.records_with_issues, 2);
    assert!((v.summary.issue_share() - 0.5).abs() < 1e-9);
    assert!(v.summary.duplicate_references.is_empty());
    let v = load_file(&bad("sdn-short-row.csv")).expect("loads");
    assert_eq!(
        (
            v.summary.records_read,
            v.summary.records_skipped,
            v.summary.records_with_issues
        ),
        (4, 1, 1)
    );
}
