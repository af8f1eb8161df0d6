//! The reference data the detectors need, embedded so that the crate works offline:
//! - ports: the NGA World Port Index (Pub 150), 3,768 ports, 10 of them in the DPRK
//!   (`data/ports/derived-wpi-ports.csv`, columns kept by `data/ports/derive-wpi.py`);
//! - the shore: Natural Earth 1:50m land (world-atlas 2.0.2 `land-50m.json`, TopoJSON), whose
//!   arcs are the coastline;
//! - flags: the ITU Maritime Identification Digits (first three digits of a ship's MMSI →
//!   the administration that assigned it), mapped to ISO 3166 codes through `resolute-model`.
//!
//! **Distance to shore** is the distance to the nearest coastline segment of Natural Earth's
//! 1:50m land, searched up to a limit (100 km by default). Limits: the 1:50m generalisation
//! moves the coast by up to a few kilometres and drops islands smaller than a few km²,
//! so a point near a small island can read tens of km offshore; there is no on-land test (a
//! point inland reads as its distance to the coast). For the 50 nm "suspected disabling"
//! limit and the 20 nm loitering limit this error is small; for the 10 km encounter buffer
//! the detector uses the distance to the nearest World Port Index port, as GFW uses the
//! distance to its anchorages.

use std::sync::LazyLock;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::geo::{DegreeGrid, LatLon, distance_m, distance_to_segment_m};

static WPI_CSV: &str = include_str!("../../../data/ports/derived-wpi-ports.csv");
static LAND_TOPOJSON: &str = include_str!("../../../data/ports/natural-earth/land-50m.json");
static MID_CSV: &str = include_str!("../../../data/vessels/itu-maritime-identification-digits.csv");

/// A reference data file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("{file}: line {line}: {reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
}

/// A port of the World Port Index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    /// World Port Index number (a text: the WPI has `49454.5`).
    pub wpi: CompactString,
    pub name: CompactString,
    #[serde(skip_serializing_if = "str::is_empty", default)]
    pub alternate_name: CompactString,
    /// UN/LOCODE as the WPI writes it (`KP NAM`), empty when it has none.
    #[serde(skip_serializing_if = "str::is_empty", default)]
    pub unlocode: CompactString,
    /// Country as the WPI names it (`North Korea`).
    pub country: CompactString,
    pub position: LatLon,
    /// A port of the Democratic People's Republic of Korea.
    pub dprk: bool,
}

/// Ports with a spatial grid for nearest-port queries.
#[derive(Debug, Clone)]
pub struct PortIndex {
    ports: Vec<Port>,
    grid: DegreeGrid,
}

impl PortIndex {
    /// Read the derived WPI CSV (`wpi,name,alternate_name,unlocode,country,harbor_size,lat,lon`).
    pub fn from_csv(text: &str, file: &str) -> Result<PortIndex, DataError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut ports = Vec::new();
        let mut grid = DegreeGrid::default();
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let bad = |reason: String| DataError::Row {
                file: file.to_string(),
                line,
                reason,
            };
            let row = row.map_err(|e| bad(e.to_string()))?;
            let field = |n: usize| row.get(n).unwrap_or("").trim();
            let number = |n: usize, what: &str| {
                field(n)
                    .parse::<f64>()
                    .map_err(|_| bad(format!("{what} {:?} is not a number", field(n))))
            };
            let wpi = CompactString::from(field(0));
            if wpi.is_empty() {
                return Err(bad("no WPI number".into()));
            }
            let position = LatLon::new(number(6, "latitude")?, number(7, "longitude")?);
            if !position.is_valid() {
                return Err(bad(format!("position {position:?} is not on Earth")));
            }
            let country = CompactString::from(field(4));
            grid.insert_point(ports.len() as u32, position);
            ports.push(Port {
                wpi,
                name: field(1).into(),
                alternate_name: field(2).into(),
                unlocode: field(3).into(),
                dprk: country == "North Korea",
                country,
                position,
            });
        }
        Ok(PortIndex { ports, grid })
    }

    /// The bundled World Port Index.
    pub fn bundled() -> Result<&'static PortIndex, DataError> {
        static BUNDLED: LazyLock<Result<PortIndex, DataError>> =
            LazyLock::new(|| PortIndex::from_csv(WPI_CSV, "data/ports/derived-wpi-ports.csv"));
        BUNDLED.as_ref().map_err(Clone::clone)
    }

    pub fn ports(&self) -> &[Port] {
        &self.ports
    }

    pub fn get(&self, index: u32) -> Option<&Port> {
        self.ports.get(index as usize)
    }

    /// The nearest port within `radius_m`, with its distance in metres.
    pub fn nearest(&self, p: LatLon, radius_m: f64) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        // A port farther in latitude alone than the radius cannot be within it.
        let max_dlat = radius_m / crate::geo::METRES_PER_DEGREE;
        self.grid.near(p, radius_m, |i| {
            let port = self.ports[i as usize].position;
            if (port.lat - p.lat).abs() > max_dlat {
                return;
            }
            let d = distance_m(p, port);
            if d <= radius_m && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((i, d));
            }
        });
        best
    }

    /// Every port within `radius_m`, nearest first.
    pub fn within(&self, p: LatLon, radius_m: f64) -> Vec<(u32, f64)> {
        let mut found = Vec::new();
        self.grid.near(p, radius_m, |i| {
            let d = distance_m(p, self.ports[i as usize].position);
            if d <= radius_m {
                found.push((i, d));
            }
        });
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found
    }

    /// A port by its name or alternate name (case-insensitive), e.g. `Nampo`.
    pub fn by_name(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| {
            p.name.eq_ignore_ascii_case(name) || p.alternate_name.eq_ignore_ascii_case(name)
        })
    }
}

/// Coastline segments with a spatial grid, for distance-to-shore queries.
#[derive(Debug, Clone)]
pub struct Shore {
    segments: Vec<(LatLon, LatLon)>,
    grid: DegreeGrid,
}

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<[i64; 2]>>,
    transform: Transform,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

impl Shore {
    /// Read a quantized TopoJSON topology; every arc is taken as coastline.
    pub fn from_topojson(text: &str, file: &str) -> Result<Shore, DataError> {
        let topology: Topology = serde_json::from_str(text).map_err(|e| DataError::File {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        let [sx, sy] = topology.transform.scale;
        let [tx, ty] = topology.transform.translate;
        let mut segments = Vec::new();
        let mut grid = DegreeGrid::default();
        for arc in &topology.arcs {
            // Arcs are delta-encoded in quantized units.
            let (mut x, mut y) = (0i64, 0i64);
            let mut previous: Option<LatLon> = None;
            for [dx, dy] in arc {
                x += dx;
                y += dy;
                let p = LatLon::new(y as f64 * sy + ty, x as f64 * sx + tx);
                if let Some(a) = previous
                    && (a.lon - p.lon).abs() < 180.0
                {
                    let i = segments.len() as u32;
                    grid.insert_box(
                        i,
                        a.lat.min(p.lat),
                        a.lat.max(p.lat),
                        a.lon.min(p.lon),
                        a.lon.max(p.lon),
                    );
                    segments.push((a, p));
                }
                previous = Some(p);
            }
        }
        if segments.is_empty() {
            return Err(DataError::File {
                file: file.to_string(),
                reason: "no coastline segments".into(),
            });
        }
        Ok(Shore { segments, grid })
    }

    /// The bundled Natural Earth 1:50m coastline.
    pub fn bundled() -> Result<&'static Shore, DataError> {
        static BUNDLED: LazyLock<Result<Shore, DataError>> = LazyLock::new(|| {
            Shore::from_topojson(LAND_TOPOJSON, "data/ports/natural-earth/land-50m.json")
        });
        BUNDLED.as_ref().map_err(Clone::clone)
    }

    /// Distance in metres from `p` to the nearest coastline, or `None` when no coast is within
    /// `limit_m` (the point is at least that far offshore).
    pub fn distance_m(&self, p: LatLon, limit_m: f64) -> Option<f64> {
        // Search a small radius first: most vessels are near a coast, and a hit within r is
        // the answer (nothing nearer lies outside r).
        let mut radius = limit_m.min(10_000.0);
        loop {
            let found = self.nearest_within(p, radius);
            if found.is_some() || radius >= limit_m {
                return found;
            }
            radius = (radius * 4.0).min(limit_m);
        }
    }

    fn nearest_within(&self, p: LatLon, limit_m: f64) -> Option<f64> {
        let max_dlat = limit_m / crate::geo::METRES_PER_DEGREE;
        let mut best: Option<f64> = None;
        self.grid.near(p, limit_m, |i| {
            let (a, b) = self.segments[i as usize];
            // Both ends farther in latitude than the radius, on the same side: skip.
            if (a.lat - p.lat > max_dlat && b.lat - p.lat > max_dlat)
                || (p.lat - a.lat > max_dlat && p.lat - b.lat > max_dlat)
            {
                return;
            }
            let d = distance_to_segment_m(p, a, b);
            if d <= limit_m && best.is_none_or(|bd| d < bd) {
                best = Some(d);
            }
        });
        best
    }
}

/// The ITU Maritime Identification Digits table.
#[derive(Debug, Clone)]
pub struct Flags {
    /// Index = MID − 200 (MIDs run from 201 to 775).
    by_mid: Vec<Option<Flag>>,
}

/// The administration behind an MMSI's MID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Flag {
    pub mid: u16,
    /// As the ITU names it (`Democratic People's Republic of Korea`).
    pub allocated_to: CompactString,
    /// ISO 3166-1 alpha-2 (upper case) when the name maps to a country (`KP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<CompactString>,
}

impl Flag {
    /// The DPRK's MID is 445.
    pub fn is_dprk(&self) -> bool {
        self.mid == 445
    }
}

/// ITU names that `resolute-model`'s country table does not resolve by the rules of
/// [`iso_code_of_itu_name`], and their ISO codes.
const MID_NAME_OVERRIDES: &[(&str, &str)] = &[
    ("Korea (Republic of)", "KR"),
    ("Democratic People's Republic of Korea", "KP"),
    ("United States of America - Alaska (State of)", "US"),
    (
        "China (People's Republic of) - Taiwan (Province of China)",
        "TW",
    ),
    ("Vatican City State", "VA"),
    ("Republic of Türkiye", "TR"),
];

/// `Name (Republic of)` → `Name`.
fn without_parenthesis(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name).trim()
}

/// The ISO code of an ITU administration name: the name itself, or without its parenthesis
/// (`Liberia (Republic of)`), and for a territory (`France - New Caledonia`) the territory's
/// own code when it has one, else the country's.
fn iso_code_of_itu_name(name: &str) -> Option<CompactString> {
    if let Some((_, code)) = MID_NAME_OVERRIDES.iter().find(|(n, _)| *n == name) {
        return Some((*code).into());
    }
    let lookup = |n: &str| {
        resolute_model::country_from_name(n)
            .or_else(|| resolute_model::country_from_name(without_parenthesis(n)))
            .map(|c| CompactString::from(c.alpha2.as_str()))
    };
    match name.split_once(" - ") {
        Some((country, territory)) => lookup(territory).or_else(|| lookup(country)),
        None => lookup(name),
    }
}

impl Flags {
    /// Read the ITU table (`MID,Allocated_to`).
    pub fn from_csv(text: &str, file: &str) -> Result<Flags, DataError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut by_mid = vec![None; 600];
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| DataError::Row {
                file: file.to_string(),
                line,
                reason: e.to_string(),
            })?;
            let mid_text = row.get(0).unwrap_or("").trim();
            let mid = mid_text
                .parse::<u16>()
                .ok()
                .filter(|m| (200..800).contains(m))
                .ok_or_else(|| DataError::Row {
                    file: file.to_string(),
                    line,
                    reason: format!("MID {mid_text:?} is not a number in 200–799"),
                })?;
            let allocated_to = row.get(1).unwrap_or("").trim();
            let country = iso_code_of_itu_name(allocated_to);
            by_mid[usize::from(mid - 200)] = Some(Flag {
                mid,
                allocated_to: allocated_to.into(),
                country,
            });
        }
        Ok(Flags { by_mid })
    }

    /// The bundled ITU table.
    pub fn bundled() -> Result<&'static Flags, DataError> {
        static BUNDLED: LazyLock<Result<Flags, DataError>> = LazyLock::new(|| {
            Flags::from_csv(
                MID_CSV,
                "data/vessels/itu-maritime-identification-digits.csv",
            )
        });
        BUNDLED.as_ref().map_err(Clone::clone)
    }

    /// The flag of a ship station MMSI (`MIDXXXXXX`); `None` for other identities (coast
    /// stations `00MID…`, groups `0MID…`, SAR aircraft `111MID…`, aids to navigation `99MID…`,
    /// craft associated with a parent ship `98MID…`) and unallocated MIDs.
    pub fn of_mmsi(&self, mmsi: u32) -> Option<&Flag> {
        if !(200_000_000..800_000_000).contains(&mmsi) {
            return None;
        }
        let mid = (mmsi / 1_000_000) as usize;
        self.by_mid.get(mid - 200).and_then(Option::as_ref)
    }

    /// Every allocated MID.
    pub fn all(&self) -> impl Iterator<Item = &Flag> {
        self.by_mid.iter().flatten()
    }
}
