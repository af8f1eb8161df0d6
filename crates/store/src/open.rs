//! Opening a data directory, failing closed (see the crate docs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, ErrorCode, OpenFlags, params};
use serde::Serialize;
use serde_json::json;

use crate::audit::{ChainHead, ChainState, meta_head, meta_value};
use crate::chainkey::{AuditKey, AuditKeySource};
use crate::datadir::{
    AUDIT_KEY_FILE, DbFile, MARKER_FORMAT, Marker, Witness, WitnessFile, create_private_dir,
    create_private_file, inspect_db_file, tighten,
};
use crate::{
    DB_FILE, Result, Store, StoreError, SyncMode, WriteCtx, checkpoint, journal_size_limit,
    now_rfc3339, open_conn, random_hex, rows, schema, shm_path, wal_path,
};

/// How thoroughly the database is checked when it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegrityCheck {
    /// `PRAGMA quick_check`: b-tree structure and page use, O(size), about
    /// 10 ms per 10 MB.
    #[default]
    Quick,
    /// `PRAGMA integrity_check`: also every index against its table.
    Full,
}

/// Everything [`Store::open_with`] can be told.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub sync: SyncMode,
    /// Initialise a new store when the directory holds none (default). When
    /// false, a directory without a store is [`StoreError::NotInitialised`].
    pub create: bool,
    pub integrity: IntegrityCheck,
    /// Where the audit key is (default: the environment, else
    /// `<dir>/audit.key`).
    pub audit_key: AuditKeySource,
    /// Also run [`Store::verify_audit`] and refuse a store that fails it.
    pub verify_audit: bool,
    /// Open although acknowledged records were lost (the head witness or the
    /// committed head names records the log no longer has), recording the
    /// loss as a `store.records_lost` audit record by this actor. Only after
    /// the cause is understood and no backup should be restored.
    pub acknowledge_lost_records: Option<String>,
    /// WAL size (bytes) past which the checkpointer waits up to 100 ms for
    /// readers so the WAL can be reused; a reused WAL is truncated to half
    /// of it. Default [`crate::DEFAULT_WAL_LIMIT`] (64 MiB).
    pub wal_limit: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            sync: SyncMode::default(),
            create: true,
            integrity: IntegrityCheck::Quick,
            audit_key: AuditKeySource::Environment,
            verify_audit: false,
            acknowledge_lost_records: None,
            wal_limit: crate::DEFAULT_WAL_LIMIT,
        }
    }
}

/// What opening found and did.
#[derive(Debug, Clone, Serialize)]
pub struct OpenReport {
    pub store_id: String,
    pub dir: String,
    /// A new store was initialised.
    pub created: bool,
    /// A database of an older build (no marker) was adopted: marker and
    /// witness written.
    pub adopted: bool,
    /// First record of the keyed chain.
    pub keyed_from: i64,
    /// The chain became keyed at this opening (a store of an older build);
    /// the plain SHA-256 records before `keyed_from` still verify.
    pub keyed_now: bool,
    /// Where the audit key is (never the key).
    pub audit_key: String,
    pub audit_key_created: bool,
    pub checkpoint_public_key: String,
    /// Things an operator should know (logged by the server at start).
    pub warnings: Vec<String>,
}

/// An opened database, ready for its writer thread.
pub(crate) struct Opened {
    pub dir: PathBuf,
    pub path: PathBuf,
    pub conn: Connection,
    pub head: ChainHead,
    pub chain: Arc<ChainState>,
    pub report: OpenReport,
    pub witness: Option<WitnessFile>,
    pub last_checkpoint_seq: i64,
    pub wal_limit: u64,
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// SQLite's own corruption errors, whenever they surface, become
/// [`StoreError::Corrupt`] naming the file and what to do.
fn corruption_named(path: &Path, dir: &Path, e: StoreError) -> StoreError {
    let corrupt = match &e {
        StoreError::Sql(s) | StoreError::Open { source: s, .. } => is_corruption(s),
        _ => false,
    };
    if corrupt {
        StoreError::Corrupt {
            path: path.display().to_string(),
            dir: dir.display().to_string(),
            detail: e.to_string(),
        }
    } else {
        e
    }
}

/// Run `PRAGMA quick_check` / `integrity_check`; `Err` lists what it found.
pub(crate) fn check_integrity(
    conn: &Connection,
    mode: IntegrityCheck,
) -> std::result::Result<(), String> {
    let sql = match mode {
        IntegrityCheck::Quick => "PRAGMA quick_check(20)",
        IntegrityCheck::Full => "PRAGMA integrity_check(20)",
    };
    let found = conn.prepare(sql).and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
    });
    match found {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(()),
        Ok(lines) => Err(format!(
            "{} found: {}",
            sql.trim_start_matches("PRAGMA ")
                .split('(')
                .next()
                .unwrap_or(sql),
            lines.join("; ")
        )),
        Err(e) => Err(e.to_string()),
    }
}

impl Store {
    /// Open the store in `dir` with all options (see the crate docs for what
    /// is refused and why).
    pub fn open_with(dir: &Path, opts: OpenOptions) -> Result<Store> {
        let path = dir.join(DB_FILE);
        let opened = open(dir, &opts).map_err(|e| corruption_named(&path, dir, e))?;
        let store = Store::start(opened)?;
        if opts.verify_audit {
            let report = store
                .verify_audit()
                .map_err(|e| corruption_named(&path, dir, e))?;
            if !report.ok {
                store.close();
                let detail = match (&report.first_bad, report.findings.first()) {
                    (Some(b), _) => format!("audit record {}: {}", b.seq, b.detail),
                    (None, Some(f)) => f.detail.clone(),
                    (None, None) => "verification failed".into(),
                };
                return Err(StoreError::Corrupt {
                    path: path.display().to_string(),
                    dir: dir.display().to_string(),
                    detail: format!("the audit log does not verify: {detail}"),
                });
            }
        }
        Ok(store)
    }
}

fn open(dir: &Path, opts: &OpenOptions) -> Result<Opened> {
    let dir_text = dir.display().to_string();
    if !dir.exists() {
        if !opts.create {
            return Err(StoreError::NotInitialised { dir: dir_text });
        }
        create_private_dir(dir)?;
    }
    let path = dir.join(DB_FILE);
    let path_text = path.display().to_string();
    let marker = Marker::read(dir)?;
    // A witness that cannot be read is a loss to acknowledge, not a reason to
    // guess: the directory's committed head is then unknown.
    let (witness, witness_unreadable) = match Witness::read(dir) {
        Ok(w) => (w, None),
        Err(e) => (None, Some(e.to_string())),
    };

    let fresh = match inspect_db_file(&path)? {
        DbFile::Missing => {
            if let Some(m) = &marker {
                return Err(StoreError::MissingDatabase {
                    path: path_text,
                    marker: Marker::path(dir).display().to_string(),
                    store_id: m.store_id.clone(),
                    dir: dir_text,
                });
            }
            if witness.is_some() || witness_unreadable.is_some() {
                return Err(StoreError::MissingDatabase {
                    path: path_text,
                    marker: Witness::path(dir).display().to_string(),
                    store_id: witness
                        .as_ref()
                        .map_or_else(|| "(unreadable)".into(), |w| w.store_id.clone()),
                    dir: dir_text,
                });
            }
            if !opts.create {
                return Err(StoreError::NotInitialised { dir: dir_text });
            }
            true
        }
        DbFile::Empty => {
            return Err(StoreError::EmptyDatabase {
                path: path_text,
                dir: dir_text,
            });
        }
        DbFile::NotSqlite => {
            return Err(StoreError::Corrupt {
                path: path_text,
                dir: dir_text,
                detail:
                    "it is not an SQLite database (its first bytes are not \"SQLite format 3\")"
                        .into(),
            });
        }
        DbFile::Sqlite => false,
    };
    if fresh {
        // Mode 0600 from the start; SQLite gives -wal and -shm the same mode.
        // Another process may have created it a moment ago: then it is not ours.
        if let Err(e) = create_private_file(&path)
            && path.metadata().is_err()
        {
            return Err(e);
        }
    }
    for p in [path.clone(), wal_path(&path), shm_path(&path)] {
        tighten(&p)?;
    }

    let conn = open_conn(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", opts.sync.pragma())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(
        None,
        "journal_size_limit",
        journal_size_limit(opts.wal_limit),
    )?;
    if !fresh && let Err(detail) = check_integrity(&conn, opts.integrity) {
        return Err(StoreError::Corrupt {
            path: path_text,
            dir: dir_text,
            detail,
        });
    }
    schema::migrate(&conn)?;
    for p in [wal_path(&path), shm_path(&path)] {
        tighten(&p)?;
    }

    let key_source = opts.audit_key.resolve(dir);
    let mut warnings = Vec::new();
    let setup = set_up_chain(&conn, dir, marker.as_ref(), &key_source, &mut warnings)?;
    let SetUp {
        chain,
        keyed_now,
        key_created,
    } = setup;
    let chain = Arc::new(chain);
    let mut head = ChainHead::load(&conn)?;

    // Has the log lost records that were committed before?
    let mut lost = Vec::new();
    if let Some(h) = meta_head(&conn)?
        && h.seq > head.seq
    {
        lost.push(format!(
            "the database's committed head is record {} but its log ends at record {}",
            h.seq, head.seq
        ));
    }
    match &witness {
        Some(w) if !chain.witness_is_genuine(w) => lost.push(format!(
            "the head witness {} does not verify under this store's audit key (edited, or from another store)",
            Witness::path(dir).display()
        )),
        Some(w) if w.seq > head.seq => lost.push(format!(
            "the head witness {} records record {} as committed, the log ends at record {} ({} acknowledged records missing; a damaged WAL loses every commit after the damage)",
            Witness::path(dir).display(),
            w.seq,
            head.seq,
            w.seq - head.seq
        )),
        Some(w) if w.seq > 0 => {
            let stored: Option<String> = conn
                .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [w.seq], |r| r.get(0))
                .ok();
            if stored.as_deref() != Some(w.hash.as_str()) {
                lost.push(format!(
                    "record {} is not the one the head witness {} saw committed: the log was rewritten or replaced by an older copy",
                    w.seq,
                    Witness::path(dir).display()
                ));
            }
        }
        Some(_) => {}
        None if witness_unreadable.is_some() => {
            lost.extend(witness_unreadable.clone());
        }
        None if marker.is_some() => lost.push(format!(
            "the head witness {} is missing although the directory is initialised",
            Witness::path(dir).display()
        )),
        None => {}
    }
    if !lost.is_empty() {
        let Some(actor) = &opts.acknowledge_lost_records else {
            return Err(StoreError::LostRecords {
                dir: dir_text,
                detail: lost.join("; "),
            });
        };
        warnings.push(format!("acknowledged by {actor}: {}", lost.join("; ")));
        let payload = json!({
            "problems": lost,
            "log_ends_at": head.seq,
            "witness": witness.as_ref().map(|w| json!({"seq": w.seq, "hash": w.hash})),
        });
        in_transaction(&conn, &chain, &mut head, |ctx| {
            ctx.append_audit("store.records_lost", actor, &payload)?;
            Ok(())
        })?;
    }

    let witness_file = WitnessFile::open(dir)?;
    witness_file.write(&chain.witness(&head), true)?;
    let new_marker = Marker {
        format: MARKER_FORMAT.into(),
        store_id: chain.store_id.clone(),
        created_at: marker
            .as_ref()
            .map(|m| m.created_at.clone())
            .or(meta_value(&conn, "created_at")?)
            .unwrap_or_else(now_rfc3339),
        audit_keyed_from: chain.keyed_from,
        audit_key_id: chain.key.id().to_string(),
        checkpoint_public_key: chain.key.public_key_hex(),
    };
    if marker.as_ref() != Some(&new_marker) {
        new_marker.write(dir)?;
    }
    if let AuditKeySource::File(p) = &key_source
        && p.parent() == Some(dir)
        && p.file_name().is_some_and(|n| n == AUDIT_KEY_FILE)
    {
        warnings.push(format!(
            "the audit key is kept in the data directory ({}): the chain then protects against someone who has the database file alone; keep the key elsewhere (RESOLUTE_AUDIT_KEY_FILE) so that access to the data directory is not enough",
            p.display()
        ));
    }
    let last_checkpoint_seq = checkpoint::last_seq(&conn)?;
    let report = OpenReport {
        store_id: chain.store_id.clone(),
        dir: dir_text,
        created: fresh,
        adopted: !fresh && marker.is_none(),
        keyed_from: chain.keyed_from,
        keyed_now,
        audit_key: key_source.describe(),
        audit_key_created: key_created,
        checkpoint_public_key: chain.key.public_key_hex(),
        warnings,
    };
    Ok(Opened {
        dir: dir.to_path_buf(),
        path,
        conn,
        head,
        chain,
        report,
        witness: Some(witness_file),
        last_checkpoint_seq,
        wal_limit: opts.wal_limit.max(1 << 20),
    })
}

struct SetUp {
    chain: ChainState,
    keyed_now: bool,
    key_created: bool,
}

/// Store id, audit key and where the keyed chain starts, decided inside one
/// write transaction (two processes opening one new or older database at
/// once agree). A database whose chain is not keyed yet gets its key id and
/// start recorded, an `audit.keyed` record and `audit.baseline` records with
/// the digests of the rows it already holds.
fn set_up_chain(
    conn: &Connection,
    dir: &Path,
    marker: Option<&Marker>,
    key_source: &AuditKeySource,
    warnings: &mut Vec<String>,
) -> Result<SetUp> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = (|| -> Result<SetUp> {
        let db_store_id = meta_value(conn, "store_id")?;
        let store_id = match (marker, db_store_id) {
            (Some(m), Some(id)) if m.store_id == id => id,
            (Some(m), found) => {
                return Err(StoreError::DifferentDatabase {
                    path: dir.join(DB_FILE).display().to_string(),
                    marker: Marker::path(dir).display().to_string(),
                    expected: m.store_id.clone(),
                    found: found.unwrap_or_else(|| "a database without a store id".into()),
                });
            }
            (None, Some(id)) => id,
            (None, None) => {
                let id = random_hex(16)?;
                set_meta(conn, "store_id", &id)?;
                set_meta(conn, "created_at", &now_rfc3339())?;
                id
            }
        };
        let recorded_key = meta_value(conn, "audit_key_id")?;
        let (key, key_created) = AuditKey::load(key_source, recorded_key.is_none())?;
        for expected in recorded_key.iter().chain(marker.map(|m| &m.audit_key_id)) {
            if key.id() != expected {
                return Err(StoreError::WrongAuditKey {
                    source_name: key_source.describe(),
                    expected: expected.clone(),
                    found: key.id().to_string(),
                });
            }
        }
        let mut head = ChainHead::load(conn)?;
        let meta_from = meta_value(conn, "audit_keyed_from")?.and_then(|v| v.parse::<i64>().ok());
        let keyed_now = recorded_key.is_none();
        let keyed_from = match (marker.map(|m| m.audit_keyed_from), meta_from) {
            (Some(m), Some(d)) if m != d => {
                warnings.push(format!(
                    "the marker says the keyed chain starts at record {m}, the database says {d}: the marker is kept, `verify` reports it"
                ));
                m
            }
            (Some(m), _) => m,
            (None, Some(d)) => d,
            (None, None) => head.seq + 1,
        };
        let chain = ChainState {
            key,
            keyed_from,
            store_id,
        };
        if keyed_now {
            set_meta(conn, "audit_key_id", chain.key.id())?;
            set_meta(conn, "audit_keyed_from", &keyed_from.to_string())?;
            set_meta(conn, "checkpoint_public_key", &chain.key.public_key_hex())?;
            let plain_until = head.seq;
            let mut ctx = WriteCtx {
                conn,
                head: &mut head,
                chain: &chain,
                last_actor: None,
            };
            if plain_until > 0 {
                ctx.append_audit(
                    "audit.keyed",
                    "system",
                    &json!({
                        "plain_until": plain_until,
                        "store_id": chain.store_id,
                        "key_id": chain.key.id(),
                        "checkpoint_public_key": chain.key.public_key_hex(),
                    }),
                )?;
            }
            append_baseline(&mut ctx)?;
            if head.seq > 0 {
                head.store_meta(conn, &chain)?;
                checkpoint::write(conn, &chain, &head)?;
            }
        }
        Ok(SetUp {
            chain,
            keyed_now: keyed_now && head.seq > 0,
            key_created,
        })
    })();
    match done {
        Ok(setup) => {
            conn.execute_batch("COMMIT")?;
            Ok(setup)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Rows per `audit.baseline` record.
const BASELINE_CHUNK: usize = 500;

/// Digests of every row the database held before its chain was keyed.
fn append_baseline(ctx: &mut WriteCtx<'_>) -> Result<()> {
    for t in rows::TABLES {
        let all = rows::digests(ctx.conn, t, "1", [])?;
        for (part, chunk) in all.chunks(BASELINE_CHUNK).enumerate() {
            let mut payload = json!({"table": t.name, "part": part + 1, "rows": chunk.len()});
            rows::attach(&mut payload, chunk.to_vec());
            ctx.append_audit("audit.baseline", "system", &payload)?;
        }
    }
    Ok(())
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Run `f` as one write transaction on `conn` outside the writer thread
/// (while opening), keeping the head and its `meta` copy in step.
pub(crate) fn in_transaction<T>(
    conn: &Connection,
    chain: &ChainState,
    head: &mut ChainHead,
    f: impl FnOnce(&mut WriteCtx<'_>) -> Result<T>,
) -> Result<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let before = head.clone();
    let mut fresh = ChainHead::load(conn)?;
    let out = {
        let mut ctx = WriteCtx {
            conn,
            head: &mut fresh,
            chain,
            last_actor: None,
        };
        f(&mut ctx)
    }
    .and_then(|v| {
        fresh.store_meta(conn, chain)?;
        conn.execute_batch("COMMIT")?;
        Ok(v)
    });
    match out {
        Ok(v) => {
            *head = fresh;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            *head = before;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{genesis_hash, record_body};
    use crate::canonical::sha256_hex;
    use crate::{StoreOptions, schema::MIGRATIONS};

    /// A data directory as the build before keying left it: schema 2, a
    /// plain SHA-256 chain of `n` records, a key and a case, no marker.
    fn legacy_dir(n: i64) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().expect("tempdir");
        let conn = Connection::open(tmp.path().join(DB_FILE)).expect("create");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        for (i, sql) in MIGRATIONS[..2].iter().enumerate() {
            conn.execute_batch(sql).expect("migration");
            conn.pragma_update(None, "user_version", (i + 1) as i64)
                .expect("version");
        }
        let mut prev = genesis_hash();
        for seq in 1..=n {
            let (ts, payload) = ("2026-11-28T10:00:00.000Z", format!("{{\"n\":{seq}}}"));
            let hash = sha256_hex(&record_body(
                seq,
                ts,
                "screening.name",
                "key:old",
                &payload,
                &prev,
            ));
            conn.execute(
                "INSERT INTO audit_log(seq, ts, kind, actor, payload, prev_hash, hash) VALUES (?1, ?2, 'screening.name', 'key:old', ?3, ?4, ?5)",
                params![seq, ts, payload, prev, hash],
            )
            .expect("record");
            prev = hash;
        }
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('audit_head', ?1)",
            [format!("{n}:{prev}")],
        )
        .expect("head");
        conn.execute_batch(
            "INSERT INTO api_keys(id, role, label, salt, hash, created_at) VALUES ('0123abcd', 'admin', 'boot', 's', 'h', 'then');
             INSERT INTO cases(opened_at, status, kind, screening_id, query_key, query) VALUES ('then', 'open', 'name', 'scr_1', 'qk', '{}');",
        )
        .expect("rows");
        tmp
    }

    #[test]
    fn an_older_plain_chain_is_adopted_keyed_and_still_verifies() {
        let tmp = legacy_dir(5);
        let store = Store::open(tmp.path(), StoreOptions::default()).expect("open");
        let report = store.open_report().clone();
        assert!(
            report.adopted && report.keyed_now && !report.created,
            "{report:?}"
        );
        assert_eq!(report.keyed_from, 6);
        let records = store.audit_records(&Default::default()).expect("records");
        let kinds: Vec<&str> = records
            .iter()
            .rev()
            .skip(5)
            .map(|r| r.kind.as_str())
            .collect();
        assert_eq!(kinds, ["audit.keyed", "audit.baseline", "audit.baseline"]);
        assert_eq!(records.last().map(|r| r.seq), Some(1));
        let keyed = records
            .iter()
            .find(|r| r.kind == "audit.keyed")
            .expect("keyed");
        assert_eq!(keyed.payload["plain_until"], 5);
        store
            .append_audit("note", "new", serde_json::json!({}))
            .expect("append");
        let v = store.verify_audit().expect("verify");
        assert!(v.ok, "{v:?}");
        assert_eq!((v.keyed_from, v.rows), (6, 2));
        let marker = Marker::read(tmp.path()).expect("marker").expect("written");
        assert_eq!(marker.audit_keyed_from, 6);
        store.close();
        drop(store);

        // Reopening keeps the start; no second keying.
        let store = Store::open(tmp.path(), StoreOptions::default()).expect("reopen");
        assert!(!store.open_report().keyed_now && !store.open_report().adopted);
        assert_eq!(store.audit_count().expect("count"), 9);

        // A plain record recomputed (with its successors up to the keyed
        // start) no longer links to the keyed record that sealed it.
        let raw = Connection::open(tmp.path().join(DB_FILE)).expect("raw");
        raw.execute_batch("DROP TRIGGER audit_log_no_update")
            .expect("drop");
        let mut prev = genesis_hash();
        for seq in 1..=5i64 {
            let (ts, kind, actor, payload): (String, String, String, String) = raw
                .query_row(
                    "SELECT ts, kind, actor, payload FROM audit_log WHERE seq = ?1",
                    [seq],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .expect("row");
            let actor = if seq == 2 {
                "key:forged".to_string()
            } else {
                actor
            };
            let hash = sha256_hex(&record_body(seq, &ts, &kind, &actor, &payload, &prev));
            raw.execute(
                "UPDATE audit_log SET actor = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                params![actor, prev, hash, seq],
            )
            .expect("rewrite");
            prev = hash;
        }
        let bad = store
            .verify_audit()
            .expect("verify")
            .first_bad
            .expect("bad");
        assert_eq!(
            (bad.seq, bad.problem.as_str()),
            (6, "misplaced"),
            "{}",
            bad.detail
        );
    }

    #[test]
    fn moving_the_keyed_start_is_detected() {
        let tmp = legacy_dir(3);
        let store = Store::open(tmp.path(), StoreOptions::default()).expect("open");
        store.close();
        // Claim the whole log is plain (so it could be recomputed).
        let raw = Connection::open(tmp.path().join(DB_FILE)).expect("raw");
        raw.execute(
            "UPDATE meta SET value = '100' WHERE key = 'audit_keyed_from'",
            [],
        )
        .expect("edit");
        let v = store.verify_audit().expect("verify");
        assert!(
            v.findings
                .iter()
                .any(|f| f.problem == "keyed_start_changed"),
            "{v:?}"
        );
        // And with the marker edited too, the record at the claimed start is not `audit.keyed`.
        let mut marker = Marker::read(tmp.path()).expect("read").expect("marker");
        marker.audit_keyed_from = 5;
        marker.write(tmp.path()).expect("write");
        drop(store);
        let store = Store::open(tmp.path(), StoreOptions::default()).expect("open");
        let bad = store
            .verify_audit()
            .expect("verify")
            .first_bad
            .expect("bad");
        assert_eq!(bad.seq, 4, "{}", bad.detail);
    }
}
