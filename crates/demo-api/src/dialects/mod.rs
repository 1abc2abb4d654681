//! The four dialects' routes, and what they share.

// Handlers answer `Result<Response, Response>` so `?` can return an error answer early;
// the size of a `Response` does not matter on this path.
#![allow(clippy::result_large_err)]

mod acme;
pub mod browser;
mod data;
pub mod device;
mod directus;
mod finvera;
pub mod oauth2;
mod private_tokens;
mod prive;
mod simplejwt;
mod traderevolution;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::{Begin, DemoState};
use crate::tokens::{Claims, Kind};
use crate::{DEMO_USERS, DemoUser, Dialect, Endpoint};

/// A handler's answer: `Err` carries an early error response.
type Reply = Result<Response, Response>;

/// Every dialect under its prefix.
pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .nest(
            "/prive",
            prive::routes().merge(data::routes(Dialect::Prive)),
        )
        .nest("/finvera", finvera::routes())
        .nest(
            "/traderevolution",
            traderevolution::routes().merge(data::routes(Dialect::Traderevolution)),
        )
        .nest("/private-tokens", private_tokens::routes())
        .nest("/oauth2-password", oauth2::routes())
        .nest(
            "/oauth2-client-credentials",
            oauth2::client_credentials_routes(),
        )
        .nest("/simplejwt", simplejwt::routes())
        .nest("/directus", directus::routes())
        .nest("/oauth2-device", device::routes())
        .nest("/oidc", browser::routes())
        .nest("/acme", acme::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_in_flight,
        ))
        .with_state(state)
}

/// Keeps the gauge of requests answered at once.
async fn count_in_flight(
    State(state): State<Arc<DemoState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let _in_flight = state.in_flight.enter();
    next.run(request).await
}

/// Counts the call and applies a generic fault; returns a handler-specific fault if one is on.
async fn gate(
    state: &DemoState,
    dialect: Dialect,
    endpoint: Endpoint,
    kill: &ConnectionKill,
) -> Result<Option<Fault>, Response> {
    match state.begin(dialect, endpoint, Some(kill)).await {
        Begin::Normal => Ok(None),
        Begin::Special(fault) => Ok(Some(fault)),
        Begin::Respond(response) => Err(response),
    }
}

/// The request's fields, from a JSON object or a form body.
fn fields(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Response> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let parsed = if form {
        form_pairs(body).map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect::<Map<_, _>>()
        })
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        }
    };
    parsed.ok_or_else(|| {
        error(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"detail": "the body must be a JSON object"}),
        )
    })
}

/// A request field as text: empty when it is missing or not text.
fn text_of(fields: &Map<String, Value>, key: &str) -> String {
    fields
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `a=1&b=two` into pairs, percent-decoded.
fn form_pairs(body: &Bytes) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The demo user of `dialect` if `identity` and `password` match.
fn authenticate(dialect: Dialect, fields: &Map<String, Value>, id_field: &str) -> Option<DemoUser> {
    authenticate_with(dialect, fields, id_field, "password")
}

/// Like [`authenticate`], for dialects whose password field has another name.
fn authenticate_with(
    dialect: Dialect,
    fields: &Map<String, Value>,
    id_field: &str,
    password_field: &str,
) -> Option<DemoUser> {
    let identity = fields.get(id_field)?.as_str()?;
    let password = fields.get(password_field)?.as_str()?;
    DEMO_USERS
        .iter()
        .find(|u| u.dialect == dialect && u.identity == identity && u.password == password)
        .copied()
}

/// The demo user called `identity` in `dialect`.
fn user(dialect: Dialect, identity: &str) -> Option<DemoUser> {
    DEMO_USERS
        .iter()
        .find(|u| u.dialect == dialect && u.identity == identity)
        .copied()
}

/// The Bearer token of the request, checked.
fn bearer(
    state: &DemoState,
    headers: &HeaderMap,
    dialect: Dialect,
    kinds: &[Kind],
    refuse: impl Fn(&str) -> Response,
) -> Result<Claims, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| refuse("authorization header with a Bearer token is missing"))?;
    state
        .issuer
        .check(token.trim(), dialect, kinds)
        .map_err(|r| refuse(r.describe()))
}

/// A JSON answer, without its token field when the missing-token fault is on.
fn answer(
    status: StatusCode,
    mut body: Value,
    fault: Option<Fault>,
    token_field: &str,
) -> Response {
    apply_fault(&mut body, fault, token_field);
    json(status, body)
}

/// Applies a token fault to the object that carries `token_field`: removes it, or forges it.
fn apply_fault(body: &mut Value, fault: Option<Fault>, token_field: &str) {
    let Some(fields) = body.as_object_mut() else {
        return;
    };
    match fault {
        Some(Fault::MissingTokenField) => {
            fields.remove(token_field);
        }
        Some(forgery @ (Fault::UnsignedToken | Fault::ExpiredToken | Fault::FarFutureExpiry)) => {
            let forged = fields
                .get(token_field)
                .and_then(Value::as_str)
                .and_then(|token| crate::tokens::forged(token, forgery));
            if let Some(forged) = forged {
                fields.insert(token_field.to_owned(), Value::String(forged));
                // The client must read the expiry from the token itself.
                for field in [
                    "exp",
                    "expiresIn",
                    "expires_in",
                    "expiresAt",
                    "expires_at",
                    "expires",
                ] {
                    fields.remove(field);
                }
            }
        }
        _ => {}
    }
}

fn json(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn error(status: StatusCode, body: Value) -> Response {
    json(status, body)
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
