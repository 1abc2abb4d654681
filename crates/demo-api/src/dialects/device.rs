//! OAuth 2.0 device authorization grant (RFC 8628) for a public client: `POST
//! /device_authorization` gives a device code and a user code; a person approves or denies
//! the user code on `/device` (a page with a form, as an identity provider shows); the
//! client polls `POST /token` with the device code and is told `authorization_pending`,
//! `slow_down`, `access_denied` or `expired_token` until the tokens come. `POST /token` also
//! takes `grant_type=refresh_token`, rotating.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::json;

use super::oauth2::{invalid_client, oauth_error, refreshed_user};
use super::{Reply, answer, authenticate, fields, gate, json, text_of, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Oauth2Device;

/// The device flow's public client.
pub const DEVICE_CLIENT: &str = "tokenvault-device";

/// A device code waiting for its person, or answered.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    user_code: String,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    polls: u32,
    decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Pending,
    Approved(String),
    Denied,
}

/// Device codes by their value.
pub type DeviceGrants = HashMap<String, DeviceGrant>;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/device_authorization", post(authorize))
        .route("/device", axum::routing::get(page).post(decide))
        .route("/token", post(token))
}

/// Letters from the process's random hasher keys: unguessable enough for a demo.
pub(super) fn random_letters(count: usize, alphabet: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    let mut seed = hasher.finish();
    (0..count)
        .map(|i| {
            if i % 10 == 9 {
                let mut next = std::collections::hash_map::RandomState::new().build_hasher();
                next.write_u64(seed);
                seed = next.finish();
            }
            let c = alphabet[(seed % alphabet.len() as u64) as usize];
            seed /= alphabet.len() as u64;
            char::from(c)
        })
        .collect()
}

async fn authorize(State(state): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Reply {
    let fields = fields(&headers, &body)?;
    if fields.get("client_id").and_then(|v| v.as_str()) != Some(DEVICE_CLIENT) {
        return Err(invalid_client(false));
    }
    let device_code = random_letters(40, b"abcdefghijklmnopqrstuvwxyz0123456789");
    let letters = random_letters(8, b"BCDFGHJKLMNPQRSTVWXZ");
    let user_code = format!("{}-{}", &letters[..4], &letters[4..]);
    let ttl = state.config.device_code_ttl;
    let interval = Duration::from_secs(state.config.device_interval_secs.max(1));
    state.device_grants().insert(
        device_code.clone(),
        DeviceGrant {
            user_code: user_code.clone(),
            expires: Instant::now() + ttl,
            interval,
            last_poll: None,
            polls: 0,
            decision: Decision::Pending,
        },
    );
    let page = format!(
        "http://127.0.0.1:{}/{}/device",
        state.port.load(std::sync::atomic::Ordering::SeqCst),
        D.as_str()
    );
    Ok(json(
        StatusCode::OK,
        json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": page,
            "verification_uri_complete": format!("{page}?user_code={user_code}"),
            "expires_in": ttl.as_secs(),
            "interval": interval.as_secs(),
        }),
    ))
}

#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    user_code: Option<String>,
}

async fn page(Query(query): Query<PageQuery>) -> Html<String> {
    let code = query.user_code.unwrap_or_default();
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>Sign in a device</title></head><body>\
         <h1>Sign in a device</h1><form method=\"post\">\
         <label>Code <input name=\"user_code\" value=\"{code}\"></label>\
         <label>User <input name=\"username\" autocomplete=\"username\"></label>\
         <label>Password <input name=\"password\" type=\"password\"></label>\
         <button name=\"decision\" value=\"approve\">Approve</button>\
         <button name=\"decision\" value=\"deny\">Deny</button></form></body></html>"
    ))
}

async fn decide(State(state): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(fields) = fields(&headers, &body) else {
        return (StatusCode::BAD_REQUEST, Html("not a form".to_owned())).into_response();
    };
    let code = fields
        .get("user_code")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let approve = fields.get("decision").and_then(|v| v.as_str()) == Some("approve");
    let who: Option<DemoUser> = authenticate(D, &fields, "username");
    let mut grants = state.device_grants();
    let Some(grant) = grants
        .values_mut()
        .find(|g| g.user_code == code && g.decision == Decision::Pending)
    else {
        return (
            StatusCode::NOT_FOUND,
            Html("<p>No such code is waiting.</p>".to_owned()),
        )
            .into_response();
    };
    if !approve {
        grant.decision = Decision::Denied;
        return Html("<p>Denied. You can close this window.</p>".to_owned()).into_response();
    }
    match who {
        Some(user) => {
            grant.decision = Decision::Approved(user.identity.to_owned());
            Html("<p>Signed in. You can close this window.</p>".to_owned()).into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            Html("<p>Wrong user or password.</p>".to_owned()),
        )
            .into_response(),
    }
}

/// An access and a refresh token of `dialect` for `user`, as an OAuth token endpoint answers.
pub(super) fn grant_tokens(
    state: &DemoState,
    dialect: Dialect,
    user: &DemoUser,
    fault: Option<Fault>,
) -> Response {
    let ttl = state.config.access_ttl(dialect);
    let (access, _) = state
        .issuer
        .issue(dialect, user.identity, user.roles, Kind::Access, ttl);
    let (refresh, _) = state.issuer.issue(
        dialect,
        user.identity,
        user.roles,
        Kind::Refresh,
        state.config.refresh_ttl,
    );
    answer(
        StatusCode::OK,
        json!({
            "access_token": access,
            "expires_in": ttl.as_secs(),
            "refresh_token": refresh,
            "token_type": "Bearer"
        }),
        fault,
        "access_token",
    )
}

async fn token(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fields = fields(&headers, &body)?;
    let text = |key: &str| text_of(&fields, key);
    if text("client_id") != DEVICE_CLIENT {
        return Err(invalid_client(false));
    }
    match text("grant_type").as_str() {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let fault = gate(&state, D, Endpoint::Login, &kill).await?;
            let approved = {
                let mut grants = state.device_grants();
                let device_code = text("device_code");
                let grant = grants
                    .get_mut(&device_code)
                    .ok_or_else(|| oauth_error("invalid_grant", "unknown device code"))?;
                let now = Instant::now();
                if now >= grant.expires {
                    grants.remove(&device_code);
                    return Err(oauth_error("expired_token", "the device code expired"));
                }
                grant.polls += 1;
                // Polled much sooner than asked (half the interval, so a slow previous
                // answer does not count), or a slow-down the tests asked for.
                let early = grant
                    .last_poll
                    .is_some_and(|last| now.duration_since(last) < grant.interval / 2);
                grant.last_poll = Some(now);
                if early || grant.polls <= state.config.device_slow_down_polls {
                    grant.interval += Duration::from_secs(5);
                    return Err(oauth_error("slow_down", "poll less often"));
                }
                match grant.decision.clone() {
                    Decision::Pending => {
                        return Err(oauth_error(
                            "authorization_pending",
                            "the user has not answered yet",
                        ));
                    }
                    Decision::Denied => {
                        grants.remove(&device_code);
                        return Err(oauth_error("access_denied", "the user denied the sign-in"));
                    }
                    Decision::Approved(identity) => {
                        grants.remove(&device_code);
                        identity
                    }
                }
            };
            let user = user(D, &approved).ok_or_else(|| oauth_error("invalid_grant", "gone"))?;
            Ok(grant_tokens(&state, D, &user, fault))
        }
        "refresh_token" => {
            let fault = gate(&state, D, Endpoint::Refresh, &kill).await?;
            let user = refreshed_user(&state, D, &text("refresh_token"), fault)?;
            Ok(grant_tokens(&state, D, &user, fault))
        }
        other => Err(oauth_error(
            "unsupported_grant_type",
            &format!("grant type `{other}` is not supported"),
        )),
    }
}
