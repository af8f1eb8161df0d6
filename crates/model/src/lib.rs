//! The entity model shared by every Resolute crate.
//!
//! Entities follow the FollowTheMoney (FtM) data model used by OpenSanctions: a
//! `schema` plus a map of multi-valued string `properties` with FtM names
//! (`name`, `alias`, `birthDate`, …), so an [`Entity`] serializes as FtM JSON.
//! Next to the FtM view every list entry keeps what FtM flattens away and a
//! compliance analyst needs: the list's own reference, programs, listing dates,
//! name strength and script, and date precision.

pub mod country;
pub mod date;
pub mod entity;
pub mod properties;

pub use country::{Country, CountryError, all_countries, country_by_code, country_from_name};
pub use date::{DateError, DateQualifier, FuzzyDate, PartialDate};
pub use entity::{
    Entity, EntityName, NameKind, NameQuality, PropKey, Schema, Source, collapse_whitespace, prop,
};
pub use properties::Properties;
