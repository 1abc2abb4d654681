//! The token agent: a long-running process (`tokenvault agent`, or the desktop app) that
//! holds the vault open, keeps its tokens fresh and answers the command line over a Unix
//! socket in the data folder, so a script's `tokenvault token` costs no keyring call.
//!
//! - [`protocol`]: the versioned request and reply, one JSON line each.
//! - [`server`]: the listener, its checks (same user only) and the lock.
//! - [`client`]: finding a running agent and asking it.
//! - `screen` (Linux): locking the agent when the screen locks.
//!
//! Only the same OS user may talk to an agent: the socket lives in the data folder, which
//! is the user's alone (mode 0700), the socket itself is 0600, the client refuses a folder
//! or socket others could reach, and the agent refuses a peer of another user id.

#[cfg(unix)]
pub mod client;
pub mod protocol;
#[cfg(target_os = "linux")]
pub mod screen;
#[cfg(unix)]
pub mod server;

/// Where there are no Unix sockets (Windows, until named pipes are built), no agent is
/// ever found and `tokenvault agent` says it is not available.
#[cfg(not(unix))]
pub mod client {
    use std::path::Path;

    use super::protocol::{Reply, Request};

    /// How an attempt to ask the agent went.
    #[derive(Debug)]
    pub enum Asked {
        /// No agent.
        NoAgent,
        /// Never built here.
        Answered(Reply),
        /// Never built here.
        Unsafe(String),
        /// Never built here.
        Broken(String),
    }

    /// Always [`Asked::NoAgent`].
    pub async fn ask(_home: &Path, _request: Request) -> Asked {
        Asked::NoAgent
    }
}

/// See [`client`]: the agent is not available without Unix sockets.
#[cfg(not(unix))]
pub mod server {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use crate::exit::Failure;
    use crate::run::Vault;

    /// Not available here.
    #[derive(Debug)]
    pub struct Agent;

    impl Agent {
        /// Not available here.
        pub fn new(_vault: Arc<Vault>) -> Arc<Self> {
            Arc::new(Self)
        }

        /// Not available here.
        pub async fn lock_when_idle(self: Arc<Self>, _idle: std::time::Duration) {}

        /// Not available here.
        pub fn lock(&self) {}

        /// Not available here.
        pub fn unlock(&self) {}

        /// Never locked: there is nothing to lock.
        pub fn is_locked(&self) -> bool {
            false
        }
    }

    /// A listener that never comes.
    #[derive(Debug)]
    pub struct Listener;

    /// Says the agent is not available on this OS.
    pub async fn bind(_home: &Path) -> Result<(Listener, PathBuf), Failure> {
        Err(Failure::Usage(
            "the agent is not available on this OS yet; the command line opens the vault itself"
                .into(),
        ))
    }

    /// Never called: `bind` fails first.
    pub async fn serve(_agent: Arc<Agent>, _listener: Listener, _stop: impl Future<Output = ()>) {}
}

use std::path::{Path, PathBuf};

/// The socket's file name in the data folder.
pub const SOCKET: &str = "agent.sock";

/// The agent socket of a data folder.
pub fn socket_path(home: &Path) -> PathBuf {
    home.join(SOCKET)
}
