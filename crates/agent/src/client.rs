//! Asking a running agent: found by its socket in the data folder, trusted only when
//! nobody else could have put it there.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

pub use super::Asked;
use super::protocol::{Envelope, MAX_LINE, Reply, Request, VERSION};
use super::socket_path;

/// The current user's id.
pub fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Checks that the data folder and the socket are this user's alone.
pub fn check_private(home: &Path) -> Result<(), String> {
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
    let socket = socket_path(home);
    let meta =
        std::fs::symlink_metadata(&socket).map_err(|e| format!("{}: {e}", socket.display()))?;
    if meta.uid() != me || meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "the agent socket {} belongs to another user or is open to others (mode {:o}); not using it",
            socket.display(),
            meta.permissions().mode() & 0o777
        ));
    }
    Ok(())
}

/// Sends one request to the agent of `home` and reads its reply.
pub async fn ask(home: &Path, request: Request) -> Asked {
    let socket = socket_path(home);
    if !socket.exists() {
        return Asked::NoAgent;
    }
    if let Err(why) = check_private(home) {
        return Asked::Unsafe(why);
    }
    let connecting = tokio::time::timeout(Duration::from_secs(2), UnixStream::connect(&socket));
    let stream = match connecting.await {
        Ok(Ok(stream)) => stream,
        // A socket left by an agent that is gone.
        Ok(Err(_)) | Err(_) => return Asked::NoAgent,
    };
    match exchange(stream, request).await {
        Ok(reply) => Asked::Answered(reply),
        Err(why) => Asked::Broken(why),
    }
}

async fn exchange(stream: UnixStream, request: Request) -> Result<Reply, String> {
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_vec(&Envelope {
        version: VERSION,
        request: Some(request),
    })
    .map_err(|e| format!("cannot write the request: {e}"))?;
    line.push(b'\n');
    // An agent that refuses may answer and close before reading: its answer still counts.
    let sent = write.write_all(&line).await;
    let mut reader = BufReader::new(read.take(MAX_LINE as u64));
    let mut answer = String::new();
    let read = reader
        .read_line(&mut answer)
        .await
        .map_err(|e| format!("the agent stopped before answering: {e}"))?;
    if read == 0 {
        return Err(match sent {
            Err(e) => format!("the agent closed the connection: {e}"),
            Ok(()) => "the agent stopped before answering; the vault is as it was".into(),
        });
    }
    let reply: Reply = serde_json::from_str(&answer)
        .map_err(|e| format!("the agent's answer is not readable ({e})"))?;
    if reply.version != VERSION && reply.refused.is_none() {
        return Err(format!(
            "the agent speaks protocol version {}, this tokenvault {VERSION}; restart the agent",
            reply.version
        ));
    }
    Ok(reply)
}
