use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct ImpactArgs {}

#[derive(Debug, Subcommand)]
pub enum ReportsCmd {}

pub fn run_impact(_a: ImpactArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

pub fn run_reports(c: ReportsCmd) -> anyhow::Result<ExitCode> {
    match c {}
}
