//! The proxy's listener and connections: HTTP/1.1 with keep-alive, one task per
//! connection, and a stop that lets requests in flight finish for a while.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::forward::{DEFAULT_MIN_VALID, Forwarder};
use crate::routing::Routing;
use crate::source::TokenSource;

/// How the proxy behaves.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// A token is sent only if it stays valid this long (renewed first otherwise).
    pub min_valid: Duration,
    /// The longest the API may stay silent: before its answer starts (then the client gets
    /// 504), and between two parts of a body.
    pub upstream_timeout: StdDuration,
    /// Request bodies up to this size are held, so a request the API refused with 401 can
    /// be sent again with a renewed token; larger ones stream and are sent once.
    pub replay_limit: usize,
    /// How long a stop waits for requests in flight.
    pub grace: StdDuration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            min_valid: DEFAULT_MIN_VALID,
            upstream_timeout: StdDuration::from_secs(60),
            replay_limit: 64 * 1024,
            grace: StdDuration::from_secs(5),
        }
    }
}

/// A proxy ready to listen.
pub struct Proxy {
    forwarder: Arc<Forwarder>,
    grace: StdDuration,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("routes", &self.forwarder.routing().prefixes())
            .finish()
    }
}

impl Proxy {
    /// A proxy for `routing`'s accounts, with tokens from `source`.
    pub fn new(routing: Routing, source: Arc<dyn TokenSource>, options: Options) -> Self {
        Self {
            grace: options.grace,
            forwarder: Arc::new(Forwarder::new(routing, source, options)),
        }
    }

    /// Listens on `addr` (port 0: a free one) and serves until stopped.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<Started> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, self.forwarder.clone(), stopped, self.grace));
        Ok(Started {
            addr,
            routes: self.forwarder.routing().prefixes(),
            stop,
            task,
        })
    }
}

/// A listening proxy.
#[derive(Debug)]
pub struct Started {
    addr: SocketAddr,
    routes: Vec<(String, String)>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Started {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Each account served and its local URL.
    pub fn urls(&self) -> Vec<(String, String)> {
        self.routes
            .iter()
            .map(|(account, prefix)| (account.clone(), format!("http://{}{prefix}", self.addr)))
            .collect()
    }

    /// Stops listening, lets requests in flight finish (within the grace period), and
    /// returns once every connection is closed.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Waits until it stops by itself (it does not, unless its task fails).
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

async fn serve(
    listener: TcpListener,
    forwarder: Arc<Forwarder>,
    mut stopped: watch::Receiver<bool>,
    grace: StdDuration,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait a little rather than spin.
                tracing::warn!("the proxy could not accept a connection: {e}");
                tokio::time::sleep(StdDuration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let forwarder = forwarder.clone();
        let service = service_fn(move |request| {
            let forwarder = forwarder.clone();
            async move { Ok::<_, Infallible>(forwarder.handle(request).await) }
        });
        let connection = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("a proxy connection ended: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::info!("the proxy stopped with requests still in flight");
        }
    }
}
