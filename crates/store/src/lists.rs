//! Stored list versions: metadata, and the raw bytes of uploaded files so the
//! service comes back with the same lists after a restart.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::{Result, Store, now_rfc3339};

#[derive(Debug, Clone, Serialize)]
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

impl Store {
    /// Record a version and make it the active one of its source; the audit
    /// record (`list.loaded`, with `audit_payload`) commits with it.
    pub async fn save_list_version(
        &self,
        meta: StoredListVersion,
        bytes: Option<Vec<u8>>,
        audit_payload: Option<Value>,
    ) -> Result<StoredListVersion> {
        self.write_async(move |ctx| {
            let now = now_rfc3339();
            ctx.conn.execute("UPDATE list_versions SET active = 0 WHERE source = ?1", [&meta.source])?;
            ctx.conn.execute(
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
            if let Some(payload) = audit_payload {
                ctx.append_audit("list.loaded", &meta.loaded_by, &payload)?;
            }
            let stored = load_version(ctx.conn, &meta.id)?;
            Ok(stored.unwrap_or(meta))
        })
        .await
    }

    pub fn list_versions(&self) -> Result<Vec<StoredListVersion>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM list_versions ORDER BY loaded_at DESC, id"
            ))?;
            let rows = stmt.query_map([], version_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Raw bytes of the active uploaded version of each source (none for bundled).
    pub fn active_uploaded_lists(&self) -> Result<Vec<(StoredListVersion, Vec<u8>)>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS}, bytes FROM list_versions WHERE active = 1 AND bytes IS NOT NULL ORDER BY source"
            ))?;
            let rows = stmt.query_map([], |r| Ok((version_from_row(r)?, r.get::<_, Vec<u8>>(11)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

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

fn load_version(c: &rusqlite::Connection, id: &str) -> Result<Option<StoredListVersion>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM list_versions WHERE id = ?1"),
        [id],
        version_from_row,
    )
    .optional()?)
}
