use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct MatchArgs {}

#[derive(Debug, Args)]
pub struct CompareArgs {}

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn run_match(_a: MatchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

pub fn run_compare(_a: CompareArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

pub fn bench(_a: BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
