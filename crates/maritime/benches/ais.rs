//! Benchmarks of the maritime crate, printed next to pyais by `scripts/bench-ais.py`.
//!
//! `cargo bench -p resolute-maritime --bench ais -- [--json] [--scales 1,10] [--seconds 2]`
//!
//! - decode: every line of the two real NMEA samples (`data/ais/`), decoded with all fields
//!   of every message (the work pyais's `decode()` does), passes repeated for `--seconds`;
//!   messages per second on one core.
//! - events: at scale ×S, 100·S vessels with 1,000 positions each (×100 = 10,000 vessels,
//!   10,000,000 positions), made by replaying the real NOAA tracks back to back (vessel v
//!   replays the first hour of track v mod 1,412, each copy of the file moved 0.05° north-east, the second copy
//!   only 200 m so that slow vessels meet); ingest time, build time (sort, split, detect every
//!   event) and the peak resident memory of the process after the scale.

use std::time::Instant;

use resolute_maritime::geo::LatLon;
use resolute_maritime::nmea::NmeaReader;
use resolute_maritime::params::Parameters;
use resolute_maritime::scenario::replayed;
use resolute_maritime::store::{Format, StaticRecord, StoreBuilder};

const SAMPLES: [&str; 2] = [
    "pyais-nmea-data-sample.nmea",
    "kystverket-ais-1000-lines-2019-08-07.nm4",
];

fn repo_file(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// CPU time (user + system) of this process, seconds: the machine is shared, so throughput
/// is measured against the CPU the process got, not the wall clock (both are reported).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident set size of this process, bytes (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn decode_bench(name: &str, seconds: f64) -> serde_json::Value {
    let text = std::fs::read(repo_file(&format!("data/ais/{name}"))).expect("sample");
    let lines: Vec<&[u8]> = text.split(|&c| c == b'\n').collect();
    let mut messages = 0u64;
    let mut passes = 0u64;
    let mut checksum = 0u64;
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    // /proc is read every 16 passes only, to keep its cost out of the measurement.
    while !passes.is_multiple_of(16) || cpu_seconds() - cpu_start < seconds || passes < 3 {
        let mut reader = NmeaReader::new(name);
        for (i, line) in lines.iter().enumerate() {
            if let Some(d) = reader.push_line(i as u64 + 1, line) {
                messages += 1;
                checksum = checksum.wrapping_add(u64::from(d.message.mmsi()));
            }
        }
        std::hint::black_box(reader.finish());
        passes += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    serde_json::json!({
        "file": name,
        "passes": passes,
        "messages_per_pass": messages / passes,
        "wall_seconds": elapsed,
        "cpu_seconds": cpu,
        "messages_per_second": messages as f64 / cpu,
        "messages_per_wall_second": messages as f64 / elapsed,
        "checksum": checksum,
    })
}

fn events_bench(scale: usize, base: &resolute_maritime::store::VesselStore) -> serde_json::Value {
    let vessels = 100 * scale;
    let per_vessel: usize = 1000;
    let real = base.tracks();
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let mut builder = StoreBuilder::new();
    let mut positions = 0usize;
    for v in 0..vessels {
        let track = &real[v % real.len()];
        let copy = v / real.len();
        let Some(first) = track.fixes.first() else {
            continue;
        };
        // The first hour of the track (85 tracks jump to the day's last hour; replaying that
        // hole would make every vessel's replay a string of 23 h gaps).
        let hour: Vec<_> = track
            .fixes
            .iter()
            .copied()
            .take_while(|f| f.time - first.time <= 3600)
            .collect();
        // Copy 1 lies 200 m from copy 0 (its slow vessels meet), the others 0.05° apart.
        let shift = match copy {
            0 => 0.0,
            1 => 0.0018,
            k => 0.05 * k as f64,
        };
        let origin = LatLon::new((first.lat + shift).min(80.0), first.lon + shift);
        let copies = per_vessel.div_ceil(hour.len());
        let mmsi = 200_000_000 + v as u32;
        let mut fixes = replayed(mmsi, &hour, copies, first.time, origin);
        fixes.truncate(per_vessel);
        for fix in &fixes {
            builder.add_fix("bench", fix);
        }
        positions += fixes.len();
        if let Some(identity) = base.current_identity(track.id) {
            builder.add_static(
                "bench",
                0,
                &StaticRecord {
                    mmsi,
                    time: first.time,
                    imo: identity.imo,
                    name: identity.name.clone(),
                    call_sign: identity.call_sign.clone(),
                    ship_type: identity.ship_type,
                },
            );
        }
    }
    let (ingest, ingest_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    let (t1, c1) = (Instant::now(), cpu_seconds());
    let store = builder.build(&Parameters::default()).expect("build");
    let (build, build_cpu) = (t1.elapsed().as_secs_f64(), cpu_seconds() - c1);
    let mut kinds = std::collections::BTreeMap::new();
    for e in store.all_events() {
        *kinds.entry(format!("{:?}", e.kind)).or_insert(0u64) += 1;
    }
    serde_json::json!({
        "scale": scale,
        "vessels": vessels,
        "positions": positions,
        "tracks": store.tracks().len(),
        "ingest_wall_seconds": ingest,
        "ingest_cpu_seconds": ingest_cpu,
        "build_and_detect_wall_seconds": build,
        "build_and_detect_cpu_seconds": build_cpu,
        "positions_per_cpu_second": positions as f64 / build_cpu.max(0.01),
        "events": kinds,
        "peak_rss_bytes": peak_rss(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let scales: Vec<usize> = value("--scales")
        .unwrap_or_else(|| "1,10".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let seconds: f64 = value("--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);

    let decode: Vec<serde_json::Value> = SAMPLES.iter().map(|f| decode_bench(f, seconds)).collect();
    let mut builder = StoreBuilder::new();
    builder
        .ingest_file(
            &repo_file("data/ais/derived-noaa-marinecadastre-2022-01-03-cargo-tanker.csv"),
            Format::Noaa,
        )
        .expect("NOAA tracks");
    let base = builder.build(&Parameters::default()).expect("build");
    let events: Vec<serde_json::Value> = scales.iter().map(|&s| events_bench(s, &base)).collect();
    let out = serde_json::json!({ "decode": decode, "events": events });
    if json {
        println!("{out}");
    } else {
        for d in &decode {
            println!(
                "decode {:<45} {:>10.0} msg/s of CPU ({} messages x {} passes)",
                d["file"].as_str().unwrap_or(""),
                d["messages_per_second"].as_f64().unwrap_or(0.0),
                d["messages_per_pass"],
                d["passes"]
            );
        }
        for e in &events {
            println!(
                "events x{:<4} {:>6} vessels {:>9} positions: ingest {:.2} s, build+detect {:.2} s CPU ({:.2} s wall), peak RSS {:.0} MB, {}",
                e["scale"],
                e["vessels"],
                e["positions"],
                e["ingest_cpu_seconds"].as_f64().unwrap_or(0.0),
                e["build_and_detect_cpu_seconds"].as_f64().unwrap_or(0.0),
                e["build_and_detect_wall_seconds"].as_f64().unwrap_or(0.0),
                e["peak_rss_bytes"].as_f64().unwrap_or(0.0) / 1e6,
                e["events"]
            );
        }
    }
}
