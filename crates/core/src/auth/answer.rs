//! A server's answer, read whole (up to a cap) so extraction is plain logic that
//! tests can drive without a network.

use reqwest::header::{CONTENT_TYPE, HeaderMap, SET_COOKIE};
use serde_json::Value;

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

/// A `Set-Cookie` of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie value.
    pub value: String,
    /// Its `Max-Age` in seconds, when given.
    pub max_age: Option<i64>,
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

    /// The cookie of this name set by the answer.
    pub fn cookie(&self, name: &str) -> Option<SetCookie> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|header| parse_set_cookie(header, name))
    }

    /// The names of the cookies the answer sets, in order.
    pub fn cookie_names(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|header| {
                header
                    .split_once('=')
                    .map(|(name, _)| name.trim().to_owned())
            })
            .collect()
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

fn parse_set_cookie(header: &str, wanted: &str) -> Option<SetCookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    if name.trim() != wanted {
        return None;
    }
    let max_age = parts.find_map(|attr| {
        let (key, value) = attr.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().parse().ok())?
    });
    Some(SetCookie {
        value: value.trim().trim_matches('"').to_owned(),
        max_age,
    })
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

    #[test]
    fn cookies_are_found_by_name_with_their_max_age() {
        let a = answer(
            200,
            "{}",
            &[
                "A=1; Path=/",
                "DT_AUTH_TOKEN=abc.def; Max-Age=3600; HttpOnly",
            ],
        );
        assert_eq!(
            a.cookie("DT_AUTH_TOKEN"),
            Some(SetCookie {
                value: "abc.def".into(),
                max_age: Some(3600)
            })
        );
        assert_eq!(a.cookie("A").unwrap().max_age, None);
        assert_eq!(a.cookie("B"), None);
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
