//! The application layer: everything a screening desk *records*.
//!
//! The domain crates decide (`resolute-matching` scores names,
//! `resolute-screening` turns a transaction into a cited decision); the store
//! keeps (`resolute-store`: SQLite, hash-chained audit log). This crate owns
//! the rules in between, once, for every adapter (the HTTP server, the CLI):
//!
//! - what is screened against: the list versions and regime in force
//!   ([`engine`]), swapped whole when a list is uploaded;
//! - recorded screenings of names ([`names`]) and transactions
//!   ([`transactions`]): screen, open cases, draw on caps, commit the audit
//!   record with its cases and draws in one transaction, retry when another
//!   writer moved the cap ledger;
//! - which outcome opens a case ([`cases`]), false-positive decisions and when
//!   they hold ([`suppress`]), quantity-cap ledgers and opening amounts
//!   ([`caps`]);
//! - list versions: recording them, uploads, diffs ([`lists`]);
//! - dates as requests give them ([`dates`]).
//!
//! Everything here is synchronous: the server runs it on its blocking pool,
//! the CLI calls it directly. [`Casework`] holds the state shared between
//! screenings (the engine in force, the suppressions, the cap ledger).

pub mod caps;
pub mod cases;
pub mod dates;
pub mod engine;
pub mod error;
pub mod lists;
pub mod names;
pub mod suppress;
pub mod transactions;

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use resolute_store::{Case, CaseResolution, Store, Suppression};

pub use engine::{DATASETS, Engine, EngineCell, VersionInfo, entity_json};
pub use error::{CaseworkError, Result};

use crate::caps::CapBalances;
use crate::suppress::SuppressionSet;

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

/// The shared state of recorded screening over one store.
#[derive(Debug)]
pub struct Casework {
    store: Store,
    engine: Arc<EngineCell>,
    /// Suppressions not revoked; replaced whole after each change.
    suppressions: RwLock<Arc<SuppressionSet>>,
    /// The committed cap ledger; held by screenings that draw on caps.
    ledger: Mutex<CapBalances>,
}

impl Casework {
    /// Casework over `store`, screening against `engine`.
    pub fn open(store: Store, engine: Engine) -> Result<Casework> {
        let suppressions = SuppressionSet::load(&store)?;
        let ledger = caps::load_balances(&store)?;
        Ok(Casework {
            store,
            engine: Arc::new(EngineCell::new(engine)),
            suppressions: RwLock::new(Arc::new(suppressions)),
            ledger: Mutex::new(ledger),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The engine in force (lists, indexes, regime).
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.get()
    }

    /// Put `engine` in force (after its list version was committed).
    pub fn swap_engine(&self, engine: Engine) {
        self.engine.swap(engine);
    }

    pub fn suppressions(&self) -> Arc<SuppressionSet> {
        match self.suppressions.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Re-read the suppressions (after a case was closed or one was revoked).
    pub fn reload_suppressions(&self) -> Result<()> {
        let set = Arc::new(SuppressionSet::load(&self.store)?);
        match self.suppressions.write() {
            Ok(mut g) => *g = set,
            Err(p) => *p.into_inner() = set,
        }
        Ok(())
    }

    /// Close a case; a false positive on a list entry suppresses that
    /// query–entry pair from now on (until the entry changes).
    pub fn close_case(
        &self,
        id: i64,
        resolution: CaseResolution,
        note: &str,
        actor: &str,
    ) -> Result<(Case, Option<Suppression>)> {
        let closed = self
            .store
            .close_case_blocking(id, resolution, note, actor)?;
        if closed.1.is_some() {
            self.reload_suppressions()?;
        }
        Ok(closed)
    }

    /// Revoke a suppression: its pair is screened as before from now on.
    pub async fn revoke_suppression(&self, id: i64, actor: &str) -> Result<()> {
        self.store.revoke_suppression(id, actor).await?;
        self.reload_suppressions()
    }

    /// The cap ledger, held until the guard drops.
    fn ledger(&self) -> MutexGuard<'_, CapBalances> {
        // A panic while holding it leaves the amounts as last committed: still valid.
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-read the committed cap ledger into `ledger`.
    fn reload_ledger(&self, ledger: &mut CapBalances) -> Result<()> {
        *ledger = caps::load_balances(&self.store)?;
        Ok(())
    }
}
