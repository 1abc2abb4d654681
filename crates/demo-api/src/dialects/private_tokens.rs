//! The private-token API: `POST /api/v1/auth/login` with `{email, password}` answers
//! `{token}`, a short-living token; with it, `POST/GET /api/v1/private-tokens` create
//! and list long-living private tokens and `DELETE /api/v1/private-tokens/{id}`
//! revokes one. Errors use `{code, detail}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Reply, answer, authenticate, bearer, fields, gate, json, now_unix, rfc3339};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::{DemoState, PrivateToken};
use crate::tokens::Kind;
use crate::{Dialect, Endpoint};

const D: Dialect = Dialect::PrivateTokens;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/private-tokens", post(create).get(list))
        .route("/api/v1/private-tokens/{id}", delete(revoke))
        .route("/api/v1/me", get(me))
}

fn refused(why: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"code": "token_not_valid", "detail": format!("Given token is invalid or expired: {why}")}),
    )
}

fn invalid(detail: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        json!({"code": "invalid", "detail": detail}),
    )
}

async fn login(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    let fields = fields(&headers, &body)?;
    let user = authenticate(D, &fields, "email").ok_or_else(|| {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"code": "authentication_failed", "detail": "Incorrect email or password."}),
        )
    })?;
    if fault == Some(Fault::MissingTokenField) {
        return Ok(json(StatusCode::OK, json!({"detail": "Logged in"})));
    }
    let (token, _) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Access,
        state.config.access_ttl(D),
    );
    Ok(json(StatusCode::OK, json!({"token": token})))
}

async fn create(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::PrivateTokenCreate, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access], refused)?;
    let fields = fields(&headers, &body)?;
    let name = fields
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .trim()
        .to_owned();
    if name.is_empty() {
        return Err(invalid("name is required"));
    }
    let expires_at = fields
        .get("expires_at")
        .and_then(|v| v.as_str())
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(OffsetDateTime::unix_timestamp)
        .filter(|at| *at > now_unix())
        .ok_or_else(|| invalid("expires_at is required, in RFC 3339, and in the future"))?;
    let ttl = std::time::Duration::from_secs(u64::try_from(expires_at - now_unix()).unwrap_or(0));
    let roles: Vec<&str> = claims.roles.iter().map(String::as_str).collect();
    let scope = Some(state.config.private_token_scope.as_str()).filter(|s| !s.is_empty());
    let (token, token_claims) =
        state
            .issuer
            .issue_scoped(D, &claims.sub, &roles, Kind::Private, ttl, scope);
    let mut tokens = state
        .private_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let entry = PrivateToken {
        id: tokens.len() as u64 + 1,
        name,
        owner: claims.sub,
        jti: token_claims.jti,
        created_at: rfc3339(now_unix()),
        expires_at: rfc3339(token_claims.exp),
    };
    tokens.push(entry.clone());
    let body = json!({
        "id": entry.id, "name": entry.name, "token": token,
        "created_at": entry.created_at, "expires_at": entry.expires_at
    });
    Ok(answer(StatusCode::CREATED, body, fault, "token"))
}

async fn list(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::PrivateTokenList, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access, Kind::Private], refused)?;
    let tokens = state
        .private_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let mine: Vec<&PrivateToken> = tokens
        .iter()
        .filter(|t| t.owner == claims.sub && state.issuer.is_live(&t.jti))
        .collect();
    Ok(json(StatusCode::OK, json!(mine)))
}

async fn revoke(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Reply {
    gate(&state, D, Endpoint::PrivateTokenRevoke, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access], refused)?;
    let tokens = state
        .private_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let Some(entry) = tokens.iter().find(|t| t.id == id && t.owner == claims.sub) else {
        return Err(json(
            StatusCode::NOT_FOUND,
            json!({"code": "not_found", "detail": format!("no private token with id {id}")}),
        ));
    };
    state.issuer.revoke(&entry.jti);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn me(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::Resource, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access, Kind::Private], refused)?;
    Ok(json(
        StatusCode::OK,
        json!({"email": claims.sub, "roles": claims.roles, "token_type": claims.typ}),
    ))
}
