//! Which account a request is for, and the path it asks for below that account's base URL.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::upstream::Upstream;

/// How requests find their account.
#[derive(Debug, Clone)]
pub enum Routing {
    /// Every request goes to this one account's API (`tokenvault proxy NAME`).
    One(Arc<Upstream>),
    /// The first path segment names the account: `/NAME/rest` goes to `rest` below NAME's
    /// base URL (`tokenvault proxy` with no name).
    ByName(BTreeMap<String, Arc<Upstream>>),
}

/// Why a request has no place to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unroutable {
    /// The path climbs out of the base URL (`..`, `.`, or their encoded forms).
    OutsideBase,
    /// No account of that name (or none named at all).
    NoAccount {
        /// The name the path gave, if any.
        asked: Option<String>,
        /// The names served.
        served: Vec<String>,
    },
}

impl Routing {
    /// The account `path` is for, and the path below its base URL (which starts with `/`
    /// or is empty).
    pub fn route<'a>(&'a self, path: &'a str) -> Result<(&'a Arc<Upstream>, &'a str), Unroutable> {
        if climbs(path) {
            return Err(Unroutable::OutsideBase);
        }
        match self {
            Routing::One(upstream) => Ok((upstream, path)),
            Routing::ByName(upstreams) => {
                let rest = path.strip_prefix('/').unwrap_or(path);
                let (name, below) = match rest.find('/') {
                    Some(at) => (&rest[..at], &rest[at..]),
                    None => (rest, ""),
                };
                let name_text = percent_decoded(name);
                upstreams
                    .get(name_text.as_str())
                    .map(|upstream| (upstream, below))
                    .ok_or_else(|| Unroutable::NoAccount {
                        asked: (!name.is_empty()).then_some(name_text),
                        served: upstreams.keys().cloned().collect(),
                    })
            }
        }
    }

    /// The accounts served, with the path prefix each is reached under.
    pub fn prefixes(&self) -> Vec<(String, String)> {
        match self {
            Routing::One(upstream) => vec![(upstream.account.clone(), String::new())],
            Routing::ByName(upstreams) => upstreams
                .keys()
                .map(|name| (name.clone(), format!("/{name}")))
                .collect(),
        }
    }
}

/// Whether `path` has a `.` or `..` segment, written plainly or percent-encoded, or a
/// backslash some servers read as a separator: a way out of the base URL's path.
fn climbs(path: &str) -> bool {
    let decoded = percent_decoded(path);
    decoded
        .split(['/', '\\'])
        .any(|segment| segment == "." || segment == "..")
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| char::from(*b).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_climbs_out_of_the_base_url_is_refused_however_it_is_written() {
        for path in [
            "/../admin",
            "/a/../../b",
            "/a/%2e%2e/b",
            "/%2E%2e/x",
            "/a/./b",
            "/a\\..\\b",
            "/a%2f..%2fb",
        ] {
            assert!(climbs(path), "{path}");
        }
        for path in ["/", "", "/users/me", "/a..b/c", "/files/.hidden", "/v1/..x"] {
            assert!(!climbs(path), "{path}");
        }
    }

    #[test]
    fn encoded_bytes_are_read_as_bytes() {
        assert_eq!(percent_decoded("a%20b%2F%zz"), "a b/%zz");
    }
}
