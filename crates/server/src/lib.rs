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
mod caps;
pub mod error;
pub mod listener;
pub mod metrics;
pub mod names;
mod openapi;
mod routes;
mod transactions;
mod ui;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use resolute_casework::{Casework, Engine};
use resolute_store::{Role, Store, StoreOptions, SyncMode};

pub use routes::router;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] resolute_store::StoreError),
    #[error(transparent)]
    Casework(#[from] resolute_casework::CaseworkError),
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
    /// Connections, header/idle and body timeouts.
    pub limits: listener::Limits,
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
            limits: listener::Limits::default(),
        }
    }
}

/// Shared state of all handlers: the settings, the application layer and
/// what only HTTP needs (key cache, metrics, the upload lock).
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub casework: Arc<Casework>,
    /// The store under `casework` (the same one).
    pub store: Store,
    pub keys: Arc<auth::KeyCache>,
    pub metrics: Arc<metrics::Metrics>,
    /// Serialises list uploads (one engine rebuild at a time).
    pub upload_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Open the store and load the engine (synchronously; call from a blocking context).
    pub fn open(config: ServerConfig) -> Result<AppState, ServerError> {
        let store = Store::open(&config.data_dir, StoreOptions { sync: config.sync })?;
        let engine = Engine::load(&store);
        let casework = Casework::open(store.clone(), engine)?;
        Ok(AppState {
            config: Arc::new(config),
            casework: Arc::new(casework),
            store,
            keys: Arc::default(),
            metrics: Arc::default(),
            upload_lock: Arc::default(),
        })
    }

    /// The engine in force.
    pub fn engine(&self) -> Arc<Engine> {
        self.casework.engine()
    }
}

/// Run `f` on the blocking pool (matching, SQLite): the async workers stay
/// free for `/healthz` and the other requests.
pub(crate) async fn blocking<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, error::ApiError>
where
    T: Send + 'static,
    E: Into<error::ApiError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(error::ApiError::internal(format!(
            "background task failed: {e}"
        ))),
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
    state.casework.register_versions_in_force().await?;
    for p in &state.engine().problems {
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
    let limits = state.config.limits;
    listener::serve(listener, router(state), limits, shutdown_signal()).await;
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
    state.casework.register_versions_in_force().await?;
    let limits = state.config.limits;
    listener::serve(listener, router(state), limits, std::future::pending()).await;
    Ok(())
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
