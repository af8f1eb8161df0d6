//! Resolute's maritime capability (work in progress).
pub mod ais;
pub mod events;
pub mod geo;
pub mod nmea;
pub mod noaa;
pub mod params;
pub mod places;
pub mod report;
pub mod scenario;
pub mod store;
