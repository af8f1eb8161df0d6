//! Revenue impact of the measures, member-state implementation reporting.
//!
//! - [`trade`]: trade flows from UN Comtrade CSV or a simple CSV, read as
//!   DPRK exports and imports (mirror data).
//! - [`measures`]: the view of a regime measure the computation needs.
//! - [`compute`]: covered value per measure, resolution, HS chapter and
//!   partner, and what each resolution newly cut.
//! - [`chart`]: the SVG chart of value removed by resolution over time.
//! - [`members`], [`reporting`]: the 193 UN member states, the resolutions'
//!   reporting requests, and national implementation reports.

pub mod chart;
pub mod compute;
pub mod measures;
pub mod members;
pub mod regime_view;
pub mod reporting;
pub mod trade;

pub use compute::{ImpactOptions, ImpactReport, compute_impact};
pub use measures::{ImpactKind, MeasureView};
pub use regime_view::{from_regime, regime_measures};
pub use trade::{DprkDirection, TradeData, TradeFlow, read_trade_file};

#[cfg(test)]
mod tests;
