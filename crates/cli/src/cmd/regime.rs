use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum RegimeCmd {}

pub fn run(c: RegimeCmd) -> anyhow::Result<ExitCode> {
    match c {}
}
