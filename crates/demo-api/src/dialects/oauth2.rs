//! OAuth 2.0 token endpoints, Keycloak style, form-encoded, errors per RFC 6749 §5.2:
//! the password grant with `grant_type=password` or `grant_type=refresh_token` (a public
//! client), and the client credentials grant, whose client authenticates with HTTP Basic
//! or with body fields and gets no refresh token.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, answer, authenticate, fields, gate, json, percent_decode, user};
use crate::connection::ConnectionKill;
use crate::faults::Fault;
use crate::state::DemoState;
use crate::tokens::{Kind, Refusal};
use crate::{DEMO_USERS, DemoUser, Dialect, Endpoint};

const D: Dialect = Dialect::Oauth2Password;

/// The password grant's public client: its id alone, or no id at all.
pub const PUBLIC_CLIENT: &str = "tokenvault-demo";
/// The password grant's confidential client, which authenticates with HTTP Basic only.
pub const CONFIDENTIAL_CLIENT: (&str, &str) =
    ("tokenvault-confidential", "confidential-demo-secret");

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new().route("/token", post(token))
}

pub(super) fn client_credentials_routes() -> Router<Arc<DemoState>> {
    Router::new().route("/token", post(client_token))
}

pub(super) fn oauth_error(code: &str, description: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        json!({"error": code, "error_description": description}),
    )
}

/// The user of a refresh token of `dialect`, once the token is checked and rotated (RFC
/// 6749 §6 errors otherwise).
pub(super) fn refreshed_user(
    state: &DemoState,
    dialect: Dialect,
    presented: &str,
    fault: Option<Fault>,
) -> Result<DemoUser, Response> {
    let claims = state
        .issuer
        .check(presented, dialect, &[Kind::Refresh])
        .map_err(|r| oauth_error("invalid_grant", r.describe()))?;
    let rotation = if fault == Some(Fault::RefreshTokenReused) {
        Err(Refusal::Reused)
    } else {
        state.issuer.rotate(&claims)
    };
    rotation.map_err(|r| oauth_error("invalid_grant", r.describe()))?;
    user(dialect, &claims.sub).ok_or_else(|| oauth_error("invalid_grant", "unknown user"))
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
    match client_proof(&headers, &fields)? {
        // The confidential client is registered for HTTP Basic alone, as a real server
        // registers one method per client: its secret in the body is refused.
        Some(ClientProof::Basic { id, secret })
            if id == CONFIDENTIAL_CLIENT.0 && secret == CONFIDENTIAL_CLIENT.1 => {}
        Some(ClientProof::Basic { .. }) => return Err(invalid_client(true)),
        Some(ClientProof::Body { .. }) => return Err(invalid_client(false)),
        None => {
            if let Some(client) = fields.get("client_id").and_then(|v| v.as_str())
                && client != PUBLIC_CLIENT
            {
                return Err(invalid_client(false));
            }
        }
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
            let user = refreshed_user(&state, D, presented, fault)?;
            Ok(grant(&state, &user, fault))
        }
        other => Err(oauth_error(
            "unsupported_grant_type",
            &format!("grant type `{other}` is not supported"),
        )),
    }
}

const CC: Dialect = Dialect::Oauth2ClientCredentials;

/// How a client proved itself, per RFC 6749 §2.3.1.
enum ClientProof {
    Basic { id: String, secret: String },
    Body { id: String, secret: String },
}

/// The client's credentials from HTTP Basic or body fields; both at once is refused.
fn client_proof(
    headers: &HeaderMap,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<ClientProof>, Response> {
    use base64::Engine;
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|pair| {
                    let (id, secret) = pair.split_once(':')?;
                    Some((percent_decode(id)?, percent_decode(secret)?))
                })
                .ok_or_else(|| oauth_error("invalid_request", "malformed Basic credentials"))
        })
        .transpose()?;
    let body = match (
        fields.get("client_id").and_then(|v| v.as_str()),
        fields.get("client_secret").and_then(|v| v.as_str()),
    ) {
        (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
        _ => None,
    };
    match (basic, body) {
        (Some(_), Some(_)) => Err(oauth_error(
            "invalid_request",
            "the client used more than one authentication method",
        )),
        (Some((id, secret)), None) => Ok(Some(ClientProof::Basic { id, secret })),
        (None, Some((id, secret))) => Ok(Some(ClientProof::Body { id, secret })),
        (None, None) => Ok(None),
    }
}

/// `invalid_client`: 401, with a Basic challenge when the client tried Basic.
pub(super) fn invalid_client(challenge: bool) -> Response {
    let mut response = json(
        StatusCode::UNAUTHORIZED,
        json!({"error": "invalid_client", "error_description": "client authentication failed"}),
    );
    if challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"demo\""),
        );
    }
    response
}

async fn client_token(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fields = fields(&headers, &body)?;
    let fault = gate(&state, CC, Endpoint::Login, &kill).await?;
    let proof = client_proof(&headers, &fields)?;
    let (id, secret, basic) = match &proof {
        Some(ClientProof::Basic { id, secret }) => (id, secret, true),
        Some(ClientProof::Body { id, secret }) => (id, secret, false),
        None => return Err(invalid_client(true)),
    };
    let client = DEMO_USERS
        .iter()
        .find(|u| u.dialect == CC && u.identity == id && u.password == secret)
        .ok_or_else(|| invalid_client(basic))?;
    match fields.get("grant_type").and_then(|v| v.as_str()) {
        Some("client_credentials") => {}
        other => {
            return Err(oauth_error(
                "unsupported_grant_type",
                &format!(
                    "grant type `{}` is not supported here",
                    other.unwrap_or_default()
                ),
            ));
        }
    }
    let ttl = state.config.access_ttl(CC);
    let (access, _) = state
        .issuer
        .issue(CC, client.identity, client.roles, Kind::Access, ttl);
    let body = json!({
        "access_token": access,
        "expires_in": ttl.as_secs(),
        "token_type": "Bearer",
        "scope": client.roles.join(" ")
    });
    Ok(answer(StatusCode::OK, body, fault, "access_token"))
}
