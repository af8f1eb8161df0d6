//! The Resolute HTTP service and web UI.
//!
//! [`serve`] opens the store in the data directory, loads the lists (bundled,
//! or the last uploaded version of each source) and the regime into an
//! [`engine::Engine`], and serves the API and the UI from one axum router
//! ([`router`]). Every screening is written to the audit log before it is
//! answered. Routes are grouped by the role they need (`viewer`, `screener`,
//! `admin`); only `/healthz`, `/readyz` and the UI's static files are open.

mod analysis;
pub mod auth;
pub mod caps;
pub mod engine;
pub mod error;
pub mod metrics;
pub mod names;
mod openapi;
mod routes;
pub mod transactions;
mod ui;

use axum::serve::ListenerExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use resolute_lists::ListVersion;
use resolute_model::Source;
use resolute_regime::Regime;
use resolute_store::{Role, Store, StoreOptions, StoredListVersion, Suppression, SyncMode};

pub use routes::router;

use crate::engine::{Engine, EngineCell};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] resolute_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Config(String),
}

/// Active suppressions keyed by (query key, entity id).
pub type SuppressionMap = HashMap<(String, String), Suppression>;

/// Service settings (`resolute serve` flags).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    pub sync: SyncMode,
    /// Largest JSON request body, bytes.
    pub max_body: usize,
    /// Largest list upload, bytes.
    pub max_upload: usize,
    /// Most queries or transactions in one request.
    pub max_batch: usize,
}

impl ServerConfig {
    pub fn new(data_dir: PathBuf, addr: SocketAddr) -> Self {
        ServerConfig {
            data_dir,
            addr,
            sync: SyncMode::Full,
            max_body: 1 << 20,
            max_upload: 64 << 20,
            max_batch: 100,
        }
    }
}

/// Shared state of all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub store: Store,
    pub engine: Arc<EngineCell>,
    pub keys: Arc<auth::KeyCache>,
    pub metrics: Arc<metrics::Metrics>,
    /// Active suppressions by (query key, entity id).
    suppressions: Arc<RwLock<Arc<SuppressionMap>>>,
    /// Serialises list uploads (one engine rebuild at a time).
    pub upload_lock: Arc<tokio::sync::Mutex<()>>,
    /// The committed cap ledger; held by screenings that draw on caps (see [`caps`]).
    pub caps: Arc<tokio::sync::Mutex<caps::CapBalances>>,
}

impl AppState {
    /// Open the store and load the engine (synchronously; call from a blocking context).
    pub fn open(config: ServerConfig) -> Result<AppState, ServerError> {
        let store = Store::open(&config.data_dir, StoreOptions { sync: config.sync })?;
        let engine = load_engine(&store);
        let cap_balances = caps::load_balances(&store)?;
        let state = AppState {
            config: Arc::new(config),
            store,
            engine: Arc::new(EngineCell::new(engine)),
            keys: Arc::default(),
            metrics: Arc::default(),
            suppressions: Arc::default(),
            upload_lock: Arc::default(),
            caps: Arc::new(tokio::sync::Mutex::new(cap_balances)),
        };
        state.reload_suppressions()?;
        Ok(state)
    }

    pub fn suppressions_snapshot(&self) -> Arc<SuppressionMap> {
        match self.suppressions.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn reload_suppressions(&self) -> Result<(), ServerError> {
        let all = self.store.suppressions(false)?;
        let map: HashMap<_, _> = all
            .into_iter()
            .map(|s| ((s.query_key.clone(), s.entity_id.clone()), s))
            .collect();
        match self.suppressions.write() {
            Ok(mut g) => *g = Arc::new(map),
            Err(p) => *p.into_inner() = Arc::new(map),
        }
        Ok(())
    }
}

/// Lists in force: per source, the active uploaded version from the store if
/// any, else the bundled one. Problems are kept (for `/readyz`), never fatal.
fn load_engine(store: &Store) -> Engine {
    let mut problems = Vec::new();
    let mut versions: Vec<Arc<ListVersion>> = Vec::new();
    match store.active_uploaded_lists() {
        Ok(uploaded) => {
            for (meta, bytes) in uploaded {
                match resolute_lists::load_bytes(&meta.origin, &bytes) {
                    Ok(v) => versions.push(Arc::new(v)),
                    Err(e) => problems.push(format!("stored list version {}: {e}", meta.id)),
                }
            }
        }
        Err(e) => problems.push(format!("stored list versions: {e}")),
    }
    match resolute_lists::bundled() {
        Ok(bundled) => {
            for v in bundled {
                if !versions.iter().any(|x| x.source == v.source) {
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
    Engine::build(versions, regime, problems)
}

/// Record the bundled versions in the store so `/lists` shows them.
async fn register_versions(state: &AppState) -> Result<(), ServerError> {
    let known: Vec<String> = state
        .store
        .list_versions()?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let engine = state.engine.get();
    for v in &engine.versions {
        let id = v.id();
        if known.contains(&id) {
            continue;
        }
        let meta = stored_meta(v, "system");
        let payload = serde_json::json!({"version": id, "origin": v.origin, "entities": v.entities.len(), "issues": v.issues.len(), "bundled": true});
        state
            .store
            .save_list_version(meta, None, Some(payload))
            .await?;
    }
    Ok(())
}

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

pub fn source_name(s: Source) -> &'static str {
    s.as_str()
}

/// A new screening id (`scr_` + 64 random bits, hex).
pub fn new_screening_id() -> String {
    match resolute_store::random_hex(8) {
        Ok(h) => format!("scr_{h}"),
        Err(_) => format!(
            "scr_t{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
    }
}

/// The bootstrap admin key: on first start (no key in the store), take
/// `RESOLUTE_ADMIN_KEY` or create one. Returns the token to print (only when created here).
pub fn bootstrap_admin(
    store: &Store,
    from_env: Option<&str>,
) -> Result<Option<String>, ServerError> {
    if store.key_count()? > 0 {
        return Ok(None);
    }
    match from_env.map(str::trim).filter(|s| !s.is_empty()) {
        Some(token) => {
            store.import_admin_key(token)?;
            Ok(None)
        }
        None => Ok(Some(
            store.create_key(Role::Admin, "bootstrap", "system")?.token,
        )),
    }
}

/// Run the service until Ctrl-C / SIGTERM. `on_ready` gets the bound address.
pub async fn serve(
    config: ServerConfig,
    admin_key_env: Option<String>,
    on_ready: impl FnOnce(SocketAddr, Option<String>),
) -> Result<(), ServerError> {
    let addr = config.addr;
    let state = tokio::task::spawn_blocking(move || AppState::open(config))
        .await
        .map_err(|e| ServerError::Config(format!("startup task: {e}")))??;
    let bootstrap = {
        let store = state.store.clone();
        tokio::task::spawn_blocking(move || bootstrap_admin(&store, admin_key_env.as_deref()))
            .await
            .map_err(|e| ServerError::Config(format!("startup task: {e}")))??
    };
    register_versions(&state).await?;
    for p in &state.engine.get().problems {
        tracing::warn!("{p}");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let local = listener.local_addr()?;
    on_ready(local, bootstrap);
    let store = state.store.clone();
    axum::serve(listener.tap_io(no_delay), router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.close();
    Ok(())
}

/// [`serve`] on its own multi-threaded runtime (for the CLI).
pub fn serve_blocking(
    config: ServerConfig,
    admin_key_env: Option<String>,
    on_ready: impl FnOnce(SocketAddr, Option<String>),
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config, admin_key_env, on_ready))
}

/// Serve an already-open state on a listener (tests).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> Result<(), ServerError> {
    register_versions(&state).await?;
    axum::serve(listener.tap_io(no_delay), router(state)).await?;
    Ok(())
}

/// Answers go out at once: a response is one write, and Nagle's algorithm
/// would only hold back the tail of a large one until the client's ACK.
fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY: {e}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
