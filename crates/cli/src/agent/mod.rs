//! The token agent: a long-running process (`tokenvault agent`, or the desktop app) that
//! holds the vault open, keeps its tokens fresh and answers the command line over a Unix
//! socket in the data folder, so a script's `tokenvault token` costs no keyring call.
//!
//! - [`protocol`]: the versioned request and reply, one JSON line each.
//! - [`server`]: the listener, its checks (same user only) and the lock.
//! - [`client`]: finding a running agent and asking it.
//!
//! Only the same OS user may talk to an agent: the socket lives in the data folder, which
//! is the user's alone (mode 0700), the socket itself is 0600, the client refuses a folder
//! or socket others could reach, and the agent refuses a peer of another user id.

pub mod client;
pub mod protocol;
pub mod server;

use std::path::{Path, PathBuf};

/// The socket's file name in the data folder.
pub const SOCKET: &str = "agent.sock";

/// The agent socket of a data folder.
pub fn socket_path(home: &Path) -> PathBuf {
    home.join(SOCKET)
}
