//! Teams: accounts shared through the team's own secret engine (OpenBao, or HashiCorp Vault,
//! which speaks the same HTTP API), so a password changed once is changed for everyone.
//!
//! - [`engine`]: the engine's HTTP API, as far as sharing needs it, across a cluster's nodes.
//! - [`shared`]: a shared account as an entry of the engine, and what a sync has to do.
//!
//! What is kept where: the team's connection (addresses, mount, prefix, how to log in) is in
//! the catalog, with no secret; the engine's token (and a userpass password, to log in again
//! when the token cannot be renewed) in the vault's secret store. A shared account is an
//! ordinary account of the catalog that names its team, the key it is shared under and the
//! version this vault holds; its secrets are read from the engine at each login and kept in the
//! secret store only as the copy an offline login needs. Tokens never go to the engine: each
//! member logs in and renews for themselves.

pub mod engine;
pub mod shared;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How this vault logs in to a team's engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum TeamLogin {
    /// A token given by the user (kept in the secret store), renewed while it can be.
    Token,
    /// Userpass: the password is kept in the secret store, to log in again when the token
    /// can no longer be renewed.
    Userpass {
        /// The userpass name.
        user: String,
    },
}

/// A team this vault is connected to: everything but its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRecord {
    /// The team's name, unique in the vault (`support`).
    pub name: String,
    /// The engine's addresses, tried in turn (a cluster's nodes).
    pub addresses: Vec<String>,
    /// The KV version 2 mount (`secret`).
    pub mount: String,
    /// Where the team's accounts are below the mount (`tokenvault/support`).
    pub prefix: String,
    /// An extra CA certificate (PEM) to trust for the engine.
    #[serde(default)]
    pub ca_cert_pem: Option<String>,
    /// How this vault logs in.
    pub login: TeamLogin,
    /// When the engine's token expires (None: it does not, or is not known yet).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub token_expires_at: Option<OffsetDateTime>,
    /// The engine's name for this vault's token (`userpass-alice`), written into what it shares.
    #[serde(default)]
    pub member: String,
    /// The last sync, for `team status` and the window.
    #[serde(default)]
    pub last_sync: Option<SyncRecord>,
}

/// How the last sync of a team ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRecord {
    /// When it ended.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `ok`, or the stable code of its failure.
    pub outcome: String,
    /// What it did, or why it failed (no secret).
    pub message: String,
}

/// An account's place in a team: which team, the key it is shared under, the version held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamLink {
    /// The team's name.
    pub team: String,
    /// The entry's key below the team's prefix.
    pub key: String,
    /// The entry's version this vault holds.
    pub version: u64,
    /// The entry's version whose secrets are kept here, for logging in while the engine is
    /// out of reach. None until the account's first login: a sync reads definitions only,
    /// and every login reads the secrets of the entry's current version from the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_of: Option<u64>,
}

/// A team name as the CLI and the catalog take it: letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> crate::Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(crate::Error::InvalidAccount {
            field: "team",
            problem: format!("`{name}` is not a team name (letters, digits, - and _, at most 64)"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_are_plain_words() {
        assert!(check_name("support-eu").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a/b").is_err());
        assert!(check_name("team:x").is_err());
    }

    #[test]
    fn a_team_record_keeps_no_secret_field() {
        let record = TeamRecord {
            name: "support".to_owned(),
            addresses: vec!["https://bao.example.com".to_owned()],
            mount: "secret".to_owned(),
            prefix: "tokenvault/support".to_owned(),
            ca_cert_pem: None,
            login: TeamLogin::Userpass {
                user: "alice".to_owned(),
            },
            token_expires_at: None,
            member: String::new(),
            last_sync: None,
        };
        let json = serde_json::to_string(&record).unwrap();
        assert!(
            !json.contains("token\":") && !json.contains("password"),
            "{json}"
        );
        let back: TeamRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }
}
