//! An OpenID Connect provider's browser sign-in: the authorization code grant with PKCE
//! (RFC 6749 §4.1, RFC 7636) for a native public client (RFC 8252). `GET /authorize` shows
//! a sign-in page, as an identity provider does; signing in there (or refusing) sends the
//! browser back to the client's loopback redirect with a code or `error=access_denied`;
//! `POST /token` trades the code, once, for tokens when the code verifier matches the
//! challenge, and takes `grant_type=refresh_token`, rotating. Its tokens are signed with
//! EdDSA; `GET /.well-known/openid-configuration` names the endpoints, `GET /jwks` the key,
//! and `POST /revoke` revokes a refresh token (RFC 7009).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::device::{grant_tokens, random_letters};
use super::oauth2::{invalid_client, oauth_error, refreshed_user};
use super::{Reply, authenticate, fields, gate, text_of, user};
use crate::Dialect;
use crate::Endpoint;
use crate::connection::ConnectionKill;
use crate::state::DemoState;

const D: Dialect = Dialect::Oidc;

/// The browser flow's public client.
pub const BROWSER_CLIENT: &str = "tokenvault-browser";

/// How long a code may wait to be traded (RFC 6749 §4.1.2 suggests ten minutes at most).
const CODE_TTL: Duration = Duration::from_secs(60);

/// A code given to the browser, waiting to be traded.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    identity: String,
    redirect_uri: String,
    challenge: String,
    expires: Instant,
}

/// Codes by their value. A code is removed at its first trade, whether that works or not.
pub type CodeGrants = HashMap<String, CodeGrant>;

pub(super) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(page).post(decide))
        .route("/token", post(token))
        .route("/revoke", post(revoke))
}

/// Where this provider lives: `http://127.0.0.1:PORT/oidc`.
fn issuer(state: &DemoState) -> String {
    format!(
        "http://127.0.0.1:{}/{}",
        state.port.load(std::sync::atomic::Ordering::SeqCst),
        D.as_str()
    )
}

/// The discovery document (OpenID Connect Discovery 1.0).
async fn discovery(State(state): State<Arc<DemoState>>) -> Response {
    let issuer = issuer(&state);
    axum::Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
    }))
    .into_response()
}

/// The signing key as a JWKS: the Ed25519 public key's 32 bytes, the last of its PEM's DER.
async fn jwks() -> Response {
    let pem = String::from_utf8_lossy(crate::tokens::OIDC_PUBLIC_PEM);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .unwrap_or_default();
    let raw = &der[der.len().saturating_sub(32)..];
    axum::Json(serde_json::json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
        "kid": crate::tokens::OIDC_KEY_ID,
        "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw),
    }]}))
    .into_response()
}

/// Token revocation (RFC 7009): a refresh token of this provider is revoked; anything else
/// is answered 200 too, as the RFC asks, so a client learns nothing from the answer.
async fn revoke(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fields = fields(&headers, &body)?;
    let text = |key: &str| text_of(&fields, key);
    if text("client_id") != BROWSER_CLIENT {
        return Err(invalid_client(false));
    }
    gate(&state, D, Endpoint::TokenRevocation, &kill).await?;
    if let Ok(claims) = state.issuer.check(
        &text("token"),
        D,
        &[crate::tokens::Kind::Refresh, crate::tokens::Kind::Access],
    ) {
        state.issuer.revoke(&claims.jti);
    }
    Ok(StatusCode::OK.into_response())
}

/// The authorization request's parameters, as the page carries them on.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct Request {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
}

impl Request {
    /// What is wrong with the request, if anything. A bad client or redirect is shown on
    /// the page and never redirected to (RFC 6749 §4.1.2.1).
    fn problem(&self) -> Option<&'static str> {
        if self.client_id != BROWSER_CLIENT {
            return Some("This client is not known here.");
        }
        if !is_loopback_redirect(&self.redirect_uri) {
            return Some("The redirect must be http://127.0.0.1:PORT/... (RFC 8252).");
        }
        if self.response_type != "code" {
            return Some("Only response_type=code is served.");
        }
        if self.code_challenge.len() < 43 || self.code_challenge_method != "S256" {
            return Some("A PKCE code challenge with method S256 is required.");
        }
        None
    }
}

/// `http://127.0.0.1:<any port>/...`: a native app's loopback redirect.
fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://127.0.0.1:") else {
        return false;
    };
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    port.parse::<u16>().is_ok() && path.starts_with('/')
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn sign_in_page(request: &Request, notice: &str) -> Html<String> {
    let hidden: String = [
        ("response_type", &request.response_type),
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("scope", &request.scope),
        ("state", &request.state),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    Html(format!(
        "<!doctype html><html><head><title>Sign in</title></head><body>\
         <h1>Sign in to the demo identity provider</h1><p id=\"notice\">{notice}</p>\
         <form method=\"post\">{hidden}\
         <label>User <input name=\"username\" autocomplete=\"username\"></label>\
         <label>Password <input name=\"password\" type=\"password\"></label>\
         <button name=\"decision\" value=\"approve\">Sign in</button>\
         <button name=\"decision\" value=\"deny\">Cancel</button></form></body></html>"
    ))
}

async fn page(Query(request): Query<Request>) -> Response {
    match request.problem() {
        Some(problem) => {
            (StatusCode::BAD_REQUEST, Html(format!("<p>{problem}</p>"))).into_response()
        }
        None => sign_in_page(&request, "").into_response(),
    }
}

/// Sends the browser back to the client with these parameters.
fn back_to_client(request: &Request, params: &[(&str, &str)]) -> Response {
    let mut location = request.redirect_uri.clone();
    location.push(if location.contains('?') { '&' } else { '?' });
    let query: Vec<String> = params
        .iter()
        .chain(&[("state", request.state.as_str())])
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    location.push_str(&query.join("&"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

async fn decide(State(state): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(fields) = fields(&headers, &body) else {
        return (StatusCode::BAD_REQUEST, Html("not a form".to_owned())).into_response();
    };
    let text = |key: &str| text_of(&fields, key);
    let request = Request {
        response_type: text("response_type"),
        client_id: text("client_id"),
        redirect_uri: text("redirect_uri"),
        scope: text("scope"),
        state: text("state"),
        code_challenge: text("code_challenge"),
        code_challenge_method: text("code_challenge_method"),
    };
    if let Some(problem) = request.problem() {
        return (StatusCode::BAD_REQUEST, Html(format!("<p>{problem}</p>"))).into_response();
    }
    if text("decision") != "approve" {
        return back_to_client(
            &request,
            &[
                ("error", "access_denied"),
                ("error_description", "The user cancelled the sign-in."),
            ],
        );
    }
    let Some(user) = authenticate(D, &fields, "username") else {
        return (
            StatusCode::UNAUTHORIZED,
            sign_in_page(&request, "Wrong user or password."),
        )
            .into_response();
    };
    let code = random_letters(32, b"abcdefghijklmnopqrstuvwxyz0123456789");
    state.browser_codes().insert(
        code.clone(),
        CodeGrant {
            identity: user.identity.to_owned(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.code_challenge.clone(),
            expires: Instant::now() + CODE_TTL,
        },
    );
    back_to_client(&request, &[("code", &code)])
}

async fn token(
    State(state): State<Arc<DemoState>>,
    Extension(kill): Extension<ConnectionKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fields = fields(&headers, &body)?;
    let text = |key: &str| text_of(&fields, key);
    if text("client_id") != BROWSER_CLIENT {
        return Err(invalid_client(false));
    }
    match text("grant_type").as_str() {
        "authorization_code" => {
            let fault = gate(&state, D, Endpoint::Login, &kill).await?;
            // Taken out at the first trade, good or bad: a code is used once (RFC 6749 §4.1.2).
            let grant = state
                .browser_codes()
                .remove(&text("code"))
                .ok_or_else(|| oauth_error("invalid_grant", "the code is unknown or used"))?;
            if Instant::now() >= grant.expires {
                return Err(oauth_error("invalid_grant", "the code expired"));
            }
            if text("redirect_uri") != grant.redirect_uri {
                return Err(oauth_error("invalid_grant", "the redirect_uri differs"));
            }
            let verifier = text("code_verifier");
            let proof = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if verifier.len() < 43 || proof != grant.challenge {
                return Err(oauth_error(
                    "invalid_grant",
                    "the code verifier does not match",
                ));
            }
            let user =
                user(D, &grant.identity).ok_or_else(|| oauth_error("invalid_grant", "gone"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_with_a_port_and_a_path_are_taken() {
        assert!(is_loopback_redirect("http://127.0.0.1:53100/callback"));
        assert!(!is_loopback_redirect("http://127.0.0.1/callback"));
        assert!(!is_loopback_redirect("https://evil.example/callback"));
        assert!(!is_loopback_redirect("http://127.0.0.1:99999/callback"));
        assert!(!is_loopback_redirect("http://127.0.0.1:80@evil.example/"));
    }
}
