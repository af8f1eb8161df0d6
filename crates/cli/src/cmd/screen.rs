use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ScreenArgs {}

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn run(_a: ScreenArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

pub fn bench(_a: BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
