//! Any profile file: parsed and checked, or refused with what is wrong.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenvault_core::profile::Profile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Profile::from_toml("fuzz.toml", text);
    }
});
