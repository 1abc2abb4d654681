//! What the server remembers: issued tokens, one-time tokens, private tokens,
//! faults in force and call counts.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::connection::ConnectionKill;
use crate::faults::{Fault, Faults};
use crate::tokens::Issuer;
use crate::{Config, Dialect, Endpoint};

/// Call counts per dialect and endpoint.
#[derive(Debug, Default)]
pub struct Counts(Mutex<BTreeMap<(Dialect, Endpoint), u64>>);

impl Counts {
    fn bump(&self, dialect: Dialect, endpoint: Endpoint) {
        *self.lock().entry((dialect, endpoint)).or_default() += 1;
    }

    /// Calls seen by one endpoint of one dialect.
    pub fn get(&self, dialect: Dialect, endpoint: Endpoint) -> u64 {
        self.lock().get(&(dialect, endpoint)).copied().unwrap_or(0)
    }

    /// Every count, as `{"prive": {"login": 2}}`.
    pub fn snapshot(&self) -> BTreeMap<Dialect, BTreeMap<Endpoint, u64>> {
        let mut out: BTreeMap<Dialect, BTreeMap<Endpoint, u64>> = BTreeMap::new();
        for ((dialect, endpoint), n) in self.lock().iter() {
            out.entry(*dialect).or_default().insert(*endpoint, *n);
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(Dialect, Endpoint), u64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A one-time token: its owner and whether it was used.
#[derive(Debug, Clone)]
pub struct Ott {
    /// The user it logs in.
    pub login: String,
    /// Unix seconds after which it is invalid.
    pub expires_at: i64,
    /// Set once verified.
    pub used: bool,
}

/// A long-living private token's listing entry.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateToken {
    /// Its id, used to revoke it.
    pub id: u64,
    /// The label given at creation.
    pub name: String,
    /// Owner.
    #[serde(skip)]
    pub owner: String,
    /// The JWT id, for revocation.
    #[serde(skip)]
    pub jti: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Everything the server holds.
#[derive(Debug)]
pub struct DemoState {
    /// Lifetimes and delays.
    pub config: Config,
    /// Token signing and memory.
    pub issuer: Issuer,
    /// Faults in force.
    pub faults: Faults,
    /// Call counts.
    pub counts: Counts,
    /// Issued one-time tokens.
    pub otts: Mutex<HashMap<String, Ott>>,
    /// Created private tokens.
    pub private_tokens: Mutex<Vec<PrivateToken>>,
    /// Opaque session tokens (Acme): token → (user, expiry in Unix seconds).
    pub sessions: Mutex<HashMap<String, (String, i64)>>,
    /// The TOTP step of the last one-time code each user logged in with.
    pub otp_steps: Mutex<HashMap<String, i64>>,
    /// Device codes of the device flow, waiting or answered.
    pub device_grants: Mutex<crate::dialects::device::DeviceGrants>,
    /// Codes of the browser flow, waiting to be traded.
    pub browser_codes: Mutex<crate::dialects::browser::CodeGrants>,
    /// The port it listens on (set once bound).
    pub port: std::sync::atomic::AtomicU16,
    /// Requests that reached `/_demo/elsewhere`, the target of redirect faults.
    pub elsewhere_hits: std::sync::atomic::AtomicU64,
    /// Requests to the dialects being answered now, and the most at once so far.
    pub in_flight: InFlight,
}

/// A gauge of requests being answered at once, and its peak.
#[derive(Debug, Default)]
pub struct InFlight {
    now: std::sync::atomic::AtomicU64,
    peak: std::sync::atomic::AtomicU64,
}

impl DemoState {
    /// The device codes, locked.
    pub fn device_grants(
        &self,
    ) -> std::sync::MutexGuard<'_, crate::dialects::device::DeviceGrants> {
        self.device_grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The browser flow's codes, locked.
    pub fn browser_codes(&self) -> std::sync::MutexGuard<'_, crate::dialects::browser::CodeGrants> {
        self.browser_codes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl InFlight {
    /// One more request is being answered, until the guard is dropped.
    pub fn enter(&self) -> InFlightGuard<'_> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        InFlightGuard(self)
    }

    /// The most requests answered at once so far.
    pub fn peak(&self) -> u64 {
        self.peak.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Leaves the gauge when dropped.
#[derive(Debug)]
pub struct InFlightGuard<'a>(&'a InFlight);

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What a handler does after [`DemoState::begin`].
#[derive(Debug)]
pub enum Begin {
    /// Answer normally.
    Normal,
    /// Answer normally but apply this handler-specific fault.
    Special(Fault),
    /// Send this instead (a generic fault).
    Respond(Response),
}

impl DemoState {
    /// A fresh server state.
    pub fn new(config: Config) -> Self {
        Self {
            issuer: Issuer::with_reuse_grace(config.refresh_reuse_grace),
            faults: Faults::default(),
            counts: Counts::default(),
            otts: Mutex::new(HashMap::new()),
            private_tokens: Mutex::new(Vec::new()),
            sessions: Mutex::new(HashMap::new()),
            otp_steps: Mutex::new(HashMap::new()),
            device_grants: Mutex::new(HashMap::new()),
            browser_codes: Mutex::new(HashMap::new()),
            port: std::sync::atomic::AtomicU16::new(0),
            elsewhere_hits: std::sync::atomic::AtomicU64::new(0),
            in_flight: InFlight::default(),
            config,
        }
    }

    /// Counts the call and applies a fault if one is switched on for it.
    pub async fn begin(
        &self,
        dialect: Dialect,
        endpoint: Endpoint,
        kill: Option<&ConnectionKill>,
    ) -> Begin {
        self.counts.bump(dialect, endpoint);
        let Some(fault) = self.faults.take(dialect, endpoint) else {
            return Begin::Normal;
        };
        tracing::info!(?dialect, ?endpoint, ?fault, "demo fault");
        match fault {
            Fault::Http500 => Begin::Respond(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(serde_json::json!({"error": "internal_error", "message": "demo fault: internal server error"})),
                )
                    .into_response(),
            ),
            Fault::HtmlErrorPage => Begin::Respond(
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>\
                     <body><h1>Service Unavailable</h1><p>The gateway could not reach the API.</p></body></html>",
                )
                    .into_response(),
            ),
            Fault::Timeout => {
                tokio::time::sleep(self.config.timeout_delay).await;
                Begin::Respond(StatusCode::GATEWAY_TIMEOUT.into_response())
            }
            Fault::MalformedJson => Begin::Respond(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"accessToken": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cnVuY2F0ZWQi"#,
                )
                    .into_response(),
            ),
            Fault::ResetConnection => {
                if let Some(kill) = kill {
                    kill.reset();
                }
                Begin::Respond(StatusCode::OK.into_response())
            }
            Fault::Unauthorized => Begin::Respond(
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(serde_json::json!({"error": "invalid_token", "message": "demo fault: the token is no longer accepted"})),
                )
                    .into_response(),
            ),
            Fault::TooManyRequests => Begin::Respond(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "30")],
                    axum::Json(serde_json::json!({"error": "rate_limited", "message": "demo fault: too many requests"})),
                )
                    .into_response(),
            ),
            Fault::DeepJson => Begin::Respond(json_ok(Body::from(
                "[".repeat(100_000) + &"]".repeat(100_000),
            ))),
            Fault::InvalidUtf8 => Begin::Respond(json_ok(Body::from(
                &b"{\"accessToken\": \"\xff\xfe\xfd\", \"expiresIn\": 300}"[..],
            ))),
            Fault::HugeBody => {
                // `{"accessToken": "` then 100 MB of `a`, made chunk by chunk as it is read.
                const CHUNK: usize = 64 * 1024;
                let chunks = (100 * 1024 * 1024) / CHUNK;
                let head = std::iter::once(Bytes::from_static(b"{\"accessToken\": \""));
                let tail = std::iter::repeat_n(Bytes::from(vec![b'a'; CHUNK]), chunks);
                let stream = futures_util::stream::iter(head.chain(tail).map(Ok::<_, Infallible>));
                Begin::Respond(json_ok(Body::from_stream(stream)))
            }
            Fault::Dribble => {
                let bytes = b"{\"accessToken\": \"slow\"}".to_vec();
                let stream = futures_util::stream::unfold(0usize, move |at| {
                    let byte = bytes.get(at).copied();
                    async move {
                        let byte = byte?;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        Some((Ok::<_, Infallible>(Bytes::from(vec![byte])), at + 1))
                    }
                });
                Begin::Respond(json_ok(Body::from_stream(stream)))
            }
            Fault::CloseMidBody => {
                // Part of a body, then an error: the connection is cut without an end.
                let stream = futures_util::stream::iter([
                    Ok(Bytes::from_static(b"{\"accessToken\": \"eyJhbGciOi")),
                    Err(std::io::Error::other("demo fault: connection closed mid-body")),
                ]);
                Begin::Respond(json_ok(Body::from_stream(stream)))
            }
            Fault::RedirectElsewhere => {
                let port = self.port.load(std::sync::atomic::Ordering::SeqCst);
                Begin::Respond(
                    (
                        StatusCode::TEMPORARY_REDIRECT,
                        [(header::LOCATION, format!("http://localhost:{port}/_demo/elsewhere"))],
                    )
                        .into_response(),
                )
            }
            Fault::MissingTokenField
            | Fault::RefreshTokenReused
            | Fault::UnsignedToken
            | Fault::ExpiredToken
            | Fault::FarFutureExpiry => Begin::Special(fault),
        }
    }
}

/// HTTP 200, `application/json`, with `body`.
fn json_ok(body: Body) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
