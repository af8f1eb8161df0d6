//! UN Security Council Consolidated List XML (`CONSOLIDATED_LIST`).
//!
//! quick-xml reads the file as a stream of events; each `INDIVIDUAL` /
//! `ENTITY` subtree is collected into a record (its fields and their
//! children, text trimmed) and the mapper (`un/map.rs`) turns it into a
//! [`resolute_model::Entity`]. Nothing
//! relies on element order or on the XSD: the real files put `NOTE` before
//! `STREET`, add `ENTITY_ADDRESS` where the schema has none, pad references
//! and names with spaces and leave elements empty.
//!
//! Errors: a file that is not well-formed XML (quick-xml's error, with the
//! line:column where it was found), not UTF-8, has another root element or
//! ends before its elements are closed stops the load ([`ListError`]). A
//! `DOCTYPE` is refused: the UN list has none, and a DTD can declare
//! entities that read other files or expand without bound, so a file that
//! has one is not what it claims to be. A bad record (no reference, no name)
//! or field (a date that is not one, an unknown country, an unknown entity
//! reference in a text) is a [`RecordIssue`] and the rest of the file goes
//! on.
//!
//! The mapping to FtM properties is described in `un/map.rs`: records
//! become `Person` / `Organization` entities with their names (primary,
//! aliases by quality, original script), dates of birth with their
//! precision, places, documents, nationalities and addresses as ISO codes,
//! and the identifiers written in the comments (see [`imo_numbers`],
//! [`passport_numbers`], [`swift_bics`]).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use resolute_model::PartialDate;

use crate::position::{LineCol, LineCounter};
use crate::{ListError, Parsed, RecordIssue, RecordMeta};

mod comments;
mod map;

pub use comments::{imo_numbers, passport_numbers, swift_bics};

const ROOT: &str = "CONSOLIDATED_LIST";

/// What a record element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Individual,
    Entity,
}

/// An `INDIVIDUAL` / `ENTITY` element as read: its direct children, each
/// with its own children (the UN schema nests no deeper; deeper elements
/// and their text are ignored).
#[derive(Debug)]
struct Record {
    kind: Kind,
    /// The line of the record's start tag.
    line: u64,
    fields: Vec<Field>,
}

/// A direct child of a record (`FIRST_NAME`, `INDIVIDUAL_ALIAS`, ...).
#[derive(Debug)]
struct Field {
    /// The local element name.
    name: String,
    /// Its own text (text events joined with a space).
    text: String,
    /// Its child elements `(name, text)` in document order.
    children: Vec<(String, String)>,
}

impl Record {
    /// The trimmed text of the first field `name` that has some.
    fn top(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .filter(|f| f.name == name)
            .map(|f| f.text.trim())
            .find(|t| !t.is_empty())
    }
}

impl Field {
    /// The trimmed text of the first child `name` that has some, or "".
    fn child(&self, name: &str) -> &str {
        self.values(name).next().unwrap_or("")
    }

    /// The trimmed, non-empty texts of the children `name`.
    fn values<'f, 'n>(&'f self, name: &'n str) -> impl Iterator<Item = &'f str> + use<'f, 'n> {
        self.children
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Parse a UN Consolidated List.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ListError> {
    let body = utf8_body(file, bytes)?;
    let mut reader = Reader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut doc = Document::new(file, body);
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            doc.error(at, format!("malformed XML: {e}"))
        })?;
        match event {
            Event::Start(e) => doc.start(&e, tag_start(body, before), false)?,
            Event::Empty(e) => doc.start(&e, tag_start(body, before), true)?,
            Event::End(_) => doc.end(),
            Event::Text(t) => doc.text(&String::from_utf8_lossy(&t), before),
            Event::CData(c) => doc.cdata(&String::from_utf8_lossy(&c)),
            Event::DocType(_) => {
                let at = LineCol::at(body.as_bytes(), tag_start(body, before));
                return Err(ListError::DocType {
                    file: file.to_string(),
                    line: at.line,
                    column: at.column,
                });
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    doc.finish()
}

/// The body as text without a byte order mark. XML declares UTF-8 here;
/// invalid bytes make the document not well-formed, so they stop the file
/// (with their position).
fn utf8_body<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ListError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let bad = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
        syntax(
            file,
            bytes,
            e.valid_up_to(),
            format!("invalid UTF-8 (byte 0x{bad:02X}): the UN list must be UTF-8"),
        )
    })?;
    Ok(text.strip_prefix('\u{FEFF}').unwrap_or(text))
}

fn syntax(file: &str, bytes: &[u8], offset: usize, message: String) -> ListError {
    let at = LineCol::at(bytes, offset);
    ListError::Syntax {
        file: file.to_string(),
        line: at.line,
        column: at.column,
        message,
    }
}

/// The offset of the `<` at or after `offset` (with trimmed text, the
/// whitespace before a tag belongs to the tag's event).
fn tag_start(body: &str, offset: usize) -> usize {
    body.get(offset..)
        .and_then(|rest| rest.find('<'))
        .map_or(offset, |p| offset + p)
}

/// The element name written at `offset` (`<NAME ...`), for messages.
fn name_at(body: &str, offset: usize) -> &str {
    let rest = body.get(offset..).unwrap_or_default();
    let rest = rest.strip_prefix('<').unwrap_or(rest);
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    let mut end = end.min(64);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    &rest[..end]
}

/// A text joined to what an element already has: texts split by a comment
/// or CDATA section are one value, separated by a space.
fn append(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// The document as it is read: the open elements, the record being read,
/// and what has been parsed so far.
struct Document<'a> {
    file: &'a str,
    body: &'a str,
    out: Parsed,
    lines: LineCounter<'a>,
    /// Offsets of the `<` of the open elements.
    open: Vec<usize>,
    root_seen: bool,
    /// The record being read, and the depth of its element in `open`.
    record: Option<(Record, usize)>,
    /// `out.issues.len()` when the record started (its issues follow).
    issues_before_record: usize,
}

impl<'a> Document<'a> {
    fn new(file: &'a str, body: &'a str) -> Self {
        Document {
            file,
            body,
            out: Parsed::default(),
            lines: LineCounter::new(body.as_bytes()),
            open: Vec::new(),
            root_seen: false,
            record: None,
            issues_before_record: 0,
        }
    }

    fn error(&self, offset: usize, message: String) -> ListError {
        syntax(self.file, self.body.as_bytes(), offset, message)
    }

    /// A start tag (`empty` for `<X/>`) whose `<` is at `at`.
    fn start(&mut self, element: &BytesStart<'_>, at: usize, empty: bool) -> Result<(), ListError> {
        let local = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
        if !self.root_seen {
            self.root(element, &local, at)?;
        } else if let Some((record, depth)) = &mut self.record {
            // Depth below the record element: 1 for a field, 2 for a field's child.
            match self.open.len() - *depth {
                1 => record.fields.push(Field {
                    name: local,
                    text: String::new(),
                    children: Vec::new(),
                }),
                2 => {
                    if let Some(field) = record.fields.last_mut() {
                        field.children.push((local, String::new()));
                    }
                }
                _ => {}
            }
        } else if local == "INDIVIDUAL" || local == "ENTITY" {
            let kind = if local == "INDIVIDUAL" {
                Kind::Individual
            } else {
                Kind::Entity
            };
            let record = Record {
                kind,
                line: self.lines.line_at(at),
                fields: Vec::new(),
            };
            self.issues_before_record = self.out.issues.len();
            if empty {
                self.finish_record(record);
            } else {
                self.record = Some((record, self.open.len()));
            }
        }
        if !empty {
            self.open.push(at);
        }
        Ok(())
    }

    /// The root element: it must be `CONSOLIDATED_LIST`; its `dateGenerated`
    /// is the list's date.
    fn root(&mut self, element: &BytesStart<'_>, local: &str, at: usize) -> Result<(), ListError> {
        self.root_seen = true;
        if local != ROOT {
            return Err(self.error(
                at,
                format!(
                    "wrong root element <{local}>: expected <CONSOLIDATED_LIST> (UN Security Council Consolidated List)"
                ),
            ));
        }
        let Some(raw) = attribute(element, b"dateGenerated") else {
            return Ok(());
        };
        self.out.generated = raw.parse::<PartialDate>().ok().and_then(|d| d.as_naive());
        if self.out.generated.is_none() {
            self.out.issues.push(RecordIssue {
                file: self.file.to_string(),
                line: Some(self.lines.line_at(at)),
                reference: None,
                message: format!("dateGenerated {raw:?} is not a date"),
                skipped: false,
            });
        }
        self.out.generated_raw = Some(raw);
        Ok(())
    }

    fn end(&mut self) {
        self.open.pop();
        if let Some((_, depth)) = &self.record
            && *depth == self.open.len()
            && let Some((record, _)) = self.record.take()
        {
            self.finish_record(record);
        }
    }

    /// Text (trimmed of XML whitespace, not empty, still escaped) whose
    /// event starts at `at`. An unknown entity reference (`&nbsp;`) is
    /// reported and the raw text kept.
    fn text(&mut self, raw: &str, at: usize) {
        if self.record.is_none() {
            return;
        }
        let value = match quick_xml::escape::unescape(raw) {
            Ok(value) => value,
            Err(e) => {
                self.out.issues.push(RecordIssue {
                    file: self.file.to_string(),
                    line: Some(self.lines.line_at(at)),
                    reference: None,
                    message: format!(
                        "bad character reference: {}; raw text kept",
                        quick_xml::Error::from(e)
                    ),
                    skipped: false,
                });
                raw.into()
            }
        };
        self.push_text(&value);
    }

    /// The content of a CDATA section (taken verbatim).
    fn cdata(&mut self, content: &str) {
        self.push_text(content);
    }

    /// Text goes to the field or field child it is directly in.
    fn push_text(&mut self, value: &str) {
        let Some((record, depth)) = &mut self.record else {
            return;
        };
        let Some(field) = record.fields.last_mut() else {
            return;
        };
        match self.open.len() - *depth {
            2 => append(&mut field.text, value),
            3 => {
                if let Some((_, text)) = field.children.last_mut() {
                    append(text, value);
                }
            }
            _ => {}
        }
    }

    /// Map a finished record and add it (or an issue) to the output.
    fn finish_record(&mut self, record: Record) {
        if let Some(entity) = map::record(self.file, &record, &mut self.out.issues) {
            self.out.entities.push(entity);
            self.out.records.push(RecordMeta {
                line: record.line,
                has_issues: self.out.issues.len() > self.issues_before_record,
            });
        }
    }

    /// End of input: the document must have had a root and closed it.
    fn finish(self) -> Result<Parsed, ListError> {
        if !self.root_seen {
            return Err(self.error(
                self.body.len(),
                "no root element: expected <CONSOLIDATED_LIST>".into(),
            ));
        }
        if let Some(&open) = self.open.last() {
            let bytes = self.body.as_bytes();
            let at = LineCol::at(bytes, open);
            return Err(ListError::Truncated {
                file: self.file.to_string(),
                line: at.line,
                column: at.column,
                message: format!(
                    "<{}> opened here is not closed (file ends at {})",
                    name_at(self.body, open),
                    LineCol::at(bytes, bytes.len())
                ),
            });
        }
        Ok(self.out)
    }
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use resolute_model::prop;

    use super::*;

    fn one(xml: &str) -> Parsed {
        parse("t.xml", xml.as_bytes()).expect("parses")
    }

    fn error(xml: &str) -> String {
        parse("t.xml", xml.as_bytes())
            .map(|p| p.entities.len())
            .expect_err("an error")
            .to_string()
    }

    const HEAD: &str =
        "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\"><INDIVIDUALS>";
    const TAIL: &str = "</INDIVIDUALS></CONSOLIDATED_LIST>";

    #[test]
    fn lenient_record() {
        let p = one(
            r#"<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2017-06-30T19:12:08.528-04:00"><INDIVIDUALS>
            <INDIVIDUAL><INDIVIDUAL_DOCUMENT><NUMBER> 381310014</NUMBER><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT></INDIVIDUAL_DOCUMENT>
            <FIRST_NAME> RI </FIRST_NAME><SECOND_NAME>WON  HO</SECOND_NAME><THIRD_NAME/><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
            <REFERENCE_NUMBER>KPi.033 </REFERENCE_NUMBER><LISTED_ON>2016-11-30</LISTED_ON>
            <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME> Ri Won-ho </ALIAS_NAME></INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
            <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
            <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
            <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1961</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
            </INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"#,
        );
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        assert_eq!(p.generated, NaiveDate::from_ymd_opt(2017, 6, 30));
        let e = &p.entities[0];
        assert_eq!(e.reference, "KPi.033");
        assert_eq!(e.caption, "RI WON HO");
        assert_eq!(e.get(prop::LAST_NAME), ["RI"]);
        assert_eq!(e.get(prop::FIRST_NAME), ["WON HO"]);
        assert_eq!(e.get(prop::PASSPORT_NUMBER), ["381310014"]);
        assert_eq!(e.get(prop::WEAK_ALIAS), ["Ri Won-ho"]);
        assert_eq!(e.get(prop::NATIONALITY), ["kp"]);
        assert_eq!(e.birth_dates[0].to_string(), "between 1960 and 1962");
        assert_eq!(e.birth_dates[1].to_string(), "approximately 1961");
        assert_eq!(e.listed_on, NaiveDate::from_ymd_opt(2016, 11, 30));
        assert_eq!(
            p.records,
            [RecordMeta {
                line: 2,
                has_issues: false
            }]
        );
    }

    #[test]
    fn records_without_reference_are_skipped_and_reported() {
        let p = one(
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL>\n\
             <INDIVIDUAL><FIRST_NAME>Y</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><LISTED_ON>2001-02-30</LISTED_ON></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        );
        assert_eq!(p.entities.len(), 1);
        assert_eq!(p.issues.len(), 2);
        assert!(p.issues[0].skipped && p.issues[0].message.contains("DATAID 7"));
        assert_eq!(p.issues[1].line, Some(2));
        assert!(!p.issues[1].skipped);
        assert_eq!(
            p.records,
            [RecordMeta {
                line: 2,
                has_issues: true
            }]
        );
    }

    #[test]
    fn cdata_references_comments_and_attributes() {
        let xml = format!(
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- exported -->\n{HEAD}\n\
             <INDIVIDUAL note='a > b' id=\"x\">\n\
               <REFERENCE_NUMBER lang=\"en\">  KPi.900\t</REFERENCE_NUMBER>\n\
               <FIRST_NAME><![CDATA[KIM & <JONG>]]></FIRST_NAME>\n\
               <SECOND_NAME>UN&amp;&#x20;&#65;BC</SECOND_NAME>\n\
               <THIRD_NAME>A<!-- a comment between -->B</THIRD_NAME>\n\
               <FOURTH_NAME/><?pi some data?>\n\
               <UN_LIST_TYPE >DPRK</UN_LIST_TYPE >\n\
               <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>&quot;KJU&quot;</ALIAS_NAME></INDIVIDUAL_ALIAS>\n\
               <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>\n\
               <COMMENTS1><![CDATA[]]></COMMENTS1>\n\
             </INDIVIDUAL>\n{TAIL}\n"
        );
        let p = parse("t.xml", xml.as_bytes()).expect("parses");
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let e = &p.entities[0];
        assert_eq!(e.reference, "KPi.900");
        // DPRK: FIRST_NAME is the family name; CDATA is taken verbatim, references are resolved.
        assert_eq!(e.caption, "KIM & <JONG> UN& ABC A B");
        assert_eq!(e.get(prop::ALIAS), ["KJU"]);
        assert_eq!(e.programs, ["DPRK"]);
        assert_eq!(p.generated, NaiveDate::from_ymd_opt(2026, 2, 27));
    }

    #[test]
    fn bad_references_are_kept_as_raw_text() {
        let xml = format!(
            "{HEAD}<INDIVIDUAL><REFERENCE_NUMBER>KPi.1</REFERENCE_NUMBER>\n<FIRST_NAME>CHANG&nbsp;HA</FIRST_NAME></INDIVIDUAL>{TAIL}"
        );
        let p = one(&xml);
        assert_eq!(p.entities[0].caption, "CHANG&nbsp;HA");
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].line, Some(2), "the line where the text starts");
        assert!(
            p.issues[0].message.contains("bad character reference"),
            "{}",
            p.issues[0]
        );
        assert!(p.records[0].has_issues);
    }

    #[test]
    fn wrong_root_and_truncated_files() {
        assert_eq!(
            error("<?xml version=\"1.0\"?>\n  <sdnList/>"),
            "t.xml:2:3: wrong root element <sdnList>: expected <CONSOLIDATED_LIST> (UN Security Council Consolidated List)"
        );
        let e = error(&format!("{HEAD}\n<INDIVIDUAL><FIRST_NAME>KIM"));
        assert!(
            e.starts_with("t.xml:2:13: truncated file: <FIRST_NAME> opened here is not closed"),
            "{e}"
        );
        assert_eq!(
            error("<?xml version=\"1.0\"?>"),
            "t.xml:1:22: no root element: expected <CONSOLIDATED_LIST>"
        );
    }

    #[test]
    fn malformed_xml_is_an_error_at_its_position() {
        for (xml, at) in [
            (
                format!("{HEAD}\n<INDIVIDUAL><FIRST_NAME>KIM</FIRSTNAME></INDIVIDUAL>{TAIL}"),
                "t.xml:2:28: malformed XML",
            ),
            (
                format!("{HEAD}\n<INDIVIDUAL><!-- not closed </INDIVIDUAL>{TAIL}"),
                "t.xml:2:13: malformed XML",
            ),
            (
                format!("{HEAD}\n<INDIVIDUAL><FIRST_NAME a=\"1>KIM</FIRST_NAME>"),
                "t.xml:2:13: malformed XML",
            ),
            (
                format!("{HEAD}</INDIVIDUALS></CONSOLIDATED_LIST></EXTRA>"),
                "t.xml:1:108: malformed XML",
            ),
        ] {
            let e = error(&xml);
            assert!(e.starts_with(at), "{e} (expected {at})");
        }
    }

    /// Any DOCTYPE is refused where it starts, before any entity in it is
    /// looked at: an external entity, a parameter entity, an entity bomb, a
    /// plain one, one after the root.
    #[test]
    fn doctype_is_refused() {
        let record = "<INDIVIDUAL><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><FIRST_NAME>&x;</FIRST_NAME></INDIVIDUAL>";
        for (doctype, at) in [
            ("<!DOCTYPE CONSOLIDATED_LIST>", "1:22"),
            (
                "<!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
                "1:22",
            ),
            (
                "<!DOCTYPE l [<!ENTITY % p SYSTEM \"http://example.invalid/p.dtd\"> %p;]>",
                "1:22",
            ),
            (
                "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>",
                "1:22",
            ),
        ] {
            let xml = format!("<?xml version=\"1.0\"?>{doctype}\n{HEAD}{record}{TAIL}");
            assert_eq!(
                error(&xml),
                format!(
                    "t.xml:{at}: DOCTYPE not allowed: a UN Consolidated List has none, and a DTD can declare entities that read other files or expand without bound"
                )
            );
        }
        let late = format!("{HEAD}\n  <!DOCTYPE x>{record}{TAIL}");
        assert!(error(&late).starts_with("t.xml:2:3: DOCTYPE not allowed"));
    }
}
