//! Directus 11: `POST /auth/login` `{email, password, otp}` answers
//! `{"data": {access_token, expires (ms), refresh_token}}`; `POST /auth/refresh`
//! `{refresh_token, mode: "json"}` answers the same and rotates the refresh token. Errors are
//! `{"errors": [{message, extensions: {code}}]}`. The demo user has two-factor login on: a
//! login needs the TOTP code of the current 30 s step (or the one before or after, by the
//! server's clock; tests may shorten the step), and each code is accepted once (RFC 6238
//! §5.2).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use hmac::{Hmac, Mac};
use serde_json::json;

use super::{Reply, apply_fault, authenticate_with, fields, gate, json, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::{Kind, Refusal};
use crate::{DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Directus;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
}

fn refused(message: &str, code: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"errors": [{"message": message, "extensions": {"code": code}}]}),
    )
}

/// The token answer, inside Directus's `data` envelope.
fn tokens(state: &DemoState, user: &DemoUser, fault: Option<Fault>) -> Response {
    let ttl = state.config.access_ttl(D);
    let (access, _) = state
        .issuer
        .issue(D, user.identity, user.roles, Kind::Access, ttl);
    let (refresh, _) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Refresh,
        state.config.refresh_ttl,
    );
    let mut data = json!({
        "access_token": access,
        "expires": u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX),
        "refresh_token": refresh
    });
    apply_fault(&mut data, fault, "access_token");
    json(StatusCode::OK, json!({ "data": data }))
}

/// The TOTP code of a time step (RFC 6238, HMAC-SHA1, 6 digits), written here apart from
/// the vault's own so a mistake in one is not repeated by the other.
fn code_of(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// Whether `code` is the user's code for a step next to now (by the server's clock, which
/// may be set off for tests), not accepted before.
fn accept_code(state: &DemoState, user: &DemoUser, code: &str) -> bool {
    let Some(secret) = user.totp_key() else {
        return true;
    };
    let now = super::now_unix() + state.config.clock_offset_secs;
    let period = state.config.totp_period_secs.max(1);
    let mut last = state.otp_steps.lock().unwrap_or_else(|e| e.into_inner());
    let used = last.get(user.identity).copied();
    for step in [now / period, now / period - 1, now / period + 1] {
        if code_of(&secret, step) == code && used.is_none_or(|u| step > u) {
            last.insert(user.identity.to_owned(), step);
            return true;
        }
    }
    false
}

async fn login(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    let fields = fields(&headers, &body)?;
    let user = authenticate_with(D, &fields, "email", "password")
        .ok_or_else(|| refused("Invalid user credentials.", "INVALID_CREDENTIALS"))?;
    let code = fields
        .get("otp")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if !accept_code(&state, &user, code) {
        return Err(refused("Invalid user OTP.", "INVALID_OTP"));
    }
    Ok(tokens(&state, &user, fault))
}

async fn refresh(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
    let fields = fields(&headers, &body)?;
    let presented = fields
        .get("refresh_token")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let invalid = |why: &str| refused(&format!("Invalid refresh token: {why}"), "INVALID_TOKEN");
    let claims = state
        .issuer
        .check(presented, D, &[Kind::Refresh])
        .map_err(|r| invalid(r.describe()))?;
    let rotation = if fault == Some(Fault::RefreshTokenReused) {
        Err(Refusal::Reused)
    } else {
        state.issuer.rotate(&claims)
    };
    rotation.map_err(|r| invalid(r.describe()))?;
    let user = user(D, &claims.sub).ok_or_else(|| invalid("unknown user"))?;
    Ok(tokens(&state, &user, fault))
}
