//! OFAC SDN list, legacy CSV (`sdn.csv`).
//!
//! Twelve columns, no header, CRLF, `-0-` for an empty field, a `0x1A`
//! (DOS end-of-file) byte on the last line: `ent_num, SDN_Name, SDN_Type,
//! Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner,
//! Remarks`.
//!
//! Mapping:
//! - `SDN_Type` `individual` → `Person`, `vessel` → `Vessel`, `aircraft` →
//!   `Airplane`, empty (`-0-`, OFAC's "entity") → `Organization` (the file
//!   does not tell companies from groups or government bodies).
//! - `SDN_Name` is the caption and primary `name` exactly as listed
//!   (`KIM, Yong Chol`); for a person, the part before the comma is
//!   `lastName` and the rest `firstName`.
//! - `Program` (`NPWMD] [DPRK2`) → every bracketed program.
//! - `Title` → `position` and designation; vessel columns → `callSign`,
//!   `type`, `tonnage`, `grossRegisteredTonnage`, `flag` (ISO alpha-2), owner
//!   in `notes`.
//! - `Remarks`, split on `;`: `DOB` (day, month-year, year, `circa`, ranges
//!   `1960 to 1962`) → `birthDate`; `POB` → `birthPlace` (+ `birthCountry`
//!   when the last part is a country); `nationality` / `citizen` →
//!   `nationality` / `citizenship`; `Gender`; `Passport` → `passportNumber`;
//!   national ID, cedula, registration and tax numbers → `idNumber`,
//!   `registrationNumber`, `taxNumber`; `IMO` numbers (vessel or company) →
//!   `imoNumber`; `MMSI`; `SWIFT/BIC` → `swiftBic`; `Website`; `Email`;
//!   aircraft model, serial number and build date. The whole remarks text is
//!   kept as comments and `notes` (so "Linked To:", sanctions-risk notes and
//!   everything not parsed stay visible).
//! - Names in the remarks (`a.k.a. 'X'`, `f.k.a. 'X'`, `n.k.a. 'X'`) are
//!   **weak** aliases. OFAC FAQ 123 (<https://ofac.treasury.gov/faqs/123>):
//!   "In the DEL, FF, PIP, and CSV file formats, weak AKAs are listed in the
//!   Remarks field ... of the primary name file"; strong AKAs are in the
//!   separate `alt.csv`, which Resolute does not bundle. So `a.k.a.` and
//!   `n.k.a.` → `weakAlias` (kind weak, quality low), `f.k.a.` → a previous
//!   name of low quality.

use resolute_model::{
    Entity, EntityName, FuzzyDate, NameKind, NameQuality, PartialDate, Schema, Source, prop,
};

use crate::countries::{add_countries, country_codes};
use crate::position::LineCounter;
use crate::{ListError, Parsed, RecordIssue, RecordMeta};

const COLUMNS: usize = 12;

/// Parse an OFAC SDN legacy CSV.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ListError> {
    let mut out = Parsed::default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut row = csv::ByteRecord::new();
    let mut lines = LineCounter::new(bytes);
    // The start (byte offset, line) and width of the last row read.
    let mut last_row = None;
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e)),
        }
        let (start, line) = row_start(bytes, &row, &mut lines);
        if is_end_of_file_marker(&row) {
            continue;
        }
        last_row = Some((start, line, row.len()));
        let issues_before = out.issues.len();
        let mut issue = |reference: Option<String>, message: String, skipped: bool| {
            out.issues.push(RecordIssue {
                file: file.to_string(),
                line: Some(line),
                reference,
                message,
                skipped,
            });
        };
        let fields = match utf8_fields(&row) {
            Ok(fields) => fields,
            Err(message) => {
                issue(None, message, true);
                continue;
            }
        };
        if fields.len() != COLUMNS {
            issue(
                fields.first().map(|s| s.trim().to_string()),
                format!(
                    "expected {COLUMNS} columns (ent_num ... Remarks), found {}",
                    fields.len()
                ),
                true,
            );
            continue;
        }
        let mut field_issues = Vec::new();
        match map_row(&fields, &mut field_issues) {
            Ok(entity) => {
                for m in field_issues {
                    issue(Some(entity.reference.clone()), m, false);
                }
                out.entities.push(entity);
                out.records.push(RecordMeta {
                    line,
                    has_issues: out.issues.len() > issues_before,
                });
            }
            Err(e) => issue(
                Some(fields[0].trim().to_string()).filter(|s| !s.is_empty()),
                e.to_string(),
                true,
            ),
        }
    }
    if let Some((start, line, width)) = last_row {
        check_last_row(file, bytes, start, line, width)?;
    }
    if out.entities.is_empty() {
        return Err(ListError::NoValidRecord {
            file: file.to_string(),
            first_issue: out.issues.first().cloned().map(Box::new),
        });
    }
    Ok(out)
}

/// A CSV error that stops the file (the reader gives its line).
fn csv_error(file: &str, e: &csv::Error) -> ListError {
    let (line, message) = match e.kind() {
        csv::ErrorKind::Utf8 { pos, err } => (
            pos.as_ref().map(|p| p.line()),
            format!("invalid UTF-8: {err}"),
        ),
        _ => (e.position().map(|p| p.line()), e.to_string()),
    };
    ListError::Syntax {
        file: file.to_string(),
        line: line.unwrap_or(0),
        column: 1,
        message: format!("malformed CSV: {message}"),
    }
}

/// The byte offset and line where a row starts. csv counts a CRLF line
/// only when it reads the next row, so the line is taken from the byte
/// offset (past the previous row's terminator).
fn row_start(bytes: &[u8], row: &csv::ByteRecord, lines: &mut LineCounter<'_>) -> (usize, u64) {
    let Some(position) = row.position() else {
        return (0, 0);
    };
    let start = position.byte() as usize;
    let terminator = bytes.get(start..).map_or(0, |rest| {
        rest.iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count()
    });
    (start + terminator, lines.line_at(start + terminator))
}

/// The DOS end-of-file marker (`0x1A`) on its own line.
fn is_end_of_file_marker(row: &csv::ByteRecord) -> bool {
    row.len() == 1
        && row
            .get(0)
            .is_some_and(|f| f.iter().all(|b| *b == 0x1A || b.is_ascii_whitespace()))
}

/// The fields of a row as text, or the issue of the first that is not UTF-8.
fn utf8_fields(row: &csv::ByteRecord) -> Result<Vec<&str>, String> {
    row.iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f).map_err(|e| {
                let byte = f.get(e.valid_up_to()).copied().unwrap_or(0);
                format!("invalid UTF-8 (byte 0x{byte:02X}) in column {}", i + 1)
            })
        })
        .collect()
}

/// A file whose last row has no line end (before an end-of-file marker)
/// and is unfinished (a quoted field left open, too few columns) was cut:
/// as with an XML file that ends inside an element, the file is refused
/// rather than loaded without the rows that are missing. A cut exactly at a
/// line end cannot be seen in the file itself.
fn check_last_row(
    file: &str,
    bytes: &[u8],
    start: usize,
    line: u64,
    width: usize,
) -> Result<(), ListError> {
    let content = bytes.strip_suffix(b"\x1a").unwrap_or(bytes);
    if content.ends_with(b"\n") || content.ends_with(b"\r") {
        return Ok(());
    }
    let row = content.get(start..).unwrap_or_default();
    let open_quote = row.iter().filter(|b| **b == b'"').count() % 2 == 1;
    let problem = if open_quote {
        "ends inside a quoted field".to_string()
    } else if width < COLUMNS {
        format!("has {width} of {COLUMNS} columns")
    } else {
        return Ok(());
    };
    Err(ListError::Truncated {
        file: file.to_string(),
        line,
        column: 1,
        message: format!(
            "the row that starts here {problem} and the file ends there, without a line end \
             (file ends at {})",
            crate::LineCol::at(bytes, bytes.len())
        ),
    })
}

/// Why a row with twelve columns is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum RowError {
    #[error("ent_num {0:?} is not a number")]
    EntNum(String),
    #[error("empty SDN_Name")]
    EmptyName,
}

/// `-0-` is OFAC's empty field.
fn value(s: &str) -> &str {
    let t = s.trim();
    if t == "-0-" { "" } else { t }
}

fn map_row(f: &[&str], issues: &mut Vec<String>) -> Result<Entity, RowError> {
    let ent_num = value(f[0]);
    if ent_num.is_empty() || !ent_num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RowError::EntNum(ent_num.to_string()));
    }
    let name = value(f[1]);
    if name.is_empty() {
        return Err(RowError::EmptyName);
    }
    let schema = match value(f[2]).to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Airplane,
        "" => Schema::Organization,
        other => {
            issues.push(format!(
                "unknown SDN_Type {other:?}; taken as a legal entity"
            ));
            Schema::LegalEntity
        }
    };
    let mut e = Entity::new(Source::OfacSdn, ent_num, schema);
    e.add_name(EntityName {
        value: name.into(),
        kind: NameKind::Primary,
        quality: NameQuality::Unspecified,
        script: None,
    });
    if schema == Schema::Person
        && let Some((last, first)) = name.split_once(", ")
    {
        e.add(prop::LAST_NAME, last);
        e.add(prop::FIRST_NAME, first);
    }
    for p in value(f[3]).split(['[', ']']) {
        e.add_program(p);
    }
    let title = value(f[4]);
    if !title.is_empty() {
        e.add(prop::POSITION, title);
        e.designation.push(title.to_string());
    }
    e.add(prop::CALL_SIGN, value(f[5]));
    e.add(prop::TYPE, value(f[6]));
    e.add(prop::TONNAGE, value(f[7]));
    e.add("grossRegisteredTonnage", value(f[8]));
    let flag = value(f[9]);
    if !flag.is_empty() {
        add_country(&mut e, issues, prop::FLAG, flag);
    }
    let owner = value(f[10]);
    if !owner.is_empty() {
        e.add(prop::NOTES, format!("Vessel owner: {owner}"));
    }
    let remarks = value(f[11]);
    if !remarks.is_empty() {
        e.comments = Some(remarks.to_string());
        e.add(prop::NOTES, remarks);
        parse_remarks(&mut e, remarks, issues);
    }
    e.add(prop::TOPICS, "sanction");
    Ok(e)
}

fn add_country(e: &mut Entity, issues: &mut Vec<String>, property: &str, name: &str) {
    if !add_countries(e, property, name) {
        issues.push(format!("unknown country {name:?} in {property}"));
    }
}

/// Identifier labels in the remarks → FtM property. Longest labels first
/// where one is a prefix of another.
const ID_LABELS: &[(&str, &str)] = &[
    ("Passport", prop::PASSPORT_NUMBER),
    ("National ID No.", prop::ID_NUMBER),
    ("National ID", prop::ID_NUMBER),
    ("Identification Number", prop::ID_NUMBER),
    ("Cedula No.", prop::ID_NUMBER),
    ("D.N.I.", prop::ID_NUMBER),
    ("Personal ID Card", prop::ID_NUMBER),
    ("Tax ID No.", "taxNumber"),
    ("NIT #", "taxNumber"),
    ("RUC #", "taxNumber"),
    ("V.A.T. Number", "vatCode"),
    ("Registration Number", prop::REGISTRATION_NUMBER),
    ("Registration ID", prop::REGISTRATION_NUMBER),
    ("Business Registration Number", prop::REGISTRATION_NUMBER),
    ("Company Number", prop::REGISTRATION_NUMBER),
    ("Commercial Registry Number", prop::REGISTRATION_NUMBER),
    ("Legal Entity Number", "leiCode"),
];

fn parse_remarks(e: &mut Entity, remarks: &str, issues: &mut Vec<String>) {
    for segment in remarks.trim_end_matches('.').split(';') {
        let seg = segment.trim();
        let seg = seg.strip_prefix("alt. ").unwrap_or(seg).trim();
        if seg.is_empty() {
            continue;
        }
        if let Some(rest) = seg.strip_prefix("DOB ") {
            match parse_dob(rest) {
                Some(d) => e.add_birth_date(d),
                None => issues.push(format!("DOB {rest:?} is not a date")),
            }
        } else if let Some(rest) = seg.strip_prefix("POB ") {
            let place = rest.trim();
            e.add(prop::BIRTH_PLACE, place);
            if let Some(last) = place.rsplit(',').next() {
                for c in country_codes(last) {
                    e.add("birthCountry", c);
                }
            }
        } else if let Some(rest) = seg.strip_prefix("nationality ") {
            add_country(e, issues, prop::NATIONALITY, rest);
        } else if let Some(rest) = seg.strip_prefix("citizen ") {
            add_country(e, issues, prop::CITIZENSHIP, rest);
        } else if let Some(rest) = seg.strip_prefix("Gender ") {
            match rest.trim().to_ascii_lowercase().as_str() {
                "male" => e.add(prop::GENDER, "male"),
                "female" => e.add(prop::GENDER, "female"),
                other => issues.push(format!("unknown Gender {other:?}")),
            }
        } else if let Some(rest) = seg
            .strip_prefix("a.k.a. ")
            .or_else(|| seg.strip_prefix("n.k.a. "))
        {
            add_alias(e, rest, NameKind::Weak);
        } else if let Some(rest) = seg.strip_prefix("f.k.a. ") {
            add_alias(e, rest, NameKind::Previous);
        } else if let Some(rest) = seg.strip_prefix("SWIFT/BIC ") {
            e.add(prop::SWIFT_BIC, first_token(rest));
        } else if let Some(rest) = seg.strip_prefix("Website ") {
            e.add(prop::WEBSITE, rest);
        } else if let Some(rest) = seg
            .strip_prefix("Email Address ")
            .or_else(|| seg.strip_prefix("EMAIL "))
        {
            e.add(prop::EMAIL, rest);
        } else if let Some(rest) = seg.strip_prefix("MMSI ") {
            e.add(prop::MMSI, first_token(rest));
        } else if let Some(rest) = seg.strip_prefix("Vessel Registration Identification ") {
            add_identifier(e, prop::IMO_NUMBER, rest);
        } else if let Some(rest) = seg.strip_prefix("Vessel Year of Build ") {
            e.add(prop::BUILD_DATE, first_token(rest));
        } else if let Some(rest) = seg.strip_prefix("Aircraft Model ") {
            e.add("model", rest);
        } else if let Some(rest) = seg.strip_prefix("Aircraft Manufacturer's Serial Number (MSN) ")
        {
            e.add("serialNumber", rest);
        } else if let Some(rest) = seg.strip_prefix("Aircraft Manufacture Date ") {
            if let Some(d) = parse_partial(rest) {
                e.add(prop::BUILD_DATE, d.to_string());
            }
        } else if let Some(rest) = seg.strip_prefix("Aircraft Tail Number ") {
            e.add(prop::REGISTRATION_NUMBER, rest);
        } else if let Some((label, property)) = ID_LABELS
            .iter()
            .find(|(l, _)| seg.starts_with(l) && seg[l.len()..].starts_with(' '))
        {
            add_identifier(e, property, &seg[label.len()..]);
        }
    }
}

/// An identifier after its label: the number up to a remark (`(Iran)`,
/// `issued ...`, `expires ...`). `IMO 1234567` anywhere is an IMO number.
fn add_identifier(e: &mut Entity, property: &str, rest: &str) {
    let rest = rest.trim();
    if let Some(imo) = rest.strip_prefix("IMO ") {
        e.add(prop::IMO_NUMBER, first_token(imo));
        return;
    }
    let mut end = rest.len();
    for stop in [
        " (",
        " issued",
        " expires",
        " Issue Date",
        " Expiration Date",
        " Expire",
    ] {
        if let Some(i) = rest.find(stop) {
            end = end.min(i);
        }
    }
    let number = rest[..end].trim();
    if !number.is_empty() {
        e.add(property, number);
    }
}

fn first_token(s: &str) -> &str {
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(['.', ','])
}

/// `'KOMID'` → a weak alias (see the module notes on OFAC FAQ 123).
fn add_alias(e: &mut Entity, quoted: &str, kind: NameKind) {
    let t = quoted.trim();
    let name = t
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(t);
    e.add_name(EntityName {
        value: name.into(),
        kind,
        quality: NameQuality::Low,
        script: None,
    });
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `18 Jun 1964`, `Jun 1964`, `1964`.
fn parse_partial(s: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let year = |y: &str| y.parse::<i32>().ok().filter(|y| (1000..=9999).contains(y));
    let month = |m: &str| {
        let m = m.trim_end_matches('.').to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|x| m.starts_with(x))
            .map(|i| i as u8 + 1)
    };
    let d = match parts.as_slice() {
        [y] => PartialDate::year(year(y)?),
        [m, y] => PartialDate {
            year: year(y)?,
            month: Some(month(m)?),
            day: None,
        },
        [d, m, y] => PartialDate {
            year: year(y)?,
            month: Some(month(m)?),
            day: Some(d.parse().ok()?),
        },
        _ => return None,
    };
    // Reject impossible days (31 Feb).
    if d.day.is_some() && d.as_naive().is_none() {
        return None;
    }
    Some(d)
}

/// A DOB remark: `18 Jun 1964`, `circa 1947`, `1960 to 1962`,
/// `01 Jan 1960 to 31 Dec 1962`, `circa 1975-1977`.
pub fn parse_dob(s: &str) -> Option<FuzzyDate> {
    let t = s.trim().trim_end_matches('.');
    let (approx, t) = match t.strip_prefix("circa ") {
        Some(rest) => (true, rest.trim()),
        None => (false, t),
    };
    let range = t.split_once(" to ").or_else(|| {
        // `1975-1977`: a year range written with a hyphen.
        t.split_once('-')
            .filter(|(a, b)| a.len() == 4 && b.len() == 4)
    });
    if let Some((a, b)) = range {
        let (lo, hi) = (parse_partial(a)?, parse_partial(b)?);
        return Some(if lo <= hi {
            FuzzyDate::between(lo, hi)
        } else {
            FuzzyDate::between(hi, lo)
        });
    }
    let d = parse_partial(t)?;
    Some(if approx {
        FuzzyDate {
            qualifier: resolute_model::DateQualifier::Approximately,
            from: d,
            to: None,
        }
    } else {
        FuzzyDate::exact(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dob_forms() {
        let s = |x: &str| parse_dob(x).map(|d| d.to_string());
        assert_eq!(s("18 Jun 1964").as_deref(), Some("1964-06-18"));
        assert_eq!(s("Jan 1965").as_deref(), Some("1965-01"));
        assert_eq!(s("circa 1947").as_deref(), Some("approximately 1947"));
        assert_eq!(s("1960 to 1962").as_deref(), Some("between 1960 and 1962"));
        assert_eq!(
            s("01 Jan 1960 to 31 Dec 1962").as_deref(),
            Some("between 1960-01-01 and 1962-12-31")
        );
        assert_eq!(
            s("circa 1975-1977").as_deref(),
            Some("between 1975 and 1977")
        );
        assert_eq!(s("31 Feb 1960"), None);
        assert_eq!(s("sometime"), None);
    }

    fn row(line: &str) -> Parsed {
        parse("t.csv", line.as_bytes()).expect("parses")
    }

    #[test]
    fn individual_with_remarks() {
        let p = row(
            "15667,\"PAEK, Chang-Ho\",\"individual\",\"NPWMD] [DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 18 Jun 1964; \
             POB Kaesong, DPRK; nationality Korea, North; Gender Male; Passport 381420754 issued 07 Dec 2011 expires 07 Dec 2016; \
             a.k.a. 'PAEK, Chang Ho'; f.k.a. 'OLD NAME'; Linked To: KOMID.\"\r\n\x1a",
        );
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let e = &p.entities[0];
        assert_eq!(
            (e.reference.as_str(), e.schema, e.caption.as_str()),
            ("15667", Schema::Person, "PAEK, Chang-Ho")
        );
        assert_eq!(e.programs, ["NPWMD", "DPRK3"]);
        assert_eq!(e.get(prop::LAST_NAME), ["PAEK"]);
        assert_eq!(e.get(prop::FIRST_NAME), ["Chang-Ho"]);
        assert_eq!(e.get(prop::BIRTH_DATE), ["1964-06-18"]);
        assert_eq!(e.get(prop::BIRTH_PLACE), ["Kaesong, DPRK"]);
        assert_eq!(e.get("birthCountry"), ["kp"]);
        assert_eq!(e.get(prop::NATIONALITY), ["kp"]);
        assert_eq!(e.get(prop::GENDER), ["male"]);
        assert_eq!(e.get(prop::PASSPORT_NUMBER), ["381420754"]);
        assert_eq!(e.get(prop::WEAK_ALIAS), ["PAEK, Chang Ho"]);
        assert_eq!(e.get(prop::PREVIOUS_NAME), ["OLD NAME"]);
        assert!(e.names.iter().skip(1).all(|n| n.is_weak()));
        assert!(e.get(prop::NOTES)[0].contains("Linked To: KOMID"));
    }

    #[test]
    fn vessel_columns() {
        let p = row(
            "17069,\"CHONG CHON GANG\",\"vessel\",\"DPRK\",-0- ,\"HMZF\",\"General Cargo\",\"6,000\",\"4,500\",\"Democratic People's Republic of Korea\",-0- ,\
             \"Vessel Registration Identification IMO 7937317; MMSI 445114000.\"",
        );
        let e = &p.entities[0];
        assert_eq!(e.schema, Schema::Vessel);
        assert_eq!(e.get(prop::IMO_NUMBER), ["7937317"]);
        assert_eq!(e.get(prop::MMSI), ["445114000"]);
        assert_eq!(e.get(prop::FLAG), ["kp"]);
        assert_eq!(e.get(prop::CALL_SIGN), ["HMZF"]);
        assert_eq!(e.get(prop::TYPE), ["General Cargo"]);
        assert_eq!(e.get(prop::TONNAGE), ["6,000"]);
    }

    #[test]
    fn bad_rows_are_skipped_and_reported() {
        let p = row(
            "1,\"A\",-0- ,\"CUBA\"\r\nx2,\"B\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n3,\"C\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
        );
        assert_eq!(p.entities.len(), 1);
        assert_eq!(p.issues.len(), 2);
        assert_eq!(p.issues[0].line, Some(1));
        assert!(
            p.issues[0].message.contains("expected 12 columns"),
            "{}",
            p.issues[0].message
        );
        assert_eq!(p.issues[1].line, Some(2));
        assert!(p.issues.iter().all(|i| i.skipped));
    }
}
