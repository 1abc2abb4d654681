//! Finding tokens and their expiry in an answer, as a profile describes.

use serde_json::Value;
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

use super::answer::{Answer, at_path};
use super::token::Token;
use crate::error::Error;
use crate::jwt::{UnverifiedJwt, looks_like_jwt};
use crate::profile::{Expiry, ExpiryUnit, TokenLocation, TokenSource};
use crate::secret::Secret;

/// Which token is sought, for the spellings tried when a profile does not pin a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// The access token.
    Access,
    /// The refresh token.
    Refresh,
}

impl TokenKind {
    /// The field names tried, most usual first.
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            TokenKind::Access => &[
                "access_token",
                "accessToken",
                "token",
                "access",
                "jwt",
                "id_token",
                "auth_token",
                "authToken",
                "AccessToken",
            ],
            TokenKind::Refresh => &["refresh_token", "refreshToken", "refresh", "RefreshToken"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            TokenKind::Access => "access token",
            TokenKind::Refresh => "refresh token",
        }
    }
}

/// Objects under which tokens are sometimes wrapped.
pub const ENVELOPES: &[&str] = &["data", "result", "tokens", "payload"];

/// Finds a token as `source` says; `Ok(None)` when the answer simply does not carry it.
pub fn find_token(
    answer: &Answer,
    source: &TokenSource,
    kind: TokenKind,
    now: OffsetDateTime,
) -> Result<Option<Token>, Error> {
    let (value, cookie_expiry) = match &source.location {
        TokenLocation::Json { path } => {
            let Ok(json) = answer.json() else {
                return Err(unexpected(
                    answer,
                    format!("a JSON body with the {}", kind.name()),
                ));
            };
            let found = match path {
                Some(path) => at_path(&json, path)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                None => find_by_spelling_or_shape(&json, kind),
            };
            (found, None)
        }
        TokenLocation::Cookie { name } => match answer.cookie(name, now) {
            Some(cookie) => (Some(cookie.value), cookie.expires_at),
            None => (None, None),
        },
        TokenLocation::Header { name } => (answer.header(name).map(str::to_owned), None),
    };
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let expires_at = expiry(answer, &source.expiry, &value, cookie_expiry, now);
    Ok(Some(Token {
        value: Secret::new(value),
        expires_at,
        obtained_at: now,
    }))
}

/// Like [`find_token`], but a missing token is an error naming where it was sought.
pub fn require_token(
    answer: &Answer,
    source: &TokenSource,
    kind: TokenKind,
    now: OffsetDateTime,
) -> Result<Token, Error> {
    find_token(answer, source, kind, now)?.ok_or_else(|| {
        let expected = match &source.location {
            TokenLocation::Json { path: Some(path) } => {
                format!("the {} in the JSON field `{path}`", kind.name())
            }
            TokenLocation::Json { path: None } => format!(
                "the {} in a JSON field such as {}",
                kind.name(),
                kind.spellings()[..3].join(", ")
            ),
            TokenLocation::Cookie { name } => format!("the {} in a `{name}` cookie", kind.name()),
            TokenLocation::Header { name } => format!("the {} in a `{name}` header", kind.name()),
        };
        unexpected(answer, expected)
    })
}

fn unexpected(answer: &Answer, expected: String) -> Error {
    Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected,
        got: answer.describe(),
    }
}

fn find_by_spelling_or_shape(json: &Value, kind: TokenKind) -> Option<String> {
    let mut scopes = vec![json];
    scopes.extend(
        ENVELOPES
            .iter()
            .filter_map(|e| json.get(e))
            .filter(|v| v.is_object()),
    );
    for scope in &scopes {
        for spelling in kind.spellings() {
            if let Some(found) = scope.get(spelling).and_then(Value::as_str) {
                return Some(found.to_owned());
            }
        }
    }
    if kind == TokenKind::Refresh {
        return None;
    }
    // By shape: the first JWT-shaped string that is not under a refresh-like key.
    scopes.iter().find_map(|scope| {
        scope.as_object()?.iter().find_map(|(key, value)| {
            let text = value.as_str()?;
            (!key.to_ascii_lowercase().contains("refresh") && looks_like_jwt(text))
                .then(|| text.to_owned())
        })
    })
}

fn expiry(
    answer: &Answer,
    rule: &Expiry,
    token: &str,
    cookie_expiry: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let from_rule = match rule {
        Expiry::Jwt => None,
        Expiry::CookieMaxAge => cookie_expiry,
        Expiry::Json { path, unit } => {
            let json = answer.json().ok()?;
            at_path(&json, path).and_then(|v| read_instant(v, *unit, now))
        }
    };
    from_rule.or_else(|| UnverifiedJwt::decode(token).ok()?.expires_at())
}

/// Reads an expiry value in a unit; `None` for values that make no sense.
pub fn read_instant(
    value: &Value,
    unit: ExpiryUnit,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    if unit == ExpiryUnit::Iso8601 {
        return OffsetDateTime::parse(value.as_str()?, &Rfc3339).ok();
    }
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() || !(0.0..=1e15).contains(&number) {
        return None;
    }
    let n = number.trunc() as i64;
    match unit {
        ExpiryUnit::SecondsFromNow => now.checked_add(Duration::seconds(n)),
        ExpiryUnit::MillisFromNow => now.checked_add(Duration::milliseconds(n)),
        ExpiryUnit::UnixSeconds => OffsetDateTime::from_unix_timestamp(n).ok(),
        ExpiryUnit::UnixMillis => {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(n) * 1_000_000).ok()
        }
        ExpiryUnit::Iso8601 => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    fn jwt(exp: i64) -> String {
        let part = |s: &str| URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.sig",
            part(r#"{"alg":"HS256"}"#),
            part(&format!(r#"{{"exp":{exp}}}"#))
        )
    }

    fn json_answer(body: &str) -> Answer {
        Answer {
            url: "u".into(),
            status: 200,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    fn json_source(path: Option<&str>) -> TokenSource {
        TokenSource {
            location: TokenLocation::Json {
                path: path.map(str::to_owned),
            },
            expiry: Expiry::Jwt,
        }
    }

    #[test]
    fn an_unpinned_access_token_is_found_by_its_usual_spellings() {
        for key in ["access_token", "accessToken", "token", "jwt"] {
            let answer = json_answer(&format!(r#"{{"{key}":"{}"}}"#, jwt(1_767_272_400)));
            let token = require_token(&answer, &json_source(None), TokenKind::Access, NOW).unwrap();
            assert_eq!(
                token.expires_at,
                Some(datetime!(2026-01-01 13:00 UTC)),
                "key {key}"
            );
        }
    }

    #[test]
    fn an_unpinned_token_is_found_inside_a_data_envelope_or_by_its_shape() {
        let wrapped = json_answer(&format!(r#"{{"data":{{"accessToken":"{}"}}}}"#, jwt(1)));
        assert!(
            find_token(&wrapped, &json_source(None), TokenKind::Access, NOW)
                .unwrap()
                .is_some()
        );
        let odd_name = json_answer(&format!(
            r#"{{"refreshJwt":"{}","sessionKey":"{}"}}"#,
            jwt(1),
            jwt(2)
        ));
        let token = require_token(&odd_name, &json_source(None), TokenKind::Access, NOW).unwrap();
        assert_eq!(
            token.value.expose(),
            jwt(2),
            "a refresh-named field is never the access token"
        );
    }

    #[test]
    fn a_missing_token_is_an_error_naming_where_it_was_sought_and_what_came() {
        let answer = json_answer(r#"{"status":"SUCCESS"}"#);
        let error = require_token(
            &answer,
            &json_source(Some("accessToken")),
            TokenKind::Access,
            NOW,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unexpected answer from u: expected the access token in the JSON field `accessToken`, \
             got HTTP 200 with a JSON object of fields [status]"
        );
    }

    #[test]
    fn expiry_is_read_from_a_json_field_in_each_unit() {
        let cases = [
            (
                ExpiryUnit::SecondsFromNow,
                "3600",
                datetime!(2026-01-01 13:00 UTC),
            ),
            (
                ExpiryUnit::MillisFromNow,
                "90000",
                datetime!(2026-01-01 12:01:30 UTC),
            ),
            (
                ExpiryUnit::UnixSeconds,
                "1767272400",
                datetime!(2026-01-01 13:00 UTC),
            ),
            (
                ExpiryUnit::UnixMillis,
                "1767272400000",
                datetime!(2026-01-01 13:00 UTC),
            ),
            (
                ExpiryUnit::Iso8601,
                r#""2026-01-01T13:00:00Z""#,
                datetime!(2026-01-01 13:00 UTC),
            ),
        ];
        for (unit, raw, expected) in cases {
            let answer = json_answer(&format!(r#"{{"t":"opaque","exp":{raw}}}"#));
            let source = TokenSource {
                location: TokenLocation::Json {
                    path: Some("t".into()),
                },
                expiry: Expiry::Json {
                    path: "exp".into(),
                    unit,
                },
            };
            let token = require_token(&answer, &source, TokenKind::Access, NOW).unwrap();
            assert_eq!(token.expires_at, Some(expected), "unit {unit:?}");
        }
    }

    #[test]
    fn absurd_expiry_values_are_ignored_rather_than_trusted() {
        for raw in ["-5", "1e300", r#""soon""#, "null"] {
            let value: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(
                read_instant(&value, ExpiryUnit::SecondsFromNow, NOW),
                None,
                "{raw}"
            );
        }
    }

    #[test]
    fn a_cookie_token_takes_its_expiry_from_max_age() {
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("R=opaque; Max-Age=60; HttpOnly"),
        );
        let answer = Answer {
            url: "u".into(),
            status: 200,
            headers,
            body: b"{}".to_vec(),
        };
        let source = TokenSource {
            location: TokenLocation::Cookie { name: "R".into() },
            expiry: Expiry::CookieMaxAge,
        };
        let token = require_token(&answer, &source, TokenKind::Refresh, NOW).unwrap();
        assert_eq!(token.value.expose(), "opaque");
        assert_eq!(token.expires_at, Some(datetime!(2026-01-01 12:01 UTC)));
    }
}
