//! Protected data of any size, for what forwards an API's traffic: `GET /data/{bytes}`
//! streams that many bytes, `POST /upload` reads a body of any size and says how many
//! bytes came. Both need the dialect's Bearer access token; neither holds a body in memory.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use futures_util::StreamExt;
use hyper::body::Frame;
use serde_json::json;

use super::{bearer, gate, json};
use crate::connection::ConnectionKill;
use crate::state::DemoState;
use crate::tokens::Kind;
use crate::{Dialect, Endpoint};

/// The largest download: 16 GiB.
const MOST: u64 = 16 << 30;

/// The routes, for `dialect`'s tokens.
pub(super) fn routes(dialect: Dialect) -> Router<Arc<DemoState>> {
    Router::new()
        .route(
            "/data/{bytes}",
            get(
                move |State(state): State<Arc<DemoState>>,
                      Extension(kill): Extension<ConnectionKill>,
                      Path(bytes): Path<u64>,
                      headers: HeaderMap| async move {
                    download(&state, dialect, &kill, &headers, bytes).await
                },
            ),
        )
        .route(
            "/upload",
            post(
                move |State(state): State<Arc<DemoState>>,
                      Extension(kill): Extension<ConnectionKill>,
                      headers: HeaderMap,
                      body: Body| async move {
                    upload(&state, dialect, &kill, &headers, body).await
                },
            ),
        )
}

fn refused(why: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"error": "invalid_token", "message": why}),
    )
}

async fn download(
    state: &DemoState,
    dialect: Dialect,
    kill: &ConnectionKill,
    headers: &HeaderMap,
    bytes: u64,
) -> Response {
    if let Err(response) = gate(state, dialect, Endpoint::Resource, kill).await {
        return response;
    }
    if let Err(response) = bearer(state, headers, dialect, &[Kind::Access], refused) {
        return response;
    }
    if bytes > MOST {
        return json(StatusCode::BAD_REQUEST, json!({"error": "at most 16 GiB"}));
    }
    let mut response = Body::new(Zeros { left: bytes }).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}

async fn upload(
    state: &DemoState,
    dialect: Dialect,
    kill: &ConnectionKill,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    if let Err(response) = gate(state, dialect, Endpoint::Resource, kill).await {
        return response;
    }
    if let Err(response) = bearer(state, headers, dialect, &[Kind::Access], refused) {
        return response;
    }
    let mut received: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => received += chunk.len() as u64,
            Err(e) => {
                return json(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("the body broke off: {e}")}),
                );
            }
        }
    }
    json(StatusCode::OK, json!({"received": received}))
}

/// A body of `left` zero bytes, sent in 64 KiB parts from one static buffer.
struct Zeros {
    left: u64,
}

static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

impl HttpBody for Zeros {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let part = usize::try_from(self.left.min(ZEROS.len() as u64)).unwrap_or(ZEROS.len());
        self.left -= part as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&ZEROS[..part])))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.left)
    }
}
