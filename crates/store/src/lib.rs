//! Embedded SQLite store with a tamper-evident audit log.
//!
//! One database file (`resolute.db`) in the data directory holds list versions,
//! review cases, suppressions (good-guy decisions), cap ledgers (opening
//! amounts and every draw), API keys (salted hashes) and
//! the append-only audit log, whose records form a SHA-256 hash chain.
//!
//! Writes go through one writer thread that **group-commits**: every job waiting
//! in the queue is applied in one transaction, each inside its own savepoint, and
//! callers are answered only after `COMMIT` returned. "Acknowledged" therefore
//! always means "committed". The database runs in WAL mode; the synchronous level
//! is [`SyncMode`] (default `Full`: the WAL is fsynced at every commit, so an
//! acknowledged record survives `kill -9` *and* power loss; `Normal` survives
//! process kills but may lose the last commits on power loss).
//!
//! Reads use a small pool of read-only connections and never block the writer.

mod audit;
mod canonical;
mod caps;
mod cases;
mod keys;
mod lists;
mod schema;

pub use schema::SCHEMA_VERSION;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use rusqlite::{Connection, OpenFlags};

pub use audit::{
    AuditQuery, AuditReceipt, AuditRecord, BadRecord, CanonicalPayload, VerifyReport, genesis_hash,
};
pub use canonical::{canonical_json, sha256_hex};
pub use caps::{CapAccount, CapBalance, CapDrawRecord, NewCapDraw};
pub use cases::{Case, CaseFilter, CaseResolution, CaseStatus, NewCase, Suppression};
pub use keys::{ApiKey, KeyVerifier, NewApiKey, Role, parse_token};
pub use lists::StoredListVersion;

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

#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    pub sync: SyncMode,
}

/// What a write job sees: the open transaction and the audit chain's head.
pub struct WriteCtx<'a> {
    pub(crate) conn: &'a Connection,
    pub(crate) head: &'a mut audit::ChainHead,
}

impl std::fmt::Debug for WriteCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteCtx")
            .field("head", &self.head)
            .finish()
    }
}

type Finish = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn FnOnce(&mut WriteCtx<'_>) -> Finish + Send>;

struct Inner {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
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

fn open_conn(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.display().to_string(),
        source,
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

impl Store {
    /// Open (creating if needed) the store in `dir`, run migrations and start
    /// the writer thread.
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = open_conn(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", opts.sync.pragma())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&conn)?;
        let head = audit::ChainHead::load(&conn)?;
        // Checkpoints run on their own thread: SQLite's automatic checkpoint
        // would copy pages and fsync the database inside a commit while the
        // screenings of that group wait for their answer.
        let checkpointer = start_checkpointer(&path);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }

        let (tx, rx) = mpsc::channel::<Job>();
        let writer = thread::Builder::new()
            .name("resolute-store-writer".into())
            .spawn(move || writer_loop(conn, head, rx))
            .map_err(|e| StoreError::Commit(format!("cannot start writer thread: {e}")))?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                jobs: Mutex::new(Some(tx)),
                writer: Mutex::new(Some(writer)),
                checkpointer: Mutex::new(checkpointer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Queue a write job; the receiver answers after the job's transaction
    /// committed (or with the error that stopped it).
    pub fn submit<T, F>(&self, f: F) -> tokio::sync::oneshot::Receiver<Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = tokio::sync::oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |ctx: &mut WriteCtx<'_>| -> Finish {
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
        });
        let sent = match self.inner.jobs.lock() {
            Ok(guard) => guard
                .as_ref()
                .map(|tx| tx.send(job).is_ok())
                .unwrap_or(false),
            Err(_) => false,
        };
        if !sent {
            let (reply, rx) = tokio::sync::oneshot::channel::<Result<T>>();
            let _ = reply.send(Err(StoreError::WriterGone));
            return rx;
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
        let out = f(&conn);
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

impl Inner {
    /// Stop taking jobs, let the writer commit what is queued, then stop the checkpointer.
    fn shutdown(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
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
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// A thread with its own connection running passive checkpoints until its
/// sender is dropped; `None` if it cannot start (SQLite's automatic
/// checkpoint then stays on).
fn start_checkpointer(path: &Path) -> Option<(mpsc::Sender<()>, thread::JoinHandle<()>)> {
    let conn = open_conn(path, OpenFlags::SQLITE_OPEN_READ_WRITE).ok()?;
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = thread::Builder::new()
        .name("resolute-store-checkpoint".into())
        .spawn(move || {
            // A passive checkpoint never waits for the writer or readers; what it
            // cannot copy now is copied on a later round.
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        })
        .ok()?;
    Some((stop, handle))
}

/// Largest number of jobs committed in one transaction.
const MAX_GROUP: usize = 1024;

fn writer_loop(conn: Connection, mut head: audit::ChainHead, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let head_before = head.clone();
        if let Err(e) = run_cached(&conn, "BEGIN IMMEDIATE") {
            let msg = e.to_string();
            // Jobs never ran: answer each with the error.
            for job in batch {
                drop(job);
            }
            tracing_fallback(&msg);
            continue;
        }
        let mut finishers = Vec::with_capacity(batch.len());
        for job in batch {
            let mut ctx = WriteCtx {
                conn: &conn,
                head: &mut head,
            };
            finishers.push(job(&mut ctx));
        }
        let committed = head
            .store_meta(&conn)
            .and_then(|()| run_cached(&conn, "COMMIT").map_err(Into::into));
        let err_msg = match committed {
            Ok(()) => None,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                head = audit::ChainHead::load(&conn).unwrap_or(head_before);
                Some(e.to_string())
            }
        };
        for finish in finishers {
            finish(err_msg.as_deref());
        }
    }
}

/// Run a statement without parameters through the connection's statement
/// cache: the writer runs the same few statements for every job, and
/// parsing them again each time was a visible share of its work.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn tracing_fallback(msg: &str) {
    eprintln!("resolute-store: cannot begin transaction: {msg}");
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
