//! Command groups. Each module owns its clap arguments and its `run` functions.

use std::process::ExitCode;

use clap::Subcommand;

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

/// Benchmarks: each prints its own figures; the scripts in `scripts/bench-*`
/// print them next to the anchor's on the same input.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Parse list files into the model, timed.
    Lists(lists::BenchArgs),
    /// Name matching throughput, latency, index build, scaling.
    Match(matching::BenchArgs),
    /// Rule evaluation of goods declarations, with and without party screening.
    Screen(screen::BenchArgs),
}

pub fn run_bench(c: BenchCmd) -> anyhow::Result<ExitCode> {
    match c {
        BenchCmd::Lists(a) => lists::bench(a),
        BenchCmd::Match(a) => matching::bench(a),
        BenchCmd::Screen(a) => screen::bench(a),
    }
}

/// Deterministic xorshift generator: benchmark inputs must be the same on every run.
#[derive(Debug)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}
