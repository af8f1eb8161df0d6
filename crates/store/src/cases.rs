//! Review cases and the suppressions (good-guy decisions) they create.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::rows::{self, CASES, SUPPRESSIONS};
use crate::{Result, Store, StoreError, WriteCtx, now_rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseResolution {
    TrueMatch,
    FalsePositive,
}

impl CaseResolution {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseResolution::TrueMatch => "true_match",
            CaseResolution::FalsePositive => "false_positive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "true_match" => Some(Self::TrueMatch),
            "false_positive" => Some(Self::FalsePositive),
            _ => None,
        }
    }
}

/// A case to open, filled by the screening code.
#[derive(Debug, Clone, Serialize)]
pub struct NewCase {
    /// `name` or `transaction`.
    pub kind: String,
    pub screening_id: String,
    /// Normalised query fingerprint (same query → same key).
    pub query_key: String,
    pub query: Value,
    pub entity_id: Option<String>,
    pub entity_ref: Option<String>,
    pub entity_caption: Option<String>,
    /// Fingerprint of the list entry as screened; a suppression lapses when it changes.
    pub entity_fingerprint: Option<String>,
    pub score: Option<f64>,
    pub decision: Option<String>,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: i64,
    pub opened_at: String,
    pub status: CaseStatus,
    pub kind: String,
    pub screening_id: String,
    pub audit_seq: Option<i64>,
    pub query_key: String,
    pub query: Value,
    pub entity_id: Option<String>,
    pub entity_ref: Option<String>,
    pub entity_caption: Option<String>,
    pub entity_fingerprint: Option<String>,
    pub score: Option<f64>,
    pub decision: Option<String>,
    pub summary: String,
    pub resolution: Option<CaseResolution>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suppression {
    pub id: i64,
    pub query_key: String,
    pub entity_id: String,
    pub entity_fingerprint: String,
    pub case_id: i64,
    pub created_by: String,
    pub created_at: String,
    pub note: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub limit: usize,
}

const CASE_COLUMNS: &str = "id, opened_at, status, kind, screening_id, audit_seq, query_key, query, entity_id, entity_ref,
    entity_caption, entity_fingerprint, score, decision, summary, resolution, note, closed_by, closed_at";

fn case_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Case, String)> {
    let status: String = r.get(2)?;
    let resolution: Option<String> = r.get(15)?;
    let query_text: String = r.get(7)?;
    Ok((
        Case {
            id: r.get(0)?,
            opened_at: r.get(1)?,
            status: if status == "closed" {
                CaseStatus::Closed
            } else {
                CaseStatus::Open
            },
            kind: r.get(3)?,
            screening_id: r.get(4)?,
            audit_seq: r.get(5)?,
            query_key: r.get(6)?,
            query: Value::Null,
            entity_id: r.get(8)?,
            entity_ref: r.get(9)?,
            entity_caption: r.get(10)?,
            entity_fingerprint: r.get(11)?,
            score: r.get(12)?,
            decision: r.get(13)?,
            summary: r.get(14)?,
            resolution: resolution.as_deref().and_then(CaseResolution::parse),
            note: r.get(16)?,
            closed_by: r.get(17)?,
            closed_at: r.get(18)?,
        },
        query_text,
    ))
}

fn finish_case((mut case, query_text): (Case, String)) -> Result<Case> {
    case.query = serde_json::from_str(&query_text).map_err(|source| StoreError::Json {
        table: "cases",
        column: "query",
        row: case.id.to_string(),
        source,
    })?;
    Ok(case)
}

fn load_case(conn: &rusqlite::Connection, id: i64) -> Result<Case> {
    let row = conn
        .query_row(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
            [id],
            case_from_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    finish_case(row)
}

impl WriteCtx<'_> {
    /// Open a case inside the current transaction (with the screening's audit
    /// record `audit_seq`). Audited as `case.opened` by the screening's actor.
    pub fn open_case(&mut self, c: &NewCase, audit_seq: i64) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO cases(opened_at, status, kind, screening_id, audit_seq, query_key, query, entity_id, entity_ref,
                     entity_caption, entity_fingerprint, score, decision, summary)
                 VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                now_rfc3339(),
                c.kind,
                c.screening_id,
                audit_seq,
                c.query_key,
                crate::canonical_json(&c.query),
                c.entity_id,
                c.entity_ref,
                c.entity_caption,
                c.entity_fingerprint,
                c.score,
                c.decision,
                c.summary
            ])?;
        let id = self.conn.last_insert_rowid();
        let known = match &self.last_actor {
            Some((seq, actor)) if *seq == audit_seq => Some(actor.clone()),
            _ => None,
        };
        let actor: String = match known {
            Some(actor) => actor,
            None => self
                .conn
                .prepare_cached("SELECT actor FROM audit_log WHERE seq = ?1")?
                .query_row([audit_seq], |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "case for screening {}: audit record {audit_seq} does not exist",
                        c.screening_id
                    ))
                })?,
        };
        let mut payload = json!({
            "case_id": id,
            "screening_id": c.screening_id,
            "screening_seq": audit_seq,
            "entity_id": c.entity_id,
            "entity_ref": c.entity_ref,
        });
        rows::attach(&mut payload, rows::digest_of_id(self.conn, &CASES, id)?);
        self.append_audit("case.opened", &actor, &payload)?;
        Ok(id)
    }

    /// Close a case inside the current transaction (see [`Store::close_case`]).
    pub fn close_case(
        &mut self,
        id: i64,
        resolution: CaseResolution,
        note: &str,
        actor: &str,
    ) -> Result<(Case, Option<Suppression>)> {
        let case = load_case(self.conn, id)?;
        if case.status == CaseStatus::Closed {
            return Err(StoreError::Invalid(format!("case {id} is already closed")));
        }
        let now = now_rfc3339();
        self.conn.execute(
            "UPDATE cases SET status = 'closed', resolution = ?2, note = ?3, closed_by = ?4, closed_at = ?5 WHERE id = ?1",
            params![id, resolution.as_str(), note, actor, now],
        )?;
        let mut suppression = None;
        if resolution == CaseResolution::FalsePositive
            && let (Some(entity_id), Some(fingerprint)) =
                (&case.entity_id, &case.entity_fingerprint)
        {
            self.conn.execute(
                "INSERT INTO suppressions(query_key, entity_id, entity_fingerprint, case_id, created_by, created_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![case.query_key, entity_id, fingerprint, id, actor, now, note],
            )?;
            suppression = Some(Suppression {
                id: self.conn.last_insert_rowid(),
                query_key: case.query_key.clone(),
                entity_id: entity_id.clone(),
                entity_fingerprint: fingerprint.clone(),
                case_id: id,
                created_by: actor.to_string(),
                created_at: now.clone(),
                note: note.to_string(),
                revoked_at: None,
            });
        }
        let mut payload = json!({
            "case_id": id,
            "screening_id": case.screening_id,
            "entity_id": case.entity_id,
            "entity_ref": case.entity_ref,
            "resolution": resolution,
            "note": note,
            "suppression_id": suppression.as_ref().map(|s| s.id),
        });
        let mut digests = rows::digest_of_id(self.conn, &CASES, id)?;
        if let Some(s) = &suppression {
            digests.extend(rows::digest_of_id(self.conn, &SUPPRESSIONS, s.id)?);
        }
        rows::attach(&mut payload, digests);
        self.append_audit("case.closed", actor, &payload)?;
        let closed = load_case(self.conn, id)?;
        Ok((closed, suppression))
    }
}

impl WriteCtx<'_> {
    /// Revoke a suppression inside the current transaction.
    pub fn revoke_suppression(&mut self, id: i64, actor: &str) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE suppressions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_rfc3339()],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("active suppression {id}")));
        }
        let mut payload = json!({"suppression_id": id});
        rows::attach(
            &mut payload,
            rows::digest_of_id(self.conn, &SUPPRESSIONS, id)?,
        );
        self.append_audit("suppression.revoked", actor, &payload)?;
        Ok(())
    }
}

impl Store {
    pub fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        let limit = if filter.limit == 0 {
            100
        } else {
            filter.limit.min(1000)
        } as i64;
        let status = filter.status.map(|s| {
            if s == CaseStatus::Open {
                "open"
            } else {
                "closed"
            }
        });
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![status, limit], case_from_row)?;
            rows.map(|r| finish_case(r?)).collect()
        })
    }

    pub fn case(&self, id: i64) -> Result<Case> {
        self.read(|c| load_case(c, id))
    }

    pub fn open_case_count(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM cases WHERE status = 'open'",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Close an open case. A false positive on a case with a list entry
    /// suppresses that query–entry pair (until the entry changes). The closing
    /// is an audit record; all of it commits together.
    pub async fn close_case(
        &self,
        id: i64,
        resolution: CaseResolution,
        note: &str,
        actor: &str,
    ) -> Result<(Case, Option<Suppression>)> {
        let (note, actor) = (note.to_string(), actor.to_string());
        self.write_async(move |ctx| ctx.close_case(id, resolution, &note, &actor))
            .await
    }

    /// [`Store::close_case`] for synchronous callers (CLI, tests).
    pub fn close_case_blocking(
        &self,
        id: i64,
        resolution: CaseResolution,
        note: &str,
        actor: &str,
    ) -> Result<(Case, Option<Suppression>)> {
        let (note, actor) = (note.to_string(), actor.to_string());
        self.write(move |ctx| ctx.close_case(id, resolution, &note, &actor))
    }

    pub fn suppressions(&self, include_revoked: bool) -> Result<Vec<Suppression>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, query_key, entity_id, entity_fingerprint, case_id, created_by, created_at, note, revoked_at
                 FROM suppressions WHERE (?1 OR revoked_at IS NULL) ORDER BY id DESC",
            )?;
            let rows = stmt.query_map([include_revoked], |r| {
                Ok(Suppression {
                    id: r.get(0)?,
                    query_key: r.get(1)?,
                    entity_id: r.get(2)?,
                    entity_fingerprint: r.get(3)?,
                    case_id: r.get(4)?,
                    created_by: r.get(5)?,
                    created_at: r.get(6)?,
                    note: r.get(7)?,
                    revoked_at: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Revoke a suppression (audited as `suppression.revoked`).
    pub async fn revoke_suppression(&self, id: i64, actor: &str) -> Result<()> {
        let actor = actor.to_string();
        self.write_async(move |ctx| ctx.revoke_suppression(id, &actor))
            .await
    }

    /// [`Store::revoke_suppression`] for synchronous callers.
    pub fn revoke_suppression_blocking(&self, id: i64, actor: &str) -> Result<()> {
        let actor = actor.to_string();
        self.write(move |ctx| ctx.revoke_suppression(id, &actor))
    }
}
