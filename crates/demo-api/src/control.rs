//! Control endpoints for tests and the demo, under `/_demo/`:
//!
//! - `GET /_demo/health` answers `ok`;
//! - `GET /_demo/counts` answers `{"prive": {"login": 2}, ...}`;
//! - `POST /_demo/faults` with a [`FaultRule`] as JSON switches a fault on;
//! - `DELETE /_demo/faults` switches every fault off.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::faults::FaultRule;
use crate::state::DemoState;

/// The control routes.
pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .route("/_demo/health", get(|| async { "ok" }))
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
