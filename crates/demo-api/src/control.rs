//! Control endpoints for tests and the demo, under `/_demo/`:
//!
//! - `GET /_demo/health` answers `ok`;
//! - `GET /_demo/counts` answers `{"prive": {"login": 2}, ...}`;
//! - `POST /_demo/faults` with a [`FaultRule`] as JSON switches a fault on;
//! - `DELETE /_demo/faults` switches every fault off;
//! - `GET /_demo/jwks.json` publishes the (public, demo-only) signing key as a JWKS.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::faults::FaultRule;
use crate::tokens::SIGNING_SECRET;

/// The HS256 signing key as a JWKS with one symmetric key. Publishing a symmetric key
/// is only right because the demo's secret is public anyway.
fn jwks() -> serde_json::Value {
    let k: String = base64url(SIGNING_SECRET.as_bytes());
    serde_json::json!({"keys": [{"kty": "oct", "alg": "HS256", "use": "sig", "k": k}]})
}

/// Base64url without padding, as JWTs and JWKS use it.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
use crate::state::DemoState;

/// The control routes.
pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .route("/_demo/health", get(|| async { "ok" }))
        .route(
            "/_demo/elsewhere",
            axum::routing::any(|State(state): State<Arc<DemoState>>| async move {
                state
                    .elsewhere_hits
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                StatusCode::OK
            }),
        )
        .route("/_demo/jwks.json", get(|| async { Json(jwks()) }))
        .route(
            "/_demo/counts",
            get(|State(state): State<Arc<DemoState>>| async move { Json(state.counts.snapshot()) }),
        )
        .route(
            "/_demo/faults",
            axum::routing::post(
                |State(state): State<Arc<DemoState>>, Json(rule): Json<FaultRule>| async move {
                    state.faults.add(rule);
                    StatusCode::NO_CONTENT
                },
            )
            .delete(|State(state): State<Arc<DemoState>>| async move {
                state.faults.clear();
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(state)
}
