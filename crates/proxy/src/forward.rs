//! One request through the proxy: routed to its account, its own credentials dropped, the
//! account's fresh token added, bodies streamed both ways; a 401 renews the token once and
//! sends the request again when its body can be sent again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use time::Duration;
use tokenvault_core::auth::Token;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::freshness::FreshnessPolicy;

use crate::routing::{Routing, Unroutable};
use crate::server::Options;
use crate::source::{TokenFailure, TokenSource};
use crate::upstream::{Placement, Upstream};

/// The body of every answer the proxy gives: the API's, streamed, or its own short text.
pub type Body = reqwest::Body;

/// Forwards requests; one per proxy, shared by its connections.
pub(crate) struct Forwarder {
    routing: Routing,
    source: Arc<dyn TokenSource>,
    options: Options,
    slots: HashMap<String, Arc<Slot>>,
    policy: FreshnessPolicy,
}

/// One account's token as the proxy holds it, and the lock its renewals take, so that
/// requests arriving together wait for one renewal instead of making one each.
#[derive(Debug, Default)]
struct Slot {
    token: Mutex<Option<Token>>,
    renewing: tokio::sync::Mutex<()>,
}

impl Slot {
    fn held(&self) -> Option<Token> {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn hold(&self, token: &Token) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
    }
}

impl Forwarder {
    pub(crate) fn new(routing: Routing, source: Arc<dyn TokenSource>, options: Options) -> Self {
        let slots = routing
            .prefixes()
            .into_iter()
            .map(|(name, _)| (name, Arc::new(Slot::default())))
            .collect();
        Self {
            routing,
            source,
            options,
            slots,
            policy: FreshnessPolicy::default(),
        }
    }

    pub(crate) fn routing(&self) -> &Routing {
        &self.routing
    }

    /// Answers one request; never fails (a failure is a short text answer).
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let response = match self.forward(request).await {
            Ok(response) => response,
            Err(refusal) => {
                tracing::info!(%method, path, status = refusal.status.as_u16(), "{}", refusal.message);
                refusal.into_response()
            }
        };
        tracing::debug!(
            %method,
            path,
            status = response.status().as_u16(),
            ms = started.elapsed().as_millis(),
            "forwarded"
        );
        response
    }

    async fn forward(&self, request: Request<Incoming>) -> Result<Response<Body>, Refusal> {
        if request.method() == Method::CONNECT || request.uri().authority().is_some() {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "not_a_forward_proxy",
                "this proxy forwards to its accounts' APIs only: send requests to its own \
                 address, with the path below the account's base URL",
            ));
        }
        let (parts, body) = request.into_parts();
        let (upstream, below) = self
            .routing
            .route(parts.uri.path())
            .map_err(Refusal::unroutable)?;
        let mut target = below.to_owned();
        if let Some(query) = parts.uri.query() {
            target.push('?');
            target.push_str(query);
        }
        let url = upstream.url(&target).map_err(|why| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "bad_path",
                &format!("the path is not usable: {why}"),
            )
        })?;
        let headers = forwarded_headers(&parts.headers, &upstream.placement);
        let mut body = Outgoing::read(&parts.headers, body, self.options.replay_limit).await?;
        let slot = self.slot(&upstream.account)?;
        let token = self.token(upstream, &slot).await?;
        let answer = self
            .send(upstream, &parts.method, &url, &headers, &token, body.take())
            .await?;
        if answer.status() != StatusCode::UNAUTHORIZED {
            return Ok(passed_back(answer));
        }
        let Some(again) = body.again() else {
            return Ok(passed_back(answer));
        };
        drop(answer);
        let token = self.renewed(upstream, &slot, &token).await?;
        let answer = self
            .send(upstream, &parts.method, &url, &headers, &token, again)
            .await?;
        Ok(passed_back(answer))
    }

    fn slot(&self, account: &str) -> Result<Arc<Slot>, Refusal> {
        self.slots.get(account).cloned().ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_GATEWAY,
                "unknown_account",
                "no such account",
            )
        })
    }

    /// The account's token: the one held while the freshness policy allows, a fresh one
    /// from the source otherwise (one request asks; the others wait for its answer).
    async fn token(&self, upstream: &Upstream, slot: &Slot) -> Result<Token, Refusal> {
        let min_valid = self.options.min_valid;
        let servable = |token: &Option<Token>| {
            token
                .as_ref()
                .filter(|t| self.policy.can_serve(t, SystemClock.now(), min_valid))
                .cloned()
        };
        if let Some(token) = servable(&slot.held()) {
            return Ok(token);
        }
        let _renewing = slot.renewing.lock().await;
        if let Some(token) = servable(&slot.held()) {
            return Ok(token);
        }
        self.fetch(upstream, slot, false).await
    }

    /// A new token after the API refused `refused`: unless another request renewed it
    /// meanwhile, in which case that one is used.
    async fn renewed(
        &self,
        upstream: &Upstream,
        slot: &Slot,
        refused: &Token,
    ) -> Result<Token, Refusal> {
        let _renewing = slot.renewing.lock().await;
        if let Some(held) = slot.held()
            && held.value != refused.value
        {
            return Ok(held);
        }
        self.fetch(upstream, slot, true).await
    }

    /// A token from the source (`renew`: a new one whatever it holds), held from now on.
    async fn fetch(&self, upstream: &Upstream, slot: &Slot, renew: bool) -> Result<Token, Refusal> {
        let account = &upstream.account;
        let fetched = if renew {
            self.source.renew(account).await
        } else {
            self.source.token(account, self.options.min_valid).await
        };
        let token = fetched.map_err(|failure| Refusal::no_token(account, &failure))?;
        slot.hold(&token);
        Ok(token)
    }

    async fn send(
        &self,
        upstream: &Upstream,
        method: &Method,
        url: &reqwest::Url,
        headers: &HeaderMap,
        token: &Token,
        body: Option<Body>,
    ) -> Result<reqwest::Response, Refusal> {
        let mut headers = headers.clone();
        with_token(&mut headers, &upstream.placement, token);
        let mut request = upstream
            .http
            .request(method.clone(), url.clone())
            .headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        let waited = self.options.upstream_timeout;
        let timed_out = || {
            Refusal::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                &format!(
                    "{} did not answer within {} s",
                    host_of(url),
                    waited.as_secs()
                ),
            )
        };
        match tokio::time::timeout(waited, request.send()).await {
            Err(_) => Err(timed_out()),
            Ok(Err(error)) if error.is_timeout() => Err(timed_out()),
            Ok(Err(error)) => Err(Refusal::new(
                StatusCode::BAD_GATEWAY,
                if error.is_connect() {
                    "unreachable"
                } else {
                    "network"
                },
                &format!("cannot reach {}: {}", host_of(url), described(&error)),
            )),
            Ok(Ok(answer)) => Ok(answer),
        }
    }
}

/// A request's body as the proxy sends it on: nothing, a small body held so it can be sent
/// again, or a stream sent once.
enum Outgoing {
    Nothing,
    Held(Bytes),
    Streamed(Option<Body>),
}

impl Outgoing {
    /// A body of at most `replay_limit` bytes (by its `Content-Length`) is read whole; a
    /// larger one, or one of unknown length, streams.
    async fn read(
        headers: &HeaderMap,
        body: Incoming,
        replay_limit: usize,
    ) -> Result<Self, Refusal> {
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        match (length, chunked) {
            (None, false) | (Some(0), false) => Ok(Outgoing::Nothing),
            (Some(n), false) if n <= replay_limit as u64 => {
                let bytes = body.collect().await.map_err(|e| {
                    Refusal::new(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        &format!("the request's body could not be read: {e}"),
                    )
                })?;
                Ok(Outgoing::Held(bytes.to_bytes()))
            }
            _ => Ok(Outgoing::Streamed(Some(Body::wrap(body)))),
        }
    }

    /// The body for the first sending.
    fn take(&mut self) -> Option<Body> {
        match self {
            Outgoing::Nothing => None,
            Outgoing::Held(bytes) => Some(Body::from(bytes.clone())),
            Outgoing::Streamed(body) => body.take(),
        }
    }

    /// The body for a second sending, if it can be sent again.
    fn again(&self) -> Option<Option<Body>> {
        match self {
            Outgoing::Nothing => Some(None),
            Outgoing::Held(bytes) => Some(Some(Body::from(bytes.clone()))),
            Outgoing::Streamed(_) => None,
        }
    }
}

/// Headers that describe one connection, not the request (RFC 9110, 7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn is_hop_by_hop(name: &HeaderName, named_by_connection: &[String]) -> bool {
    HOP_BY_HOP.contains(&name.as_str()) || named_by_connection.iter().any(|n| n == name.as_str())
}

fn named_by_connection(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The client's headers as the API gets them: without the hop-by-hop ones, `Host` (the
/// API's own is sent), `Expect`, and any credential of the client's in the token's place.
fn forwarded_headers(incoming: &HeaderMap, placement: &Placement) -> HeaderMap {
    let connection = named_by_connection(incoming);
    let mut out = HeaderMap::with_capacity(incoming.len() + 1);
    for (name, value) in incoming {
        let replaced = match placement {
            Placement::Header(token_header) => name == token_header,
            Placement::Bearer | Placement::Cookie(_) => false,
        };
        if is_hop_by_hop(name, &connection)
            || name == header::HOST
            || name == header::AUTHORIZATION
            // The proxy answered the client's `Expect: 100-continue` itself, by reading on.
            || name == header::EXPECT
            || replaced
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// Adds the token where the API wants it; a cookie of the same name the client sent goes.
fn with_token(headers: &mut HeaderMap, placement: &Placement, token: &Token) {
    if let Some((name, value)) = placement.header(&token.value) {
        headers.insert(name, value);
        return;
    }
    let Placement::Cookie(cookie) = placement else {
        return;
    };
    let mut pairs: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| {
            !pair.is_empty() && pair.split('=').next().map(str::trim) != Some(cookie.as_str())
        })
        .map(str::to_owned)
        .collect();
    pairs.push(format!("{cookie}={}", token.value.expose()));
    headers.remove(header::COOKIE);
    if let Ok(mut value) = HeaderValue::from_str(&pairs.join("; ")) {
        value.set_sensitive(true);
        headers.insert(header::COOKIE, value);
    }
}

/// The API's answer as the client gets it: status, headers (less the hop-by-hop ones)
/// and the body, streamed.
fn passed_back(answer: reqwest::Response) -> Response<Body> {
    let mut response: Response<Body> = answer.into();
    let connection = named_by_connection(response.headers());
    let dropped: Vec<HeaderName> = response
        .headers()
        .keys()
        .filter(|name| is_hop_by_hop(name, &connection))
        .cloned()
        .collect();
    for name in dropped {
        response.headers_mut().remove(name);
    }
    response
}

fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "the API".to_owned(),
    }
}

/// An HTTP client error without its URL (whose query may hold anything) and with its
/// causes, which say what actually went wrong.
fn described(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(inner) = cause {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    if text.is_empty() {
        text = "the connection failed".to_owned();
    }
    text
}

/// The proxy's own answer when a request cannot be forwarded: a status and a short text,
/// with a stable code in `X-Tokenvault-Error`.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &str, message: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }

    fn unroutable(why: Unroutable) -> Self {
        match why {
            Unroutable::OutsideBase => Self::new(
                StatusCode::BAD_REQUEST,
                "outside_base_url",
                "the path leaves the account's base URL (a `.` or `..` segment)",
            ),
            Unroutable::NoAccount { asked, served } => {
                let served = if served.is_empty() {
                    "none".to_owned()
                } else {
                    served
                        .iter()
                        .map(|n| format!("/{n}/"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let message = match asked {
                    Some(name) => format!("no account named `{name}`; this proxy serves {served}"),
                    None => format!("the path names no account; this proxy serves {served}"),
                };
                Self::new(StatusCode::NOT_FOUND, "unknown_account", &message)
            }
        }
    }

    fn no_token(account: &str, failure: &TokenFailure) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            &failure.code,
            &format!("no token for {account}: {}", failure.message),
        )
    }

    pub(crate) fn into_response(self) -> Response<Body> {
        let mut response =
            Response::new(Body::from(format!("tokenvault proxy: {}\n", self.message)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if let Ok(code) = HeaderValue::from_str(&self.code) {
            headers.insert(HeaderName::from_static("x-tokenvault-error"), code);
        }
        response
    }
}

/// The smallest validity a token is handed to the API with, by default: a request may
/// queue and travel a little before the API reads it.
pub const DEFAULT_MIN_VALID: Duration = Duration::seconds(30);

#[cfg(test)]
mod tests {
    use super::*;
    use tokenvault_core::Secret;

    fn token(value: &str) -> Token {
        Token {
            value: Secret::new(value),
            expires_at: None,
            obtained_at: SystemClock.now(),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                HeaderValue::from_str(value).expect("a value"),
            );
        }
        map
    }

    #[test]
    fn the_clients_own_credentials_and_connection_headers_never_reach_the_api() {
        let incoming = headers(&[
            ("authorization", "Bearer the-clients"),
            ("host", "127.0.0.1:8080"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "for this hop"),
            ("transfer-encoding", "chunked"),
            ("expect", "100-continue"),
            ("accept", "application/json"),
            ("x-request-id", "42"),
        ]);
        let mut out = forwarded_headers(&incoming, &Placement::Bearer);
        with_token(&mut out, &Placement::Bearer, &token("fresh"));
        let names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["accept", "x-request-id", "authorization"]);
        assert_eq!(out[header::AUTHORIZATION], "Bearer fresh");
        assert!(out[header::AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn a_token_header_of_the_apis_own_replaces_the_clients() {
        let placement = Placement::Header(HeaderName::from_static("token"));
        let mut out = forwarded_headers(
            &headers(&[("token", "stale"), ("authorization", "Basic x")]),
            &placement,
        );
        with_token(&mut out, &placement, &token("fresh"));
        assert_eq!(out.get_all("token").iter().count(), 1);
        assert_eq!(out["token"], "fresh");
        assert!(!out.contains_key(header::AUTHORIZATION));
    }

    #[test]
    fn a_token_cookie_joins_the_clients_other_cookies_and_replaces_its_namesake() {
        let placement = Placement::Cookie("DT_AUTH_TOKEN".into());
        let mut out = forwarded_headers(
            &headers(&[
                ("cookie", "theme=dark; DT_AUTH_TOKEN=stale"),
                ("cookie", "lang=en"),
            ]),
            &placement,
        );
        with_token(&mut out, &placement, &token("fresh"));
        assert_eq!(
            out[header::COOKIE],
            "theme=dark; lang=en; DT_AUTH_TOKEN=fresh"
        );
    }
}
