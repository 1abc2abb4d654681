//! Acme Ledger, a dialect no preset knows, documented only in
//! `docs/profiles.md` (custom profile example):
//!
//! - `POST /auth/session`, form-encoded `user` and `secret`, header `X-Api-Version: 3`,
//!   answers 201 with the session token in the `X-Session-Token` header (an opaque
//!   string, not a JWT) and `{"session": {"expiresAt": ISO-8601}, "renewToken": "..."}`;
//! - `POST /auth/session/renew`, JSON `{"renewToken": "..."}`, answers the same way,
//!   and the renew token rotates;
//! - `GET /me` with `Authorization: Bearer <session token>`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, authenticate_with, fields, gate, json, now_unix, rfc3339};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{Dialect, Endpoint};

const D: Dialect = Dialect::Acme;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/auth/session", post(login))
        .route("/auth/session/renew", post(renew))
        .route("/me", get(me))
}

fn refused(status: StatusCode, why: &str) -> Response {
    json(status, json!({"errors": [{"title": why}]}))
}

fn session_answer(
    state: &DemoState,
    user: &str,
    status: StatusCode,
    fault: Option<Fault>,
) -> Response {
    // The session token is opaque: a JWT's signature part serves as random bytes.
    let ttl = state.config.access_ttl(D);
    let (jwt, claims) = state.issuer.issue(D, user, &[], Kind::Access, ttl);
    let opaque = format!("acme_{}", jwt.rsplit('.').next().unwrap_or_default());
    state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(opaque.clone(), (user.to_owned(), claims.exp));
    let (renew, _) = state
        .issuer
        .issue(D, user, &[], Kind::Refresh, state.config.refresh_ttl);
    let mut response = json(
        status,
        json!({"session": {"expiresAt": rfc3339(claims.exp), "user": user}, "renewToken": renew}),
    );
    if fault != Some(Fault::MissingTokenField)
        && let Ok(value) = HeaderValue::from_str(&opaque)
    {
        response.headers_mut().insert("x-session-token", value);
    }
    response
}

async fn login(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    if headers.get("x-api-version").and_then(|v| v.to_str().ok()) != Some("3") {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "X-Api-Version: 3 is required",
        ));
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the login is form-encoded",
        ));
    }
    let fields = fields(&headers, &body)?;
    let user = authenticate_with(D, &fields, "user", "secret")
        .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, "unknown user or wrong secret"))?;
    Ok(session_answer(
        &state,
        user.identity,
        StatusCode::CREATED,
        fault,
    ))
}

async fn renew(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
    let fields = fields(&headers, &body)?;
    let presented = fields
        .get("renewToken")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let claims = state
        .issuer
        .check(presented, D, &[Kind::Refresh])
        .map_err(|r| refused(StatusCode::UNAUTHORIZED, r.describe()))?;
    if fault == Some(Fault::RefreshTokenReused) {
        return Err(refused(
            StatusCode::UNAUTHORIZED,
            "refresh token was already used",
        ));
    }
    state
        .issuer
        .rotate(&claims)
        .map_err(|r| refused(StatusCode::UNAUTHORIZED, r.describe()))?;
    Ok(session_answer(&state, &claims.sub, StatusCode::OK, fault))
}

async fn me(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::Resource, &kill).await?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
    match sessions.get(token) {
        Some((user, exp)) if *exp > now_unix() => Ok(json(StatusCode::OK, json!({"user": user}))),
        Some(_) => Err(refused(StatusCode::UNAUTHORIZED, "session expired")),
        None => Err(refused(StatusCode::UNAUTHORIZED, "unknown session")),
    }
}
