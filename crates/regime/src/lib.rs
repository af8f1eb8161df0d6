//! The UN DPRK sanctions regime as dated, cited rules.
//!
//! Data: one TOML file per resolution under `regime/dprk/` (embedded in the
//! binary; a directory can override them), validated on load against the
//! types of [`model`] and the semantic checks of [`load`]: HS codes exist in
//! their edition, dates are ordered, referenced exceptions and superseding
//! measures exist. Queries: measures in force on a date ([`Regime::in_force`]),
//! what changed between two dates ([`Regime::diff`]) and which measures bear
//! on a good ([`Regime::explain_goods`]).

pub mod hs;
pub mod load;
pub mod model;
pub mod query;
pub mod suggest;

pub use hs::{HsCode, HsEdition, HsError, Nomenclature, nomenclature};
pub use load::{DateError, Regime, RegimeError, embedded_files, parse_date};
pub use model::*;
pub use query::{
    Applicability, DesignationCitation, GoodsContext, GoodsExplanation, RegimeChange, RegimeDiff,
};
