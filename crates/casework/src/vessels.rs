//! AIS and vessels in the application layer: one home for what the API and the CLI do with
//! them.
//!
//! - **Ingestion** ([`Casework::ingest_ais`]): a batch (NMEA 0183 text or NOAA MarineCadastre
//!   CSV, with its file name) goes through the maritime readers — bad input is counted per
//!   kind ([`resolute_maritime::ProblemKind`]) and the rest kept —, the records not already
//!   held go into the store's AIS tables (`resolute_store`'s `ais` module) in one transaction
//!   with one audit record `ais.ingest` (file name, format, actor, counts per problem kind,
//!   positions and static reports read and newly stored, SHA-256 of the rows added), then the
//!   vessel store is rebuilt from every held record and swapped in whole, like the engine
//!   after a list upload:
//!   screenings in flight finish on the old one. A batch that stores nothing new (all bad,
//!   or all already stored) is still audited and rebuilds nothing. When another process
//!   wrote to the store since the records were read (`resolute ais ingest` beside a server),
//!   they are read again first, so the rebuild includes that process's batches too.
//! - **Restart**: [`Casework::open`] reads every stored record and builds the vessel store
//!   before the first screening, so tracks and identities survive a restart.
//! - **The vessel store in force** ([`VesselCell`]): tracks, identities and events
//!   (`resolute_maritime::VesselStore`), built with the maritime crate's default parameters and
//!   the list vessels of the engine in force (broadcast identities that contradict a list).
//!   Every recorded transaction screening looks its vessel up there
//!   (`resolute_screening::vessels`).
//! - **What a vessel did** ([`Casework::vessel_profile`], [`Casework::vessel_events`],
//!   [`Casework::vessel_map`]): the dated identity history with the list entries its
//!   identifiers match, the events in a period, and a map (track, events, ports, coastline).
//!
//! Rebuild cost: the whole vessel store is rebuilt from the held records (events depend on
//! every track: encounters pair them, gap coverage counts them). The maritime benchmark
//! (`scripts/bench-ais.py`, see `resolute_maritime`'s crate docs) measured tracks and every
//! event in 0.03 CPU s for 100,000 positions — more than the real samples (12,634 NOAA
//! positions, 1,412 tracks) — and 3.8 CPU s (plus 0.8 s to take the records in, 520 MB) for
//! 10,000,000 positions of 10,000 vessels. Not measured: reading 10 M rows back from SQLite
//! at start-up, and the in-memory copy of the records held for merging (about 56 bytes a
//! position).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::NaiveDate;
use resolute_maritime::events::{Event, ListedVessel};
use resolute_maritime::geo::{LatLon, distance_m};
use resolute_maritime::places::{Flags, Port, PortIndex, Shore};
use resolute_maritime::report::IngestReport;
use resolute_maritime::store::{FixRecord, MapTrack, Records, StaticRecord, VesselHistory};
use resolute_maritime::{Format, Parameters, StoreBuilder, VesselKey, VesselStore};
use resolute_model::{Schema, prop};
use resolute_screening::PartyScreener;
use resolute_store::{AisFixRow, AisStaticRow, Store};
use serde::Serialize;
use serde_json::json;

use crate::Casework;
use crate::engine::Engine;
use crate::error::{CaseworkError, Result};

/// The vessel store in force, swapped whole after each ingestion.
#[derive(Debug)]
pub struct VesselCell {
    current: RwLock<Arc<VesselStore>>,
    /// The records the store is built from (the store's AIS tables mirror them).
    records: Mutex<Records>,
    /// One ingestion (store write + rebuild + swap) at a time, so that the store in force
    /// always holds every committed batch.
    ingest: Mutex<()>,
    /// `Store::external_writes` when `records` were read from the store.
    external_writes: AtomicU64,
}

impl VesselCell {
    /// A cell holding the vessel store built from every AIS record in `store`.
    pub fn load(store: &Store, listed: &[ListedVessel]) -> Result<(VesselCell, RebuildStats)> {
        let external_writes = store.external_writes();
        let records = load_records(store)?;
        let (vessels, stats) = build(&records, listed)?;
        Ok((
            VesselCell {
                current: RwLock::new(Arc::new(vessels)),
                records: Mutex::new(records),
                ingest: Mutex::new(()),
                external_writes: AtomicU64::new(external_writes),
            },
            stats,
        ))
    }

    pub fn get(&self) -> Arc<VesselStore> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn swap(&self, store: VesselStore) {
        let store = Arc::new(store);
        match self.current.write() {
            Ok(mut g) => *g = store,
            Err(p) => *p.into_inner() = store,
        }
    }
}

/// What a rebuild did and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildStats {
    pub positions: u64,
    pub static_reports: u64,
    pub tracks: usize,
    pub events: usize,
    pub seconds: f64,
}

/// The list vessels of an engine (`Vessel` entries with their names, IMO, MMSI).
pub fn listed_vessels(engine: &Engine) -> Vec<ListedVessel> {
    engine
        .index("default")
        .map(|i| {
            i.entities()
                .iter()
                .filter_map(ListedVessel::from_entity)
                .collect()
        })
        .unwrap_or_default()
}

fn build(records: &Records, listed: &[ListedVessel]) -> Result<(VesselStore, RebuildStats)> {
    let started = Instant::now();
    let mut builder = StoreBuilder::new();
    for f in &records.fixes {
        builder.add_fix("store", f);
    }
    for s in &records.statics {
        builder.add_static("store", 0, s);
    }
    let store = builder
        .build_with_lists(&Parameters::default(), listed)
        .map_err(|e| CaseworkError::Corrupt(format!("AIS reference data: {e}")))?;
    let stats = RebuildStats {
        positions: store.report().positions,
        static_reports: store.report().static_reports,
        tracks: store.tracks().len(),
        events: store.all_events().len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((store, stats))
}

/// One batch of AIS input as received.
#[derive(Debug, Clone, Copy)]
pub struct AisBatch<'a> {
    /// The file name (audited, and named in every problem).
    pub name: &'a str,
    pub format: Format,
    pub bytes: &'a [u8],
}

/// The format of a file by its name: `.csv` is NOAA MarineCadastre CSV, anything else NMEA.
pub fn guess_format(name: &str) -> Format {
    Format::guess(std::path::Path::new(name))
}

/// Parse a format name (`nmea`, `noaa`); the error names `field`.
pub fn parse_format(field: &str, value: &str) -> Result<Format> {
    match value.trim().to_ascii_lowercase().as_str() {
        "nmea" => Ok(Format::Nmea),
        "noaa" | "csv" => Ok(Format::Noaa),
        other => Err(CaseworkError::invalid(
            field,
            format!("must be nmea or noaa, got {other:?}"),
        )),
    }
}

/// A recorded ingestion.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AisIngestion {
    pub name: String,
    /// `nmea` or `noaa`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub format: Format,
    /// What the readers made of the batch: lines, messages, positions and static reports
    /// accepted, problems counted per kind, with examples (file, line, reason).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub report: IngestReport,
    /// Positions and static reports not already stored.
    pub stored_positions: u64,
    pub stored_static_reports: u64,
    pub audit_seq: i64,
    /// The rebuild that put the batch in force (`None`: nothing new to build).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub rebuild: Option<RebuildStats>,
}

impl Casework {
    /// The vessel store in force.
    pub fn vessels(&self) -> Arc<VesselStore> {
        self.vessels.get()
    }

    /// Ingest one batch (see the module docs). A NOAA file without its header columns is an
    /// error naming the file; bad lines and rows are only counted.
    pub fn ingest_ais(&self, batch: AisBatch<'_>, actor: &str) -> Result<AisIngestion> {
        let mut builder = StoreBuilder::keeping_records();
        let report = match batch.format {
            Format::Nmea => builder.ingest_nmea(batch.name, batch.bytes),
            Format::Noaa => builder
                .ingest_noaa(batch.name, batch.bytes)
                .map_err(|e| CaseworkError::invalid("body", e.to_string()))?,
        };
        let records = builder.take_records();
        let _one_at_a_time = self
            .vessels
            .ingest
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut held = self
            .vessels
            .records
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Another process (`resolute ais ingest` beside the server) may have stored records
        // since they were read: read them again before merging.
        let external = self.store.external_writes();
        if external != self.vessels.external_writes.load(Ordering::Acquire) {
            *held = load_records(&self.store)?;
            self.vessels
                .external_writes
                .store(external, Ordering::Release);
        }
        let (merged, new) = merge(&held, &records);
        let payload = json!({
            "name": batch.name,
            "format": batch.format,
            "lines": report.lines,
            "messages": report.messages,
            "positions": report.positions,
            "static_reports": report.static_reports,
            "problems": report.problems,
        });
        let (fixes, statics) = to_rows(&new);
        let stored = self.store.store_ais(fixes, statics, payload, actor)?;
        let rebuild = if new.fixes.len() + new.statics.len() > 0 {
            let listed = listed_vessels(&self.engine());
            let (store, stats) = build(&merged, &listed)?;
            *held = merged;
            self.vessels.swap(store);
            Some(stats)
        } else {
            None
        };
        let (stored_positions, stored_static_reports, audit_seq) =
            (stored.positions, stored.static_reports, stored.audit.seq);
        Ok(AisIngestion {
            name: batch.name.to_string(),
            format: batch.format,
            report,
            stored_positions,
            stored_static_reports,
            audit_seq,
            rebuild,
        })
    }

    /// What is known of a vessel: its AIS identity history and the list entries its
    /// identifiers (the IMO or MMSI asked for, and every IMO, MMSI and name it broadcast)
    /// match as of `as_of`. `NotFound` when neither the AIS nor the lists know it.
    pub fn vessel_profile(&self, key: VesselKey, as_of: NaiveDate) -> Result<VesselProfile> {
        let store = self.vessels();
        let engine = self.engine();
        let history = store.vessel(key);
        let mut queries: Vec<(&'static str, String)> = match key {
            VesselKey::Imo(imo) => vec![("imo", format!("{imo:07}"))],
            VesselKey::Mmsi(mmsi) => vec![("mmsi", mmsi.to_string())],
        };
        if let Some(h) = &history {
            for d in &h.identities {
                let id = &d.identity;
                queries.push(("mmsi", id.mmsi.to_string()));
                if let Some(imo) = id.imo {
                    queries.push(("imo", format!("{imo:07}")));
                }
                if let Some(name) = &id.name {
                    queries.push(("name", name.to_string()));
                }
            }
        }
        queries.sort();
        queries.dedup();
        let mut list_matches: Vec<VesselListMatch> = Vec::new();
        if let Some(screener) = engine.parties.as_deref() {
            for (by, value) in &queries {
                let hits = match *by {
                    "imo" => screener.screen_imo(value, as_of),
                    "mmsi" => screener.screen_mmsi(value, as_of),
                    _ => screener
                        .screen_name(Schema::Vessel, value, None, as_of)
                        .into_iter()
                        .filter(|h| h.schema == Schema::Vessel)
                        .collect(),
                };
                for h in hits {
                    if list_matches.iter().any(|m| m.entity_id == h.entity_id) {
                        continue;
                    }
                    let entity = engine.entity(&h.entity_id);
                    let values = |p: &str| {
                        entity
                            .map(|e| e.get(p).iter().map(|v| v.to_string()).collect())
                            .unwrap_or_default()
                    };
                    list_matches.push(VesselListMatch {
                        entity_id: h.entity_id.clone(),
                        reference: h.reference.clone(),
                        caption: h.caption.clone(),
                        source: h.source.as_str().to_string(),
                        programs: h.programs.clone(),
                        listed_on: h.listed_on,
                        by: h.by,
                        value: value.clone(),
                        score: (h.score * 1000.0).round() / 1000.0,
                        imo: values(prop::IMO_NUMBER),
                        mmsi: values(prop::MMSI),
                        flag: values(prop::FLAG),
                    });
                }
            }
        }
        if history.is_none() && list_matches.is_empty() {
            return Err(CaseworkError::not_found(format!(
                "vessel {} (no AIS track, no list entry)",
                key_label(key)
            )));
        }
        let summary = history.as_ref().map(|h| {
            let tracks: Vec<_> = h.tracks.iter().filter_map(|&t| store.track(t)).collect();
            let flags = Flags::bundled().ok();
            let mut mmsis: Vec<MmsiFlag> = Vec::new();
            for t in &tracks {
                if mmsis.iter().any(|m| m.mmsi == t.mmsi) {
                    continue;
                }
                let flag = flags.and_then(|f| f.of_mmsi(t.mmsi));
                mmsis.push(MmsiFlag {
                    mmsi: t.mmsi,
                    flag: flag.and_then(|f| f.country.as_ref().map(|c| c.to_string())),
                    allocated_to: flag.map(|f| f.allocated_to.to_string()),
                    dprk: flag.is_some_and(|f| f.is_dprk()),
                });
            }
            AisSummary {
                positions: tracks.iter().map(|t| t.fixes.len()).sum(),
                first_seen: tracks.iter().map(|t| t.start()).min().map(rfc3339),
                last_seen: tracks.iter().map(|t| t.end()).max().map(rfc3339),
                mmsis,
                events: store.events(key, i64::MIN, i64::MAX).len(),
            }
        });
        Ok(VesselProfile {
            key,
            label: key_label(key),
            ais: summary,
            history,
            list_matches,
            as_of,
        })
    }

    /// The vessel's events overlapping [from, to] (days, UTC, both included; open ends when
    /// absent), in start order.
    pub fn vessel_events(
        &self,
        key: Option<VesselKey>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Vec<Event> {
        let store = self.vessels();
        let (from, to) = span(from, to);
        match key {
            Some(key) => store.events(key, from, to),
            None => store
                .all_events()
                .iter()
                .filter(|e| e.end >= from && e.start <= to)
                .cloned()
                .collect(),
        }
    }

    /// A map of the vessel in [from, to]: its tracks (at most [`MAP_POINTS`] points each),
    /// its events, the ports near them (DPRK ports flagged) and the coastline of Natural
    /// Earth's 1:50m land around them. `NotFound` when the AIS has no track for it.
    pub fn vessel_map(
        &self,
        key: VesselKey,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<VesselMap> {
        let store = self.vessels();
        if store.tracks_of(key).is_empty() {
            return Err(CaseworkError::not_found(format!(
                "AIS track of vessel {}",
                key_label(key)
            )));
        }
        let (start, end) = span(from, to);
        let tracks: Vec<MapTrack> = store
            .map_tracks(key, start, end)
            .into_iter()
            .map(thin)
            .collect();
        let events = store.events(key, start, end);
        // The map frames the positions of the period; events only when there are none (a gap
        // that overlaps the period may end years and oceans away).
        let mut points: Vec<LatLon> = tracks
            .iter()
            .flat_map(|t| t.points.iter().map(|p| LatLon::new(p.1, p.2)))
            .collect();
        if points.is_empty() {
            for e in &events {
                points.extend(e.position);
                points.extend(e.end_position);
            }
        }
        let bounds = Bounds::around(&points).unwrap_or(Bounds {
            south: -60.0,
            west: -180.0,
            north: 75.0,
            east: 180.0,
        });
        let centre = LatLon::new(
            (bounds.south + bounds.north) / 2.0,
            (bounds.west + bounds.east) / 2.0,
        );
        let ports: Vec<Port> = PortIndex::bundled()
            .map(|index| {
                let mut ports: Vec<&Port> = index
                    .ports()
                    .iter()
                    .filter(|p| bounds.contains(p.position))
                    .collect();
                // DPRK ports first, then the nearest to the middle of the map.
                ports.sort_by(|a, b| {
                    b.dprk.cmp(&a.dprk).then(
                        distance_m(a.position, centre).total_cmp(&distance_m(b.position, centre)),
                    )
                });
                ports.into_iter().take(MAP_PORTS).cloned().collect()
            })
            .unwrap_or_default();
        let coastline = Shore::bundled()
            .map(|s| {
                s.coastline_within(bounds.south, bounds.west, bounds.north, bounds.east)
                    .into_iter()
                    .map(|line| {
                        line.into_iter()
                            .map(|p| [round4(p.lat), round4(p.lon)])
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(VesselMap {
            key,
            label: key_label(key),
            bounds,
            tracks,
            events,
            ports,
            coastline,
        })
    }
}

/// Most points drawn per track (evenly thinned beyond).
pub const MAP_POINTS: usize = 5_000;
/// Most ports on one map.
const MAP_PORTS: usize = 400;

/// A track thinned to at most [`MAP_POINTS`] points, keeping the first and the last.
fn thin(mut t: MapTrack) -> MapTrack {
    let n = t.points.len();
    if n > MAP_POINTS {
        let step = n.div_ceil(MAP_POINTS);
        let last = t.points[n - 1];
        t.points = t.points.iter().step_by(step).copied().collect();
        if t.points.last() != Some(&last) {
            t.points.push(last);
        }
    }
    t
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Unix seconds of [from 00:00, to 23:59:59] UTC; open ends are the whole range.
fn span(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (i64, i64) {
    let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    (
        from.map_or(i64::MIN, midnight),
        to.map_or(i64::MAX, |d| midnight(d) + 86_399),
    )
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// `IMO 9080649` or `MMSI 370871000`.
pub fn key_label(key: VesselKey) -> String {
    match key {
        VesselKey::Imo(imo) => format!("IMO {imo:07}"),
        VesselKey::Mmsi(mmsi) => format!("MMSI {mmsi}"),
    }
}

/// A vessel key from a path or flag: seven digits (or `IMO1234567`) an IMO number, nine an
/// MMSI; the error names `field`.
pub fn parse_key(field: &str, value: &str) -> Result<VesselKey> {
    VesselKey::parse(value).ok_or_else(|| {
        CaseworkError::invalid(
            field,
            format!("{value:?} is neither an IMO number (7 digits) nor an MMSI (9 digits)"),
        )
    })
}

/// Records of `batch` not already in `held`, merged: (all, the new ones).
/// Fixes are the same when MMSI, time and position are (the store's key); static reports
/// when every field is. Static reports are kept compact: of a run of identical reports of
/// one MMSI (a NOAA file repeats the identity on every row) only the first and the last
/// remain, which is all the identity history needs (when each identity began and ended).
fn merge(held: &Records, batch: &Records) -> (Records, Records) {
    use std::collections::HashSet;
    let fix_key = |f: &FixRecord| (f.mmsi, f.time, f.lat.to_bits(), f.lon.to_bits());
    let mut seen: HashSet<_> = held.fixes.iter().map(fix_key).collect();
    let mut merged = held.clone();
    let mut new = Records::default();
    for f in &batch.fixes {
        if seen.insert(fix_key(f)) {
            merged.fixes.push(f.clone());
            new.fixes.push(f.clone());
        }
    }
    let static_key = |s: &StaticRecord| {
        (
            s.mmsi,
            s.time,
            s.imo,
            s.name.clone(),
            s.call_sign.clone(),
            s.ship_type,
        )
    };
    let held_statics: HashSet<_> = held.statics.iter().map(static_key).collect();
    // Compact the union, not the batch alone: a report inside a run already held (the
    // middle of a NOAA file ingested again) is then not new.
    let mut all: Vec<StaticRecord> = held
        .statics
        .iter()
        .chain(batch.statics.iter())
        .cloned()
        .collect();
    all.sort_by_key(|s| (s.mmsi, s.time));
    merged.statics = compact_statics(all);
    new.statics = merged
        .statics
        .iter()
        .filter(|s| !held_statics.contains(&static_key(s)))
        .cloned()
        .collect();
    merged.fixes.sort_by_key(|f| (f.mmsi, f.time));
    merged.statics.sort_by_key(|s| (s.mmsi, s.time));
    (merged, new)
}

/// Records as the store keeps them.
fn to_rows(records: &Records) -> (Vec<AisFixRow>, Vec<AisStaticRow>) {
    let fixes = records
        .fixes
        .iter()
        .map(|f| AisFixRow {
            mmsi: f.mmsi,
            time: f.time,
            lat: f.lat,
            lon: f.lon,
            speed: f.speed,
            course: f.course,
        })
        .collect();
    let statics = records
        .statics
        .iter()
        .map(|s| AisStaticRow {
            mmsi: s.mmsi,
            time: s.time,
            imo: s.imo,
            name: s.name.as_ref().map(|n| n.to_string()),
            call_sign: s.call_sign.as_ref().map(|c| c.to_string()),
            ship_type: s.ship_type,
        })
        .collect();
    (fixes, statics)
}

/// Every AIS record the store holds, by MMSI and time.
pub fn load_records(store: &Store) -> Result<Records> {
    let (fixes, statics) = store.ais_records()?;
    Ok(Records {
        fixes: fixes
            .into_iter()
            .map(|f| FixRecord {
                mmsi: f.mmsi,
                time: f.time,
                lat: f.lat,
                lon: f.lon,
                speed: f.speed,
                course: f.course,
                line: 0,
            })
            .collect(),
        statics: statics
            .into_iter()
            .map(|s| StaticRecord {
                mmsi: s.mmsi,
                time: s.time,
                imo: s.imo,
                name: s.name.map(Into::into),
                call_sign: s.call_sign.map(Into::into),
                ship_type: s.ship_type,
            })
            .collect(),
    })
}

/// Of each run of identical static reports of one MMSI (sorted by MMSI and time), the first
/// and the last.
fn compact_statics(sorted: Vec<StaticRecord>) -> Vec<StaticRecord> {
    let same = |a: &StaticRecord, b: &StaticRecord| {
        a.mmsi == b.mmsi
            && a.imo == b.imo
            && a.name == b.name
            && a.call_sign == b.call_sign
            && a.ship_type == b.ship_type
    };
    let mut out: Vec<StaticRecord> = Vec::with_capacity(sorted.len().min(1024));
    let mut run_start: Option<usize> = None;
    for s in sorted {
        match run_start {
            Some(i) if same(&out[i], &s) => {
                // Keep the run's first report and move its end to this one.
                if out.len() == i + 1 {
                    out.push(s);
                } else if let Some(last) = out.last_mut() {
                    *last = s;
                }
            }
            _ => {
                run_start = Some(out.len());
                out.push(s);
            }
        }
    }
    out
}

/// A vessel as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VesselProfile {
    /// `{"imo": N}` or `{"mmsi": N}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub key: VesselKey,
    pub label: String,
    pub as_of: NaiveDate,
    /// What the AIS holds (`None`: no track).
    pub ais: Option<AisSummary>,
    /// Every identity broadcast, dated (IMO, name, call sign, flag by MID).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub history: Option<VesselHistory>,
    /// List entries matched by the key or by anything the vessel broadcast.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub list_matches: Vec<VesselListMatch>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AisSummary {
    pub positions: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The MMSIs broadcast, each with the flag its MID assigns.
    pub mmsis: Vec<MmsiFlag>,
    /// Events of the vessel in the whole store.
    pub events: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MmsiFlag {
    pub mmsi: u32,
    pub flag: Option<String>,
    pub allocated_to: Option<String>,
    pub dprk: bool,
}

/// A list entry a vessel's identifier matched.
#[derive(Debug, Clone, Serialize)]
pub struct VesselListMatch {
    pub entity_id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub caption: String,
    pub source: String,
    pub programs: Vec<String>,
    pub listed_on: Option<NaiveDate>,
    /// What matched: `imo`, `mmsi` or `name`, and the value screened.
    pub by: &'static str,
    pub value: String,
    pub score: f64,
    pub imo: Vec<String>,
    pub mmsi: Vec<String>,
    pub flag: Vec<String>,
}

/// A box on the map, degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    /// The box around `points` with a margin (a quarter of its size, at least 0.3°, so that
    /// a port call shows the coast around the port); `None` for no points.
    fn around(points: &[LatLon]) -> Option<Bounds> {
        let first = points.first()?;
        let mut b = Bounds {
            south: first.lat,
            west: first.lon,
            north: first.lat,
            east: first.lon,
        };
        for p in points {
            b.south = b.south.min(p.lat);
            b.north = b.north.max(p.lat);
            b.west = b.west.min(p.lon);
            b.east = b.east.max(p.lon);
        }
        let margin_lat = ((b.north - b.south) / 4.0).max(0.3);
        let margin_lon = ((b.east - b.west) / 4.0).max(0.3);
        Some(Bounds {
            south: (b.south - margin_lat).max(-90.0),
            north: (b.north + margin_lat).min(90.0),
            west: (b.west - margin_lon).max(-180.0),
            east: (b.east + margin_lon).min(180.0),
        })
    }

    fn contains(&self, p: LatLon) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lon)
    }
}

/// What the map page draws.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VesselMap {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub key: VesselKey,
    pub label: String,
    pub bounds: Bounds,
    /// `[unix seconds, lat, lon]` per point, one entry per track.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub tracks: Vec<MapTrack>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<Event>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub ports: Vec<Port>,
    /// Coastline polylines, `[lat, lon]` points.
    pub coastline: Vec<Vec<[f64; 2]>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_formats_parse_and_errors_name_the_field() {
        assert_eq!(
            parse_key("imo", "IMO 9080649").ok(),
            Some(VesselKey::Imo(9_080_649))
        );
        assert_eq!(
            parse_key("vessel", "370871000").ok(),
            Some(VesselKey::Mmsi(370_871_000))
        );
        let e = parse_key("vessel", "12").map(|_| ()).unwrap_err();
        assert!(e.to_string().starts_with("vessel: \"12\" is neither"));
        assert_eq!(parse_format("format", "NOAA").ok(), Some(Format::Noaa));
        assert!(parse_format("format", "kml").is_err());
    }

    fn stat(mmsi: u32, time: i64, name: &str) -> StaticRecord {
        StaticRecord {
            mmsi,
            time,
            imo: Some(9_080_649),
            name: Some(name.into()),
            call_sign: None,
            ship_type: Some(70),
        }
    }

    #[test]
    fn runs_of_one_identity_keep_their_first_and_last_report() {
        let rows = vec![
            stat(1, 10, "A"),
            stat(1, 20, "A"),
            stat(1, 30, "A"),
            stat(1, 40, "B"),
            stat(1, 50, "A"),
            stat(2, 10, "A"),
            stat(2, 20, "A"),
        ];
        let kept: Vec<(u32, i64)> = compact_statics(rows)
            .iter()
            .map(|s| (s.mmsi, s.time))
            .collect();
        assert_eq!(kept, [(1, 10), (1, 30), (1, 40), (1, 50), (2, 10), (2, 20)]);
    }

    #[test]
    fn a_long_track_is_thinned_keeping_both_ends() {
        let t = MapTrack {
            track: 0,
            mmsi: 1,
            points: (0..12_345).map(|i| (i, 0.0, 0.0)).collect(),
        };
        let thinned = thin(t);
        assert!(thinned.points.len() <= MAP_POINTS + 1);
        assert_eq!(thinned.points.first().map(|p| p.0), Some(0));
        assert_eq!(thinned.points.last().map(|p| p.0), Some(12_344));
    }
}
