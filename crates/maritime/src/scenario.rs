//! Scenarios built from real tracks, for tests and benchmarks: a real track's reporting
//! pattern (the times of its fixes) replayed over any period, positions shifted in space and
//! time or laid along a path of waypoints.
//!
//! The real NOAA tracks last under an hour, so longer scenarios repeat a track's pattern: the
//! fixes keep the real intervals (and their irregularity), one period after another.

use crate::geo::{LatLon, METRES_PER_NM, distance_m, normalize_lon};
use crate::store::{Fix, FixRecord};

/// The times of a real track's fixes, as offsets from its first fix, repeated every `period`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    offsets: Vec<i64>,
    period: i64,
}

impl Replay {
    /// The pattern of `fixes` (sorted by time); the period is the track's span plus its median
    /// interval, so that the replayed reports keep their spacing across the seam.
    pub fn from_fixes(fixes: &[Fix]) -> Option<Replay> {
        let first = fixes.first()?.time;
        let mut offsets: Vec<i64> = fixes.iter().map(|f| f.time - first).collect();
        offsets.dedup();
        let mut intervals: Vec<i64> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
        intervals.sort_unstable();
        let step = intervals
            .get(intervals.len() / 2)
            .copied()
            .unwrap_or(60)
            .max(1);
        let period = offsets.last().copied().unwrap_or(0) + step;
        Some(Replay { offsets, period })
    }

    /// Fix times from `start` up to `end` inclusive.
    pub fn times(&self, start: i64, end: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut base = start;
        while base <= end {
            for o in &self.offsets {
                let t = base + o;
                if t > end {
                    return out;
                }
                out.push(t);
            }
            base += self.period;
        }
        out
    }

    pub fn period(&self) -> i64 {
        self.period
    }
}

/// A path through timed waypoints, travelled in straight lines at constant speed per leg.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    waypoints: Vec<(i64, LatLon)>,
}

impl Path {
    /// Waypoints in time order.
    pub fn new(waypoints: Vec<(i64, LatLon)>) -> Path {
        Path { waypoints }
    }

    /// Position and speed (knots) at `t` (held at the ends before the first and after the last
    /// waypoint).
    pub fn at(&self, t: i64) -> (LatLon, f32) {
        let w = &self.waypoints;
        let Some(first) = w.first() else {
            return (LatLon::new(0.0, 0.0), 0.0);
        };
        if t <= first.0 {
            return (first.1, 0.0);
        }
        for pair in w.windows(2) {
            let ((t0, a), (t1, b)) = (pair[0], pair[1]);
            if t <= t1 {
                let span = (t1 - t0).max(1) as f64;
                let f = (t - t0) as f64 / span;
                let p = LatLon::new(
                    a.lat + (b.lat - a.lat) * f,
                    normalize_lon(a.lon + (b.lon - a.lon) * f),
                );
                let speed = distance_m(a, b) / METRES_PER_NM / (span / 3600.0);
                return (p, speed as f32);
            }
        }
        (w[w.len() - 1].1, 0.0)
    }

    /// Fixes of `mmsi` along the path at the given times.
    pub fn fixes(&self, mmsi: u32, times: &[i64]) -> Vec<FixRecord> {
        times
            .iter()
            .map(|&t| {
                let (p, speed) = self.at(t);
                FixRecord {
                    mmsi,
                    time: t,
                    lat: p.lat,
                    lon: p.lon,
                    speed: Some(speed),
                    course: None,
                    line: 0,
                }
            })
            .collect()
    }
}

/// A real track moved: times shifted by `dt` seconds, positions so that its first fix lands on
/// `to` (the same latitude/longitude offset for every fix, so the track keeps its shape).
pub fn shifted(mmsi: u32, fixes: &[Fix], dt: i64, to: LatLon) -> Vec<FixRecord> {
    let Some(first) = fixes.first() else {
        return Vec::new();
    };
    let (dlat, dlon) = (to.lat - first.lat, to.lon - first.lon);
    fixes
        .iter()
        .map(|f| FixRecord {
            mmsi,
            time: f.time + dt,
            lat: f.lat + dlat,
            lon: normalize_lon(f.lon + dlon),
            speed: (!f.speed.is_nan()).then_some(f.speed),
            course: (!f.course.is_nan()).then_some(f.course),
            line: 0,
        })
        .collect()
}

/// Replay a real track back to back `times` times: each copy starts where the previous one
/// ended, one period later, so the vessel keeps moving as it really did.
pub fn replayed(
    mmsi: u32,
    fixes: &[Fix],
    copies: usize,
    start: i64,
    origin: LatLon,
) -> Vec<FixRecord> {
    let Some(replay) = Replay::from_fixes(fixes) else {
        return Vec::new();
    };
    let (Some(first), Some(last)) = (fixes.first(), fixes.last()) else {
        return Vec::new();
    };
    let (step_lat, step_lon) = (last.lat - first.lat, last.lon - first.lon);
    let mut out = Vec::with_capacity(fixes.len() * copies);
    for copy in 0..copies {
        let at = LatLon::new(
            (origin.lat + step_lat * copy as f64).clamp(-89.0, 89.0),
            normalize_lon(origin.lon + step_lon * copy as f64),
        );
        let dt = start + replay.period() * copy as i64 - first.time;
        out.extend(shifted(mmsi, fixes, dt, at));
    }
    out
}
