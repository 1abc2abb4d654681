//! A server's answer, read whole (up to a cap) so extraction is plain logic that
//! tests can drive without a network.

use cookie::Cookie;
use reqwest::header::{CONTENT_TYPE, HeaderMap, SET_COOKIE};
use serde_json::Value;
use time::OffsetDateTime;

/// A response: status, headers and a size-capped body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The URL that answered (no secrets are ever put in URLs).
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// A cookie as an answer leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie value.
    pub value: String,
    /// When it ends: `Max-Age` seconds after the answer, else its `Expires` (RFC 6265
    /// §5.3: `Max-Age` wins when both are given); `None` for a cookie of the session.
    pub expires_at: Option<OffsetDateTime>,
}

impl Answer {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The `error` code of an OAuth error answer (RFC 6749 §5.2: `invalid_grant`,
    /// `authorization_pending`, ...), when the body is JSON that has one.
    pub fn oauth_error(&self) -> Option<String> {
        self.json()
            .ok()?
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The `Content-Type` header, when present.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Whether the body is an HTML page (an error page, a login portal).
    pub fn is_html(&self) -> bool {
        self.content_type().is_some_and(|t| t.contains("html"))
            || self
                .body
                .iter()
                .take(512)
                .copied()
                .collect::<Vec<_>>()
                .to_ascii_lowercase()
                .windows(5)
                .any(|w| w == b"<html" || w == b"<!doc")
    }

    /// The cookie of this name as the answer leaves it, received at `now`: its `Set-Cookie`
    /// headers applied in order, as a browser applies them, so the last one wins; `None`
    /// when none sets it or the last one deletes it (an empty value, a `Max-Age` of zero or
    /// less, an `Expires` not after `now`).
    pub fn cookie(&self, name: &str, now: OffsetDateTime) -> Option<SetCookie> {
        let last = self.set_cookies().filter(|c| c.name() == name).last()?;
        let expires_at = match (last.max_age(), last.expires_datetime()) {
            (Some(max_age), _) if max_age <= time::Duration::ZERO => return None,
            // A `Max-Age` past the year 9999 says nothing usable: no expiry known.
            (Some(max_age), _) => now.checked_add(max_age),
            (None, Some(at)) => Some(at),
            (None, None) => None,
        };
        let value = last.value_trimmed().trim();
        (!value.is_empty() && expires_at.is_none_or(|at| at > now)).then(|| SetCookie {
            value: value.to_owned(),
            expires_at,
        })
    }

    /// The names of the cookies the answer sets, in order, each once.
    pub fn cookie_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for cookie in self.set_cookies() {
            if !names.iter().any(|n| n == cookie.name()) {
                names.push(cookie.name().to_owned());
            }
        }
        names
    }

    /// The answer's `Set-Cookie` headers that parse, in order.
    fn set_cookies(&self) -> impl Iterator<Item = Cookie<'_>> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|header| Cookie::parse(header).ok())
    }

    /// The value of a response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds, when given as a number.
    pub fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")
            .and_then(|v| v.trim().parse().ok())
    }

    /// A short description of the body for error messages, never quoting its content
    /// (a broken body may still hold part of a token).
    pub fn describe(&self) -> String {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return format!("HTTP {} with an empty body", self.status);
        }
        if self.is_html() {
            return format!("HTTP {} with an HTML page", self.status);
        }
        if std::str::from_utf8(&self.body).is_err() {
            return format!("HTTP {} with a body that is not UTF-8 text", self.status);
        }
        match self.json() {
            Ok(Value::Object(map)) => {
                let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
                format!(
                    "HTTP {} with a JSON object of fields [{}]",
                    self.status,
                    keys.join(", ")
                )
            }
            Ok(other) => format!("HTTP {} with JSON {}", self.status, json_kind(&other)),
            Err(e) => format!(
                "HTTP {} with malformed JSON ({} at line {} column {})",
                self.status,
                match e.classify() {
                    serde_json::error::Category::Eof => "ends too early",
                    // Not quoted: serde's own words may carry a piece of the body.
                    serde_json::error::Category::Syntax
                        if e.to_string().starts_with("recursion limit exceeded") =>
                    {
                        "nested too deeply"
                    }
                    serde_json::error::Category::Syntax => "syntax error",
                    _ => "invalid data",
                },
                e.line(),
                e.column()
            ),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Follows a dotted path (`data.token`, `items.0.id`) into a JSON value.
pub fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |current, key| match current {
            Value::Object(map) => map.get(key),
            Value::Array(items) => items.get(key.parse::<usize>().ok()?),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn answer(status: u16, body: &str, cookies: &[&str]) -> Answer {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(SET_COOKIE, HeaderValue::from_str(c).unwrap());
        }
        Answer {
            url: "http://127.0.0.1/x".into(),
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn at(rfc3339: &str) -> OffsetDateTime {
        OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn a_cookie_ends_after_its_max_age_else_at_its_expires_and_max_age_wins() {
        let now = at("2026-12-07T10:00:00Z");
        let a = answer(
            200,
            "{}",
            &[
                "A=1; Path=/",
                "DT_AUTH_TOKEN=abc.def; Max-Age=3600; HttpOnly",
                "B=\"quoted\"; Expires=Mon, 07 Dec 2026 12:00:00 GMT",
                "C=both; Expires=Mon, 07 Dec 2026 12:00:00 GMT; Max-Age=60",
            ],
        );
        assert_eq!(
            a.cookie("DT_AUTH_TOKEN", now),
            Some(SetCookie {
                value: "abc.def".into(),
                expires_at: Some(at("2026-12-07T11:00:00Z")),
            })
        );
        assert_eq!(
            a.cookie("B", now),
            Some(SetCookie {
                value: "quoted".into(),
                expires_at: Some(at("2026-12-07T12:00:00Z")),
            })
        );
        assert_eq!(
            a.cookie("C", now).unwrap().expires_at,
            Some(at("2026-12-07T10:01:00Z"))
        );
        assert_eq!(a.cookie("A", now).unwrap().expires_at, None);
        assert_eq!(a.cookie("missing", now), None);
    }

    #[test]
    fn the_last_set_cookie_of_a_name_wins_and_a_deleting_one_leaves_no_cookie() {
        let now = at("2026-12-07T10:00:00Z");
        let a = answer(
            200,
            "{}",
            &[
                "token=; Max-Age=0; Path=/",
                "token=the-real-one; Max-Age=600; Path=/",
                "refresh=old; Path=/",
                "refresh=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "session=; Path=/",
                "far=away; Max-Age=99999999999999999999",
            ],
        );
        assert_eq!(
            a.cookie("far", now),
            Some(SetCookie {
                value: "away".into(),
                expires_at: None,
            }),
            "a Max-Age past the year 9999 is no expiry, and no panic"
        );
        assert_eq!(a.cookie("token", now).unwrap().value, "the-real-one");
        assert_eq!(a.cookie("refresh", now), None, "deleted by the later one");
        assert_eq!(
            a.cookie("session", now),
            None,
            "an empty value is no cookie"
        );
        assert_eq!(a.cookie_names(), ["token", "refresh", "session", "far"]);
    }

    #[test]
    fn descriptions_name_the_shape_but_never_quote_the_body() {
        let truncated = answer(200, r#"{"accessToken": "eyJhbGciOi"#, &[]);
        let text = truncated.describe();
        assert!(text.contains("malformed JSON"), "{text}");
        assert!(
            !text.contains("eyJ"),
            "a partial token must not be quoted: {text}"
        );
        assert_eq!(
            answer(200, r#"{"status":"ok","roles":[]}"#, &[]).describe(),
            "HTTP 200 with a JSON object of fields [roles, status]"
        );
        assert_eq!(
            answer(503, "<!DOCTYPE html><html>down</html>", &[]).describe(),
            "HTTP 503 with an HTML page"
        );
        assert_eq!(
            answer(200, "  ", &[]).describe(),
            "HTTP 200 with an empty body"
        );
    }

    #[test]
    fn paths_walk_objects_and_arrays() {
        let v: Value = serde_json::json!({"data": {"items": [{"id": 7}]}});
        assert_eq!(at_path(&v, "data.items.0.id"), Some(&serde_json::json!(7)));
        assert_eq!(at_path(&v, "data.missing"), None);
    }
}
