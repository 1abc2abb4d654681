//! The agent's protocol: one request and one reply per connection, each a line of JSON.
//!
//! ```text
//! client: {"version":3,"request":{"run":{"token":{"name":"te-uat","format":"raw",...}}}}
//! agent:  {"version":3,"stdout":"eyJ...\n","stderr":"","exit":0,"failure":null}
//! ```
//!
//! A request of another version is answered with `refused` and nothing else, so a client
//! of another release gets a clear error, not garbage. Replies carry what the command
//! would have printed, so a command's output through the agent is the same as without it.
//!
//! The commands an agent serves are typed here, apart from any command-line parser: the
//! wire format changes only with [`VERSION`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The protocol version this build speaks. Version 2 carried [`Command`] of its own
/// (version 1 the command line's parsed arguments); version 3 adds the token's env,
/// dotenv and Kubernetes forms and `status --format`.
pub const VERSION: u32 = 3;

/// The longest line either side reads: a request or a reply larger than this is refused.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// The exit code of a request the agent refused (another version, another user, locked):
/// a local failure, as the command line's exit codes name it.
pub const REFUSED_EXIT: u8 = 5;

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
    /// Bring the window of the app serving this vault up (a second launch of the app on the
    /// vault asks this, then ends). An agent with no window refuses.
    Show,
}

/// How a token is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    /// The bare token.
    Raw,
    /// `Bearer <token>`.
    Bearer,
    /// `Authorization: Bearer <token>`.
    Header,
    /// A JSON object with the token and its expiry.
    Json,
    /// Shell `export` lines: the token, `Bearer <token>` and its expiry.
    Env,
    /// The same as `.env` file lines.
    Dotenv,
    /// A Kubernetes `ExecCredential` (client.authentication.k8s.io/v1).
    KubernetesExecCredential,
}

/// How `status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusFormat {
    /// A table for people.
    Table,
    /// A JSON array.
    Json,
    /// Shell `export` lines, a few per account.
    Env,
}

/// A command an agent runs on its open vault: the ones that read no local file and ask
/// for no password. The others (add, import, export, a PEM key for inspect) run in the
/// command's own process; the agent follows the catalog, so it sees what they change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    /// `tokenvault token`.
    Token {
        /// Account name or id.
        name: String,
        /// Seconds the token must stay valid.
        min_valid: u32,
        /// How to print it.
        format: TokenFormat,
        /// Renew whatever the token held.
        force_refresh: bool,
    },
    /// `tokenvault status`.
    Status {
        /// One account, or all.
        name: Option<String>,
        /// How to print it.
        format: StatusFormat,
    },
    /// `tokenvault login`.
    Login {
        /// Account name or id.
        name: String,
        /// JSON output.
        json: bool,
    },
    /// `tokenvault validate`.
    Validate {
        /// Account name or id.
        name: String,
        /// JSON output.
        json: bool,
    },
    /// `tokenvault ott verify`.
    OttVerify {
        /// Account name or id.
        name: String,
        /// The one-time token.
        ott: String,
        /// JSON output.
        json: bool,
    },
    /// `tokenvault private-token create`.
    PrivateTokenCreate {
        /// Account name or id.
        name: String,
        /// The token's label.
        label: String,
        /// When it expires.
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        /// JSON output.
        json: bool,
    },
    /// `tokenvault private-token list`.
    PrivateTokenList {
        /// Account name or id.
        name: String,
        /// JSON output.
        json: bool,
    },
    /// `tokenvault private-token show`.
    PrivateTokenShow {
        /// Account name or id.
        name: String,
        /// The private token's id.
        id: String,
        /// How to print it.
        format: TokenFormat,
    },
    /// `tokenvault private-token revoke`.
    PrivateTokenRevoke {
        /// Account name or id.
        name: String,
        /// The private token's id.
        id: String,
    },
    /// `tokenvault account list`.
    AccountList {
        /// JSON output.
        json: bool,
    },
    /// `tokenvault account remove`.
    AccountRemove {
        /// Account name or id.
        name: String,
    },
    /// `tokenvault inspect --account`, checked with a secret or a JWKS URL if given.
    Inspect {
        /// Account name or id.
        account: String,
        /// JSON output.
        json: bool,
        /// An HMAC secret to check the signature with.
        secret: Option<String>,
        /// A JWKS URL to check the signature with.
        jwks: Option<String>,
    },
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
            exit: REFUSED_EXIT,
            refused: Some(why.into()),
            ..Self::default()
        }
    }

    /// What a command run by the agent printed, and how it ended.
    pub fn ran(stdout: String, stderr: String, exit: u8, failure: Option<String>) -> Self {
        Self {
            version: VERSION,
            stdout,
            stderr,
            exit,
            failure,
            refused: None,
            locked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_request_reads_the_same_on_both_sides() {
        let sent = Envelope {
            version: VERSION,
            request: Some(Request::Run(Command::Token {
                name: "te-uat".into(),
                min_valid: 60,
                format: TokenFormat::Bearer,
                force_refresh: false,
            })),
        };
        let line = serde_json::to_string(&sent).unwrap();
        assert_eq!(
            line,
            r#"{"version":3,"request":{"run":{"token":{"name":"te-uat","min_valid":60,"format":"bearer","force_refresh":false}}}}"#
        );
        let read: Envelope = serde_json::from_str(&line).unwrap();
        assert!(matches!(
            read.request,
            Some(Request::Run(Command::Token { .. }))
        ));
    }
}
