//! The store of positions and identities: ingestion ([`StoreBuilder`]) and the built,
//! queryable [`VesselStore`].
//!
//! Ingestion takes plain records ([`FixRecord`], [`StaticRecord`]) from any source — the NMEA
//! and NOAA readers here, or rows read back from a database — and counts bad input in an
//! [`IngestReport`]. [`StoreBuilder::build`] then sorts each MMSI's fixes, drops duplicates,
//! splits the MMSI into one track per vessel (fixes that no ship could join at
//! [`TrackParams::max_speed_knots`] belong to different vessels; a short group of such fixes
//! is a jump, a spoofing sign), dates each track's identities, and runs the detectors.
//!
//! GFW groups positions by MMSI, so two vessels broadcasting one MMSI make one track whose
//! gaps and jumps pair an off message of one vessel with an on message of the other. Here each
//! vessel keeps its own track, and the shared MMSI is itself reported as an identity event.

use std::collections::HashMap;
use std::path::Path;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::ais::AisMessage;
use crate::events::{self, Event, ListedVessel};
use crate::geo::{LatLon, METRES_PER_NM, distance_m};
use crate::nmea::NmeaReader;
use crate::params::{Parameters, TrackParams};
use crate::places::{Flag, Flags};
use crate::report::{IngestReport, ProblemKind};

/// One position report as ingested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixRecord {
    pub mmsi: u32,
    /// Unix seconds, UTC.
    pub time: i64,
    pub lat: f64,
    pub lon: f64,
    /// Speed over ground, knots (`None` or ≥ 102.2: not available).
    pub speed: Option<f32>,
    /// Course over ground, degrees (`None` or ≥ 360: not available).
    pub course: Option<f32>,
    /// Source line, for problem reports.
    pub line: u64,
}

/// One static report (name, call sign, IMO) as ingested; absent fields keep their last value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticRecord {
    pub mmsi: u32,
    pub time: i64,
    pub imo: Option<u32>,
    pub name: Option<CompactString>,
    pub call_sign: Option<CompactString>,
    pub ship_type: Option<u8>,
}

/// A stored fix. Speed and course are NaN when not available.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub time: i64,
    pub lat: f64,
    pub lon: f64,
    pub speed: f32,
    pub course: f32,
}

impl Fix {
    pub fn position(&self) -> LatLon {
        LatLon::new(self.lat, self.lon)
    }
}

/// A vessel identity as broadcast: MMSI with the static data in force, and the flag that the
/// MMSI's MID assigns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    pub mmsi: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<CompactString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<CompactString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<Flag>,
}

/// An identity in force on a track from `from` to `to` (Unix seconds, the first and last
/// report that carried it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentitySpan {
    pub from: i64,
    pub to: i64,
    pub identity: u32,
}

/// One vessel's track: the fixes of one MMSI that one ship could have made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: u32,
    pub mmsi: u32,
    pub fixes: Vec<Fix>,
    /// The identities broadcast along the track, in time order.
    pub identities: Vec<IdentitySpan>,
}

impl Track {
    /// Time of the first fix (of the first identity report for a track without fixes).
    pub fn start(&self) -> i64 {
        match self.fixes.first() {
            Some(f) => f.time,
            None => self.identities.iter().map(|s| s.from).min().unwrap_or(0),
        }
    }

    /// Time of the last fix (of the last identity report for a track without fixes).
    pub fn end(&self) -> i64 {
        match self.fixes.last() {
            Some(f) => f.time,
            None => self.identities.iter().map(|s| s.to).max().unwrap_or(0),
        }
    }
}

/// A fix that no track of its MMSI could reach and that made no track of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jump {
    pub mmsi: u32,
    /// The fix of the MMSI's track nearest to it in time (the one it cannot be joined to).
    pub before: Option<Fix>,
    pub fix: Fix,
    pub implied_speed_knots: Option<f64>,
}

#[derive(Debug, Default)]
struct MmsiInput {
    fixes: Vec<Fix>,
    last_time: i64,
    current: Option<Identity>,
    /// Runs of one identity: (first report, last report, identity id).
    statics: Vec<(i64, i64, u32)>,
}

/// Accumulates records; [`StoreBuilder::build`] makes the queryable store.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    per_mmsi: HashMap<u32, MmsiInput>,
    identities: Vec<Identity>,
    identity_ids: HashMap<Identity, u32>,
    report: IngestReport,
}

/// The input formats the store reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Nmea,
    Noaa,
}

impl Format {
    /// `.csv` is NOAA, anything else NMEA.
    pub fn guess(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Noaa,
            _ => Format::Nmea,
        }
    }
}

/// An input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error(transparent)]
    Noaa(#[from] crate::noaa::NoaaError),
    #[error(transparent)]
    Data(#[from] crate::places::DataError),
}

/// A ship station MMSI has nine digits and a MID of 2–7 (ITU-R M.585).
fn is_ship_mmsi(mmsi: u32) -> bool {
    (200_000_000..800_000_000).contains(&mmsi)
}

impl StoreBuilder {
    pub fn new() -> StoreBuilder {
        StoreBuilder::default()
    }

    /// Everything reported so far.
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// Add one fix; bad ones are counted and dropped (impossible coordinates, invalid MMSI,
    /// an exact repeat of the previous fix), late ones counted and kept.
    pub fn add_fix(&mut self, source: &str, record: &FixRecord) -> bool {
        if !is_ship_mmsi(record.mmsi) {
            self.report
                .problem(ProblemKind::InvalidMmsi, source, record.line, || {
                    format!("MMSI {} is not a ship station", record.mmsi)
                });
            return false;
        }
        let position = LatLon::new(record.lat, record.lon);
        if !position.is_valid() {
            self.report.problem(
                ProblemKind::ImpossibleCoordinates,
                source,
                record.line,
                || format!("lat {} lon {}", record.lat, record.lon),
            );
            return false;
        }
        let fix = Fix {
            time: record.time,
            lat: record.lat,
            lon: record.lon,
            speed: record
                .speed
                .filter(|s| *s >= 0.0 && *s < 102.2)
                .unwrap_or(f32::NAN),
            course: record
                .course
                .filter(|c| *c >= 0.0 && *c < 360.0)
                .unwrap_or(f32::NAN),
        };
        let input = self.per_mmsi.entry(record.mmsi).or_default();
        if let Some(last) = input.fixes.last() {
            if last.time == fix.time && last.lat == fix.lat && last.lon == fix.lon {
                self.report
                    .problem(ProblemKind::DuplicateFix, source, record.line, || {
                        format!("MMSI {} at {} repeated", record.mmsi, record.time)
                    });
                return false;
            }
            if fix.time < input.last_time {
                self.report
                    .problem(ProblemKind::TimeOutOfOrder, source, record.line, || {
                        format!(
                            "MMSI {}: {} after {}",
                            record.mmsi, fix.time, input.last_time
                        )
                    });
            }
        }
        input.last_time = input.last_time.max(fix.time);
        input.fixes.push(fix);
        self.report.positions += 1;
        true
    }

    /// Add one static report; a change of IMO, name or call sign starts a new dated identity.
    pub fn add_static(&mut self, source: &str, line: u64, record: &StaticRecord) {
        if !is_ship_mmsi(record.mmsi) {
            self.report
                .problem(ProblemKind::InvalidMmsi, source, line, || {
                    format!("MMSI {} is not a ship station", record.mmsi)
                });
            return;
        }
        self.report.static_reports += 1;
        let input = self.per_mmsi.entry(record.mmsi).or_default();
        let mut next = input.current.clone().unwrap_or_else(|| Identity {
            mmsi: record.mmsi,
            imo: None,
            name: None,
            call_sign: None,
            ship_type: None,
            flag: Flags::bundled()
                .ok()
                .and_then(|f| f.of_mmsi(record.mmsi))
                .cloned(),
        });
        let clean = |t: &Option<CompactString>| {
            t.as_ref()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(CompactString::from)
        };
        if let Some(imo) = record.imo.filter(|i| *i > 0) {
            next.imo = Some(imo);
        }
        if let Some(name) = clean(&record.name) {
            next.name = Some(name);
        }
        if let Some(call_sign) = clean(&record.call_sign) {
            next.call_sign = Some(call_sign);
        }
        if next.ship_type.is_none() {
            next.ship_type = record.ship_type;
        }
        let id = match self.identity_ids.get(&next) {
            Some(id) => *id,
            None => {
                let id = self.identities.len() as u32;
                self.identities.push(next.clone());
                self.identity_ids.insert(next.clone(), id);
                id
            }
        };
        input.current = Some(next);
        match input.statics.last_mut() {
            Some(run) if run.2 == id && record.time >= run.1 => run.1 = record.time,
            _ => input.statics.push((record.time, record.time, id)),
        }
    }

    /// Add a decoded AIS message received at `time` (none: counted, not stored).
    pub fn add_message(
        &mut self,
        source: &str,
        line: u64,
        time: Option<i64>,
        message: &AisMessage,
    ) {
        let position = |mmsi, lat, lon, speed: f32, course: f32| FixRecord {
            mmsi,
            time: 0,
            lat,
            lon,
            speed: Some(speed),
            course: Some(course),
            line,
        };
        let (fix, stat) = match message {
            AisMessage::ClassA(m) => (
                Some(position(m.mmsi, m.lat, m.lon, m.speed, m.course)),
                None,
            ),
            AisMessage::ClassB(m) => (
                Some(position(m.mmsi, m.lat, m.lon, m.speed, m.course)),
                None,
            ),
            AisMessage::LongRange(m) => {
                let speed = if m.speed >= 63.0 { f32::NAN } else { m.speed };
                let course = if m.course >= 360.0 {
                    f32::NAN
                } else {
                    m.course
                };
                (Some(position(m.mmsi, m.lat, m.lon, speed, course)), None)
            }
            AisMessage::ClassBExtended(m) => (
                Some(position(m.mmsi, m.lat, m.lon, m.speed, m.course)),
                Some(StaticRecord {
                    mmsi: m.mmsi,
                    time: 0,
                    imo: None,
                    name: Some(m.shipname.clone()),
                    call_sign: None,
                    ship_type: Some(m.ship_type),
                }),
            ),
            AisMessage::StaticVoyage(m) => (
                None,
                Some(StaticRecord {
                    mmsi: m.mmsi,
                    time: 0,
                    imo: Some(m.imo),
                    name: Some(m.shipname.clone()),
                    call_sign: Some(m.callsign.clone()),
                    ship_type: Some(m.ship_type),
                }),
            ),
            AisMessage::StaticPartA(m) => (
                None,
                Some(StaticRecord {
                    mmsi: m.mmsi,
                    time: 0,
                    imo: None,
                    name: Some(m.shipname.clone()),
                    call_sign: None,
                    ship_type: None,
                }),
            ),
            AisMessage::StaticPartB(m) => (
                None,
                Some(StaticRecord {
                    mmsi: m.mmsi,
                    time: 0,
                    imo: None,
                    name: None,
                    call_sign: Some(m.callsign.clone()),
                    ship_type: Some(m.ship_type),
                }),
            ),
            AisMessage::BaseStation(_) | AisMessage::Other(_) => return,
        };
        let Some(time) = time else {
            self.report
                .problem(ProblemKind::NoTimestamp, source, line, || {
                    format!("type {} message without a time", message.msg_type())
                });
            return;
        };
        if let Some(mut fix) = fix {
            fix.time = time;
            self.add_fix(source, &fix);
        }
        if let Some(mut stat) = stat {
            stat.time = time;
            self.add_static(source, line, &stat);
        }
    }

    /// Ingest NMEA text (one sentence per line); returns this input's report (also merged
    /// into the builder's).
    pub fn ingest_nmea(&mut self, source: &str, text: &[u8]) -> IngestReport {
        let before = std::mem::take(&mut self.report);
        let mut reader = NmeaReader::new(source);
        for (i, line) in text.split(|&c| c == b'\n').enumerate() {
            if let Some(decoded) = reader.push_line(i as u64 + 1, line) {
                self.add_message(source, decoded.first_line, decoded.time, &decoded.message);
            }
        }
        let mut this = std::mem::replace(&mut self.report, before);
        let nmea = reader.finish();
        this.lines += nmea.lines;
        this.messages += nmea.messages;
        for (t, n) in &nmea.messages_by_type {
            *this.messages_by_type.entry(*t).or_insert(0) += n;
        }
        for (k, n) in &nmea.problems {
            *this.problems.entry(*k).or_insert(0) += n;
        }
        this.examples.extend(nmea.examples);
        self.report.merge(this.clone());
        this
    }

    /// Ingest a NOAA MarineCadastre CSV; returns this input's report.
    pub fn ingest_noaa(
        &mut self,
        source: &str,
        input: impl std::io::Read,
    ) -> Result<IngestReport, IngestError> {
        let before = std::mem::take(&mut self.report);
        let mut report = IngestReport::default();
        // Rows go straight into the store (a NOAA day file has millions).
        let read = crate::noaa::read_csv(source, input, &mut report, |fix, stat| {
            let line = fix.line;
            if self.add_fix(source, &fix)
                && let Some(stat) = stat
            {
                self.add_static(source, line, &stat);
            }
        });
        let mut this = std::mem::replace(&mut self.report, before);
        this.lines += report.lines;
        for (k, n) in &report.problems {
            *this.problems.entry(*k).or_insert(0) += n;
        }
        this.examples.extend(report.examples);
        self.report.merge(this.clone());
        read?;
        Ok(this)
    }

    /// Ingest a file by format.
    pub fn ingest_file(
        &mut self,
        path: &Path,
        format: Format,
    ) -> Result<IngestReport, IngestError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|error| IngestError::Read {
            path: name.clone(),
            error,
        })?;
        match format {
            Format::Nmea => Ok(self.ingest_nmea(&name, &bytes)),
            Format::Noaa => self.ingest_noaa(&name, bytes.as_slice()),
        }
    }

    /// Sort, deduplicate, split into tracks and detect events with `params`.
    pub fn build(self, params: &Parameters) -> Result<VesselStore, IngestError> {
        self.build_with_lists(params, &[])
    }

    /// As [`StoreBuilder::build`], also checking broadcast identities against list vessels.
    pub fn build_with_lists(
        self,
        params: &Parameters,
        listed: &[ListedVessel],
    ) -> Result<VesselStore, IngestError> {
        let StoreBuilder {
            per_mmsi,
            identities,
            mut report,
            ..
        } = self;
        let mut mmsis: Vec<u32> = per_mmsi.keys().copied().collect();
        mmsis.sort_unstable();
        let mut per_mmsi = per_mmsi;
        let mut tracks = Vec::new();
        let mut jumps = Vec::new();
        for mmsi in mmsis {
            let Some(mut input) = per_mmsi.remove(&mmsi) else {
                continue;
            };
            input.fixes.sort_by_key(|f| f.time);
            let before = input.fixes.len();
            input
                .fixes
                .dedup_by(|b, a| a.time == b.time && a.lat == b.lat && a.lon == b.lon);
            let dropped = before - input.fixes.len();
            if dropped > 0 {
                *report
                    .problems
                    .entry(ProblemKind::DuplicateFix)
                    .or_insert(0) += dropped as u64;
                report.positions -= dropped as u64;
            }
            split_mmsi(mmsi, input, &params.tracks, &mut tracks, &mut jumps);
        }
        let mut store = VesselStore {
            tracks,
            identities,
            jumps,
            by_mmsi: HashMap::new(),
            by_imo: HashMap::new(),
            events: Vec::new(),
            events_by_track: HashMap::new(),
            params: params.clone(),
            report,
        };
        store.index();
        let events = events::detect(&store, params, listed)?;
        store.set_events(events);
        Ok(store)
    }
}

/// Tracks of one MMSI open for new fixes at once.
const MAX_OPEN_GROUPS: usize = 32;

/// Split one MMSI's sorted fixes into tracks (greedy: each fix joins the track that reaches it
/// at the lowest implied speed, or starts a new one), then turn groups too short to be a
/// vessel into jumps.
fn split_mmsi(
    mmsi: u32,
    input: MmsiInput,
    p: &TrackParams,
    tracks: &mut Vec<Track>,
    jumps: &mut Vec<Jump>,
) {
    let max_speed_ms = p.max_speed_knots * METRES_PER_NM / 3600.0;
    let mut groups: Vec<Vec<Fix>> = Vec::new();
    // Groups that can no longer take fixes (an MMSI broadcast from many places — a default
    // or junk MMSI — would otherwise make the search quadratic).
    let mut closed: Vec<Vec<Fix>> = Vec::new();
    for fix in input.fixes {
        let mut best: Option<(usize, f64)> = None;
        for (i, group) in groups.iter().enumerate() {
            let Some(last) = group.last() else { continue };
            let dt = (fix.time - last.time) as f64;
            let d = distance_m(last.position(), fix.position());
            if d <= max_speed_ms * dt + p.position_noise_m {
                let cost = (d - p.position_noise_m).max(0.0) / dt.max(1.0);
                if best.is_none_or(|(_, c)| cost < c) {
                    best = Some((i, cost));
                }
            }
        }
        match best {
            Some((i, _)) => groups[i].push(fix),
            None => {
                if groups.len() >= MAX_OPEN_GROUPS
                    && let Some(oldest) = (0..groups.len())
                        .min_by_key(|&i| groups[i].last().map_or(i64::MIN, |f| f.time))
                {
                    closed.push(groups.swap_remove(oldest));
                }
                groups.push(vec![fix]);
            }
        }
    }
    groups.append(&mut closed);
    // Groups of at least `min_track_fixes` are vessels; when none is that long, the longest
    // (the first of equals) is the vessel. Every other group is a jump.
    let longest = groups.iter().map(Vec::len).max().unwrap_or(0);
    let mut keep: Vec<Vec<Fix>> = Vec::new();
    let mut short: Vec<Vec<Fix>> = Vec::new();
    let mut longest_kept = false;
    for group in groups {
        if group.len() >= p.min_track_fixes
            || (longest < p.min_track_fixes && group.len() == longest && !longest_kept)
        {
            longest_kept |= group.len() == longest;
            keep.push(group);
        } else {
            short.push(group);
        }
    }
    for group in short {
        for fix in group {
            let nearest = keep
                .iter()
                .flatten()
                .min_by_key(|f| (f.time - fix.time).abs())
                .copied();
            let implied_speed_knots = nearest.map(|b| {
                let hours = ((fix.time - b.time).abs() as f64 / 3600.0).max(1.0 / 3600.0);
                distance_m(b.position(), fix.position()) / METRES_PER_NM / hours
            });
            jumps.push(Jump {
                mmsi,
                before: nearest,
                fix,
                implied_speed_knots,
            });
        }
    }
    let first_track = tracks.len();
    if keep.is_empty() && !input.statics.is_empty() {
        // Static reports without a position (a type 5 heard, no position yet): the vessel
        // still has an identity to look up.
        keep.push(Vec::new());
    }
    for fixes in keep {
        tracks.push(Track {
            id: tracks.len() as u32,
            mmsi,
            fixes,
            identities: Vec::new(),
        });
    }
    // Each static run goes to the track with a fix nearest its time.
    let mine = &mut tracks[first_track..];
    for (from, to, identity) in input.statics {
        let nearest = mine.iter().enumerate().min_by_key(|(_, t)| {
            let i = t.fixes.partition_point(|f| f.time < from);
            let after = t.fixes.get(i).map_or(i64::MAX, |f| f.time - from);
            let before = i
                .checked_sub(1)
                .and_then(|j| t.fixes.get(j))
                .map_or(i64::MAX, |f| from - f.time);
            after.min(before)
        });
        if let Some((i, _)) = nearest {
            let spans = &mut mine[i].identities;
            match spans.last_mut() {
                Some(span) if span.identity == identity => span.to = span.to.max(to),
                _ => spans.push(IdentitySpan { from, to, identity }),
            }
        }
    }
}

/// Look a vessel up by IMO number or MMSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VesselKey {
    Imo(u32),
    Mmsi(u32),
}

impl VesselKey {
    /// Seven digits are an IMO number, nine an MMSI (`IMO9307839` also reads as an IMO).
    pub fn parse(text: &str) -> Option<VesselKey> {
        let t = text.trim();
        let (digits, imo) = match t.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("imo") => (t[3..].trim(), true),
            _ => (t, false),
        };
        let n: u32 = digits.parse().ok()?;
        match (imo, digits.len()) {
            (true, _) | (false, 7) => Some(VesselKey::Imo(n)),
            (false, 9) => Some(VesselKey::Mmsi(n)),
            _ => None,
        }
    }
}

/// A vessel's identity history: every identity broadcast by its tracks, dated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VesselHistory {
    pub key: VesselKey,
    pub tracks: Vec<u32>,
    pub identities: Vec<DatedIdentity>,
}

/// An identity with the track it was broadcast on and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatedIdentity {
    pub track: u32,
    #[serde(with = "crate::events::unix_time")]
    pub from: i64,
    #[serde(with = "crate::events::unix_time")]
    pub to: i64,
    #[serde(flatten)]
    pub identity: Identity,
}

/// A compact track for a map: `[unix seconds, lat, lon]` triples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapTrack {
    pub track: u32,
    pub mmsi: u32,
    pub points: Vec<(i64, f64, f64)>,
}

/// Tracks, identities and events, queryable by vessel.
#[derive(Debug)]
pub struct VesselStore {
    tracks: Vec<Track>,
    identities: Vec<Identity>,
    jumps: Vec<Jump>,
    by_mmsi: HashMap<u32, Vec<u32>>,
    by_imo: HashMap<u32, Vec<u32>>,
    events: Vec<Event>,
    events_by_track: HashMap<u32, Vec<u32>>,
    params: Parameters,
    report: IngestReport,
}

impl VesselStore {
    fn index(&mut self) {
        for t in &self.tracks {
            self.by_mmsi.entry(t.mmsi).or_default().push(t.id);
            for span in &t.identities {
                if let Some(imo) = self
                    .identities
                    .get(span.identity as usize)
                    .and_then(|i| i.imo)
                {
                    let ids = self.by_imo.entry(imo).or_default();
                    if ids.last() != Some(&t.id) {
                        ids.push(t.id);
                    }
                }
            }
        }
    }

    fn set_events(&mut self, mut events: Vec<Event>) {
        events.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(a.vessel.track.cmp(&b.vessel.track))
        });
        for (i, e) in events.iter().enumerate() {
            self.events_by_track
                .entry(e.vessel.track)
                .or_default()
                .push(i as u32);
            if let Some(other) = &e.other {
                self.events_by_track
                    .entry(other.track)
                    .or_default()
                    .push(i as u32);
            }
        }
        self.events = events;
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    pub fn track(&self, id: u32) -> Option<&Track> {
        self.tracks.get(id as usize)
    }

    pub fn identity(&self, id: u32) -> Option<&Identity> {
        self.identities.get(id as usize)
    }

    /// The identity a track broadcast last (its current identity).
    pub fn current_identity(&self, track: u32) -> Option<&Identity> {
        let t = self.track(track)?;
        let span = t.identities.iter().max_by_key(|s| s.to)?;
        self.identity(span.identity)
    }

    pub fn jumps(&self) -> &[Jump] {
        &self.jumps
    }

    /// Every event, in start order.
    pub fn all_events(&self) -> &[Event] {
        &self.events
    }

    pub fn parameters(&self) -> &Parameters {
        &self.params
    }

    /// Everything the ingestion and the build reported.
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// The tracks of a vessel: those of an MMSI, or those that broadcast an IMO number.
    pub fn tracks_of(&self, key: VesselKey) -> &[u32] {
        let found = match key {
            VesselKey::Imo(imo) => self.by_imo.get(&imo),
            VesselKey::Mmsi(mmsi) => self.by_mmsi.get(&mmsi),
        };
        found.map_or(&[], Vec::as_slice)
    }

    /// A vessel's dated identity history, `None` when no track matches.
    pub fn vessel(&self, key: VesselKey) -> Option<VesselHistory> {
        let tracks = self.tracks_of(key).to_vec();
        if tracks.is_empty() {
            return None;
        }
        let mut identities: Vec<DatedIdentity> = tracks
            .iter()
            .filter_map(|&t| self.track(t))
            .flat_map(|t| {
                t.identities.iter().filter_map(move |s| {
                    Some(DatedIdentity {
                        track: t.id,
                        from: s.from,
                        to: s.to,
                        identity: self.identity(s.identity)?.clone(),
                    })
                })
            })
            .collect();
        identities.sort_by_key(|d| (d.from, d.track));
        Some(VesselHistory {
            key,
            tracks,
            identities,
        })
    }

    /// A vessel's events that overlap [from, to] (Unix seconds), in start order; an event
    /// between two vessels (encounter, shared MMSI) faces the vessel asked for.
    pub fn events(&self, key: VesselKey, from: i64, to: i64) -> Vec<Event> {
        let tracks = self.tracks_of(key);
        let mut ids: Vec<(u32, u32)> = tracks
            .iter()
            .filter_map(|t| Some(self.events_by_track.get(t)?.iter().map(move |e| (*e, *t))))
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup_by_key(|(e, _)| *e);
        ids.into_iter()
            .filter_map(|(i, t)| Some((self.events.get(i as usize)?, t)))
            .filter(|(e, _)| e.end >= from && e.start <= to)
            .map(|(e, t)| e.clone().facing(t))
            .collect()
    }

    /// A vessel's positions in [from, to] for a map, one entry per track.
    pub fn map_tracks(&self, key: VesselKey, from: i64, to: i64) -> Vec<MapTrack> {
        self.tracks_of(key)
            .iter()
            .filter_map(|&t| self.track(t))
            .map(|t| MapTrack {
                track: t.id,
                mmsi: t.mmsi,
                points: t
                    .fixes
                    .iter()
                    .filter(|f| f.time >= from && f.time <= to)
                    .map(|f| (f.time, f.lat, f.lon))
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(mmsi: u32, time: i64, lat: f64, lon: f64) -> FixRecord {
        FixRecord {
            mmsi,
            time,
            lat,
            lon,
            speed: Some(10.0),
            course: None,
            line: 0,
        }
    }

    #[test]
    fn an_mmsi_broadcast_from_everywhere_stays_linear_and_loses_nothing() {
        // 20,000 fixes one second apart, each 1° from the previous: no two can be joined.
        let mut b = StoreBuilder::new();
        for i in 0..20_000i64 {
            b.add_fix(
                "t",
                &fix(
                    412_000_001,
                    i,
                    (i % 160) as f64 - 80.0,
                    ((i * 7) % 360) as f64 - 180.0,
                ),
            );
        }
        let store = b.build(&Parameters::default()).expect("build");
        // Single-fix groups: the first is the track, the rest are jumps.
        assert_eq!(store.tracks().len(), 1);
        assert_eq!(store.jumps().len() + store.tracks()[0].fixes.len(), 20_000);
    }

    #[test]
    fn vessel_keys_parse_imo_and_mmsi() {
        assert_eq!(
            VesselKey::parse("IMO9307839"),
            Some(VesselKey::Imo(9_307_839))
        );
        assert_eq!(VesselKey::parse("9307839"), Some(VesselKey::Imo(9_307_839)));
        assert_eq!(
            VesselKey::parse("445114000"),
            Some(VesselKey::Mmsi(445_114_000))
        );
        assert_eq!(VesselKey::parse("12345"), None);
    }
}
