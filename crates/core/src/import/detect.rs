//! Where a real login answer carries its tokens and their expiry: a JSON field (by the
//! usual spellings, or the shape of a JWT), a cookie, or a header; the expiry from the
//! JWT's `exp`, an `expires_in`-like field (seconds or milliseconds from now, a Unix time,
//! an ISO instant), or the cookie's `Max-Age` or `Expires`. Each finding is said in words.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth::{Answer, ENVELOPES, TokenKind};
use crate::error::{Error, Result};
use crate::jwt::{UnverifiedJwt, looks_like_jwt};
use crate::profile::{Expiry, ExpiryUnit, TokenLocation, TokenSource};

/// The tokens found in a login answer, and how they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// Where the access token is.
    pub access_token: TokenSource,
    /// Where the refresh token is, when the answer has one.
    pub refresh_token: Option<TokenSource>,
    /// One line per finding.
    pub decisions: Vec<String>,
}

/// Headers that carry a session token in some APIs' answers.
const TOKEN_HEADERS: [&str; 5] = [
    "x-auth-token",
    "x-access-token",
    "x-session-token",
    "token",
    "authorization",
];

/// Finds the tokens of a successful login answer.
pub fn detect(answer: &Answer, now: OffsetDateTime) -> Result<Detected> {
    let json = answer.json().ok();
    let mut decisions = Vec::new();
    let access = json
        .as_ref()
        .and_then(|j| in_json(j, TokenKind::Access))
        .map(|(path, token)| Found::Json { path, token })
        .or_else(|| in_cookies(answer, false, now))
        .or_else(|| in_headers(answer))
        .ok_or_else(|| Error::InvalidImport {
            from: "login answer",
            problem: format!(
                "no access token in it: no JSON field such as access_token or token, no \
                 JWT, no cookie or header named like a token (it was {})",
                answer.describe()
            ),
        })?;
    let refresh = json
        .as_ref()
        .and_then(|j| in_json(j, TokenKind::Refresh))
        .map(|(path, token)| Found::Json { path, token })
        .or_else(|| in_cookies(answer, true, now));
    let access_token = source_of(&access, json.as_ref(), now, "access token", &mut decisions);
    let refresh_token = refresh
        .as_ref()
        .map(|found| source_of(found, None, now, "refresh token", &mut decisions));
    if refresh_token.is_none() {
        decisions.push("refresh token: none in the answer, so it logs in again before the access token expires".to_owned());
    }
    Ok(Detected {
        access_token,
        refresh_token,
        decisions,
    })
}

/// A token found, and where.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    Json {
        path: String,
        token: String,
    },
    Cookie {
        name: String,
        token: String,
        expires_at: Option<OffsetDateTime>,
    },
    Header {
        name: String,
        token: String,
    },
}

/// The token source for what was found, with its expiry, said in `decisions`.
fn source_of(
    found: &Found,
    json: Option<&Value>,
    now: OffsetDateTime,
    what: &str,
    decisions: &mut Vec<String>,
) -> TokenSource {
    let (location, token, place, cookie_expiry) = match found {
        Found::Json { path, token } => (
            TokenLocation::Json {
                path: Some(path.clone()),
            },
            token,
            format!("the JSON field `{path}`"),
            None,
        ),
        Found::Cookie {
            name,
            token,
            expires_at,
        } => (
            TokenLocation::Cookie { name: name.clone() },
            token,
            format!("the cookie `{name}`"),
            *expires_at,
        ),
        Found::Header { name, token } => (
            TokenLocation::Header { name: name.clone() },
            token,
            format!("the header `{name}`"),
            None,
        ),
    };
    let jwt_expiry = UnverifiedJwt::decode(token)
        .ok()
        .and_then(|j| j.expires_at());
    let (expiry, said) = if let Some(at) = jwt_expiry {
        (Expiry::Jwt, format!("a JWT expiring {}", lifetime(at, now)))
    } else if let Some((path, unit, at)) = json.and_then(|j| expiry_field(j, now)) {
        (
            Expiry::Json {
                path: path.clone(),
                unit,
            },
            format!(
                "its expiry from `{path}` ({}), {}",
                unit_words(unit),
                lifetime(at, now)
            ),
        )
    } else if let Some(at) = cookie_expiry {
        (
            Expiry::CookieMaxAge,
            format!(
                "its expiry from the cookie's Max-Age or Expires, {}",
                lifetime(at, now)
            ),
        )
    } else {
        (
            Expiry::Jwt,
            if looks_like_jwt(token) {
                "a JWT with no expiry: renewed when the API refuses it".to_owned()
            } else {
                "not a JWT and no expiry beside it: renewed when the API refuses it".to_owned()
            },
        )
    };
    decisions.push(format!("{what}: {place}, {said}"));
    TokenSource { location, expiry }
}

fn lifetime(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let seconds = (at - now).whole_seconds();
    match seconds {
        ..=0 => "already expired (is this computer's clock right?)".to_owned(),
        1..=119 => format!("in {seconds} s"),
        120..=7199 => format!("in {} min", (seconds + 30) / 60),
        7200..=172_799 => format!("in {} h", (seconds + 1800) / 3600),
        _ => format!("in {} days", (seconds + 43_200) / 86_400),
    }
}

fn unit_words(unit: ExpiryUnit) -> &'static str {
    match unit {
        ExpiryUnit::SecondsFromNow => "seconds from now",
        ExpiryUnit::MillisFromNow => "milliseconds from now",
        ExpiryUnit::UnixSeconds => "a Unix time in seconds",
        ExpiryUnit::UnixMillis => "a Unix time in milliseconds",
        ExpiryUnit::Iso8601 => "an ISO 8601 instant",
    }
}

/// The token of `kind` in a JSON body: its dotted path and value.
fn in_json(json: &Value, kind: TokenKind) -> Option<(String, String)> {
    let mut scopes: Vec<(String, &Map<String, Value>)> = Vec::new();
    if let Some(top) = json.as_object() {
        scopes.push((String::new(), top));
        for envelope in ENVELOPES {
            if let Some(inner) = top.get(*envelope).and_then(Value::as_object) {
                scopes.push((format!("{envelope}."), inner));
            }
        }
    }
    for (prefix, scope) in &scopes {
        for spelling in kind.spellings() {
            if let Some(text) = scope.get(*spelling).and_then(Value::as_str)
                && !text.trim().is_empty()
            {
                return Some((format!("{prefix}{spelling}"), text.to_owned()));
            }
        }
    }
    if kind == TokenKind::Refresh {
        return None;
    }
    scopes.iter().find_map(|(prefix, scope)| {
        scope.iter().find_map(|(key, value)| {
            let text = value.as_str()?;
            (!key.to_ascii_lowercase().contains("refresh") && looks_like_jwt(text))
                .then(|| (format!("{prefix}{key}"), text.to_owned()))
        })
    })
}

/// Names of fields that give an expiry.
const EXPIRY_FIELDS: [&str; 12] = [
    "expires_in",
    "expiresIn",
    "expires_in_ms",
    "expiresInMs",
    "expires_at",
    "expiresAt",
    "expires",
    "expiry",
    "expiration",
    "exp",
    "expire_time",
    "expireTime",
];

/// An expiry field of the answer: its path, how to read it, and the instant it gives.
fn expiry_field(json: &Value, now: OffsetDateTime) -> Option<(String, ExpiryUnit, OffsetDateTime)> {
    let top = json.as_object()?;
    let mut scopes = vec![(String::new(), top)];
    for envelope in ENVELOPES {
        if let Some(inner) = top.get(*envelope).and_then(Value::as_object) {
            scopes.push((format!("{envelope}."), inner));
        }
    }
    for (prefix, scope) in &scopes {
        for name in EXPIRY_FIELDS {
            let Some(value) = scope.get(name) else {
                continue;
            };
            let unit = unit_of(name, value)?;
            let at = crate::auth::read_instant(value, unit, now)?;
            return Some((format!("{prefix}{name}"), unit, at));
        }
    }
    None
}

/// How an expiry value is meant, by its name and size: a Unix time is large (after
/// 2001 in seconds, 1e12 and more in milliseconds); a duration is small.
fn unit_of(name: &str, value: &Value) -> Option<ExpiryUnit> {
    if let Some(text) = value.as_str() {
        if time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
        {
            return Some(ExpiryUnit::Iso8601);
        }
        return text
            .parse::<f64>()
            .ok()
            .and_then(|n| unit_of(name, &Value::from(n)));
    }
    let n = value.as_f64()?;
    let lower = name.to_ascii_lowercase();
    Some(if n >= 1e12 {
        ExpiryUnit::UnixMillis
    } else if n >= 1e9 {
        ExpiryUnit::UnixSeconds
    } else if lower.contains("ms") || (lower == "expires" && n >= 100_000.0) {
        ExpiryUnit::MillisFromNow
    } else {
        ExpiryUnit::SecondsFromNow
    })
}

/// A token cookie: named like a token (auth, token, jwt, session, access), a refresh one
/// when `refresh`.
fn in_cookies(answer: &Answer, refresh: bool, now: OffsetDateTime) -> Option<Found> {
    answer.cookie_names().into_iter().find_map(|name| {
        let lower = name.to_ascii_lowercase();
        let named = ["token", "auth", "jwt", "session", "access", "sid"]
            .iter()
            .any(|w| lower.contains(w));
        if !named
            || lower.contains("refresh") != refresh
            || lower.contains("csrf")
            || lower.contains("xsrf")
        {
            return None;
        }
        let cookie = answer.cookie(&name, now)?;
        Some(Found::Cookie {
            name: name.clone(),
            token: cookie.value,
            expires_at: cookie.expires_at,
        })
    })
}

/// A token header of the answer.
fn in_headers(answer: &Answer) -> Option<Found> {
    TOKEN_HEADERS.iter().find_map(|name| {
        let value = answer.header(name)?.trim();
        let value = value.strip_prefix("Bearer ").unwrap_or(value);
        (!value.is_empty()).then(|| Found::Header {
            name: (*name).to_owned(),
            token: value.to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-07 08:00 UTC);

    fn jwt(exp: i64) -> String {
        use base64::Engine;
        let part = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
            part(r#"{"alg":"HS256","typ":"JWT"}"#),
            part(&format!(r#"{{"sub":"ana","exp":{exp}}}"#))
        )
    }

    fn answer(body: &str, cookies: &[&str], headers: &[(&str, &str)]) -> Answer {
        let mut map = HeaderMap::new();
        map.insert("content-type", HeaderValue::from_static("application/json"));
        for cookie in cookies {
            map.append(SET_COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        for (name, value) in headers {
            map.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Answer {
            url: "https://api.example/login".into(),
            status: 200,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_jwt_in_a_wrapped_field_is_found_with_its_exp_and_the_lack_of_a_refresh_token_said() {
        let body = format!(
            r#"{{"status":"SUCCESS","data":{{"jwt":"{}","user":"ana"}}}}"#,
            jwt(NOW.unix_timestamp() + 3600)
        );
        let found = detect(&answer(&body, &[], &[]), NOW).unwrap();
        assert_eq!(
            found.access_token.location,
            TokenLocation::Json {
                path: Some("data.jwt".into())
            }
        );
        assert_eq!(found.access_token.expiry, Expiry::Jwt);
        assert_eq!(found.refresh_token, None);
        assert_eq!(
            found.decisions[0],
            "access token: the JSON field `data.jwt`, a JWT expiring in 60 min"
        );
        assert!(found.decisions[1].contains("logs in again"));
    }

    #[test]
    fn cookies_carry_the_tokens_and_an_expires_in_field_gives_the_expiry() {
        let found = detect(
            &answer(
                r#"{"message":"Authentication successful","expires_in":3600}"#,
                &[
                    "DT_AUTH_TOKEN=opaque-access; Path=/; HttpOnly",
                    "DT_REFRESH_TOKEN=opaque-refresh; Max-Age=2592000; HttpOnly",
                ],
                &[],
            ),
            NOW,
        )
        .unwrap();
        assert_eq!(
            found.access_token.location,
            TokenLocation::Cookie {
                name: "DT_AUTH_TOKEN".into()
            }
        );
        assert_eq!(
            found.access_token.expiry,
            Expiry::Json {
                path: "expires_in".into(),
                unit: ExpiryUnit::SecondsFromNow
            }
        );
        let refresh = found.refresh_token.expect("a refresh cookie");
        assert_eq!(
            refresh.location,
            TokenLocation::Cookie {
                name: "DT_REFRESH_TOKEN".into()
            }
        );
        assert_eq!(refresh.expiry, Expiry::CookieMaxAge);
        assert!(
            found.decisions[1].contains("Max-Age or Expires, in 30 days"),
            "{:?}",
            found.decisions
        );
    }

    #[test]
    fn expiries_are_read_in_the_unit_their_size_and_name_say() {
        let at = |body: &str| {
            let found = detect(&answer(body, &[], &[]), NOW).unwrap();
            match found.access_token.expiry {
                Expiry::Json { unit, .. } => unit,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            at(r#"{"token":"opaque","expires_in":900}"#),
            ExpiryUnit::SecondsFromNow
        );
        assert_eq!(
            at(r#"{"token":"opaque","expires":900000}"#),
            ExpiryUnit::MillisFromNow
        );
        assert_eq!(
            at(r#"{"token":"opaque","expiresAt":1796634000}"#),
            ExpiryUnit::UnixSeconds
        );
        assert_eq!(
            at(r#"{"token":"opaque","expiresAt":1796634000000}"#),
            ExpiryUnit::UnixMillis
        );
        assert_eq!(
            at(r#"{"token":"opaque","expires_at":"2026-12-07T09:00:00Z"}"#),
            ExpiryUnit::Iso8601
        );
    }

    #[test]
    fn a_session_token_in_a_response_header_is_found_when_the_body_has_none() {
        let found = detect(
            &answer(r#"{"ok":true}"#, &[], &[("x-auth-token", "sess-123")]),
            NOW,
        )
        .unwrap();
        assert_eq!(
            found.access_token.location,
            TokenLocation::Header {
                name: "x-auth-token".into()
            }
        );
    }

    #[test]
    fn an_answer_without_a_token_says_what_it_was_and_quotes_no_value() {
        let error = detect(
            &answer(r#"{"ok":true,"user":"ana"}"#, &["theme=dark"], &[]),
            NOW,
        )
        .unwrap_err();
        assert_eq!(error.code(), "invalid_import");
        assert!(error.to_string().contains("no access token"), "{error}");
    }
}
