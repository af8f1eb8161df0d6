//! The detectors: encounters, loitering, AIS gaps (with "suspected disabling"), port visits,
//! identity changes, shared MMSIs, identities that contradict a list, and spoofing signs.
//!
//! Each [`Event`] names its vessel (and the other vessel or the port), its times and
//! positions, the numbers that made it an event, and the parameters it was detected with, and
//! serializes to the JSON an API can return (times as RFC 3339 UTC).
//!
//! **Distance to shore** (gaps, loitering) is the smaller of the distance to Natural Earth's
//! 1:50m coastline and the distance to the nearest World Port Index port: the land polygons
//! fill lakes and rivers (the Great Lakes, the St. Lawrence, the Mississippi have ports but no
//! sea coast in them), and a port marks a shore the polygons miss. See [`crate::places`] for
//! the coastline's limits.

use std::collections::HashMap;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::geo::{LatLon, METRES_PER_NM, distance_m, normalize_lon};
use crate::params::{
    EncounterParams, GapParams, LoiteringParams, Parameters, PortVisitParams, TrackParams,
};
use crate::places::{DataError, Flags, Port, PortIndex, Shore};
use crate::store::{Fix, Identity, Track, VesselStore};

/// RFC 3339 (UTC) for Unix seconds in JSON.
pub mod unix_time {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        match chrono::DateTime::from_timestamp(*t, 0) {
            Some(dt) => s.serialize_str(&dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            None => s.serialize_i64(*t),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .map(|dt| dt.timestamp())
            .map_err(serde::de::Error::custom)
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Encounter,
    Loitering,
    Gap,
    PortVisit,
    IdentityChange,
    SharedMmsi,
    ListMismatch,
    Spoofing,
}

/// The vessel an event is about, as it identified itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VesselRef {
    pub track: u32,
    pub mmsi: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<CompactString>,
    /// ISO code of the flag that the MMSI's MID assigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<CompactString>,
    /// The MMSI's MID is the DPRK's (445).
    pub dprk_flag: bool,
}

/// How a gap was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapClass {
    /// Both ends far offshore, long enough, with good reception before: GFW's "suspected
    /// disabling".
    SuspectedDisabling,
    /// At least one end near the coast, where terrestrial reception and its outages make a
    /// gap unreliable (GFW: > 99 % of terrestrial messages are within 50 nm of shore).
    NearCoast,
    /// Offshore, but the input has (almost) no positions of any vessel near either end during
    /// the gap: the receivers or the extract were silent, not only this vessel.
    NoCoverage,
    /// Offshore, but too short or with too little reception before it to suspect disabling.
    Offshore,
}

/// The numbers behind an event, per kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Details {
    Encounter {
        median_distance_m: f64,
        vessel_median_speed_knots: f64,
        other_median_speed_knots: f64,
        /// Distance from the mean position to the nearest port (`None`: none within 100 km).
        distance_to_port_m: Option<f64>,
        points: usize,
    },
    Loitering {
        mean_speed_knots: f64,
        distance_to_shore_m: Option<f64>,
        hours: f64,
    },
    Gap {
        class: GapClass,
        hours: f64,
        distance_m: f64,
        implied_speed_knots: f64,
        /// Distance to shore of each end (`None`: farther than 100 km).
        start_distance_to_shore_m: Option<f64>,
        end_distance_to_shore_m: Option<f64>,
        positions_12_hours_before: usize,
        reception_score: f64,
        /// Fraction of the gap's whole hours in which the input has positions of other
        /// vessels near either end.
        coverage_fraction: f64,
        /// Each rule of the classification, passed or failed, in words.
        reasons: Vec<String>,
    },
    PortVisit {
        distance_m: f64,
        stopped: bool,
        in_port_gap: bool,
        /// False when the track ended in port.
        exited: bool,
    },
    IdentityChange {
        field: CompactString,
        #[serde(skip_serializing_if = "Option::is_none")]
        old: Option<CompactString>,
        #[serde(skip_serializing_if = "Option::is_none")]
        new: Option<CompactString>,
    },
    SharedMmsi {
        tracks: Vec<u32>,
        overlap_hours: f64,
    },
    ListMismatch {
        list_reference: CompactString,
        field: CompactString,
        listed: CompactString,
        broadcast: CompactString,
    },
    Spoofing {
        implied_speed_knots: Option<f64>,
    },
}

/// The parameters an event was detected with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UsedParameters {
    Encounter(EncounterParams),
    Loitering(LoiteringParams),
    Gap(GapParams),
    PortVisit(PortVisitParams),
    Tracks(TrackParams),
    None {},
}

/// One detected event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub vessel: VesselRef,
    #[serde(with = "unix_time")]
    pub start: i64,
    #[serde(with = "unix_time")]
    pub end: i64,
    /// Where it happened (`None` for an identity event of a vessel with no position).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub position: Option<LatLon>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_position: Option<LatLon>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub other: Option<VesselRef>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub port: Option<Port>,
    pub details: Details,
    pub parameters: UsedParameters,
}

/// A vessel as a sanctions list gives it, to compare with what it broadcasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedVessel {
    /// The list's reference (`KPe.055`, an OFAC entity number).
    pub reference: CompactString,
    /// Current and former names.
    pub names: Vec<CompactString>,
    pub imo: Option<u32>,
    pub mmsi: Option<u32>,
}

impl ListedVessel {
    /// The vessel of a list entry (`Vessel` schema): its list reference, names (primary,
    /// aliases, previous names), IMO and MMSI. `None` for other schemas — an IMO number on a
    /// UN `Organization` is a company's IMO number, not a ship's.
    pub fn from_entity(entity: &resolute_model::Entity) -> Option<ListedVessel> {
        use resolute_model::{Schema, prop};
        if entity.schema != Schema::Vessel {
            return None;
        }
        let number = |p: &str| {
            entity
                .get(p)
                .iter()
                .find_map(|v| v.trim().parse::<u32>().ok())
        };
        let mut names: Vec<CompactString> = Vec::new();
        for p in [
            prop::NAME,
            prop::ALIAS,
            prop::PREVIOUS_NAME,
            prop::WEAK_ALIAS,
        ] {
            for n in entity.get(p) {
                if !names.iter().any(|known| known == n) {
                    names.push(n.as_str().into());
                }
            }
        }
        Some(ListedVessel {
            reference: entity.reference.as_str().into(),
            names,
            imo: number(prop::IMO_NUMBER),
            mmsi: number(prop::MMSI),
        })
    }
}

/// Nearest shore: coastline or port, whichever is nearer, up to `limit_m`.
pub fn distance_to_shore_m(
    shore: &Shore,
    ports: &PortIndex,
    p: LatLon,
    limit_m: f64,
) -> Option<f64> {
    let coast = shore.distance_m(p, limit_m);
    let port = ports.nearest(p, limit_m).map(|(_, d)| d);
    match (coast, port) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How far shore and port distances are searched, metres.
const SEARCH_LIMIT_M: f64 = 100_000.0;

struct Context<'a> {
    store: &'a VesselStore,
    ports: &'a PortIndex,
    shore: &'a Shore,
    flags: &'a Flags,
}

impl Context<'_> {
    fn vessel(&self, track: &Track) -> VesselRef {
        let identity: Option<&Identity> = self.store.current_identity(track.id);
        let flag = self.flags.of_mmsi(track.mmsi);
        VesselRef {
            track: track.id,
            mmsi: track.mmsi,
            imo: identity.and_then(|i| i.imo),
            name: identity.and_then(|i| i.name.clone()),
            flag: flag.and_then(|f| f.country.clone()),
            dprk_flag: flag.is_some_and(|f| f.is_dprk()),
        }
    }
}

/// Run every detector over a built store.
pub fn detect(
    store: &VesselStore,
    params: &Parameters,
    listed: &[ListedVessel],
) -> Result<Vec<Event>, DataError> {
    let cx = Context {
        store,
        ports: PortIndex::bundled()?,
        shore: Shore::bundled()?,
        flags: Flags::bundled()?,
    };
    let coverage = Coverage::new(store, params.gap.coverage_cell_degrees);
    let mut events = Vec::new();
    for track in store.tracks() {
        gaps(&cx, &coverage, track, &params.gap, &mut events);
        loitering(&cx, track, &params.loitering, &mut events);
        port_visits(&cx, track, &params.port_visit, &mut events);
        identity_changes(&cx, track, &mut events);
    }
    encounters(&cx, &params.encounter, &mut events);
    shared_and_moved_mmsis(&cx, &mut events);
    list_mismatches(&cx, listed, &mut events);
    spoofing(&cx, &params.tracks, &mut events);
    Ok(events)
}

fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

/// Which (hour, cell) the input has any position in.
struct Coverage {
    cell_degrees: f64,
    seen: std::collections::HashSet<(i64, i32, i32)>,
}

impl Coverage {
    fn new(store: &VesselStore, cell_degrees: f64) -> Coverage {
        let cell_degrees = if cell_degrees > 0.0 {
            cell_degrees
        } else {
            5.0
        };
        let mut seen = std::collections::HashSet::new();
        for t in store.tracks() {
            for f in &t.fixes {
                seen.insert((
                    f.time.div_euclid(3600),
                    (f.lat / cell_degrees).floor() as i32,
                    (f.lon / cell_degrees).floor() as i32,
                ));
            }
        }
        Coverage { cell_degrees, seen }
    }

    /// Fraction of the whole hours strictly inside (a, b) with a position in the cell of
    /// either end or a neighbouring cell (1.0 when the gap holds no whole hour).
    fn fraction(&self, a: &Fix, b: &Fix) -> f64 {
        let first = a.time.div_euclid(3600) + 1;
        let last = b.time.div_euclid(3600) - 1;
        if last < first {
            return 1.0;
        }
        let cell = |f: &Fix| {
            (
                (f.lat / self.cell_degrees).floor() as i32,
                (f.lon / self.cell_degrees).floor() as i32,
            )
        };
        let ends = [cell(a), cell(b)];
        let covered = (first..=last)
            .filter(|h| {
                ends.iter().any(|(r, c)| {
                    (-1..=1).any(|dr| (-1..=1).any(|dc| self.seen.contains(&(*h, r + dr, c + dc))))
                })
            })
            .count();
        covered as f64 / (last - first + 1) as f64
    }
}

fn gaps(cx: &Context<'_>, coverage: &Coverage, track: &Track, p: &GapParams, out: &mut Vec<Event>) {
    for (i, pair) in track.fixes.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let gap_s = b.time - a.time;
        if gap_s < p.min_gap_s {
            continue;
        }
        let window_start = a.time - 12 * 3600;
        let before = track.fixes[..=i]
            .iter()
            .rev()
            .take_while(|f| f.time >= window_start)
            .count();
        let gap_h = hours(gap_s);
        let score = before as f64 * gap_h.min(48.0) / 12.0;
        let start_shore = distance_to_shore_m(cx.shore, cx.ports, a.position(), SEARCH_LIMIT_M);
        let end_shore = distance_to_shore_m(cx.shore, cx.ports, b.position(), SEARCH_LIMIT_M);
        let limit = p.disabling_min_distance_from_shore_m;
        let offshore = |d: Option<f64>| d.is_none_or(|d| d > limit);
        let nm = |d: Option<f64>| {
            d.map_or(
                format!("over {:.0} nm", SEARCH_LIMIT_M / METRES_PER_NM),
                |d| format!("{:.1} nm", d / METRES_PER_NM),
            )
        };
        let long_enough = gap_s >= p.disabling_min_gap_s;
        let received = score >= p.disabling_min_reception_score;
        let reasons = vec![
            format!(
                "gap {gap_h:.1} h {} {:.0} h",
                if long_enough { "≥" } else { "<" },
                hours(p.disabling_min_gap_s)
            ),
            format!(
                "start {} and end {} from shore; limit {:.0} nm",
                nm(start_shore),
                nm(end_shore),
                limit / METRES_PER_NM
            ),
            format!(
                "reception score {score:.1} ({before} positions in the 12 h before) {} {:.0}",
                if received { "≥" } else { "<" },
                p.disabling_min_reception_score
            ),
        ];
        let covered = coverage.fraction(&a, &b);
        let mut reasons = reasons;
        reasons.push(format!(
            "other vessels received near either end in {:.0} % of the gap's hours; minimum {:.0} %",
            covered * 100.0,
            p.min_coverage_fraction * 100.0
        ));
        let class = if !(offshore(start_shore) && offshore(end_shore)) {
            GapClass::NearCoast
        } else if covered < p.min_coverage_fraction {
            GapClass::NoCoverage
        } else if long_enough && received {
            GapClass::SuspectedDisabling
        } else {
            GapClass::Offshore
        };
        let d = distance_m(a.position(), b.position());
        out.push(Event {
            kind: EventKind::Gap,
            vessel: cx.vessel(track),
            start: a.time,
            end: b.time,
            position: Some(a.position()),
            end_position: Some(b.position()),
            other: None,
            port: None,
            details: Details::Gap {
                class,
                hours: gap_h,
                distance_m: d,
                implied_speed_knots: d / METRES_PER_NM / gap_h,
                start_distance_to_shore_m: start_shore,
                end_distance_to_shore_m: end_shore,
                positions_12_hours_before: before,
                reception_score: score,
                coverage_fraction: covered,
                reasons,
            },
            parameters: UsedParameters::Gap(p.clone()),
        });
    }
}

fn mean_position(points: impl Iterator<Item = LatLon>) -> Option<LatLon> {
    let (mut lat, mut x, mut y, mut n) = (0.0, 0.0, 0.0, 0.0);
    for p in points {
        lat += p.lat;
        // Longitudes are averaged on the circle so that ±180° does not average to 0.
        x += p.lon.to_radians().cos();
        y += p.lon.to_radians().sin();
        n += 1.0;
    }
    (n > 0.0).then(|| LatLon::new(lat / n, normalize_lon(y.atan2(x).to_degrees())))
}

fn loitering(cx: &Context<'_>, track: &Track, p: &LoiteringParams, out: &mut Vec<Event>) {
    // Average implied speed per vessel-hour (distance along the fixes in the hour over the
    // time they span); an hour with one fix uses its reported speed.
    let mut hours_slow: Vec<(i64, i64, i64, f64)> = Vec::new(); // (hour, first, last, speed)
    let fixes = &track.fixes;
    let mut i = 0;
    while i < fixes.len() {
        let hour = fixes[i].time.div_euclid(3600);
        let mut j = i + 1;
        let mut dist = 0.0;
        while j < fixes.len() && fixes[j].time.div_euclid(3600) == hour {
            dist += distance_m(fixes[j - 1].position(), fixes[j].position());
            j += 1;
        }
        let span = fixes[j - 1].time - fixes[i].time;
        let speed = if span > 0 {
            dist / METRES_PER_NM / hours(span)
        } else {
            f64::from(fixes[i].speed)
        };
        if speed < p.max_speed_knots {
            hours_slow.push((hour, fixes[i].time, fixes[j - 1].time, speed));
        }
        i = j;
    }
    let mut k = 0;
    while k < hours_slow.len() {
        let mut l = k + 1;
        while l < hours_slow.len() && hours_slow[l].0 == hours_slow[l - 1].0 + 1 {
            l += 1;
        }
        let run = &hours_slow[k..l];
        let (start, end) = (run[0].1, run[run.len() - 1].2);
        k = l;
        if end - start < p.min_duration_s {
            continue;
        }
        let in_run = fixes.iter().filter(|f| f.time >= start && f.time <= end);
        let Some(centre) = mean_position(in_run.map(Fix::position)) else {
            continue;
        };
        let shore = distance_to_shore_m(cx.shore, cx.ports, centre, SEARCH_LIMIT_M);
        if shore.is_some_and(|d| d < p.min_distance_from_shore_m) {
            continue;
        }
        let mean_speed = run.iter().map(|h| h.3).sum::<f64>() / run.len() as f64;
        out.push(Event {
            kind: EventKind::Loitering,
            vessel: cx.vessel(track),
            start,
            end,
            position: Some(centre),
            end_position: None,
            other: None,
            port: None,
            details: Details::Loitering {
                mean_speed_knots: mean_speed,
                distance_to_shore_m: shore,
                hours: hours(end - start),
            },
            parameters: UsedParameters::Loitering(p.clone()),
        });
    }
}

fn port_visits(cx: &Context<'_>, track: &Track, p: &PortVisitParams, out: &mut Vec<Event>) {
    struct Visit {
        port: u32,
        start: i64,
        last: i64,
        position: LatLon,
        min_distance: f64,
        stopped: bool,
        gap: bool,
    }
    let mut current: Option<Visit> = None;
    let emit = |v: Visit, exited: bool, out: &mut Vec<Event>| {
        if p.require_stop && !(v.stopped || v.gap) {
            return;
        }
        out.push(Event {
            kind: EventKind::PortVisit,
            vessel: cx.vessel(track),
            start: v.start,
            end: v.last,
            position: Some(v.position),
            end_position: None,
            other: None,
            port: cx.ports.get(v.port).cloned(),
            details: Details::PortVisit {
                distance_m: v.min_distance,
                stopped: v.stopped,
                in_port_gap: v.gap,
                exited,
            },
            parameters: UsedParameters::PortVisit(p.clone()),
        });
    };
    let mut previous: Option<Fix> = None;
    for fix in &track.fixes {
        let pos = fix.position();
        let speed = if fix.speed.is_nan() {
            previous.map_or(f64::NAN, |a| {
                let h = hours(fix.time - a.time).max(1.0 / 3600.0);
                distance_m(a.position(), pos) / METRES_PER_NM / h
            })
        } else {
            f64::from(fix.speed)
        };
        if let Some(v) = current.as_mut() {
            let port_pos = cx.ports.get(v.port).map_or(pos, |port| port.position);
            let d = distance_m(pos, port_pos);
            if d > p.exit_distance_m {
                if let Some(v) = current.take() {
                    emit(v, true, out);
                }
            } else {
                v.gap |= fix.time - v.last > p.in_port_gap_s;
                v.stopped |= speed < p.stop_speed_knots;
                v.last = fix.time;
                v.min_distance = v.min_distance.min(d);
            }
        }
        if current.is_none()
            && let Some((port, d)) = cx.ports.nearest(pos, p.entry_distance_m)
        {
            current = Some(Visit {
                port,
                start: fix.time,
                last: fix.time,
                position: pos,
                min_distance: d,
                stopped: speed < p.stop_speed_knots,
                gap: false,
            });
        }
        previous = Some(*fix);
    }
    if let Some(v) = current {
        emit(v, false, out);
    }
}

fn text_of(identity: Option<&Identity>, field: &str) -> Option<CompactString> {
    let i = identity?;
    match field {
        "imo" => i.imo.map(|n| CompactString::from(n.to_string())),
        "name" => i.name.clone(),
        "call_sign" => i.call_sign.clone(),
        _ => None,
    }
}

fn identity_changes(cx: &Context<'_>, track: &Track, out: &mut Vec<Event>) {
    for pair in track.identities.windows(2) {
        let old = cx.store.identity(pair[0].identity);
        let new = cx.store.identity(pair[1].identity);
        for field in ["imo", "name", "call_sign"] {
            let (o, n) = (text_of(old, field), text_of(new, field));
            // A field that appears for the first time (type 24 part B after part A) is not a change.
            if o.is_none() || o == n {
                continue;
            }
            let at = pair[1].from;
            let position = nearest_fix(track, at).map(Fix::position);
            out.push(Event {
                kind: EventKind::IdentityChange,
                vessel: cx.vessel(track),
                start: at,
                end: at,
                position,
                end_position: None,
                other: None,
                port: None,
                details: Details::IdentityChange {
                    field: field.into(),
                    old: o,
                    new: n,
                },
                parameters: UsedParameters::None {},
            });
        }
    }
}

fn nearest_fix(track: &Track, time: i64) -> Option<&Fix> {
    let i = track.fixes.partition_point(|f| f.time < time);
    match (
        i.checked_sub(1).and_then(|j| track.fixes.get(j)),
        track.fixes.get(i),
    ) {
        (Some(a), Some(b)) => Some(if time - a.time <= b.time - time { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// One MMSI on two tracks at once (two vessels), and one IMO moving to another MMSI (a new
/// MMSI, often with a new flag through the MID).
fn shared_and_moved_mmsis(cx: &Context<'_>, out: &mut Vec<Event>) {
    let store = cx.store;
    let mut by_mmsi: HashMap<u32, Vec<&Track>> = HashMap::new();
    let mut by_imo: HashMap<u32, Vec<&Track>> = HashMap::new();
    for t in store.tracks() {
        by_mmsi.entry(t.mmsi).or_default().push(t);
        let mut imos: Vec<u32> = t
            .identities
            .iter()
            .filter_map(|s| store.identity(s.identity)?.imo)
            .collect();
        imos.dedup();
        for imo in imos {
            by_imo.entry(imo).or_default().push(t);
        }
    }
    let mut mmsis: Vec<_> = by_mmsi.into_iter().filter(|(_, ts)| ts.len() > 1).collect();
    mmsis.sort_by_key(|(m, _)| *m);
    for (_, tracks) in mmsis {
        for (i, a) in tracks.iter().enumerate() {
            for b in &tracks[i + 1..] {
                let overlap = a.end().min(b.end()) - a.start().max(b.start());
                if overlap < 0 {
                    continue;
                }
                let at = a.start().max(b.start());
                out.push(Event {
                    kind: EventKind::SharedMmsi,
                    vessel: cx.vessel(a),
                    start: at,
                    end: at + overlap,
                    position: nearest_fix(a, at).map(Fix::position),
                    end_position: nearest_fix(b, at).map(Fix::position),
                    other: Some(cx.vessel(b)),
                    port: None,
                    details: Details::SharedMmsi {
                        tracks: vec![a.id, b.id],
                        overlap_hours: hours(overlap),
                    },
                    parameters: UsedParameters::None {},
                });
            }
        }
    }
    let mut imos: Vec<_> = by_imo.into_iter().collect();
    imos.sort_by_key(|(imo, _)| *imo);
    for (_, mut tracks) in imos {
        tracks.sort_by_key(|t| t.start());
        for pair in tracks.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a.mmsi == b.mmsi {
                continue;
            }
            let old_flag = cx.flags.of_mmsi(a.mmsi).and_then(|f| f.country.clone());
            let new_flag = cx.flags.of_mmsi(b.mmsi).and_then(|f| f.country.clone());
            let mut changes = vec![(
                "mmsi",
                Some(a.mmsi.to_string().into()),
                Some(b.mmsi.to_string().into()),
            )];
            if old_flag != new_flag {
                changes.push(("flag", old_flag, new_flag));
            }
            for (field, old, new) in changes {
                out.push(Event {
                    kind: EventKind::IdentityChange,
                    vessel: cx.vessel(b),
                    start: b.start(),
                    end: b.start(),
                    position: b.fixes.first().map(Fix::position),
                    end_position: None,
                    other: Some(cx.vessel(a)),
                    port: None,
                    details: Details::IdentityChange {
                        field: field.into(),
                        old,
                        new,
                    },
                    parameters: UsedParameters::None {},
                });
            }
        }
    }
}

/// Upper-case letters and digits only, for comparing names.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn list_mismatches(cx: &Context<'_>, listed: &[ListedVessel], out: &mut Vec<Event>) {
    let store = cx.store;
    for l in listed {
        let mut push =
            |t: &Track, at: i64, field: &str, listed_value: String, broadcast: String| {
                out.push(Event {
                    kind: EventKind::ListMismatch,
                    vessel: cx.vessel(t),
                    start: at,
                    end: at,
                    position: nearest_fix(t, at).map(Fix::position),
                    end_position: None,
                    other: None,
                    port: None,
                    details: Details::ListMismatch {
                        list_reference: l.reference.clone(),
                        field: field.into(),
                        listed: listed_value.into(),
                        broadcast: broadcast.into(),
                    },
                    parameters: UsedParameters::None {},
                });
            };
        let names: Vec<String> = l.names.iter().map(|n| name_key(n)).collect();
        if let Some(imo) = l.imo {
            for &t in store.tracks_of(crate::store::VesselKey::Imo(imo)) {
                let Some(track) = store.track(t) else {
                    continue;
                };
                for span in &track.identities {
                    let Some(id) = store.identity(span.identity) else {
                        continue;
                    };
                    if id.imo != Some(imo) {
                        continue;
                    }
                    if let Some(name) = &id.name
                        && !names.is_empty()
                        && !names.contains(&name_key(name))
                    {
                        push(
                            track,
                            span.from,
                            "name",
                            l.names.join(" / "),
                            name.to_string(),
                        );
                    }
                    if let Some(mmsi) = l.mmsi
                        && mmsi != id.mmsi
                    {
                        push(
                            track,
                            span.from,
                            "mmsi",
                            mmsi.to_string(),
                            id.mmsi.to_string(),
                        );
                    }
                }
            }
        }
        if let Some(mmsi) = l.mmsi {
            for &t in store.tracks_of(crate::store::VesselKey::Mmsi(mmsi)) {
                let Some(track) = store.track(t) else {
                    continue;
                };
                for span in &track.identities {
                    let Some(id) = store.identity(span.identity) else {
                        continue;
                    };
                    if let (Some(listed_imo), Some(broadcast)) = (l.imo, id.imo)
                        && listed_imo != broadcast
                    {
                        push(
                            track,
                            span.from,
                            "imo",
                            listed_imo.to_string(),
                            broadcast.to_string(),
                        );
                    }
                }
            }
        }
    }
}

fn spoofing(cx: &Context<'_>, p: &TrackParams, out: &mut Vec<Event>) {
    let store = cx.store;
    for jump in store.jumps() {
        let Some(&track_id) = store
            .tracks_of(crate::store::VesselKey::Mmsi(jump.mmsi))
            .first()
        else {
            continue;
        };
        let Some(track) = store.track(track_id) else {
            continue;
        };
        let from = jump.before.unwrap_or(jump.fix);
        out.push(Event {
            kind: EventKind::Spoofing,
            vessel: cx.vessel(track),
            start: from.time,
            end: jump.fix.time,
            position: Some(from.position()),
            end_position: Some(jump.fix.position()),
            other: None,
            port: None,
            details: Details::Spoofing {
                implied_speed_knots: jump.implied_speed_knots,
            },
            parameters: UsedParameters::Tracks(p.clone()),
        });
    }
}

/// A resampled point: bucket (grid time / step), position, speed, track.
#[derive(Debug, Clone, Copy)]
struct Sample {
    bucket: i64,
    lat: f64,
    lon: f64,
    speed: f32,
    track: u32,
}

/// Resample a track on the grid (multiples of `step` seconds), interpolating only between
/// fixes less than `max_gap` apart.
fn resample(track: &Track, step: i64, max_gap: i64, out: &mut Vec<Sample>) {
    let fixes = &track.fixes;
    for pair in fixes.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.time - a.time >= max_gap {
            // Not interpolated across; a fix exactly on the grid still counts.
            if a.time.rem_euclid(step) == 0 {
                out.push(sample_at(track.id, a, a, a.time, step));
            }
            continue;
        }
        let mut t = a.time.div_euclid(step) * step;
        if t < a.time {
            t += step;
        }
        while t < b.time {
            out.push(sample_at(track.id, a, b, t, step));
            t += step;
        }
    }
    if let Some(&last) = fixes.last()
        && last.time.rem_euclid(step) == 0
    {
        out.push(sample_at(track.id, last, last, last.time, step));
    }
}

fn sample_at(track: u32, a: Fix, b: Fix, t: i64, step: i64) -> Sample {
    let span = (b.time - a.time) as f64;
    let w = if span > 0.0 {
        (t - a.time) as f64 / span
    } else {
        0.0
    };
    let mut dlon = b.lon - a.lon;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    // Reported speed where both ends have it, else the implied speed between them.
    let speed = if a.speed.is_nan() || b.speed.is_nan() {
        if span > 0.0 {
            (distance_m(a.position(), b.position()) / METRES_PER_NM / (span / 3600.0)) as f32
        } else {
            f32::NAN
        }
    } else {
        a.speed + (b.speed - a.speed) * w as f32
    };
    Sample {
        bucket: t.div_euclid(step),
        lat: a.lat + (b.lat - a.lat) * w,
        lon: normalize_lon(a.lon + dlon * w),
        speed,
        track,
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// A close approach of two tracks at one grid time.
#[derive(Debug, Clone, Copy)]
struct Close {
    bucket: i64,
    mid: LatLon,
    distance: f64,
    speed_a: f32,
    speed_b: f32,
}

fn encounters(cx: &Context<'_>, p: &EncounterParams, out: &mut Vec<Event>) {
    let step = p.resample_s.max(1);
    let mut samples = Vec::new();
    for track in cx.store.tracks() {
        resample(track, step, p.max_interpolation_gap_s, &mut samples);
    }
    samples.sort_unstable_by(|a, b| a.bucket.cmp(&b.bucket).then(a.lat.total_cmp(&b.lat)));
    let dlat = p.max_distance_m / crate::geo::METRES_PER_DEGREE;
    let mut pairs: HashMap<(u32, u32), Vec<Close>> = HashMap::new();
    let mut start = 0;
    while start < samples.len() {
        let bucket = samples[start].bucket;
        let end = start + samples[start..].partition_point(|s| s.bucket == bucket);
        let group = &samples[start..end];
        for (i, a) in group.iter().enumerate() {
            let coslat = a.lat.to_radians().cos().max(0.01);
            let dlon = dlat / coslat;
            for b in &group[i + 1..] {
                if b.lat - a.lat > dlat {
                    break;
                }
                let mut dl = (b.lon - a.lon).abs();
                if dl > 180.0 {
                    dl = 360.0 - dl;
                }
                if dl > dlon || a.track == b.track {
                    continue;
                }
                let (pa, pb) = (LatLon::new(a.lat, a.lon), LatLon::new(b.lat, b.lon));
                let d = distance_m(pa, pb);
                if d > p.max_distance_m {
                    continue;
                }
                let (first, second) = if a.track < b.track { (a, b) } else { (b, a) };
                let mid = mean_position([pa, pb].into_iter()).unwrap_or(pa);
                pairs
                    .entry((first.track, second.track))
                    .or_default()
                    .push(Close {
                        bucket,
                        mid,
                        distance: d,
                        speed_a: first.speed,
                        speed_b: second.speed,
                    });
            }
        }
        start = end;
    }
    drop(samples);
    let mut keys: Vec<(u32, u32)> = pairs.keys().copied().collect();
    keys.sort_unstable();
    for key in keys {
        let Some(mut closes) = pairs.remove(&key) else {
            continue;
        };
        closes.sort_by_key(|c| c.bucket);
        // Runs of consecutive grid times, long enough, then merged when close in time.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut s = 0;
        for i in 1..=closes.len() {
            if i == closes.len() || closes[i].bucket != closes[i - 1].bucket + 1 {
                if (closes[i - 1].bucket - closes[s].bucket) * step >= p.min_duration_s {
                    runs.push((s, i));
                }
                s = i;
            }
        }
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for run in runs {
            match merged.last_mut() {
                Some(last)
                    if (closes[run.0].bucket - closes[last.1 - 1].bucket) * step
                        < p.merge_gap_s =>
                {
                    last.1 = run.1;
                }
                _ => merged.push(run),
            }
        }
        for (s, e) in merged {
            // Points of the merged event: the runs and what lies between them.
            let points: Vec<&Close> = closes[s..e].iter().collect();
            let mut speeds_a: Vec<f64> = points
                .iter()
                .map(|c| f64::from(c.speed_a))
                .filter(|v| v.is_finite())
                .collect();
            let mut speeds_b: Vec<f64> = points
                .iter()
                .map(|c| f64::from(c.speed_b))
                .filter(|v| v.is_finite())
                .collect();
            let (ma, mb) = (median(&mut speeds_a), median(&mut speeds_b));
            if !(ma < p.max_median_speed_knots && mb < p.max_median_speed_knots) {
                continue;
            }
            let Some(centre) = mean_position(points.iter().map(|c| c.mid)) else {
                continue;
            };
            let port = cx.ports.nearest(centre, SEARCH_LIMIT_M);
            if port.is_some_and(|(_, d)| d < p.min_distance_from_port_m) {
                continue;
            }
            let mut distances: Vec<f64> = points.iter().map(|c| c.distance).collect();
            let (Some(a), Some(b)) = (cx.store.track(key.0), cx.store.track(key.1)) else {
                continue;
            };
            // One event per encounter; the store turns it to face whichever vessel is asked for.
            out.push(Event {
                kind: EventKind::Encounter,
                vessel: cx.vessel(a),
                start: points[0].bucket * step,
                end: points[points.len() - 1].bucket * step,
                position: Some(centre),
                end_position: None,
                other: Some(cx.vessel(b)),
                port: None,
                details: Details::Encounter {
                    median_distance_m: median(&mut distances),
                    vessel_median_speed_knots: ma,
                    other_median_speed_knots: mb,
                    distance_to_port_m: port.map(|(_, d)| d),
                    points: points.len(),
                },
                parameters: UsedParameters::Encounter(p.clone()),
            });
        }
    }
}

impl Event {
    /// The same event seen from the other vessel (encounters, shared MMSIs): `vessel` and
    /// `other` swap, and so do the two speeds of an encounter.
    pub fn facing(mut self, track: u32) -> Event {
        if self.vessel.track == track || self.other.as_ref().is_none_or(|o| o.track != track) {
            return self;
        }
        if let Some(other) = self.other.take() {
            self.other = Some(std::mem::replace(&mut self.vessel, other));
        }
        if let Details::Encounter {
            vessel_median_speed_knots,
            other_median_speed_knots,
            ..
        } = &mut self.details
        {
            std::mem::swap(vessel_median_speed_knots, other_median_speed_knots);
        }
        self
    }
}
