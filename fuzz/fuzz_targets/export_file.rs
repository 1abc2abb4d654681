//! Any export file offered to `tokenvault import`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenvault_core::vault::exchange;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = exchange::parse("fuzz.json", text);
    }
});
