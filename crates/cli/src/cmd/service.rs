use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct ServeArgs {}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {}

pub fn run_serve(_a: ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

pub fn run_keys(c: KeysCmd) -> anyhow::Result<ExitCode> {
    match c {}
}

pub fn run_audit(c: AuditCmd) -> anyhow::Result<ExitCode> {
    match c {}
}
