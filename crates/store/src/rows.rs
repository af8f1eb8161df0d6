//! Row digests: how `verify` cross-checks the tables outside the chain.
//!
//! Every write through the store's API appends an audit record whose payload
//! carries `row_digests`: for each row the write created or changed, its
//! table, id and the SHA-256 of its columns after the write (canonical JSON;
//! a BLOB as the SHA-256 of its bytes). The record is in the keyed chain, so
//! the digests cannot be changed without the key. `verify` replays the
//! digests in chain order (the last one of a row wins) and compares them with
//! the rows as stored: a row changed by SQL outside the store (`UPDATE
//! api_keys SET role = 'admin'`, a case re-opened, a revoked key or
//! suppression revived, a cap ledger's `used` lowered) no longer matches its
//! digest, a row inserted outside the store has none, and a deleted row is
//! missing. Rows that existed before the chain was keyed are covered by the
//! `audit.baseline` records written when it was.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::audit::Finding;
use crate::canonical::{canonical_json, sha256_hex};
use crate::{Result, StoreError};

/// A table whose rows are audited: its key and the columns a digest covers.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    /// Key columns (a prefix of `columns`), joined with `|` into the row id.
    pub key: usize,
    pub columns: &'static [&'static str],
}

pub(crate) const API_KEYS: Table = Table {
    name: "api_keys",
    key: 1,
    columns: &[
        "id",
        "role",
        "label",
        "salt",
        "hash",
        "created_at",
        "revoked_at",
    ],
};

pub(crate) const CASES: Table = Table {
    name: "cases",
    key: 1,
    columns: &[
        "id",
        "opened_at",
        "status",
        "kind",
        "screening_id",
        "audit_seq",
        "query_key",
        "query",
        "entity_id",
        "entity_ref",
        "entity_caption",
        "entity_fingerprint",
        "score",
        "decision",
        "summary",
        "resolution",
        "note",
        "closed_by",
        "closed_at",
    ],
};

pub(crate) const SUPPRESSIONS: Table = Table {
    name: "suppressions",
    key: 1,
    columns: &[
        "id",
        "query_key",
        "entity_id",
        "entity_fingerprint",
        "case_id",
        "created_by",
        "created_at",
        "note",
        "revoked_at",
    ],
};

pub(crate) const CAP_LEDGER: Table = Table {
    name: "cap_ledger",
    key: 3,
    columns: &[
        "measure_id",
        "period_start",
        "unit",
        "opening",
        "used",
        "updated_at",
    ],
};

pub(crate) const CAP_DRAWS: Table = Table {
    name: "cap_draws",
    key: 1,
    columns: &[
        "id",
        "screening_id",
        "audit_seq",
        "transaction_id",
        "measure_id",
        "period_start",
        "unit",
        "amount",
        "ts",
        "actor",
    ],
};

pub(crate) const LIST_VERSIONS: Table = Table {
    name: "list_versions",
    key: 1,
    columns: &[
        "id",
        "source",
        "generated",
        "content_hash",
        "origin",
        "entity_count",
        "issue_count",
        "loaded_at",
        "loaded_by",
        "active",
        "bytes",
        "status",
        "review_reason",
        "review_diff",
        "decided_by",
        "decided_at",
        "decision_note",
    ],
};

pub(crate) const REPORTS: Table = Table {
    name: "reports",
    key: 1,
    columns: &[
        "id",
        "state",
        "resolutions",
        "submitted",
        "symbol",
        "notes",
        "recorded_at",
        "recorded_by",
        "source",
    ],
};

/// Every audited table.
pub(crate) const TABLES: [&Table; 7] = [
    &API_KEYS,
    &CASES,
    &SUPPRESSIONS,
    &CAP_LEDGER,
    &CAP_DRAWS,
    &LIST_VERSIONS,
    &REPORTS,
];

/// One row's digest as an audit payload carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RowDigest {
    pub table: String,
    pub id: String,
    pub digest: String,
}

/// The payload key; its presence in the stored text is checked before
/// parsing (a string value cannot contain it unescaped).
pub(crate) const DIGESTS_KEY: &str = "row_digests";
pub(crate) const DIGESTS_NEEDLE: &str = "\"row_digests\":";

fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(format!("sha256:{}", sha256_hex(b))),
    }
}

fn id_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => String::new(),
        ValueRef::Blob(b) => hex::encode(b),
    }
}

fn row_digest(t: &Table, r: &rusqlite::Row<'_>) -> rusqlite::Result<RowDigest> {
    let mut cols = Map::new();
    let mut id = String::new();
    for (i, name) in t.columns.iter().enumerate() {
        let v = r.get_ref(i)?;
        if i < t.key {
            if i > 0 {
                id.push('|');
            }
            id.push_str(&id_text(v));
        }
        cols.insert((*name).to_string(), json_of(v));
    }
    let mut object = Map::new();
    object.insert("table".into(), Value::from(t.name));
    object.insert("row".into(), Value::Object(cols));
    Ok(RowDigest {
        table: t.name.to_string(),
        id,
        digest: sha256_hex(canonical_json(&Value::Object(object)).as_bytes()),
    })
}

/// Digests of the rows of `t` matching `filter` (SQL after `WHERE`).
pub(crate) fn digests<P: rusqlite::Params>(
    conn: &Connection,
    t: &Table,
    filter: &str,
    params: P,
) -> Result<Vec<RowDigest>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {filter}",
        t.columns.join(", "),
        t.name
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, |r| row_digest(t, r))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The digest of the row of `t` with integer id `id` (none if it is gone).
pub(crate) fn digest_of_id(conn: &Connection, t: &Table, id: i64) -> Result<Vec<RowDigest>> {
    digests(conn, t, "id = ?1", [id])
}

/// Put `rows` into an audit payload object.
pub(crate) fn attach(payload: &mut Value, rows: Vec<RowDigest>) {
    let rows = serde_json::to_value(rows).unwrap_or(Value::Null);
    match payload {
        Value::Object(map) => {
            map.insert(DIGESTS_KEY.into(), rows);
        }
        other => {
            let detail = other.take();
            let mut map = Map::new();
            map.insert("detail".into(), detail);
            map.insert(DIGESTS_KEY.into(), rows);
            *other = Value::Object(map);
        }
    }
}

/// Record the digests a payload carries (later records override earlier).
pub(crate) fn collect_expected(
    seq: i64,
    payload_text: &str,
    expected: &mut HashMap<(String, String), String>,
) -> Result<()> {
    #[derive(Deserialize)]
    struct Carrier {
        #[serde(default)]
        row_digests: Vec<RowDigest>,
    }
    let carrier: Carrier =
        serde_json::from_str(payload_text).map_err(|source| StoreError::Json {
            table: "audit_log",
            column: "payload",
            row: seq.to_string(),
            source,
        })?;
    for d in carrier.row_digests {
        expected.insert((d.table, d.id), d.digest);
    }
    Ok(())
}

/// Compare every audited table with the digests of the audit log. Returns
/// the number of rows checked; each disagreement goes to `push`.
pub(crate) fn cross_check(
    conn: &Connection,
    expected: &HashMap<(String, String), String>,
    push: &mut dyn FnMut(Finding),
) -> Result<usize> {
    let mut seen: HashSet<(&str, String)> = HashSet::new();
    let mut checked = 0;
    for t in TABLES {
        for row in digests(conn, t, "1", [])? {
            checked += 1;
            let key = (row.table.clone(), row.id.clone());
            match expected.get(&key) {
                None => push(row_finding(
                    t,
                    &row.id,
                    "unaudited",
                    format!(
                        "{} row {} has no audit record: it was added outside the store",
                        t.name, row.id
                    ),
                )),
                Some(d) if *d != row.digest => push(row_finding(
                    t,
                    &row.id,
                    "changed",
                    format!(
                        "{} row {} differs from what its last audit record wrote: it was changed outside the store",
                        t.name, row.id
                    ),
                )),
                Some(_) => {}
            }
            seen.insert((t.name, row.id));
        }
    }
    let mut gone: Vec<&(String, String)> = expected
        .keys()
        .filter(|(table, id)| {
            TABLES.iter().any(|t| t.name == table) && !seen.contains(&(table.as_str(), id.clone()))
        })
        .collect();
    gone.sort();
    for (table, id) in gone {
        if let Some(t) = TABLES.iter().find(|t| t.name == table) {
            push(row_finding(
                t,
                id,
                "deleted",
                format!(
                    "{table} row {id} was written through the store but is gone: deleted outside the store"
                ),
            ));
        }
    }
    Ok(checked)
}

fn row_finding(t: &Table, id: &str, problem: &str, detail: String) -> Finding {
    let mut f = Finding::new("row", problem, detail);
    f.table = Some(t.name.to_string());
    f.id = Some(id.to_string());
    f
}
