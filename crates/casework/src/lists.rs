//! List versions in force: recording the bundled ones, uploads of new ones,
//! and diffs between any two stored versions.
//!
//! An upload is parsed and checked, its engine (indexes) is built, and only
//! then is the version committed with its audit record and put in force: a
//! file that does not load (malformed, a DOCTYPE, cut short), or a failure
//! anywhere before the commit, leaves the lists in force as they were.
//!
//! A file that loads but looks wrong is *held* for an admin instead of put in
//! force ([`UploadPolicy`]): it removes more than a set share of the entries in
//! force, has more than a set share of bad records, is older than the version
//! in force, or repeats reference numbers. A held version is stored with the
//! reasons and the diff, served to nobody, and goes in force only when an admin
//! confirms it (audited), or is rejected (audited).

use std::sync::Arc;

use resolute_lists::{ListDiff, ListVersion};
use resolute_store::{ListReview, Store, StoredListVersion};
use serde_json::{Value, json};

use crate::Casework;
use crate::engine::{Engine, VersionInfo};
use crate::error::{CaseworkError, Result};

/// The store's record of a parsed version.
pub fn stored_meta(v: &ListVersion, loaded_by: &str) -> StoredListVersion {
    StoredListVersion {
        id: v.id(),
        source: v.source.as_str().to_string(),
        generated: v.generated.map(|d| d.to_string()),
        content_hash: v.content_hash.clone(),
        origin: v.origin.clone(),
        entity_count: v.entities.len() as i64,
        issue_count: v.issues.len() as i64,
        loaded_at: String::new(),
        loaded_by: loaded_by.to_string(),
        active: true,
        stored_bytes: false,
    }
}

/// When a new version is held for an admin's confirmation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UploadPolicy {
    /// Hold when the new version removes more than this share of the entries in force.
    pub max_removed_share: f64,
    /// Hold when more than this share of the records read have issues or were skipped.
    pub max_bad_record_share: f64,
}

impl Default for UploadPolicy {
    /// 5 % each: a real list changes by a few entries a month, and its files
    /// have almost no bad records; a cut or damaged file exceeds both.
    fn default() -> Self {
        UploadPolicy {
            max_removed_share: 0.05,
            max_bad_record_share: 0.05,
        }
    }
}

/// An upload checked and ready to commit.
#[derive(Debug)]
pub struct PreparedUpload {
    pub name: String,
    pub version: Arc<ListVersion>,
    pub previous: Option<Arc<ListVersion>>,
    pub diff: Option<ListDiff>,
    bytes: Vec<u8>,
    /// The engine with this version in force.
    engine: Engine,
}

/// What happened to an upload.
#[derive(Debug)]
pub enum UploadOutcome {
    /// Committed and in force.
    InForce(ListUpload),
    /// Held for an admin (see the module docs); nothing in force changed.
    Held(HeldUpload),
}

/// An upload held for review.
#[derive(Debug)]
pub struct HeldUpload {
    pub review: ListReview,
    pub reasons: Vec<String>,
    pub diff: Option<ListDiff>,
}

/// A committed upload.
#[derive(Debug)]
pub struct ListUpload {
    pub stored: StoredListVersion,
    pub in_force: VersionInfo,
    pub previous: Option<String>,
    pub diff: Option<ListDiff>,
    pub version: Arc<ListVersion>,
}

/// Parse `bytes` as a list file named `name` and build the engine that
/// would serve it (CPU-heavy: run it off the async workers).
pub fn prepare_upload(current: &Engine, name: &str, bytes: Vec<u8>) -> Result<PreparedUpload> {
    if bytes.is_empty() {
        return Err(CaseworkError::InvalidList(
            "empty body: send the list file as the request body".into(),
        ));
    }
    let version = resolute_lists::load_bytes(&format!("upload:{name}"), &bytes).map_err(|e| {
        CaseworkError::InvalidList(format!("{e}; the list version in force is unchanged"))
    })?;
    if version.entities.is_empty() {
        return Err(CaseworkError::InvalidList(format!(
            "{name}: the file parsed but holds no entries ({} record issues); the list version in force is unchanged",
            version.issues.len()
        )));
    }
    let previous = current.version_of(version.source).cloned();
    let diff = previous
        .as_ref()
        .map(|old| resolute_lists::diff(old, &version));
    let version = Arc::new(version);
    let engine = current.with_version(version.clone());
    Ok(PreparedUpload {
        name: name.to_string(),
        version,
        previous,
        diff,
        bytes,
        engine,
    })
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl PreparedUpload {
    /// Why this version should not go in force without an admin's say (empty: it may).
    pub fn hold_reasons(&self, policy: &UploadPolicy) -> Vec<String> {
        let mut reasons = Vec::new();
        let v = &self.version;
        if let (Some(old), Some(diff)) = (&self.previous, &self.diff) {
            let (removed, was) = (diff.removed.len(), old.entities.len());
            if was > 0 && removed as f64 > policy.max_removed_share * was as f64 {
                reasons.push(format!(
                    "removes {removed} of the {was} entries in force ({:.1} %)",
                    percent(removed, was)
                ));
            }
            if let (Some(new), Some(current)) = (v.generated, old.generated)
                && new < current
            {
                reasons.push(format!(
                    "generated {new}, older than the version in force ({current})"
                ));
            }
        }
        let s = &v.summary;
        let bad = s.records_with_issues.max(s.records_skipped);
        if s.records_read > 0 && bad as f64 > policy.max_bad_record_share * s.records_read as f64 {
            reasons.push(format!(
                "{bad} of {} records have issues or were skipped ({:.1} %)",
                s.records_read,
                percent(bad, s.records_read)
            ));
        }
        if !s.duplicate_references.is_empty() {
            let shown: Vec<String> = s
                .duplicate_references
                .iter()
                .take(5)
                .map(|d| {
                    let lines: Vec<String> = d.lines.iter().map(u64::to_string).collect();
                    format!("{} (lines {})", d.reference, lines.join(", "))
                })
                .collect();
            reasons.push(format!(
                "repeats {} reference number(s): {}{}",
                s.duplicate_references.len(),
                shown.join("; "),
                if s.duplicate_references.len() > shown.len() {
                    "; …"
                } else {
                    ""
                }
            ));
        }
        reasons
    }
}

fn diff_counts(diff: Option<&ListDiff>) -> Value {
    diff.map(
        |d| json!({"added": d.added.len(), "removed": d.removed.len(), "changed": d.changed.len()}),
    )
    .unwrap_or(Value::Null)
}

impl Casework {
    /// Record the versions in force that the store does not know yet (the
    /// bundled ones at first start), so `/lists` shows them.
    pub async fn register_versions_in_force(&self) -> Result<()> {
        let known: Vec<String> = self
            .store()
            .list_versions()?
            .into_iter()
            .map(|v| v.id)
            .collect();
        let engine = self.engine();
        for v in &engine.versions {
            let id = v.id();
            if known.contains(&id) {
                continue;
            }
            let payload = json!({"version": id, "origin": v.origin, "entities": v.entities.len(), "issues": v.issues.len(), "bundled": true});
            self.store()
                .save_list_version(stored_meta(v, "system"), None, Some(payload))
                .await?;
        }
        Ok(())
    }

    /// Commit a prepared upload: in force, or held for review when the policy
    /// finds a reason (see the module docs). Blocking (SQLite).
    pub fn submit_upload(
        &self,
        up: PreparedUpload,
        actor: &str,
        policy: &UploadPolicy,
    ) -> Result<UploadOutcome> {
        let reasons = up.hold_reasons(policy);
        if reasons.is_empty() {
            return self.commit_upload(up, actor).map(UploadOutcome::InForce);
        }
        let mut meta = stored_meta(&up.version, actor);
        meta.origin = up.name.clone();
        meta.active = false;
        meta.stored_bytes = true;
        let summary = json!({
            "previous": up.previous.as_ref().map(|v| v.id()),
            "diff_counts": diff_counts(up.diff.as_ref()),
            "records": up.version.summary,
        });
        let review =
            self.store()
                .hold_list_version(meta, up.bytes, &reasons.join("; "), summary, actor)?;
        Ok(UploadOutcome::Held(HeldUpload {
            review,
            reasons,
            diff: up.diff,
        }))
    }

    /// The versions waiting for an admin.
    pub fn pending_versions(&self) -> Result<Vec<ListReview>> {
        Ok(self.store().list_reviews(false)?)
    }

    /// Put a held version in force: it must still load and its engine build
    /// before the confirmation is committed (audited), then it is swapped in.
    pub fn confirm_pending(&self, id: &str, actor: &str, note: &str) -> Result<ListUpload> {
        let pending = self
            .pending_versions()?
            .into_iter()
            .find(|r| r.version.id == id)
            .ok_or_else(|| CaseworkError::not_found(format!("pending list version {id:?}")))?;
        let bytes = self.store().list_version_bytes(id)?.ok_or_else(|| {
            CaseworkError::Corrupt(format!("pending list version {id}: no bytes"))
        })?;
        let version = resolute_lists::load_bytes(&pending.version.origin, &bytes)
            .map(Arc::new)
            .map_err(|e| CaseworkError::Corrupt(format!("pending list version {id}: {e}")))?;
        let current = self.engine();
        let previous = current.version_of(version.source).cloned();
        let diff = previous
            .as_ref()
            .map(|old| resolute_lists::diff(old, &version));
        let engine = current.with_version(version.clone());
        let review = self.store().confirm_list_version(id, actor, note)?;
        self.swap_engine(engine);
        Ok(ListUpload {
            stored: review.version,
            in_force: VersionInfo::of(&version),
            previous: previous.as_ref().map(|v| v.id()),
            diff,
            version,
        })
    }

    /// Turn a held version down (audited); nothing in force changes.
    pub fn reject_pending(&self, id: &str, actor: &str, note: &str) -> Result<ListReview> {
        Ok(self.store().reject_list_version(id, actor, note)?)
    }

    /// Commit a prepared upload with its audit record, then put it in force
    /// (no policy check: [`Casework::submit_upload`] is the way in).
    fn commit_upload(&self, up: PreparedUpload, actor: &str) -> Result<ListUpload> {
        let PreparedUpload {
            name,
            version,
            previous,
            diff,
            bytes,
            engine,
        } = up;
        let payload = json!({
            "version": version.id(),
            "origin": name,
            "source": version.source.as_str(),
            "entities": version.entities.len(),
            "issues": version.issues.len(),
            "previous": previous.as_ref().map(|v| v.id()),
            "diff_counts": diff_counts(diff.as_ref()),
        });
        let mut meta = stored_meta(&version, actor);
        meta.origin = name;
        let stored = self
            .store()
            .save_list_version_blocking(meta, Some(bytes), Some(payload))?;
        self.swap_engine(engine);
        Ok(ListUpload {
            stored,
            in_force: VersionInfo::of(&version),
            previous: previous.as_ref().map(|v| v.id()),
            diff,
            version,
        })
    }
}

/// A stored version by id: one in force, a bundled one, or an uploaded file.
fn stored_version(engine: &Engine, store: &Store, id: &str) -> Result<Arc<ListVersion>> {
    if let Some(v) = engine.versions.iter().find(|v| v.id() == id) {
        return Ok(v.clone());
    }
    if let Ok(bundled) = resolute_lists::bundled()
        && let Some(v) = bundled.into_iter().find(|v| v.id() == id)
    {
        return Ok(Arc::new(v));
    }
    let bytes = store
        .list_version_bytes(id)?
        .ok_or_else(|| CaseworkError::not_found(format!("list version {id:?} (see GET /lists)")))?;
    resolute_lists::load_bytes(id, &bytes)
        .map(Arc::new)
        .map_err(|e| CaseworkError::Corrupt(format!("stored list version {id}: {e}")))
}

/// The changes from version `from` to version `to` of one list.
pub fn diff_versions(casework: &Casework, from: &str, to: &str) -> Result<Value> {
    let engine = casework.engine();
    let old = stored_version(&engine, casework.store(), from)?;
    let new = stored_version(&engine, casework.store(), to)?;
    if old.source != new.source {
        return Err(CaseworkError::invalid(
            "to",
            format!("{from} and {to} are versions of different lists"),
        ));
    }
    Ok(serde_json::to_value(resolute_lists::diff(&old, &new)).unwrap_or(Value::Null))
}
