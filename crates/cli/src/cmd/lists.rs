use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ListsCmd {}

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn run(c: ListsCmd) -> anyhow::Result<ExitCode> {
    match c {}
}

pub fn bench(_a: BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
