//! Paths of the real list files used by the tests (copied into the repository).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use resolute_lists::{ListVersion, load_file};

pub fn repo() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    p.canonicalize().unwrap_or(p)
}

/// The five UN Consolidated List copies, oldest first.
pub fn un_paths() -> Vec<PathBuf> {
    let fx = repo().join("tests/fixtures/un");
    vec![
        fx.join("consolidated-2017-06-30.xml"),
        fx.join("consolidated-2017-07-03.xml"),
        fx.join("consolidated-2018-10-29.xml"),
        fx.join("consolidated-2020-03-20.xml"),
        repo().join("data/lists/un/consolidated-2026-02-27.xml"),
    ]
}

pub fn sdn_path() -> PathBuf {
    repo().join("data/lists/ofac/sdn-2024-05-03.csv")
}

fn load(p: &Path) -> ListVersion {
    match load_file(p) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// Parsed once per test binary.
pub static UN: LazyLock<Vec<ListVersion>> =
    LazyLock::new(|| un_paths().iter().map(|p| load(p)).collect());
pub static SDN: LazyLock<ListVersion> = LazyLock::new(|| load(&sdn_path()));
