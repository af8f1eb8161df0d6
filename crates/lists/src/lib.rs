//! Sanctions list ingestion: parsers, versions, diffs and as-of-date views.
//!
//! API contract used by the other crates (keep it stable):
//! - [`load_file`] / [`load_bytes`]: detect the format from content and parse
//!   into a [`ListVersion`].
//! - [`bundled`]: the lists embedded in the binary (newest UN list, OFAC SDN).
//! - [`diff`]: entries added, removed and changed between two versions.
//! - [`ListHistory`]: several versions of lists; which entries were designated on a date.
//!
//! Formats:
//! - UN Security Council Consolidated List XML ([`un`]), streaming and lenient
//!   about element order, whitespace, empty elements and schema violations.
//! - OFAC SDN legacy CSV ([`sdn`]), with the remarks field parsed into FtM
//!   properties.
//!
//! Error policy: a file that cannot be read as a whole (empty, unknown format,
//! not well-formed XML, a DOCTYPE, invalid UTF-8 in XML, wrong root element,
//! cut off before its end) is a [`ListError`] naming the file and
//! line:column. A bad *record* inside a good file is a [`RecordIssue`]: it is
//! reported in [`ListVersion::issues`] and skipped when it cannot be
//! identified (no reference, no name); a bad *field* (unparseable date,
//! unknown country) is reported and the rest of the record is kept, since
//! dropping a sanctioned party for a malformed date of birth would be the
//! worse failure. [`ListVersion::summary`] counts them, with the references
//! that occur more than once, for an application that decides whether a new
//! version goes in force at once or waits for a person to confirm it.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use resolute_model::{Entity, Source};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub mod countries;
mod diff;
mod history;
mod position;
pub mod script;
pub mod sdn;
pub mod un;

pub use diff::{ChangedEntry, EntrySummary, ListDiff, diff};
pub use history::ListHistory;
pub use position::LineCol;

/// An error that stops a whole file from loading.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    /// An SDN CSV none of whose rows is a valid record (the first row's issue is shown).
    #[error("{file}: no valid SDN record{}", first_issue_suffix(.first_issue.as_deref()))]
    NoValidRecord {
        file: String,
        first_issue: Option<Box<RecordIssue>>,
    },
    /// The file is empty (or only whitespace).
    #[error("{file}: empty file: expected a UN Consolidated List XML or an OFAC SDN CSV")]
    Empty { file: String },
    /// The content is neither of the known formats.
    #[error(
        "{file}:1:1: unknown list format (starts with {start:?}): expected a UN Consolidated List XML \
         (<CONSOLIDATED_LIST>) or an OFAC SDN legacy CSV (12 columns, first column ent_num)"
    )]
    UnknownFormat { file: String, start: String },
    /// A syntax or encoding error at a position in the file.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    /// The file ends inside a record: an XML element not closed, an SDN
    /// line cut short. Where the unfinished part starts, and what is missing.
    #[error("{file}:{line}:{column}: truncated file: {message}")]
    Truncated {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    /// A UN list with a document type declaration, refused where it starts
    /// (none of its entities is read).
    #[error(
        "{file}:{line}:{column}: DOCTYPE not allowed: a UN Consolidated List has none, and a DTD \
         can declare entities that read other files or expand without bound"
    )]
    DocType {
        file: String,
        line: u64,
        column: u64,
    },
}

fn first_issue_suffix(issue: Option<&RecordIssue>) -> String {
    issue
        .map(|i| format!(": line {}: {}", i.line.unwrap_or(0), i.message))
        .unwrap_or_default()
}

/// A bad record (or field) inside an otherwise good file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordIssue {
    pub file: String,
    /// 1-based line where the record (or field) starts.
    pub line: Option<u64>,
    /// The list reference of the record, when known.
    pub reference: Option<String>,
    pub message: String,
    /// Whether the whole record was skipped (otherwise only a field was dropped).
    #[serde(default)]
    pub skipped: bool,
}

impl std::fmt::Display for RecordIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(r) = &self.reference {
            write!(f, " [{r}]")?;
        }
        write!(
            f,
            ": {}{}",
            self.message,
            if self.skipped {
                " (record skipped)"
            } else {
                ""
            }
        )
    }
}

/// One parsed version of a list.
#[derive(Debug, Clone, Serialize)]
pub struct ListVersion {
    pub source: Source,
    /// The list's own generation date (UN `dateGenerated`), or for files that
    /// carry none (OFAC legacy CSV), the date given by the caller or the file name.
    pub generated: Option<NaiveDate>,
    /// The `dateGenerated` attribute verbatim, when present.
    pub generated_raw: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    pub content_hash: String,
    /// Where it was loaded from (path or a label such as `bundled:un`).
    pub origin: String,
    pub entities: Vec<Entity>,
    pub issues: Vec<RecordIssue>,
    /// Records read, with issues, and repeated references.
    pub summary: LoadSummary,
}

/// What a load found, in numbers an application can hold a new version on
/// (and show): a list that lost many records, has many bad ones or repeats
/// a reference is better confirmed by a person before it goes in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    /// Records read: UN `INDIVIDUAL` / `ENTITY` elements, SDN rows (the
    /// DOS end-of-file line is none), whether kept or skipped.
    pub records_read: usize,
    /// Records skipped (no reference, no name, wrong number of columns, ...).
    pub records_skipped: usize,
    /// Records with at least one issue, skipped ones included. A repeated
    /// reference is not counted here (see `duplicate_references`).
    pub records_with_issues: usize,
    /// References that more than one kept record has (compared as entity
    /// ids: trimmed, case ignored), in the order of their first record.
    /// Every record is kept; each repeat is also a [`RecordIssue`].
    pub duplicate_references: Vec<DuplicateReference>,
}

/// A reference that several records of one file have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateReference {
    /// The reference as the first of its records writes it.
    pub reference: String,
    /// The line where each of its records starts, in file order.
    pub lines: Vec<u64>,
}

impl LoadSummary {
    /// The share of the records read that have an issue (0 for none read).
    pub fn issue_share(&self) -> f64 {
        if self.records_read == 0 {
            0.0
        } else {
            self.records_with_issues as f64 / self.records_read as f64
        }
    }
}

impl ListVersion {
    /// `source@generated#hash8`, e.g. `un@2026-02-27#66b392a4`.
    pub fn id(&self) -> String {
        let date = self
            .generated
            .map(|d| d.to_string())
            .unwrap_or_else(|| "undated".into());
        format!(
            "{}@{}#{}",
            self.source.as_str(),
            date,
            &self.content_hash[..8.min(self.content_hash.len())]
        )
    }

    /// The entry with this list reference (`KPe.047`, `12211`), ignoring case
    /// and surrounding whitespace.
    pub fn get(&self, reference: &str) -> Option<&Entity> {
        let r = reference.trim();
        self.entities
            .iter()
            .find(|e| e.reference.eq_ignore_ascii_case(r))
    }
}

/// Options for [`load_bytes_with`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The list date for formats that carry none (OFAC SDN CSV). When `None`,
    /// a `YYYY-MM-DD` in the file name is used (`sdn-2024-05-03.csv`).
    pub generated: Option<NaiveDate>,
    /// `Some(2)` (or more): compute the SHA-256 content hash on a second
    /// thread while the file is parsed. `None` or `Some(1)`: on the calling
    /// thread, after the parse. The file itself is always parsed on one
    /// thread (a list load is not a hot path).
    pub threads: Option<usize>,
}

/// The formats Resolute reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    UnXml,
    OfacSdnCsv,
}

/// Load a list file; the format is detected from its content.
pub fn load_file(path: &Path) -> Result<ListVersion, ListError> {
    load_file_with(path, &LoadOptions::default())
}

/// [`load_file`] with options.
pub fn load_file_with(path: &Path, options: &LoadOptions) -> Result<ListVersion, ListError> {
    let bytes = std::fs::read(path).map_err(|source| ListError::Io {
        file: path.display().to_string(),
        source,
    })?;
    load_bytes_with(&path.display().to_string(), &bytes, options)
}

/// Parse list bytes; `name` is used in errors and as the origin.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<ListVersion, ListError> {
    load_bytes_with(name, bytes, &LoadOptions::default())
}

/// [`load_bytes`] with options.
pub fn load_bytes_with(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<ListVersion, ListError> {
    let format = detect_format(name, bytes)?;
    load_bytes_as(name, bytes, format, options)
}

/// Parse list bytes in a given format, without detection (for callers that
/// know the format, and for the fuzz targets).
pub fn load_bytes_as(
    name: &str,
    bytes: &[u8],
    format: Format,
    options: &LoadOptions,
) -> Result<ListVersion, ListError> {
    let parse = || parse_as(name, bytes, format, options);
    let (parsed, content_hash) = if options.threads.is_some_and(|n| n > 1) {
        std::thread::scope(|s| {
            let hash = s.spawn(|| content_hash(bytes));
            let parsed = parse();
            let hash = hash
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (parsed, hash)
        })
    } else {
        (parse(), content_hash(bytes))
    };
    let mut parsed = parsed?;
    let summary = summarise(name, &mut parsed);
    Ok(ListVersion {
        source: match format {
            Format::UnXml => Source::Un,
            Format::OfacSdnCsv => Source::OfacSdn,
        },
        generated: parsed.generated,
        generated_raw: parsed.generated_raw,
        content_hash,
        origin: name.to_string(),
        entities: parsed.entities,
        issues: parsed.issues,
        summary,
    })
}

/// The entities of list bytes, and the issues of their bad records: the
/// parse into the model alone, without the SHA-256 content hash and the
/// summary that [`load_bytes_with`] adds to make a [`ListVersion`]. What a
/// benchmark of the parser times. `options.threads` changes nothing here.
pub fn parse_bytes_with(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<(Vec<Entity>, Vec<RecordIssue>), ListError> {
    let format = detect_format(name, bytes)?;
    let parsed = parse_as(name, bytes, format, options)?;
    Ok((parsed.entities, parsed.issues))
}

fn parse_as(
    name: &str,
    bytes: &[u8],
    format: Format,
    options: &LoadOptions,
) -> Result<Parsed, ListError> {
    match format {
        Format::UnXml => un::parse(name, bytes),
        Format::OfacSdnCsv => {
            let mut parsed = sdn::parse(name, bytes)?;
            parsed.generated = options.generated.or_else(|| date_in_name(name));
            Ok(parsed)
        }
    }
}

/// SHA-256 of a list file's bytes, hex: the content part of a version's identity.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What a format parser returns; [`load_bytes_with`] adds hash, origin and summary.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub generated: Option<NaiveDate>,
    pub generated_raw: Option<String>,
    pub entities: Vec<Entity>,
    /// Where each entity's record is (parallel to `entities`).
    pub records: Vec<RecordMeta>,
    pub issues: Vec<RecordIssue>,
}

/// The record an entity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordMeta {
    /// The line where the record starts.
    pub line: u64,
    /// Whether the record has issues (fields dropped).
    pub has_issues: bool,
}

/// The [`LoadSummary`] of a parse; each repeat of a reference is added to
/// its issues.
fn summarise(file: &str, parsed: &mut Parsed) -> LoadSummary {
    let records_skipped = parsed.issues.iter().filter(|i| i.skipped).count();
    let mut summary = LoadSummary {
        records_read: parsed.entities.len() + records_skipped,
        records_skipped,
        records_with_issues: records_skipped
            + parsed.records.iter().filter(|r| r.has_issues).count(),
        duplicate_references: Vec::new(),
    };
    // Entity id → index in `duplicate_references` (or where the id was first seen).
    let mut first: HashMap<&str, (usize, Option<usize>)> = HashMap::new();
    for (i, (e, record)) in parsed.entities.iter().zip(&parsed.records).enumerate() {
        let Some((first_index, duplicate)) = first.get_mut(e.id.as_str()) else {
            first.insert(e.id.as_str(), (i, None));
            continue;
        };
        let first_record = &parsed.records[*first_index];
        let d = *duplicate.get_or_insert_with(|| {
            summary.duplicate_references.push(DuplicateReference {
                reference: parsed.entities[*first_index].reference.clone(),
                lines: vec![first_record.line],
            });
            summary.duplicate_references.len() - 1
        });
        summary.duplicate_references[d].lines.push(record.line);
        parsed.issues.push(RecordIssue {
            file: file.to_string(),
            line: Some(record.line),
            reference: Some(e.reference.clone()),
            message: format!(
                "reference repeated: the record at line {} has it too; both are kept",
                first_record.line
            ),
            skipped: false,
        });
    }
    summary
}

/// Detect the format from the first bytes: `<` (after a BOM and whitespace)
/// is XML (the root element is checked by the UN parser); a first line that
/// starts with digits followed by a comma is the SDN CSV.
pub fn detect_format(name: &str, bytes: &[u8]) -> Result<Format, ListError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0x1A);
    let Some(start) = start else {
        return Err(ListError::Empty {
            file: name.to_string(),
        });
    };
    let rest = &body[start..];
    if rest[0] == b'<' {
        return Ok(Format::UnXml);
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && rest.get(digits) == Some(&b',') {
        return Ok(Format::OfacSdnCsv);
    }
    let shown: String = String::from_utf8_lossy(&rest[..rest.len().min(24)])
        .chars()
        .take(24)
        .collect();
    Err(ListError::UnknownFormat {
        file: name.to_string(),
        start: shown,
    })
}

/// The first `YYYY-MM-DD` in a file name (`sdn-2024-05-03.csv` → 2024-05-03).
pub fn date_in_name(name: &str) -> Option<NaiveDate> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let b = file.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = file.get(i..i + 10)?;
        let ok = s.bytes().enumerate().all(|(j, c)| {
            if j == 4 || j == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        if ok {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
        } else {
            None
        }
    })
}

static BUNDLED_UN: &[u8] = include_bytes!("../../../data/lists/un/consolidated-2026-02-27.xml");
static BUNDLED_SDN: &[u8] = include_bytes!("../../../data/lists/ofac/sdn-2024-05-03.csv");

/// Names (origins) of the bundled lists.
pub const BUNDLED_UN_NAME: &str = "bundled:un/consolidated-2026-02-27.xml";
pub const BUNDLED_SDN_NAME: &str = "bundled:ofac/sdn-2024-05-03.csv";

/// The raw bytes of the bundled lists, `(origin, bytes)`; for benchmarks.
pub fn bundled_bytes() -> [(&'static str, &'static [u8]); 2] {
    [
        (BUNDLED_UN_NAME, BUNDLED_UN),
        (BUNDLED_SDN_NAME, BUNDLED_SDN),
    ]
}

/// The lists bundled with Resolute (newest UN Consolidated List, OFAC SDN),
/// parsed on each call: UN first, then OFAC SDN.
pub fn bundled() -> Result<Vec<ListVersion>, ListError> {
    bundled_bytes()
        .iter()
        .map(|(name, bytes)| load_bytes(name, bytes))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content() {
        assert_eq!(
            detect_format("a", b"\xEF\xBB\xBF  <?xml version='1.0'?>").ok(),
            Some(Format::UnXml)
        );
        assert_eq!(
            detect_format("a", b"36,\"AEROCARIBBEAN AIRLINES\",-0- ").ok(),
            Some(Format::OfacSdnCsv)
        );
        assert!(matches!(
            detect_format("a", b"  \r\n\x1a"),
            Err(ListError::Empty { .. })
        ));
        let e = detect_format("x.txt", b"hello world")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("x.txt:1:1: unknown list format"), "{e}");
    }

    /// The hash on a second thread or not: the same version; the parse
    /// alone gives the same entities and issues.
    #[test]
    fn options_do_not_change_the_result() {
        for (name, bytes) in bundled_bytes() {
            let load = |threads| {
                let options = LoadOptions {
                    threads: Some(threads),
                    ..LoadOptions::default()
                };
                let v = load_bytes_with(name, bytes, &options).expect("loads");
                serde_json::to_string(&v).expect("serializes")
            };
            let one = load(1);
            assert!(one.len() > 1_000_000, "{name}");
            assert!(
                one == load(2),
                "{name}: the hash on a second thread changes the load"
            );
            let version = load_bytes(name, bytes).expect("loads");
            let (entities, issues) =
                parse_bytes_with(name, bytes, &LoadOptions::default()).expect("parses");
            assert!(
                entities == version.entities && issues == version.issues,
                "{name}"
            );
        }
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name("data/lists/ofac/sdn-2024-05-03.csv"),
            NaiveDate::from_ymd_opt(2024, 5, 3)
        );
        assert_eq!(date_in_name("sdn.csv"), None);
        assert_eq!(date_in_name("sdn-2024-13-03.csv"), None);
        assert_eq!(
            date_in_name("2017-06-30"),
            NaiveDate::from_ymd_opt(2017, 6, 30)
        );
    }
}
