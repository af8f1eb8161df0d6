//! Signed checkpoints of the audit chain.
//!
//! A checkpoint says "record `seq` of store `store_id` hashed to `hash` at
//! `ts`", signed with the store's Ed25519 checkpoint key (derived from the
//! audit key). The writer signs one every 1,000 records or 60 s with new
//! records, and one when it stops. Exported as JSON lines to a place the
//! store's host cannot rewrite (a WORM bucket, a log shipper, a printed
//! page), they pin the chain: someone who later rewrites it with the key
//! cannot change what was exported, and [`crate::Store::verify_audit_with`]
//! names the first exported checkpoint the chain no longer matches. The
//! public key (also in the marker) verifies them without the audit key.

use std::time::Duration;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::audit::{ChainHead, ChainState};
use crate::chainkey::verify_signature;
use crate::{Result, Store, StoreError, now_rfc3339};

/// A checkpoint after this many new records…
pub(crate) const EVERY_RECORDS: i64 = 1_000;
/// …or after this long with at least one new record.
pub(crate) const EVERY: Duration = Duration::from_secs(60);

/// One signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    pub store_id: String,
    pub seq: i64,
    /// The hash (MAC) of record `seq`: the chain's head when signed.
    pub hash: String,
    pub ts: String,
    /// Id of the audit key the chain is keyed with.
    pub key_id: String,
    /// Ed25519 public key (hex) the signature verifies under.
    pub public_key: String,
    /// Ed25519 signature (hex) of [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    /// The signed bytes.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "resolute/checkpoint/v1\n{}\n{}\n{}\n{}\n{}",
            self.store_id, self.seq, self.hash, self.ts, self.key_id
        )
        .into_bytes()
    }

    /// Whether the signature verifies under `public_key_hex` (the store's
    /// public key, kept with the export: the key inside a checkpoint proves
    /// nothing by itself).
    pub fn verify_with(&self, public_key_hex: &str) -> bool {
        self.public_key == public_key_hex
            && verify_signature(public_key_hex, &self.message(), &self.signature)
    }

    /// One JSON line (no newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse one exported line; `line_no` names it in the error.
    pub fn from_json_line(line: &str, line_no: usize) -> Result<Checkpoint> {
        serde_json::from_str(line.trim())
            .map_err(|e| StoreError::Invalid(format!("checkpoint line {line_no}: {e}")))
    }
}

pub(crate) fn is_genuine(cp: &Checkpoint, chain: &ChainState) -> bool {
    cp.store_id == chain.store_id
        && cp.key_id == chain.key.id()
        && cp.verify_with(&chain.key.public_key_hex())
}

pub(crate) fn sign(chain: &ChainState, head: &ChainHead) -> Checkpoint {
    let mut cp = Checkpoint {
        store_id: chain.store_id.clone(),
        seq: head.seq,
        hash: head.hash.clone(),
        ts: now_rfc3339(),
        key_id: chain.key.id().to_string(),
        public_key: chain.key.public_key_hex(),
        signature: String::new(),
    };
    cp.signature = chain.key.sign_hex(&cp.message());
    cp
}

/// Sign the head and store the checkpoint in the open transaction (a
/// checkpoint of the same record by another process is kept).
pub(crate) fn write(conn: &Connection, chain: &ChainState, head: &ChainHead) -> Result<Checkpoint> {
    let cp = sign(chain, head);
    conn.prepare_cached(
        "INSERT OR IGNORE INTO audit_checkpoints(seq, ts, hash, store_id, key_id, public_key, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![cp.seq, cp.ts, cp.hash, cp.store_id, cp.key_id, cp.public_key, cp.signature])?;
    Ok(cp)
}

fn load_since(conn: &Connection, since: i64) -> Result<Vec<Checkpoint>> {
    let mut stmt = conn.prepare(
        "SELECT store_id, seq, hash, ts, key_id, public_key, signature FROM audit_checkpoints
         WHERE seq > ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([since], |r| {
        Ok(Checkpoint {
            store_id: r.get(0)?,
            seq: r.get(1)?,
            hash: r.get(2)?,
            ts: r.get(3)?,
            key_id: r.get(4)?,
            public_key: r.get(5)?,
            signature: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn load_all(conn: &Connection) -> Result<Vec<Checkpoint>> {
    load_since(conn, i64::MIN)
}

pub(crate) fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints",
        [],
        |r| r.get(0),
    )?)
}

impl Store {
    /// Sign a checkpoint of the current head now (e.g. before exporting);
    /// [`StoreError::Invalid`] when the log is empty.
    pub fn checkpoint_now(&self) -> Result<Checkpoint> {
        self.write(|ctx| {
            if ctx.head.seq == 0 {
                return Err(StoreError::Invalid(
                    "the audit log is empty: nothing to checkpoint".into(),
                ));
            }
            write(ctx.conn, ctx.chain, ctx.head)
        })
    }

    /// Checkpoints of records after `since_seq`, oldest first: append them
    /// (one [`Checkpoint::to_json_line`] each) to an external append-only
    /// log, and keep `since_seq` as the last exported seq.
    pub fn export_checkpoints(&self, since_seq: i64) -> Result<Vec<Checkpoint>> {
        self.read(|conn| load_since(conn, since_seq))
    }

    /// The Ed25519 public key (hex) that verifies this store's checkpoints.
    pub fn checkpoint_public_key(&self) -> String {
        self.inner.chain.key.public_key_hex()
    }
}
