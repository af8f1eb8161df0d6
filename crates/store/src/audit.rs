//! The append-only audit log as a SHA-256 hash chain.
//!
//! Record `n` stores `prev_hash` (the hash of record `n - 1`, or 64 zeros for
//! the first) and `hash = sha256(canonical_json({seq, ts, kind, actor, payload,
//! prev_hash}))`. Editing a record breaks its own hash; deleting one leaves a
//! gap in `seq` and a `prev_hash` that links to nothing; moving records breaks
//! the hash (it covers `seq`) and the links. The chain's head (last seq and
//! hash) is also kept in `meta`, so cutting records off the end is detected.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::canonical::{canonical_json, json_string, sha256_hex};
use crate::{Result, Store, StoreError, WriteCtx, now_rfc3339};

pub fn genesis_hash() -> String {
    "0".repeat(64)
}

#[derive(Debug, Clone)]
pub(crate) struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn load(conn: &Connection) -> Result<ChainHead> {
        let last: Option<(i64, String)> = conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match last {
            Some((seq, hash)) => ChainHead { seq, hash },
            None => ChainHead {
                seq: 0,
                hash: genesis_hash(),
            },
        })
    }

    pub fn store_meta(&self, conn: &Connection) -> Result<()> {
        conn.prepare_cached("INSERT INTO meta(key, value) VALUES('audit_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
            .execute(params![format!("{}:{}", self.seq, self.hash)])?;
        Ok(())
    }
}

/// What the caller gets back once its record is committed.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReceipt {
    pub seq: i64,
    pub ts: String,
    pub hash: String,
}

/// One stored audit record.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub ts: String,
    pub kind: String,
    pub actor: String,
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

fn record_hash(
    seq: i64,
    ts: &str,
    kind: &str,
    actor: &str,
    payload: &Value,
    prev_hash: &str,
) -> String {
    record_hash_canonical(seq, ts, kind, actor, &canonical_json(payload), prev_hash)
}

/// [`record_hash`] of a payload already in canonical JSON: the canonical
/// form of `{seq, ts, kind, actor, payload, prev_hash}` written directly
/// (keys in sorted order), so the payload is not walked again.
fn record_hash_canonical(
    seq: i64,
    ts: &str,
    kind: &str,
    actor: &str,
    payload: &str,
    prev_hash: &str,
) -> String {
    let mut body = Vec::with_capacity(payload.len() + 256);
    body.extend_from_slice(b"{\"actor\":");
    json_string(actor, &mut body);
    body.extend_from_slice(b",\"kind\":");
    json_string(kind, &mut body);
    body.extend_from_slice(b",\"payload\":");
    body.extend_from_slice(payload.as_bytes());
    body.extend_from_slice(b",\"prev_hash\":");
    json_string(prev_hash, &mut body);
    body.extend_from_slice(format!(",\"seq\":{seq},\"ts\":").as_bytes());
    json_string(ts, &mut body);
    body.push(b'}');
    sha256_hex(&body)
}

/// A payload in canonical JSON, made before it reaches the writer thread
/// (the one place writes are serialised, so work done there delays every
/// screening in the group commit).
#[derive(Debug, Clone)]
pub struct CanonicalPayload(String);

impl CanonicalPayload {
    pub fn of(payload: &Value) -> Self {
        CanonicalPayload(canonical_json(payload))
    }
}

impl WriteCtx<'_> {
    /// Append one record to the chain inside the current transaction.
    pub fn append_audit(
        &mut self,
        kind: &str,
        actor: &str,
        payload: &Value,
    ) -> Result<AuditReceipt> {
        self.append_audit_canonical(kind, actor, &CanonicalPayload::of(payload))
    }

    /// [`WriteCtx::append_audit`] of a payload canonicalised beforehand.
    pub fn append_audit_canonical(
        &mut self,
        kind: &str,
        actor: &str,
        payload: &CanonicalPayload,
    ) -> Result<AuditReceipt> {
        let seq = self.head.seq + 1;
        let ts = now_rfc3339();
        let prev_hash = self.head.hash.clone();
        let hash = record_hash_canonical(seq, &ts, kind, actor, &payload.0, &prev_hash);
        self.conn
            .prepare_cached("INSERT INTO audit_log(seq, ts, kind, actor, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![seq, ts, kind, actor, payload.0, prev_hash, hash])?;
        self.head.seq = seq;
        self.head.hash = hash.clone();
        Ok(AuditReceipt { seq, ts, hash })
    }

    pub fn conn(&self) -> &Connection {
        self.conn
    }
}

/// The first record that breaks the chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BadRecord {
    /// Sequence number of the first bad record (for a truncated tail, the
    /// first missing one).
    pub seq: i64,
    /// `edited`, `missing`, `misplaced` or `truncated`.
    pub problem: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub records: i64,
    pub head_hash: String,
    pub first_bad: Option<BadRecord>,
}

/// Filters for listing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Records with `seq < before` (paging backwards from the newest).
    pub before: Option<i64>,
    pub kind: Option<String>,
    pub limit: usize,
}

fn row_to_record(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, String, String, String, String)> {
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

fn parse_payload(seq: i64, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|source| StoreError::Json {
        table: "audit_log",
        column: "payload",
        row: seq.to_string(),
        source,
    })
}

/// Walk the whole chain in `seq` order. Runs in constant memory.
pub fn verify_chain(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = genesis_hash();
    let mut count = 0i64;
    let mut first_bad: Option<BadRecord> = None;
    while let Some(row) = rows.next()? {
        let (seq, ts, kind, actor, payload_text, stored_prev, stored_hash) = row_to_record(row)?;
        count += 1;
        let payload: Option<Value> = serde_json::from_str(&payload_text).ok();
        let recomputed = payload
            .as_ref()
            .map(|p| record_hash(seq, &ts, &kind, &actor, p, &stored_prev));
        let bad = if seq != expected_seq {
            Some(BadRecord {
                seq: if seq > expected_seq {
                    expected_seq
                } else {
                    seq
                },
                problem: if seq > expected_seq {
                    "missing".into()
                } else {
                    "misplaced".into()
                },
                detail: if seq > expected_seq {
                    format!(
                        "record {expected_seq} is missing (next record found is {seq}): deleted"
                    )
                } else {
                    format!(
                        "record {seq} appears after record {}: duplicated or reordered",
                        expected_seq - 1
                    )
                },
            })
        } else if stored_prev != prev_hash {
            Some(BadRecord {
                seq,
                problem: "misplaced".into(),
                detail: format!(
                    "record {seq} does not link to record {}: its prev_hash {} is not that record's hash {} (records removed or reordered)",
                    seq - 1,
                    short(&stored_prev),
                    short(&prev_hash)
                ),
            })
        } else if recomputed.as_deref() != Some(stored_hash.as_str()) {
            Some(BadRecord {
                seq,
                problem: "edited".into(),
                detail: format!(
                    "record {seq}'s content does not hash to its stored hash {} (edited after it was written)",
                    short(&stored_hash)
                ),
            })
        } else {
            None
        };
        if let Some(b) = bad {
            first_bad = Some(b);
            break;
        }
        expected_seq = seq + 1;
        prev_hash = stored_hash;
    }
    drop(rows);
    if first_bad.is_none() {
        // Tail truncation: the committed head in meta is beyond the last record.
        let head: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(head) = head
            && let Some((seq_text, hash)) = head.split_once(':')
            && let Ok(head_seq) = seq_text.parse::<i64>()
            && (head_seq != expected_seq - 1 || (head_seq > 0 && hash != prev_hash))
        {
            first_bad = Some(BadRecord {
                seq: expected_seq,
                problem: "truncated".into(),
                detail: format!(
                    "the log ends at record {} but its committed head is record {head_seq} ({}): records at the end were removed",
                    expected_seq - 1,
                    short(hash)
                ),
            });
        }
    }
    Ok(VerifyReport {
        ok: first_bad.is_none(),
        records: count,
        head_hash: prev_hash,
        first_bad,
    })
}

fn short(h: &str) -> &str {
    &h[..12.min(h.len())]
}

impl Store {
    /// Append one audit record and wait until it is committed.
    pub fn append_audit(&self, kind: &str, actor: &str, payload: Value) -> Result<AuditReceipt> {
        let (kind, actor) = (kind.to_string(), actor.to_string());
        self.write(move |ctx| ctx.append_audit(&kind, &actor, &payload))
    }

    pub async fn append_audit_async(
        &self,
        kind: &str,
        actor: &str,
        payload: Value,
    ) -> Result<AuditReceipt> {
        let (kind, actor) = (kind.to_string(), actor.to_string());
        self.write_async(move |ctx| ctx.append_audit(&kind, &actor, &payload))
            .await
    }

    /// Verify the whole chain on a fresh read connection.
    pub fn verify_audit(&self) -> Result<VerifyReport> {
        self.read(verify_chain)
    }

    /// Newest records first.
    pub fn audit_records(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) } as i64;
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log
                 WHERE (?1 IS NULL OR seq < ?1) AND (?2 IS NULL OR kind = ?2)
                 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![q.before, q.kind, limit], row_to_record)?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, ts, kind, actor, payload, prev_hash, hash) = row?;
                out.push(AuditRecord {
                    seq,
                    ts,
                    kind,
                    actor,
                    payload: parse_payload(seq, &payload)?,
                    prev_hash,
                    hash,
                });
            }
            Ok(out)
        })
    }

    pub fn audit_record(&self, seq: i64) -> Result<AuditRecord> {
        self.read(|conn| {
            let row = conn
                .query_row(
                    "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log WHERE seq = ?1",
                    [seq],
                    row_to_record,
                )
                .optional()?;
            let (seq, ts, kind, actor, payload, prev_hash, hash) =
                row.ok_or_else(|| StoreError::NotFound(format!("audit record {seq}")))?;
            Ok(AuditRecord { seq, ts, kind, actor, payload: parse_payload(seq, &payload)?, prev_hash, hash })
        })
    }

    pub fn audit_count(&self) -> Result<i64> {
        self.read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The directly written record body hashes exactly as the canonical JSON
    /// of the record object (what the chain was defined with, and what older
    /// databases hold).
    #[test]
    fn direct_record_hash_equals_the_canonical_object_hash() {
        let payload = json!({"queries": {"q1": {"query": {"properties": {"name": ["Kim \"Jong\" Un", "김정은"]}}, "results": []}}, "b": 0.25});
        for (seq, ts, kind, actor) in [
            (1, "2026-11-28T19:00:00.123Z", "screening.name", "key:abc"),
            (42, "", "", "ü\n\u{1}"),
        ] {
            let prev = genesis_hash();
            let object = json!({"seq": seq, "ts": ts, "kind": kind, "actor": actor, "payload": payload, "prev_hash": prev});
            assert_eq!(
                record_hash(seq, ts, kind, actor, &payload, &prev),
                sha256_hex(canonical_json(&object).as_bytes())
            );
        }
    }
}
