//! Batch screening at scale: Resolute's screening as Apache DataFusion
//! scalar functions, run embedded on one machine or on an Apache DataFusion
//! Ballista cluster, unchanged.
//!
//! - [`Screening`] (`screening.rs`): lists, regime, optional list history and
//!   their [`Versions`]; built once per process, shared by `Arc`.
//! - `udf.rs`: `screen_name(schema, name, country, birth_date, id_number [, as_of])`
//!   → `List<Struct<ref, list, name, score, match, listed_on, explanation>>`,
//!   `screen_name_error(…)` (the per-row error column: a row that cannot be
//!   screened gets NULL hits and a reason, the job goes on), `screen_tx(json)`
//!   → `Struct<id, decision, findings, matches, error>`, `resolute_versions()`.
//! - `job.rs`: Parquet, CSV and JSON Lines inputs registered as tables; the
//!   result streamed into Parquet (CSV, JSON Lines on request) with the
//!   versions in the file metadata (a `.versions.json` file next to CSV and
//!   JSON Lines), written to `…partial` and renamed when complete.
//! - `shorthand.rs`: the SQL of `resolute batch --names`, `--transactions`,
//!   `--as-of-designations`.
//! - `cluster.rs`: Ballista scheduler and executor processes with the
//!   functions registered, a client session, and the version check carried in
//!   the plans (see its module docs).
//!
//! As-of screening: with a list history (dated versions), `screen_name`'s
//! `as_of` screens against the entries designated on that date — the union of
//! the newest version generated on or before it and the oldest generated on
//! or after it (the first to show that day's designations), filtered by
//! listing date. Without a history, `as_of` filters the current lists by
//! listing date (as `resolute match --as-of`).
//!
//! Build: DataFusion and Ballista are a long cold build (see the lead's CI
//! notes), so nothing else in the workspace depends on this crate by
//! default: the CLI's `resolute batch` and `resolute cluster` exist only in
//! a build with the CLI's feature `batch`
//! (`cargo build --release -p resolute-cli --features batch`), and CI checks
//! and tests this crate in a step of its own
//! (`cargo test -p resolute-batch -p resolute-cli --features resolute-cli/batch`).
//!
//! Caps: `screen_tx` screens each row on its own (no quantity-cap draw-down
//! across rows, whose order a distributed job does not keep); `resolute
//! screen` draws caps down in file order.

pub mod cluster;
pub mod error;
pub mod job;
pub mod screening;
pub mod shorthand;
pub mod udf;

pub use error::{BatchError, Result};
pub use job::{InputFormat, JobSummary, OutputFormat, Progress};
pub use screening::{Screening, ScreeningConfig, Versions};
