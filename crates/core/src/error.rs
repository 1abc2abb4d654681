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
    /// The server refused the OAuth client: a wrong client id or secret, or a client that
    /// may not use this grant (`invalid_client`, `unauthorized_client`).
    #[error("the server rejected the OAuth client `{client_id}` (HTTP {status}){}", detail_suffix(.detail))]
    ClientRejected {
        /// The client id (not a secret).
        client_id: String,
        /// HTTP status.
        status: u16,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The login needs a one-time code (a second factor) and none could be given: the
    /// account has none, or its code is asked from a person who was not there.
    #[error("the login of {identity} needs a one-time code: {advice}")]
    OtpRequired {
        /// Who logs in (not a secret).
        identity: String,
        /// What the user can do.
        advice: String,
    },
    /// The server refused the one-time code of a login.
    #[error(
        "the server refused the one-time code for {identity} (HTTP {status}){}; check the \
         TOTP secret and this computer's clock (a server may also take each code once: \
         another login with the same secret in this half-minute spends it)",
        detail_suffix(.detail)
    )]
    OtpRejected {
        /// Who logs in (not a secret).
        identity: String,
        /// HTTP status.
        status: u16,
        /// What the server said, with secrets removed.
        detail: Option<String>,
    },
    /// The login needs a person to sign in (the device flow), and nobody was asked.
    #[error("{account} needs you to sign in again: {advice}")]
    SignInRequired {
        /// The account's name.
        account: String,
        /// What the user can do.
        advice: String,
    },
    /// The user, or the server, refused the sign-in.
    #[error("the sign-in was refused at {url}{}", detail_suffix(.detail))]
    SignInDenied {
        /// The URL that said so.
        url: String,
        /// What the server said.
        detail: Option<String>,
    },
    /// The sign-in was not finished in time: a device code expired, or the browser never
    /// came back.
    #[error("the sign-in was not finished within {} s; start again", .after.as_secs())]
    SignInExpired {
        /// How long the sign-in waited.
        after: Duration,
    },
    /// The browser came back with an answer to a sign-in this one did not start (its
    /// `state` is not the one sent): nothing it carried was used.
    #[error(
        "the browser came back from a sign-in that this one did not start (its state does not \
         match), so nothing it carried was used; start again"
    )]
    SignInMismatch,
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
    /// No one-time token was given to verify.
    #[error("ott: {problem}")]
    InvalidOtt {
        /// What is wrong with it.
        problem: String,
    },
    /// A private token asked for is not acceptable (no label, a lifetime out of range).
    #[error("{field}: {problem}")]
    InvalidPrivateToken {
        /// The field at fault (`label`, `lifetime`).
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// What an account was to be made from (a curl command, a HAR file) cannot be used.
    #[error("the {from}: {problem}")]
    InvalidImport {
        /// What it was (`curl command`, `HAR file`).
        from: &'static str,
        /// What is wrong with it, never quoting a secret it holds.
        problem: String,
    },
    /// No account of that name or id.
    #[error("no account named `{0}`")]
    UnknownAccount(String),
    /// The vault does not hold the value of that private token.
    #[error(
        "this vault does not hold the value of private token {id} of {account}: it was \
         created elsewhere or before this vault, or revoked; create a new one"
    )]
    PrivateTokenNotHeld {
        /// The account's name.
        account: String,
        /// The private token's id.
        id: String,
    },
    /// The token has expired and could not be renewed.
    #[error("the access token has expired")]
    TokenExpired,
    /// The team's engine has a newer version of a shared entry than the one this change
    /// started from: someone else changed it meanwhile.
    #[error("someone changed the team's entry `{entry}` meanwhile ({detail}); sync and try again")]
    TeamConflict {
        /// The entry's path below the team's prefix.
        entry: String,
        /// What is known of the change.
        detail: String,
    },
    /// The team's engine does not let this token do it (its policy).
    #[error(
        "no permission to {action} in the team's engine ({detail}); ask for a policy that allows it"
    )]
    TeamForbidden {
        /// What was tried.
        action: String,
        /// Where, and what the engine said.
        detail: String,
    },
    /// The team's engine refused the token itself: revoked, expired, or never valid.
    #[error("the team's token is no longer accepted: {detail}; connect the team again")]
    TeamTokenRejected {
        /// What the engine said.
        detail: String,
    },
}

impl Error {
    /// A stable machine-readable code, used at every edge (CLI exit codes, UI words).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::CredentialsRejected { .. } => ErrorCode::CredentialsRejected,
            Error::ClientRejected { .. } => ErrorCode::ClientRejected,
            Error::OtpRequired { .. } => ErrorCode::OtpRequired,
            Error::OtpRejected { .. } => ErrorCode::OtpRejected,
            Error::SignInRequired { .. } => ErrorCode::SignInRequired,
            Error::SignInDenied { .. } => ErrorCode::SignInDenied,
            Error::SignInExpired { .. } => ErrorCode::SignInExpired,
            Error::SignInMismatch => ErrorCode::SignInMismatch,
            Error::RefreshRejected { .. } => ErrorCode::RefreshRejected,
            Error::Unauthorized { .. } => ErrorCode::Unauthorized,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NotSupported { .. } => ErrorCode::NotSupported,
            Error::Forbidden { .. } => ErrorCode::Forbidden,
            Error::ServerError { .. } => ErrorCode::ServerError,
            Error::Unreachable { .. } => ErrorCode::Unreachable,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::UnexpectedResponse { .. } => ErrorCode::UnexpectedResponse,
            Error::Tls { .. } => ErrorCode::Tls,
            Error::InvalidProfile { .. } => ErrorCode::InvalidProfile,
            Error::InvalidBaseUrl { .. } => ErrorCode::InvalidBaseUrl,
            Error::TokenExpired => ErrorCode::TokenExpired,
            Error::CorruptCatalog { .. } => ErrorCode::CorruptCatalog,
            Error::Storage { .. } => ErrorCode::Storage,
            Error::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Error::WrongPassphrase { .. } => ErrorCode::WrongPassphrase,
            Error::NoSecretStore { .. } => ErrorCode::NoSecretStore,
            Error::UnknownAccount(_) => ErrorCode::UnknownAccount,
            Error::PrivateTokenNotHeld { .. } => ErrorCode::PrivateTokenNotHeld,
            Error::InvalidAccount { .. } => ErrorCode::InvalidAccount,
            Error::InvalidOtt { .. } => ErrorCode::InvalidOtt,
            Error::InvalidImport { .. } => ErrorCode::InvalidImport,
            Error::InvalidPrivateToken { .. } => ErrorCode::InvalidPrivateToken,
            Error::TeamConflict { .. } => ErrorCode::TeamConflict,
            Error::TeamForbidden { .. } => ErrorCode::TeamForbidden,
            Error::TeamTokenRejected { .. } => ErrorCode::TeamTokenRejected,
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

/// The stable code of each kind of [`Error`]: what the CLI's exit codes, the UI's words and
/// the catalog's `last_failure` are chosen from. Serialized as its snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ErrorCode {
    /// The server refused the identity or password.
    CredentialsRejected,
    /// The server refused the OAuth client.
    ClientRejected,
    /// The login needs a one-time code that could not be given.
    OtpRequired,
    /// The server refused the one-time code.
    OtpRejected,
    /// The account needs a person to sign in again.
    SignInRequired,
    /// The sign-in was refused.
    SignInDenied,
    /// The sign-in was not finished in time.
    SignInExpired,
    /// The browser came back from a sign-in this one did not start.
    SignInMismatch,
    /// The server refused the refresh token.
    RefreshRejected,
    /// The server refused the access token of a call.
    Unauthorized,
    /// The server refused access.
    Forbidden,
    /// Nothing at the URL called.
    NotFound,
    /// The server failed.
    ServerError,
    /// No connection, or it broke.
    Unreachable,
    /// The server did not answer in time.
    Timeout,
    /// The answer was not what the profile describes.
    UnexpectedResponse,
    /// A TLS handshake or certificate problem.
    Tls,
    /// The token expired and could not be renewed.
    TokenExpired,
    /// The profile has no such call.
    NotSupported,
    /// A profile is wrong.
    InvalidProfile,
    /// A base URL is not usable.
    InvalidBaseUrl,
    /// A new or changed account is not acceptable.
    InvalidAccount,
    /// No one-time token was given.
    InvalidOtt,
    /// A curl command or HAR file cannot be made into an account.
    InvalidImport,
    /// A private token's label or lifetime is not acceptable.
    InvalidPrivateToken,
    /// No account of that name.
    UnknownAccount,
    /// The vault does not hold the value of a private token.
    PrivateTokenNotHeld,
    /// The accounts catalog is damaged.
    CorruptCatalog,
    /// A file of the vault could not be read or written.
    Storage,
    /// The OS keyring cannot be used.
    KeyringUnavailable,
    /// The passphrase does not open the encrypted file.
    WrongPassphrase,
    /// Neither the keyring nor the encrypted file can be used.
    NoSecretStore,
    /// Someone else changed a shared entry meanwhile.
    TeamConflict,
    /// The team's engine does not allow it.
    TeamForbidden,
    /// The team's engine refused the team's token.
    TeamTokenRejected,
}

/// What kind of party a failure lies with: the edge's exit codes follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server refused what was sent (credentials, a token).
    Rejected,
    /// The server or the network failed, or answered what no profile expects.
    Remote,
    /// What the user asked is not acceptable (an argument, a profile, an account).
    Usage,
    /// The vault's files or the secret store failed on this machine.
    Local,
}

impl ErrorCode {
    /// Every code, in a fixed order (for generated types and tables of words).
    pub const ALL: [ErrorCode; 35] = [
        ErrorCode::CredentialsRejected,
        ErrorCode::ClientRejected,
        ErrorCode::OtpRequired,
        ErrorCode::OtpRejected,
        ErrorCode::SignInRequired,
        ErrorCode::SignInDenied,
        ErrorCode::SignInExpired,
        ErrorCode::SignInMismatch,
        ErrorCode::RefreshRejected,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::ServerError,
        ErrorCode::Unreachable,
        ErrorCode::Timeout,
        ErrorCode::UnexpectedResponse,
        ErrorCode::Tls,
        ErrorCode::TokenExpired,
        ErrorCode::NotSupported,
        ErrorCode::InvalidProfile,
        ErrorCode::InvalidBaseUrl,
        ErrorCode::InvalidAccount,
        ErrorCode::InvalidOtt,
        ErrorCode::InvalidImport,
        ErrorCode::InvalidPrivateToken,
        ErrorCode::UnknownAccount,
        ErrorCode::PrivateTokenNotHeld,
        ErrorCode::CorruptCatalog,
        ErrorCode::Storage,
        ErrorCode::KeyringUnavailable,
        ErrorCode::WrongPassphrase,
        ErrorCode::NoSecretStore,
        ErrorCode::TeamConflict,
        ErrorCode::TeamForbidden,
        ErrorCode::TeamTokenRejected,
    ];

    /// The code's stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::CredentialsRejected => "credentials_rejected",
            ErrorCode::ClientRejected => "client_rejected",
            ErrorCode::OtpRequired => "otp_required",
            ErrorCode::OtpRejected => "otp_rejected",
            ErrorCode::SignInRequired => "sign_in_required",
            ErrorCode::SignInDenied => "sign_in_denied",
            ErrorCode::SignInExpired => "sign_in_expired",
            ErrorCode::SignInMismatch => "sign_in_mismatch",
            ErrorCode::RefreshRejected => "refresh_rejected",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ServerError => "server_error",
            ErrorCode::Unreachable => "unreachable",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UnexpectedResponse => "unexpected_response",
            ErrorCode::Tls => "tls",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::InvalidProfile => "invalid_profile",
            ErrorCode::InvalidBaseUrl => "invalid_base_url",
            ErrorCode::InvalidAccount => "invalid_account",
            ErrorCode::InvalidOtt => "invalid_ott",
            ErrorCode::InvalidImport => "invalid_import",
            ErrorCode::InvalidPrivateToken => "invalid_private_token",
            ErrorCode::UnknownAccount => "unknown_account",
            ErrorCode::PrivateTokenNotHeld => "private_token_not_held",
            ErrorCode::CorruptCatalog => "corrupt_catalog",
            ErrorCode::Storage => "storage",
            ErrorCode::KeyringUnavailable => "keyring_unavailable",
            ErrorCode::WrongPassphrase => "wrong_passphrase",
            ErrorCode::NoSecretStore => "no_secret_store",
            ErrorCode::TeamConflict => "team_conflict",
            ErrorCode::TeamForbidden => "team_forbidden",
            ErrorCode::TeamTokenRejected => "team_token_rejected",
        }
    }

    /// Whom the failure lies with.
    pub fn kind(self) -> ErrorKind {
        match self {
            ErrorCode::CredentialsRejected => ErrorKind::Rejected,
            ErrorCode::ClientRejected => ErrorKind::Rejected,
            ErrorCode::OtpRequired => ErrorKind::Rejected,
            ErrorCode::OtpRejected => ErrorKind::Rejected,
            ErrorCode::SignInRequired => ErrorKind::Rejected,
            ErrorCode::SignInDenied => ErrorKind::Rejected,
            ErrorCode::SignInExpired => ErrorKind::Rejected,
            ErrorCode::SignInMismatch => ErrorKind::Rejected,
            ErrorCode::RefreshRejected => ErrorKind::Rejected,
            ErrorCode::Unauthorized => ErrorKind::Rejected,
            ErrorCode::Forbidden => ErrorKind::Rejected,
            ErrorCode::NotFound => ErrorKind::Remote,
            ErrorCode::ServerError => ErrorKind::Remote,
            ErrorCode::Unreachable => ErrorKind::Remote,
            ErrorCode::Timeout => ErrorKind::Remote,
            ErrorCode::UnexpectedResponse => ErrorKind::Remote,
            ErrorCode::Tls => ErrorKind::Remote,
            ErrorCode::TokenExpired => ErrorKind::Remote,
            ErrorCode::NotSupported => ErrorKind::Usage,
            ErrorCode::InvalidProfile => ErrorKind::Usage,
            ErrorCode::InvalidBaseUrl => ErrorKind::Usage,
            ErrorCode::InvalidAccount => ErrorKind::Usage,
            ErrorCode::InvalidOtt => ErrorKind::Usage,
            ErrorCode::InvalidImport => ErrorKind::Usage,
            ErrorCode::InvalidPrivateToken => ErrorKind::Usage,
            ErrorCode::UnknownAccount => ErrorKind::Usage,
            ErrorCode::PrivateTokenNotHeld => ErrorKind::Usage,
            ErrorCode::CorruptCatalog => ErrorKind::Local,
            ErrorCode::Storage => ErrorKind::Local,
            ErrorCode::KeyringUnavailable => ErrorKind::Local,
            ErrorCode::WrongPassphrase => ErrorKind::Local,
            ErrorCode::NoSecretStore => ErrorKind::Local,
            ErrorCode::TeamConflict => ErrorKind::Rejected,
            ErrorCode::TeamForbidden => ErrorKind::Rejected,
            ErrorCode::TeamTokenRejected => ErrorKind::Rejected,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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

    #[test]
    fn every_code_serializes_as_its_stable_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }
}
