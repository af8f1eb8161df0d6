//! Embedded SQLite store with a keyed, tamper-evident audit log.
//!
//! One database file (`resolute.db`) in the data directory holds list versions
//! (with versions held *pending* an admin's confirmation), review cases,
//! suppressions (good-guy decisions), cap ledgers (opening amounts and every
//! draw), API keys (salted hashes), member-state implementation reports and the
//! append-only audit log. Every write through the store's API appends an audit
//! record naming its actor in the same transaction.
//!
//! # Writes
//!
//! Writes go through one writer thread per [`Store`] that **group-commits**:
//! every job waiting in the queue is applied in one `BEGIN IMMEDIATE`
//! transaction, each inside its own savepoint, and callers are answered only
//! after `COMMIT` returned. "Acknowledged" therefore always means "committed".
//! The database runs in WAL mode; the synchronous level is [`SyncMode`]
//! (`Full`: the WAL is fsynced at every commit, so an acknowledged record
//! survives `kill -9` *and* power loss; `Normal` survives process kills but may
//! lose the last commits on power loss). Reads use a small pool of read-only
//! connections and never block the writer.
//!
//! **Several processes may write to one data directory** (the server and a
//! `resolute keys create` or `resolute screen --data-dir` beside it). The
//! writer caches the audit chain's head, and re-reads it inside the write
//! transaction whenever `PRAGMA data_version` says another connection
//! committed since its last look; the write lock of `BEGIN IMMEDIATE` keeps
//! the read and the append atomic. [`Store::external_writes`] is a counter
//! that moves when another process (or another `Store` on the same
//! directory) committed: a server polls it to reload what it caches (keys and
//! their revocations, suppressions, cap ledgers).
//!
//! # Failing closed
//!
//! A data directory remembers that it was initialised: `resolute.store` (the
//! marker: store id, where the keyed chain starts, the audit key's id, the
//! checkpoint public key; the id is also in the database) and `resolute.head`
//! (the head witness: the chain's last seq and hash after a commit, with a
//! MAC). [`Store::open`] refuses, with an error naming the path and what to do,
//! a missing, empty (0-byte), non-SQLite or different database, a database
//! that fails `PRAGMA quick_check` (`integrity_check` with
//! [`IntegrityCheck::Full`]), another audit key than the one the chain was
//! started with, and a chain shorter than the witness or the committed head
//! says ([`StoreError::LostRecords`]).
//!
//! *What SQLite does with a damaged WAL*: every WAL frame carries a checksum
//! that chains over all frames before it. On recovery SQLite replays frames up
//! to the last valid commit and **silently drops the rest**: flipped bytes in
//! one frame lose that commit and every commit after it, and the database then
//! opens as a consistent, older store (the issue measured 8,344 acknowledged
//! screenings gone). The store detects this when the head witness (outside the
//! database) names a later record than the database holds, and refuses to open
//! until an operator restores a backup ([`Store::restore`]) or acknowledges the
//! loss ([`OpenOptions::acknowledge_lost_records`], itself an audit record). It
//! cannot detect: commits lost together with the witness (a power loss under
//! `SyncMode::Normal` that also lost the witness write), or a loss when the
//! witness file was deleted along with the marker. Damage to the database file
//! itself that keeps its b-trees well-formed (SQLite has no page checksums) is
//! not seen by `quick_check`; [`Store::verify_audit`] finds it in the audit log
//! and in the cross-checked tables.
//!
//! [`Store::probe_write`] commits a tiny write through the writer: `/readyz`
//! calls it to know a write can commit (disk full, read-only file, a writer
//! thread that stopped). [`Store::backup_to`] copies the live database with
//! SQLite's online backup API; [`Store::restore`] puts a verified backup into a
//! data directory.
//!
//! The WAL is bounded: a checkpointer thread folds it back every 250 ms
//! (passive, never blocking). Reads that overlap without pause keep a passive
//! checkpoint from ever letting the WAL be reused (the issue saw 262 MB of WAL
//! for a 23 MB database; `tests/wal_bound.rs` reproduces it), so when the WAL
//! passes its limit (default 64 MiB, [`OpenOptions::wal_limit`]) the writer,
//! between two groups, holds new reads of this store back, waits up to 100 ms
//! for the running ones, and runs a `RESTART` checkpoint; the next commit
//! starts the WAL over and `journal_size_limit` truncates it to half the limit.
//! Files are created with mode 0600 (database,
//! WAL, shared memory, marker, witness, key) and the directory with 0700.
//!
//! # The audit chain: what it proves and what it cannot
//!
//! Record `n` stores `prev_hash` (record `n - 1`'s hash) and
//! `hash = HMAC-SHA256(K, body)` over the stored bytes of
//! `{actor, kind, payload, prev_hash, seq, ts}` (the fields of an [`AuditRecord`]),
//! where `K` is derived from the audit key ([`AuditKeySource`]; default
//! `<data-dir>/audit.key`, 0600). Stores created before keying keep their plain
//! SHA-256 records; the keyed chain starts at the seq recorded in the marker
//! and the database (an `audit.keyed` record, MAC'd, marks it). The committed
//! head is kept in the database with a MAC, and in the head witness.
//! Periodically (every 1,000 records or 60 s) the writer signs a checkpoint
//! (store id, seq, record hash, time) with an Ed25519 key derived from the
//! audit key; [`Store::export_checkpoints`] hands them out as JSON lines for an
//! external append-only place, and [`Store::verify_audit_with`] checks the
//! chain against such an exported list.
//!
//! [`Store::verify_audit`] is read-only: it hashes the stored bytes (so an edit
//! that parses the same, like a duplicate JSON key, still changes the hash),
//! checks links, the head, the witness and the stored checkpoints, and
//! cross-checks cases, suppressions, API keys, cap ledgers and draws, list
//! versions and reports against the digests their audit records carry: a row
//! changed, added or deleted outside the store's API is named.
//!
//! Someone who has **the database file alone** (a copy, a backup, write access
//! to that file) cannot change, remove, reorder or add a record, move the
//! head, or change an audited row without `verify` naming it. Someone who has
//! **the key and the file** can rewrite the whole chain so that it verifies
//! again: only checkpoints exported before the rewrite (and the public key
//! kept with them) show it. A key kept in the data directory therefore protects
//! against someone who has the database file alone; keep it elsewhere
//! (`RESOLUTE_AUDIT_KEY_FILE=/path`, readable only by the service) so that
//! access to the data directory is not enough. The chain says nothing about
//! writes that never went through the store (a screening the service never
//! recorded), and the time in a record is the writer's clock.

mod audit;
mod backup;
mod canonical;
mod caps;
mod cases;
mod chainkey;
mod checkpoint;
mod datadir;
mod keys;
mod lists;
mod open;
mod reports;
mod rows;
mod schema;

pub use schema::SCHEMA_VERSION;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

pub use audit::{
    AuditQuery, AuditReceipt, AuditRecord, BadRecord, CanonicalPayload, Finding, VerifyReport,
    genesis_hash,
};
pub use backup::{BackupReport, RestoreOptions, RestoreReport};
pub use canonical::{canonical_json, sha256_hex};
pub use caps::{CapAccount, CapBalance, CapDrawRecord, NewCapDraw};
pub use cases::{Case, CaseFilter, CaseResolution, CaseStatus, NewCase, Suppression};
pub use chainkey::{AUDIT_KEY_ENV, AUDIT_KEY_FILE_ENV, AuditKeySource, verify_signature};
pub use checkpoint::Checkpoint;
pub use datadir::{AUDIT_KEY_FILE, HEAD_FILE, MARKER_FILE, Marker};
pub use keys::{ApiKey, KeyVerifier, NewApiKey, Role, parse_token};
pub use lists::{ListReview, ReviewStatus, StoredListVersion};
pub use open::{IntegrityCheck, OpenOptions, OpenReport};
pub use reports::{NewStateReport, ReportImport, StateReport};

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "resolute.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot create data directory {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("the store's writer thread has stopped")]
    WriterGone,
    #[error("{0} not found")]
    NotFound(String),
    #[error("invalid: {0}")]
    Invalid(String),
    /// The data changed since the caller read it (e.g. a cap ledger): reload and retry.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored JSON in {table}.{column} (row {row}): {source}")]
    Json {
        table: &'static str,
        column: &'static str,
        row: String,
        source: serde_json::Error,
    },
    #[error("random number generator failed: {0}")]
    Random(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// `open` without creation on a directory that holds no store.
    #[error(
        "no store in {dir}: it has no {DB_FILE} and no {MARKER_FILE} (start `resolute serve --data-dir {dir}` once to create one, or restore a backup with `resolute restore`)"
    )]
    NotInitialised { dir: String },
    #[error(
        "{path} is missing, but {marker} says this data directory holds store {store_id}: refusing to start as a new, empty store. Restore the database from a backup (`resolute restore --from BACKUP --data-dir {dir}`); to really start over, move the whole directory away"
    )]
    MissingDatabase {
        path: String,
        marker: String,
        store_id: String,
        dir: String,
    },
    #[error(
        "{path} is empty (0 bytes): refusing to start as a new, empty store. Restore it from a backup (`resolute restore --from BACKUP --data-dir {dir} --replace`); to really start over, move the whole directory away"
    )]
    EmptyDatabase { path: String, dir: String },
    #[error(
        "{path} is damaged: {detail}. Restore it from a backup (`resolute restore --from BACKUP --data-dir {dir} --replace`; the damaged files are kept beside it)"
    )]
    Corrupt {
        path: String,
        dir: String,
        detail: String,
    },
    #[error(
        "{path} is not the database of this data directory: {marker} names store {expected}, the database is {found}. Put the right database back or restore a backup of store {expected}"
    )]
    DifferentDatabase {
        path: String,
        marker: String,
        expected: String,
        found: String,
    },
    #[error("{path}: {detail} (the data directory's state is unknown; restore it or fix the file)")]
    BadMarker { path: String, detail: String },
    #[error("audit key from {source_name}: {detail}")]
    AuditKey { source_name: String, detail: String },
    #[error(
        "the audit key file {path} is missing, but this store's audit chain is keyed: put the key file back (or set RESOLUTE_AUDIT_KEY_FILE to where it is); a new key would break the chain"
    )]
    MissingAuditKey { path: String },
    #[error(
        "the audit key from {source_name} (id {found}) is not the key this store's chain was started with (id {expected}): use that key (RESOLUTE_AUDIT_KEY_FILE / RESOLUTE_AUDIT_KEY)"
    )]
    WrongAuditKey {
        source_name: String,
        expected: String,
        found: String,
    },
    /// The chain is shorter (or other) than what was committed before:
    /// acknowledged records were lost (a damaged WAL drops them silently) or
    /// removed.
    #[error(
        "{dir}: acknowledged audit records were lost: {detail}. Restore a backup (`resolute restore --from BACKUP --data-dir {dir} --replace`), or, if the loss is understood, open once with acknowledge_lost_records (recorded in the audit log)"
    )]
    LostRecords { dir: String, detail: String },
    /// `import_admin_key` of a key id that was revoked.
    #[error(
        "api key {id} was revoked on {revoked_at}: it stays revoked (unset RESOLUTE_ADMIN_KEY or give a new key from `resolute keys create --role admin`)"
    )]
    KeyRevoked { id: String, revoked_at: String },
    #[error("backup to {path}: {detail}")]
    Backup { path: String, detail: String },
    #[error("restore from {from} into {dir}: {detail}")]
    Restore {
        from: String,
        dir: String,
        detail: String,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How hard SQLite syncs at each commit (see the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// fsync the WAL at every commit: durable across kill -9 and power loss.
    #[default]
    Full,
    /// fsync only at checkpoints: durable across kill -9, not power loss.
    Normal,
}

impl SyncMode {
    fn pragma(self) -> &'static str {
        match self {
            SyncMode::Full => "FULL",
            SyncMode::Normal => "NORMAL",
        }
    }

    pub fn parse(s: &str) -> Option<SyncMode> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Some(SyncMode::Full),
            "normal" => Some(SyncMode::Normal),
            _ => None,
        }
    }
}

/// The options of [`Store::open`]; [`OpenOptions`] has the rest (with the
/// defaults `Store::open` uses).
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    pub sync: SyncMode,
}

/// What a write job sees: the open transaction and the audit chain's head.
pub struct WriteCtx<'a> {
    pub(crate) conn: &'a Connection,
    pub(crate) head: &'a mut audit::ChainHead,
    pub(crate) chain: &'a audit::ChainState,
    /// Seq and actor of the record this job appended last (a case opened
    /// right after its screening's record takes its actor from here).
    pub(crate) last_actor: Option<(i64, String)>,
}

impl std::fmt::Debug for WriteCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteCtx")
            .field("head", &self.head)
            .finish()
    }
}

type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// A queued write: run it in the group's transaction, or fail it unrun.
trait Job: Send {
    fn run(self: Box<Self>, ctx: &mut WriteCtx<'_>) -> Finish;
    fn fail(self: Box<Self>, err: StoreError);
}

struct WriteJob<T, F> {
    f: F,
    reply: tokio::sync::oneshot::Sender<Result<T>>,
}

impl<T, F> Job for WriteJob<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut WriteCtx<'_>) -> Result<T> + Send + 'static,
{
    fn run(self: Box<Self>, ctx: &mut WriteCtx<'_>) -> Finish {
        let WriteJob { f, reply } = *self;
        let saved_head = ctx.head.clone();
        if let Err(e) = run_cached(ctx.conn, "SAVEPOINT job") {
            return Box::new(move |_| {
                let _ = reply.send(Err(e.into()));
            });
        }
        match f(ctx) {
            Ok(value) => {
                let released = run_cached(ctx.conn, "RELEASE job");
                Box::new(move |commit_err: Option<&str>| {
                    let outcome = match (released, commit_err) {
                        (Err(e), _) => Err(e.into()),
                        (Ok(()), Some(msg)) => Err(StoreError::Commit(msg.to_string())),
                        (Ok(()), None) => Ok(value),
                    };
                    let _ = reply.send(outcome);
                })
            }
            Err(e) => {
                let _ = ctx.conn.execute_batch("ROLLBACK TO job; RELEASE job");
                *ctx.head = saved_head;
                Box::new(move |_| {
                    let _ = reply.send(Err(e));
                })
            }
        }
    }

    fn fail(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err));
    }
}

/// State the writer thread shares with the handles.
#[derive(Debug, Default)]
struct Shared {
    /// Moves each time the writer sees that another connection committed.
    external_writes: AtomicU64,
    /// Reads running on pooled connections.
    readers_active: AtomicUsize,
    /// While set, new reads wait (at most [`RESTART_WAIT`]) so that the
    /// running ones can finish and the WAL can be restarted: reads that
    /// overlap without pause would otherwise keep it from ever being reused.
    gate_closed: AtomicBool,
    gate: Mutex<()>,
    gate_opened: Condvar,
}

impl Shared {
    /// Before a read: wait while the gate is closed (bounded).
    fn enter_read(&self) {
        if self.gate_closed.load(Ordering::Acquire)
            && let Ok(mut guard) = self.gate.lock()
        {
            let deadline = Instant::now() + RESTART_WAIT;
            while self.gate_closed.load(Ordering::Acquire) {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                match self.gate_opened.wait_timeout(guard, left) {
                    Ok((g, _)) => guard = g,
                    Err(_) => return self.enter_read_unchecked(),
                }
            }
        }
        self.enter_read_unchecked();
    }

    fn enter_read_unchecked(&self) {
        self.readers_active.fetch_add(1, Ordering::AcqRel);
    }

    fn leave_read(&self) {
        self.readers_active.fetch_sub(1, Ordering::AcqRel);
    }

    /// Close the gate and wait (bounded) until the running reads finished.
    fn close_gate(&self) {
        self.gate_closed.store(true, Ordering::Release);
        let deadline = Instant::now() + RESTART_WAIT;
        while self.readers_active.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_micros(200));
        }
    }

    fn open_gate(&self) {
        let _guard = self.gate.lock();
        self.gate_closed.store(false, Ordering::Release);
        self.gate_opened.notify_all();
    }
}

struct Inner {
    dir: PathBuf,
    path: PathBuf,
    chain: Arc<audit::ChainState>,
    report: OpenReport,
    shared: Arc<Shared>,
    jobs: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    writer: Mutex<Option<thread::JoinHandle<()>>>,
    checkpointer: Mutex<Option<(mpsc::Sender<()>, thread::JoinHandle<()>)>>,
    readers: Mutex<Vec<Connection>>,
}

/// Handle to the store; cheap to clone, shareable across threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// How long a statement waits for a lock another connection holds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn open_conn(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.display().to_string(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

impl Store {
    /// Open the store in `dir`, creating it if the directory holds none, with
    /// the defaults of [`OpenOptions`] (quick check, audit key from the
    /// environment or `<dir>/audit.key`). See [`Store::open_with`].
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Store> {
        Store::open_with(
            dir,
            OpenOptions {
                sync: opts.sync,
                ..OpenOptions::default()
            },
        )
    }

    /// Open an existing store; [`StoreError::NotInitialised`] if `dir` holds
    /// none (for commands that must not create one: `keys list`, `audit
    /// verify`, `backup`).
    pub fn open_existing(dir: &Path, opts: StoreOptions) -> Result<Store> {
        Store::open_with(
            dir,
            OpenOptions {
                sync: opts.sync,
                create: false,
                ..OpenOptions::default()
            },
        )
    }

    /// Start the writer and checkpointer threads on an opened database.
    pub(crate) fn start(opened: open::Opened) -> Result<Store> {
        let open::Opened {
            dir,
            path,
            conn,
            head,
            chain,
            report,
            witness,
            last_checkpoint_seq,
            wal_limit,
        } = opened;
        // Checkpoints run on their own thread: SQLite's automatic checkpoint
        // would copy pages and fsync the database inside a commit while the
        // screenings of that group wait for their answer.
        let shared = Arc::new(Shared::default());
        let checkpointer = start_checkpointer(&path, wal_limit);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        let data_version = data_version(&conn)?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let writer = Writer {
            conn,
            head,
            chain: chain.clone(),
            shared: shared.clone(),
            data_version,
            // Another process may have committed between loading the head
            // and reading `data_version`: read the head again at the first write.
            head_stale: true,
            witness,
            last_checkpoint: (last_checkpoint_seq, Instant::now()),
            witnessed_seq: -1,
            wal: wal_path(&path),
            wal_limit,
        };
        let writer = thread::Builder::new()
            .name("resolute-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Commit(format!("cannot start writer thread: {e}")))?;
        Ok(Store {
            inner: Arc::new(Inner {
                dir,
                path,
                chain,
                report,
                shared,
                jobs: Mutex::new(Some(tx)),
                writer: Mutex::new(Some(writer)),
                checkpointer: Mutex::new(checkpointer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// What opening found and did (created, adopted, keyed, warnings).
    pub fn open_report(&self) -> &OpenReport {
        &self.inner.report
    }

    /// The store's id (also in the marker file).
    pub fn store_id(&self) -> &str {
        &self.inner.chain.store_id
    }

    /// A counter that moves each time this store's writer notices that
    /// another connection (another process, or another `Store` on the same
    /// directory) committed. Cheap (an atomic load); noticed within 250 ms,
    /// or at this store's next write. Reload cached keys, suppressions and
    /// cap ledgers when it changed.
    pub fn external_writes(&self) -> u64 {
        self.inner.shared.external_writes.load(Ordering::Acquire)
    }

    /// Queue a write job; the receiver answers after the job's transaction
    /// committed (or with the error that stopped it).
    pub fn submit<T, F>(&self, f: F) -> tokio::sync::oneshot::Receiver<Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = tokio::sync::oneshot::channel::<Result<T>>();
        let job: Box<dyn Job> = Box::new(WriteJob { f, reply });
        let refused = match self.inner.jobs.lock() {
            Ok(guard) => match guard.as_ref() {
                Some(tx) => tx.send(job).err().map(|e| e.0),
                None => Some(job),
            },
            Err(_) => Some(job),
        };
        if let Some(job) = refused {
            job.fail(StoreError::WriterGone);
        }
        rx
    }

    /// [`Store::submit`] and wait (for synchronous callers: the CLI, tests).
    pub fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T> + Send + 'static,
    {
        self.submit(f)
            .blocking_recv()
            .unwrap_or(Err(StoreError::WriterGone))
    }

    /// [`Store::submit`] and await.
    pub async fn write_async<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T> + Send + 'static,
    {
        self.submit(f).await.unwrap_or(Err(StoreError::WriterGone))
    }

    /// Commit a tiny write (a time stamp in `meta`) through the writer, as
    /// every real write does: `Ok` means a write can commit now. For
    /// `/readyz`. Not audited (it changes no audited data).
    pub fn probe_write(&self) -> Result<()> {
        self.write(probe)
    }

    /// [`Store::probe_write`] for async callers.
    pub async fn probe_write_async(&self) -> Result<()> {
        self.write_async(probe).await
    }

    /// Run a read on a pooled read-only connection (blocking).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self
            .inner
            .readers
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop());
        let conn = match pooled {
            Some(c) => c,
            None => open_conn(&self.inner.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        let out = {
            let _reading = ReadGuard::enter(&self.inner.shared);
            f(&conn)
        };
        if let Ok(mut pool) = self.inner.readers.lock()
            && pool.len() < 8
        {
            pool.push(conn);
        }
        out
    }

    /// Stop the writer after the queued jobs are committed.
    pub fn close(&self) {
        self.inner.shutdown();
    }
}

/// Counts a running read (also when it panics).
struct ReadGuard<'a>(&'a Shared);

impl<'a> ReadGuard<'a> {
    fn enter(shared: &'a Shared) -> ReadGuard<'a> {
        shared.enter_read();
        ReadGuard(shared)
    }
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.0.leave_read();
    }
}

fn probe(ctx: &mut WriteCtx<'_>) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO meta(key, value) VALUES('write_probe', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute([now_rfc3339()])?;
    Ok(())
}

impl Inner {
    /// Stop taking jobs, let the writer commit what is queued, then stop the checkpointer.
    fn shutdown(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        // Pooled readers close first: the last connection to close folds the
        // WAL back and removes it, which a read-only connection cannot do.
        if let Ok(mut readers) = self.readers.lock() {
            readers.clear();
        }
        let handle = self.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(h) = handle {
            let _ = h.join();
        }
        let running = self.checkpointer.lock().ok().and_then(|mut c| c.take());
        if let Some((stop, handle)) = running {
            drop(stop);
            let _ = handle.join();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How often the checkpointer folds the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// Default WAL size past which the checkpointer waits for readers (RESTART)
/// so the file can be reused; a reused WAL is truncated to half of it
/// (`journal_size_limit`).
pub const DEFAULT_WAL_LIMIT: u64 = 64 << 20;
/// Longest a RESTART checkpoint waits for readers (and so delays writers).
const RESTART_WAIT: Duration = Duration::from_millis(100);

/// A thread with its own connection running passive checkpoints until its
/// sender is dropped; `None` if it cannot start (SQLite's automatic
/// checkpoint then stays on).
fn start_checkpointer(
    path: &Path,
    wal_limit: u64,
) -> Option<(mpsc::Sender<()>, thread::JoinHandle<()>)> {
    let conn = open_conn(path, OpenFlags::SQLITE_OPEN_READ_WRITE).ok()?;
    conn.busy_timeout(RESTART_WAIT).ok()?;
    conn.pragma_update(None, "journal_size_limit", journal_size_limit(wal_limit))
        .ok()?;
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = thread::Builder::new()
        .name("resolute-store-checkpoint".into())
        .spawn(move || {
            // A passive checkpoint never waits for the writer or readers; what it
            // cannot copy now is copied on a later round. (Readers that overlap
            // without pause can keep it from ever letting the WAL be reused:
            // the writer handles that, see `Writer::restart_wal_if_over_limit`.)
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            // Stopping: fold everything back and empty the WAL if no reader
            // of another process is in the way (else the next round does it).
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        })
        .ok()?;
    Some((stop, handle))
}

/// What a reused WAL is truncated to: half the limit.
pub(crate) fn journal_size_limit(wal_limit: u64) -> i64 {
    i64::try_from(wal_limit / 2).unwrap_or(i64::MAX)
}

pub(crate) fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

pub(crate) fn shm_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-shm");
    PathBuf::from(name)
}

/// Largest number of jobs committed in one transaction.
const MAX_GROUP: usize = 1024;
/// How often an idle writer looks for commits of other connections.
const EXTERNAL_POLL: Duration = Duration::from_millis(250);

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

/// The writer thread's state.
struct Writer {
    conn: Connection,
    head: audit::ChainHead,
    chain: Arc<audit::ChainState>,
    shared: Arc<Shared>,
    /// `PRAGMA data_version` when this writer last looked: it changes when
    /// another connection committed.
    data_version: i64,
    /// Another connection committed since the head was read.
    head_stale: bool,
    witness: Option<datadir::WitnessFile>,
    /// Seq and time of the last signed checkpoint this writer knows of.
    last_checkpoint: (i64, Instant),
    witnessed_seq: i64,
    wal: PathBuf,
    wal_limit: u64,
}

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Box<dyn Job>>) {
        loop {
            let first = match rx.recv_timeout(EXTERNAL_POLL) {
                Ok(job) => job,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.notice_external_commits();
                    self.checkpoint_if_due(false);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.commit_group(batch);
            self.restart_wal_if_over_limit();
        }
        self.checkpoint_if_due(true);
        if let Some(w) = &self.witness {
            let _ = w.write(&self.chain.witness(&self.head), true);
        }
    }

    /// When the checkpointer found the WAL past its limit: hold new reads of
    /// this store back, wait up to 100 ms for the running ones, copy the WAL
    /// back (waiting up to 100 ms more for readers of other processes), so
    /// the next commit starts the WAL from its beginning and truncates it to
    /// `journal_size_limit`. Delays queued jobs and new reads by that at most.
    fn restart_wal_if_over_limit(&mut self) {
        // One stat per group: cheap next to a commit.
        if !std::fs::metadata(&self.wal).is_ok_and(|m| m.len() > self.wal_limit) {
            return;
        }
        self.shared.close_gate();
        if self.conn.busy_timeout(RESTART_WAIT).is_ok() {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
        }
        self.shared.open_gate();
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
    }

    /// Compare `data_version` with the last look: another connection
    /// committed in between.
    fn notice_external_commits(&mut self) {
        if let Ok(v) = data_version(&self.conn)
            && v != self.data_version
        {
            self.data_version = v;
            self.head_stale = true;
            self.shared.external_writes.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn commit_group(&mut self, batch: Vec<Box<dyn Job>>) {
        if let Err(e) = run_cached(&self.conn, "BEGIN IMMEDIATE") {
            let msg = format!("cannot begin a write transaction: {e}");
            for job in batch {
                job.fail(StoreError::Commit(msg.clone()));
            }
            return;
        }
        // Inside the write lock: if anyone else committed since we last
        // looked, the cached head may be behind the log. Re-read it.
        self.notice_external_commits();
        if self.head_stale {
            match audit::ChainHead::load(&self.conn) {
                Ok(h) => {
                    self.head = h;
                    self.head_stale = false;
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    let msg = format!("cannot read the audit chain's head: {e}");
                    for job in batch {
                        job.fail(StoreError::Commit(msg.clone()));
                    }
                    return;
                }
            }
        }
        let head_before = self.head.clone();
        let mut finishers = Vec::with_capacity(batch.len());
        for job in batch {
            let mut ctx = WriteCtx {
                conn: &self.conn,
                head: &mut self.head,
                chain: &self.chain,
                last_actor: None,
            };
            finishers.push(job.run(&mut ctx));
        }
        let committed = self
            .maybe_checkpoint_in_txn(false)
            .and_then(|()| {
                if self.head.seq != head_before.seq {
                    self.head.store_meta(&self.conn, &self.chain)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| run_cached(&self.conn, "COMMIT").map_err(Into::into));
        let err_msg = match committed {
            Ok(()) => {
                self.write_witness();
                None
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.head = head_before;
                self.head_stale = true;
                Some(e.to_string())
            }
        };
        for finish in finishers {
            finish(err_msg.as_deref());
        }
    }

    /// After a commit: record the new head outside the database.
    fn write_witness(&mut self) {
        if self.head.seq == self.witnessed_seq {
            return;
        }
        if let Some(w) = &self.witness
            && w.write(&self.chain.witness(&self.head), false).is_ok()
        {
            self.witnessed_seq = self.head.seq;
        }
    }

    /// Inside the open transaction: sign a checkpoint when 1,000 records or
    /// 60 s (with new records) passed since the last one; `force` for any new record.
    fn maybe_checkpoint_in_txn(&mut self, force: bool) -> Result<()> {
        let (last_seq, last_time) = self.last_checkpoint;
        let new_records = self.head.seq - last_seq;
        let due = new_records > 0
            && (force
                || new_records >= checkpoint::EVERY_RECORDS
                || last_time.elapsed() >= checkpoint::EVERY);
        if due {
            checkpoint::write(&self.conn, &self.chain, &self.head)?;
            self.last_checkpoint = (self.head.seq, Instant::now());
        }
        Ok(())
    }

    /// Outside a group: a checkpoint in its own small transaction when due
    /// by time (idle) or at shutdown (`force`).
    fn checkpoint_if_due(&mut self, force: bool) {
        let (last_seq, last_time) = self.last_checkpoint;
        if !(force || last_time.elapsed() >= checkpoint::EVERY) {
            return;
        }
        if run_cached(&self.conn, "BEGIN IMMEDIATE").is_err() {
            return;
        }
        self.notice_external_commits();
        if self.head_stale
            && let Ok(h) = audit::ChainHead::load(&self.conn)
        {
            self.head = h;
            self.head_stale = false;
        }
        if self.head.seq <= last_seq {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.last_checkpoint.1 = Instant::now();
            return;
        }
        let done = self
            .maybe_checkpoint_in_txn(true)
            .and_then(|()| run_cached(&self.conn, "COMMIT").map_err(Into::into));
        if done.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Run a statement without parameters through the connection's statement
/// cache: the writer runs the same few statements for every job, and
/// parsing them again each time was a visible share of its work.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Fill `buf` with OS randomness.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| StoreError::Random(e.to_string()))
}

/// A random hex token of `n` bytes.
pub fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    random_bytes(&mut buf)?;
    Ok(hex::encode(buf))
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
