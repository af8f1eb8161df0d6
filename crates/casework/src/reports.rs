//! Member-state implementation reports (national implementation reports to
//! the 1718 Committee): recorded in the store, audited with their actor.
//!
//! The rules are the impact crate's (`resolute_impact::reporting`: validation
//! against the member states and the regime's adoption dates, the CSV format,
//! the status of a resolution); the store keeps the reports and refuses a
//! duplicate (same state and symbol). This module joins them for the server
//! (`/reports`) and the CLI (`resolute reports`).
//!
//! Older builds kept the reports in `<data dir>/reports.csv`. [`import_legacy`]
//! imports that file once (by its SHA-256: a second start imports nothing)
//! and leaves it in place.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use resolute_impact::reporting::{self, NationalReport, NewReport, ReportError, ResolutionStatus};
use resolute_regime::Regime;
use resolute_store::{NewStateReport, StateReport, Store};
use serde::Serialize;

use crate::Result;

/// The file older builds kept the reports in, inside the data directory.
pub const LEGACY_REPORTS_FILE: &str = "reports.csv";

/// The actor of the start-up import of [`LEGACY_REPORTS_FILE`].
pub const LEGACY_IMPORT_ACTOR: &str = "system";

/// What importing a report CSV did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportsImport {
    pub file: String,
    pub sha256: String,
    pub added: usize,
    /// Valid rows already recorded (same state and symbol).
    pub already_present: usize,
    /// This file (by SHA-256) was imported before: nothing was done.
    pub already_imported: bool,
    /// Rows not imported, each naming the file and line.
    pub rejected: Vec<String>,
}

fn to_store(r: NationalReport) -> NewStateReport {
    NewStateReport {
        state: r.state,
        resolutions: r.resolutions,
        submitted: r.submitted,
        symbol: r.symbol,
        notes: r.notes,
    }
}

fn to_rules(r: &StateReport) -> NationalReport {
    NationalReport {
        state: r.state.clone(),
        resolutions: r.resolutions.clone(),
        submitted: r.submitted,
        symbol: r.symbol.clone(),
        notes: r.notes.clone(),
    }
}

/// Validate `input` and record it as `actor` (audited as `report.added`).
/// A report by the same state with the same symbol is a conflict.
pub fn add(
    store: &Store,
    regime: &Regime,
    input: &NewReport,
    actor: &str,
    today: NaiveDate,
) -> Result<StateReport> {
    let report = reporting::validate(input, regime, today)?;
    Ok(store.add_report(to_store(report), actor)?)
}

/// Recorded reports (by submission date), optionally only those covering `resolution`.
pub fn list(store: &Store, resolution: Option<u32>) -> Result<Vec<StateReport>> {
    let mut reports = store.reports()?;
    if let Some(n) = resolution {
        reports.retain(|r| r.resolutions.contains(&n));
    }
    Ok(reports)
}

fn recorded(store: &Store) -> Result<Vec<NationalReport>> {
    Ok(store.reports()?.iter().map(to_rules).collect())
}

/// Who reported on `resolution` by `as_of`, who is late or overdue.
pub fn status(
    store: &Store,
    regime: &Regime,
    resolution: u32,
    as_of: NaiveDate,
) -> Result<ResolutionStatus> {
    let reports = recorded(store)?;
    Ok(reporting::resolution_status(
        &reports, regime, resolution, as_of,
    )?)
}

/// [`status`] for every resolution with a national-report request adopted by `as_of`.
pub fn status_all(
    store: &Store,
    regime: &Regime,
    as_of: NaiveDate,
) -> Result<Vec<ResolutionStatus>> {
    let reports = recorded(store)?;
    Ok(reporting::status_all(&reports, regime, as_of))
}

/// Import a report CSV (`state,resolutions,submitted,symbol,notes`) as
/// `actor`: bad rows are rejected with file and line, the valid rest is
/// recorded in one transaction with one `report.imported` audit record. The
/// same file (by SHA-256) is imported once.
pub fn import_csv(
    store: &Store,
    regime: &Regime,
    path: &Path,
    actor: &str,
    today: NaiveDate,
) -> Result<ReportsImport> {
    let bytes = std::fs::read(path).map_err(|error| ReportError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let file = path.display().to_string();
    let read = reporting::read_reports_csv(bytes.as_slice(), &file, regime, today)?;
    let sha256 = resolute_store::sha256_hex(&bytes);
    let outcome = store.import_reports(
        read.reports.into_iter().map(to_store).collect(),
        &file,
        &sha256,
        actor,
    )?;
    Ok(ReportsImport {
        file,
        sha256,
        added: outcome.added,
        already_present: outcome.already_present,
        already_imported: outcome.already_imported,
        rejected: read.rejected.iter().map(ToString::to_string).collect(),
    })
}

/// At start-up: import `<data_dir>/reports.csv` of an older build once, as
/// [`LEGACY_IMPORT_ACTOR`]. `None` when there is no such file. The file is
/// left in place; a second call finds it imported and adds nothing
/// (`already_imported`). The caller says in its log what was imported.
pub fn import_legacy(
    store: &Store,
    regime: &Regime,
    data_dir: &Path,
    today: NaiveDate,
) -> Result<Option<ReportsImport>> {
    let path = data_dir.join(LEGACY_REPORTS_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    import_csv(store, regime, &path, LEGACY_IMPORT_ACTOR, today).map(Some)
}

/// Write the recorded reports as CSV (the format [`import_csv`] reads).
pub fn export_csv<W: Write>(store: &Store, out: W) -> Result<()> {
    let reports = recorded(store)?;
    reporting::write_reports_csv(&reports, out).map_err(|error| ReportError::Csv {
        file: "export".into(),
        error,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use resolute_store::{AuditQuery, StoreOptions};

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn report(state: &str, res: &[u32], submitted: &str, symbol: &str) -> NewReport {
        NewReport {
            state: state.into(),
            resolutions: res.to_vec(),
            submitted: submitted.into(),
            symbol: symbol.into(),
            notes: String::new(),
        }
    }

    #[test]
    fn reports_are_recorded_audited_and_survive_a_restart() {
        let dir = tempfile::tempdir().expect("tmp");
        let regime = Regime::embedded().expect("regime");
        let today = d(2026, 1, 1);
        let store = Store::open(dir.path(), StoreOptions::default()).expect("store");
        let added = add(
            &store,
            &regime,
            &report("Mongolia", &[2375], "2017-12-26", "S/AC.49/2017/TEST-1"),
            "key:alice",
            today,
        )
        .expect("add");
        assert_eq!(
            (added.state.as_str(), added.recorded_by.as_str()),
            ("MNG", "key:alice")
        );
        let dup = add(
            &store,
            &regime,
            &report("MN", &[2375], "2018-01-05", "S/AC.49/2017/TEST-1"),
            "key:bob",
            today,
        )
        .expect_err("duplicate");
        assert!(
            dup.to_string().contains("MNG") && dup.to_string().contains("TEST-1"),
            "{dup}"
        );
        let invalid = add(
            &store,
            &regime,
            &report("MNG", &[2397], "2017-12-01", ""),
            "k",
            today,
        )
        .expect_err("before adoption");
        assert!(
            matches!(invalid, crate::CaseworkError::Report(_)),
            "{invalid}"
        );
        store.close();

        let store = Store::open(dir.path(), StoreOptions::default()).expect("reopen");
        assert_eq!(list(&store, Some(2375)).expect("list").len(), 1);
        assert!(list(&store, Some(2371)).expect("list").is_empty());
        let st = status(&store, &regime, 2375, d(2018, 1, 1)).expect("status");
        // Due 2017-12-10 (adopted 2017-09-11 + 90 days): 2017-12-26 is late.
        assert_eq!((st.reported, st.on_time, st.late), (1, 0, 1));
        let added = store
            .audit_records(&AuditQuery {
                kind: Some("report.added".into()),
                limit: 100,
                ..AuditQuery::default()
            })
            .expect("audit");
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].actor, "key:alice");
    }

    #[test]
    fn legacy_reports_csv_is_imported_once_and_left_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        let regime = Regime::embedded().expect("regime");
        let legacy = dir.path().join(LEGACY_REPORTS_FILE);
        std::fs::write(
            &legacy,
            "state,resolutions,submitted,symbol,notes\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
             XX,2371,2017-10-20,S/AC.49/2017/T2,\n\
             JPN,2371;2375,2017-11-01,,\n",
        )
        .expect("write");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("store");
        let first = import_legacy(&store, &regime, dir.path(), d(2026, 1, 1))
            .expect("import")
            .expect("file present");
        assert_eq!((first.added, first.already_imported), (2, false));
        assert_eq!(first.rejected.len(), 1);
        assert!(
            first.rejected[0].contains("reports.csv:3:"),
            "{:?}",
            first.rejected
        );
        let second = import_legacy(&store, &regime, dir.path(), d(2026, 1, 1))
            .expect("import")
            .expect("file present");
        assert_eq!((second.added, second.already_imported), (0, true));
        assert!(legacy.exists());
        assert_eq!(list(&store, None).expect("list").len(), 2);
        let mut out = Vec::new();
        export_csv(&store, &mut out).expect("export");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "state,resolutions,submitted,symbol,notes\n\
             DEU,2371,2017-10-20,S/AC.49/2017/T1,\n\
             JPN,2371;2375,2017-11-01,,\n"
        );
        let empty = tempfile::tempdir().expect("tmp");
        assert!(
            import_legacy(&store, &regime, empty.path(), d(2026, 1, 1))
                .expect("no file")
                .is_none()
        );
    }
}
