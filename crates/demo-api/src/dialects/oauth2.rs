//! OAuth 2.0 password grant, Keycloak style: `POST /token` form-encoded with
//! `grant_type=password` or `grant_type=refresh_token`; errors per RFC 6749 §5.2.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, answer, authenticate, fields, gate, json, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::{Kind, Refusal};
use crate::{DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Oauth2Password;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new().route("/token", post(token))
}

fn oauth_error(code: &str, description: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        json!({"error": code, "error_description": description}),
    )
}

fn grant(state: &DemoState, user: &DemoUser, fault: Option<Fault>) -> Response {
    let access_ttl = state.config.access_ttl(D);
    let refresh_ttl = state
        .config
        .refresh_ttl
        .min(std::time::Duration::from_secs(1800));
    let (access, _) = state
        .issuer
        .issue(D, user.identity, user.roles, Kind::Access, access_ttl);
    let (refresh, _) = state
        .issuer
        .issue(D, user.identity, user.roles, Kind::Refresh, refresh_ttl);
    let body = json!({
        "access_token": access,
        "expires_in": access_ttl.as_secs(),
        "refresh_expires_in": refresh_ttl.as_secs(),
        "refresh_token": refresh,
        "token_type": "Bearer",
        "not-before-policy": 0,
        "scope": "profile email"
    });
    answer(StatusCode::OK, body, fault, "access_token")
}

async fn token(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fields = fields(&headers, &body)?;
    let grant_type = fields
        .get("grant_type")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if let Some(client) = fields.get("client_id").and_then(|v| v.as_str())
        && client != "tokenvault-demo"
    {
        return Err(json(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}),
        ));
    }
    match grant_type {
        "password" => {
            let fault = gate(&state, D, Endpoint::Login, &kill).await?;
            let user = authenticate(D, &fields, "username")
                .ok_or_else(|| oauth_error("invalid_grant", "Invalid user credentials"))?;
            Ok(grant(&state, &user, fault))
        }
        "refresh_token" => {
            let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
            let presented = fields
                .get("refresh_token")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let claims = state
                .issuer
                .check(presented, D, &[Kind::Refresh])
                .map_err(|r| oauth_error("invalid_grant", r.describe()))?;
            let rotation = if fault == Some(Fault::RefreshTokenReused) {
                Err(Refusal::Reused)
            } else {
                state.issuer.rotate(&claims)
            };
            rotation.map_err(|r| oauth_error("invalid_grant", r.describe()))?;
            let user =
                user(D, &claims.sub).ok_or_else(|| oauth_error("invalid_grant", "unknown user"))?;
            Ok(grant(&state, &user, fault))
        }
        other => Err(oauth_error(
            "unsupported_grant_type",
            &format!("grant type `{other}` is not supported"),
        )),
    }
}
