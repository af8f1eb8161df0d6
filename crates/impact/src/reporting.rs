//! Reporting requests of the DPRK resolutions and the national
//! implementation reports (NIRs) states submit.
//!
//! Requests are bundled data (`data/reporting/requests.csv`): each row cites
//! its source and says whether the paragraph and the deadline were verified.
//! Reports live in `<data dir>/reports.csv`, written atomically (temporary
//! file, then rename).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::members::{self, MemberError, MemberState};

static REQUESTS_CSV: &str = include_str!("../../../data/reporting/requests.csv");

/// The request kind used for the "who reported" status.
pub const NATIONAL_IMPLEMENTATION_REPORT: &str = "national_implementation_report";

/// The file name of the report store inside the data directory.
pub const REPORTS_FILE: &str = "reports.csv";

/// The DPRK resolutions and their adoption dates (research note §0; the
/// dates are [V-UN] or [V-2nd] there).
pub const DPRK_RESOLUTIONS: [(u32, (i32, u32, u32)); 10] = [
    (1718, (2006, 10, 14)),
    (1874, (2009, 6, 12)),
    (2087, (2013, 1, 22)),
    (2094, (2013, 3, 7)),
    (2270, (2016, 3, 2)),
    (2321, (2016, 11, 30)),
    (2356, (2017, 6, 2)),
    (2371, (2017, 8, 5)),
    (2375, (2017, 9, 11)),
    (2397, (2017, 12, 22)),
];

/// Adoption date of a DPRK resolution.
pub fn adopted(resolution: u32) -> Option<NaiveDate> {
    DPRK_RESOLUTIONS
        .iter()
        .find(|(n, _)| *n == resolution)
        .and_then(|(_, (y, m, d))| NaiveDate::from_ymd_opt(*y, *m, *d))
}

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
}

/// One reporting request of a resolution.
#[derive(Debug, Clone, Serialize)]
pub struct ReportingRequest {
    pub resolution: u32,
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

fn due_date(adopted: NaiveDate, rule: DeadlineRule) -> Option<NaiveDate> {
    match rule {
        DeadlineRule::DaysAfterAdoption(n) => {
            adopted.checked_add_days(chrono::Days::new(u64::from(n)))
        }
        DeadlineRule::MonthsAfterAdoption(n) => adopted.checked_add_months(chrono::Months::new(n)),
        _ => None,
    }
}

static REQUESTS: LazyLock<Vec<ReportingRequest>> = LazyLock::new(|| {
    let mut rdr = csv::Reader::from_reader(REQUESTS_CSV.as_bytes());
    // Bundled data, checked by tests: a malformed row is dropped and the count test fails.
    rdr.records()
        .flatten()
        .filter_map(|r| {
            let adopted = NaiveDate::parse_from_str(r.get(1)?, "%Y-%m-%d").ok()?;
            let deadline = DeadlineRule::parse(r.get(6)?)?;
            let paragraph = r
                .get(3)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            Some(ReportingRequest {
                resolution: r.get(0)?.parse().ok()?,
                adopted,
                request: r.get(2)?.to_string(),
                paragraph,
                paragraph_verified: r.get(4)? == "true",
                addressed_to: r.get(5)?.to_string(),
                deadline,
                deadline_verified: r.get(7)? == "true",
                due: due_date(adopted, deadline),
                source: r.get(8)?.to_string(),
                note: r.get(9).unwrap_or("").to_string(),
            })
        })
        .collect()
});

/// Every reporting request in the bundled table.
pub fn reporting_requests() -> &'static [ReportingRequest] {
    &REQUESTS
}

/// The national-implementation-report request of a resolution, if any.
pub fn nir_request(resolution: u32) -> Option<&'static ReportingRequest> {
    REQUESTS
        .iter()
        .find(|r| r.resolution == resolution && r.request == NATIONAL_IMPLEMENTATION_REPORT)
}

/// A national implementation report as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalReport {
    /// ISO alpha-3 of the reporting member state.
    pub state: String,
    /// Resolutions the report covers.
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
    #[error(
        "{0} is not a DPRK sanctions resolution (known: 1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397)"
    )]
    UnknownResolution(u32),
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
    #[error("a report by {state} with symbol {symbol} is already recorded")]
    Duplicate { state: String, symbol: String },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {error}")]
    Csv { path: PathBuf, error: csv::Error },
    #[error("{file}:{line}: {error}")]
    Row {
        file: String,
        line: u64,
        error: Box<ReportError>,
    },
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

/// Check a new report and turn it into a stored one.
pub fn validate(input: &NewReport, today: NaiveDate) -> Result<NationalReport, ReportError> {
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
        let when = adopted(r).ok_or(ReportError::UnknownResolution(r))?;
        if submitted < when {
            return Err(ReportError::BeforeAdoption {
                resolution: r,
                adopted: when,
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

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub already_present: usize,
    pub errors: Vec<String>,
}

/// The reports of one data directory.
#[derive(Debug, Clone)]
pub struct ReportStore {
    path: PathBuf,
    reports: Vec<NationalReport>,
}

const HEADER: [&str; 5] = ["state", "resolutions", "submitted", "symbol", "notes"];

fn read_reports<R: std::io::Read>(
    reader: R,
    name: &str,
    path: &Path,
    today: NaiveDate,
) -> Result<(Vec<NationalReport>, Vec<ReportError>), ReportError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|source| ReportError::Csv {
            path: path.to_path_buf(),
            error: source,
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
            error: Box::new(ReportError::BadResolution(format!(
                "header must have state, resolutions, submitted[, symbol, notes]; found {}",
                headers.join(",")
            ))),
        });
    };
    let (symbol_col, notes_col) = (col("symbol"), col("notes"));
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(ReportError::Row {
                    file: name.to_string(),
                    line,
                    error: Box::new(ReportError::Csv {
                        path: path.to_path_buf(),
                        error: e,
                    }),
                });
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
                today,
            )
        });
        match parsed {
            Ok(r) => ok.push(r),
            Err(e) => errors.push(ReportError::Row {
                file: name.to_string(),
                line,
                error: Box::new(e),
            }),
        }
    }
    Ok((ok, errors))
}

impl ReportStore {
    /// Open the store of `dir` (the file need not exist yet). A stored
    /// record that no longer validates is an error naming its line.
    pub fn open(dir: &Path, today: NaiveDate) -> Result<ReportStore, ReportError> {
        let path = dir.join(REPORTS_FILE);
        let reports = match std::fs::File::open(&path) {
            Ok(file) => {
                let (reports, mut errors) =
                    read_reports(file, &path.display().to_string(), &path, today)?;
                if !errors.is_empty() {
                    return Err(errors.swap_remove(0));
                }
                reports
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(ReportError::Io { path, error }),
        };
        Ok(ReportStore { path, reports })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn reports(&self) -> &[NationalReport] {
        &self.reports
    }

    fn is_duplicate(&self, r: &NationalReport) -> bool {
        self.reports.iter().any(|x| {
            x.state == r.state
                && if r.symbol.is_empty() {
                    x.submitted == r.submitted && x.resolutions == r.resolutions
                } else {
                    x.symbol == r.symbol
                }
        })
    }

    /// Validate and add a report (in memory; call [`ReportStore::save`]).
    pub fn add(
        &mut self,
        input: &NewReport,
        today: NaiveDate,
    ) -> Result<NationalReport, ReportError> {
        let report = validate(input, today)?;
        if self.is_duplicate(&report) {
            return Err(ReportError::Duplicate {
                state: report.state,
                symbol: report.symbol,
            });
        }
        self.reports.push(report.clone());
        self.sort();
        Ok(report)
    }

    fn sort(&mut self) {
        self.reports.sort_by(|a, b| {
            a.submitted
                .cmp(&b.submitted)
                .then(a.state.cmp(&b.state))
                .then(a.symbol.cmp(&b.symbol))
        });
    }

    /// Import reports from a CSV (`state,resolutions,submitted,symbol,notes`).
    /// Bad rows are listed with file and line and skipped; reports already
    /// recorded are counted, not added again.
    pub fn import_csv(
        &mut self,
        file: &Path,
        today: NaiveDate,
    ) -> Result<ImportSummary, ReportError> {
        let f = std::fs::File::open(file).map_err(|source| ReportError::Io {
            path: file.to_path_buf(),
            error: source,
        })?;
        let (reports, errors) = read_reports(f, &file.display().to_string(), file, today)?;
        let mut summary = ImportSummary {
            errors: errors.iter().map(ToString::to_string).collect(),
            ..Default::default()
        };
        for r in reports {
            if self.is_duplicate(&r) {
                summary.already_present += 1;
            } else {
                self.reports.push(r);
                summary.added += 1;
            }
        }
        self.sort();
        Ok(summary)
    }

    /// Write the reports as CSV.
    pub fn export_csv<W: Write>(&self, out: W) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for r in &self.reports {
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

    /// Write the store: to a temporary file in the same directory, then rename
    /// over the old file, so a crash never leaves a half-written store.
    pub fn save(&self) -> Result<(), ReportError> {
        let io = |source| ReportError::Io {
            path: self.path.clone(),
            error: source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".{REPORTS_FILE}.{}.tmp", std::process::id()));
        let write = || -> Result<(), ReportError> {
            let file = std::fs::File::create(&tmp).map_err(|source| ReportError::Io {
                path: tmp.clone(),
                error: source,
            })?;
            let mut buf = std::io::BufWriter::new(file);
            self.export_csv(&mut buf)
                .map_err(|source| ReportError::Csv {
                    path: tmp.clone(),
                    error: source,
                })?;
            let file = buf.into_inner().map_err(|e| ReportError::Io {
                path: tmp.clone(),
                error: e.into_error(),
            })?;
            file.sync_all().map_err(|source| ReportError::Io {
                path: tmp.clone(),
                error: source,
            })?;
            Ok(())
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &self.path).map_err(io)
    }

    /// Reports, optionally only those covering `resolution`.
    pub fn list(&self, resolution: Option<u32>) -> Vec<&NationalReport> {
        self.reports
            .iter()
            .filter(|r| resolution.is_none_or(|n| r.resolutions.contains(&n)))
            .collect()
    }

    /// Who reported on `resolution` by `as_of`, who is late or overdue.
    pub fn status(
        &self,
        resolution: u32,
        as_of: NaiveDate,
    ) -> Result<ResolutionStatus, ReportError> {
        let adopted_on = adopted(resolution).ok_or(ReportError::UnknownResolution(resolution))?;
        let request = nir_request(resolution);
        let deadline = request.and_then(|r| r.due);
        let mut by_state: BTreeMap<&str, Vec<&NationalReport>> = BTreeMap::new();
        for r in &self.reports {
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
            adopted: adopted_on,
            as_of,
            deadline,
            deadline_rule: request
                .map(|r| r.deadline.describe())
                .unwrap_or_else(|| DeadlineRule::None.describe()),
            deadline_verified: request.is_some_and(|r| r.deadline_verified),
            paragraph: request.and_then(|r| r.paragraph.clone()),
            paragraph_verified: request.is_some_and(|r| r.paragraph_verified),
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

    /// Status for every resolution that has a national-report request.
    pub fn status_all(&self, as_of: NaiveDate) -> Vec<ResolutionStatus> {
        let resolutions: BTreeSet<u32> = reporting_requests()
            .iter()
            .filter(|r| r.request == NATIONAL_IMPLEMENTATION_REPORT && r.adopted <= as_of)
            .map(|r| r.resolution)
            .collect();
        resolutions
            .into_iter()
            .filter_map(|r| self.status(r, as_of).ok())
            .collect()
    }
}

/// Where a state stands on one resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    fn requests_table_loads_with_deadlines() {
        assert_eq!(reporting_requests().len(), 15);
        // 2321: "The deadline was Feb. 28" = 30 Nov 2016 + 90 days.
        assert_eq!(nir_request(2321).and_then(|r| r.due), Some(d(2017, 2, 28)));
        assert_eq!(nir_request(2371).and_then(|r| r.due), Some(d(2017, 11, 3)));
        assert!(nir_request(2371).is_some_and(|r| !r.deadline_verified && !r.paragraph_verified));
        assert_eq!(
            nir_request(1718).map(|r| r.deadline),
            Some(DeadlineRule::None)
        );
        let midterm = reporting_requests()
            .iter()
            .find(|r| r.request == "worker_repatriation_midterm_report")
            .expect("2397 OP8");
        assert_eq!(midterm.due, Some(d(2019, 3, 22)));
    }

    #[test]
    fn invalid_states_dates_and_resolutions_are_clear_errors() {
        let today = d(2026, 1, 1);
        let err = |r: NewReport| validate(&r, today).expect_err("must fail").to_string();
        assert!(
            err(new("Atlantis", &[2371], "2017-10-01", "")).contains("unknown state \"Atlantis\"")
        );
        assert!(err(new("VA", &[2371], "2017-10-01", "")).contains("is not a UN member state"));
        assert!(err(new("CHN", &[2371], "2017-13-01", "")).contains("invalid date \"2017-13-01\""));
        assert!(
            err(new("CHN", &[1234], "2017-10-01", ""))
                .contains("1234 is not a DPRK sanctions resolution")
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
    fn store_round_trip_status_and_duplicates() {
        let dir = tempfile::tempdir().expect("tmp");
        let today = d(2026, 1, 1);
        let mut store = ReportStore::open(dir.path(), today).expect("open empty");
        store
            .add(
                &new("Mongolia", &[2375], "2017-12-26", "S/AC.49/2017/TEST-1"),
                today,
            )
            .expect("add");
        store
            .add(&new("CN", &[2371, 2375], "2017-10-30", ""), today)
            .expect("add");
        store
            .add(
                &new("JPN", &[2371], "2017-12-01", "S/AC.49/2017/TEST-2"),
                today,
            )
            .expect("add late");
        let dup = store
            .add(
                &new("MNG", &[2375], "2018-01-05", "S/AC.49/2017/TEST-1"),
                today,
            )
            .expect_err("duplicate");
        assert!(matches!(dup, ReportError::Duplicate { .. }));
        store.save().expect("save");
        assert!(
            !dir.path()
                .join(format!(".{REPORTS_FILE}.{}.tmp", std::process::id()))
                .exists()
        );

        let again = ReportStore::open(dir.path(), today).expect("reopen");
        assert_eq!(again.reports(), store.reports());
        assert_eq!(again.list(Some(2375)).len(), 2);

        let st = again.status(2371, d(2018, 1, 1)).expect("status");
        assert_eq!(st.members, 193);
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
        let early = again.status(2371, d(2017, 11, 1)).expect("status");
        assert_eq!(
            (early.reported, early.overdue, early.not_reported),
            (1, 0, 192)
        );
        // No verified deadline for 1718: nobody is overdue; 192 members in 2006, 193 now.
        let r1718 = again.status(1718, today).expect("1718");
        assert_eq!((r1718.members, r1718.overdue), (193, 0));
    }

    #[test]
    fn import_reports_bad_rows_with_line_and_skips_duplicates() {
        let dir = tempfile::tempdir().expect("tmp");
        let today = d(2026, 1, 1);
        let csv_path = dir.path().join("in.csv");
        std::fs::write(
            &csv_path,
            "state,resolutions,submitted,symbol,notes\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
             XX,2371,2017-10-20,S/AC.49/2017/T2,\n\
             FRA,2371,20171020,S/AC.49/2017/T3,\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,again\n",
        )
        .expect("write");
        let mut store = ReportStore::open(dir.path(), today).expect("open");
        let summary = store.import_csv(&csv_path, today).expect("import");
        assert_eq!(
            (summary.added, summary.already_present),
            (1, 1),
            "{:?}",
            summary.errors
        );
        assert_eq!(summary.errors.len(), 2);
        assert!(
            summary.errors[0].contains("in.csv:3:")
                && summary.errors[0].contains("unknown state \"XX\""),
            "{}",
            summary.errors[0]
        );
        assert!(
            summary.errors[1].contains("in.csv:4:") && summary.errors[1].contains("invalid date"),
            "{}",
            summary.errors[1]
        );
        let mut out = Vec::new();
        store.export_csv(&mut out).expect("export");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "state,resolutions,submitted,symbol,notes\nDEU,2371,2017-10-20,S/AC.49/2017/T1,\n"
        );
    }
}
