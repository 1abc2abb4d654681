//! Django REST framework SimpleJWT: `POST /api/token/` answers `{refresh, access}`;
//! `POST /api/token/refresh/` `{refresh}` answers `{access}`; `POST /api/token/verify/`
//! `{token}` answers `{}` or 401 `{detail, code}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, authenticate, fields, gate, json, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{Dialect, Endpoint};

const D: Dialect = Dialect::Simplejwt;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/api/token/", post(obtain))
        .route("/api/token/refresh/", post(refresh))
        .route("/api/token/verify/", post(verify))
        // Django's APPEND_SLASH: the same paths without their slash are moved permanently.
        .route("/api/token", post(append_slash))
        .route("/api/token/refresh", post(append_slash))
        .route("/api/token/verify", post(append_slash))
}

/// Redirects to the path with its slash, under the dialect's prefix (the nested router sees
/// the path without it).
async fn append_slash(uri: axum::http::Uri) -> Response {
    Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(
            axum::http::header::LOCATION,
            format!("/{}{}/", D.as_str(), uri.path()),
        )
        .body(axum::body::Body::empty())
        .unwrap_or_default()
}

fn not_valid(why: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"detail": format!("Token is invalid or expired: {why}"), "code": "token_not_valid"}),
    )
}

async fn obtain(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    let fields = fields(&headers, &body)?;
    let user = authenticate(D, &fields, "username").ok_or_else(|| {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"detail": "No active account found with the given credentials"}),
        )
    })?;
    let (access, _) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Access,
        state.config.access_ttl(D),
    );
    let (refresh, _) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Refresh,
        state.config.refresh_ttl,
    );
    if fault == Some(Fault::MissingTokenField) {
        return Ok(json(StatusCode::OK, json!({"refresh": refresh})));
    }
    Ok(json(
        StatusCode::OK,
        json!({"refresh": refresh, "access": access}),
    ))
}

async fn refresh(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
    let fields = fields(&headers, &body)?;
    if fault == Some(Fault::RefreshTokenReused) {
        return Err(not_valid("token is blacklisted"));
    }
    let presented = fields
        .get("refresh")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let claims = state
        .issuer
        .check(presented, D, &[Kind::Refresh])
        .map_err(|r| not_valid(r.describe()))?;
    let user = user(D, &claims.sub).ok_or_else(|| not_valid("unknown user"))?;
    let (access, _) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Access,
        state.config.access_ttl(D),
    );
    if fault == Some(Fault::MissingTokenField) {
        return Ok(json(StatusCode::OK, json!({})));
    }
    Ok(json(StatusCode::OK, json!({"access": access})))
}

async fn verify(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    gate(&state, D, Endpoint::Validate, &kill).await?;
    let fields = fields(&headers, &body)?;
    let presented = fields
        .get("token")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    state
        .issuer
        .check(presented, D, &[Kind::Access, Kind::Refresh])
        .map_err(|r| not_valid(r.describe()))?;
    Ok(json(StatusCode::OK, json!({})))
}
