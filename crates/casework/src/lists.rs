//! List versions in force: recording the bundled ones, uploads of new ones,
//! and diffs between any two stored versions.
//!
//! An upload is parsed and checked, its engine (indexes) is built, and only
//! then is the version committed with its audit record and put in force: a
//! file that does not load, or a failure anywhere before the commit, leaves
//! the lists in force as they were.

use std::sync::Arc;

use resolute_lists::{ListDiff, ListVersion};
use resolute_store::{Store, StoredListVersion};
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

    /// Commit a prepared upload with its audit record, then put it in force.
    pub async fn commit_upload(&self, up: PreparedUpload, actor: &str) -> Result<ListUpload> {
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
            "diff_counts": diff.as_ref().map(|d| json!({"added": d.added.len(), "removed": d.removed.len(), "changed": d.changed.len()})),
        });
        let mut meta = stored_meta(&version, actor);
        meta.origin = name;
        let stored = self
            .store()
            .save_list_version(meta, Some(bytes), Some(payload))
            .await?;
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
