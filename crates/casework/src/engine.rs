//! What screenings run against: the list versions in force, one match index
//! per dataset, entry fingerprints (for suppressions) and the regime.
//!
//! An [`Engine`] is immutable; a list upload builds a new one and swaps the
//! `Arc` in [`EngineCell`], so screenings in flight finish on the old one and a
//! rejected upload never touches what is in force.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use resolute_lists::ListVersion;
use resolute_matching::MatchIndex;
use resolute_model::{Entity, Source};
use resolute_regime::Regime;
use resolute_store::{Store, canonical_json, sha256_hex};
use serde_json::{Value, json};

/// The yente-style datasets served.
pub const DATASETS: [(&str, &str); 3] = [
    (
        "default",
        "All lists: UN Security Council Consolidated List and OFAC SDN",
    ),
    ("un_sc_sanctions", "UN Security Council Consolidated List"),
    ("us_ofac_sdn", "US OFAC Specially Designated Nationals list"),
];

/// Summary of a list version in force.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionInfo {
    pub id: String,
    /// `un` or `ofac-sdn`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub source: Source,
    pub generated: Option<String>,
    pub content_hash: String,
    pub origin: String,
    pub entities: usize,
    pub issues: usize,
}

impl VersionInfo {
    pub fn of(v: &ListVersion) -> Self {
        VersionInfo {
            id: v.id(),
            source: v.source,
            generated: v.generated.map(|d| d.to_string()),
            content_hash: v.content_hash.clone(),
            origin: v.origin.clone(),
            entities: v.entities.len(),
            issues: v.issues.len(),
        }
    }
}

#[derive(Debug)]
pub struct Engine {
    /// The version in force for each source (full data, for diffs).
    pub versions: Vec<Arc<ListVersion>>,
    pub version_info: Vec<VersionInfo>,
    /// dataset name → index.
    pub indexes: HashMap<&'static str, MatchIndex>,
    /// entity id → (dataset-`default` index position).
    positions: HashMap<String, usize>,
    /// Each entity's JSON (`names::entity_json`), by default-index position,
    /// made on first use: a hit's entity part is the same on every request.
    entity_json: Vec<OnceLock<Box<str>>>,
    /// The `/search` word index over the `default` index's entities, made on
    /// first use ([`crate::names::search::text_index`]).
    pub(crate) text_index: OnceLock<crate::names::search::TextIndex>,
    /// entity id → fingerprint of the entry's content.
    fingerprints: HashMap<String, String>,
    /// Party screening for transactions (names, IMO numbers, BICs).
    pub parties: Option<Arc<resolute_screening::ListScreener>>,
    /// list reference (`KPe.047`, OFAC ent_num) → entity id.
    by_ref: HashMap<String, String>,
    pub regime: Option<Arc<Regime>>,
    pub regime_version: String,
    /// Why something is missing (lists or regime failed to load).
    pub problems: Vec<String>,
    /// Sources (`un`, `ofac-sdn`) whose stored version in force no longer
    /// loads. Their bundled list is NOT put in its place: screening against an
    /// older list without saying so would be worse than refusing to screen.
    pub failed_sources: Vec<String>,
    /// Built without lists on purpose (`resolute screen --no-lists`: the
    /// regime's rules only); otherwise an engine with no list is not ready.
    pub lists_optional: bool,
}

/// Content fingerprint of a list entry: changes whenever the list changes the entry.
pub fn entity_fingerprint(e: &Entity) -> String {
    let value = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
    sha256_hex(canonical_json(&value).as_bytes())[..32].to_string()
}

/// Version label of the regime data: a hash over the embedded files.
pub fn regime_version() -> String {
    let mut all = String::new();
    for (name, text) in resolute_regime::embedded_files() {
        all.push_str(name);
        all.push('\0');
        all.push_str(text);
        all.push('\0');
    }
    format!("dprk-regime#{}", &sha256_hex(all.as_bytes())[..8])
}

/// An entity in yente's `EntityResponse` shape (FtM id, caption, schema,
/// properties, datasets…) plus Resolute's list metadata (`ref`, `source`,
/// `programs`, `listed_on`, `names`).
pub fn entity_json(e: &Entity) -> Value {
    json!({
        "id": e.id,
        "caption": e.caption,
        "schema": e.schema.as_str(),
        "properties": e.properties,
        "datasets": e.datasets,
        "referents": [],
        "target": true,
        "first_seen": e.listed_on.map(|d| format!("{d}T00:00:00")),
        "last_seen": Value::Null,
        "last_change": e.last_updated.iter().max().map(|d| format!("{d}T00:00:00")),
        "ref": e.reference,
        "source": e.source.as_str(),
        "programs": e.programs,
        "listed_on": e.listed_on,
        "names": e.names,
    })
}

impl Engine {
    /// The lists in force: per source, the active uploaded version from the
    /// store if any, else the bundled one; and the embedded regime. Problems
    /// (a stored version that no longer loads, a regime error) are kept in
    /// [`Engine::problems`], never fatal, so the service can say what is wrong;
    /// a stored version that does not load leaves its source failed (not
    /// ready) rather than quietly back on the bundled list.
    pub fn load(store: &Store) -> Engine {
        let mut problems = Vec::new();
        let mut failed_sources = Vec::new();
        let mut versions: Vec<Arc<ListVersion>> = Vec::new();
        match store.active_uploaded_lists() {
            Ok(uploaded) => {
                for (meta, bytes) in uploaded {
                    match resolute_lists::load_bytes(&meta.origin, &bytes) {
                        Ok(v) => versions.push(Arc::new(v)),
                        Err(e) => {
                            problems.push(format!(
                                "stored list version {} [{}] does not load: {e}; upload a good version or restore a backup",
                                meta.id, meta.source
                            ));
                            failed_sources.push(meta.source.clone());
                        }
                    }
                }
            }
            Err(e) => {
                problems.push(format!("stored list versions cannot be read: {e}"));
                failed_sources.extend(["un".to_string(), "ofac-sdn".to_string()]);
            }
        }
        match resolute_lists::bundled() {
            Ok(bundled) => {
                for v in bundled {
                    let taken = versions.iter().any(|x| x.source == v.source)
                        || failed_sources.iter().any(|s| s == v.source.as_str());
                    if !taken {
                        versions.push(Arc::new(v));
                    }
                }
            }
            Err(e) => problems.push(format!("bundled lists: {e}")),
        }
        versions.sort_by_key(|v| v.source);
        let regime = match Regime::embedded() {
            Ok(r) => Some(Arc::new(r)),
            Err(e) => {
                problems.push(format!("regime: {e}"));
                None
            }
        };
        let mut engine = Engine::build(versions, regime, problems);
        engine.failed_sources = failed_sources;
        engine
    }

    /// The same regime and problems with `version` in force for its source
    /// (a list upload): the engine to swap in once the upload is committed.
    pub fn with_version(&self, version: Arc<ListVersion>) -> Engine {
        let source = version.source.as_str();
        let mut versions: Vec<Arc<ListVersion>> = self
            .versions
            .iter()
            .filter(|v| v.source != version.source)
            .cloned()
            .collect();
        versions.push(version);
        versions.sort_by_key(|v| v.source);
        let fixed = format!("[{source}]");
        let problems = self
            .problems
            .iter()
            .filter(|p| !p.starts_with("bundled lists") && !p.contains(&fixed))
            .cloned()
            .collect();
        let mut engine = Engine::build(versions, self.regime.clone(), problems);
        engine.failed_sources = self
            .failed_sources
            .iter()
            .filter(|s| *s != source)
            .cloned()
            .collect();
        engine
    }

    pub fn build(
        versions: Vec<Arc<ListVersion>>,
        regime: Option<Arc<Regime>>,
        problems: Vec<String>,
    ) -> Engine {
        let all: Vec<Entity> = versions
            .iter()
            .flat_map(|v| v.entities.iter().cloned())
            .collect();
        let by_source = |s: Source| {
            all.iter()
                .filter(|e| e.source == s)
                .cloned()
                .collect::<Vec<_>>()
        };
        let un = by_source(Source::Un);
        let ofac = by_source(Source::OfacSdn);
        let fingerprints = all
            .iter()
            .map(|e| (e.id.clone(), entity_fingerprint(e)))
            .collect();
        let by_ref = all
            .iter()
            .map(|e| (e.reference.clone(), e.id.clone()))
            .collect();
        let parties =
            (!all.is_empty()).then(|| Arc::new(resolute_screening::ListScreener::new(all.clone())));
        let default = MatchIndex::build(all);
        let positions = default
            .entities()
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let entity_json = default.entities().iter().map(|_| OnceLock::new()).collect();
        let mut indexes = HashMap::new();
        indexes.insert("default", default);
        indexes.insert("un_sc_sanctions", MatchIndex::build(un));
        indexes.insert("us_ofac_sdn", MatchIndex::build(ofac));
        Engine {
            version_info: versions.iter().map(|v| VersionInfo::of(v)).collect(),
            versions,
            indexes,
            positions,
            entity_json,
            text_index: OnceLock::new(),
            fingerprints,
            parties,
            by_ref,
            regime,
            regime_version: regime_version(),
            problems,
            failed_sources: Vec::new(),
            lists_optional: false,
        }
    }

    /// Label the regime with `label` (a regime read from a directory, not the embedded one).
    /// This engine screens on the regime's rules alone, by the caller's choice.
    pub fn without_lists_by_choice(mut self) -> Engine {
        self.lists_optional = true;
        self
    }

    pub fn with_regime_version(mut self, label: String) -> Engine {
        self.regime_version = label;
        self
    }

    pub fn index(&self, dataset: &str) -> Option<&MatchIndex> {
        self.indexes.get(dataset)
    }

    /// The entity and its position in the `default` index.
    fn located(&self, id: &str) -> Option<(usize, &Entity)> {
        let pos = *self.positions.get(id)?;
        Some((pos, self.indexes.get("default")?.entities().get(pos)?))
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.located(id).map(|(_, e)| e)
    }

    /// The entity's JSON object as text (made once per engine).
    pub fn entity_json_text(&self, id: &str) -> Option<&str> {
        let (pos, e) = self.located(id)?;
        let cell = self.entity_json.get(pos)?;
        Some(cell.get_or_init(|| entity_json(e).to_string().into_boxed_str()))
    }

    /// Every entity of the lists in force (the `default` index's, in its order).
    pub fn default_entities(&self) -> &[Entity] {
        self.indexes
            .get("default")
            .map(MatchIndex::entities)
            .unwrap_or(&[])
    }

    pub fn entity_by_ref(&self, reference: &str) -> Option<&Entity> {
        self.entity(self.by_ref.get(reference)?)
    }

    pub fn fingerprint(&self, id: &str) -> Option<&str> {
        self.fingerprints.get(id).map(String::as_str)
    }

    pub fn version_ids(&self) -> Vec<String> {
        self.version_info.iter().map(|v| v.id.clone()).collect()
    }

    pub fn version_of(&self, source: Source) -> Option<&Arc<ListVersion>> {
        self.versions.iter().find(|v| v.source == source)
    }

    pub fn entity_count(&self) -> usize {
        self.positions.len()
    }

    /// Ready to screen: at least one list (unless built without lists by
    /// choice) and the regime loaded, and no stored list in force that
    /// failed to load.
    pub fn ready(&self) -> bool {
        (self.lists_optional || !self.versions.is_empty())
            && self.regime.is_some()
            && self.failed_sources.is_empty()
    }
}

/// The engine in force, swapped atomically.
#[derive(Debug)]
pub struct EngineCell {
    current: RwLock<Arc<Engine>>,
}

impl EngineCell {
    pub fn new(engine: Engine) -> Self {
        EngineCell {
            current: RwLock::new(Arc::new(engine)),
        }
    }

    pub fn get(&self) -> Arc<Engine> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn swap(&self, engine: Engine) {
        let new = Arc::new(engine);
        match self.current.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }
}
