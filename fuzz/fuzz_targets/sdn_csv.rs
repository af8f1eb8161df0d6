//! The OFAC SDN CSV parser (including the remarks parser) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resolute_lists::{Format, LoadOptions, load_bytes_as};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = load_bytes_as(
        "fuzz-2024-05-03.csv",
        data,
        Format::OfacSdnCsv,
        &LoadOptions::default(),
    ) {
        let _ = v.id();
        let _ = resolute_lists::diff(&v, &v);
    }
});
