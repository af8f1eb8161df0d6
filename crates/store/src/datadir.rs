//! The files of a data directory besides the database: the marker that says
//! the directory was initialised, the head witness that remembers how long
//! the audit chain was at the last commit, and their permissions.
//!
//! Both files live outside the database on purpose: SQLite recovers a
//! damaged WAL by silently dropping every frame from the first bad checksum
//! on, and the database then opens as a consistent but older store. Only a
//! record kept elsewhere can tell that acknowledged commits went missing.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Result, StoreError};

/// Name of the marker file inside the data directory.
pub const MARKER_FILE: &str = "resolute.store";
/// Name of the head witness file inside the data directory.
pub const HEAD_FILE: &str = "resolute.head";
/// Default name of the audit key file inside the data directory.
pub const AUDIT_KEY_FILE: &str = "audit.key";

/// The marker: written once when a data directory is initialised (and again
/// when its audit chain becomes keyed or it is restored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Always `resolute-store`.
    pub format: String,
    pub store_id: String,
    pub created_at: String,
    /// First audit record of the keyed (HMAC) chain; records before it are
    /// the plain SHA-256 chain of a store created before keying.
    pub audit_keyed_from: i64,
    /// Id of the audit key (not the key): a store refuses another key.
    pub audit_key_id: String,
    /// Ed25519 public key (hex) that verifies the store's checkpoints.
    pub checkpoint_public_key: String,
}

pub(crate) const MARKER_FORMAT: &str = "resolute-store";

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Marker {
    pub(crate) fn path(dir: &Path) -> PathBuf {
        dir.join(MARKER_FILE)
    }

    /// The marker of `dir`, `None` if there is none; an unreadable or
    /// malformed marker is an error (the directory's state is unknown).
    pub(crate) fn read(dir: &Path) -> Result<Option<Marker>> {
        let path = Marker::path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, e)),
        };
        let marker: Marker = serde_json::from_str(&text).map_err(|e| StoreError::BadMarker {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        if marker.format != MARKER_FORMAT {
            return Err(StoreError::BadMarker {
                path: path.display().to_string(),
                detail: format!("format is {:?}, expected {MARKER_FORMAT:?}", marker.format),
            });
        }
        Ok(Some(marker))
    }

    pub(crate) fn write(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| StoreError::BadMarker {
            path: Marker::path(dir).display().to_string(),
            detail: e.to_string(),
        })?;
        text.push('\n');
        write_atomically(&Marker::path(dir), text.as_bytes())
    }
}

/// Fixed size of the head witness record: rewritten in place with one
/// `pwrite`, never truncated, so no moment exists where the file is empty.
const WITNESS_LEN: usize = 256;

/// What the head witness file holds: the chain head after some commit of
/// this store, with a MAC so it cannot be lowered without the audit key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Witness {
    pub store_id: String,
    pub seq: i64,
    pub hash: String,
    pub mac: String,
}

impl Witness {
    pub(crate) fn path(dir: &Path) -> PathBuf {
        dir.join(HEAD_FILE)
    }

    pub(crate) fn read(dir: &Path) -> Result<Option<Witness>> {
        let path = Witness::path(dir);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, e)),
        };
        let text = String::from_utf8_lossy(&bytes);
        serde_json::from_str(text.trim_end())
            .map(Some)
            .map_err(|e| StoreError::BadMarker {
                path: path.display().to_string(),
                detail: format!("head witness: {e}"),
            })
    }

    fn record(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        // Pad with spaces (valid JSON whitespace) to the fixed length.
        if line.len() < WITNESS_LEN {
            line.resize(WITNESS_LEN - 1, b' ');
            line.push(b'\n');
        }
        line
    }
}

/// The open head witness file of a running store.
#[derive(Debug)]
pub(crate) struct WitnessFile {
    path: PathBuf,
    file: std::fs::File,
}

impl WitnessFile {
    pub(crate) fn open(dir: &Path) -> Result<WitnessFile> {
        let path = Witness::path(dir);
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        set_private_mode(&mut opts);
        let file = opts.open(&path).map_err(|e| io_err(&path, e))?;
        tighten(&path)?;
        Ok(WitnessFile { path, file })
    }

    /// Overwrite the record in place; `sync` also fsyncs it.
    pub(crate) fn write(&self, w: &Witness, sync: bool) -> Result<()> {
        let record = w.record();
        write_at_start(&self.file, &record).map_err(|e| io_err(&self.path, e))?;
        if sync {
            self.file.sync_data().map_err(|e| io_err(&self.path, e))?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_at_start(file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(bytes, 0)
}

#[cfg(not(unix))]
fn write_at_start(file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut f = file;
    f.seek(SeekFrom::Start(0))?;
    f.write_all(bytes)
}

/// Files are created readable and writable by their owner only (0600).
pub(crate) fn set_private_mode(opts: &mut std::fs::OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = opts;
}

/// Take group and other permissions away from an existing file (0600); a
/// missing file is fine.
pub(crate) fn tighten(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) => {
                let mode = meta.permissions().mode();
                if mode & 0o077 != 0 {
                    let perms = std::fs::Permissions::from_mode(mode & 0o700);
                    std::fs::set_permissions(path, perms).map_err(|e| io_err(path, e))?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(path, e)),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Create `dir` (and parents) with mode 0700 when it does not exist.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| StoreError::Dir {
        path: dir.display().to_string(),
        source,
    })
}

/// Write a file through a temporary sibling, fsync, rename, fsync the
/// directory: readers see the old or the new content, never a part.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        set_private_mode(&mut opts);
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    sync_dir(dir);
    Ok(())
}

/// fsync a directory so a rename in it is durable (best effort: not every
/// platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The first 16 bytes of every SQLite database file.
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What is at the database path before SQLite opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DbFile {
    Missing,
    Empty,
    NotSqlite,
    Sqlite,
}

pub(crate) fn inspect_db_file(path: &Path) -> Result<DbFile> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DbFile::Missing),
        Err(e) => return Err(io_err(path, e)),
    };
    if meta.len() == 0 {
        return Ok(DbFile::Empty);
    }
    let mut head = [0u8; 16];
    let n = read_header(path, &meta, &mut head).map_err(|e| io_err(path, e))?;
    Ok(if n == 16 && &head == SQLITE_MAGIC {
        DbFile::Sqlite
    } else {
        DbFile::NotSqlite
    })
}

/// Reads the start of a database file without ever closing a descriptor of it.
///
/// Closing any descriptor of a file drops every POSIX lock this process holds
/// on it, the locks of SQLite connections already open on it included (another
/// `Store` on the same directory). Another process closing its last connection
/// would then take the database for unused, checkpoint and delete the WAL under
/// those connections, whose next read fails with "disk I/O error" (SQLite, "How
/// To Corrupt An SQLite Database File", §2.2). So the descriptor opened here
/// stays open for the life of the process: one per database file inspected.
#[cfg(unix)]
fn read_header(path: &Path, meta: &std::fs::Metadata, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::os::unix::fs::{FileExt, MetadataExt};
    use std::sync::{Mutex, PoisonError};
    static HELD: Mutex<Vec<((u64, u64), std::fs::File)>> = Mutex::new(Vec::new());
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    let inode = (meta.dev(), meta.ino());
    if let Some((_, file)) = held.iter().find(|(id, _)| *id == inode) {
        return file.read_at(buf, 0);
    }
    let file = std::fs::File::open(path)?;
    // The path may have been replaced since `meta`: key by what was opened.
    let inode = file.metadata().map_or(inode, |m| (m.dev(), m.ino()));
    let read = file.read_at(buf, 0);
    held.push((inode, file));
    read
}

/// Elsewhere SQLite's locks are not POSIX locks tied to the process.
#[cfg(not(unix))]
fn read_header(path: &Path, _: &std::fs::Metadata, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    std::fs::File::open(path)?.read(buf)
}

/// Create an empty database file with mode 0600 before SQLite opens it:
/// SQLite gives its `-wal` and `-shm` files the database file's mode.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    set_private_mode(&mut opts);
    opts.open(path).map(|_| ()).map_err(|e| io_err(path, e))
}
