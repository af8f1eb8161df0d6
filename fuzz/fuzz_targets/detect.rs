//! Format detection plus whichever parser it picks, on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = resolute_lists::load_bytes("fuzz", data);
});
