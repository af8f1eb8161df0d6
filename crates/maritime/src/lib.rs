//! Resolute's maritime capability (work in progress).
pub mod ais;
pub mod nmea;
pub mod report;
