//! UN Security Council Consolidated List XML (`CONSOLIDATED_LIST`).
//!
//! A streaming parser (quick-xml over the borrowed input) that collects each
//! `INDIVIDUAL` / `ENTITY` subtree into a small list of fields and maps it to
//! an [`Entity`]. It never relies on element order or on the XSD: the real
//! files put `NOTE` before `STREET`, add `ENTITY_ADDRESS` where the schema has
//! none, pad references and names with spaces and leave elements empty.
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

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use resolute_model::{
    DateQualifier, Entity, EntityName, FuzzyDate, NameKind, NameQuality, PartialDate, Schema, Source, prop,
};

use crate::countries::country_codes;
use crate::position::{LineCol, LineCounter};
use crate::script::detect_script;
use crate::{ListError, Parsed, RecordIssue};

const ROOT: &[u8] = b"CONSOLIDATED_LIST";

/// The element names the mapper reads, as static strings; anything else
/// maps to "" and is skipped. (A `match` on the bytes compiles to a fast
/// dispatch; this runs for every element of the file.)
fn intern(name: &[u8]) -> &'static str {
    match name {
        b"REFERENCE_NUMBER" => "REFERENCE_NUMBER",
        b"DATAID" => "DATAID",
        b"FIRST_NAME" => "FIRST_NAME",
        b"SECOND_NAME" => "SECOND_NAME",
        b"THIRD_NAME" => "THIRD_NAME",
        b"FOURTH_NAME" => "FOURTH_NAME",
        b"UN_LIST_TYPE" => "UN_LIST_TYPE",
        b"LISTED_ON" => "LISTED_ON",
        b"GENDER" => "GENDER",
        b"COMMENTS1" => "COMMENTS1",
        b"TITLE" => "TITLE",
        b"DESIGNATION" => "DESIGNATION",
        b"NATIONALITY" => "NATIONALITY",
        b"LAST_DAY_UPDATED" => "LAST_DAY_UPDATED",
        b"VALUE" => "VALUE",
        b"INDIVIDUAL_ALIAS" => "INDIVIDUAL_ALIAS",
        b"ENTITY_ALIAS" => "ENTITY_ALIAS",
        b"QUALITY" => "QUALITY",
        b"ALIAS_NAME" => "ALIAS_NAME",
        b"NOTE" => "NOTE",
        b"DATE_OF_BIRTH" => "DATE_OF_BIRTH",
        b"CITY_OF_BIRTH" => "CITY_OF_BIRTH",
        b"COUNTRY_OF_BIRTH" => "COUNTRY_OF_BIRTH",
        b"NAME_ORIGINAL_SCRIPT" => "NAME_ORIGINAL_SCRIPT",
        b"INDIVIDUAL_ADDRESS" => "INDIVIDUAL_ADDRESS",
        b"ENTITY_ADDRESS" => "ENTITY_ADDRESS",
        b"STREET" => "STREET",
        b"CITY" => "CITY",
        b"STATE_PROVINCE" => "STATE_PROVINCE",
        b"ZIP_CODE" => "ZIP_CODE",
        b"COUNTRY" => "COUNTRY",
        b"INDIVIDUAL_DATE_OF_BIRTH" => "INDIVIDUAL_DATE_OF_BIRTH",
        b"TYPE_OF_DATE" => "TYPE_OF_DATE",
        b"DATE" => "DATE",
        b"YEAR" => "YEAR",
        b"FROM_YEAR" => "FROM_YEAR",
        b"TO_YEAR" => "TO_YEAR",
        b"INDIVIDUAL_PLACE_OF_BIRTH" => "INDIVIDUAL_PLACE_OF_BIRTH",
        b"INDIVIDUAL_DOCUMENT" => "INDIVIDUAL_DOCUMENT",
        b"TYPE_OF_DOCUMENT" => "TYPE_OF_DOCUMENT",
        b"TYPE_OF_DOCUMENT2" => "TYPE_OF_DOCUMENT2",
        b"NUMBER" => "NUMBER",
        b"ISSUING_COUNTRY" => "ISSUING_COUNTRY",
        b"COUNTRY_OF_ISSUE" => "COUNTRY_OF_ISSUE",
        _ => "",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Individual,
    Entity,
}

/// A direct child of a record, with its own children (one level: the UN
/// schema nests no deeper).
#[derive(Debug)]
struct Field<'a> {
    name: &'static str,
    text: Cow<'a, str>,
    children: Vec<(&'static str, Cow<'a, str>)>,
}

impl<'a> Field<'a> {
    fn child(&self, name: &str) -> &str {
        self.children.iter().find(|(n, t)| *n == name && !t.trim().is_empty()).map_or("", |(_, t)| t.trim())
    }

    fn values(&self, name: &'static str) -> impl Iterator<Item = &str> {
        self.children.iter().filter(move |(n, _)| *n == name).map(|(_, t)| t.trim()).filter(|t| !t.is_empty())
    }
}

struct Record<'a> {
    kind: Kind,
    /// Index in the open-element stack of the record element.
    depth: usize,
    offset: usize,
    fields: Vec<Field<'a>>,
}

fn append(text: &mut Cow<'_, str>, more: Cow<'_, str>) {
    if text.is_empty() {
        *text = Cow::Owned(more.into_owned());
    } else {
        text.to_mut().push(' ');
        text.to_mut().push_str(&more);
    }
}

fn syntax(file: &str, bytes: &[u8], offset: usize, message: String) -> ListError {
    let at = LineCol::at(bytes, offset);
    ListError::Syntax { file: file.to_string(), line: at.line, column: at.column, message }
}

/// The element name written at `offset` (`<NAME ...`), for messages.
fn name_at(bytes: &[u8], offset: usize) -> String {
    let rest = bytes.get(offset..).unwrap_or_default();
    let rest = rest.strip_prefix(b"<").unwrap_or(rest);
    let end = rest.iter().position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/').unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end.min(64)]).into_owned()
}

/// The offset of the `<` at or after `offset`.
fn tag_start(bytes: &[u8], offset: usize) -> usize {
    bytes.get(offset..).and_then(|rest| rest.iter().position(|b| *b == b'<')).map_or(offset, |p| offset + p)
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()))
}

pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ListError> {
    // XML declares UTF-8 here; invalid bytes make the document not
    // well-formed, so they stop the file (with their position).
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let bad = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
        syntax(file, bytes, e.valid_up_to(), format!("invalid UTF-8 (byte 0x{bad:02X}): the UN list must be UTF-8"))
    })?;
    let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let mut reader = Reader::from_str(&text[bom..]);
    reader.config_mut().trim_text(true);
    let body = &bytes[bom..];

    let mut out = Parsed::default();
    let mut lines = LineCounter::new(body);
    let mut stack: Vec<usize> = Vec::new();
    let mut root_seen = false;
    let mut record: Option<Record<'_>> = None;

    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(syntax(file, body, at, format!("malformed XML: {e}")));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                // With trimmed text, whitespace before the tag is part of this event.
                let before = tag_start(body, before);
                let local = e.local_name();
                let local = local.as_ref();
                if !root_seen {
                    root_seen = true;
                    if local != ROOT {
                        return Err(syntax(
                            file,
                            body,
                            before,
                            format!(
                                "wrong root element <{}>: expected <CONSOLIDATED_LIST> (UN Security Council Consolidated List)",
                                String::from_utf8_lossy(local)
                            ),
                        ));
                    }
                    if let Some(raw) = attribute(e, b"dateGenerated") {
                        out.generated = raw.parse::<PartialDate>().ok().and_then(|d| d.as_naive());
                        if out.generated.is_none() {
                            out.issues.push(RecordIssue {
                                file: file.to_string(),
                                line: Some(lines.line_at(before)),
                                reference: None,
                                message: format!("dateGenerated {raw:?} is not a date"),
                                skipped: false,
                            });
                        }
                        out.generated_raw = Some(raw);
                    }
                } else if let Some(rec) = record.as_mut() {
                    let rel = stack.len() - rec.depth;
                    let name = intern(local);
                    if rel == 1 {
                        rec.fields.push(Field { name, text: Cow::Borrowed(""), children: Vec::new() });
                    } else if rel == 2
                        && let Some(f) = rec.fields.last_mut()
                    {
                        f.children.push((name, Cow::Borrowed("")));
                    }
                } else if local == b"INDIVIDUAL" || local == b"ENTITY" {
                    let kind = if local == b"INDIVIDUAL" { Kind::Individual } else { Kind::Entity };
                    let rec = Record { kind, depth: stack.len(), offset: before, fields: Vec::new() };
                    if is_empty {
                        finish(file, &mut lines, rec, &mut out);
                    } else {
                        record = Some(rec);
                    }
                }
                if !is_empty {
                    stack.push(before);
                }
            }
            Event::End(_) => {
                stack.pop();
                if record.as_ref().is_some_and(|r| r.depth == stack.len())
                    && let Some(rec) = record.take()
                {
                    finish(file, &mut lines, rec, &mut out);
                }
            }
            Event::Text(ref t) => {
                if let Some(rec) = record.as_mut() {
                    let value = match t.unescape() {
                        Ok(v) => v,
                        Err(e) => {
                            // An unknown entity (`&nbsp;`) in one field: keep the raw text.
                            out.issues.push(RecordIssue {
                                file: file.to_string(),
                                line: Some(lines.line_at(before)),
                                reference: None,
                                message: format!("bad character reference: {e}; raw text kept"),
                                skipped: false,
                            });
                            Cow::Owned(String::from_utf8_lossy(t.as_ref()).into_owned())
                        }
                    };
                    push_text(rec, stack.len(), value);
                }
            }
            Event::CData(c) => {
                if let Some(rec) = record.as_mut() {
                    let value = Cow::Owned(String::from_utf8_lossy(&c.into_inner()).into_owned());
                    push_text(rec, stack.len(), value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(syntax(file, body, body.len(), "no root element: expected <CONSOLIDATED_LIST>".into()));
    }
    if let Some(&open) = stack.last() {
        let end = LineCol::at(body, body.len());
        return Err(syntax(
            file,
            body,
            open,
            format!("truncated file: <{}> opened here is not closed (file ends at {end})", name_at(body, open)),
        ));
    }
    Ok(out)
}

fn push_text<'a>(rec: &mut Record<'a>, open: usize, value: Cow<'a, str>) {
    let rel = open - rec.depth;
    if rel == 2 {
        if let Some(f) = rec.fields.last_mut() {
            append(&mut f.text, value);
        }
    } else if rel == 3
        && let Some((_, t)) = rec.fields.last_mut().and_then(|f| f.children.last_mut())
    {
        append(t, value);
    }
}

/// Map a finished record and add it (or an issue) to the output.
fn finish(file: &str, lines: &mut LineCounter<'_>, rec: Record<'_>, out: &mut Parsed) {
    let line = lines.line_at(rec.offset);
    let mut ctx = Ctx { file, line, reference: None, issues: &mut out.issues };
    if let Some(entity) = map_record(&rec, &mut ctx) {
        out.entities.push(entity);
    }
}

struct Ctx<'a> {
    file: &'a str,
    line: u64,
    reference: Option<String>,
    issues: &'a mut Vec<RecordIssue>,
}

impl Ctx<'_> {
    fn issue(&mut self, message: String, skipped: bool) {
        self.issues.push(RecordIssue {
            file: self.file.to_string(),
            line: Some(self.line),
            reference: self.reference.clone(),
            message,
            skipped,
        });
    }
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn map_record(rec: &Record<'_>, ctx: &mut Ctx<'_>) -> Option<Entity> {
    let top = |name: &str| rec.fields.iter().find(|f| f.name == name && !f.text.trim().is_empty()).map(|f| f.text.trim());
    let Some(reference) = top("REFERENCE_NUMBER") else {
        let what = match rec.kind {
            Kind::Individual => "INDIVIDUAL",
            Kind::Entity => "ENTITY",
        };
        let dataid = top("DATAID").map(|d| format!(" (DATAID {d})")).unwrap_or_default();
        ctx.issue(format!("{what} without REFERENCE_NUMBER{dataid}"), true);
        return None;
    };
    ctx.reference = Some(reference.to_string());
    let schema = match rec.kind {
        Kind::Individual => Schema::Person,
        Kind::Entity => Schema::Organization,
    };
    let mut e = Entity::new(Source::Un, reference, schema);

    let parts: Vec<String> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|n| top(n))
        .map(clean)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        ctx.issue("record without a name (FIRST_NAME..FOURTH_NAME empty)".into(), true);
        return None;
    }
    e.add_name(EntityName { value: parts.join(" "), kind: NameKind::Primary, quality: NameQuality::Unspecified, script: None });

    for f in rec.fields.iter().filter(|f| f.name == "UN_LIST_TYPE") {
        e.add_program(&f.text);
    }
    if rec.kind == Kind::Individual {
        let korean = e.programs.iter().any(|p| p == "DPRK");
        if korean {
            e.add(prop::LAST_NAME, &parts[0]);
            if parts.len() > 1 {
                e.add(prop::FIRST_NAME, parts[1..].join(" "));
            }
        } else {
            e.add(prop::FIRST_NAME, &parts[0]);
            if parts.len() > 1 {
                e.add(prop::LAST_NAME, &parts[parts.len() - 1]);
            }
            for middle in parts.iter().take(parts.len().saturating_sub(1)).skip(1) {
                e.add(prop::MIDDLE_NAME, middle);
            }
        }
    }

    for f in &rec.fields {
        let text = f.text.trim();
        match f.name {
            "LISTED_ON" if !text.is_empty() => match parse_day(text) {
                Some(d) => e.listed_on = Some(d),
                None => ctx.issue(format!("LISTED_ON {text:?} is not a date"), false),
            },
            "LAST_DAY_UPDATED" => {
                for v in f.values("VALUE") {
                    match parse_day(v) {
                        Some(d) if !e.last_updated.contains(&d) => e.last_updated.push(d),
                        Some(_) => {}
                        None => ctx.issue(format!("LAST_DAY_UPDATED {v:?} is not a date"), false),
                    }
                }
            }
            "GENDER" if !text.is_empty() => match text.to_ascii_lowercase().as_str() {
                "male" => e.add(prop::GENDER, "male"),
                "female" => e.add(prop::GENDER, "female"),
                "unknown" => {}
                other => ctx.issue(format!("unknown GENDER {other:?}"), false),
            },
            "COMMENTS1" if !text.is_empty() => {
                e.comments = Some(text.to_string());
                e.add(prop::NOTES, text);
                if rec.kind == Kind::Individual {
                    // "New AKA: Jang Hyon U ... diplomatic passport number 836110034" (UNSCR 2371 amendments).
                    for number in passport_numbers(text) {
                        e.add(prop::PASSPORT_NUMBER, number);
                    }
                }
                if rec.kind == Kind::Entity {
                    for imo in imo_numbers(text) {
                        e.add(prop::IMO_NUMBER, imo);
                    }
                    for bic in swift_bics(text) {
                        e.add(prop::SWIFT_BIC, bic);
                    }
                }
            }
            "TITLE" => {
                for v in f.values("VALUE") {
                    e.add(prop::TITLE, clean(v));
                }
            }
            "DESIGNATION" => {
                for v in f.values("VALUE") {
                    let v = clean(v);
                    e.add(prop::POSITION, &v);
                    if !e.designation.contains(&v) {
                        e.designation.push(v);
                    }
                }
            }
            "NATIONALITY" => {
                for v in f.values("VALUE") {
                    add_country(&mut e, ctx, prop::NATIONALITY, v);
                }
            }
            "NAME_ORIGINAL_SCRIPT" if !text.is_empty() => {
                let script = detect_script(text).filter(|s| *s != "Latn").map(str::to_string);
                e.add_name(EntityName { value: text.to_string(), kind: NameKind::OriginalScript, quality: NameQuality::Unspecified, script });
            }
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => map_alias(&mut e, ctx, f),
            "INDIVIDUAL_DATE_OF_BIRTH" => {
                if let Some(d) = birth_date(ctx, f) {
                    e.add_birth_date(d);
                }
            }
            "INDIVIDUAL_PLACE_OF_BIRTH" => {
                let place = join_parts([f.child("STREET"), f.child("CITY"), f.child("STATE_PROVINCE"), f.child("COUNTRY")]);
                e.add(prop::BIRTH_PLACE, place);
                let country = f.child("COUNTRY");
                if !country.is_empty() {
                    add_country(&mut e, ctx, "birthCountry", country);
                }
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
                let address = join_parts([
                    f.child("STREET"),
                    f.child("CITY"),
                    f.child("STATE_PROVINCE"),
                    f.child("ZIP_CODE"),
                    f.child("COUNTRY"),
                ]);
                e.add(prop::ADDRESS, address);
                let country = f.child("COUNTRY");
                if !country.is_empty() {
                    add_country(&mut e, ctx, prop::COUNTRY, country);
                }
            }
            "INDIVIDUAL_DOCUMENT" => {
                let number = clean(f.child("NUMBER"));
                if number.is_empty() {
                    continue;
                }
                let kind = format!("{} {}", f.child("TYPE_OF_DOCUMENT"), f.child("TYPE_OF_DOCUMENT2")).to_lowercase();
                let is_passport = ["passport", "passeport", "pasaporte"].iter().any(|p| kind.contains(p));
                e.add(if is_passport { prop::PASSPORT_NUMBER } else { prop::ID_NUMBER }, number);
            }
            _ => {}
        }
    }
    e.add(prop::TOPICS, "sanction");
    Some(e)
}

fn map_alias(e: &mut Entity, ctx: &mut Ctx<'_>, f: &Field<'_>) {
    let name = clean(unquote(f.child("ALIAS_NAME")));
    if !name.is_empty() {
        let quality = f.child("QUALITY");
        let (kind, quality) = match quality.to_ascii_lowercase().as_str() {
            "good" | "a.k.a." => (NameKind::Alias, NameQuality::Good),
            "low" => (NameKind::Alias, NameQuality::Low),
            "f.k.a." => (NameKind::Previous, NameQuality::Unspecified),
            "" => (NameKind::Alias, NameQuality::Unspecified),
            other => {
                ctx.issue(format!("unknown alias QUALITY {other:?}; taken as an alias"), false);
                (NameKind::Alias, NameQuality::Unspecified)
            }
        };
        let script = detect_script(&name).filter(|s| *s != "Latn").map(str::to_string);
        e.add_name(EntityName { value: name, kind, quality, script });
    }
    let dob = f.child("DATE_OF_BIRTH");
    if !dob.is_empty() {
        match parse_date(dob) {
            Ok(d) => e.add_birth_date(FuzzyDate::exact(d)),
            Err(_) => ctx.issue(format!("alias DATE_OF_BIRTH {dob:?} is not a date"), false),
        }
    }
    let place = join_parts([f.child("CITY_OF_BIRTH"), f.child("COUNTRY_OF_BIRTH")]);
    e.add(prop::BIRTH_PLACE, place);
    let country = f.child("COUNTRY_OF_BIRTH");
    if !country.is_empty() {
        add_country(e, ctx, "birthCountry", country);
    }
}

/// `"KOMID"` → `KOMID`: the list quotes some acronyms; the quotes are not
/// part of the name.
fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"').and_then(|x| x.strip_suffix('"')).filter(|x| !x.contains('"')).unwrap_or(t)
}

fn birth_date(ctx: &mut Ctx<'_>, f: &Field<'_>) -> Option<FuzzyDate> {
    let kind = f.child("TYPE_OF_DATE").to_ascii_uppercase();
    let (date, year, from, to) = (f.child("DATE"), f.child("YEAR"), f.child("FROM_YEAR"), f.child("TO_YEAR"));
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
        let lo = if from.is_empty() { None } else { parse("FROM_YEAR", from) };
        let hi = if to.is_empty() { None } else { parse("TO_YEAR", to) };
        return match (lo, hi) {
            (Some(a), Some(b)) if a <= b => Some(FuzzyDate::between(a, b)),
            (Some(a), Some(b)) => Some(FuzzyDate::between(b, a)),
            (Some(a), None) | (None, Some(a)) => Some(FuzzyDate::exact(a)),
            (None, None) => None,
        };
    }
    let value = if !date.is_empty() { parse("DATE", date)? } else if !year.is_empty() { parse("YEAR", year)? } else { return None };
    let qualifier = match kind.as_str() {
        "APPROXIMATELY" => DateQualifier::Approximately,
        "EXACT" | "" => DateQualifier::Exact,
        "BETWEEN" => DateQualifier::Exact, // BETWEEN without FROM/TO: only one date given
        other => {
            ctx.issue(format!("unknown TYPE_OF_DATE {other:?}; taken as exact"), false);
            DateQualifier::Exact
        }
    };
    Some(FuzzyDate { qualifier, from: value, to: None })
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

fn join_parts<const N: usize>(parts: [&str; N]) -> String {
    parts.iter().map(|p| clean(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ")
}

fn add_country(e: &mut Entity, ctx: &mut Ctx<'_>, property: &str, name: &str) {
    let codes = country_codes(name);
    if codes.is_empty() && !crate::countries::is_known_non_country(name) {
        ctx.issue(format!("unknown country {name:?} in {property}"), false);
    }
    for code in codes {
        e.add(property, code);
    }
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
        if digits.len() == 7 && !next.is_some_and(|c| c.is_ascii_alphanumeric()) && !found.contains(&digits) {
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
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("passport n") {
        let start = from + i + "passport n".len();
        from = start;
        let rest = &text[start..];
        let rest = if let Some(r) = rest.strip_prefix("umber") { r } else if let Some(r) = rest.strip_prefix("o.") { r } else { continue };
        let token: String = rest
            .trim_start_matches([':', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if token.len() >= 5 && token.chars().any(|c| c.is_ascii_digit()) && !found.contains(&token) {
            found.push(token);
        }
    }
    found
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
        if (code.len() == 8 || code.len() == 11) && code[..6].chars().all(|c| c.is_ascii_uppercase()) && !found.contains(&code) {
            found.push(code);
        }
        rest = after;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports_in_comments() {
        assert_eq!(
            passport_numbers("New AKA: Jang Hyon U with date of birth 22 February 1958 and diplomatic passport number 836110034, which"),
            ["836110034"]
        );
        assert_eq!(passport_numbers("Passport No.: PD381420754."), ["PD381420754"]);
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
        assert_eq!(imo_numbers("International Maritime Organization (IMO) Number: 1790183."), ["1790183"]);
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
}
