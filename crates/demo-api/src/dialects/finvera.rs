//! Finvera: tokens as cookies. Login answers `{message, expires_in}` with
//! `DT_AUTH_TOKEN` and `DT_REFRESH_TOKEN` cookies; refresh takes the refresh cookie;
//! validate takes the access token as Bearer (or its cookie).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, authenticate, fields, gate, json, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Finvera;
const ACCESS_COOKIE: &str = "DT_AUTH_TOKEN";
const REFRESH_COOKIE: &str = "DT_REFRESH_TOKEN";

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/kms/api/v1/auth/token", post(login))
        .route("/kms/api/v1/auth/refresh", post(refresh))
        .route("/kms/api/v1/auth/validate", get(validate))
}

fn refused(why: &str) -> Response {
    json(StatusCode::UNAUTHORIZED, json!({"detail": why}))
}

fn cookie(name: &str, value: &str, max_age: u64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=Strict"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            line.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                (k == name).then(|| v.to_owned())
            })
        })
}

fn access_answer(
    state: &DemoState,
    user: &DemoUser,
    message: &str,
    with_refresh: bool,
    fault: Option<Fault>,
) -> Response {
    let ttl = state.config.access_ttl(D);
    let mut response = json(
        StatusCode::OK,
        json!({"message": message, "expires_in": ttl.as_secs()}),
    );
    let cookies = response.headers_mut();
    if fault != Some(Fault::MissingTokenField) {
        let (access, _) = state
            .issuer
            .issue(D, user.identity, user.roles, Kind::Access, ttl);
        cookies.append(
            header::SET_COOKIE,
            cookie(ACCESS_COOKIE, &access, ttl.as_secs()),
        );
    }
    if with_refresh {
        let ttl = state.config.refresh_ttl;
        let (refresh, _) = state
            .issuer
            .issue(D, user.identity, user.roles, Kind::Refresh, ttl);
        cookies.append(
            header::SET_COOKIE,
            cookie(REFRESH_COOKIE, &refresh, ttl.as_secs()),
        );
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
    let fields = fields(&headers, &body)?;
    let user =
        authenticate(D, &fields, "email").ok_or_else(|| refused("Invalid email or password"))?;
    Ok(access_answer(
        &state,
        &user,
        "Authentication successful",
        true,
        fault,
    ))
}

async fn refresh(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
    let token = request_cookie(&headers, REFRESH_COOKIE)
        .ok_or_else(|| refused("refresh token cookie is missing"))?;
    if fault == Some(Fault::RefreshTokenReused) {
        return Err(refused("refresh token was already used"));
    }
    let claims = state
        .issuer
        .check(&token, D, &[Kind::Refresh])
        .map_err(|r| refused(r.describe()))?;
    let user = user(D, &claims.sub).ok_or_else(|| refused("unknown user"))?;
    Ok(access_answer(
        &state,
        &user,
        "Token refreshed successfully",
        false,
        fault,
    ))
}

async fn validate(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::Validate, &kill).await?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or_else(|| request_cookie(&headers, ACCESS_COOKIE))
        .ok_or_else(|| refused("access token is missing"))?;
    let claims = state
        .issuer
        .check(&token, D, &[Kind::Access])
        .map_err(|r| refused(r.describe()))?;
    Ok(json(
        StatusCode::OK,
        json!({
            "user_id": "5f0c6b1e-7d3a-4c1e-9a63-2b8f0e4d9c11",
            "email": claims.sub,
            "username": claims.sub.split('@').next().unwrap_or_default(),
            "licensing_tier_id": "enterprise"
        }),
    ))
}
