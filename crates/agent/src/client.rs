//! Asking a running agent: found through the data folder, trusted only when nobody else
//! could have put it there (the transport checks).

use std::path::Path;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

pub use super::Asked;
use super::protocol::{Envelope, MAX_LINE, Reply, Request, VERSION};
use super::transport::{self, Reached, Stream};

/// Sends one request to the agent of `home` and reads its reply.
pub async fn ask(home: &Path, request: Request) -> Asked {
    match transport::connect(home).await {
        Reached::Agent(stream) => match exchange(stream, request).await {
            Ok(reply) => Asked::Answered(reply),
            Err(why) => Asked::Broken(why),
        },
        Reached::None => Asked::NoAgent,
        Reached::Unsafe(why) => Asked::Unsafe(why),
    }
}

async fn exchange(stream: Stream, request: Request) -> Result<Reply, String> {
    let (read, mut write) = tokio::io::split(stream);
    let mut line = serde_json::to_vec(&Envelope {
        version: VERSION,
        request: Some(request),
    })
    .map_err(|e| format!("cannot write the request: {e}"))?;
    line.push(b'\n');
    // An agent that refuses may answer and close before reading: its answer still counts.
    let sent = match write.write_all(&line).await {
        Ok(()) => write.flush().await,
        Err(e) => Err(e),
    };
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
