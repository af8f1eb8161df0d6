//! Online backup and verified restore.
//!
//! [`Store::backup_to`] copies the live database with SQLite's online backup
//! API in one step: one read transaction, so the copy is one consistent
//! snapshot while the writer goes on committing (WAL readers do not block
//! writers). The copy is a single self-contained file (rollback journal
//! mode), written beside its destination and renamed into place when
//! complete. The audit key is not in it: keep the key where it is, or with the
//! backup only if the backup is as well protected.
//!
//! [`Store::restore`] checks a backup (`integrity_check`, the whole audit
//! chain and its cross-checks, under the store's audit key) before it puts
//! it into a data directory, writes the marker and head witness for it, and
//! records a `store.restored` audit record naming what was replaced and how
//! many acknowledged records were newer than the backup (lost by the restore).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, ChainHead, ChainState, Expectations, VerifyReport, meta_value};
use crate::chainkey::{AuditKey, AuditKeySource};
use crate::datadir::{
    DbFile, MARKER_FORMAT, Marker, Witness, WitnessFile, create_private_dir, create_private_file,
    inspect_db_file, sync_dir,
};
use crate::open::{IntegrityCheck, OpenOptions, check_integrity};
use crate::{
    DB_FILE, Result, Store, StoreError, SyncMode, now_rfc3339, open_conn, shm_path, wal_path,
};

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub path: String,
    pub store_id: String,
    /// Audit records in the backup.
    pub records: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub bytes: u64,
}

/// How to restore.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// The audit key the backup's chain was keyed with (default: the
    /// environment, else `<data-dir>/audit.key`).
    pub audit_key: AuditKeySource,
    /// Replace a database already in the data directory (its files are
    /// moved aside as `resolute.db.replaced-<time>`, never deleted).
    pub replace: bool,
    /// Who restores (the `store.restored` record's actor).
    pub actor: String,
    pub sync: SyncMode,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            audit_key: AuditKeySource::Environment,
            replace: false,
            actor: "cli".into(),
            sync: SyncMode::default(),
        }
    }
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub from: String,
    pub dir: String,
    pub store_id: String,
    /// Audit records in the backup (the restored log has one more: `store.restored`).
    pub records: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// Files moved aside (with `replace`).
    pub replaced: Vec<String>,
    /// Seq of the last record the data directory had committed, when it was
    /// beyond the backup: the records after `head_seq` are lost.
    pub lost_after: Option<i64>,
    /// The backup's verification.
    pub verify: VerifyReport,
}

fn backup_err(path: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Backup {
        path: path.display().to_string(),
        detail: detail.into(),
    }
}

/// A sibling of `dest` to write into before the rename.
fn partial_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    dest.with_file_name(format!(".{name}.partial"))
}

/// Copy `src` into a new file at `tmp` in one backup step and make it a
/// single-file (rollback journal) database.
fn copy_database(src: &Connection, tmp: &Path) -> Result<()> {
    create_private_file(tmp)?;
    let mut dst = Connection::open(tmp)?;
    {
        let backup = Backup::new(src, &mut dst)?;
        loop {
            // -1: all pages in one step, inside one read transaction of the source.
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::Busy | StepResult::Locked => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                // `More` (not after a -1 step) and future variants: step again.
                _ => {}
            }
        }
    }
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    drop(dst);
    let f = std::fs::File::open(tmp).map_err(|e| crate::datadir::io_err(tmp, e))?;
    f.sync_all().map_err(|e| crate::datadir::io_err(tmp, e))?;
    Ok(())
}

impl Store {
    /// Write a consistent copy of the database to `dest` (which must not
    /// exist) while writers go on; audited as `store.backup` by `actor`.
    pub fn backup_to(&self, dest: &Path, actor: &str) -> Result<BackupReport> {
        if dest.exists() {
            return Err(backup_err(dest, "it exists: refusing to overwrite it"));
        }
        let tmp = partial_path(dest);
        let _ = std::fs::remove_file(&tmp);
        let src = open_conn(self.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let copied = copy_database(&src, &tmp).and_then(|()| {
            let check = Connection::open_with_flags(&tmp, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            check_integrity(&check, IntegrityCheck::Quick)
                .map_err(|d| backup_err(dest, format!("the copy does not check: {d}")))?;
            let head = ChainHead::load(&check)?;
            let records: i64 =
                check.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
            Ok((head, records))
        });
        let (head, records) = match copied {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, dest).map_err(|e| backup_err(dest, e.to_string()))?;
        sync_dir(dest.parent().unwrap_or(Path::new(".")));
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        let report = BackupReport {
            path: dest.display().to_string(),
            store_id: self.store_id().to_string(),
            records,
            head_seq: head.seq,
            head_hash: head.hash,
            bytes,
        };
        self.append_audit(
            "store.backup",
            actor,
            json!({"to": report.path, "head_seq": report.head_seq, "head_hash": report.head_hash, "bytes": bytes}),
        )?;
        Ok(report)
    }

    /// Restore the backup `from` into data directory `dir` (see the module
    /// docs) and open it. Refused: a backup that does not verify under the
    /// audit key, a directory of another store, a directory that already has
    /// a database (unless `replace`).
    pub fn restore(
        from: &Path,
        dir: &Path,
        opts: RestoreOptions,
    ) -> Result<(Store, RestoreReport)> {
        let fail = |detail: String| StoreError::Restore {
            from: from.display().to_string(),
            dir: dir.display().to_string(),
            detail,
        };
        match inspect_db_file(from)? {
            DbFile::Sqlite => {}
            DbFile::Missing => return Err(fail("the backup file does not exist".into())),
            DbFile::Empty => return Err(fail("the backup file is empty".into())),
            DbFile::NotSqlite => {
                return Err(fail("the backup file is not an SQLite database".into()));
            }
        }
        let src = open_conn(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        check_integrity(&src, IntegrityCheck::Full)
            .map_err(|d| fail(format!("the backup is damaged: {d}")))?;
        let meta = |key: &str| -> Result<String> {
            meta_value(&src, key)?.ok_or_else(|| {
                fail(format!(
                    "the backup has no {key}: not a backup of a resolute store of this version"
                ))
            })
        };
        let store_id = meta("store_id")?;
        let key_id = meta("audit_key_id")?;
        let keyed_from: i64 = meta("audit_keyed_from")?
            .parse()
            .map_err(|_| fail("the backup's audit_keyed_from is not a number".into()))?;
        let key_source = opts.audit_key.resolve(dir);
        let (key, _) = AuditKey::load(&key_source, false)?;
        if key.id() != key_id {
            return Err(StoreError::WrongAuditKey {
                source_name: key_source.describe(),
                expected: key_id,
                found: key.id().to_string(),
            });
        }
        let chain = ChainState {
            key,
            keyed_from,
            store_id: store_id.clone(),
        };
        let verify = audit::verify_chain(&src, &chain, &Expectations::default())?;
        if !verify.ok {
            let detail = match (&verify.first_bad, verify.findings.first()) {
                (Some(b), _) => format!("record {}: {}", b.seq, b.detail),
                (None, Some(f)) => f.detail.clone(),
                (None, None) => "verification failed".into(),
            };
            return Err(fail(format!(
                "the backup's audit log does not verify: {detail}"
            )));
        }
        let head = ChainHead::load(&src)?;

        if !dir.exists() {
            create_private_dir(dir)?;
        }
        if let Some(m) = Marker::read(dir)?
            && m.store_id != store_id
        {
            return Err(fail(format!(
                "the directory holds store {}, the backup is of store {store_id}: restore into an empty directory or into the directory of store {store_id}",
                m.store_id
            )));
        }
        let old_witness = Witness::read(dir).ok().flatten();
        let db = dir.join(DB_FILE);
        let existing: Vec<PathBuf> = [db.clone(), wal_path(&db), shm_path(&db)]
            .into_iter()
            .filter(|p| p.exists())
            .collect();
        if !existing.is_empty() && !opts.replace {
            return Err(fail(format!(
                "{} already exists: pass --replace to move the current files aside (they are kept, not deleted)",
                db.display()
            )));
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut replaced = Vec::new();
        for p in existing {
            let mut aside = p.as_os_str().to_owned();
            aside.push(format!(".replaced-{stamp}"));
            std::fs::rename(&p, &aside)
                .map_err(|e| fail(format!("moving {} aside: {e}", p.display())))?;
            replaced.push(PathBuf::from(aside).display().to_string());
        }
        let tmp = dir.join(format!(".{DB_FILE}.restoring"));
        let _ = std::fs::remove_file(&tmp);
        if let Err(e) = copy_database(&src, &tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        drop(src);
        std::fs::rename(&tmp, &db).map_err(|e| fail(format!("moving the copy into place: {e}")))?;
        sync_dir(dir);

        WitnessFile::open(dir)?.write(&chain.witness(&head), true)?;
        Marker {
            format: MARKER_FORMAT.into(),
            store_id: store_id.clone(),
            created_at: Marker::read(dir)?
                .map(|m| m.created_at)
                .unwrap_or_else(now_rfc3339),
            audit_keyed_from: keyed_from,
            audit_key_id: chain.key.id().to_string(),
            checkpoint_public_key: chain.key.public_key_hex(),
        }
        .write(dir)?;

        let store = Store::open_with(
            dir,
            OpenOptions {
                sync: opts.sync,
                create: false,
                audit_key: key_source,
                ..OpenOptions::default()
            },
        )?;
        let lost_after = old_witness
            .filter(|w| w.store_id == store_id && w.seq > head.seq)
            .map(|w| w.seq);
        store.append_audit(
            "store.restored",
            &opts.actor,
            json!({
                "from": from.display().to_string(),
                "backup_head_seq": head.seq,
                "backup_head_hash": head.hash,
                "replaced": replaced,
                "lost_after": lost_after,
            }),
        )?;
        let report = RestoreReport {
            from: from.display().to_string(),
            dir: dir.display().to_string(),
            store_id,
            records: verify.records,
            head_seq: head.seq,
            head_hash: head.hash.clone(),
            replaced,
            lost_after,
            verify,
        };
        Ok((store, report))
    }
}
