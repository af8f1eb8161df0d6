//! The append-only audit log as a keyed hash chain.
//!
//! Record `n` stores `prev_hash` (the hash of record `n - 1`, or 64 zeros for
//! the first) and `hash`, computed over the record's *stored bytes* written as
//! `{"actor":…,"kind":…,"payload":<stored payload text>,"prev_hash":…,"seq":n,"ts":…}`
//! (the canonical JSON of the record: the payload is stored in canonical form).
//! From the keyed chain's first record on, `hash = HMAC-SHA256(K, body)` with
//! the chain key `K` derived from the audit key; records of a store created
//! before keying keep `hash = SHA-256(body)`.
//!
//! Editing a record breaks its own hash; deleting one leaves a gap in `seq`
//! and a `prev_hash` that links to nothing; moving records breaks the hash (it
//! covers `seq`) and the links; recomputing the hashes needs the key. The
//! head (last seq and hash) is kept in `meta` with a MAC and outside the
//! database in the head witness, so cutting records off the end is detected.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::canonical::{canonical_json, json_string, sha256_hex};
use crate::chainkey::AuditKey;
use crate::checkpoint::{self, Checkpoint};
use crate::datadir::Witness;
use crate::{Result, Store, StoreError, WriteCtx, now_rfc3339, rows};

pub fn genesis_hash() -> String {
    "0".repeat(64)
}

/// `audit_log.chain_format` of a keyed record; the column is NULL on older
/// records, and a trigger refuses inserts without it (older builds).
pub(crate) const KEYED_FORMAT: i64 = 2;

/// The key and layout of a store's chain, fixed when the store is opened.
#[derive(Debug)]
pub(crate) struct ChainState {
    pub key: AuditKey,
    /// First seq of the keyed chain (1 for a store created keyed).
    pub keyed_from: i64,
    pub store_id: String,
}

impl ChainState {
    fn is_keyed(&self, seq: i64) -> bool {
        seq >= self.keyed_from
    }

    pub(crate) fn record_hash(&self, seq: i64, body: &[u8]) -> String {
        if self.is_keyed(seq) {
            self.key.mac_hex(body)
        } else {
            sha256_hex(body)
        }
    }

    fn check_record(&self, seq: i64, body: &[u8], stored: &str) -> bool {
        if self.is_keyed(seq) {
            self.key.check_mac_hex(body, stored)
        } else {
            sha256_hex(body) == stored
        }
    }

    fn head_message(&self, seq: i64, hash: &str) -> String {
        format!("resolute/audit-head/v1\n{}\n{seq}\n{hash}", self.store_id)
    }

    pub(crate) fn head_mac(&self, seq: i64, hash: &str) -> String {
        self.key.mac_hex(self.head_message(seq, hash).as_bytes())
    }

    fn witness_message(&self, seq: i64, hash: &str) -> String {
        format!("resolute/head-witness/v1\n{}\n{seq}\n{hash}", self.store_id)
    }

    pub(crate) fn witness(&self, head: &ChainHead) -> Witness {
        Witness {
            store_id: self.store_id.clone(),
            seq: head.seq,
            hash: head.hash.clone(),
            mac: self
                .key
                .mac_hex(self.witness_message(head.seq, &head.hash).as_bytes()),
        }
    }

    pub(crate) fn witness_is_genuine(&self, w: &Witness) -> bool {
        w.store_id == self.store_id
            && self
                .key
                .check_mac_hex(self.witness_message(w.seq, &w.hash).as_bytes(), &w.mac)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn load(conn: &Connection) -> Result<ChainHead> {
        let last: Option<(i64, String)> = conn
            .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match last {
            Some((seq, hash)) => ChainHead { seq, hash },
            None => ChainHead {
                seq: 0,
                hash: genesis_hash(),
            },
        })
    }

    /// Record the head (and its MAC) in `meta`, in the open transaction.
    pub fn store_meta(&self, conn: &Connection, chain: &ChainState) -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO meta(key, value) VALUES ('audit_head', ?1), ('audit_head_mac', ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![
            format!("{}:{}", self.seq, self.hash),
            chain.head_mac(self.seq, &self.hash)
        ])?;
        Ok(())
    }
}

/// The committed head as `meta` holds it.
#[derive(Debug, Clone)]
pub(crate) struct MetaHead {
    pub seq: i64,
    pub hash: String,
    pub mac: Option<String>,
}

pub(crate) fn meta_value(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_head(conn: &Connection) -> Result<Option<MetaHead>> {
    let Some(text) = meta_value(conn, "audit_head")? else {
        return Ok(None);
    };
    let Some((seq, hash)) = text.split_once(':') else {
        return Ok(None);
    };
    let Ok(seq) = seq.parse::<i64>() else {
        return Ok(None);
    };
    Ok(Some(MetaHead {
        seq,
        hash: hash.to_string(),
        mac: meta_value(conn, "audit_head_mac")?,
    }))
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub seq: i64,
    pub ts: String,
    pub kind: String,
    pub actor: String,
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The bytes a record's hash covers: the canonical form of `{seq, ts, kind,
/// actor, payload, prev_hash}` (keys in sorted order) written directly
/// around the payload's stored text, so verification hashes exactly what is
/// stored and the payload is not walked again.
pub(crate) fn record_body(
    seq: i64,
    ts: &str,
    kind: &str,
    actor: &str,
    payload: &str,
    prev_hash: &str,
) -> Vec<u8> {
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
    body
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
        let prev_hash = std::mem::take(&mut self.head.hash);
        let body = record_body(seq, &ts, kind, actor, &payload.0, &prev_hash);
        let hash = self.chain.record_hash(seq, &body);
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO audit_log(seq, ts, kind, actor, payload, prev_hash, hash, chain_format)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    seq,
                    ts,
                    kind,
                    actor,
                    payload.0,
                    prev_hash,
                    hash,
                    KEYED_FORMAT
                ])
            });
        if let Err(e) = inserted {
            self.head.hash = prev_hash;
            return Err(e.into());
        }
        self.head.seq = seq;
        self.head.hash = hash.clone();
        self.last_actor = Some((seq, actor.to_string()));
        Ok(AuditReceipt { seq, ts, hash })
    }

    pub fn conn(&self) -> &Connection {
        self.conn
    }
}

/// The first record that breaks the chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadRecord {
    /// Sequence number of the first bad record (for a truncated tail, the
    /// first missing one).
    pub seq: i64,
    /// `edited`, `missing`, `misplaced` or `truncated`.
    pub problem: String,
    pub detail: String,
}

/// A problem found besides the chain walk: the committed head, the head
/// witness, a checkpoint, or a table row that disagrees with the audit log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// `head`, `witness`, `checkpoint` or `row`.
    pub area: String,
    /// e.g. `head_forged`, `bad_signature`, `changed`, `unaudited`, `deleted`.
    pub problem: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Finding {
    pub(crate) fn new(area: &str, problem: &str, detail: String) -> Finding {
        Finding {
            area: area.into(),
            problem: problem.into(),
            detail,
            seq: None,
            table: None,
            id: None,
        }
    }

    fn at(mut self, seq: i64) -> Finding {
        self.seq = Some(seq);
        self
    }
}

/// At most this many findings are listed (the count is still exact).
const MAX_FINDINGS: usize = 100;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyReport {
    /// No bad record and no finding.
    pub ok: bool,
    pub records: i64,
    pub head_hash: String,
    pub first_bad: Option<BadRecord>,
    /// First seq of the keyed chain (records before it are plain SHA-256).
    pub keyed_from: i64,
    /// Signed checkpoints checked (stored and given).
    pub checkpoints: usize,
    /// Table rows cross-checked against their audit records.
    pub rows: usize,
    /// Problems besides the chain walk (first 100).
    pub findings: Vec<Finding>,
    /// Number of findings (also those not listed).
    pub finding_count: usize,
}

/// Filters for listing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Records with `seq < before` (paging backwards from the newest).
    pub before: Option<i64>,
    pub kind: Option<String>,
    pub limit: usize,
}

type RecordRow = (i64, String, String, String, String, String, String);

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
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

/// What a verification compares the database with, besides itself.
#[derive(Debug, Default)]
pub(crate) struct Expectations<'a> {
    /// The head witness, read *before* the read transaction starts (it is
    /// written after each commit, so it can never be ahead of that snapshot).
    pub witness: Option<Witness>,
    /// Why there is no witness although the directory has a marker (missing
    /// or unreadable file).
    pub witness_problem: Option<String>,
    /// Checkpoints exported earlier (e.g. from an append-only log).
    pub external: &'a [Checkpoint],
}

/// Where a checkpoint came from, for messages.
#[derive(Debug, Clone, Copy)]
enum CheckpointOrigin {
    Stored,
    Given,
}

impl CheckpointOrigin {
    fn name(self) -> &'static str {
        match self {
            CheckpointOrigin::Stored => "stored checkpoint",
            CheckpointOrigin::Given => "exported checkpoint",
        }
    }
}

struct Collector {
    findings: Vec<Finding>,
    count: usize,
}

impl Collector {
    fn push(&mut self, f: Finding) {
        self.count += 1;
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(f);
        }
    }
}

/// Walk the whole chain in `seq` order in one read transaction (one
/// consistent snapshot), then check the head, witness, checkpoints and table
/// rows. Reads only. Runs in memory proportional to the audited rows.
pub(crate) fn verify_chain(
    conn: &Connection,
    chain: &ChainState,
    expect: &Expectations<'_>,
) -> Result<VerifyReport> {
    let snapshot = conn.unchecked_transaction()?;
    let mut out = Collector {
        findings: Vec::new(),
        count: 0,
    };
    let stored_checkpoints = checkpoint::load_all(&snapshot)?;
    let mut checkpoints: BTreeMap<i64, Vec<(CheckpointOrigin, &Checkpoint)>> = BTreeMap::new();
    for (origin, list) in [
        (CheckpointOrigin::Stored, stored_checkpoints.as_slice()),
        (CheckpointOrigin::Given, expect.external),
    ] {
        for cp in list {
            if !checkpoint::is_genuine(cp, chain) {
                out.push(
                    Finding::new(
                        "checkpoint",
                        "bad_signature",
                        format!(
                            "{} at record {} is not signed by this store's checkpoint key {}",
                            origin.name(),
                            cp.seq,
                            short(&chain.key.public_key_hex())
                        ),
                    )
                    .at(cp.seq),
                );
                continue;
            }
            checkpoints.entry(cp.seq).or_default().push((origin, cp));
        }
    }
    let checkpoint_count = checkpoints.values().map(Vec::len).sum();
    if let Some(stored_from) = meta_value(&snapshot, "audit_keyed_from")?
        && stored_from != chain.keyed_from.to_string()
    {
        out.push(Finding::new(
            "head",
            "keyed_start_changed",
            format!(
                "the database says the keyed chain starts at record {stored_from}, the data directory's marker says {}",
                chain.keyed_from
            ),
        ));
    }

    let mut stmt = snapshot.prepare(
        "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows_iter = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = genesis_hash();
    let mut count = 0i64;
    let mut first_bad: Option<BadRecord> = None;
    let mut expected_rows: HashMap<(String, String), String> = HashMap::new();
    while let Some(row) = rows_iter.next()? {
        let (seq, ts, kind, actor, payload_text, stored_prev, stored_hash) = row_to_record(row)?;
        count += 1;
        let bad = if seq != expected_seq {
            Some(if seq > expected_seq {
                BadRecord {
                    seq: expected_seq,
                    problem: "missing".into(),
                    detail: format!(
                        "record {expected_seq} is missing (next record found is {seq}): deleted"
                    ),
                }
            } else {
                BadRecord {
                    seq,
                    problem: "misplaced".into(),
                    detail: format!(
                        "record {seq} appears after record {}: duplicated or reordered",
                        expected_seq - 1
                    ),
                }
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
        } else if !chain.check_record(
            seq,
            &record_body(seq, &ts, &kind, &actor, &payload_text, &stored_prev),
            &stored_hash,
        ) {
            Some(BadRecord {
                seq,
                problem: "edited".into(),
                detail: if chain.is_keyed(seq) {
                    format!(
                        "record {seq}'s stored bytes do not match its MAC {} under this store's audit key (edited after it was written, or re-hashed without the key)",
                        short(&stored_hash)
                    )
                } else {
                    format!(
                        "record {seq}'s stored bytes do not hash to its stored hash {} (edited after it was written)",
                        short(&stored_hash)
                    )
                },
            })
        } else if seq == chain.keyed_from && seq > 1 && kind != "audit.keyed" {
            Some(BadRecord {
                seq,
                problem: "edited".into(),
                detail: format!(
                    "the keyed chain is recorded to start at record {seq}, but that record is a {kind:?}, not the record that started it"
                ),
            })
        } else {
            None
        };
        if let Some(b) = bad {
            first_bad = Some(b);
            break;
        }
        if let Some(list) = checkpoints.get(&seq) {
            for (origin, cp) in list {
                if cp.hash != stored_hash {
                    out.push(
                        Finding::new(
                            "checkpoint",
                            "chain_differs",
                            format!(
                                "{} says record {seq} hashed to {}, the log holds {} (the chain was rewritten after the checkpoint)",
                                origin.name(),
                                short(&cp.hash),
                                short(&stored_hash)
                            ),
                        )
                        .at(seq),
                    );
                }
            }
        }
        if let Some(w) = &expect.witness
            && w.seq == seq
            && w.hash != stored_hash
        {
            out.push(
                Finding::new(
                    "witness",
                    "chain_differs",
                    format!(
                        "the head witness says record {seq} hashed to {}, the log holds {}",
                        short(&w.hash),
                        short(&stored_hash)
                    ),
                )
                .at(seq),
            );
        }
        if payload_text.contains(rows::DIGESTS_NEEDLE) {
            rows::collect_expected(seq, &payload_text, &mut expected_rows)?;
        }
        expected_seq = seq + 1;
        prev_hash = stored_hash;
    }
    drop(rows_iter);
    drop(stmt);
    let last_seq = expected_seq - 1;

    if first_bad.is_none() {
        first_bad = check_end(
            &snapshot,
            chain,
            expect,
            &checkpoints,
            last_seq,
            &prev_hash,
            &mut out,
        )?;
    }
    let mut rows_checked = 0;
    if first_bad.is_none() {
        rows_checked = rows::cross_check(&snapshot, &expected_rows, &mut |f| out.push(f))?;
    }
    drop(snapshot);
    Ok(VerifyReport {
        ok: first_bad.is_none() && out.count == 0,
        records: count,
        head_hash: prev_hash,
        first_bad,
        keyed_from: chain.keyed_from,
        checkpoints: checkpoint_count,
        rows: rows_checked,
        findings: out.findings,
        finding_count: out.count,
    })
}

/// The end of an intact walk: does anything committed name a later record?
fn check_end(
    conn: &Connection,
    chain: &ChainState,
    expect: &Expectations<'_>,
    checkpoints: &BTreeMap<i64, Vec<(CheckpointOrigin, &Checkpoint)>>,
    last_seq: i64,
    last_hash: &str,
    out: &mut Collector,
) -> Result<Option<BadRecord>> {
    let truncated = |what: String| BadRecord {
        seq: last_seq + 1,
        problem: "truncated".into(),
        detail: format!(
            "the log ends at record {last_seq} but {what}: records at the end were removed"
        ),
    };
    if last_seq > 0 && chain.keyed_from > last_seq {
        // Every store keys its chain at a record it writes: a start beyond
        // the log would leave the whole log plain (recomputable).
        out.push(Finding::new(
            "head",
            "keyed_start_changed",
            format!(
                "the keyed chain is recorded to start at record {}, after the last record {last_seq}",
                chain.keyed_from
            ),
        ));
    }
    if let Some(head) = meta_head(conn)? {
        if head.seq > last_seq {
            return Ok(Some(truncated(format!(
                "its committed head is record {} ({})",
                head.seq,
                short(&head.hash)
            ))));
        }
        if head.seq < last_seq || (head.seq > 0 && head.hash != last_hash) {
            out.push(Finding::new(
                "head",
                "head_differs",
                format!(
                    "the committed head is record {} ({}), the log ends at record {last_seq} ({}): records were added or changed outside the store",
                    head.seq,
                    short(&head.hash),
                    short(last_hash)
                ),
            ));
        } else if head.seq > 0
            && !head.mac.as_deref().is_some_and(|mac| {
                chain
                    .key
                    .check_mac_hex(chain.head_message(head.seq, &head.hash).as_bytes(), mac)
            })
        {
            out.push(Finding::new(
                "head",
                "head_forged",
                format!(
                    "the committed head (record {}) has no valid MAC under this store's audit key: it was written outside the store",
                    head.seq
                ),
            ));
        }
    } else if last_seq > 0 {
        out.push(Finding::new(
            "head",
            "head_missing",
            format!("the log has {last_seq} records but no committed head: it was removed"),
        ));
    }
    if let Some(problem) = &expect.witness_problem {
        out.push(Finding::new("witness", "witness_missing", problem.clone()));
    }
    if let Some(w) = &expect.witness {
        if !chain.witness_is_genuine(w) {
            out.push(Finding::new(
                "witness",
                "witness_forged",
                format!(
                    "the head witness (record {}) has no valid MAC under this store's audit key",
                    w.seq
                ),
            ));
        } else if w.seq > last_seq {
            return Ok(Some(truncated(format!(
                "the head witness (outside the database) records record {} ({}) as committed",
                w.seq,
                short(&w.hash)
            ))));
        }
    }
    if let Some((&seq, list)) = checkpoints.range(last_seq + 1..).next()
        && let Some((origin, cp)) = list.first()
    {
        return Ok(Some(truncated(format!(
            "a {} signed record {seq} ({})",
            origin.name(),
            short(&cp.hash)
        ))));
    }
    Ok(None)
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

    /// Verify the whole chain, the head, the witness, the stored checkpoints
    /// and the audited tables on a read-only connection (see the crate docs).
    pub fn verify_audit(&self) -> Result<VerifyReport> {
        self.verify_audit_with(&[])
    }

    /// [`Store::verify_audit`], also checking checkpoints exported earlier
    /// (e.g. read back from an external append-only log with
    /// [`Checkpoint::from_json_line`]): a chain rewritten with the key after a
    /// checkpoint was exported no longer matches it.
    pub fn verify_audit_with(&self, external: &[Checkpoint]) -> Result<VerifyReport> {
        // Read the witness before the snapshot starts (see `Expectations`).
        let (witness, witness_problem) = match Witness::read(self.dir()) {
            Ok(Some(w)) => (Some(w), None),
            Ok(None) => (
                None,
                crate::datadir::Marker::path(self.dir()).exists().then(|| {
                    format!(
                        "the head witness {} is missing although the data directory is initialised",
                        Witness::path(self.dir()).display()
                    )
                }),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        let expect = Expectations {
            witness,
            witness_problem,
            external,
        };
        self.read(|conn| verify_chain(conn, &self.inner.chain, &expect))
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

    /// The directly written record body is exactly the canonical JSON of the
    /// record object (what the chain was defined with, and what older
    /// databases hold).
    #[test]
    fn direct_record_body_equals_the_canonical_object() {
        let payload = json!({"queries": {"q1": {"query": {"properties": {"name": ["Kim \"Jong\" Un", "김정은"]}}, "results": []}}, "b": 0.25});
        for (seq, ts, kind, actor) in [
            (1, "2026-11-28T19:00:00.123Z", "screening.name", "key:abc"),
            (42, "", "", "ü\n\u{1}"),
        ] {
            let prev = genesis_hash();
            let object = json!({"seq": seq, "ts": ts, "kind": kind, "actor": actor, "payload": payload, "prev_hash": prev});
            assert_eq!(
                record_body(seq, ts, kind, actor, &canonical_json(&payload), &prev),
                canonical_json(&object).into_bytes()
            );
        }
    }
}
