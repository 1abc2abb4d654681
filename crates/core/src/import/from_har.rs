//! A whole profile from a HAR file: the login chosen among its requests, the tokens found
//! in the answer it recorded, and the refresh from the first later request that sent the
//! refresh token back and was answered 2xx. No call is made: the file holds what happened.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;

use serde_json::Value;
use time::OffsetDateTime;

use super::curl::CurlRequest;
use super::detect::detect;
use super::draft::{Draft, bare_profile, identity_of};
use super::har::{Candidate, Entry, each_entry, logins};
use super::login::{LoginDraft, login_draft_from};
use crate::auth::{TokenKind, find_token};
use crate::error::{Error, Result};
use crate::profile::{BodyEncoding, Method, RefreshRequest, TokenPlacement};

const FROM: &str = "HAR file";

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidImport {
        from: FROM,
        problem: problem.into(),
    }
}

/// What a profile is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarImport {
    /// The account's name.
    pub name: String,
    /// The entry of the login (its number, from 1); needed when the file has several.
    pub entry: Option<usize>,
    /// The account's base URL, when given (else the login URL's origin).
    pub base_url: Option<String>,
    /// Who logs in, when given (else the identity in the login's body).
    pub identity: Option<String>,
}

/// Reads the file twice (`open` gives it anew): once to list its logins, once to read the
/// chosen one and what came after it.
pub fn from_har<R: Read>(
    open: impl Fn() -> std::io::Result<R>,
    import: &HarImport,
    now: OffsetDateTime,
) -> Result<Draft> {
    let reader = || open().map_err(|e| invalid(format!("cannot read it: {e}")));
    let candidates = logins(reader()?)?;
    let chosen = choose(&candidates, import.entry)?;
    let mut login: Option<(LoginDraft, Entry)> = None;
    let mut refresh_value: Option<String> = None;
    let mut made: Option<Draft> = None;
    let mut failure: Option<Error> = None;
    let mut refresh: Option<(usize, RefreshRequest, String)> = None;
    each_entry(reader()?, &mut |n, entry| {
        if n < chosen {
            return ControlFlow::Continue(());
        }
        if n == chosen {
            match start(import, entry, now) {
                Ok((draft, value, kept)) => {
                    refresh_value = value;
                    login = Some(kept);
                    made = Some(draft);
                }
                Err(e) => {
                    failure = Some(e);
                    return ControlFlow::Break(());
                }
            }
            return if refresh_value.is_some() {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            };
        }
        let (Some(value), Some((draft, _))) = (&refresh_value, &login) else {
            return ControlFlow::Break(());
        };
        if !(200..300).contains(&entry.answer.status) {
            return ControlFlow::Continue(());
        }
        match refresh_in(&entry.request, value, &draft.base_url) {
            Some((call, said)) => {
                refresh = Some((n, call, said));
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    let mut draft = made.ok_or_else(|| invalid(format!("entry {chosen} was not found")))?;
    match refresh {
        Some((n, call, said)) => {
            draft
                .decisions
                .push(format!("refresh: {said}, as entry {n} did"));
            draft.profile.refresh = Some(call);
        }
        None if draft.profile.refresh_token.is_some() => {
            draft.decisions.push(
                "refresh: no later request sent the refresh token back, so it logs in again \
                 (record a refresh in the browser to have one)"
                    .to_owned(),
            );
            draft.profile.refresh_token = None;
        }
        None => {}
    }
    Ok(draft)
}

/// The login entry: the one asked for (which must be a login), or the only one there is.
fn choose(candidates: &[Candidate], asked: Option<usize>) -> Result<usize> {
    let listed = || {
        candidates
            .iter()
            .map(|c| format!("{}: {}", c.entry, c.said))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (asked, candidates) {
        (_, []) => Err(invalid(
            "no request in it looks like a login (a password field in its body, answered 2xx)",
        )),
        (Some(n), _) if candidates.iter().any(|c| c.entry == n) => Ok(n),
        (Some(n), _) => Err(invalid(format!(
            "entry {n} is not a login; the logins are entries {}",
            listed()
        ))),
        (None, [only]) => Ok(only.entry),
        (None, _) => Err(invalid(format!(
            "it holds several logins: choose one with --entry N ({})",
            listed()
        ))),
    }
}

/// The profile from the login entry, the refresh token's value to look for afterwards,
/// and the login kept for the rest.
fn start(
    import: &HarImport,
    entry: Entry,
    now: OffsetDateTime,
) -> Result<(Draft, Option<String>, (LoginDraft, Entry))> {
    let login = login_draft_from(&entry.request, import.base_url.as_deref(), FROM)?;
    let identity = identity_of(import.identity.as_deref(), &login, FROM)?;
    let at = entry.at.unwrap_or(now);
    let detected = detect(&entry.answer, at)?;
    let mut decisions = login.decisions.clone();
    decisions.extend(detected.decisions);
    let mut profile = bare_profile(&import.name, "HAR", login.login.clone());
    profile.access_token = detected.access_token;
    let mut value = None;
    if let Some(source) = detected.refresh_token {
        value = find_token(&entry.answer, &source, TokenKind::Refresh, at)?
            .map(|t| t.value.expose().to_owned());
        profile.refresh_token = Some(source);
    }
    let draft = Draft {
        profile,
        base_url: login.base_url.clone(),
        identity,
        decisions,
    };
    Ok((draft, value, (login, entry)))
}

/// A refresh call, when `request` sends `token` back: how, and in words.
fn refresh_in(
    request: &CurlRequest,
    token: &str,
    base_url: &str,
) -> Option<(RefreshRequest, String)> {
    let base = reqwest::Url::parse(base_url).ok()?;
    if base.origin() != request.url.origin() {
        return None;
    }
    let path = request
        .url
        .path()
        .strip_prefix(base.path().trim_end_matches('/'))?
        .to_owned();
    let method = match request.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        _ => return None,
    };
    let (send, body, fields) =
        if let Some((name, _)) = request.cookies.iter().find(|(_, v)| v.expose() == token) {
            (
                TokenPlacement::Cookie { name: name.clone() },
                BodyEncoding::Json,
                BTreeMap::new(),
            )
        } else if let Some((name, _)) = request.headers.iter().find(|(n, v)| {
            !n.eq_ignore_ascii_case("cookie")
                && (v.trim() == token || v.trim().strip_prefix("Bearer ") == Some(token))
        }) {
            (
                TokenPlacement::Header { name: name.clone() },
                BodyEncoding::Json,
                BTreeMap::new(),
            )
        } else {
            let text = request.body.as_ref()?.expose().to_owned();
            let (encoding, pairs) = body_fields(&text)?;
            let field = pairs.iter().find(|(_, v)| v == token)?.0.clone();
            let fixed = pairs
                .into_iter()
                .filter(|(name, _)| name != &field)
                .collect();
            (TokenPlacement::Body { field }, encoding, fixed)
        };
    let said = format!(
        "{} {path} with the refresh token in {}",
        request.method,
        match &send {
            TokenPlacement::Cookie { name } => format!("the `{name}` cookie"),
            TokenPlacement::Header { name } => format!("a `{name}` header"),
            TokenPlacement::Body { field } => format!("the body field `{field}`"),
        }
    );
    Some((
        RefreshRequest {
            method,
            path,
            send,
            body,
            fields,
            headers: BTreeMap::new(),
            rotates: true,
        },
        said,
    ))
}

/// A body's text fields: JSON's top-level strings, or a form's pairs.
fn body_fields(text: &str) -> Option<(BodyEncoding, Vec<(String, String)>)> {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        let pairs = map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect();
        return Some((BodyEncoding::Json, pairs));
    }
    let pairs: Vec<(String, String)> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (!pairs.is_empty()).then_some((BodyEncoding::Form, pairs))
}
