//! UN Security Council Consolidated List XML (`CONSOLIDATED_LIST`).
//!
//! A streaming parser that collects each `INDIVIDUAL` / `ENTITY` subtree
//! into a small list of fields and maps it to an [`Entity`]. It never relies
//! on element order or on the XSD: the real files put `NOTE` before `STREET`,
//! add `ENTITY_ADDRESS` where the schema has none, pad references and names
//! with spaces and leave elements empty.
//!
//! Two scanners feed the same record builder: a fast one made for this list
//! (UTF-8 validated once for the whole file, `&str` slices of the input, no
//! allocation per element, entities unescaped only where a `&` occurs) reads
//! every well-formed file; on anything it does not handle (DOCTYPE,
//! malformed or unclosed markup) the file is read again with quick-xml,
//! which gives the same result or the precise error with line:column. The
//! fast scanner reports exactly the events quick-xml (with trimmed text)
//! reports; tests and the fuzz target (built with `cfg(fuzzing)`, which
//! runs both) check that they agree.
//!
//! A load on two threads ([`crate::LoadOptions::threads`]) reads the file in
//! two parts: the second thread hashes the file, then starts at a record in
//! the second half of what the first thread has not read yet; the first
//! thread checks, when it gets there, that the second part started between
//! records, and otherwise reads on itself. The result is the one-thread
//! result (tests split small and real files at every record and compare).
//!
//! Mapping (FtM property names):
//! - `INDIVIDUAL` → `Person`; `ENTITY` → `Organization`. The list says
//!   "entities and other groups" and mixes companies, banks, government
//!   bodies and armed groups, so the neutral FtM `Organization` is used rather
//!   than claiming `Company`.
//! - `FIRST_NAME`..`FOURTH_NAME` → the primary `name`, in list order. For
//!   DPRK entries `FIRST_NAME` is the family name (Korean order, e.g. KPi.033
//!   `RI` / `WON HO`), so it becomes `lastName` and the rest `firstName`;
//!   elsewhere `FIRST_NAME` → `firstName`, the last further part → `lastName`,
//!   parts in between → `middleName`.
//! - `*_ALIAS` by `QUALITY`: `Good` / `a.k.a.` → `alias`; `Low` → `weakAlias`
//!   (kept as an alias of quality Low); `f.k.a.` → `previousName`.
//! - `NAME_ORIGINAL_SCRIPT` → a `name` of kind original-script with the
//!   ISO 15924 script detected from its characters.
//! - `INDIVIDUAL_DATE_OF_BIRTH` (`EXACT` / `APPROXIMATELY` / `BETWEEN`,
//!   `DATE`, `YEAR`, `FROM_YEAR`/`TO_YEAR`) → `birthDate` with its precision;
//!   alias-level `DATE_OF_BIRTH` / `CITY_OF_BIRTH` / `COUNTRY_OF_BIRTH` too.
//! - `INDIVIDUAL_PLACE_OF_BIRTH` → `birthPlace` text and `birthCountry`.
//! - `INDIVIDUAL_DOCUMENT`: a passport (type mentions passport / passeport /
//!   pasaporte) → `passportNumber`, any other document → `idNumber`; numbers
//!   trimmed with inner whitespace collapsed.
//! - `*_ADDRESS` → `address` text and `country`; `NATIONALITY` → `nationality`
//!   (ISO alpha-2, lower case); `TITLE` → `title`; `DESIGNATION` →
//!   `position` and the entry's designation; `GENDER` → `gender`.
//! - `COMMENTS1` → comments and `notes`. IMO numbers written in an
//!   entity's comments ("IMO number: 5571322", "(IMO) Number: 1790183") are
//!   IMO *company* numbers (the UN list has no vessels) and go to `imoNumber`
//!   of the `Organization`, which is how FtM models a shipping company's IMO
//!   number; the comment itself stays in `notes`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use memchr::{memchr, memchr_iter, memchr3};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use resolute_model::{
    CompactString, DateQualifier, Entity, EntityName, FuzzyDate, NameKind, NameQuality,
    PartialDate, Schema, Source,
};

use crate::countries::country_codes;
use crate::draft::{Buffers, Draft, Prop, clean, push, trim};
use crate::position::{LineCol, LineCounter};
use crate::script::detect_script;
use crate::{ListError, Parsed, RecordIssue};

const ROOT: &[u8] = b"CONSOLIDATED_LIST";

/// The elements the mapper reads; anything else is [`Tag::Other`] and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Other,
    ReferenceNumber,
    DataId,
    FirstName,
    SecondName,
    ThirdName,
    FourthName,
    UnListType,
    ListedOn,
    Gender,
    Comments1,
    Title,
    Designation,
    Nationality,
    LastDayUpdated,
    Value,
    IndividualAlias,
    EntityAlias,
    Quality,
    AliasName,
    Note,
    DateOfBirth,
    CityOfBirth,
    CountryOfBirth,
    NameOriginalScript,
    IndividualAddress,
    EntityAddress,
    Street,
    City,
    StateProvince,
    ZipCode,
    Country,
    IndividualDateOfBirth,
    TypeOfDate,
    Date,
    Year,
    FromYear,
    ToYear,
    IndividualPlaceOfBirth,
    IndividualDocument,
    TypeOfDocument,
    TypeOfDocument2,
    Number,
    IssuingCountry,
    CountryOfIssue,
}

/// The [`Tag`] of an element name. (A `match` on the bytes compiles to a
/// dispatch on length, then a compare; this runs for every element.)
fn tag(name: &[u8]) -> Tag {
    match name {
        b"REFERENCE_NUMBER" => Tag::ReferenceNumber,
        b"DATAID" => Tag::DataId,
        b"FIRST_NAME" => Tag::FirstName,
        b"SECOND_NAME" => Tag::SecondName,
        b"THIRD_NAME" => Tag::ThirdName,
        b"FOURTH_NAME" => Tag::FourthName,
        b"UN_LIST_TYPE" => Tag::UnListType,
        b"LISTED_ON" => Tag::ListedOn,
        b"GENDER" => Tag::Gender,
        b"COMMENTS1" => Tag::Comments1,
        b"TITLE" => Tag::Title,
        b"DESIGNATION" => Tag::Designation,
        b"NATIONALITY" => Tag::Nationality,
        b"LAST_DAY_UPDATED" => Tag::LastDayUpdated,
        b"VALUE" => Tag::Value,
        b"INDIVIDUAL_ALIAS" => Tag::IndividualAlias,
        b"ENTITY_ALIAS" => Tag::EntityAlias,
        b"QUALITY" => Tag::Quality,
        b"ALIAS_NAME" => Tag::AliasName,
        b"NOTE" => Tag::Note,
        b"DATE_OF_BIRTH" => Tag::DateOfBirth,
        b"CITY_OF_BIRTH" => Tag::CityOfBirth,
        b"COUNTRY_OF_BIRTH" => Tag::CountryOfBirth,
        b"NAME_ORIGINAL_SCRIPT" => Tag::NameOriginalScript,
        b"INDIVIDUAL_ADDRESS" => Tag::IndividualAddress,
        b"ENTITY_ADDRESS" => Tag::EntityAddress,
        b"STREET" => Tag::Street,
        b"CITY" => Tag::City,
        b"STATE_PROVINCE" => Tag::StateProvince,
        b"ZIP_CODE" => Tag::ZipCode,
        b"COUNTRY" => Tag::Country,
        b"INDIVIDUAL_DATE_OF_BIRTH" => Tag::IndividualDateOfBirth,
        b"TYPE_OF_DATE" => Tag::TypeOfDate,
        b"DATE" => Tag::Date,
        b"YEAR" => Tag::Year,
        b"FROM_YEAR" => Tag::FromYear,
        b"TO_YEAR" => Tag::ToYear,
        b"INDIVIDUAL_PLACE_OF_BIRTH" => Tag::IndividualPlaceOfBirth,
        b"INDIVIDUAL_DOCUMENT" => Tag::IndividualDocument,
        b"TYPE_OF_DOCUMENT" => Tag::TypeOfDocument,
        b"TYPE_OF_DOCUMENT2" => Tag::TypeOfDocument2,
        b"NUMBER" => Tag::Number,
        b"ISSUING_COUNTRY" => Tag::IssuingCountry,
        b"COUNTRY_OF_ISSUE" => Tag::CountryOfIssue,
        _ => Tag::Other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Individual,
    Entity,
}

/// A direct child of a record; its own children (one level: the UN schema
/// nests no deeper) are the range `children` of [`Record::children`].
#[derive(Debug)]
struct Field<'a> {
    name: Tag,
    text: Cow<'a, str>,
    children: Range<usize>,
}

/// A field with its children, as the mapper reads it.
#[derive(Clone, Copy)]
struct FieldRef<'r, 'a> {
    name: Tag,
    text: &'r str,
    children: &'r [(Tag, Cow<'a, str>)],
}

impl<'r> FieldRef<'r, '_> {
    fn child(&self, name: Tag) -> &'r str {
        self.children
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, t)| trim(t))
            .find(|t| !t.is_empty())
            .unwrap_or("")
    }

    fn values(&self, name: Tag) -> impl Iterator<Item = &'r str> + use<'r> {
        self.children
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, t)| trim(t))
            .filter(|t| !t.is_empty())
    }
}

/// The `INDIVIDUAL` / `ENTITY` being read. Its vectors are reused from one
/// record to the next, and its texts borrow the input unless they had to be
/// unescaped or joined.
#[derive(Debug)]
struct Record<'a> {
    kind: Kind,
    /// Index in the open-element stack of the record element.
    depth: usize,
    offset: usize,
    fields: Vec<Field<'a>>,
    children: Vec<(Tag, Cow<'a, str>)>,
}

impl<'a> Record<'a> {
    fn fields(&self) -> impl Iterator<Item = FieldRef<'_, 'a>> {
        self.fields.iter().map(|f| FieldRef {
            name: f.name,
            text: &f.text,
            children: self.children.get(f.children.clone()).unwrap_or_default(),
        })
    }

    /// The trimmed text of the first field `name` that has some.
    fn top(&self, name: Tag) -> Option<&str> {
        self.fields
            .iter()
            .filter(|f| f.name == name)
            .map(|f| trim(&f.text))
            .find(|t| !t.is_empty())
    }
}

fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push(' ');
        text.to_mut().push_str(&more);
    }
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

/// The element name written at `offset` (`<NAME ...`), for messages.
fn name_at(bytes: &[u8], offset: usize) -> String {
    let rest = bytes.get(offset..).unwrap_or_default();
    let rest = rest.strip_prefix(b"<").unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        .unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end.min(64)]).into_owned()
}

/// The offset of the `<` at or after `offset`.
fn tag_start(bytes: &[u8], offset: usize) -> usize {
    bytes
        .get(offset..)
        .and_then(|rest| memchr(b'<', rest))
        .map_or(offset, |p| offset + p)
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()))
}

/// Parse on the calling thread.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ListError> {
    let body = utf8_body(file, bytes)?;
    let parsed = match parse_fast(file, body) {
        Some(result) => result,
        None => parse_quick_xml(file, body),
    };
    fuzz_checks(file, body);
    parsed
}

/// Parse on two threads, and run `alongside` (the content hash) on the
/// second one before it starts its part; the result is the same as
/// [`parse`]'s. See [`parse_fast_split`].
pub(crate) fn parse_parallel<T: Send>(
    file: &str,
    bytes: &[u8],
    alongside: impl FnOnce() -> T + Send,
) -> Result<(Parsed, T), ListError> {
    let body = utf8_body(file, bytes)?;
    let split = parse_fast_split(file, body, SplitAt::HalfOfTheRest, alongside);
    let parsed = match split.parsed {
        Some(result) => result,
        None => parse_quick_xml(file, body),
    };
    fuzz_checks(file, body);
    Ok((parsed?, split.alongside))
}

/// The body as text without a byte order mark. XML declares UTF-8 here;
/// invalid bytes make the document not well-formed, so they stop the file
/// (with their position). Validated once for the whole file: every slice
/// taken later is then a `&str`.
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

/// Under cargo-fuzz every input also goes through the quick-xml path, which
/// must agree wherever the fast scanner gave an answer, and through the
/// two-thread parse split at a third and at half of the input, which must
/// agree with the one-thread parse.
#[allow(unused_variables, unexpected_cfgs)]
fn fuzz_checks(file: &str, body: &str) {
    #[cfg(fuzzing)]
    {
        let fast = parse_fast(file, body);
        if let Some(fast) = &fast {
            differential::assert_same(fast, &parse_quick_xml(file, body));
        }
        for target in [body.len() / 3, body.len() / 2] {
            differential::assert_same_fast(
                &fast,
                &parse_fast_split(file, body, SplitAt::Offset(target), || ()).parsed,
            );
        }
    }
}

#[allow(unexpected_cfgs)] // `fuzzing` is set by cargo-fuzz
mod differential {
    #[cfg(any(test, fuzzing))]
    use super::{ListError, Parsed};

    /// Panics when two parse results differ (for the differential tests and fuzzing).
    #[cfg(any(test, fuzzing))]
    #[allow(clippy::panic)]
    pub(super) fn assert_same(a: &Result<Parsed, ListError>, b: &Result<Parsed, ListError>) {
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.generated, b.generated);
                assert_eq!(a.generated_raw, b.generated_raw);
                assert_eq!(a.issues, b.issues);
                assert_eq!(a.entities, b.entities);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("the parses differ: {a:?} vs {b:?}"),
        }
    }

    /// As [`assert_same`], for fast-scanner results (`None`: left to quick-xml).
    #[cfg(any(test, fuzzing))]
    #[allow(clippy::panic)]
    pub(super) fn assert_same_fast(
        a: &Option<Result<Parsed, ListError>>,
        b: &Option<Result<Parsed, ListError>>,
    ) {
        match (a, b) {
            (Some(a), Some(b)) => assert_same(a, b),
            (None, None) => {}
            (a, b) => panic!("one fast parse answered, the other did not: {a:?} vs {b:?}"),
        }
    }
}

/// The document as it is read: the open-element stack, the record being
/// read, and what has been parsed so far. Both scanners (the fast one and
/// quick-xml) feed it the same events, so they give the same result.
struct Builder<'f, 'a> {
    file: &'f str,
    body: &'a [u8],
    out: Parsed,
    lines: LineCounter<'a>,
    /// Offsets of the `<` of the open elements.
    stack: Vec<usize>,
    root_seen: bool,
    in_record: bool,
    record: Record<'a>,
    mapper: Mapper,
}

impl<'f, 'a> Builder<'f, 'a> {
    /// A builder for a document that will read `span` bytes of `body`.
    fn new(file: &'f str, body: &'a str, span: usize) -> Self {
        Builder {
            file,
            body: body.as_bytes(),
            // About one record per 2 KB in the real files: one allocation instead of a dozen regrowths.
            out: Parsed {
                entities: Vec::with_capacity(span / 1800 + 1),
                ..Parsed::default()
            },
            lines: LineCounter::new(body.as_bytes()),
            stack: Vec::with_capacity(8),
            root_seen: false,
            in_record: false,
            record: Record {
                kind: Kind::Individual,
                depth: 0,
                offset: 0,
                fields: Vec::with_capacity(32),
                children: Vec::with_capacity(64),
            },
            mapper: Mapper::default(),
        }
    }

    /// A start tag (`empty` for `<X/>`) whose `<` is at `at`.
    /// `local` is the element's [`local_name()`]; `element` gives its
    /// attributes, which only the root's are read.
    fn start<'e>(
        &mut self,
        local: &[u8],
        element: impl FnOnce() -> BytesStart<'e>,
        at: usize,
        empty: bool,
    ) -> Result<(), ListError> {
        if !self.root_seen {
            self.root_seen = true;
            if local != ROOT {
                return Err(syntax(
                    self.file,
                    self.body,
                    at,
                    format!(
                        "wrong root element <{}>: expected <CONSOLIDATED_LIST> (UN Security Council Consolidated List)",
                        String::from_utf8_lossy(local)
                    ),
                ));
            }
            if let Some(raw) = attribute(&element(), b"dateGenerated") {
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
            }
        } else if self.in_record {
            let rec = &mut self.record;
            let rel = self.stack.len() - rec.depth;
            if rel == 1 {
                let n = rec.children.len();
                rec.fields.push(Field {
                    name: tag(local),
                    text: Cow::Borrowed(""),
                    children: n..n,
                });
            } else if rel == 2
                && let Some(f) = rec.fields.last_mut()
            {
                rec.children.push((tag(local), Cow::Borrowed("")));
                f.children.end = rec.children.len();
            }
        } else if local == b"INDIVIDUAL" || local == b"ENTITY" {
            let kind = if local == b"INDIVIDUAL" {
                Kind::Individual
            } else {
                Kind::Entity
            };
            self.record.kind = kind;
            self.record.depth = self.stack.len();
            self.record.offset = at;
            self.record.fields.clear();
            self.record.children.clear();
            if empty {
                self.finish_record();
            } else {
                self.in_record = true;
            }
        }
        if !empty {
            self.stack.push(at);
        }
        Ok(())
    }

    fn end(&mut self) {
        self.stack.pop();
        if self.in_record && self.record.depth == self.stack.len() {
            self.in_record = false;
            self.finish_record();
        }
    }

    /// Text (trimmed of XML whitespace, not empty, still escaped) whose
    /// event starts at `at`.
    fn text(&mut self, raw: &'a str, at: usize) {
        if !self.in_record {
            return;
        }
        let value = if find_byte(b'&', raw.as_bytes()).is_none() {
            Cow::Borrowed(raw)
        } else {
            match quick_xml::escape::unescape(raw) {
                Ok(v) => v,
                Err(e) => {
                    // An unknown entity (`&nbsp;`) in one field: keep the raw text.
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
                    Cow::Borrowed(raw)
                }
            }
        };
        self.push_text(value);
    }

    /// The content of a CDATA section (taken verbatim).
    fn cdata(&mut self, content: &'a str) {
        if self.in_record {
            self.push_text(Cow::Borrowed(content));
        }
    }

    fn push_text(&mut self, value: Cow<'a, str>) {
        let rec = &mut self.record;
        let rel = self.stack.len() - rec.depth;
        if rel == 2 {
            if let Some(f) = rec.fields.last_mut() {
                append(&mut f.text, value);
            }
        } else if rel == 3
            && let Some(f) = rec.fields.last()
            && !f.children.is_empty()
            && let Some((_, t)) = rec.children.last_mut()
        {
            append(t, value);
        }
    }

    /// Map the finished record and add it (or an issue) to the output.
    fn finish_record(&mut self) {
        let mut ctx = Ctx {
            file: self.file,
            lines: &mut self.lines,
            offset: self.record.offset,
            reference: None,
            issues: &mut self.out.issues,
        };
        if let Some(entity) = self.mapper.map_record(&self.record, &mut ctx) {
            self.out.entities.push(entity);
        }
    }

    /// End of input: check that the document had a root and closed it.
    fn finish(self) -> Result<Parsed, ListError> {
        let body = self.body;
        if !self.root_seen {
            return Err(syntax(
                self.file,
                body,
                body.len(),
                "no root element: expected <CONSOLIDATED_LIST>".into(),
            ));
        }
        if let Some(&open) = self.stack.last() {
            let end = LineCol::at(body, body.len());
            return Err(syntax(
                self.file,
                body,
                open,
                format!(
                    "truncated file: <{}> opened here is not closed (file ends at {end})",
                    name_at(body, open)
                ),
            ));
        }
        Ok(self.out)
    }
}

/// The slow path: quick-xml's reader (text trimmed). It gives the precise
/// error for malformed XML, and reads the constructs the fast scanner leaves
/// to it (DOCTYPE, unclosed markup, mismatched tags).
fn parse_quick_xml(file: &str, body: &str) -> Result<Parsed, ListError> {
    let mut reader = Reader::from_str(body);
    reader.config_mut().trim_text(true);
    let bytes = body.as_bytes();
    let mut b = Builder::new(file, body, body.len());
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(syntax(file, bytes, at, format!("malformed XML: {e}")));
            }
        };
        match event {
            // With trimmed text, whitespace before the tag is part of this event.
            Event::Start(ref e) => b.start(
                local_name(e.name().as_ref()),
                || e.borrow(),
                tag_start(bytes, before),
                false,
            )?,
            Event::Empty(ref e) => b.start(
                local_name(e.name().as_ref()),
                || e.borrow(),
                tag_start(bytes, before),
                true,
            )?,
            Event::End(_) => b.end(),
            Event::Text(ref t) => {
                // The reader borrows `body`, so the text is a slice of it.
                let raw = std::str::from_utf8(t.as_ref()).unwrap_or_default();
                let start = raw.as_ptr() as usize - body.as_ptr() as usize;
                b.text(&body[start..start + raw.len()], before);
            }
            Event::CData(c) => {
                let raw = std::str::from_utf8(c.as_ref()).unwrap_or_default();
                let start = raw.as_ptr() as usize - body.as_ptr() as usize;
                b.cdata(&body[start..start + raw.len()]);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    b.finish()
}

/// XML whitespace (quick-xml's definition, which its text trimming uses).
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// The fast path: a scanner made for the UN list over the borrowed input,
/// `memchr` from markup to markup, no per-element allocation. It reports
/// the same events as quick-xml with trimmed text (the same slices, the
/// same positions) for well-formed input with the usual constructs
/// (declaration, processing instructions, comments, CDATA, attributes, empty
/// elements, character and entity references). On anything else (DOCTYPE,
/// unclosed markup, mismatched or stray end tags) it returns `None` and the
/// caller re-reads the file with quick-xml, which gives the same result or
/// the precise error.
fn parse_fast(file: &str, body: &str) -> Option<Result<Parsed, ListError>> {
    let mut scan = FastScan::new(file, body);
    match scan.run(&Pause::never())? {
        Ok(_) => Some(scan.builder.finish()),
        Err(e) => Some(Err(e)),
    }
}

/// Where a [`FastScan::run`] is to pause, and how far it got: shared by the
/// two threads of [`parse_fast_split`].
struct Pause {
    /// The offset of the markup to pause before (`usize::MAX`: none).
    at: AtomicUsize,
    /// The offset of the last markup reached.
    reached: AtomicUsize,
}

impl Pause {
    fn never() -> Self {
        Pause {
            at: AtomicUsize::new(usize::MAX),
            reached: AtomicUsize::new(0),
        }
    }
}

/// Where [`FastScan::run`] stopped.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// The end of the input.
    End,
    /// Before the text and markup at `next_markup` (the offset of its `<`).
    Paused { next_markup: usize },
}

/// The fast scanner's state: its position, the names of the open elements
/// and the [`Builder`]. A scan can stop at an offset and go on later, which
/// the two-thread parse ([`parse_fast_split`]) uses.
struct FastScan<'f, 'a> {
    body: &'a str,
    builder: Builder<'f, 'a>,
    /// Names (qualified, as written) of the open elements, to check end tags.
    open: Vec<&'a [u8]>,
    pos: usize,
}

impl<'f, 'a> FastScan<'f, 'a> {
    fn new(file: &'f str, body: &'a str) -> Self {
        FastScan {
            body,
            builder: Builder::new(file, body, body.len()),
            open: Vec::with_capacity(8),
            pos: 0,
        }
    }

    /// A scan that starts at `pos` inside the elements `open` (the root
    /// already read), as if the document before `pos` had been read up to
    /// there. Line numbers are still those of the whole body. The open
    /// elements' offsets are not known: they only appear in the error for a
    /// truncated file, which the caller does not take from such a scan.
    fn inside(file: &'f str, body: &'a str, pos: usize, open: &[&'a [u8]]) -> Self {
        let mut builder = Builder::new(file, body, body.len().saturating_sub(pos));
        builder.root_seen = true;
        builder.stack.extend(std::iter::repeat_n(pos, open.len()));
        FastScan {
            body,
            builder,
            open: open.to_vec(),
            pos,
        }
    }

    /// Whether the scan is between records, inside exactly the elements `open`.
    fn between_records_in(&self, open: &[&[u8]]) -> bool {
        self.builder.root_seen && !self.builder.in_record && self.open == open
    }

    /// Scan until the first markup at or after offset `pause.at` (which
    /// another thread may set while this one runs), or to the end, telling
    /// `pause.reached` how far it got. `None` when the input has something
    /// the fast scanner leaves to quick-xml.
    fn run(&mut self, pause: &Pause) -> Option<Result<Progress, ListError>> {
        let body = self.body;
        let bytes = body.as_bytes();
        let b = &mut self.builder;
        let open = &mut self.open;
        let mut pos = self.pos;
        loop {
            // Text up to the next markup, trimmed of XML whitespace (a text
            // event when something is left). Mostly there is none: the
            // indentation is skipped, and `<` follows.
            let text_start = pos;
            let first = pos + xml_space_len(&bytes[pos..]);
            let lt = if bytes.get(first) == Some(&b'<') {
                first
            } else {
                let Some(p) = find_byte(b'<', &bytes[first..]) else {
                    let raw = trim_end_xml_space(&body[first..]);
                    if !raw.is_empty() {
                        b.text(raw, text_start);
                    }
                    break;
                };
                first + p
            };
            pause.reached.store(lt, Ordering::Relaxed);
            if lt >= pause.at.load(Ordering::Relaxed) {
                self.pos = pos;
                return Some(Ok(Progress::Paused { next_markup: lt }));
            }
            if lt > first {
                let raw = trim_end_xml_space(&body[first..lt]);
                if !raw.is_empty() {
                    b.text(raw, text_start);
                }
            }
            let rest = &bytes[lt + 1..];
            match rest.first()? {
                b'!' => {
                    if rest.starts_with(b"!--") {
                        // As quick-xml: the first `>` after at least `!--..` that follows `--`.
                        let end = memchr_iter(b'>', rest)
                            .find(|&i| i > 4 && rest[..i].ends_with(b"--"))?;
                        pos = lt + 1 + end + 1;
                    } else if rest.starts_with(b"![") {
                        let end = memchr_iter(b'>', rest).find(|&i| rest[..i].ends_with(b"]]"))?;
                        if !rest[..end].starts_with(b"![CDATA[") {
                            return None;
                        }
                        b.cdata(&body[lt + 1 + 8..lt + 1 + end - 2]);
                        pos = lt + 1 + end + 1;
                    } else {
                        return None; // DOCTYPE or not markup
                    }
                }
                b'?' => {
                    // Declaration or processing instruction: ignored, as the quick-xml path does.
                    let end = memchr_iter(b'>', rest).find(|&i| i > 0 && rest[i - 1] == b'?')?;
                    if end < 2 {
                        return None;
                    }
                    pos = lt + 1 + end + 1;
                }
                b'/' => {
                    // Usually `</NAME>` for the innermost open NAME.
                    let expected = *open.last()?;
                    let n = expected.len();
                    if rest
                        .get(1..1 + n)
                        .is_some_and(|name| same_name(name, expected))
                        && rest.get(1 + n) == Some(&b'>')
                    {
                        open.pop();
                        b.end();
                        pos = lt + 1 + n + 2;
                        continue;
                    }
                    let end = element_end(rest)?;
                    let content = &rest[1..end];
                    let name = match content.iter().rposition(|&c| !is_xml_space(c)) {
                        Some(last) => &content[..=last],
                        None => content,
                    };
                    if open.pop()? != name {
                        return None;
                    }
                    b.end();
                    pos = lt + 1 + end + 1;
                }
                _ => {
                    // Usually `<NAME>` or `<NAME/>`: a run of name bytes.
                    let n = name_len(rest);
                    let plain = match rest.get(n) {
                        Some(b'>') => Some((n, false)),
                        Some(b'/') if rest.get(n + 1) == Some(&b'>') => Some((n + 1, true)),
                        _ => None,
                    };
                    if let Some((end, empty)) = plain {
                        let name = &rest[..n];
                        let text = &body[lt + 1..lt + 1 + n];
                        // No `:` in a plain name: the local name is the name.
                        if let Err(e) =
                            b.start(name, || BytesStart::from_content(text, n), lt, empty)
                        {
                            return Some(Err(e));
                        }
                        if !empty {
                            open.push(name);
                        }
                        pos = lt + 1 + end + 1;
                        continue;
                    }
                    let end = element_end(rest)?;
                    let (content, empty) = match rest[..end].strip_suffix(b"/") {
                        Some(c) => (c, true),
                        None => (&rest[..end], false),
                    };
                    let name_len = content
                        .iter()
                        .position(|&c| is_xml_space(c))
                        .unwrap_or(content.len());
                    let text = &body[lt + 1..lt + 1 + content.len()];
                    let local = local_name(&content[..name_len]);
                    if let Err(e) = b.start(
                        local,
                        || BytesStart::from_content(text, name_len),
                        lt,
                        empty,
                    ) {
                        return Some(Err(e));
                    }
                    if !empty {
                        open.push(&content[..name_len]);
                    }
                    pos = lt + 1 + end + 1;
                }
            }
        }
        self.pos = pos;
        Some(Ok(Progress::End))
    }
}

/// A two-thread parse: the fast scan's result ([`parse_fast`]'s), the
/// value of the job run alongside, and how many parts were used.
struct SplitParse<T> {
    parsed: Option<Result<Parsed, ListError>>,
    alongside: T,
    /// How many parts the result was assembled from (1: the first thread
    /// read everything itself).
    #[cfg_attr(not(test), allow(dead_code))]
    parts: usize,
}

/// Where the second part of a two-thread parse starts.
#[derive(Debug, Clone, Copy)]
enum SplitAt {
    /// At the first record at or after this offset.
    #[cfg_attr(not(test), allow(dead_code))]
    Offset(usize),
    /// At the first record after the middle of what the first thread has
    /// not read yet when the second thread is done with its job alongside:
    /// both parts then end at about the same time, whatever the job took.
    HalfOfTheRest,
}

/// [`parse_fast`] on two threads. The second thread runs `alongside`, then
/// scans from a record start (see [`SplitAt`], [`record_start`]) to the end,
/// assuming that record starts inside the root and its list element
/// (`<CONSOLIDATED_LIST><INDIVIDUALS>`, as in every UN file). The calling
/// thread scans from the start until it reaches that record and checks the
/// assumption: when it holds (the record's `<` is the next markup, the scan
/// is between records, inside exactly those elements), the second part's
/// entities and issues follow the first part's, which is what one scan
/// gives. Otherwise (the text was in a comment or CDATA, another layout, the
/// first thread was already past it) or when the second part did not parse
/// cleanly, the first thread goes on to the end itself, so the result,
/// errors included, is always the one-thread result.
fn parse_fast_split<T: Send>(
    file: &str,
    body: &str,
    split_at: SplitAt,
    alongside: impl FnOnce() -> T + Send,
) -> SplitParse<T> {
    let bytes = body.as_bytes();
    let pause = Pause::never();
    if let SplitAt::Offset(offset) = split_at {
        // Known before the first part starts, so that it cannot run past it.
        pause.at.store(
            record_start(bytes, offset).map_or(usize::MAX, |(at, _)| at),
            Ordering::Relaxed,
        );
    }
    let ((first, paused), (alongside, second)) = std::thread::scope(|s| {
        let second = s.spawn(|| {
            let value = alongside();
            (value, second_parts(file, body, split_at, &pause))
        });
        let mut first = FastScan::new(file, body);
        let paused = first.run(&pause);
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        ((first, paused), second)
    });
    let (parsed, parts) = assemble(first, paused, second);
    SplitParse {
        parsed,
        alongside,
        parts,
    }
}

/// The result of a two-thread parse from the first thread's scan (`paused`
/// where `first` stopped) and the second thread's parts, and how many parts
/// it is made of (1: the first thread read everything itself).
fn assemble(
    mut first: FastScan<'_, '_>,
    paused: Option<Result<Progress, ListError>>,
    second: Option<Vec<Part>>,
) -> (Option<Result<Parsed, ListError>>, usize) {
    let parsed = match paused {
        None => None,
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(Progress::Paused { next_markup }))
            if let Some(parts) = second
                && let Some(next) = parts.last()
                && next_markup == next.start
                && first.between_records_in(&next.open) =>
        {
            let count = 1 + parts.len();
            let mut out = first.builder.out;
            // The second thread read its parts from the end backwards.
            for mut part in parts.into_iter().rev() {
                out.entities.append(&mut part.parsed.entities);
                out.issues.append(&mut part.parsed.issues);
            }
            return (Some(Ok(out)), count);
        }
        Some(Ok(Progress::End)) => Some(first.builder.finish()),
        Some(Ok(Progress::Paused { .. })) => match first.run(&Pause::never()) {
            None => None,
            Some(Ok(_)) => Some(first.builder.finish()),
            Some(Err(e)) => Some(Err(e)),
        },
    };
    (parsed, 1)
}

/// A part of the document read by the second thread of [`parse_fast_split`].
struct Part {
    /// The offset of its first record's `<`.
    start: usize,
    /// The elements it assumed open at `start`.
    open: [&'static [u8]; 2],
    parsed: Parsed,
}

/// Don't split off less than this: the first thread would get there before
/// the second one could read it.
const MIN_PART: usize = 64 * 1024;

/// The second thread's side of [`parse_fast_split`]: parts read from the end
/// of the document backwards, each one from a record start (told to the first
/// thread through `pause.at`) to the start of the part read before it, where
/// it must arrive between records inside the elements that part assumed. With
/// [`SplitAt::HalfOfTheRest`], while what the first thread has not read
/// yet is large, the second half of it becomes the next part, so that a
/// thread that runs slower (another process on its core) gets less. `None`
/// when a part does not read cleanly (the first thread then reads on itself).
fn second_parts(file: &str, body: &str, split_at: SplitAt, pause: &Pause) -> Option<Vec<Part>> {
    let bytes = body.as_bytes();
    let mut parts: Vec<Part> = Vec::new();
    loop {
        let end = parts.last().map_or(bytes.len(), |p| p.start);
        let from = match split_at {
            SplitAt::Offset(offset) if parts.is_empty() => offset,
            SplitAt::Offset(_) => break,
            SplitAt::HalfOfTheRest => {
                let reached = pause.reached.load(Ordering::Relaxed);
                if end.saturating_sub(reached) < MIN_PART {
                    break;
                }
                reached + (end - reached) / 2
            }
        };
        let Some((start, open)) = record_start(bytes, from).filter(|(start, _)| *start < end)
        else {
            break;
        };
        pause.at.store(start, Ordering::Relaxed);
        let mut scan = FastScan::inside(file, body, start, &open);
        let stop = Pause::never();
        stop.at.store(end, Ordering::Relaxed);
        let parsed = match (scan.run(&stop)?.ok()?, parts.last()) {
            (Progress::End, None) => scan.builder.finish().ok()?,
            (Progress::Paused { next_markup }, Some(next))
                if next_markup == end && scan.between_records_in(&next.open) =>
            {
                scan.builder.out
            }
            _ => return None,
        };
        parts.push(Part {
            start,
            open,
            parsed,
        });
    }
    (!parts.is_empty()).then_some(parts)
}

/// The first `<INDIVIDUAL>` or `<ENTITY>` at or after `from`, with the
/// elements a UN file has open there.
fn record_start(bytes: &[u8], from: usize) -> Option<(usize, [&'static [u8]; 2])> {
    let rest = bytes.get(from..)?;
    let individual = memchr::memmem::find(rest, b"<INDIVIDUAL>");
    let entity = memchr::memmem::find(rest, b"<ENTITY>");
    let (at, list): (usize, &'static [u8]) = match (individual, entity) {
        (Some(i), Some(e)) if e < i => (e, b"ENTITIES"),
        (Some(i), _) => (i, b"INDIVIDUALS"),
        (None, Some(e)) => (e, b"ENTITIES"),
        (None, None) => return None,
    };
    Some((from + at, [ROOT, list]))
}

/// The local name of an element name, as quick-xml's `local_name` gives
/// it: after the first `:`.
///
/// [`local_name`]: quick_xml::events::BytesStart::local_name
fn local_name(name: &[u8]) -> &[u8] {
    name.iter()
        .position(|&c| c == b':')
        .map_or(name, |i| &name[i + 1..])
}

/// Bytes that can be part of an element name in the fast path: not a
/// space or control character (XML whitespace among them), `>`, `/`, a
/// quote, or the `:` of a prefix. Names with any other byte take the general
/// path, which reads every name.
fn is_name_byte(c: u8) -> bool {
    c > b' ' && !matches!(c, b'>' | b'/' | b'"' | b'\'' | b':')
}

/// The number of name bytes ([`is_name_byte`]) at the start of `rest`.
/// Eight bytes at a time: element names end at unpredictable lengths, and
/// a branch per byte costs more than flagging the bytes of a machine word.
fn name_len(rest: &[u8]) -> usize {
    use word::equal;
    let mut words = rest.chunks_exact(8);
    let mut done = 0;
    for word in &mut words {
        let x = word::load(word);
        let stop = word::below(x, 0x21)
            | equal(x, b'>')
            | equal(x, b'/')
            | equal(x, b'"')
            | equal(x, b'\'')
            | equal(x, b':');
        if stop != 0 {
            return done + (stop.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let tail = words.remainder();
    done + tail
        .iter()
        .position(|&c| !is_name_byte(c))
        .unwrap_or(tail.len())
}

/// `a == b` for element names (short): eight bytes at a time, without the
/// call to `memcmp` a slice comparison makes.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if word::load(p) != word::load(q) {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// Eight bytes at a time in a machine word ("SWAR"), for the scanner's
/// short searches: each mask has the high bit set in the bytes that match
/// (exact for the lowest one; the borrow can only flag bytes above a flagged
/// one, so only the lowest flag may be used).
mod word {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// Eight bytes (from a `chunks_exact(8)` chunk) as a little-endian word.
    #[inline]
    pub(super) fn load(chunk: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_le_bytes(w)
    }

    /// Bytes of `x` equal to `b`.
    #[inline]
    pub(super) fn equal(x: u64, b: u8) -> u64 {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y & HIGH
    }

    /// Bytes of `x` below `b` (`b` at most 0x80).
    #[inline]
    pub(super) fn below(x: u64, b: u8) -> u64 {
        x.wrapping_sub(ONES * u64::from(b)) & !x & HIGH
    }

    /// Bytes of `x` equal to `b`, every one exactly ([`equal`] and
    /// [`below`] are exact up to their lowest flag: a borrow can flag the
    /// byte above a match).
    #[inline]
    pub(super) fn equal_each(x: u64, b: u8) -> u64 {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let y = x ^ (ONES * u64::from(b));
        !(((y & LOW7) + LOW7) | y) & HIGH
    }

    /// Bytes of `x` that are not XML whitespace (space, tab, CR, LF).
    #[inline]
    pub(super) fn not_xml_space(x: u64) -> u64 {
        !(equal_each(x, b' ') | equal_each(x, b'\n') | equal_each(x, b'\r') | equal_each(x, b'\t'))
            & HIGH
    }
}

/// How many bytes of XML whitespace `rest` starts with: the indentation
/// between tags, eight bytes at a time.
#[inline]
fn xml_space_len(rest: &[u8]) -> usize {
    let mut words = rest.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut words {
        let other = word::not_xml_space(word::load(chunk));
        if other != 0 {
            return n + (other.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let tail = words.remainder();
    n + tail
        .iter()
        .position(|&c| !is_xml_space(c))
        .unwrap_or(tail.len())
}

/// `s` without trailing XML whitespace.
fn trim_end_xml_space(s: &str) -> &str {
    let b = s.as_bytes();
    let end = b
        .iter()
        .rposition(|&c| !is_xml_space(c))
        .map_or(0, |e| e + 1);
    s.get(..end).unwrap_or_default()
}

/// The first `needle` in `hay`. Markup and values are short: eight bytes
/// at a time in a machine word first, a vector search for long runs.
#[inline]
fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    let mut words = hay.chunks_exact(8);
    for (k, word) in (&mut words).take(8).enumerate() {
        // The lowest flagged byte is the first `needle`.
        let found = word::equal(word::load(word), needle);
        if found != 0 {
            return Some(k * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let done = hay.len().min(64) / 8 * 8;
    if hay.len() >= 64 {
        return memchr(needle, &hay[64..]).map(|i| 64 + i);
    }
    hay[done..]
        .iter()
        .position(|&b| b == needle)
        .map(|i| done + i)
}

/// The `>` that ends a tag whose content (after `<`) is `rest`, outside
/// quoted attribute values (quick-xml's rule).
fn element_end(rest: &[u8]) -> Option<usize> {
    // Tags without attributes: a short run of name bytes, then `>`.
    let head = rest.len().min(48);
    if let Some(i) = rest[..head]
        .iter()
        .position(|&b| matches!(b, b'>' | b'"' | b'\''))
        && rest[i] == b'>'
    {
        return Some(i);
    }
    let mut quote = None;
    let mut from = 0;
    while let Some(i) = memchr3(b'>', b'\'', b'"', &rest[from..]) {
        let i = from + i;
        match (quote, rest[i]) {
            (None, b'>') => return Some(i),
            (None, q) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        from = i + 1;
    }
    None
}

struct Ctx<'a, 'l> {
    file: &'a str,
    /// The record's line is counted only when it has an issue (counting
    /// newlines for every record would read the file once more).
    lines: &'a mut LineCounter<'l>,
    offset: usize,
    reference: Option<&'a str>,
    issues: &'a mut Vec<RecordIssue>,
}

impl Ctx<'_, '_> {
    fn issue(&mut self, message: String, skipped: bool) {
        self.issues.push(RecordIssue {
            file: self.file.to_string(),
            line: Some(self.lines.line_at(self.offset)),
            reference: self.reference.map(str::to_string),
            message,
            skipped,
        });
    }
}

/// State kept across the records of one file.
#[derive(Default)]
struct Mapper {
    countries: Countries,
    /// The drafts' value buffers, lent to one record after the other.
    buffers: Buffers,
}

/// Country spellings already mapped to their codes: a spelling resolves
/// to the same codes every time, and the list repeats a few hundred
/// spellings thousands of times.
#[derive(Default)]
struct Countries(HashMap<String, Vec<String>>);

impl Countries {
    fn add(&mut self, e: &mut Draft<'_>, ctx: &mut Ctx<'_, '_>, property: Prop, name: &str) {
        let codes = match self.0.get(name) {
            Some(codes) => codes,
            None => self
                .0
                .entry(name.to_string())
                .or_insert_with(|| country_codes(name)),
        };
        if codes.is_empty() && !crate::countries::is_known_non_country(name) {
            ctx.issue(format!("unknown country {name:?} in {property}"), false);
        }
        for code in codes {
            e.add(property, code);
        }
    }
}

impl Mapper {
    /// The entity of a record, or `None` (with an issue) when it cannot be
    /// identified.
    fn map_record<'r>(&mut self, rec: &'r Record<'_>, ctx: &mut Ctx<'r, '_>) -> Option<Entity> {
        let Some(reference) = rec.top(Tag::ReferenceNumber) else {
            let what = match rec.kind {
                Kind::Individual => "INDIVIDUAL",
                Kind::Entity => "ENTITY",
            };
            let dataid = rec
                .top(Tag::DataId)
                .map(|d| format!(" (DATAID {d})"))
                .unwrap_or_default();
            ctx.issue(format!("{what} without REFERENCE_NUMBER{dataid}"), true);
            return None;
        };
        ctx.reference = Some(reference);
        let schema = match rec.kind {
            Kind::Individual => Schema::Person,
            Kind::Entity => Schema::Organization,
        };
        let Mapper { countries, buffers } = self;
        let mut e = Draft::new(Entity::new(Source::Un, reference, schema), buffers);
        let names = rec
            .fields
            .iter()
            .filter(|f| {
                matches!(
                    f.name,
                    Tag::IndividualAlias | Tag::EntityAlias | Tag::NameOriginalScript
                )
            })
            .count();
        e.names.reserve_exact(names + 1);

        // The name parts in a fixed array: no allocation for the list of them.
        let mut name_parts: [Cow<'_, str>; 4] = Default::default();
        let mut count = 0;
        for name in [
            Tag::FirstName,
            Tag::SecondName,
            Tag::ThirdName,
            Tag::FourthName,
        ] {
            if let Some(p) = rec.top(name) {
                let p = clean(p);
                if !p.is_empty() {
                    name_parts[count] = p;
                    count += 1;
                }
            }
        }
        let parts = &name_parts[..count];
        if parts.is_empty() {
            ctx.issue(
                "record without a name (FIRST_NAME..FOURTH_NAME empty)".into(),
                true,
            );
            return None;
        }
        // The parts are collapsed and not empty: so is their join.
        let name = EntityName {
            value: join_compact(parts),
            kind: NameKind::Primary,
            quality: NameQuality::Unspecified,
            script: None,
        };
        e.add_collapsed_name(name);

        for f in rec.fields.iter().filter(|f| f.name == Tag::UnListType) {
            e.add_program(&f.text);
        }
        if rec.kind == Kind::Individual {
            let korean = e.programs.iter().any(|p| p == "DPRK");
            if korean {
                e.add(Prop::LastName, &parts[0]);
                if parts.len() > 1 {
                    e.add_owned(Prop::FirstName, join_compact(&parts[1..]));
                }
            } else {
                e.add(Prop::FirstName, &parts[0]);
                if parts.len() > 1 {
                    e.add(Prop::LastName, &parts[parts.len() - 1]);
                }
                for middle in parts.iter().take(parts.len().saturating_sub(1)).skip(1) {
                    e.add(Prop::MiddleName, middle);
                }
            }
        }

        for f in rec.fields() {
            let text = trim(f.text);
            match f.name {
                Tag::ListedOn if !text.is_empty() => match parse_day(text) {
                    Some(d) => e.listed_on = Some(d),
                    None => ctx.issue(format!("LISTED_ON {text:?} is not a date"), false),
                },
                Tag::LastDayUpdated => {
                    for v in f.values(Tag::Value) {
                        match parse_day(v) {
                            Some(d) if !e.last_updated.contains(&d) => e.last_updated.push(d),
                            Some(_) => {}
                            None => {
                                ctx.issue(format!("LAST_DAY_UPDATED {v:?} is not a date"), false)
                            }
                        }
                    }
                }
                Tag::Gender if !text.is_empty() => {
                    if text.eq_ignore_ascii_case("male") {
                        e.add(Prop::Gender, "male");
                    } else if text.eq_ignore_ascii_case("female") {
                        e.add(Prop::Gender, "female");
                    } else if !text.eq_ignore_ascii_case("unknown") {
                        ctx.issue(
                            format!("unknown GENDER {:?}", text.to_ascii_lowercase()),
                            false,
                        );
                    }
                }
                Tag::Comments1 if !text.is_empty() => {
                    e.comments = Some(text.to_string());
                    e.add(Prop::Notes, text);
                    if rec.kind == Kind::Individual {
                        // "New AKA: Jang Hyon U ... diplomatic passport number 836110034" (UNSCR 2371 amendments).
                        for number in passport_numbers(text) {
                            e.add(Prop::PassportNumber, number);
                        }
                    }
                    if rec.kind == Kind::Entity {
                        for imo in imo_numbers(text) {
                            e.add(Prop::ImoNumber, imo);
                        }
                        for bic in swift_bics(text) {
                            e.add(Prop::SwiftBic, bic);
                        }
                    }
                }
                Tag::Title => {
                    for v in f.values(Tag::Value) {
                        e.add(Prop::Title, clean(v));
                    }
                }
                Tag::Designation => {
                    for v in f.values(Tag::Value) {
                        let v = clean(v);
                        e.add(Prop::Position, &v);
                        if !e.designation.iter().any(|d| *d == v) {
                            push(&mut e.designation, v.into_owned());
                        }
                    }
                }
                Tag::Nationality => {
                    for v in f.values(Tag::Value) {
                        countries.add(&mut e, ctx, Prop::Nationality, v);
                    }
                }
                Tag::NameOriginalScript if !text.is_empty() => {
                    let script = non_latin_script(text);
                    e.add_name(EntityName {
                        value: text.into(),
                        kind: NameKind::OriginalScript,
                        quality: NameQuality::Unspecified,
                        script,
                    });
                }
                Tag::IndividualAlias | Tag::EntityAlias => map_alias(countries, &mut e, ctx, f),
                Tag::IndividualDateOfBirth => {
                    if let Some(d) = birth_date(ctx, f) {
                        e.add_birth_date(d);
                    }
                }
                Tag::IndividualPlaceOfBirth => {
                    let place = join_parts([
                        f.child(Tag::Street),
                        f.child(Tag::City),
                        f.child(Tag::StateProvince),
                        f.child(Tag::Country),
                    ]);
                    e.add_owned(Prop::BirthPlace, place);
                    let country = f.child(Tag::Country);
                    if !country.is_empty() {
                        countries.add(&mut e, ctx, Prop::BirthCountry, country);
                    }
                }
                Tag::IndividualAddress | Tag::EntityAddress => {
                    let address = join_parts([
                        f.child(Tag::Street),
                        f.child(Tag::City),
                        f.child(Tag::StateProvince),
                        f.child(Tag::ZipCode),
                        f.child(Tag::Country),
                    ]);
                    e.add_owned(Prop::Address, address);
                    let country = f.child(Tag::Country);
                    if !country.is_empty() {
                        countries.add(&mut e, ctx, Prop::Country, country);
                    }
                }
                Tag::IndividualDocument => {
                    let number = clean(f.child(Tag::Number));
                    if number.is_empty() {
                        continue;
                    }
                    let is_passport = [f.child(Tag::TypeOfDocument), f.child(Tag::TypeOfDocument2)]
                        .iter()
                        .any(|kind| {
                            [&b"passport"[..], b"passeport", b"pasaporte"]
                                .iter()
                                .any(|p| find_ascii_ci(kind.as_bytes(), p).is_some())
                        });
                    e.add(
                        if is_passport {
                            Prop::PassportNumber
                        } else {
                            Prop::IdNumber
                        },
                        number,
                    );
                }
                _ => {}
            }
        }
        e.add(Prop::Topics, "sanction");
        Some(e.finish())
    }
}

/// An `INDIVIDUAL_ALIAS` / `ENTITY_ALIAS`: the name with its strength, and
/// the alias's birth date and place.
fn map_alias(
    countries: &mut Countries,
    e: &mut Draft<'_>,
    ctx: &mut Ctx<'_, '_>,
    f: FieldRef<'_, '_>,
) {
    let name = clean(unquote(f.child(Tag::AliasName)));
    if !name.is_empty() {
        let quality = f.child(Tag::Quality);
        let (kind, quality) =
            if quality.eq_ignore_ascii_case("good") || quality.eq_ignore_ascii_case("a.k.a.") {
                (NameKind::Alias, NameQuality::Good)
            } else if quality.eq_ignore_ascii_case("low") {
                (NameKind::Alias, NameQuality::Low)
            } else if quality.eq_ignore_ascii_case("f.k.a.") {
                (NameKind::Previous, NameQuality::Unspecified)
            } else if quality.is_empty() {
                (NameKind::Alias, NameQuality::Unspecified)
            } else {
                ctx.issue(
                    format!(
                        "unknown alias QUALITY {:?}; taken as an alias",
                        quality.to_ascii_lowercase()
                    ),
                    false,
                );
                (NameKind::Alias, NameQuality::Unspecified)
            };
        let script = non_latin_script(&name);
        e.add_collapsed_name(EntityName {
            value: name.into(),
            kind,
            quality,
            script,
        });
    }
    let dob = f.child(Tag::DateOfBirth);
    if !dob.is_empty() {
        match parse_date(dob) {
            Ok(d) => e.add_birth_date(FuzzyDate::exact(d)),
            Err(_) => ctx.issue(format!("alias DATE_OF_BIRTH {dob:?} is not a date"), false),
        }
    }
    let place = join_parts([f.child(Tag::CityOfBirth), f.child(Tag::CountryOfBirth)]);
    e.add_owned(Prop::BirthPlace, place);
    let country = f.child(Tag::CountryOfBirth);
    if !country.is_empty() {
        countries.add(e, ctx, Prop::BirthCountry, country);
    }
}

/// A name's script for [`EntityName::script`], which is kept only when it is
/// not Latin.
fn non_latin_script(name: &str) -> Option<CompactString> {
    detect_script(name)
        .filter(|s| *s != "Latn")
        .map(CompactString::const_new)
}

/// `"KOMID"` → `KOMID`: the list quotes some acronyms; the quotes are not
/// part of the name.
fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .filter(|x| !x.contains('"'))
        .unwrap_or(t)
}

fn birth_date(ctx: &mut Ctx<'_, '_>, f: FieldRef<'_, '_>) -> Option<FuzzyDate> {
    let kind = f.child(Tag::TypeOfDate);
    let (date, year, from, to) = (
        f.child(Tag::Date),
        f.child(Tag::Year),
        f.child(Tag::FromYear),
        f.child(Tag::ToYear),
    );
    let mut parse = |what: &str, v: &str| -> Option<PartialDate> {
        match parse_date(v) {
            Ok(d) => Some(d),
            Err(_) => {
                ctx.issue(format!("date of birth {what} {v:?} is not a date"), false);
                None
            }
        }
    };
    if !from.is_empty() || !to.is_empty() {
        let lo = if from.is_empty() {
            None
        } else {
            parse("FROM_YEAR", from)
        };
        let hi = if to.is_empty() {
            None
        } else {
            parse("TO_YEAR", to)
        };
        return match (lo, hi) {
            (Some(a), Some(b)) if a <= b => Some(FuzzyDate::between(a, b)),
            (Some(a), Some(b)) => Some(FuzzyDate::between(b, a)),
            (Some(a), None) | (None, Some(a)) => Some(FuzzyDate::exact(a)),
            (None, None) => None,
        };
    }
    let value = if !date.is_empty() {
        parse("DATE", date)?
    } else if !year.is_empty() {
        parse("YEAR", year)?
    } else {
        return None;
    };
    let qualifier = if kind.eq_ignore_ascii_case("APPROXIMATELY") {
        DateQualifier::Approximately
    } else if kind.eq_ignore_ascii_case("EXACT")
        || kind.is_empty()
        || kind.eq_ignore_ascii_case("BETWEEN")
    {
        // BETWEEN without FROM/TO: only one date given.
        DateQualifier::Exact
    } else {
        ctx.issue(
            format!(
                "unknown TYPE_OF_DATE {:?}; taken as exact",
                kind.to_ascii_uppercase()
            ),
            false,
        );
        DateQualifier::Exact
    };
    Some(FuzzyDate {
        qualifier,
        from: value,
        to: None,
    })
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    parse_date(s).ok().and_then(|d| d.as_naive())
}

/// An `xs:date` as the lists write it: `1964-07-17`, `1964`, or with a
/// time-zone suffix (`2015-03-27-04:00`, `2015-03-27Z`) that a date of birth
/// or listing date does not need.
fn parse_date(s: &str) -> Result<PartialDate, resolute_model::DateError> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() > 10 && matches!(b[10], b'-' | b'+' | b'Z') && b[4] == b'-' && b[7] == b'-' {
        return t[..10].parse();
    }
    t.parse()
}

/// The non-empty parts, cleaned, joined with ", ".
/// Name parts joined with single spaces (no `String` on the way: most
/// names are short enough to be kept inline).
fn join_compact(parts: &[Cow<'_, str>]) -> CompactString {
    let mut name = CompactString::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            name.push(' ');
        }
        name.push_str(part);
    }
    name
}

/// Address parts, each whitespace-collapsed, joined with ", " (empty parts left out).
fn join_parts<const N: usize>(parts: [&str; N]) -> CompactString {
    // Room for all parts and separators: at most one allocation, no regrowth.
    let mut out = CompactString::with_capacity(
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| p.len() + 2)
            .sum::<usize>(),
    );
    for p in parts {
        let p = clean(p);
        if !p.is_empty() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&p);
        }
    }
    out
}

/// IMO numbers written in a comment: "IMO number: 5571322",
/// "International Maritime Organization (IMO) Number: 1790183", "IMO 5434358".
pub fn imo_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("IMO") {
        let after = &rest[i + 3..];
        let mut t = after.trim_start_matches(')').trim_start();
        for word in ["Number", "number", "No.", "no."] {
            if let Some(s) = t.strip_prefix(word) {
                t = s;
                break;
            }
        }
        let t = t.trim_start_matches(':').trim_start();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let next = t[digits.len()..].chars().next();
        if digits.len() == 7
            && !next.is_some_and(|c| c.is_ascii_alphanumeric())
            && !found.contains(&digits)
        {
            found.push(digits);
        }
        rest = after;
    }
    found
}

/// Passport numbers written in a comment: "passport number 836110034",
/// "passport no. 123456789", "Passport number: PD381420754". The token after
/// the label must contain a digit and be at least five characters long.
pub fn passport_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = find_ascii_ci(&text.as_bytes()[from..], b"passport n") {
        let start = from + i + "passport n".len();
        from = start;
        let rest = &text[start..];
        let rest = if let Some(r) = rest.strip_prefix("umber") {
            r
        } else if let Some(r) = rest.strip_prefix("o.") {
            r
        } else {
            continue;
        };
        let token: String = rest
            .trim_start_matches([':', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if token.len() >= 5 && token.chars().any(|c| c.is_ascii_digit()) && !found.contains(&token)
        {
            found.push(token);
        }
    }
    found
}

/// The first position of `needle` (lower-case ASCII) in `hay`, ignoring
/// ASCII case (the positions are those of `hay.to_ascii_lowercase()`).
fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle.first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr2(*first, first.to_ascii_uppercase(), &hay[from..]) {
        let at = from + i;
        if hay
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// SWIFT/BIC codes written in a comment ("SWIFT/BIC: FTBDKPPY."): 8 or 11
/// letters and digits after the label.
pub fn swift_bics(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("SWIFT/BIC") {
        let after = &rest[i + "SWIFT/BIC".len()..];
        let t = after.trim_start_matches([':', ' ']);
        let code: String = t.chars().take_while(char::is_ascii_alphanumeric).collect();
        if (code.len() == 8 || code.len() == 11)
            && code[..6].chars().all(|c| c.is_ascii_uppercase())
            && !found.contains(&code)
        {
            found.push(code);
        }
        rest = after;
    }
    found
}

#[cfg(test)]
mod tests {
    use resolute_model::prop;

    use super::*;

    #[test]
    fn element_names_end_where_the_byte_by_byte_rule_says() {
        let mut names: Vec<Vec<u8>> = vec![
            b"INDIVIDUAL_DATE_OF_BIRTH>".to_vec(),
            b"".to_vec(),
            b"A".to_vec(),
        ];
        for stop in [
            b' ', b'\t', b'\r', b'\n', 0, 0x1F, b'>', b'/', b'"', b'\'', b':',
        ] {
            for at in 0..20 {
                let mut n = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec();
                n[at] = stop;
                names.push(n.clone());
                n[at + 1] = 0xC3; // a UTF-8 lead byte after the stop
                names.push(n);
            }
        }
        names.push("NAME_ÄÖ_ÜẞX>".as_bytes().to_vec());
        names.push(vec![0x80, 0xFF, 0x21, 0x7F, b'-', b'.', b'_', b' ']);
        for n in &names {
            let expected = n.iter().position(|&c| !is_name_byte(c)).unwrap_or(n.len());
            assert_eq!(name_len(n), expected, "{:?}", String::from_utf8_lossy(n));
        }
    }

    /// The word-at-a-time whitespace skip agrees with the byte rule, at
    /// every offset, whatever follows a whitespace byte (a borrow in the
    /// plain equality trick would flag `!` after a space).
    #[test]
    fn xml_space_is_skipped_like_the_byte_rule() {
        let alphabet = [
            b' ', b'\n', b'\r', b'\t', b'!', b'<', b'A', 0x21, 0x0B, 0x0C, 0x1F, 0xA0, 0x00, 0x01,
            0x2A, 0x0E,
        ];
        let mut seed = 11u64;
        for _ in 0..40_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 58) as usize;
            let mut r = seed;
            let mut bytes = Vec::with_capacity(len);
            for i in 0..len {
                // Mostly whitespace, so that long runs occur.
                let pick = (r >> (i % 60)) as usize;
                bytes.push(if pick.is_multiple_of(3) {
                    alphabet[(pick / 3) % alphabet.len()]
                } else {
                    alphabet[pick % 4]
                });
                r = r.rotate_left(7) ^ seed;
            }
            let expected = bytes
                .iter()
                .position(|&c| !is_xml_space(c))
                .unwrap_or(bytes.len());
            assert_eq!(xml_space_len(&bytes), expected, "{bytes:?}");
        }
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b' ', b, b'\n', b, b, b'\t', b'\r', b]);
            let flags = word::not_xml_space(x);
            let each: Vec<bool> = (0..8).map(|i| flags >> (i * 8 + 7) & 1 == 1).collect();
            let expected: Vec<bool> = x.to_le_bytes().iter().map(|&c| !is_xml_space(c)).collect();
            assert_eq!(each, expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn element_names_compare_like_slices() {
        let names: [&[u8]; 8] = [
            b"",
            b"A",
            b"B",
            b"VALUE",
            b"VALUEX",
            b"INDIVIDUAL_ALIAS",
            b"INDIVIDUAL_ALIAT",
            b"JNDIVIDUAL_ALIAS",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn passports_in_comments() {
        assert_eq!(
            passport_numbers(
                "New AKA: Jang Hyon U with date of birth 22 February 1958 and diplomatic passport number 836110034, which"
            ),
            ["836110034"]
        );
        assert_eq!(
            passport_numbers("Passport No.: PD381420754."),
            ["PD381420754"]
        );
        assert!(passport_numbers("passport number unknown").is_empty());
        assert!(passport_numbers("passport").is_empty());
    }

    #[test]
    fn bics_in_comments() {
        assert_eq!(swift_bics("a bank.  SWIFT/BIC: FTBDKPPY."), ["FTBDKPPY"]);
        assert_eq!(swift_bics("SWIFT/BIC KDBKKPPY; x"), ["KDBKKPPY"]);
        assert!(swift_bics("SWIFT/BIC: 1234").is_empty());
    }

    #[test]
    fn imo_numbers_in_comments() {
        assert_eq!(
            imo_numbers("International Maritime Organization (IMO) Number: 1790183."),
            ["1790183"]
        );
        assert_eq!(imo_numbers("IMO number: 5676084"), ["5676084"]);
        assert_eq!(imo_numbers("owns IMO 5434358."), ["5434358"]);
        assert!(imo_numbers("IMOVICH 1234567").is_empty());
        assert!(imo_numbers("IMO number: 123456").is_empty());
    }

    fn one(xml: &str) -> Parsed {
        parse("t.xml", xml.as_bytes()).expect("parses")
    }

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
    }

    /// Parse with both scanners: the fast one must handle the input and
    /// agree with quick-xml.
    fn both(xml: &str) -> Result<Parsed, ListError> {
        let body = xml.strip_prefix('\u{FEFF}').unwrap_or(xml);
        let fast = parse_fast("t.xml", body).expect("the fast scanner handles this input");
        differential::assert_same(&fast, &parse_quick_xml("t.xml", body));
        fast
    }

    const HEAD: &str =
        "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\"><INDIVIDUALS>";
    const TAIL: &str = "</INDIVIDUALS></CONSOLIDATED_LIST>";

    #[test]
    fn fast_scanner_reads_cdata_references_comments_and_attributes() {
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
        let p = both(&xml).expect("parses");
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
    fn fast_scanner_keeps_bad_references_as_raw_text() {
        let xml = format!(
            "{HEAD}<INDIVIDUAL><REFERENCE_NUMBER>KPi.1</REFERENCE_NUMBER>\n<FIRST_NAME>CHANG&nbsp;HA</FIRST_NAME></INDIVIDUAL>{TAIL}"
        );
        let p = both(&xml).expect("parses");
        assert_eq!(p.entities[0].caption, "CHANG&nbsp;HA");
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].line, Some(2), "the line where the text starts");
        assert!(
            p.issues[0].message.contains("bad character reference"),
            "{}",
            p.issues[0]
        );
    }

    #[test]
    fn fast_scanner_errors_match_quick_xml() {
        // Wrong root and truncated files are found by the fast scanner itself.
        let e = both("<?xml version=\"1.0\"?>\n  <sdnList/>")
            .map(|_| ())
            .expect_err("wrong root");
        assert_eq!(
            e.to_string(),
            "t.xml:2:3: wrong root element <sdnList>: expected <CONSOLIDATED_LIST> (UN Security Council Consolidated List)"
        );
        let e = both(&format!("{HEAD}\n<INDIVIDUAL><FIRST_NAME>KIM"))
            .map(|_| ())
            .expect_err("truncated");
        assert!(
            e.to_string()
                .starts_with("t.xml:2:13: truncated file: <FIRST_NAME> opened here is not closed"),
            "{e}"
        );
    }

    #[test]
    fn malformed_xml_goes_to_quick_xml_for_the_precise_error() {
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
            assert!(parse_fast("t.xml", &xml).is_none(), "{xml}");
            let e = parse("t.xml", xml.as_bytes())
                .map(|_| ())
                .expect_err("malformed");
            assert!(e.to_string().starts_with(at), "{e} (expected {at})");
        }
        // A DOCTYPE is left to quick-xml too, and the file still loads.
        let xml = format!(
            "<!DOCTYPE CONSOLIDATED_LIST>{HEAD}<INDIVIDUAL><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>{TAIL}"
        );
        assert!(parse_fast("t.xml", &xml).is_none());
        assert_eq!(
            parse("t.xml", xml.as_bytes())
                .map(|p| p.entities.len())
                .ok(),
            Some(1)
        );
    }

    /// Differential check on many variants of a real excerpt: every cut
    /// and several inserted constructs at every tenth position. Wherever
    /// the fast scanner answers, quick-xml must give the same result.
    #[test]
    fn fast_scanner_agrees_with_quick_xml_on_mutated_real_records() {
        let real = include_str!("../../../tests/fixtures/bad/un-three-records.xml");
        let inserts = [
            "<!-- c -->",
            "<![CDATA[x]]>",
            "&amp;",
            "&bogus;",
            "<?p?>",
            "<X/>",
            "</X>",
            "<",
            ">",
            " ",
            "\"",
            "<A b='>'>",
            "]]>",
            "<!DOCTYPE x>",
        ];
        let mut answered = 0;
        let mut total = 0;
        let mut check = |text: &str| {
            total += 1;
            if let Some(fast) = parse_fast("t.xml", text) {
                answered += 1;
                differential::assert_same(&fast, &parse_quick_xml("t.xml", text));
            }
        };
        for cut in (0..real.len())
            .step_by(7)
            .filter(|&i| real.is_char_boundary(i))
        {
            check(&real[..cut]);
        }
        for at in (0..real.len())
            .step_by(10)
            .filter(|&i| real.is_char_boundary(i))
        {
            for insert in inserts {
                check(&format!("{}{insert}{}", &real[..at], &real[at..]));
            }
        }
        // Most variants are malformed (a stray `<`, `</X>`); the rest must be many.
        assert!(
            answered > 1000,
            "the fast scanner answered only {answered} of {total}"
        );
    }

    /// The two-thread parse gives the one-thread result (entities, issues
    /// and their order, errors) wherever its second part is meant to start:
    /// every offset of small files with bad records, bad character
    /// references, a truncated end, a mismatched tag, and record tags in a
    /// comment and in CDATA.
    #[test]
    fn two_thread_parse_agrees_with_one_thread_at_every_split() {
        let tricky = format!(
            "{HEAD}\n<INDIVIDUAL><REFERENCE_NUMBER>KPi.1</REFERENCE_NUMBER><FIRST_NAME>A&nbsp;B</FIRST_NAME></INDIVIDUAL>\n\
             <!-- <INDIVIDUAL> --><INDIVIDUAL><FIRST_NAME>NO REF</FIRST_NAME></INDIVIDUAL>\n\
             <INDIVIDUAL><REFERENCE_NUMBER>KPi.2</REFERENCE_NUMBER><FIRST_NAME><![CDATA[<INDIVIDUAL>]]></FIRST_NAME>\
             <GENDER>Robot</GENDER></INDIVIDUAL></INDIVIDUALS>\n<ENTITIES><ENTITY><REFERENCE_NUMBER>KPe.1</REFERENCE_NUMBER>\
             <FIRST_NAME>X &bogus; Y</FIRST_NAME></ENTITY><ENTITY/><ENTITY><REFERENCE_NUMBER>KPe.2</REFERENCE_NUMBER>\
             <FIRST_NAME>Z</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>\n"
        );
        let fixture = |name: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/bad")
                .join(name);
            std::fs::read_to_string(path).expect("fixture")
        };
        // (input, least number of offsets at which the second part is used)
        let inputs = [
            (fixture("un-bad-records.xml"), 1000),
            (fixture("un-three-records.xml"), 1000),
            (fixture("un-truncated.xml"), 0),
            (fixture("un-mismatched-tag.xml"), 0),
            (tricky, 100),
        ];
        for (text, least) in &inputs {
            let one = parse_fast("t.xml", text);
            let mut two_parts = 0;
            for target in 0..=text.len() {
                let two = parse_fast_split("t.xml", text, SplitAt::Offset(target), || target);
                assert_eq!(two.alongside, target);
                differential::assert_same_fast(&one, &two.parsed);
                two_parts += usize::from(two.parts == 2);
            }
            assert!(
                two_parts >= *least,
                "the second part was used at {two_parts} offsets only"
            );
        }
        let one = parse_fast("t.xml", &inputs[4].0)
            .expect("answers")
            .expect("parses");
        assert_eq!(one.entities.len(), 4);
        assert_eq!(one.issues.len(), 5, "{:#?}", one.issues);
    }

    /// On the real 2026 list the second part is used, and the result is the
    /// one-thread result; also where the second thread chooses its start
    /// after a job of its own (how loads run: see `parse_parallel`).
    #[test]
    fn two_thread_parse_of_the_real_list() {
        let text = std::str::from_utf8(crate::bundled_bytes()[0].1).expect("UTF-8");
        let one = parse_fast("un.xml", text);
        for target in (0..10).map(|i| text.len() / 10 * i) {
            let two = parse_fast_split("un.xml", text, SplitAt::Offset(target), || ());
            assert_eq!(two.parts, 2, "split at {target}");
            differential::assert_same_fast(&one, &two.parsed);
        }
        for job_ms in [0, 1, 5] {
            let job = || std::thread::sleep(std::time::Duration::from_millis(job_ms));
            differential::assert_same_fast(
                &one,
                &parse_fast_split("un.xml", text, SplitAt::HalfOfTheRest, job).parsed,
            );
        }
        // The second thread reads several parts when the first one is slow
        // (here: has not started): each ends where the one after it starts.
        let pause = Pause::never();
        let parts = second_parts("un.xml", text, SplitAt::HalfOfTheRest, &pause).expect("parts");
        assert!(parts.len() >= 4, "{} parts", parts.len());
        let mut first = FastScan::new("un.xml", text);
        let paused = first.run(&pause);
        let (two, count) = assemble(first, paused, Some(parts));
        assert!(count >= 5);
        differential::assert_same_fast(&one, &two);
        let small = include_str!("../../../tests/fixtures/bad/un-bad-records.xml");
        differential::assert_same_fast(
            &parse_fast("t.xml", small),
            &parse_fast_split("t.xml", small, SplitAt::HalfOfTheRest, || ()).parsed,
        );
    }

    /// All five real UN files are read by the fast scanner, with the same
    /// result as quick-xml.
    #[test]
    fn real_files_take_the_fast_path() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/un");
        let mut files: Vec<Vec<u8>> = ["2017-06-30", "2017-07-03", "2018-10-29", "2020-03-20"]
            .iter()
            .map(|d| std::fs::read(dir.join(format!("consolidated-{d}.xml"))).expect("fixture"))
            .collect();
        files.push(crate::bundled_bytes()[0].1.to_vec());
        for bytes in files {
            let text = std::str::from_utf8(&bytes).expect("UTF-8");
            let p = both(text).expect("parses");
            assert!(p.entities.len() > 600, "{}", p.entities.len());
        }
    }
}
