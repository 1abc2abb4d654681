//! Any text pasted as a token: decoded, inspected, its expiry read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use tokenvault_core::inspect::inspect;
use tokenvault_core::jwt::UnverifiedJwt;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jwt) = UnverifiedJwt::decode(text) {
        let _ = (jwt.expires_at(), jwt.issued_at(), jwt.not_before());
    }
    let _ = inspect(text, OffsetDateTime::UNIX_EPOCH);
});
