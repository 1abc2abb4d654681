//! What crosses IPC: account statuses with instants as Unix milliseconds, and no secret.

use serde::Serialize;
use time::OffsetDateTime;
use tokenvault_core::vault::status::{AccountStatus, RenewalFailure, RenewalOutcome, TokenState};
use tokenvault_core::{Error, ErrorCode};
use ts_rs::TS;

/// An account row as the window shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    id: String,
    name: String,
    environment: String,
    profile: String,
    base_url: String,
    identity: String,
    team: Option<String>,
    state: TokenState,
    access_expires_at: Option<i64>,
    access_obtained_at: Option<i64>,
    refresh_expires_at: Option<i64>,
    renew_at: Option<i64>,
    last_renewal: Option<RenewalOutcome>,
    failure: Option<FailureView>,
}

/// A failure as `{code, message}`, and the form field at fault when there is one.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "Failure")]
pub struct FailureView {
    code: FailureCode,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    field: Option<&'static str>,
}

/// A failure's code: the core's, or one of the few the window's own checks give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum FailureCode {
    /// An error of the core.
    Core(ErrorCode),
    /// A check of the shell's.
    Shell(ShellCode),
}

/// The codes of the shell's own checks, before anything reaches the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShellCode {
    /// The clipboard cannot be used.
    Clipboard,
    /// A setting is out of its range.
    InvalidSettings,
    /// The app does not serve the command line.
    NoAgent,
    /// The account holds no token yet.
    NoToken,
    /// What was pasted is not a readable JWT.
    NotAJwt,
    /// The person cancelled the sign-in.
    Cancelled,
    /// A local proxy cannot listen on its port.
    PortUnavailable,
}

impl ShellCode {
    /// Every code, in a fixed order (for the window's table of words).
    pub const ALL: [ShellCode; 7] = [
        ShellCode::Clipboard,
        ShellCode::InvalidSettings,
        ShellCode::NoAgent,
        ShellCode::NoToken,
        ShellCode::NotAJwt,
        ShellCode::Cancelled,
        ShellCode::PortUnavailable,
    ];
}

impl From<ErrorCode> for FailureCode {
    fn from(code: ErrorCode) -> Self {
        FailureCode::Core(code)
    }
}

impl From<ShellCode> for FailureCode {
    fn from(code: ShellCode) -> Self {
        FailureCode::Shell(code)
    }
}

impl FailureView {
    /// A failure of the shell itself (not of the core).
    pub fn new(code: impl Into<FailureCode>, message: String) -> Self {
        Self {
            code: code.into(),
            message,
            field: None,
        }
    }

    /// A form field that is not acceptable.
    pub fn invalid(code: impl Into<FailureCode>, field: &'static str, message: String) -> Self {
        Self {
            code: code.into(),
            message,
            field: Some(field),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field at fault, if any.
    #[cfg(test)]
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }
}

impl From<&RenewalFailure> for FailureView {
    fn from(failure: &RenewalFailure) -> Self {
        Self::new(failure.code, failure.message.clone())
    }
}

impl From<Error> for FailureView {
    fn from(error: Error) -> Self {
        let field = match &error {
            Error::InvalidAccount { field, .. } => Some(*field),
            Error::InvalidPrivateToken { field, .. } => Some(*field),
            Error::InvalidOtt { .. } => Some("ott"),
            Error::InvalidProfile { .. } => Some("profile"),
            Error::InvalidBaseUrl { .. } => Some("baseUrl"),
            Error::CredentialsRejected { .. } => Some("password"),
            Error::ClientRejected { .. } => Some("client_secret"),
            _ => None,
        };
        Self {
            code: error.code().into(),
            message: error.to_string(),
            field,
        }
    }
}

/// Unix milliseconds, as the window counts time.
pub fn millis(at: Option<OffsetDateTime>) -> Option<i64> {
    at.map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
}

/// The rows for a set of statuses.
pub fn accounts(statuses: &[AccountStatus]) -> Vec<AccountView> {
    statuses.iter().map(account).collect()
}

fn account(status: &AccountStatus) -> AccountView {
    let a = &status.account;
    AccountView {
        id: a.id.clone(),
        name: a.name.clone(),
        environment: a.environment.clone(),
        profile: a.profile.clone(),
        base_url: a.base_url.clone(),
        identity: a.identity.clone(),
        team: a.team.clone(),
        state: status.state,
        access_expires_at: millis(status.access_expires_at),
        access_obtained_at: millis(status.access_obtained_at),
        refresh_expires_at: millis(status.refresh_expires_at),
        renew_at: millis(status.renew_at),
        last_renewal: status.last_renewal,
        failure: status.failure.as_ref().map(FailureView::from),
    }
}
