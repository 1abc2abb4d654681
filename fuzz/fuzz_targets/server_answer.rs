//! Any server answer: the first line is a Set-Cookie header, the second a `token` header,
//! the rest the body; every preset's token sources read it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};
use time::OffsetDateTime;
use tokenvault_core::auth::{Answer, TokenKind, find_token};
use tokenvault_core::profile::presets;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let cookie = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(cookie) {
        headers.append(SET_COOKIE, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(token) {
        headers.append("token", value);
    }
    let answer = Answer {
        url: "https://api.example/login".into(),
        status: 200,
        headers,
        body: body.to_vec(),
    };
    for preset in presets() {
        let profile = &preset.profile;
        let _ = find_token(
            &answer,
            &profile.access_token,
            TokenKind::Access,
            OffsetDateTime::UNIX_EPOCH,
        );
        if let Some(source) = &profile.refresh_token {
            let _ = find_token(
                &answer,
                source,
                TokenKind::Refresh,
                OffsetDateTime::UNIX_EPOCH,
            );
        }
    }
});
