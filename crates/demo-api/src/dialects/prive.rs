//! Privé: `POST /restful/login/` with `{username, password}`; no refresh.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, answer, authenticate, bearer, fields, gate, json};
use crate::connection::ConnectionKill;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{Dialect, Endpoint};

const D: Dialect = Dialect::Prive;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/restful/login/", post(login))
        .route("/users/me", get(me))
}

async fn login(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    let fields = fields(&headers, &body)?;
    let Some(user) = authenticate(D, &fields, "username") else {
        return Err(json(
            StatusCode::UNAUTHORIZED,
            json!({"status": "FAILED", "message": "Invalid credentials"}),
        ));
    };
    let (token, claims) = state.issuer.issue(
        D,
        user.identity,
        user.roles,
        Kind::Access,
        state.config.access_ttl(D),
    );
    let body = json!({
        "userDetails": {"username": user.identity, "userKey": "USER-12345", "groups": [0]},
        "roles": user.roles,
        "accessToken": token,
        "refreshToken": null,
        "exp": claims.exp,
        "executionPlatformKey": "EP-DEMO",
        "tenant": "demoTenant",
        "defaultCompanyInventorySource": "MARKET",
        "status": "SUCCESS",
        "companyKey": "COMPANY-67890"
    });
    Ok(answer(StatusCode::OK, body, fault, "accessToken"))
}

async fn me(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::Resource, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access], |why| {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"status": "FAILED", "message": why}),
        )
    })?;
    Ok(json(
        StatusCode::OK,
        json!({"username": claims.sub, "roles": claims.roles}),
    ))
}
