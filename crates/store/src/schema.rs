//! Schema migrations, tracked with `PRAGMA user_version`.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// Each entry migrates from version `i` to `i + 1`. Never edit a released entry:
/// append a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
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
    // 2: cap ledgers. `cap_ledger.used` = `opening` + the sum of the account's
    // draws; both change only in the transaction that writes the audit record
    // (a screening's, or the admin's opening amount).
    r#"
    CREATE TABLE cap_ledger (
        measure_id   TEXT NOT NULL,
        period_start TEXT NOT NULL,
        unit         TEXT NOT NULL,
        opening      REAL NOT NULL DEFAULT 0,
        used         REAL NOT NULL DEFAULT 0,
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (measure_id, period_start, unit)
    );

    CREATE TABLE cap_draws (
        id             INTEGER PRIMARY KEY,
        screening_id   TEXT NOT NULL,
        audit_seq      INTEGER NOT NULL,
        transaction_id TEXT NOT NULL,
        measure_id     TEXT NOT NULL,
        period_start   TEXT NOT NULL,
        unit           TEXT NOT NULL,
        amount         REAL NOT NULL,
        ts             TEXT NOT NULL,
        actor          TEXT NOT NULL
    );
    CREATE INDEX cap_draws_account ON cap_draws(measure_id, period_start, unit, id);
    CREATE INDEX cap_draws_screening ON cap_draws(screening_id);
    -- Draws are history: like the audit log they are never changed.
    CREATE TRIGGER cap_draws_no_update BEFORE UPDATE ON cap_draws
        BEGIN SELECT RAISE(ABORT, 'cap_draws is append-only'); END;
    CREATE TRIGGER cap_draws_no_delete BEFORE DELETE ON cap_draws
        BEGIN SELECT RAISE(ABORT, 'cap_draws is append-only'); END;
    "#,
    // 3: keyed audit chain, signed checkpoints, member-state reports, list
    // versions held pending review. Records of the keyed chain carry
    // `chain_format = 2`; the trigger makes an older build (which writes
    // none) fail its insert instead of appending a record the keyed chain
    // cannot verify.
    r#"
    ALTER TABLE audit_log ADD COLUMN chain_format INTEGER;
    CREATE TRIGGER audit_log_needs_keyed_writer BEFORE INSERT ON audit_log
        WHEN NEW.chain_format IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit_log: this database has a keyed audit chain; it was written by an older resolute build: upgrade it'); END;

    CREATE TABLE audit_checkpoints (
        seq        INTEGER PRIMARY KEY,
        ts         TEXT NOT NULL,
        hash       TEXT NOT NULL,
        store_id   TEXT NOT NULL,
        key_id     TEXT NOT NULL,
        public_key TEXT NOT NULL,
        signature  TEXT NOT NULL
    );

    CREATE TABLE reports (
        id          INTEGER PRIMARY KEY,
        state       TEXT NOT NULL,
        resolutions TEXT NOT NULL,
        submitted   TEXT NOT NULL,
        symbol      TEXT NOT NULL DEFAULT '',
        notes       TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        source      TEXT NOT NULL DEFAULT 'api'
    );
    CREATE INDEX reports_state ON reports(state, submitted);

    -- `status`: loaded (in the version history; `active` says which one is
    -- served), pending (held for an admin's decision, never served) or
    -- rejected.
    ALTER TABLE list_versions ADD COLUMN status TEXT NOT NULL DEFAULT 'loaded';
    ALTER TABLE list_versions ADD COLUMN review_reason TEXT;
    ALTER TABLE list_versions ADD COLUMN review_diff TEXT;
    ALTER TABLE list_versions ADD COLUMN decided_by TEXT;
    ALTER TABLE list_versions ADD COLUMN decided_at TEXT;
    ALTER TABLE list_versions ADD COLUMN decision_note TEXT;
    "#,
];

/// The schema version this build migrates to.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Bring the database to [`SCHEMA_VERSION`], one migration per transaction.
/// Each step takes the write lock first (`BEGIN IMMEDIATE`) and reads the
/// version inside it, so two processes opening the same new database at once
/// do not both apply a step. A database from a newer build is refused.
pub fn migrate(conn: &Connection) -> Result<()> {
    loop {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let step = (|| -> Result<bool> {
            let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let current = current.max(0) as usize;
            if current > SCHEMA_VERSION {
                return Err(StoreError::Invalid(format!(
                    "the database has schema version {current}, newer than this build's {SCHEMA_VERSION}: use a newer resolute"
                )));
            }
            let Some(sql) = MIGRATIONS.get(current) else {
                return Ok(false);
            };
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", (current + 1) as i64)?;
            Ok(true)
        })();
        match step {
            Ok(more) => {
                conn.execute_batch("COMMIT")?;
                if !more {
                    return Ok(());
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<Vec<String>>>()
            .expect("rows")
    }

    #[test]
    fn a_version_1_database_gains_the_cap_tables_and_keeps_its_rows() {
        let conn = Connection::open_in_memory().expect("open");
        // A database as the first release left it.
        conn.execute_batch(MIGRATIONS[0]).expect("v1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('audit_head', '0:x')",
            [],
        )
        .expect("row");
        assert!(!tables(&conn).contains(&"cap_ledger".to_string()));

        migrate(&conn).expect("migrate");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version as usize, SCHEMA_VERSION);
        let t = tables(&conn);
        assert!(
            t.contains(&"cap_ledger".to_string()) && t.contains(&"cap_draws".to_string()),
            "{t:?}"
        );
        let head: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
                r.get(0)
            })
            .expect("kept");
        assert_eq!(head, "0:x");
        // Running again is a no-op.
        migrate(&conn).expect("again");
        // Draws cannot be edited or deleted.
        conn.execute(
            "INSERT INTO cap_draws(screening_id, audit_seq, transaction_id, measure_id, period_start, unit, amount, ts, actor)
             VALUES ('s', 1, 't', 'm', '2018-01-01', 'bbl', 1.0, 'now', 'a')",
            [],
        )
        .expect("insert");
        assert!(conn.execute("UPDATE cap_draws SET amount = 0", []).is_err());
        assert!(conn.execute("DELETE FROM cap_draws", []).is_err());
    }
}
