//! The accept loop: plain hyper connections whose socket a handler can reset,
//! which axum's own `serve` cannot do.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

/// Handed to handlers in the request extensions: resets this request's connection.
#[derive(Debug, Clone, Default)]
pub struct ConnectionKill(Arc<AtomicBool>);

impl ConnectionKill {
    /// The connection will be reset (RST, no answer) instead of answering.
    pub fn reset(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A TCP stream that fails every write, with linger 0 so closing sends a reset,
/// once its [`ConnectionKill`] fires.
struct KillableStream {
    inner: TcpStream,
    kill: ConnectionKill,
}

impl KillableStream {
    fn killed(&self) -> Option<io::Error> {
        if !self.kill.0.load(Ordering::SeqCst) {
            return None;
        }
        let _ = socket2::SockRef::from(&self.inner).set_linger(Some(std::time::Duration::ZERO));
        Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "demo fault: reset connection",
        ))
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until the task is dropped or aborted, counting the
/// connections open in `open`.
pub async fn serve(listener: TcpListener, router: Router, open: Arc<AtomicU64>) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        open.fetch_add(1, Ordering::SeqCst);
        let open = Arc::clone(&open);
        let _ = stream.set_nodelay(true);
        let kill = ConnectionKill::default();
        let service = router.clone().map_request({
            let kill = kill.clone();
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(kill.clone());
                request
            }
        });
        let io = TokioIo::new(KillableStream {
            inner: stream,
            kill,
        });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, TowerToHyperService::new(service))
                .await;
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Connections the kernel has completed on `port` that the server has not accepted yet
/// (the listening socket's accept queue, from `/proc/net/tcp`; 0 where that is not known).
pub fn waiting_to_be_accepted(port: u16) -> u64 {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return 0;
    };
    let local = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, remote address, state (0A: listening), tx_queue:rx_queue
            (fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A"))
                .then(|| fields.get(4)?.split(':').nth(1))
                .flatten()
                .and_then(|rx| u64::from_str_radix(rx, 16).ok())
        })
        .sum()
}
