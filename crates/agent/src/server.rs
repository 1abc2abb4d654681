//! Serving the command line: one task per connection, same user only (the transport
//! says), nothing while locked, and an optional lock after idle time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use tokenvault_core::Vault;

use super::Handler;
use super::protocol::{Envelope, MAX_LINE, Reply, Request, VERSION};
use super::transport::{Listener, Peer, Stream};

/// How long a client may take to send its request line.
const REQUEST_PATIENCE: Duration = Duration::from_secs(10);

/// A running agent's state.
#[derive(Debug)]
pub struct Agent {
    vault: Arc<Vault>,
    handler: Arc<dyn Handler>,
    show_window: Option<super::ShowWindow>,
    locked: AtomicBool,
    last_use: std::sync::Mutex<Instant>,
}

impl Agent {
    /// An agent over an open vault, running its commands with `handler`.
    pub fn new(
        vault: Arc<Vault>,
        handler: Arc<dyn Handler>,
        show_window: Option<super::ShowWindow>,
    ) -> Arc<Self> {
        Arc::new(Self {
            vault,
            handler,
            show_window,
            locked: AtomicBool::new(false),
            last_use: std::sync::Mutex::new(Instant::now()),
        })
    }

    /// Locks: nothing is served, and no token is kept in memory (a renewal finishing
    /// meanwhile goes to the secret store only), until unlocked.
    pub fn lock(&self) {
        self.locked.store(true, Ordering::SeqCst);
        self.vault.pause_caching();
    }

    /// Serves again.
    pub fn unlock(&self) {
        self.vault.resume_caching();
        self.locked.store(false, Ordering::SeqCst);
    }

    /// Whether it is locked.
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    /// Locks once nothing was asked for `idle`.
    pub async fn lock_when_idle(self: Arc<Self>, idle: Duration) {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let quiet = self
                .last_use
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .elapsed();
            if quiet >= idle && !self.is_locked() {
                tracing::info!("locked after {} s without a request", idle.as_secs());
                self.lock();
            }
        }
    }

    async fn answer(&self, envelope: Envelope) -> Reply {
        if envelope.version != VERSION {
            return Reply::refusal(format!(
                "this agent speaks protocol version {VERSION}, the client {}; use the tokenvault of the same release",
                envelope.version
            ));
        }
        *self.last_use.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let status = |locked| Reply {
            version: VERSION,
            locked,
            ..Reply::default()
        };
        match envelope.request {
            None | Some(Request::Ping) => status(self.is_locked()),
            Some(Request::Lock) => {
                self.lock();
                status(true)
            }
            Some(Request::Unlock) => {
                self.unlock();
                status(false)
            }
            // Showing a window reveals nothing: it is done even while locked.
            Some(Request::Show) => match &self.show_window {
                Some(show) => {
                    (show.0)();
                    status(self.is_locked())
                }
                None => Reply::refusal("this agent has no window: it is `tokenvault agent`"),
            },
            Some(Request::Run(_)) if self.is_locked() => {
                Reply::refusal("the agent is locked: nothing is served until `tokenvault unlock`")
            }
            Some(Request::Run(command)) => self.handler.run(&self.vault, command).await,
        }
    }
}

/// Serves until `stop` completes.
pub(crate) async fn serve(
    agent: Arc<Agent>,
    mut listener: Listener,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let agent = Arc::clone(&agent);
                    tokio::spawn(async move { connection(agent, stream, peer).await });
                }
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!("agent: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            },
        }
    }
}

async fn connection(agent: Arc<Agent>, stream: Stream, peer: Peer) {
    let (read, mut write) = tokio::io::split(stream);
    let reply = match peer {
        Ok(()) => {
            let mut reader = BufReader::new(read.take(MAX_LINE as u64));
            let mut line = String::new();
            let reading = tokio::time::timeout(REQUEST_PATIENCE, reader.read_line(&mut line));
            let Ok(read) = reading.await else {
                return; // a client that says nothing holds no task
            };
            match read {
                Ok(0) => return,
                Ok(_) => match serde_json::from_str::<Envelope>(&line) {
                    Ok(envelope) => agent.answer(envelope).await,
                    Err(e) => match serde_json::from_str::<serde_json::Value>(&line)
                        .ok()
                        .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64))
                    {
                        Some(v) if v != u64::from(VERSION) => Reply::refusal(format!(
                            "this agent speaks protocol version {VERSION}, the client {v}; use the tokenvault of the same release"
                        )),
                        _ => Reply::refusal(format!("the request is not readable: {e}")),
                    },
                },
                Err(e) => Reply::refusal(format!("the request is not readable: {e}")),
            }
        }
        Err(refusal) => Reply::refusal(refusal),
    };
    let mut text = serde_json::to_vec(&reply).unwrap_or_default();
    text.push(b'\n');
    let _ = write.write_all(&text).await;
    let _ = write.flush().await;
}
