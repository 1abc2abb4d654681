//! The agent's Unix socket: `agent.sock` in the data folder.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};

use super::{Peer, Reached};
use crate::StartError;

/// The socket's file name in the data folder.
const SOCKET: &str = "agent.sock";

/// A connection to or from the agent.
pub type Stream = UnixStream;

/// The bound socket.
#[derive(Debug)]
pub struct Listener {
    socket: UnixListener,
    me: u32,
}

impl Listener {
    /// The next connection, with whether its peer is this user.
    pub async fn accept(&mut self) -> std::io::Result<(Stream, Peer)> {
        let (stream, _) = self.socket.accept().await?;
        let peer = match stream.peer_cred().map(|c| c.uid()) {
            Ok(uid) if uid == self.me => Ok(()),
            Ok(uid) => {
                tracing::warn!("agent: refused a connection from user id {uid}");
                Err(format!(
                    "refused: this agent serves user id {} only, not {uid}",
                    self.me
                ))
            }
            Err(e) => Err(format!("refused: the peer's user cannot be checked ({e})")),
        };
        Ok((stream, peer))
    }
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Binds the agent socket of `home`: refuses when another agent answers there, replaces a
/// socket left by one that is gone, and makes the socket the user's alone. Returns it with
/// the path to show and to [`unbind`].
pub async fn bind(home: &Path) -> Result<(Listener, PathBuf), StartError> {
    let path = home.join(SOCKET);
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
    // Bound under a name of its own, made the user's alone, and only then linked where clients
    // look: no client ever finds the socket with the mode `bind` gave it. The link, like a
    // bind, fails when another agent's socket appeared there meanwhile.
    let fresh = home.join(format!("{SOCKET}.{}.new", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    let socket = UnixListener::bind(&fresh).map_err(|e| local(&fresh, &e))?;
    let published = std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::hard_link(&fresh, &path));
    let _ = std::fs::remove_file(&fresh);
    published.map_err(|e| local(&path, &e))?;
    Ok((
        Listener {
            socket,
            me: my_uid(),
        },
        path,
    ))
}

/// Removes the socket, so no client finds one nobody answers.
pub fn unbind(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn local(path: &Path, error: &std::io::Error) -> StartError {
    StartError::Local(tokenvault_core::Error::Storage {
        action: "serve",
        path: path.display().to_string(),
        problem: error.to_string(),
    })
}

/// Checks that the data folder and the socket are this user's alone.
fn check_private(home: &Path, socket: &Path) -> Result<(), String> {
    let me = my_uid();
    let folder = std::fs::metadata(home).map_err(|e| format!("{}: {e}", home.display()))?;
    if folder.uid() != me || folder.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "the data folder {} is open to other users (mode {:o}, owner {}); not using the agent there",
            home.display(),
            folder.permissions().mode() & 0o777,
            folder.uid()
        ));
    }
    let meta =
        std::fs::symlink_metadata(socket).map_err(|e| format!("{}: {e}", socket.display()))?;
    if meta.uid() != me || meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "the agent socket {} belongs to another user or is open to others (mode {:o}); not using it",
            socket.display(),
            meta.permissions().mode() & 0o777
        ));
    }
    Ok(())
}

/// Reaches the agent of `home`, if one serves it and nobody else could have put it there.
pub async fn connect(home: &Path) -> Reached {
    let socket = home.join(SOCKET);
    if !socket.exists() {
        return Reached::None;
    }
    if let Err(why) = check_private(home, &socket) {
        return Reached::Unsafe(why);
    }
    let connecting = tokio::time::timeout(Duration::from_secs(2), UnixStream::connect(&socket));
    match connecting.await {
        Ok(Ok(stream)) => Reached::Agent(stream),
        // A socket left by an agent that is gone.
        Ok(Err(_)) | Err(_) => Reached::None,
    }
}
