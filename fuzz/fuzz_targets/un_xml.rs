//! The UN Consolidated List XML parser on arbitrary bytes: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resolute_lists::{Format, LoadOptions, load_bytes_as};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = load_bytes_as("fuzz.xml", data, Format::UnXml, &LoadOptions::default()) {
        // Exercise the derived views too.
        let _ = v.id();
        let _ = resolute_lists::diff(&v, &v);
    }
});
