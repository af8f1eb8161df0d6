//! Command groups. Each module owns its clap arguments and its `run` functions.

pub mod ais;
pub mod backup;
#[cfg(feature = "batch")]
pub mod batch;
#[cfg(feature = "batch")]
pub mod cluster;
pub mod graph;
pub mod impact;
pub mod lists;
pub mod lists_review;
pub mod matching;
pub mod regime;
pub mod screen;
pub mod service;
