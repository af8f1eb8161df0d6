//! Ingest AIS files and print the report and the events as JSON lines.
//!
//! `cargo run -p resolute-maritime --example ais_events -- FILE…` (`.csv` is read as NOAA
//! MarineCadastre, anything else as NMEA).

use std::path::Path;

use resolute_maritime::params::Parameters;
use resolute_maritime::store::{Format, StoreBuilder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = StoreBuilder::new();
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        builder.ingest_file(path, Format::guess(path))?;
    }
    let store = builder.build(&Parameters::default())?;
    eprintln!("{}", serde_json::to_string(store.report())?);
    eprintln!("tracks: {}", store.tracks().len());
    for event in store.all_events() {
        println!("{}", serde_json::to_string(event)?);
    }
    Ok(())
}
