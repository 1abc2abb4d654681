//! A HAR file (a browser's "Save all as HAR") as the source of an account: its requests
//! that look like logins, one chosen, its recorded answer read for the tokens, and the
//! refresh from a later request that sent the refresh token back. The file is read as a
//! stream, one entry at a time, so a HAR of hundreds of megabytes costs one entry's memory;
//! nothing of it is kept but the profile, and no password, cookie or token of it is said.

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::curl::CurlRequest;
use crate::auth::Answer;
use crate::error::{Error, Result};
use crate::secret::Secret;

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidImport {
        from: "HAR file",
        problem: problem.into(),
    }
}

/// One recorded request and its answer.
pub struct Entry {
    /// When it was sent, when the file says.
    pub at: Option<time::OffsetDateTime>,
    /// The request, as a curl command would send it.
    pub request: CurlRequest,
    /// The answer, as the API gave it.
    pub answer: Answer,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("request", &self.request)
            .field("status", &self.answer.status)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(default, rename = "startedDateTime")]
    started: Option<String>,
    request: RawRequest,
    response: RawResponse,
}

#[derive(Deserialize)]
struct RawRequest {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default, rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Vec<NameValue>,
}

#[derive(Deserialize)]
struct RawResponse {
    status: u16,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<RawCookie>,
    #[serde(default)]
    content: Content,
}

#[derive(Deserialize, Default)]
struct Content {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct RawCookie {
    name: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    expires: Option<String>,
}

impl RawEntry {
    /// The entry as the rest of the import reads it; `None` for one that is not HTTP.
    fn into_entry(self) -> Option<Entry> {
        let url = Url::parse(&self.request.url).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        // HTTP/2 pseudo-headers (`:authority`) are not headers of the request.
        let headers: Vec<(String, String)> = self
            .request
            .headers
            .into_iter()
            .filter(|h| !h.name.starts_with(':'))
            .map(|h| (h.name, h.value))
            .collect();
        let sent = self.request.post_data.and_then(|post| {
            post.text.filter(|t| !t.is_empty()).or_else(|| {
                (!post.params.is_empty()).then(|| {
                    post.params
                        .iter()
                        .map(|p| format!("{}={}", p.name, p.value))
                        .collect::<Vec<_>>()
                        .join("&")
                })
            })
        });
        let cookies = headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, value)| value.split(';'))
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.trim().to_owned(), Secret::new(value.trim())))
            .collect();
        let mut answer_headers = HeaderMap::new();
        let mut set_cookie = false;
        for header in &self.response.headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(header.name.as_bytes()),
                HeaderValue::from_str(&header.value),
            ) else {
                continue;
            };
            set_cookie |= name == reqwest::header::SET_COOKIE;
            answer_headers.append(name, value);
        }
        // Some recorders list cookies set only in `cookies`: they are Set-Cookie all the same.
        if !set_cookie {
            for cookie in &self.response.cookies {
                let mut set = cookie::Cookie::new(cookie.name.as_str(), cookie.value.as_str());
                // The HAR's `expires` is an ISO 8601 instant.
                if let Some(at) = cookie.expires.as_deref().and_then(|iso| {
                    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
                        .ok()
                }) {
                    set.set_expires(at);
                }
                if let Ok(value) = HeaderValue::from_str(&set.to_string()) {
                    answer_headers.append(reqwest::header::SET_COOKIE, value);
                }
            }
        }
        let content = self.response.content;
        let body = match (content.text, content.encoding.as_deref()) {
            (Some(text), Some("base64")) => {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .unwrap_or_default()
            }
            (Some(text), _) => text.into_bytes(),
            (None, _) => Vec::new(),
        };
        let at = self.started.as_deref().and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        });
        Some(Entry {
            at,
            answer: Answer {
                url: format!("{}{}", url.origin().ascii_serialization(), url.path()),
                status: self.response.status,
                headers: answer_headers,
                body,
            },
            request: CurlRequest {
                method: self.request.method.to_ascii_uppercase(),
                url,
                headers,
                body: sent.map(Secret::new),
                user: None,
                cookies,
                ignored: Vec::new(),
            },
        })
    }
}

/// Calls `each` with every entry of the HAR read from `reader`, in order, numbered from 1,
/// until it breaks.
pub fn each_entry(
    reader: impl Read,
    each: &mut dyn FnMut(usize, Entry) -> ControlFlow<()>,
) -> Result<()> {
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let mut walk = Walk {
        each,
        seen: 0,
        entries: false,
    };
    match (&mut walk).deserialize(&mut deserializer) {
        Ok(()) | Err(_) if walk.stopped() => {}
        Ok(()) => {}
        Err(e) => return Err(invalid(format!("it is not a HAR file's JSON: {e}"))),
    }
    if !walk.entries {
        return Err(invalid("it has no `log.entries`: is it a HAR file?"));
    }
    Ok(())
}

/// The walk through `{"log": {"entries": [...]}}`, skipping the rest.
struct Walk<'a> {
    each: &'a mut dyn FnMut(usize, Entry) -> ControlFlow<()>,
    seen: usize,
    entries: bool,
}

impl Walk<'_> {
    /// Whether `each` asked to stop (the walk then ends with an error it made itself).
    fn stopped(&self) -> bool {
        self.seen == usize::MAX
    }
}

const STOPPED: &str = "tokenvault: enough entries read";

impl<'de> DeserializeSeed<'de> for &mut Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_map(Top(self))
    }
}

struct Top<'w, 'a>(&'w mut Walk<'a>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                map.next_value_seed(LogSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct LogSeed<'w, 'a>(&'w mut Walk<'a>);

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR log")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" {
                self.0.entries = true;
                map.next_value_seed(EntriesSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct EntriesSeed<'w, 'a>(&'w mut Walk<'a>);

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HAR entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Option<RawEntry>>()? {
            self.0.seen += 1;
            let Some(entry) = raw.and_then(RawEntry::into_entry) else {
                continue;
            };
            if (self.0.each)(self.0.seen, entry).is_break() {
                self.0.seen = usize::MAX;
                return Err(serde::de::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

/// A request of the file that looks like a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its number among the file's entries, from 1.
    pub entry: usize,
    /// `POST https://host/path` (no query), and the answer's status.
    pub said: String,
}

/// The entries whose request is a login (a password-like field in its body) answered 2xx.
pub fn logins(reader: impl Read) -> Result<Vec<Candidate>> {
    let mut found = Vec::new();
    each_entry(reader, &mut |n, entry| {
        let is_login = super::login::login_draft_from(&entry.request, None, "HAR file").is_ok();
        if is_login && (200..300).contains(&entry.answer.status) {
            found.push(Candidate {
                entry: n,
                said: format!(
                    "{} {} ({})",
                    entry.request.method, entry.answer.url, entry.answer.status
                ),
            });
        }
        ControlFlow::Continue(())
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn har(entries: &str) -> String {
        format!(
            r#"{{"log": {{"version": "1.2", "creator": {{"name": "t"}}, "pages": [], "entries": [{entries}]}}}}"#
        )
    }

    const LOGIN: &str = r#"{"startedDateTime": "2026-12-07T08:00:00.000Z",
        "request": {"method": "POST", "url": "https://api.example/auth/token?x=1",
            "headers": [{"name": ":authority", "value": "api.example"}, {"name": "content-type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": "{\"login\":\"ana\",\"password\":\"pw-in-the-har\"}"}},
        "response": {"status": 200, "headers": [{"name": "set-cookie", "value": "sid=abc; Max-Age=60"}],
            "cookies": [], "content": {"mimeType": "application/json", "text": "{\"ok\":true}"}}}"#;
    const PAGE: &str = r#"{"request": {"method": "GET", "url": "https://api.example/app.js", "headers": []},
        "response": {"status": 200, "headers": [], "content": {"text": "Y29uc29sZS5sb2coMSk=", "encoding": "base64"}}}"#;

    #[test]
    fn entries_are_read_one_by_one_with_their_requests_and_answers() {
        let mut seen = Vec::new();
        each_entry(
            har(&format!("{PAGE}, {LOGIN}")).as_bytes(),
            &mut |n, entry| {
                seen.push((
                    n,
                    entry.request.method.clone(),
                    entry.answer.body.len(),
                    entry.at.is_some(),
                ));
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                (1, "GET".to_owned(), 14, false),
                (2, "POST".to_owned(), 11, true)
            ]
        );
    }

    #[test]
    fn cookies_a_recorder_lists_only_apart_are_set_with_their_iso_expiry() {
        let entry = r#"{"request": {"method": "POST", "url": "https://api.example/login", "headers": []},
            "response": {"status": 200, "headers": [],
                "cookies": [{"name": "jwt", "value": "abc", "expires": "2026-12-07T09:00:00.000Z"}],
                "content": {"text": "{}"}}}"#;
        let mut cookie = None;
        each_entry(har(entry).as_bytes(), &mut |_, entry| {
            let now = time::macros::datetime!(2026-12-07 08:00 UTC);
            cookie = entry.answer.cookie("jwt", now);
            ControlFlow::Break(())
        })
        .unwrap();
        let cookie = cookie.expect("the cookie is set");
        assert_eq!(cookie.value, "abc");
        assert_eq!(
            cookie.expires_at,
            Some(time::macros::datetime!(2026-12-07 09:00 UTC))
        );
    }

    #[test]
    fn the_logins_are_listed_by_number_without_a_word_of_their_secrets() {
        let found = logins(har(&format!("{PAGE}, {LOGIN}, {PAGE}")).as_bytes()).unwrap();
        assert_eq!(
            found,
            [Candidate {
                entry: 2,
                said: "POST https://api.example/auth/token (200)".into()
            }]
        );
    }

    #[test]
    fn reading_stops_when_asked_and_what_is_no_har_is_said() {
        let mut count = 0;
        each_entry(
            har(&format!("{PAGE}, {PAGE}, {PAGE}")).as_bytes(),
            &mut |_, _| {
                count += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert_eq!(count, 1);
        let error = each_entry(&b"{\"log\": {\"pages\": []}}"[..], &mut |_, _| {
            ControlFlow::Continue(())
        })
        .unwrap_err();
        assert!(error.to_string().contains("no `log.entries`"), "{error}");
        let error = each_entry(&b"<html>"[..], &mut |_, _| ControlFlow::Continue(())).unwrap_err();
        assert!(
            error.to_string().contains("not a HAR file's JSON"),
            "{error}"
        );
    }
}
