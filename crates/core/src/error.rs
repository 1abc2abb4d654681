//! One error type for the core, with a stable code for each kind so the CLI's exit
//! codes and the UI's words can be chosen from the code, not from the text.
//!
//! Messages are lower-case, name what went wrong, and never hold a secret.

use std::time::Duration;

/// Everything that can go wrong in the core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the identity or password.
    #[error("the server rejected the login for {identity} (HTTP {status}){}", detail_suffix(.detail))]
    CredentialsRejected {
        /// Who tried to log in (not a secret).
        identity: String,
        /// HTTP status.
        status: u16,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The server refused the refresh token (expired, revoked or already used).
    #[error("the server rejected the refresh token (HTTP {status}){}", detail_suffix(.detail))]
    RefreshRejected {
        /// HTTP status.
        status: u16,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The server refused the access token of a call (HTTP 401).
    #[error("the server refused the access token at {url} (HTTP 401){}", detail_suffix(.detail))]
    Unauthorized {
        /// The URL called.
        url: String,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The thing asked for does not exist (HTTP 404).
    #[error("nothing found at {url} (HTTP 404){}", detail_suffix(.detail))]
    NotFound {
        /// The URL called.
        url: String,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The profile does not describe this call.
    #[error("the {profile} profile has no {call} call")]
    NotSupported {
        /// Profile id.
        profile: String,
        /// The call asked for (`OTT verification`, `private tokens`, ...).
        call: &'static str,
    },
    /// The server understood but refused (HTTP 403).
    #[error("the server refused access to {url} (HTTP 403){}", detail_suffix(.detail))]
    Forbidden {
        /// The URL called.
        url: String,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The server failed (5xx, or another status no dialect expects).
    #[error("the server at {url} failed with HTTP {status}{}", detail_suffix(.detail))]
    ServerError {
        /// The URL called.
        url: String,
        /// HTTP status.
        status: u16,
        /// What the server said, with secrets removed.
        detail: Option<String>,
        /// Seconds the server asked us to wait (`Retry-After`).
        retry_after: Option<u64>,
    },
    /// No connection could be made, or it broke before an answer.
    #[error("could not reach {url}: {reason}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// What the network layer said.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{url} did not answer within {}s", .after.as_secs())]
    Timeout {
        /// The URL called.
        url: String,
        /// How long we waited.
        after: Duration,
    },
    /// The answer was not what the profile says it should be.
    #[error("unexpected answer from {url}: expected {expected}, got {got}")]
    UnexpectedResponse {
        /// The URL called.
        url: String,
        /// What the profile led us to expect.
        expected: String,
        /// What came instead (short, with secrets removed).
        got: String,
    },
    /// A TLS handshake or certificate problem.
    #[error("TLS failed for {url}: {reason}")]
    Tls {
        /// The URL called.
        url: String,
        /// What the TLS layer said.
        reason: String,
    },
    /// A profile file is wrong.
    #[error("invalid profile {origin}: {field}: {problem}")]
    InvalidProfile {
        /// File name or `preset:<id>`.
        origin: String,
        /// The field (or line) at fault.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An account's base URL is not usable.
    #[error("invalid base URL `{url}`: {problem}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The accounts catalog could not be read; the file was moved aside, not overwritten.
    #[error("the accounts catalog {path} is damaged ({problem}); it was kept as {kept_at}")]
    CorruptCatalog {
        /// The catalog's path.
        path: String,
        /// Where the damaged file now is.
        kept_at: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A file of the vault could not be read or written.
    #[error("cannot {action} {path}: {problem}")]
    Storage {
        /// What was being done (`write`, `read`, `lock`).
        action: &'static str,
        /// The file.
        path: String,
        /// What the OS said.
        problem: String,
    },
    /// The OS keyring cannot be used.
    #[error("the OS keyring is not usable: {reason}")]
    KeyringUnavailable {
        /// Why.
        reason: String,
    },
    /// The passphrase of the encrypted secret file is wrong.
    #[error("the passphrase does not open {path}")]
    WrongPassphrase {
        /// The encrypted file.
        path: String,
    },
    /// Neither the keyring nor the encrypted file can be used.
    #[error("no safe place for secrets: {reason}. {advice}")]
    NoSecretStore {
        /// Why the keyring failed.
        reason: String,
        /// What the user can do.
        advice: String,
    },
    /// A new or changed account is not acceptable (a field is empty, a name is taken).
    #[error("{field}: {problem}")]
    InvalidAccount {
        /// The field at fault (`name`, `identity`, ...).
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// No account of that name or id.
    #[error("no account named `{0}`")]
    UnknownAccount(String),
    /// The token has expired and could not be renewed.
    #[error("the access token has expired")]
    TokenExpired,
}

impl Error {
    /// A stable machine-readable code, used at every edge (CLI exit codes, UI words).
    pub fn code(&self) -> &'static str {
        match self {
            Error::CredentialsRejected { .. } => "credentials_rejected",
            Error::RefreshRejected { .. } => "refresh_rejected",
            Error::Unauthorized { .. } => "unauthorized",
            Error::NotFound { .. } => "not_found",
            Error::NotSupported { .. } => "not_supported",
            Error::Forbidden { .. } => "forbidden",
            Error::ServerError { .. } => "server_error",
            Error::Unreachable { .. } => "unreachable",
            Error::Timeout { .. } => "timeout",
            Error::UnexpectedResponse { .. } => "unexpected_response",
            Error::Tls { .. } => "tls",
            Error::InvalidProfile { .. } => "invalid_profile",
            Error::InvalidBaseUrl { .. } => "invalid_base_url",
            Error::TokenExpired => "token_expired",
            Error::CorruptCatalog { .. } => "corrupt_catalog",
            Error::Storage { .. } => "storage",
            Error::KeyringUnavailable { .. } => "keyring_unavailable",
            Error::WrongPassphrase { .. } => "wrong_passphrase",
            Error::NoSecretStore { .. } => "no_secret_store",
            Error::UnknownAccount(_) => "unknown_account",
            Error::InvalidAccount { .. } => "invalid_account",
        }
    }

    /// Whether trying again later may help (the server or network failed, not the request).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::ServerError { .. }
                | Error::Unreachable { .. }
                | Error::Timeout { .. }
                | Error::UnexpectedResponse { .. }
        )
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    match detail {
        Some(d) if !d.is_empty() => format!(": {d}"),
        _ => String::new(),
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem_and_the_server_detail() {
        let error = Error::CredentialsRejected {
            identity: "ana@example.com".into(),
            status: 401,
            detail: Some("invalid credentials".into()),
        };
        assert_eq!(
            error.to_string(),
            "the server rejected the login for ana@example.com (HTTP 401): invalid credentials"
        );
        assert_eq!(error.code(), "credentials_rejected");
    }

    #[test]
    fn only_server_and_network_failures_are_transient() {
        let timeout = Error::Timeout {
            url: "u".into(),
            after: Duration::from_secs(3),
        };
        assert!(timeout.is_transient());
        assert!(!Error::TokenExpired.is_transient());
    }
}
