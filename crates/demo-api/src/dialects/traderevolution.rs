//! TraderEvolution BO: `POST /auth/token` with `{login, password}` answers a token
//! pair; `GET /auth/token/refresh` with the refresh token in a `token` header
//! answers a new pair and retires the old refresh token; `POST /external/token/verify`
//! checks a one-time token. `POST /external/token` (demo only) issues one.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, answer, authenticate, bearer, fields, gate, json, now_unix, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::{DemoState, Ott};
use crate::tokens::{Kind, Refusal};
use crate::{DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Traderevolution;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/auth/token", post(login))
        .route("/auth/token/refresh", get(refresh))
        .route("/external/token", post(issue_ott))
        .route("/external/token/verify", post(verify_ott))
        .route("/accounts/me", get(me))
}

fn refused(code: &str, why: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"error": code, "message": why}),
    )
}

fn pair(state: &DemoState, user: &DemoUser, fault: Option<Fault>) -> Response {
    let access_ttl = state.config.access_ttl(D);
    let refresh_ttl = state.config.refresh_ttl;
    let (access, _) = state
        .issuer
        .issue(D, user.identity, user.roles, Kind::Access, access_ttl);
    let (refresh, _) = state
        .issuer
        .issue(D, user.identity, user.roles, Kind::Refresh, refresh_ttl);
    let body = json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": access_ttl.as_secs(),
        "refresh_expires_in": refresh_ttl.as_secs()
    });
    answer(StatusCode::OK, body, fault, "access_token")
}

async fn login(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Login, &kill).await?;
    let fields = fields(&headers, &body)?;
    let user = authenticate(D, &fields, "login")
        .ok_or_else(|| refused("invalid_credentials", "Wrong login or password"))?;
    Ok(pair(&state, &user, fault))
}

async fn refresh(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
    let token = headers
        .get("token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refused("invalid_token", "the `token` header is missing"))?;
    let claims = state
        .issuer
        .check(token, D, &[Kind::Refresh])
        .map_err(|r| refused("invalid_token", r.describe()))?;
    let rotation = if fault == Some(Fault::RefreshTokenReused) {
        Err(Refusal::Reused)
    } else {
        state.issuer.rotate(&claims)
    };
    if let Err(refusal) = rotation {
        let code = if refusal == Refusal::Reused {
            "refresh_token_reused"
        } else {
            "invalid_token"
        };
        return Err(refused(code, refusal.describe()));
    }
    let user = user(D, &claims.sub).ok_or_else(|| refused("invalid_token", "unknown user"))?;
    Ok(pair(&state, &user, fault))
}

async fn issue_ott(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::OttIssue, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access], |why| {
        refused("invalid_token", why)
    })?;
    Ok(json(
        StatusCode::OK,
        json!({"token": state.issue_ott(&claims.sub), "expires_in": state.config.ott_ttl.as_secs()}),
    ))
}

async fn verify_ott(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    gate(&state, D, Endpoint::OttVerify, &kill).await?;
    bearer(&state, &headers, D, &[Kind::Access], |why| {
        refused("invalid_token", why)
    })?;
    let fields = fields(&headers, &body)?;
    let presented = fields
        .get("token")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let verdict = state.use_ott(presented);
    Ok(json(
        StatusCode::OK,
        match verdict {
            Ok(login) => json!({"valid": true, "login": login}),
            Err(why) => json!({"valid": false, "message": format!("token is not valid: {why}")}),
        },
    ))
}

async fn me(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
) -> Reply {
    gate(&state, D, Endpoint::Resource, &kill).await?;
    let claims = bearer(&state, &headers, D, &[Kind::Access], |why| {
        refused("invalid_token", why)
    })?;
    Ok(json(
        StatusCode::OK,
        json!({"login": claims.sub, "roles": claims.roles}),
    ))
}

impl DemoState {
    /// Issues a one-time token for `login`.
    pub fn issue_ott(&self, login: &str) -> String {
        let random = RandomState::new().hash_one(now_unix()) ^ RandomState::new().hash_one(login);
        let ott = format!(
            "ott-{random:016x}{:08x}",
            RandomState::new().hash_one(random) as u32
        );
        let expires_at = now_unix() + i64::try_from(self.config.ott_ttl.as_secs()).unwrap_or(60);
        self.otts.lock().unwrap_or_else(|e| e.into_inner()).insert(
            ott.clone(),
            Ott {
                login: login.to_owned(),
                expires_at,
                used: false,
            },
        );
        ott
    }

    /// Verifies a one-time token once: the owner's login, or why it is not valid.
    pub fn use_ott(&self, presented: &str) -> Result<String, &'static str> {
        let mut otts = self.otts.lock().unwrap_or_else(|e| e.into_inner());
        let ott = otts.get_mut(presented).ok_or("unknown token")?;
        if ott.used {
            return Err("already used");
        }
        if now_unix() >= ott.expires_at {
            return Err("expired");
        }
        ott.used = true;
        Ok(ott.login.clone())
    }
}
