//! Exit codes, chosen from the core's stable error codes.

use std::fmt;

use tokenvault_core::Error;
use tokenvault_core::error::ErrorKind;

/// Success.
pub const OK: u8 = 0;
/// A wrong argument, an unknown account, an invalid profile.
pub const USAGE: u8 = 2;
/// The server refused: credentials, access, token, one-time token.
pub const REJECTED: u8 = 3;
/// The server or the network failed.
pub const REMOTE: u8 = 4;
/// The vault or the keyring failed.
pub const LOCAL: u8 = 5;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// An error of the core.
    Core(Error),
    /// A bad argument, said in words.
    Usage(String),
    /// A one-time token that the server says is not valid.
    OttInvalid(String),
    /// A token whose signature does not hold with the key given.
    SignatureInvalid {
        /// The key it was checked with.
        by: String,
        /// Why it does not hold, in words.
        reason: String,
    },
    /// A token its server says is not active (expired, revoked, or not its own).
    TokenInactive {
        /// The introspection endpoint that said so.
        url: String,
    },
    /// The command `exec` ran ended with this (non-zero) code: this process ends the same
    /// way, and says nothing of its own.
    CommandEnded {
        /// The command's exit code (128 + the signal, for one a signal ended).
        code: u8,
    },
    /// A failure the agent reported, or a problem reaching it, with its exit code.
    Relayed {
        /// The words, as the agent's process would have printed them.
        message: String,
        /// The exit code.
        exit: u8,
    },
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::OttInvalid(_) => REJECTED,
            Failure::Relayed { exit, .. } => *exit,
            Failure::CommandEnded { code } => *code,
            Failure::SignatureInvalid { .. } => REJECTED,
            Failure::TokenInactive { .. } => REJECTED,
            Failure::Core(error) => match error.code().kind() {
                ErrorKind::Rejected => REJECTED,
                ErrorKind::Remote => REMOTE,
                ErrorKind::Usage => USAGE,
                ErrorKind::Local => LOCAL,
            },
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Core(error) => write!(f, "{error} [{}]", error.code()),
            Failure::Usage(message) => f.write_str(message),
            Failure::OttInvalid(reason) => write!(f, "the one-time token is not valid: {reason}"),
            Failure::SignatureInvalid { by, reason } => {
                write!(f, "the signature is not valid with {by}: {reason}")
            }
            Failure::TokenInactive { url } => {
                write!(f, "the server says the token is not active ({url})")
            }
            Failure::Relayed { message, .. } => f.write_str(message),
            Failure::CommandEnded { code } => write!(f, "the command ended with exit code {code}"),
        }
    }
}

impl Failure {
    /// Whether the process ends without a word of its own: the command `exec` ran has
    /// said what it had to.
    pub fn is_silent(&self) -> bool {
        matches!(self, Failure::CommandEnded { .. })
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Core(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_refusals_network_failures_and_local_failures_have_their_own_codes() {
        let rejected = Error::CredentialsRejected {
            identity: "a".into(),
            status: 401,
            detail: None,
        };
        assert_eq!(Failure::from(rejected).exit_code(), REJECTED);
        let timeout = Error::Timeout {
            url: "u".into(),
            after: std::time::Duration::from_secs(1),
        };
        assert_eq!(Failure::from(timeout).exit_code(), REMOTE);
        let keyring = Error::KeyringUnavailable {
            reason: "no bus".into(),
        };
        assert_eq!(Failure::from(keyring).exit_code(), LOCAL);
        assert_eq!(
            Failure::from(Error::UnknownAccount("x".into())).exit_code(),
            USAGE
        );
    }
}
