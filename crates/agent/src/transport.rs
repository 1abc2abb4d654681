//! How the command line reaches the agent of a data folder, and how the agent makes sure
//! only the same OS user does:
//!
//! - Unix: a socket in the data folder (mode 0600 in a 0700 folder); the client refuses a
//!   folder or socket others could reach, and the agent a peer of another user id.
//! - Windows: a named pipe with a random name that the agent writes to `agent.pipe` in the
//!   data folder (the user's profile, closed to others); its security descriptor admits
//!   the current user alone, remote clients are refused, and a lock file held by the agent
//!   keeps it to one per data folder.
//!
//! Each side offers the same: [`bind`] a [`Listener`] and [`Listener::accept`] streams with
//! the verdict on their peer; [`connect`] to the agent of a folder; [`unbind`] at stop.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::{Listener, Stream, bind, connect, unbind};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::{Listener, Stream, bind, connect, unbind};

/// What trying to reach a folder's agent found.
pub enum Reached {
    /// A stream to the agent.
    Agent(Stream),
    /// No agent serves the folder (nothing there, or what is there is left by one gone).
    None,
    /// Something is there that others could have put there or could reach: not used. (On
    /// Windows the pipe's security descriptor keeps others out, and this never comes.)
    #[cfg_attr(windows, allow(dead_code))]
    Unsafe(String),
}

/// Whether the peer of an accepted stream may be served: `Err` holds the refusal to send.
pub type Peer = Result<(), String>;
