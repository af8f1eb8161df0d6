//! Cap ledgers: what has been supplied against each quantity cap, per period.
//!
//! An account is (measure id, period start, unit). `cap_ledger.used` is the
//! account's opening amount (set by an admin: what was delivered before
//! Resolute kept the ledger, or what the 1718 Committee published) plus every
//! draw recorded in `cap_draws`. Draws are written by the job that writes the
//! screening's audit record, so an acknowledged screening and its draws are
//! committed together or not at all.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::rows::{self, CAP_DRAWS, CAP_LEDGER};
use crate::{AuditReceipt, Result, Store, StoreError, WriteCtx, now_rfc3339};

/// One cap account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapAccount {
    /// Measure id, e.g. `dprk/2397/5/refined-petroleum`.
    pub measure_id: String,
    pub period_start: NaiveDate,
    /// `bbl`, `t` or `usd`.
    pub unit: String,
}

impl CapAccount {
    pub fn new(
        measure_id: impl Into<String>,
        period_start: NaiveDate,
        unit: impl Into<String>,
    ) -> CapAccount {
        CapAccount {
            measure_id: measure_id.into(),
            period_start,
            unit: unit.into(),
        }
    }
}

/// An account's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapBalance {
    #[serde(flatten)]
    pub account: CapAccount,
    pub opening: f64,
    /// Opening plus all draws.
    pub used: f64,
    pub draws: i64,
    pub updated_at: String,
}

/// A draw to record with a screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCapDraw {
    pub transaction_id: String,
    #[serde(flatten)]
    pub account: CapAccount,
    pub amount: f64,
}

/// A recorded draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapDrawRecord {
    pub id: i64,
    pub screening_id: String,
    pub audit_seq: i64,
    pub transaction_id: String,
    #[serde(flatten)]
    pub account: CapAccount,
    pub amount: f64,
    pub ts: String,
    pub actor: String,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(table: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Invalid(format!("{table}.period_start {text:?} is not a date")))
}

/// Amounts are compared with a tolerance: they are sums of REALs.
fn same_amount(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn balance_of(conn: &rusqlite::Connection, a: &CapAccount) -> Result<Option<(f64, f64)>> {
    Ok(conn
        .query_row(
            "SELECT opening, used FROM cap_ledger WHERE measure_id = ?1 AND period_start = ?2 AND unit = ?3",
            params![a.measure_id, date_text(a.period_start), a.unit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

impl WriteCtx<'_> {
    /// Record a screening's draws in the current transaction (call it in the
    /// job that appends the screening's audit record).
    ///
    /// `expected` holds, for every account the screening drew on, the amount
    /// used it was seeded with. If the store holds another amount (another
    /// process or request drew in between), nothing is written and
    /// [`StoreError::Conflict`] tells the caller to reload and screen again:
    /// two screenings can never both spend the same remaining amount.
    pub fn record_cap_draws(
        &mut self,
        screening_id: &str,
        audit_seq: i64,
        actor: &str,
        draws: &[NewCapDraw],
        expected: &[(CapAccount, f64)],
    ) -> Result<()> {
        for (account, seeded) in expected {
            let stored = balance_of(self.conn, account)?
                .map(|(_, used)| used)
                .unwrap_or(0.0);
            if !same_amount(stored, *seeded) {
                return Err(StoreError::Conflict(format!(
                    "cap account {} {} {}: screened against {seeded} used, the ledger now holds {stored}",
                    account.measure_id, account.period_start, account.unit
                )));
            }
        }
        if draws.is_empty() {
            return Ok(());
        }
        let ts = now_rfc3339();
        let mut digests = Vec::with_capacity(draws.len() * 2);
        let mut accounts: Vec<&CapAccount> = Vec::new();
        for d in draws {
            if !(d.amount.is_finite() && d.amount >= 0.0) {
                return Err(StoreError::Invalid(format!(
                    "cap draw of {} for transaction {}",
                    d.amount, d.transaction_id
                )));
            }
            let day = date_text(d.account.period_start);
            self.conn.execute(
                "INSERT INTO cap_draws(screening_id, audit_seq, transaction_id, measure_id, period_start, unit, amount, ts, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![screening_id, audit_seq, d.transaction_id, d.account.measure_id, day, d.account.unit, d.amount, ts, actor],
            )?;
            digests.extend(rows::digest_of_id(
                self.conn,
                &CAP_DRAWS,
                self.conn.last_insert_rowid(),
            )?);
            self.conn.execute(
                "INSERT INTO cap_ledger(measure_id, period_start, unit, opening, used, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)
                 ON CONFLICT(measure_id, period_start, unit) DO UPDATE SET used = used + excluded.used, updated_at = excluded.updated_at",
                params![d.account.measure_id, day, d.account.unit, d.amount, ts],
            )?;
            if !accounts.contains(&&d.account) {
                accounts.push(&d.account);
            }
        }
        for a in accounts {
            digests.extend(ledger_digest(self.conn, a)?);
        }
        let mut payload = json!({
            "screening_id": screening_id,
            "screening_seq": audit_seq,
            "draws": draws,
        });
        rows::attach(&mut payload, digests);
        self.append_audit("cap.draws", actor, &payload)?;
        Ok(())
    }

    /// Set an account's opening amount (replacing the previous one) and audit it.
    pub fn set_cap_opening(
        &mut self,
        account: &CapAccount,
        amount: f64,
        note: &str,
        actor: &str,
    ) -> Result<(CapBalance, AuditReceipt)> {
        if !(amount.is_finite() && amount >= 0.0) {
            return Err(StoreError::Invalid(format!(
                "opening amount {amount} must be a non-negative number"
            )));
        }
        let previous = balance_of(self.conn, account)?;
        let ts = now_rfc3339();
        let day = date_text(account.period_start);
        self.conn.execute(
            "INSERT INTO cap_ledger(measure_id, period_start, unit, opening, used, updated_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)
             ON CONFLICT(measure_id, period_start, unit) DO UPDATE
                 SET used = used - opening + excluded.opening, opening = excluded.opening, updated_at = excluded.updated_at",
            params![account.measure_id, day, account.unit, amount, ts],
        )?;
        let mut payload = json!({
            "measure_id": account.measure_id,
            "period_start": day,
            "unit": account.unit,
            "opening": amount,
            "previous_opening": previous.map(|(o, _)| o),
            "note": note,
        });
        rows::attach(&mut payload, ledger_digest(self.conn, account)?);
        let receipt = self.append_audit("cap.opening_set", actor, &payload)?;
        let balance = load_balance(self.conn, account)?
            .ok_or_else(|| StoreError::NotFound(format!("cap account {}", account.measure_id)))?;
        Ok((balance, receipt))
    }
}

fn ledger_digest(conn: &rusqlite::Connection, a: &CapAccount) -> Result<Vec<rows::RowDigest>> {
    rows::digests(
        conn,
        &CAP_LEDGER,
        "measure_id = ?1 AND period_start = ?2 AND unit = ?3",
        params![a.measure_id, date_text(a.period_start), a.unit],
    )
}

const BALANCE_SQL: &str = "SELECT l.measure_id, l.period_start, l.unit, l.opening, l.used, l.updated_at,
        (SELECT COUNT(*) FROM cap_draws d WHERE d.measure_id = l.measure_id AND d.period_start = l.period_start AND d.unit = l.unit)
    FROM cap_ledger l";

type BalanceRow = (String, String, String, f64, f64, String, i64);

fn balance_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BalanceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish_balance(
    (measure_id, start, unit, opening, used, updated_at, draws): BalanceRow,
) -> Result<CapBalance> {
    Ok(CapBalance {
        account: CapAccount {
            measure_id,
            period_start: parse_day("cap_ledger", &start)?,
            unit,
        },
        opening,
        used,
        draws,
        updated_at,
    })
}

fn load_balance(conn: &rusqlite::Connection, a: &CapAccount) -> Result<Option<CapBalance>> {
    let row = conn
        .query_row(
            &format!(
                "{BALANCE_SQL} WHERE l.measure_id = ?1 AND l.period_start = ?2 AND l.unit = ?3"
            ),
            params![a.measure_id, date_text(a.period_start), a.unit],
            balance_row,
        )
        .optional()?;
    row.map(finish_balance).transpose()
}

impl Store {
    /// Every cap account, by measure, period and unit.
    pub fn cap_balances(&self) -> Result<Vec<CapBalance>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "{BALANCE_SQL} ORDER BY l.measure_id, l.period_start, l.unit"
            ))?;
            let rows = stmt.query_map([], balance_row)?;
            rows.map(|r| finish_balance(r?)).collect()
        })
    }

    /// Recorded draws, newest first; optionally of one account.
    pub fn cap_draws(
        &self,
        account: Option<&CapAccount>,
        limit: usize,
    ) -> Result<Vec<CapDrawRecord>> {
        let limit = if limit == 0 { 100 } else { limit.min(10_000) } as i64;
        let (m, p, u) = match account {
            Some(a) => (
                Some(a.measure_id.clone()),
                Some(date_text(a.period_start)),
                Some(a.unit.clone()),
            ),
            None => (None, None, None),
        };
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, screening_id, audit_seq, transaction_id, measure_id, period_start, unit, amount, ts, actor FROM cap_draws
                 WHERE (?1 IS NULL OR (measure_id = ?1 AND period_start = ?2 AND unit = ?3)) ORDER BY id DESC LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![m, p, u, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, f64>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, screening_id, audit_seq, transaction_id, measure_id, start, unit, amount, ts, actor) = row?;
                out.push(CapDrawRecord {
                    id,
                    screening_id,
                    audit_seq,
                    transaction_id,
                    account: CapAccount { measure_id, period_start: parse_day("cap_draws", &start)?, unit },
                    amount,
                    ts,
                    actor,
                });
            }
            Ok(out)
        })
    }

    /// Set an opening amount and wait for the commit (CLI, tests).
    pub fn set_cap_opening(
        &self,
        account: CapAccount,
        amount: f64,
        note: &str,
        actor: &str,
    ) -> Result<(CapBalance, AuditReceipt)> {
        let (note, actor) = (note.to_string(), actor.to_string());
        self.write(move |ctx| ctx.set_cap_opening(&account, amount, &note, &actor))
    }

    pub async fn set_cap_opening_async(
        &self,
        account: CapAccount,
        amount: f64,
        note: &str,
        actor: &str,
    ) -> Result<(CapBalance, AuditReceipt)> {
        let (note, actor) = (note.to_string(), actor.to_string());
        self.write_async(move |ctx| ctx.set_cap_opening(&account, amount, &note, &actor))
            .await
    }
}
