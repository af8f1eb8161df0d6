//! Member-state implementation reports (national implementation reports to
//! the 1718 Committee), kept in the database and audited like every write.
//!
//! The store does not validate member states or resolutions (that is the
//! impact crate's `reporting::validate`); it stores what it is given, refuses
//! a duplicate with [`StoreError::Conflict`] (same rule as the CSV store it
//! replaces: the same state and symbol, or, without a symbol, the same state,
//! date and resolutions) and records each write with its actor.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::rows::{self, REPORTS};
use crate::{Result, Store, StoreError, WriteCtx, now_rfc3339};

/// A report to record (already validated by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStateReport {
    /// ISO 3166 alpha-3 of the reporting member state.
    pub state: String,
    /// Resolutions the report covers, e.g. `[2371, 2375]`.
    pub resolutions: Vec<u32>,
    pub submitted: NaiveDate,
    /// UN document symbol (e.g. `S/AC.49/2017/100`); may be empty.
    pub symbol: String,
    pub notes: String,
}

/// A recorded report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateReport {
    pub id: i64,
    pub state: String,
    pub resolutions: Vec<u32>,
    pub submitted: NaiveDate,
    pub symbol: String,
    pub notes: String,
    pub recorded_at: String,
    pub recorded_by: String,
    /// `api`, or the file it was imported from.
    pub source: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportImport {
    pub added: usize,
    pub already_present: usize,
    /// The same file (by SHA-256) was imported before: nothing was done.
    pub already_imported: bool,
}

fn resolutions_text(r: &[u32]) -> String {
    r.iter().map(u32::to_string).collect::<Vec<_>>().join(";")
}

fn parse_resolutions(id: i64, text: &str) -> Result<Vec<u32>> {
    text.split(';')
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u32>().map_err(|_| {
                StoreError::Invalid(format!(
                    "reports.resolutions of row {id}: {text:?} is not a list of numbers"
                ))
            })
        })
        .collect()
}

fn is_duplicate(conn: &Connection, r: &NewStateReport) -> Result<bool> {
    let found: Option<i64> = if r.symbol.is_empty() {
        conn.prepare_cached(
            "SELECT id FROM reports WHERE state = ?1 AND submitted = ?2 AND resolutions = ?3 LIMIT 1",
        )?
        .query_row(
            params![r.state, r.submitted.to_string(), resolutions_text(&r.resolutions)],
            |row| row.get(0),
        )
        .optional()?
    } else {
        conn.prepare_cached("SELECT id FROM reports WHERE state = ?1 AND symbol = ?2 LIMIT 1")?
            .query_row(params![r.state, r.symbol], |row| row.get(0))
            .optional()?
    };
    Ok(found.is_some())
}

fn insert(conn: &Connection, r: &NewStateReport, actor: &str, source: &str) -> Result<i64> {
    if r.resolutions.is_empty() {
        return Err(StoreError::Invalid(format!(
            "report by {} submitted {}: it names no resolution",
            r.state, r.submitted
        )));
    }
    conn.prepare_cached(
        "INSERT INTO reports(state, resolutions, submitted, symbol, notes, recorded_at, recorded_by, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        r.state,
        resolutions_text(&r.resolutions),
        r.submitted.to_string(),
        r.symbol,
        r.notes,
        now_rfc3339(),
        actor,
        source
    ])?;
    Ok(conn.last_insert_rowid())
}

const REPORT_COLUMNS: &str =
    "id, state, resolutions, submitted, symbol, notes, recorded_at, recorded_by, source";

type ReportRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn report_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn finish_report(
    (id, state, resolutions, submitted, symbol, notes, recorded_at, recorded_by, source): ReportRow,
) -> Result<StateReport> {
    Ok(StateReport {
        id,
        resolutions: parse_resolutions(id, &resolutions)?,
        submitted: NaiveDate::parse_from_str(&submitted, "%Y-%m-%d").map_err(|_| {
            StoreError::Invalid(format!(
                "reports.submitted of row {id}: {submitted:?} is not a date"
            ))
        })?,
        state,
        symbol,
        notes,
        recorded_at,
        recorded_by,
        source,
    })
}

fn load_report(conn: &Connection, id: i64) -> Result<StateReport> {
    let row = conn
        .query_row(
            &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1"),
            [id],
            report_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("report {id}")))?;
    finish_report(row)
}

impl WriteCtx<'_> {
    /// Record a report in the current transaction, audited as `report.added`.
    pub fn add_report(&mut self, report: &NewStateReport, actor: &str) -> Result<StateReport> {
        if is_duplicate(self.conn, report)? {
            return Err(StoreError::Conflict(format!(
                "a report by {} with symbol {:?} is already recorded",
                report.state, report.symbol
            )));
        }
        let id = insert(self.conn, report, actor, "api")?;
        let mut payload = json!({
            "report_id": id,
            "state": report.state,
            "resolutions": report.resolutions,
            "submitted": report.submitted.to_string(),
            "symbol": report.symbol,
        });
        rows::attach(&mut payload, rows::digest_of_id(self.conn, &REPORTS, id)?);
        self.append_audit("report.added", actor, &payload)?;
        load_report(self.conn, id)
    }
}

impl Store {
    /// Record a report and wait for the commit.
    pub fn add_report(&self, report: NewStateReport, actor: &str) -> Result<StateReport> {
        let actor = actor.to_string();
        self.write(move |ctx| ctx.add_report(&report, &actor))
    }

    /// [`Store::add_report`] for async callers.
    pub async fn add_report_async(
        &self,
        report: NewStateReport,
        actor: &str,
    ) -> Result<StateReport> {
        let actor = actor.to_string();
        self.write_async(move |ctx| ctx.add_report(&report, &actor))
            .await
    }

    /// All recorded reports, by submission date, state and symbol.
    pub fn reports(&self) -> Result<Vec<StateReport>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {REPORT_COLUMNS} FROM reports ORDER BY submitted, state, symbol, id"
            ))?;
            let rows = stmt.query_map([], report_row)?;
            rows.map(|r| finish_report(r?)).collect()
        })
    }

    /// Import reports read from a file once (e.g. the `reports.csv` an
    /// older build kept in the data directory, parsed and validated by the
    /// caller). Idempotent: a file whose SHA-256 was imported before does
    /// nothing; reports already recorded are counted, not added. One
    /// `report.imported` audit record names the file, its hash and every row
    /// added; all of it commits together.
    pub fn import_reports(
        &self,
        reports: Vec<NewStateReport>,
        source: &str,
        source_sha256: &str,
        actor: &str,
    ) -> Result<ReportImport> {
        let (source, sha, actor) = (
            source.to_string(),
            source_sha256.to_string(),
            actor.to_string(),
        );
        self.write(move |ctx| {
            let marker = format!("reports_imported:{sha}");
            let seen: Option<String> = ctx
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [&marker], |r| {
                    r.get(0)
                })
                .optional()?;
            if seen.is_some() {
                return Ok(ReportImport {
                    already_imported: true,
                    ..ReportImport::default()
                });
            }
            let mut outcome = ReportImport::default();
            let mut digests = Vec::new();
            for r in &reports {
                if is_duplicate(ctx.conn, r)? {
                    outcome.already_present += 1;
                    continue;
                }
                let id = insert(ctx.conn, r, &actor, &source)?;
                digests.extend(rows::digest_of_id(ctx.conn, &REPORTS, id)?);
                outcome.added += 1;
            }
            ctx.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                params![marker, now_rfc3339()],
            )?;
            let mut payload = json!({
                "source": source,
                "sha256": sha,
                "added": outcome.added,
                "already_present": outcome.already_present,
            });
            rows::attach(&mut payload, digests);
            ctx.append_audit("report.imported", &actor, &payload)?;
            Ok(outcome)
        })
    }
}
