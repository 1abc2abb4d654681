//! The token agent: a long-running process (`tokenvault agent`, or the desktop app) that
//! holds the vault open, keeps its tokens fresh and answers the command line over a Unix
//! socket in the data folder, or a named pipe on Windows, so a script's `tokenvault token`
//! costs no keyring call.
//!
//! - [`protocol`]: the versioned request and reply, one JSON line each, and the commands
//!   an agent serves, typed on their own.
//! - [`server`]: serving connections, and the lock.
//! - [`client`]: finding a running agent and asking it.
//! - `transport`: the socket or the pipe, and who may use it (same user only).
//! - `screen` (Linux): locking the agent when the screen locks.
//! - [`start`]: the one way to start an agent, for the command line and the app alike.
//!
//! The agent knows the protocol and the vault, not what a command prints: that is the
//! [`Handler`] it is given (the command line's). It never imports the command line.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokenvault_core::{Error, Vault};

pub mod client;
pub mod protocol;
#[cfg(target_os = "linux")]
pub mod screen;
pub mod server;
mod transport;

use protocol::{Command, Reply};

/// How an attempt to ask the agent went.
#[derive(Debug)]
pub enum Asked {
    /// No agent serves this data folder (no socket or pipe, or one left by an agent gone).
    NoAgent,
    /// The agent answered.
    Answered(Reply),
    /// A socket or pipe is there but others could reach it or have put it there: not used.
    Unsafe(String),
    /// The agent took the request and went away before answering.
    Broken(String),
}

/// A command's run, as the agent awaits it.
pub type Running<'a> = Pin<Box<dyn Future<Output = Reply> + Send + 'a>>;

/// Runs the commands an agent serves: what they print and how they end.
pub trait Handler: Send + Sync + std::fmt::Debug + 'static {
    /// Runs `command` on `vault`.
    fn run<'a>(&'a self, vault: &'a Vault, command: Command) -> Running<'a>;
}

/// How an agent locks by itself.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Lock once nothing was asked for this long.
    pub lock_after: Option<Duration>,
    /// Lock when the desktop's screen locks, while this holds (the app's setting can
    /// change it at any time).
    pub lock_on_screen_lock: Arc<AtomicBool>,
    /// Shows the window of the app this agent serves for ([`protocol::Request::Show`]); none
    /// for `tokenvault agent`.
    pub show_window: Option<ShowWindow>,
}

/// What brings an app's window up.
#[derive(Clone)]
pub struct ShowWindow(pub Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for ShowWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShowWindow")
    }
}

/// A started agent: its state and where it listens, given up by [`Started::stop`].
#[derive(Debug)]
pub struct Started {
    agent: Arc<server::Agent>,
    address: PathBuf,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Started {
    /// The agent, to lock and unlock it.
    pub fn agent(&self) -> &Arc<server::Agent> {
        &self.agent
    }

    /// Where it listens: the socket, or the file that names its pipe.
    pub fn address(&self) -> &Path {
        &self.address
    }

    /// Stops serving and removes the socket (or the pipe's name).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
        transport::unbind(&self.address);
    }
}

/// Why an agent could not start.
#[derive(Debug)]
pub enum StartError {
    /// Another agent answers on this data folder's socket.
    AlreadyServed(PathBuf),
    /// A socket is there that cannot be checked, so it is not replaced.
    Unchecked {
        /// The socket.
        socket: PathBuf,
        /// What connecting to it said.
        problem: String,
    },
    /// The socket or pipe could not be made.
    Local(Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::AlreadyServed(socket) => write!(
                f,
                "an agent already serves this vault ({})",
                socket.display()
            ),
            StartError::Unchecked { socket, problem } => write!(
                f,
                "{} is there but cannot be checked ({problem}); not replacing it",
                socket.display()
            ),
            StartError::Local(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Starts serving the command line for `vault` on the current Tokio runtime: binds the
/// data folder's socket or pipe (refused when another agent serves there), then serves in
/// the background, locking itself as `options` say. Renewal is not its job: the caller
/// runs the vault's keeper beside it.
pub async fn start(
    vault: Arc<Vault>,
    handler: Arc<dyn Handler>,
    options: Options,
) -> Result<Started, StartError> {
    let (listener, address) = transport::bind(vault.home().path()).await?;
    let agent = server::Agent::new(vault, handler, options.show_window.clone());
    let mut tasks = vec![tokio::spawn(server::serve(
        Arc::clone(&agent),
        listener,
        std::future::pending(),
    ))];
    if let Some(idle) = options.lock_after {
        tasks.push(tokio::spawn(Arc::clone(&agent).lock_when_idle(idle)));
    }
    #[cfg(target_os = "linux")]
    {
        let watched = Arc::clone(&agent);
        let wanted = Arc::clone(&options.lock_on_screen_lock);
        screen::on_screen_lock(move || {
            if wanted.load(std::sync::atomic::Ordering::SeqCst) && !watched.is_locked() {
                tracing::info!("locked: the screen locked");
                watched.lock();
            }
        });
    }
    Ok(Started {
        agent,
        address,
        tasks,
    })
}
