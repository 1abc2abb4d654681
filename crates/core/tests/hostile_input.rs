//! Properties over hostile input: whatever a server answers, a file holds or a user pastes,
//! the parsers give a value or a typed error, never a panic. Generated cases plus mutations
//! of real inputs (the presets, a real export, a real catalog); PROPTEST_CASES raises the
//! count for a longer run (RELIABILITY.md).

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use time::OffsetDateTime;
use tokenvault_core::auth::{Answer, TokenKind, find_token};
use tokenvault_core::inspect::inspect;
use tokenvault_core::jwt::UnverifiedJwt;
use tokenvault_core::profile::{Expiry, Profile, TokenLocation, TokenSource, presets};
use tokenvault_core::vault::catalog::CatalogFile;
use tokenvault_core::vault::exchange;

/// A real export file: the seed the mangled ones start from.
const EXPORT: &str = r#"{"format":"tokenvault-export-v1","accounts":[{"id":"a1","name":"Privé UAT","environment":"UAT","profile":"prive","base_url":"https://uat.example/api","identity":"ana@example.com"}],"profiles":[]}"#;

#[test]
fn the_seed_export_is_a_valid_export() {
    exchange::parse("seed.json", EXPORT).expect("the seed parses");
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a valid instant")
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with this header and these claims (any JSON), unsigned.
fn jwt(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(header.to_string().as_bytes()),
        base64url(claims.to_string().as_bytes())
    )
}

/// Any JSON value, a few levels deep, with the numbers that break arithmetic.
fn any_json() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(253_402_300_800_i64)), // the first second of year 10000
        Just(Value::from(3_093_527_980_800_i64)), // year 99999
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("exp".to_owned()),
                    Just("iat".to_owned()),
                    Just("nbf".to_owned()),
                    Just("sub".to_owned()),
                    Just("roles".to_owned()),
                    Just("access_token".to_owned()),
                    Just("accessToken".to_owned()),
                    Just("data".to_owned()),
                    Just("expires_in".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `text` with a stretch replaced by `insert` (a mutation of a real input).
fn mutate(text: &str, at: usize, cut: usize, insert: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + cut).min(chars.len());
    chars.splice(at..end, insert.chars());
    chars.into_iter().collect()
}

fn answer(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Answer {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    Answer {
        url: "https://api.example/login".into(),
        status,
        headers: map,
        body,
    }
}

fn sources() -> Vec<TokenSource> {
    let locations = [
        TokenLocation::Json { path: None },
        TokenLocation::Json {
            path: Some("data.accessToken".into()),
        },
        TokenLocation::Json {
            path: Some("a.b.c.d.e".into()),
        },
        TokenLocation::Cookie {
            name: "DT_AUTH_TOKEN".into(),
        },
        TokenLocation::Header {
            name: "token".into(),
        },
    ];
    let presets: Vec<TokenSource> = presets()
        .iter()
        .flat_map(|p| {
            [
                Some(p.profile.access_token.clone()),
                p.profile.refresh_token.clone(),
            ]
            .into_iter()
            .flatten()
        })
        .collect();
    locations
        .into_iter()
        .map(|location| TokenSource {
            location,
            expiry: Expiry::default(),
        })
        .chain(presets)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn any_text_pasted_as_a_token_decodes_or_is_refused(text in ".{0,300}") {
        let _ = UnverifiedJwt::decode(&text);
        let _ = inspect(&text, now());
    }

    #[test]
    fn a_jwt_with_any_header_and_claims_is_inspected_without_a_panic(
        header in any_json(),
        claims in any_json(),
    ) {
        let token = jwt(&header, &claims);
        if let Ok(decoded) = UnverifiedJwt::decode(&token) {
            let _ = (decoded.expires_at(), decoded.issued_at(), decoded.not_before());
        }
        if let Ok(inspection) = inspect(&token, now()) {
            let _ = serde_json::to_string(&tokenvault_core::inspect::Report::new(
                &inspection,
                &tokenvault_core::inspect::Verification::Unverified,
            ));
        }
    }

    #[test]
    fn alg_none_and_absurd_expiries_never_panic(
        exp in prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            Just(Value::from("tomorrow")),
            Just(Value::from(-1)),
            Just(Value::from(3_093_527_980_800_i64)),
        ],
    ) {
        let token = jwt(
            &serde_json::json!({"alg": "none", "typ": "JWT"}),
            &serde_json::json!({"sub": "ana", "exp": exp, "iat": exp}),
        );
        let decoded = UnverifiedJwt::decode(&token).expect("a well-formed JWT decodes");
        let _ = decoded.expires_at();
        let _ = inspect(&token, now());
    }

    #[test]
    fn any_server_answer_gives_a_token_none_or_an_error(
        status in prop_oneof![Just(200u16), Just(201), Just(204), 100u16..600],
        body in prop_oneof![
            any_json().prop_map(|v| v.to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..200),
        ],
        headers in prop::collection::vec(
            (
                prop_oneof![Just("set-cookie".to_owned()), Just("token".to_owned()), Just("content-type".to_owned()), "[a-z-]{1,12}"],
                prop_oneof![
                    Just("DT_AUTH_TOKEN=abc; Max-Age=-5; Domain=evil.example".to_owned()),
                    Just("DT_AUTH_TOKEN=; Max-Age=99999999999999999999".to_owned()),
                    Just("application/json".to_owned()),
                    "[ -~]{0,60}",
                ],
            ),
            0..5,
        ),
    ) {
        let answer = answer(status, &headers, body);
        for source in sources() {
            for kind in [TokenKind::Access, TokenKind::Refresh] {
                let _ = find_token(&answer, &source, kind, now());
            }
        }
        let _ = answer.json();
    }

    #[test]
    fn any_profile_text_parses_or_names_what_is_wrong(text in "\\PC{0,400}") {
        if let Err(e) = Profile::from_toml("fuzz.toml", &text) {
            prop_assert_eq!(e.code(), "invalid_profile");
        }
    }

    #[test]
    fn a_mangled_preset_parses_or_names_what_is_wrong(
        which in 0usize..6,
        at in any::<usize>(),
        cut in 0usize..40,
        insert in "\\PC{0,40}",
    ) {
        let text = presets()[which % presets().len()].source;
        if let Err(e) = Profile::from_toml("mangled.toml", &mutate(text, at, cut, &insert)) {
            prop_assert_eq!(e.code(), "invalid_profile");
        }
    }

    #[test]
    fn a_mangled_export_file_is_read_or_refused(
        at in any::<usize>(),
        cut in 0usize..40,
        insert in "\\PC{0,40}",
    ) {
        let _ = exchange::parse("mangled.json", &mutate(EXPORT, at, cut, &insert));
    }

    #[test]
    fn any_catalog_file_loads_or_is_refused(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = std::env::temp_dir().join(format!("tokenvault-prop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp folder");
        let path = dir.join("accounts.json");
        std::fs::write(&path, &bytes).expect("written");
        let _ = CatalogFile::new(path).load();
    }
}
