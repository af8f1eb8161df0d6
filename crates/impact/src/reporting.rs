//! Reporting requests of the DPRK resolutions and the rules over the national
//! implementation reports (NIRs) states submit.
//!
//! Requests are bundled data (`data/reporting/requests.csv`): each row cites
//! its source and says whether the paragraph and the deadline were verified.
//! Adoption dates, and so the due dates, come from the regime files
//! (`regime/dprk/<n>.toml`), never from a table here.
//!
//! This module holds rules only: validating a report, reading and writing the
//! report CSV format, and the status of a resolution over the reports it is
//! handed. Where reports are kept (the SQLite store, audited) is the
//! application layer's business (`resolute-casework::reports`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::NaiveDate;
use resolute_regime::Regime;
use serde::{Deserialize, Serialize};

use crate::members::{self, MemberError, MemberState};

static REQUESTS_CSV: &str = include_str!("../../../data/reporting/requests.csv");

/// The request kind used for the "who reported" status.
pub const NATIONAL_IMPLEMENTATION_REPORT: &str = "national_implementation_report";

/// When a request is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", content = "n", rename_all = "snake_case")]
pub enum DeadlineRule {
    DaysAfterAdoption(u32),
    MonthsAfterAdoption(u32),
    EveryDays(u32),
    Monthly,
    InAdvance,
    None,
}

impl DeadlineRule {
    fn parse(raw: &str) -> Option<DeadlineRule> {
        let t = raw.trim();
        let num = |p: &str| t.strip_prefix(p).and_then(|n| n.parse::<u32>().ok());
        Some(match t {
            "" => DeadlineRule::None,
            "monthly" => DeadlineRule::Monthly,
            "in_advance" => DeadlineRule::InAdvance,
            _ if t.starts_with("days:") => DeadlineRule::DaysAfterAdoption(num("days:")?),
            _ if t.starts_with("months:") => DeadlineRule::MonthsAfterAdoption(num("months:")?),
            _ if t.starts_with("every_days:") => DeadlineRule::EveryDays(num("every_days:")?),
            _ => return None,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            DeadlineRule::DaysAfterAdoption(n) => format!("within {n} days of adoption"),
            DeadlineRule::MonthsAfterAdoption(n) => format!("{n} months after adoption"),
            DeadlineRule::EveryDays(n) => format!("every {n} days"),
            DeadlineRule::Monthly => "monthly".into(),
            DeadlineRule::InAdvance => "in advance of the transaction".into(),
            DeadlineRule::None => "no deadline set (or not verified)".into(),
        }
    }

    /// The due date of a one-off deadline, counted from `adopted`.
    pub fn due(&self, adopted: NaiveDate) -> Option<NaiveDate> {
        match *self {
            DeadlineRule::DaysAfterAdoption(n) => {
                adopted.checked_add_days(chrono::Days::new(u64::from(n)))
            }
            DeadlineRule::MonthsAfterAdoption(n) => {
                adopted.checked_add_months(chrono::Months::new(n))
            }
            _ => None,
        }
    }
}

/// One row of `data/reporting/requests.csv`.
#[derive(Debug, Clone)]
struct RequestRow {
    resolution: u32,
    request: String,
    paragraph: Option<String>,
    paragraph_verified: bool,
    addressed_to: String,
    deadline: DeadlineRule,
    deadline_verified: bool,
    source: String,
    note: String,
}

static REQUEST_ROWS: LazyLock<Vec<RequestRow>> = LazyLock::new(|| {
    let mut rdr = csv::Reader::from_reader(REQUESTS_CSV.as_bytes());
    // Bundled data, checked by tests: a malformed row is dropped and the count test fails.
    rdr.records()
        .flatten()
        .filter_map(|r| {
            let paragraph = r
                .get(2)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            Some(RequestRow {
                resolution: r.get(0)?.parse().ok()?,
                request: r.get(1)?.to_string(),
                paragraph,
                paragraph_verified: r.get(3)? == "true",
                addressed_to: r.get(4)?.to_string(),
                deadline: DeadlineRule::parse(r.get(5)?)?,
                deadline_verified: r.get(6)? == "true",
                source: r.get(7)?.to_string(),
                note: r.get(8).unwrap_or("").to_string(),
            })
        })
        .collect()
});

/// One reporting request of a resolution, dated by the regime.
#[derive(Debug, Clone, Serialize)]
pub struct ReportingRequest {
    pub resolution: u32,
    /// From the regime file of the resolution.
    pub adopted: NaiveDate,
    pub request: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<String>,
    pub paragraph_verified: bool,
    pub addressed_to: String,
    pub deadline: DeadlineRule,
    pub deadline_verified: bool,
    /// The due date for one-off deadlines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    pub source: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn dated(row: &RequestRow, regime: &Regime) -> Option<ReportingRequest> {
    let adopted = regime.resolution(row.resolution)?.adopted;
    Some(ReportingRequest {
        resolution: row.resolution,
        adopted,
        request: row.request.clone(),
        paragraph: row.paragraph.clone(),
        paragraph_verified: row.paragraph_verified,
        addressed_to: row.addressed_to.clone(),
        deadline: row.deadline,
        deadline_verified: row.deadline_verified,
        due: row.deadline.due(adopted),
        source: row.source.clone(),
        note: row.note.clone(),
    })
}

/// Every reporting request of the bundled table whose resolution is in
/// `regime` (all of them for the embedded regime: a test checks it).
pub fn reporting_requests(regime: &Regime) -> Vec<ReportingRequest> {
    REQUEST_ROWS
        .iter()
        .filter_map(|row| dated(row, regime))
        .collect()
}

/// The resolutions the bundled requests name (to check them against a regime).
pub fn requested_resolutions() -> BTreeSet<u32> {
    REQUEST_ROWS.iter().map(|r| r.resolution).collect()
}

/// The national-implementation-report request of a resolution, if any.
pub fn nir_request(regime: &Regime, resolution: u32) -> Option<ReportingRequest> {
    REQUEST_ROWS
        .iter()
        .find(|r| r.resolution == resolution && r.request == NATIONAL_IMPLEMENTATION_REPORT)
        .and_then(|row| dated(row, regime))
}

/// A validated national implementation report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalReport {
    /// ISO alpha-3 of the reporting member state.
    pub state: String,
    /// Resolutions the report covers, sorted, without repeats.
    pub resolutions: Vec<u32>,
    pub submitted: NaiveDate,
    /// UN document symbol (e.g. `S/AC.49/2017/100`); may be empty if unknown.
    pub symbol: String,
    pub notes: String,
}

/// A report as a user gives it: state as code or name, dates as text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewReport {
    pub state: String,
    pub resolutions: Vec<u32>,
    pub submitted: String,
    #[serde(default)]
    pub symbol: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    State(#[from] MemberError),
    #[error("invalid date {0:?}: expected YYYY-MM-DD")]
    BadDate(String),
    #[error("submission date {submitted} is after today ({today})")]
    FutureDate {
        submitted: NaiveDate,
        today: NaiveDate,
    },
    #[error("{resolution} is not a DPRK sanctions resolution of the regime (known: {known})")]
    UnknownResolution { resolution: u32, known: String },
    #[error("invalid resolution {0:?}: expected a resolution number such as 2371")]
    BadResolution(String),
    #[error("a report must name at least one resolution")]
    NoResolution,
    #[error("submitted {submitted}, before resolution {resolution} was adopted ({adopted})")]
    BeforeAdoption {
        resolution: u32,
        adopted: NaiveDate,
        submitted: NaiveDate,
    },
    #[error("header must have state, resolutions, submitted[, symbol, notes]; found {found}")]
    BadHeader { found: String },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{file}: {error}")]
    Csv { file: String, error: csv::Error },
    #[error("{file}:{line}: {error}")]
    Row {
        file: String,
        line: u64,
        error: Box<ReportError>,
    },
}

/// The adoption date of `resolution`, or the error naming the known ones.
pub fn adoption_date(regime: &Regime, resolution: u32) -> Result<NaiveDate, ReportError> {
    match regime.resolution(resolution) {
        Some(r) => Ok(r.adopted),
        None => Err(ReportError::UnknownResolution {
            resolution,
            known: regime
                .resolutions
                .iter()
                .map(|r| r.number.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Parse `2371`, `2371;2375`, `2371 2375` or `2371,2375`.
pub fn parse_resolutions(raw: &str) -> Result<Vec<u32>, ReportError> {
    let mut out = Vec::new();
    for part in raw
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let tokens: Vec<&str> = match part.strip_prefix("S/RES/") {
            // "S/RES/2371 (2017)": the number before the year.
            Some(rest) => vec![rest.split('(').next().unwrap_or("").trim()],
            None => part.split_whitespace().collect(),
        };
        for token in tokens {
            out.push(
                token
                    .parse::<u32>()
                    .map_err(|_| ReportError::BadResolution(part.to_string()))?,
            );
        }
    }
    Ok(out)
}

/// Check a new report against the member states and the regime's resolutions.
pub fn validate(
    input: &NewReport,
    regime: &Regime,
    today: NaiveDate,
) -> Result<NationalReport, ReportError> {
    let state: &MemberState = members::member(input.state.trim())?;
    let submitted = NaiveDate::parse_from_str(input.submitted.trim(), "%Y-%m-%d")
        .map_err(|_| ReportError::BadDate(input.submitted.clone()))?;
    if submitted > today {
        return Err(ReportError::FutureDate { submitted, today });
    }
    if input.resolutions.is_empty() {
        return Err(ReportError::NoResolution);
    }
    let mut resolutions: Vec<u32> = Vec::new();
    for &r in &input.resolutions {
        let adopted = adoption_date(regime, r)?;
        if submitted < adopted {
            return Err(ReportError::BeforeAdoption {
                resolution: r,
                adopted,
                submitted,
            });
        }
        if !resolutions.contains(&r) {
            resolutions.push(r);
        }
    }
    resolutions.sort_unstable();
    Ok(NationalReport {
        state: state.iso3.clone(),
        resolutions,
        submitted,
        symbol: input.symbol.trim().to_string(),
        notes: input.notes.trim().to_string(),
    })
}

/// The columns of the report CSV format.
pub const CSV_HEADER: [&str; 5] = ["state", "resolutions", "submitted", "symbol", "notes"];

/// Reports read from a CSV, and the rows that were not.
#[derive(Debug, Default)]
pub struct ReadReports {
    pub reports: Vec<NationalReport>,
    /// Each a [`ReportError::Row`] naming the file and line.
    pub rejected: Vec<ReportError>,
}

/// Read and validate a report CSV (`state,resolutions,submitted[,symbol,notes]`;
/// `resolution` is accepted for `resolutions`). `name` is the file name used
/// in errors. A bad row is rejected with its line and the rest are read; only
/// an unusable header fails the whole file.
pub fn read_reports_csv<R: Read>(
    reader: R,
    name: &str,
    regime: &Regime,
    today: NaiveDate,
) -> Result<ReadReports, ReportError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|error| ReportError::Csv {
            file: name.to_string(),
            error,
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(state_col), Some(res_col), Some(date_col)) = (
        col("state"),
        col("resolutions").or_else(|| col("resolution")),
        col("submitted"),
    ) else {
        return Err(ReportError::Row {
            file: name.to_string(),
            line: 1,
            error: Box::new(ReportError::BadHeader {
                found: headers.join(","),
            }),
        });
    };
    let (symbol_col, notes_col) = (col("symbol"), col("notes"));
    let mut read = ReadReports::default();
    let row_error = |line: u64, error: ReportError| ReportError::Row {
        file: name.to_string(),
        line,
        error: Box::new(error),
    };
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                read.rejected.push(row_error(
                    line,
                    ReportError::Csv {
                        file: name.to_string(),
                        error,
                    },
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let parsed = parse_resolutions(&get(Some(res_col))).and_then(|resolutions| {
            validate(
                &NewReport {
                    state: get(Some(state_col)),
                    resolutions,
                    submitted: get(Some(date_col)),
                    symbol: get(symbol_col),
                    notes: get(notes_col),
                },
                regime,
                today,
            )
        });
        match parsed {
            Ok(r) => read.reports.push(r),
            Err(e) => read.rejected.push(row_error(line, e)),
        }
    }
    Ok(read)
}

/// Write reports in the CSV format [`read_reports_csv`] reads.
pub fn write_reports_csv<W: Write>(reports: &[NationalReport], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for r in reports {
        let res = r
            .resolutions
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            r.state.as_str(),
            res.as_str(),
            &r.submitted.to_string(),
            r.symbol.as_str(),
            r.notes.as_str(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Who reported on `resolution` by `as_of` among `reports`, who is late or overdue.
pub fn resolution_status(
    reports: &[NationalReport],
    regime: &Regime,
    resolution: u32,
    as_of: NaiveDate,
) -> Result<ResolutionStatus, ReportError> {
    let adopted = adoption_date(regime, resolution)?;
    let request = nir_request(regime, resolution);
    let deadline = request.as_ref().and_then(|r| r.due);
    let mut by_state: BTreeMap<&str, Vec<&NationalReport>> = BTreeMap::new();
    for r in reports {
        if r.resolutions.contains(&resolution) && r.submitted <= as_of {
            by_state.entry(r.state.as_str()).or_default().push(r);
        }
    }
    let mut states = Vec::new();
    let mut counts: BTreeMap<StateReportStatus, usize> = BTreeMap::new();
    for m in members::members_on(as_of) {
        let reports = by_state.get(m.iso3.as_str());
        let first = reports.and_then(|rs| rs.iter().map(|r| r.submitted).min());
        let status = match (first, deadline) {
            (Some(d), Some(due)) if d > due => StateReportStatus::Late,
            (Some(_), _) => StateReportStatus::Reported,
            // Admitted after the deadline: not overdue against it.
            (None, Some(due)) if as_of > due && m.admitted <= due => StateReportStatus::Overdue,
            (None, _) => StateReportStatus::NotReported,
        };
        *counts.entry(status).or_default() += 1;
        states.push(StateStatus {
            state: m.iso3.clone(),
            name: m.name.clone(),
            status,
            first_submitted: first,
            symbols: reports
                .map(|rs| {
                    rs.iter()
                        .map(|r| r.symbol.clone())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    let count = |s| counts.get(&s).copied().unwrap_or(0);
    let members = states.len();
    let reported = count(StateReportStatus::Reported) + count(StateReportStatus::Late);
    let summary = format!(
        "{reported} of {members} member states reported on resolution {resolution} by {as_of}{}",
        match deadline {
            Some(due) => format!(
                " ({} by the deadline {due}, {} late; {} overdue)",
                count(StateReportStatus::Reported),
                count(StateReportStatus::Late),
                count(StateReportStatus::Overdue)
            ),
            None => " (no verified deadline)".to_string(),
        }
    );
    Ok(ResolutionStatus {
        resolution,
        adopted,
        as_of,
        deadline,
        deadline_rule: request
            .as_ref()
            .map(|r| r.deadline.describe())
            .unwrap_or_else(|| DeadlineRule::None.describe()),
        deadline_verified: request.as_ref().is_some_and(|r| r.deadline_verified),
        paragraph: request.as_ref().and_then(|r| r.paragraph.clone()),
        paragraph_verified: request.as_ref().is_some_and(|r| r.paragraph_verified),
        members,
        reported,
        on_time: count(StateReportStatus::Reported),
        late: count(StateReportStatus::Late),
        overdue: count(StateReportStatus::Overdue),
        not_reported: count(StateReportStatus::NotReported) + count(StateReportStatus::Overdue),
        summary,
        states,
    })
}

/// [`resolution_status`] for every resolution with a national-report request
/// adopted by `as_of`.
pub fn status_all(
    reports: &[NationalReport],
    regime: &Regime,
    as_of: NaiveDate,
) -> Vec<ResolutionStatus> {
    let resolutions: BTreeSet<u32> = reporting_requests(regime)
        .iter()
        .filter(|r| r.request == NATIONAL_IMPLEMENTATION_REPORT && r.adopted <= as_of)
        .map(|r| r.resolution)
        .collect();
    resolutions
        .into_iter()
        .filter_map(|r| resolution_status(reports, regime, r, as_of).ok())
        .collect()
}

/// Where a state stands on one resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StateReportStatus {
    /// Reported by the deadline (or no deadline applies).
    Reported,
    /// Reported after the deadline.
    Late,
    /// No report, and the deadline has passed.
    Overdue,
    /// No report, and no deadline has passed (or none applies).
    NotReported,
}

impl StateReportStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            StateReportStatus::Reported => "reported",
            StateReportStatus::Late => "late",
            StateReportStatus::Overdue => "overdue",
            StateReportStatus::NotReported => "not reported",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateStatus {
    pub state: String,
    pub name: String,
    pub status: StateReportStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_submitted: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<String>,
}

/// The world table for one resolution.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolutionStatus {
    pub resolution: u32,
    pub adopted: NaiveDate,
    pub as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    pub deadline_rule: String,
    pub deadline_verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<String>,
    pub paragraph_verified: bool,
    /// Member states on `as_of`.
    pub members: usize,
    pub reported: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub not_reported: usize,
    /// "77 of 193 member states reported on resolution 2371 by …".
    pub summary: String,
    pub states: Vec<StateStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn regime() -> Regime {
        Regime::embedded().expect("embedded regime")
    }

    fn new(state: &str, res: &[u32], submitted: &str, symbol: &str) -> NewReport {
        NewReport {
            state: state.into(),
            resolutions: res.to_vec(),
            submitted: submitted.into(),
            symbol: symbol.into(),
            notes: String::new(),
        }
    }

    #[test]
    fn every_requested_resolution_is_in_the_regime() {
        let regime = regime();
        let missing: Vec<u32> = requested_resolutions()
            .into_iter()
            .filter(|n| regime.resolution(*n).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "requests name resolutions not in the regime: {missing:?}"
        );
        assert_eq!(reporting_requests(&regime).len(), REQUEST_ROWS.len());
    }

    #[test]
    fn requests_table_loads_with_deadlines_dated_by_the_regime() {
        let regime = regime();
        let requests = reporting_requests(&regime);
        assert_eq!(requests.len(), 15);
        // Adoption dates as the regime files give them (S/RES/... of each year).
        let adopted = |n| nir_request(&regime, n).map(|r| r.adopted);
        assert_eq!(adopted(2321), Some(d(2016, 11, 30)));
        assert_eq!(adopted(2371), Some(d(2017, 8, 5)));
        assert_eq!(adopted(2397), Some(d(2017, 12, 22)));
        // 2321: "The deadline was Feb. 28" = 30 Nov 2016 + 90 days: wrong if the
        // adoption date were off by a day.
        let due = |n| nir_request(&regime, n).and_then(|r| r.due);
        assert_eq!(due(2321), Some(d(2017, 2, 28)));
        assert_eq!(due(2371), Some(d(2017, 11, 3)));
        assert!(
            nir_request(&regime, 2371)
                .is_some_and(|r| !r.deadline_verified && !r.paragraph_verified)
        );
        assert_eq!(
            nir_request(&regime, 1718).map(|r| r.deadline),
            Some(DeadlineRule::None)
        );
        let midterm = requests
            .iter()
            .find(|r| r.request == "worker_repatriation_midterm_report")
            .expect("2397 OP8");
        assert_eq!(midterm.due, Some(d(2019, 3, 22)));
    }

    #[test]
    fn adoption_dates_follow_the_regime_files() {
        // A regime whose 2371 file says 2017-08-06: the rules follow it.
        let sources: Vec<(String, String)> = resolute_regime::embedded_files()
            .iter()
            .map(|(name, text)| {
                let text = if name.ends_with("2371.toml") {
                    text.replace("2017-08-05", "2017-08-06")
                } else {
                    (*text).to_string()
                };
                ((*name).to_string(), text)
            })
            .collect();
        let shifted = Regime::from_sources(sources).expect("regime with a shifted date");
        assert_eq!(adoption_date(&shifted, 2371).ok(), Some(d(2017, 8, 6)));
        let err = validate(
            &new("CHN", &[2371], "2017-08-05", ""),
            &shifted,
            d(2026, 1, 1),
        )
        .expect_err("before the shifted adoption");
        assert!(err.to_string().contains("(2017-08-06)"), "{err}");
        assert!(
            validate(
                &new("CHN", &[2371], "2017-08-05", ""),
                &regime(),
                d(2026, 1, 1)
            )
            .is_ok()
        );
    }

    #[test]
    fn invalid_states_dates_and_resolutions_are_clear_errors() {
        let today = d(2026, 1, 1);
        let regime = regime();
        let err = |r: NewReport| {
            validate(&r, &regime, today)
                .expect_err("must fail")
                .to_string()
        };
        assert!(
            err(new("Atlantis", &[2371], "2017-10-01", "")).contains("unknown state \"Atlantis\"")
        );
        assert!(err(new("VA", &[2371], "2017-10-01", "")).contains("is not a UN member state"));
        assert!(err(new("CHN", &[2371], "2017-13-01", "")).contains("invalid date \"2017-13-01\""));
        let unknown = err(new("CHN", &[1234], "2017-10-01", ""));
        assert!(
            unknown.contains("1234 is not a DPRK sanctions resolution")
                && unknown.contains("2371, 2375, 2397"),
            "{unknown}"
        );
        assert!(
            err(new("CHN", &[2397], "2017-10-01", ""))
                .contains("before resolution 2397 was adopted (2017-12-22)")
        );
        assert!(err(new("CHN", &[], "2017-10-01", "")).contains("at least one resolution"));
        assert!(err(new("CHN", &[2371], "2027-01-01", "")).contains("after today"));
        assert!(matches!(
            parse_resolutions("2371;x"),
            Err(ReportError::BadResolution(_))
        ));
        assert_eq!(
            parse_resolutions("2371; 2375,S/RES/2397 (2017)").expect("parse"),
            vec![2371, 2375, 2397]
        );
    }

    #[test]
    fn status_over_given_reports() {
        let today = d(2026, 1, 1);
        let regime = regime();
        let reports: Vec<NationalReport> = [
            new("Mongolia", &[2375], "2017-12-26", "S/AC.49/2017/TEST-1"),
            new("CN", &[2371, 2375], "2017-10-30", ""),
            new("JPN", &[2371], "2017-12-01", "S/AC.49/2017/TEST-2"),
        ]
        .iter()
        .map(|r| validate(r, &regime, today).expect("valid"))
        .collect();
        assert_eq!(reports[1].state, "CHN");

        let st = resolution_status(&reports, &regime, 2371, d(2018, 1, 1)).expect("status");
        assert_eq!(st.members, 193);
        assert_eq!(st.adopted, d(2017, 8, 5));
        assert_eq!(
            (st.reported, st.on_time, st.late, st.overdue),
            (2, 1, 1, 191)
        );
        assert!(
            st.summary
                .starts_with("2 of 193 member states reported on resolution 2371"),
            "{}",
            st.summary
        );
        let japan = st.states.iter().find(|s| s.state == "JPN").expect("JPN");
        assert_eq!(japan.status, StateReportStatus::Late);
        // Before the deadline nobody is overdue.
        let early = resolution_status(&reports, &regime, 2371, d(2017, 11, 1)).expect("status");
        assert_eq!(
            (early.reported, early.overdue, early.not_reported),
            (1, 0, 192)
        );
        // No verified deadline for 1718: nobody is overdue; 192 members in 2006, 193 now.
        let r1718 = resolution_status(&reports, &regime, 1718, today).expect("1718");
        assert_eq!((r1718.members, r1718.overdue), (193, 0));
        assert!(resolution_status(&reports, &regime, 1234, today).is_err());
        let all: Vec<u32> = status_all(&reports, &regime, d(2017, 10, 1))
            .iter()
            .map(|s| s.resolution)
            .collect();
        assert_eq!(all, vec![1718, 1874, 2094, 2270, 2321, 2371, 2375]);
    }

    #[test]
    fn csv_bad_rows_named_by_line_and_round_trip() {
        let regime = regime();
        let today = d(2026, 1, 1);
        let input = "state,resolutions,submitted,symbol,notes\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
             XX,2371,2017-10-20,S/AC.49/2017/T2,\n\
             FRA,2371,20171020,S/AC.49/2017/T3,\n\
             Japan,2375;2371,2017-11-01,,by post\n";
        let read = read_reports_csv(input.as_bytes(), "in.csv", &regime, today).expect("read");
        assert_eq!(read.reports.len(), 2);
        let errors: Vec<String> = read.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].starts_with("in.csv:3:") && errors[0].contains("unknown state \"XX\""),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("in.csv:4:") && errors[1].contains("invalid date"),
            "{}",
            errors[1]
        );
        let mut out = Vec::new();
        write_reports_csv(&read.reports, &mut out).expect("export");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "state,resolutions,submitted,symbol,notes\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
             JPN,2371;2375,2017-11-01,,by post\n"
        );
        let bad_header =
            read_reports_csv("who,when\n".as_bytes(), "x.csv", &regime, today).expect_err("header");
        assert!(
            bad_header
                .to_string()
                .starts_with("x.csv:1: header must have"),
            "{bad_header}"
        );
    }
}
