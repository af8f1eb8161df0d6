//! Schema migrations, tracked with `PRAGMA user_version`.

use rusqlite::Connection;

use crate::Result;

/// Each entry migrates from version `i` to `i + 1`. Never edit a released entry:
/// append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        ts        TEXT NOT NULL,
        kind      TEXT NOT NULL,
        actor     TEXT NOT NULL,
        payload   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE INDEX audit_log_kind ON audit_log(kind, seq);
    -- Append-only at the database level: changing the log needs dropping these
    -- triggers first, and the hash chain still shows what was changed.
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    CREATE TABLE api_keys (
        id         TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        label      TEXT NOT NULL DEFAULT '',
        salt       TEXT NOT NULL,
        hash       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );

    CREATE TABLE list_versions (
        id            TEXT PRIMARY KEY,
        source        TEXT NOT NULL,
        generated     TEXT,
        content_hash  TEXT NOT NULL,
        origin        TEXT NOT NULL,
        entity_count  INTEGER NOT NULL,
        issue_count   INTEGER NOT NULL,
        loaded_at     TEXT NOT NULL,
        loaded_by     TEXT NOT NULL,
        active        INTEGER NOT NULL DEFAULT 0,
        bytes         BLOB
    );
    CREATE INDEX list_versions_source ON list_versions(source, loaded_at);

    CREATE TABLE cases (
        id                 INTEGER PRIMARY KEY,
        opened_at          TEXT NOT NULL,
        status             TEXT NOT NULL,
        kind               TEXT NOT NULL,
        screening_id       TEXT NOT NULL,
        audit_seq          INTEGER,
        query_key          TEXT NOT NULL,
        query              TEXT NOT NULL,
        entity_id          TEXT,
        entity_ref         TEXT,
        entity_caption     TEXT,
        entity_fingerprint TEXT,
        score              REAL,
        decision           TEXT,
        summary            TEXT NOT NULL DEFAULT '',
        resolution         TEXT,
        note               TEXT,
        closed_by          TEXT,
        closed_at          TEXT
    );
    CREATE INDEX cases_status ON cases(status, id);

    CREATE TABLE suppressions (
        id                 INTEGER PRIMARY KEY,
        query_key          TEXT NOT NULL,
        entity_id          TEXT NOT NULL,
        entity_fingerprint TEXT NOT NULL,
        case_id            INTEGER NOT NULL REFERENCES cases(id),
        created_by         TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        note               TEXT NOT NULL DEFAULT '',
        revoked_at         TEXT
    );
    CREATE INDEX suppressions_pair ON suppressions(query_key, entity_id);
    "#,
];

pub fn migrate(conn: &Connection) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
