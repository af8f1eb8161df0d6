//! Maritime evasion indicators for the DPRK regime: what a vessel did, from its AIS.
//!
//! **Input.** [`nmea`] reads NMEA 0183 `!xxVDM`/`!xxVDO` sentences (NMEA 4.0 tag blocks with
//! receiver times, checksums, multi-part reassembly) and [`ais`] decodes the payload of the
//! types that carry a position or an identity: 1–3, 5, 18, 19, 24 (parts A and B), 27, plus 4
//! (base stations); other types are counted by their header. [`noaa`] reads NOAA
//! MarineCadastre CSV. Every bad line lands in a typed [`report::IngestReport`] (counts per
//! [`report::ProblemKind`], examples with file, line and reason); the rest is ingested.
//!
//! The decoder is Resolute's own (`ais.rs` and `nmea.rs`, about 1,000 lines without tests).
//! Considered: `aivdm` 0.3 (MIT, no_std and allocation-free, all 27 types, a fixed-capacity
//! fragment assembler; young, one author, MSRV 1.87), `nmea-parser` 0.11 (Apache-2.0,
//! allocates a `String` per text field, pulls in `bitvec`, `hashbrown`, `chrono`, `log`) and
//! `ais` 0.12. What decided it: the tests compare every message with pyais, so reassembly
//! (pyais's slot key and strict fragment order) and field conventions (6-decimal rounding,
//! text cut at `@` and trimmed) would have to be re-implemented around any crate; the
//! ingest report needs a typed reason per line; and the NMEA 4.0 tag-block time is needed
//! (their documentation does not show tag-block support; their code was not checked). The
//! hot loop here is one table lookup per payload character; decoding runs at 50–60× pyais
//! (`scripts/bench-ais.py`) and agrees with pyais 3.3.1 on every message of both real
//! samples (`tests/pyais_agreement.rs`).
//!
//! **Store.** [`store::StoreBuilder`] takes plain records ([`store::FixRecord`],
//! [`store::StaticRecord`]) from the readers or from a database, and
//! [`store::StoreBuilder::build`] makes a [`store::VesselStore`]: each MMSI's fixes sorted and
//! deduplicated, split into one [`store::Track`] per vessel (fixes no ship could join at
//! 50 kn are different vessels; a group too short to be one is a jump, a spoofing sign), each
//! track's identities (MMSI, IMO, name, call sign, flag from the MID through
//! [`places::Flags`]) dated. Queries: [`store::VesselStore::vessel`] (identity history by IMO
//! or MMSI), [`store::VesselStore::events`] (events in a time window),
//! [`store::VesselStore::map_tracks`] (positions with times for a map).
//!
//! **Events** ([`events`]), with [`params::Parameters`] defaulting to Global Fishing Watch's
//! published values: encounters, loitering, AIS gaps (near the coast, without coverage,
//! offshore, suspected disabling), port visits (World Port Index, DPRK ports flagged),
//! identity changes, shared MMSIs, list mismatches, spoofing. Reference data is embedded
//! ([`places`]): the World Port Index, Natural Earth's 1:50m coastline, the ITU MID table.
//!
//! **Scenarios** ([`scenario`]) replay and shift the real tracks for tests and the benchmark.
//!
//! Persistence (for the lead): the ingestion output is plain, serde-ready data — fixes
//! `(mmsi, time, lat, lon, speed, course)` and static records `(mmsi, time, imo, name,
//! call_sign, ship_type)` — suggested SQLite tables `ais_fix` (primary key `(mmsi, time, lat,
//! lon)`, index on `time`) and `ais_static`; a store is rebuilt from them with `add_fix` and
//! `add_static`, and events are recomputed on build (they depend on the parameters).

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

pub use events::{Event, EventKind, ListedVessel};
pub use params::Parameters;
pub use report::{IngestReport, ProblemKind};
pub use store::{Format, StoreBuilder, VesselKey, VesselStore};
