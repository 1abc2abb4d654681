//! The agent's protocol: one request and one reply per connection, each a line of JSON.
//!
//! ```text
//! client: {"version":1,"request":{"run":{"token":{"name":"te-uat","format":"raw",...}}}}
//! agent:  {"version":1,"stdout":"eyJ...\n","stderr":"","exit":0,"failure":null}
//! ```
//!
//! A request of another version is answered with `refused` and nothing else, so a client
//! of another release gets a clear error, not garbage. Replies carry what the command
//! would have printed, so a command's output through the agent is the same as without it.

use serde::{Deserialize, Serialize};

use crate::args::Command;

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;

/// The longest line either side reads: a request or a reply larger than this is refused.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// What a client sends.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The client's protocol version.
    pub version: u32,
    /// The request, absent when the client only says its version.
    #[serde(default)]
    pub request: Option<Request>,
}

/// What a client asks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// Is the agent there, and locked?
    Ping,
    /// Run a command on the agent's open vault.
    Run(Command),
    /// Serve nothing until unlocked.
    Lock,
    /// Serve again.
    Unlock,
}

/// What the agent answers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Reply {
    /// The agent's protocol version.
    pub version: u32,
    /// What the command printed on stdout.
    #[serde(default)]
    pub stdout: String,
    /// What the command printed on stderr.
    #[serde(default)]
    pub stderr: String,
    /// The exit code.
    #[serde(default)]
    pub exit: u8,
    /// The failure line (`tokenvault: ...` without the prefix), when the command failed.
    #[serde(default)]
    pub failure: Option<String>,
    /// Why the request was not served at all (another version, another user, locked).
    #[serde(default)]
    pub refused: Option<String>,
    /// Whether the agent is locked (answers to `ping`, `lock` and `unlock`).
    #[serde(default)]
    pub locked: bool,
}

impl Reply {
    /// A refusal.
    pub fn refusal(why: impl Into<String>) -> Self {
        Self {
            version: VERSION,
            exit: crate::exit::LOCAL,
            refused: Some(why.into()),
            ..Self::default()
        }
    }
}

/// Whether a command goes through the agent when one is running. Commands that read local
/// files or prompt for a password (add, import, export, a PEM key for inspect) run in the
/// command's own process; the agent follows the catalog, so it sees what they change.
pub fn is_served(command: &Command) -> bool {
    use crate::args::{AccountCommand, Command as C};
    match command {
        C::Token(_)
        | C::Status { .. }
        | C::Login { .. }
        | C::Ott(_)
        | C::PrivateToken(_)
        | C::Account(AccountCommand::List { .. } | AccountCommand::Remove { .. }) => true,
        C::Inspect(args) => args.account.is_some() && args.key.is_none(),
        _ => false,
    }
}
