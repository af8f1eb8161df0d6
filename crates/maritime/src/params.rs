//! The detectors' parameters: documented defaults, every one overridable (the structs are plain
//! data and deserialize from JSON or TOML with any field left out taking its default).
//!
//! Defaults are Global Fishing Watch's published values where GFW publishes one (its technical
//! documentation and the Apache-2.0 pipelines `encounters_pipeline`, `pipe-loitering`,
//! `pipe-gaps`, and the port-visit description in "Ports and voyages"); the rest are Resolute's
//! own and say so.

use serde::{Deserialize, Serialize};

use crate::geo::METRES_PER_NM;

/// All parameters of one detection run; each event carries the part it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Parameters {
    pub tracks: TrackParams,
    pub encounter: EncounterParams,
    pub loitering: LoiteringParams,
    pub gap: GapParams,
    pub port_visit: PortVisitParams,
}

/// How an MMSI's fixes are split into tracks of one vessel each (Resolute's own values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackParams {
    /// Fastest a ship can go, knots. Above it two fixes cannot be the same ship: the fix starts
    /// another track, or is a spoofing sign. 50 kn is above any merchant ship's speed (large
    /// container ships make about 25 kn, fast ferries about 40) and leaves room for noise.
    pub max_speed_knots: f64,
    /// Position noise allowed between two fixes, metres, added to the reachable distance so
    /// that fixes seconds apart with GPS jitter are not "impossible".
    pub position_noise_m: f64,
    /// A group of fixes shorter than this, that no other track of its MMSI can reach, is not
    /// a second vessel but a jump: reported as a spoofing sign, kept off the tracks.
    pub min_track_fixes: usize,
}

impl Default for TrackParams {
    fn default() -> Self {
        TrackParams {
            max_speed_knots: 50.0,
            position_noise_m: 500.0,
            min_track_fixes: 3,
        }
    }
}

/// Encounters (GFW: `encounters_pipeline` and "Encounters" in the technical documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EncounterParams {
    /// Two vessels at most this far apart, metres (GFW `max_encounter_dist_km` 0.5).
    pub max_distance_m: f64,
    /// For at least this long, seconds (GFW `min_encounter_time_minutes` 120).
    pub min_duration_s: i64,
    /// Median speed of both vessels below this, knots (GFW published events: < 2 kn).
    pub max_median_speed_knots: f64,
    /// Mean position at least this far from the nearest port, metres (GFW
    /// `min_distance_from_port_km` 10; GFW measures to its anchorages, Resolute to the World
    /// Port Index).
    pub min_distance_from_port_m: f64,
    /// Tracks are resampled on this grid, seconds (GFW `RESAMPLE_INCREMENT_MINUTES` 10).
    pub resample_s: i64,
    /// Interpolate only between fixes less than this apart, seconds (GFW `MAX_GAP_HOURS` 1).
    pub max_interpolation_gap_s: i64,
    /// Encounters of the same pair less than this apart are merged, seconds (GFW
    /// `min_hours_between_encounters` 4).
    pub merge_gap_s: i64,
}

impl Default for EncounterParams {
    fn default() -> Self {
        EncounterParams {
            max_distance_m: 500.0,
            min_duration_s: 2 * 3600,
            max_median_speed_knots: 2.0,
            min_distance_from_port_m: 10_000.0,
            resample_s: 600,
            max_interpolation_gap_s: 3600,
            merge_gap_s: 4 * 3600,
        }
    }
}

/// Loitering (GFW `pipe-loitering` and "Loitering"; the transshipment reports' 4 h minimum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoiteringParams {
    /// A vessel-hour is slow when its average implied speed is below this, knots (GFW
    /// `--slow-threshold` 2).
    pub max_speed_knots: f64,
    /// Consecutive slow hours lasting at least this long, seconds (GFW transshipment
    /// reports: 4 h, originally 8 h).
    pub min_duration_s: i64,
    /// Mean distance from shore at least this, metres (GFW published events: 20 nm).
    pub min_distance_from_shore_m: f64,
}

impl Default for LoiteringParams {
    fn default() -> Self {
        LoiteringParams {
            max_speed_knots: 2.0,
            min_duration_s: 4 * 3600,
            min_distance_from_shore_m: 20.0 * METRES_PER_NM,
        }
    }
}

/// AIS gaps (GFW `pipe-gaps` and "Gaps").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GapParams {
    /// A gap is reported from this long, seconds (GFW off/on events: 6 h).
    pub min_gap_s: i64,
    /// "Suspected disabling" needs at least this long, seconds (GFW `THRESHOLD` 12 h, the time
    /// a sun-synchronous AIS satellite takes to cover the same place again).
    pub disabling_min_gap_s: i64,
    /// … and both ends farther than this from shore, metres (GFW: 50 nm; closer, terrestrial
    /// reception and its outages make gaps unreliable).
    pub disabling_min_distance_from_shore_m: f64,
    /// … and a reception score `positions in the 12 h before × min(gap hours, 48) / 12` of at
    /// least this (GFW: 20, counting satellite positions; Resolute cannot tell satellite from
    /// terrestrial reception and counts all positions).
    pub disabling_min_reception_score: f64,
    /// Resolute's own: a gap during which the input holds positions of other vessels near
    /// either end (same or neighbouring cell of `coverage_cell_degrees`) in fewer than this
    /// fraction of its whole hours is a reception or extraction outage ("no coverage"), not a
    /// vessel going dark. GFW's reception score looks only at the vessel's own positions
    /// before the gap, so a feed that stopped for everyone passes it.
    pub min_coverage_fraction: f64,
    pub coverage_cell_degrees: f64,
}

impl Default for GapParams {
    fn default() -> Self {
        GapParams {
            min_gap_s: 6 * 3600,
            disabling_min_gap_s: 12 * 3600,
            disabling_min_distance_from_shore_m: 50.0 * METRES_PER_NM,
            disabling_min_reception_score: 20.0,
            min_coverage_fraction: 0.5,
            coverage_cell_degrees: 5.0,
        }
    }
}

/// Port visits (GFW "Ports and voyages": entry within 3 km, exit beyond 4 km, stop below
/// 0.2 kn, in-port gap over 4 h; a visit needs entry, a stop or a gap, and exit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortVisitParams {
    pub entry_distance_m: f64,
    pub exit_distance_m: f64,
    pub stop_speed_knots: f64,
    pub in_port_gap_s: i64,
    /// Report a visit only when the vessel stopped or went silent in port (GFW). When false,
    /// every entry is a visit (a pass through a DPRK port's waters is then reported too).
    pub require_stop: bool,
}

impl Default for PortVisitParams {
    fn default() -> Self {
        PortVisitParams {
            entry_distance_m: 3000.0,
            exit_distance_m: 4000.0,
            stop_speed_knots: 0.2,
            in_port_gap_s: 4 * 3600,
            require_stop: true,
        }
    }
}
