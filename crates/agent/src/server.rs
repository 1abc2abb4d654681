//! Serving the command line: one task per connection, same user only, nothing while
//! locked, and an optional lock after idle time.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use tokenvault_core::Vault;

use super::client::my_uid;
use super::protocol::{Envelope, MAX_LINE, Reply, Request, VERSION};
use super::{Handler, StartError, socket_path};

/// How long a client may take to send its request line.
const REQUEST_PATIENCE: Duration = Duration::from_secs(10);

/// A running agent's state.
#[derive(Debug)]
pub struct Agent {
    vault: Arc<Vault>,
    handler: Arc<dyn Handler>,
    locked: AtomicBool,
    last_use: std::sync::Mutex<Instant>,
}

impl Agent {
    /// An agent over an open vault, running its commands with `handler`.
    pub fn new(vault: Arc<Vault>, handler: Arc<dyn Handler>) -> Arc<Self> {
        Arc::new(Self {
            vault,
            handler,
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
            Some(Request::Run(_)) if self.is_locked() => {
                Reply::refusal("the agent is locked: nothing is served until `tokenvault unlock`")
            }
            Some(Request::Run(command)) => self.handler.run(&self.vault, command).await,
        }
    }
}

/// Binds the agent socket of `home`: refuses when another agent answers there, replaces a
/// socket left by one that is gone, and makes the socket the user's alone.
pub async fn bind(home: &Path) -> Result<(UnixListener, PathBuf), StartError> {
    let path = socket_path(home);
    if path.exists() {
        match UnixStream::connect(&path).await {
            Ok(_) => return Err(StartError::AlreadyServed(path)),
            // Nobody listens: a socket left by an agent that is gone.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                std::fs::remove_file(&path).map_err(|e| local(&path, &e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // Anything else (a busy agent's full backlog, say) is no proof it is gone.
            Err(e) => {
                return Err(StartError::Unchecked {
                    socket: path,
                    problem: e.to_string(),
                });
            }
        }
    }
    let listener = UnixListener::bind(&path).map_err(|e| local(&path, &e))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| local(&path, &e))?;
    Ok((listener, path))
}

fn local(path: &Path, error: &std::io::Error) -> StartError {
    StartError::Local(tokenvault_core::Error::Storage {
        action: "serve",
        path: path.display().to_string(),
        problem: error.to_string(),
    })
}

/// Serves until `stop` completes.
pub async fn serve(agent: Arc<Agent>, listener: UnixListener, stop: impl Future<Output = ()>) {
    let me = my_uid();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let agent = Arc::clone(&agent);
                    tokio::spawn(async move { connection(agent, stream, me).await });
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

async fn connection(agent: Arc<Agent>, stream: UnixStream, me: u32) {
    let peer = stream.peer_cred().map(|c| c.uid());
    let (read, mut write) = stream.into_split();
    let reply = match peer {
        Ok(uid) if uid == me => {
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
        Ok(uid) => {
            tracing::warn!("agent: refused a connection from user id {uid}");
            Reply::refusal(format!(
                "refused: this agent serves user id {me} only, not {uid}"
            ))
        }
        Err(e) => Reply::refusal(format!("refused: the peer's user cannot be checked ({e})")),
    };
    let mut text = serde_json::to_vec(&reply).unwrap_or_default();
    text.push(b'\n');
    let _ = write.write_all(&text).await;
}
