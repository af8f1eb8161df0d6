//! The immutable state every screening function holds an `Arc` of: the match
//! index over the lists, the regime, the optional list history for as-of
//! screening, and the versions of all of it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use chrono::NaiveDate;
use resolute_lists::ListVersion;
use resolute_matching::{MatchIndex, MatchOptions};
use resolute_model::{Entity, Source};
use resolute_regime::Regime;
use resolute_screening::ListScreener;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{BatchError, Result};

/// Where the lists and the regime come from, and the match options. Every
/// process of a cluster must be given the same: the resulting [`Versions`]
/// are compared before a job runs.
#[derive(Debug, Clone)]
pub struct ScreeningConfig {
    /// List files (UN XML, OFAC SDN CSV); empty: the bundled lists.
    pub lists: Vec<PathBuf>,
    /// Dated list versions (files or directories of them) for as-of
    /// screening; empty: `as_of` only filters the current lists by listing date.
    pub history: Vec<PathBuf>,
    /// Regime TOML directory; `None`: the embedded regime.
    pub regime_dir: Option<PathBuf>,
    pub threshold: f64,
    pub limit: usize,
    pub cutoff: f64,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        let o = MatchOptions::default();
        ScreeningConfig {
            lists: Vec::new(),
            history: Vec::new(),
            regime_dir: None,
            threshold: o.threshold,
            limit: o.limit,
            cutoff: o.cutoff,
        }
    }
}

/// The versions of everything a result depends on; written into every output
/// file and compared between the processes of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Versions {
    /// `ListVersion::id()` of each list, e.g. `un@2026-02-27#66b392a4`.
    pub lists: Vec<String>,
    /// The list versions of the as-of history, oldest first.
    pub history: Vec<String>,
    /// `dprk-regime#<8 hex>`: SHA-256 over the regime's files (names and text).
    pub regime: String,
    /// `threshold=…,limit=…,cutoff=…`.
    pub options: String,
    /// Version of Resolute that screened.
    pub resolute: String,
}

impl Versions {
    /// 16 hex digits of the SHA-256 of the versions' JSON: equal fingerprints,
    /// equal results.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(&Sha256::digest(json.as_bytes())[..8])
    }

    /// `key → value` pairs for file metadata (`resolute.lists`, …).
    pub fn metadata(&self) -> Vec<(String, String)> {
        vec![
            ("resolute.lists".into(), self.lists.join(",")),
            ("resolute.history".into(), self.history.join(",")),
            ("resolute.regime".into(), self.regime.clone()),
            ("resolute.options".into(), self.options.clone()),
            ("resolute.version".into(), self.resolute.clone()),
            ("resolute.fingerprint".into(), self.fingerprint()),
        ]
    }
}

/// A set of list versions in force on some date (see [`Screening::index_as_of`]).
type SnapshotKey = Vec<usize>;

/// Lists, regime and indexes, built once per process and shared by the
/// functions of every session (`Arc`). Immutable after construction except
/// for the as-of indexes, built on first use.
pub struct Screening {
    versions: Versions,
    fingerprint: String,
    index: MatchIndex,
    options: MatchOptions,
    regime: Arc<Regime>,
    /// For `screen_tx`; built on first use (a second index: jobs that only
    /// screen names do not pay for it).
    parties: OnceLock<ListScreener>,
    history: Vec<ListVersion>,
    snapshots: RwLock<HashMap<SnapshotKey, MatchIndex>>,
}

impl std::fmt::Debug for Screening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screening")
            .field("versions", &self.versions)
            .field("names", &self.index.name_count())
            .finish()
    }
}

fn load_lists(paths: &[PathBuf]) -> Result<Vec<ListVersion>> {
    if paths.is_empty() {
        return resolute_lists::bundled().map_err(BatchError::BundledLists);
    }
    paths
        .iter()
        .map(|p| {
            resolute_lists::load_file(p).map_err(|source| BatchError::List {
                path: p.clone(),
                source,
            })
        })
        .collect()
}

/// List files named directly, or every `.xml`/`.csv` file of a directory (sorted).
fn expand_history(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| BatchError::io(format!("reading {}", p.display()), e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    matches!(f.extension().and_then(|x| x.to_str()), Some("xml" | "csv"))
                        && !f
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("derived-"))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `dprk-regime#<8 hex>` over the files' names and text, in the order given
/// (the same label the service reports for the embedded regime).
fn regime_label(files: &[(String, String)]) -> String {
    let mut all = String::new();
    for (name, text) in files {
        all.push_str(name);
        all.push('\0');
        all.push_str(text);
        all.push('\0');
    }
    format!("dprk-regime#{}", &sha256_hex(all.as_bytes())[..8])
}

fn load_regime(dir: Option<&Path>) -> Result<(Regime, String)> {
    match dir {
        None => {
            let files: Vec<(String, String)> = resolute_regime::embedded_files()
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect();
            let regime = Regime::embedded().map_err(BatchError::Regime)?;
            Ok((regime, regime_label(&files)))
        }
        Some(dir) => {
            let regime = Regime::from_dir(dir).map_err(BatchError::Regime)?;
            let mut dir = dir.to_path_buf();
            if dir.join("dprk").is_dir() {
                dir = dir.join("dprk");
            }
            let mut files = Vec::new();
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| BatchError::io(format!("reading {}", dir.display()), e))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|x| x.to_str()) == Some("toml") {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| BatchError::io(format!("reading {}", path.display()), e))?;
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    files.push((name, text));
                }
            }
            files.sort();
            Ok((regime, regime_label(&files)))
        }
    }
}

impl Screening {
    /// Load the lists, the regime and the history, and build the index.
    pub fn load(config: &ScreeningConfig) -> Result<Screening> {
        let lists = load_lists(&config.lists)?;
        let history = expand_history(&config.history)?
            .iter()
            .map(|p| {
                resolute_lists::load_file(p).map_err(|source| BatchError::List {
                    path: p.clone(),
                    source,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (regime, regime_version) = load_regime(config.regime_dir.as_deref())?;
        Ok(Screening::from_parts(
            lists,
            history,
            regime,
            regime_version,
            config,
        ))
    }

    /// From lists already loaded (tests, benchmarks).
    pub fn from_parts(
        lists: Vec<ListVersion>,
        mut history: Vec<ListVersion>,
        regime: Regime,
        regime_version: String,
        config: &ScreeningConfig,
    ) -> Screening {
        history.sort_by_key(|v| (v.generated, v.source));
        let options = MatchOptions {
            threshold: config.threshold,
            limit: config.limit,
            cutoff: config.cutoff,
            as_of: None,
        };
        let versions = Versions {
            lists: lists.iter().map(ListVersion::id).collect(),
            history: history.iter().map(ListVersion::id).collect(),
            regime: regime_version,
            options: format!(
                "threshold={},limit={},cutoff={}",
                options.threshold, options.limit, options.cutoff
            ),
            resolute: env!("CARGO_PKG_VERSION").to_string(),
        };
        let entities: Vec<Entity> = lists.into_iter().flat_map(|v| v.entities).collect();
        Screening {
            fingerprint: versions.fingerprint(),
            versions,
            index: MatchIndex::build(entities),
            options,
            regime: Arc::new(regime),
            parties: OnceLock::new(),
            history,
            snapshots: RwLock::new(HashMap::new()),
        }
    }

    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    /// See [`Versions::fingerprint`].
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn index(&self) -> &MatchIndex {
        &self.index
    }

    pub fn options(&self) -> &MatchOptions {
        &self.options
    }

    pub fn regime(&self) -> &Regime {
        &self.regime
    }

    /// Party screening for transactions, built on first use.
    pub fn parties(&self) -> &ListScreener {
        self.parties.get_or_init(|| {
            ListScreener::new(self.index.entities().to_vec()).with_options(self.options.clone())
        })
    }

    pub fn has_history(&self) -> bool {
        !self.history.is_empty()
    }

    /// The versions that say what was designated on `date`, per source: the
    /// newest generated on or before `date` (what was listed then, including
    /// entries delisted later) and the oldest generated on or after it (the
    /// first to show designations made on `date` itself: a list published on
    /// 3 July 2017 cannot show the designations of 5 August 2017).
    fn snapshot_key(&self, date: NaiveDate) -> SnapshotKey {
        let mut sources: Vec<Source> = self.history.iter().map(|v| v.source).collect();
        sources.sort();
        sources.dedup();
        let mut key = Vec::new();
        for s in sources {
            let of_source = || {
                self.history
                    .iter()
                    .enumerate()
                    .filter(move |(_, v)| v.source == s)
            };
            let before = of_source()
                .filter(|(_, v)| v.generated.is_none_or(|g| g <= date))
                .max_by_key(|(_, v)| v.generated)
                .map(|(i, _)| i);
            let after = of_source()
                .filter(|(_, v)| v.generated.is_some_and(|g| g >= date))
                .min_by_key(|(_, v)| v.generated)
                .map(|(i, _)| i);
            key.extend(before);
            key.extend(after.filter(|a| Some(*a) != before));
        }
        key
    }

    /// The index to screen as of `date` with the list history: the union of the
    /// versions of [`Self::snapshot_key`] (by entity id, the newer version's
    /// record winning); callers also filter by listing date
    /// (`MatchOptions::as_of`). Without a history: the current index.
    pub fn index_as_of(&self, date: NaiveDate) -> MatchIndex {
        if self.history.is_empty() {
            return self.index.clone();
        }
        let key = self.snapshot_key(date);
        if let Some(ix) = self
            .snapshots
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return ix;
        }
        let mut by_id: BTreeMap<&str, &Entity> = BTreeMap::new();
        // Key order is oldest first within a source, so newer records overwrite.
        for &i in &key {
            for e in &self.history[i].entities {
                by_id.insert(&e.id, e);
            }
        }
        let index = MatchIndex::build(by_id.into_values().cloned().collect());
        match self.snapshots.write() {
            Ok(mut m) => m.entry(key).or_insert(index).clone(),
            Err(_) => index,
        }
    }

    /// Every date on which an entry of the history (or of the current lists,
    /// without a history) was designated, with the entries' references,
    /// optionally only entries of programs starting with `program` (`DPRK`).
    pub fn designation_dates(&self, program: Option<&str>) -> BTreeMap<NaiveDate, Vec<String>> {
        let mut out: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
        let entities: Box<dyn Iterator<Item = &Entity>> = if self.history.is_empty() {
            Box::new(self.index.entities().iter())
        } else {
            Box::new(self.history.iter().flat_map(|v| v.entities.iter()))
        };
        for e in entities {
            if program.is_some_and(|p| !e.in_program(p)) {
                continue;
            }
            if let Some(d) = e.listed_on {
                out.entry(d).or_default().push(e.reference.clone());
            }
        }
        for refs in out.values_mut() {
            refs.sort();
            refs.dedup();
        }
        out
    }
}
