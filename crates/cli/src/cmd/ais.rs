//! `resolute ais ingest|events` and `resolute vessel show`: AIS in the store of a data
//! directory, through the application layer (`resolute_casework::vessels`), the same way as
//! `POST /ais` and `GET /vessels/…`.
//!
//! Output contracts (`--json`):
//! - `ais ingest`: one object per file: `{"name","format","report":{"lines","messages",
//!   "positions","static_reports","problems":{kind: count},"examples"},"stored_positions",
//!   "stored_static_reports","audit_seq","rebuild"}`;
//! - `ais events`: an array of events (kind, vessel, start, end, position, port or other
//!   vessel, details, parameters);
//! - `vessel show`: `{"key","label","ais","history","list_matches"}`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use resolute_casework::dates::{parse_optional_date, today};
use resolute_casework::vessels::{AisBatch, guess_format, key_label, parse_format, parse_key};
use resolute_casework::{Casework, Engine};
use resolute_maritime::Format;
use resolute_maritime::events::{Details, Event};
use resolute_store::{Store, StoreOptions};

use super::service::DEFAULT_DATA_DIR;

#[derive(Debug, Subcommand)]
pub enum AisCmd {
    /// Decode AIS files (NMEA 0183 or NOAA MarineCadastre CSV) into the store: bad lines are
    /// counted per kind and the rest stored, one audit record per file.
    Ingest(IngestArgs),
    /// Events (port visits, encounters, gaps, loitering, identity changes, spoofing) of the
    /// vessels in the store.
    Events(EventsArgs),
}

#[derive(Debug, Subcommand)]
pub enum VesselCmd {
    /// A vessel's dated identity history from its AIS and the list entries it matches.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files to ingest.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// nmea or noaa; by default `.csv` files are NOAA and the rest NMEA.
    #[arg(long)]
    pub format: Option<String>,
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// One JSON object per file on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only this vessel: IMO number (7 digits) or MMSI (9 digits).
    #[arg(long)]
    pub vessel: Option<String>,
    /// First day (YYYY-MM-DD, UTC) an event may overlap.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    /// A JSON array of the events.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// IMO number (7 digits, or IMO1234567) or MMSI (9 digits).
    pub vessel: String,
    /// List entries designated by this date count (YYYY-MM-DD; default today).
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "RESOLUTE_DATA_DIR")]
    pub data_dir: PathBuf,
    #[arg(long)]
    pub json: bool,
}

fn open(data_dir: &std::path::Path) -> anyhow::Result<(Store, Casework)> {
    let store = Store::open(data_dir, StoreOptions::default())
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let engine = Engine::load(&store);
    let casework = Casework::open(store.clone(), engine)
        .with_context(|| format!("loading the AIS records of {}", data_dir.display()))?;
    Ok((store, casework))
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

pub fn run_ais(c: AisCmd) -> anyhow::Result<ExitCode> {
    match c {
        AisCmd::Ingest(a) => ingest(a),
        AisCmd::Events(a) => events(a),
    }
}

pub fn run_vessel(c: VesselCmd) -> anyhow::Result<ExitCode> {
    match c {
        VesselCmd::Show(a) => show(a),
    }
}

fn ingest(a: IngestArgs) -> anyhow::Result<ExitCode> {
    let format = a
        .format
        .as_deref()
        .map(|f| parse_format("--format", f))
        .transpose()?;
    let (store, casework) = open(&a.data_dir)?;
    let actor = actor();
    let mut out = std::io::stdout().lock();
    for path in &a.files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path.display().to_string();
        let batch = AisBatch {
            name: &name,
            format: format.unwrap_or_else(|| guess_format(&name)),
            bytes: &bytes,
        };
        let done = casework
            .ingest_ais(batch, &actor)
            .with_context(|| format!("ingesting {name}"))?;
        if a.json {
            serde_json::to_writer(&mut out, &done)?;
            writeln!(out)?;
            continue;
        }
        let r = &done.report;
        writeln!(
            out,
            "{name} ({}): {} lines, {} messages, {} positions and {} static reports read; {} positions and {} static reports newly stored (audit record #{})",
            match done.format {
                Format::Nmea => "nmea",
                Format::Noaa => "noaa",
            },
            r.lines,
            r.messages,
            r.positions,
            r.static_reports,
            done.stored_positions,
            done.stored_static_reports,
            done.audit_seq
        )?;
        for (kind, n) in &r.problems {
            let kind = serde_json::to_value(kind)?;
            writeln!(out, "  {n:>8}  {}", kind.as_str().unwrap_or_default())?;
        }
        for e in r.examples.iter().take(10) {
            writeln!(out, "  e.g. {}:{}: {}", e.source, e.line, e.detail)?;
        }
        if let Some(b) = &done.rebuild {
            writeln!(
                out,
                "  vessel store rebuilt: {} positions, {} tracks, {} events in {:.2} s",
                b.positions, b.tracks, b.events, b.seconds
            )?;
        }
    }
    store.close();
    Ok(ExitCode::SUCCESS)
}

fn events(a: EventsArgs) -> anyhow::Result<ExitCode> {
    let key = a
        .vessel
        .as_deref()
        .map(|v| parse_key("--vessel", v))
        .transpose()?;
    let from = parse_optional_date("--from", a.from.as_deref())?;
    let to = parse_optional_date("--to", a.to.as_deref())?;
    let (store, casework) = open(&a.data_dir)?;
    let events = casework.vessel_events(key, from, to);
    store.close();
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if events.is_empty() {
        writeln!(out, "no events")?;
    }
    for e in &events {
        writeln!(out, "{}", event_line(e))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%MZ").to_string())
        .unwrap_or_default()
}

/// One line per event: kind, times, vessel, where, and what made it one.
fn event_line(e: &Event) -> String {
    let kind = serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let vessel = format!(
        "{}{} MMSI {}",
        e.vessel.name.as_deref().unwrap_or("?"),
        e.vessel
            .imo
            .map(|i| format!(" IMO {i:07}"))
            .unwrap_or_default(),
        e.vessel.mmsi
    );
    let at = e
        .position
        .map(|p| format!(" at {:.4},{:.4}", p.lat, p.lon))
        .unwrap_or_default();
    let what = match (&e.details, &e.port, &e.other) {
        (Details::PortVisit { .. }, Some(port), _) => format!(
            "{} {}{}",
            port.name,
            port.unlocode,
            if port.dprk { " (DPRK)" } else { "" }
        ),
        (_, _, Some(other)) => format!(
            "with {} MMSI {}{}",
            other.name.as_deref().unwrap_or("?"),
            other.mmsi,
            if other.dprk_flag { " (DPRK flag)" } else { "" }
        ),
        (Details::Gap { class, hours, .. }, _, _) => format!(
            "{hours:.1} h {}",
            serde_json::to_value(class)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
        (Details::IdentityChange { field, old, new }, _, _) => format!(
            "{field}: {} → {}",
            old.as_deref().unwrap_or(""),
            new.as_deref().unwrap_or("")
        ),
        _ => String::new(),
    };
    format!(
        "{kind:<16} {} – {}  {vessel}{at}  {what}",
        when(e.start),
        when(e.end)
    )
}

fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let key = parse_key("vessel", &a.vessel)?;
    let at = parse_optional_date("--at", a.at.as_deref())?.unwrap_or_else(today);
    let (store, casework) = open(&a.data_dir)?;
    let profile = casework.vessel_profile(key, at);
    store.close();
    let profile = profile.with_context(|| key_label(key))?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &profile)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}", profile.label)?;
    match &profile.ais {
        Some(s) => writeln!(
            out,
            "AIS: {} positions, {} to {}, {} events; MMSIs: {}",
            s.positions,
            s.first_seen.as_deref().unwrap_or("?"),
            s.last_seen.as_deref().unwrap_or("?"),
            s.events,
            s.mmsis
                .iter()
                .map(|m| format!(
                    "{} ({}{})",
                    m.mmsi,
                    m.flag.as_deref().unwrap_or("no flag"),
                    if m.dprk { ", DPRK" } else { "" }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )?,
        None => writeln!(out, "AIS: no track")?,
    }
    if let Some(h) = &profile.history {
        writeln!(out, "identities broadcast:")?;
        for d in &h.identities {
            let i = &d.identity;
            writeln!(
                out,
                "  {} – {}  MMSI {}  IMO {}  {}  call sign {}  flag {}",
                when(d.from),
                when(d.to),
                i.mmsi,
                i.imo
                    .map(|n| format!("{n:07}"))
                    .unwrap_or_else(|| "-".into()),
                i.name.as_deref().unwrap_or("-"),
                i.call_sign.as_deref().unwrap_or("-"),
                i.flag
                    .as_ref()
                    .and_then(|f| f.country.as_deref())
                    .unwrap_or("-")
            )?;
        }
    }
    if profile.list_matches.is_empty() {
        writeln!(out, "list entries: none matched (as of {at})")?;
    } else {
        writeln!(out, "list entries (as of {at}):")?;
        for m in &profile.list_matches {
            writeln!(
                out,
                "  {} {} ({}; {}) matched by {} {} score {:.2}",
                m.reference,
                m.caption,
                m.source,
                m.programs.join(", "),
                m.by,
                m.value,
                m.score
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
