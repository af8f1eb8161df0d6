//! Stored list versions: metadata, and the raw bytes of uploaded files so the
//! service comes back with the same lists after a restart.
//!
//! A version can also be held *pending* (stored bytes, the reason it was
//! held and a summary of its diff) until an admin confirms it (it becomes
//! the active version of its source) or rejects it. Each step is audited
//! with its actor. Pending and rejected versions are never served and are not
//! in [`Store::list_versions`].

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::rows::{self, LIST_VERSIONS};
use crate::{Result, Store, StoreError, WriteCtx, now_rfc3339};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredListVersion {
    pub id: String,
    /// `un` or `ofac-sdn`.
    pub source: String,
    pub generated: Option<String>,
    pub content_hash: String,
    pub origin: String,
    pub entity_count: i64,
    pub issue_count: i64,
    pub loaded_at: String,
    pub loaded_by: String,
    /// The version currently served for its source.
    pub active: bool,
    /// Whether the raw file is stored (uploads) or comes with the binary (bundled).
    pub stored_bytes: bool,
}

/// Where a reviewed version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Held: waits for an admin.
    Pending,
    /// Confirmed by an admin: loaded (and made active when confirmed).
    Confirmed,
    Rejected,
}

/// A version that was held for review, with the review's state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListReview {
    #[serde(flatten)]
    pub version: StoredListVersion,
    pub status: ReviewStatus,
    /// Why it was held (e.g. "removes 41 % of the entries").
    pub reason: String,
    /// The diff summary given when it was held.
    pub diff_summary: Value,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

/// The digests of every row of `source` (activating one version changes
/// the `active` flag of the others).
fn source_digests(conn: &Connection, source: &str) -> Result<Vec<rows::RowDigest>> {
    rows::digests(conn, &LIST_VERSIONS, "source = ?1", [source])
}

fn with_digests(mut payload: Value, digests: Vec<rows::RowDigest>) -> Value {
    rows::attach(&mut payload, digests);
    payload
}

impl WriteCtx<'_> {
    /// Record a version and make it the active one of its source, audited
    /// as `list.loaded` by `meta.loaded_by` (with `audit_payload` if given).
    pub fn save_list_version(
        &mut self,
        meta: &StoredListVersion,
        bytes: Option<&[u8]>,
        audit_payload: Option<Value>,
    ) -> Result<StoredListVersion> {
        if let Some(status) = status_of(self.conn, &meta.id)?
            && status != "loaded"
        {
            return Err(StoreError::Conflict(format!(
                "list version {} is {status}: {}",
                meta.id,
                if status == "pending" {
                    "confirm or reject it instead of loading it again"
                } else {
                    "an admin rejected it"
                }
            )));
        }
        let now = now_rfc3339();
        self.conn.execute(
            "UPDATE list_versions SET active = 0 WHERE source = ?1 AND active = 1",
            [&meta.source],
        )?;
        self.conn.execute(
            "INSERT INTO list_versions(id, source, generated, content_hash, origin, entity_count, issue_count, loaded_at, loaded_by, active, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)
             ON CONFLICT(id) DO UPDATE SET active = 1, bytes = COALESCE(excluded.bytes, list_versions.bytes)",
            params![
                meta.id,
                meta.source,
                meta.generated,
                meta.content_hash,
                meta.origin,
                meta.entity_count,
                meta.issue_count,
                now,
                meta.loaded_by,
                bytes
            ],
        )?;
        let payload = audit_payload.unwrap_or_else(
            || json!({"version": meta.id, "origin": meta.origin, "entities": meta.entity_count}),
        );
        let payload = with_digests(payload, source_digests(self.conn, &meta.source)?);
        self.append_audit("list.loaded", &meta.loaded_by, &payload)?;
        load_version(self.conn, &meta.id)?
            .ok_or_else(|| StoreError::NotFound(format!("list version {}", meta.id)))
    }
}

impl Store {
    /// Record a version and make it the active one of its source; the audit
    /// record (`list.loaded`, with `audit_payload` if given, else the
    /// version's id, origin and size) commits with it.
    pub async fn save_list_version(
        &self,
        meta: StoredListVersion,
        bytes: Option<Vec<u8>>,
        audit_payload: Option<Value>,
    ) -> Result<StoredListVersion> {
        self.write_async(move |ctx| ctx.save_list_version(&meta, bytes.as_deref(), audit_payload))
            .await
    }

    /// [`Store::save_list_version`] for synchronous callers.
    pub fn save_list_version_blocking(
        &self,
        meta: StoredListVersion,
        bytes: Option<Vec<u8>>,
        audit_payload: Option<Value>,
    ) -> Result<StoredListVersion> {
        self.write(move |ctx| ctx.save_list_version(&meta, bytes.as_deref(), audit_payload))
    }

    /// Hold a version for review: stored with its bytes, not served, audited
    /// as `list.held` by `actor` with the reason and diff summary. A version
    /// id already loaded or pending is a [`StoreError::Conflict`]; a rejected
    /// one can be held again.
    pub fn hold_list_version(
        &self,
        meta: StoredListVersion,
        bytes: Vec<u8>,
        reason: &str,
        diff_summary: Value,
        actor: &str,
    ) -> Result<ListReview> {
        let (reason, actor) = (reason.to_string(), actor.to_string());
        self.write(move |ctx| {
            if let Some(status) = status_of(ctx.conn, &meta.id)?
                && status != "rejected"
            {
                return Err(StoreError::Conflict(format!(
                    "list version {} is already {status}",
                    meta.id
                )));
            }
            let diff_text = crate::canonical_json(&diff_summary);
            ctx.conn.execute(
                "INSERT INTO list_versions(id, source, generated, content_hash, origin, entity_count, issue_count, loaded_at, loaded_by, active, bytes,
                                           status, review_reason, review_diff)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, 'pending', ?11, ?12)
                 ON CONFLICT(id) DO UPDATE SET status = 'pending', active = 0, bytes = excluded.bytes, loaded_at = excluded.loaded_at,
                     loaded_by = excluded.loaded_by, review_reason = excluded.review_reason, review_diff = excluded.review_diff,
                     decided_by = NULL, decided_at = NULL, decision_note = NULL",
                params![
                    meta.id,
                    meta.source,
                    meta.generated,
                    meta.content_hash,
                    meta.origin,
                    meta.entity_count,
                    meta.issue_count,
                    now_rfc3339(),
                    actor,
                    bytes,
                    reason,
                    diff_text
                ],
            )?;
            let payload = json!({
                "version": meta.id,
                "source": meta.source,
                "origin": meta.origin,
                "entities": meta.entity_count,
                "reason": reason,
                "diff_summary": diff_summary,
            });
            let payload = with_digests(payload, rows::digests(ctx.conn, &LIST_VERSIONS, "id = ?1", [&meta.id])?);
            ctx.append_audit("list.held", &actor, &payload)?;
            load_review(ctx.conn, &meta.id)
        })
    }

    /// Confirm a pending version: it becomes the active version of its
    /// source (audited as `list.confirmed`). Load its bytes
    /// ([`Store::list_version_bytes`]) into the engine after this returns.
    pub fn confirm_list_version(&self, id: &str, actor: &str, note: &str) -> Result<ListReview> {
        self.decide(id, actor, note, true)
    }

    /// Reject a pending version (audited as `list.rejected`); its bytes stay
    /// stored for the record.
    pub fn reject_list_version(&self, id: &str, actor: &str, note: &str) -> Result<ListReview> {
        self.decide(id, actor, note, false)
    }

    fn decide(&self, id: &str, actor: &str, note: &str, confirm: bool) -> Result<ListReview> {
        let (id, actor, note) = (id.to_string(), actor.to_string(), note.to_string());
        self.write(move |ctx| {
            let source: String = match ctx
                .conn
                .query_row(
                    "SELECT source, status FROM list_versions WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )
                .optional()?
            {
                None => return Err(StoreError::NotFound(format!("list version {id}"))),
                Some((_, status)) if status != "pending" => {
                    return Err(StoreError::Conflict(format!(
                        "list version {id} is {status}, not pending"
                    )));
                }
                Some((source, _)) => source,
            };
            let now = now_rfc3339();
            if confirm {
                ctx.conn.execute(
                    "UPDATE list_versions SET active = 0 WHERE source = ?1 AND active = 1",
                    [&source],
                )?;
            }
            ctx.conn.execute(
                "UPDATE list_versions SET status = ?2, active = ?3, decided_by = ?4, decided_at = ?5, decision_note = ?6 WHERE id = ?1",
                params![
                    id,
                    if confirm { "loaded" } else { "rejected" },
                    confirm as i64,
                    actor,
                    now,
                    note
                ],
            )?;
            let payload = json!({"version": id, "source": source, "note": note});
            let payload = with_digests(payload, source_digests(ctx.conn, &source)?);
            let kind = if confirm { "list.confirmed" } else { "list.rejected" };
            ctx.append_audit(kind, &actor, &payload)?;
            load_review(ctx.conn, &id)
        })
    }

    /// Versions held for review, newest first; with `include_decided` also
    /// the confirmed and rejected ones.
    pub fn list_reviews(&self, include_decided: bool) -> Result<Vec<ListReview>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS}, {REVIEW_COLUMNS} FROM list_versions
                 WHERE review_reason IS NOT NULL AND (?1 OR status = 'pending') ORDER BY loaded_at DESC, id"
            ))?;
            let rows = stmt.query_map([include_decided], review_from_row)?;
            rows.map(|r| finish_review(r?)).collect()
        })
    }

    /// Loaded versions (not pending or rejected ones), newest first.
    pub fn list_versions(&self) -> Result<Vec<StoredListVersion>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM list_versions WHERE status = 'loaded' ORDER BY loaded_at DESC, id"
            ))?;
            let rows = stmt.query_map([], version_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Raw bytes of the active uploaded version of each source (none for bundled).
    pub fn active_uploaded_lists(&self) -> Result<Vec<(StoredListVersion, Vec<u8>)>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS}, bytes FROM list_versions WHERE active = 1 AND status = 'loaded' AND bytes IS NOT NULL ORDER BY source"
            ))?;
            let rows = stmt.query_map([], |r| Ok((version_from_row(r)?, r.get::<_, Vec<u8>>(11)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Raw bytes of a version (also pending or rejected ones).
    pub fn list_version_bytes(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT bytes FROM list_versions WHERE id = ?1", [id], |r| {
                    r.get::<_, Option<Vec<u8>>>(0)
                })
                .optional()?
                .flatten(),
            )
        })
    }
}

const COLUMNS: &str = "id, source, generated, content_hash, origin, entity_count, issue_count, loaded_at, loaded_by, active, bytes IS NOT NULL";
const REVIEW_COLUMNS: &str =
    "status, review_reason, review_diff, decided_by, decided_at, decision_note";

fn version_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredListVersion> {
    Ok(StoredListVersion {
        id: r.get(0)?,
        source: r.get(1)?,
        generated: r.get(2)?,
        content_hash: r.get(3)?,
        origin: r.get(4)?,
        entity_count: r.get(5)?,
        issue_count: r.get(6)?,
        loaded_at: r.get(7)?,
        loaded_by: r.get(8)?,
        active: r.get::<_, i64>(9)? != 0,
        stored_bytes: r.get::<_, i64>(10)? != 0,
    })
}

type ReviewRow = (
    StoredListVersion,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn review_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok((
        version_from_row(r)?,
        r.get(11)?,
        r.get::<_, Option<String>>(12)?.unwrap_or_default(),
        r.get(13)?,
        r.get(14)?,
        r.get(15)?,
        r.get(16)?,
    ))
}

fn finish_review(
    (version, status, reason, diff, decided_by, decided_at, decision_note): ReviewRow,
) -> Result<ListReview> {
    let diff_summary = match diff {
        Some(text) => serde_json::from_str(&text).map_err(|source| StoreError::Json {
            table: "list_versions",
            column: "review_diff",
            row: version.id.clone(),
            source,
        })?,
        None => Value::Null,
    };
    let status = match status.as_str() {
        "pending" => ReviewStatus::Pending,
        "rejected" => ReviewStatus::Rejected,
        _ => ReviewStatus::Confirmed,
    };
    Ok(ListReview {
        version,
        status,
        reason,
        diff_summary,
        decided_by,
        decided_at,
        decision_note,
    })
}

fn load_review(c: &Connection, id: &str) -> Result<ListReview> {
    let row = c
        .query_row(
            &format!("SELECT {COLUMNS}, {REVIEW_COLUMNS} FROM list_versions WHERE id = ?1"),
            [id],
            review_from_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("list version {id}")))?;
    finish_review(row)
}

fn status_of(c: &Connection, id: &str) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT status FROM list_versions WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()?)
}

fn load_version(c: &Connection, id: &str) -> Result<Option<StoredListVersion>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM list_versions WHERE id = ?1"),
        [id],
        version_from_row,
    )
    .optional()?)
}
