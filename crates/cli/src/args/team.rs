//! `team ...`: accounts shared through a team's OpenBao or Vault.

use std::path::PathBuf;

use clap::Subcommand;

/// `team ...`
#[derive(Debug, Clone, Subcommand)]
pub enum TeamCommand {
    /// Connect this vault to a team's OpenBao or Vault (the token goes to the keyring).
    Connect {
        /// The team's name in this vault.
        team: String,
        /// The engine's address; repeat for each node of a cluster (tried in turn).
        #[arg(long = "addr", value_name = "URL", required = true)]
        addresses: Vec<String>,
        /// The KV version 2 mount.
        #[arg(long, default_value = "secret")]
        mount: String,
        /// Where the team's accounts are below the mount (default: tokenvault/TEAM).
        #[arg(long)]
        prefix: Option<String>,
        /// A CA certificate (PEM file) to trust for the engine.
        #[arg(long, value_name = "PEM")]
        ca_cert: Option<PathBuf>,
        /// Read an engine token from stdin.
        #[arg(long, conflicts_with = "userpass")]
        token_stdin: bool,
        /// Log in with userpass as this user (the password is asked, or read with
        /// --password-stdin, and kept to log in again when the token runs out).
        #[arg(long, value_name = "USER")]
        userpass: Option<String>,
        /// Read the userpass password from stdin.
        #[arg(long, requires = "userpass")]
        password_stdin: bool,
    },
    /// Share an account in a team: its definition and secrets, never its tokens.
    Share {
        /// Account name.
        account: String,
        /// The team.
        #[arg(long)]
        team: String,
    },
    /// Bring the team's accounts into this vault (every team when none is named).
    Sync {
        /// The team.
        team: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The connected teams.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Each team's token and last sync.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disconnect a team: its accounts and their secrets leave this vault (nothing changes
    /// in the engine).
    Disconnect {
        /// The team.
        team: String,
    },
}
