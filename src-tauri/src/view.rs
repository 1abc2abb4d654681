//! What crosses IPC: account statuses with instants as Unix milliseconds, and no secret.

use serde::Serialize;
use time::OffsetDateTime;
use tokenvault_core::Error;
use tokenvault_core::vault::status::{AccountStatus, RenewalFailure};

/// An account row as the window shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    id: String,
    name: String,
    environment: String,
    profile: String,
    base_url: String,
    identity: String,
    state: &'static str,
    access_expires_at: Option<i64>,
    access_obtained_at: Option<i64>,
    refresh_expires_at: Option<i64>,
    renew_at: Option<i64>,
    last_renewal: Option<&'static str>,
    failure: Option<FailureView>,
}

/// A failure as `{code, message}`, and the form field at fault when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct FailureView {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
}

impl FailureView {
    /// A failure of the shell itself (not of the core).
    pub fn new(code: &'static str, message: String) -> Self {
        Self {
            code,
            message,
            field: None,
        }
    }

    /// A form field that is not acceptable.
    pub fn invalid(code: &'static str, field: &'static str, message: String) -> Self {
        Self {
            code,
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
        Self::new(failure.code.as_str(), failure.message.clone())
    }
}

impl From<Error> for FailureView {
    fn from(error: Error) -> Self {
        let field = match &error {
            Error::InvalidAccount { field, .. } => Some(*field),
            Error::InvalidProfile { .. } => Some("profile"),
            Error::InvalidBaseUrl { .. } => Some("baseUrl"),
            Error::CredentialsRejected { .. } => Some("password"),
            _ => None,
        };
        Self {
            code: error.code().as_str(),
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
        state: status.state.as_str(),
        access_expires_at: millis(status.access_expires_at),
        access_obtained_at: millis(status.access_obtained_at),
        refresh_expires_at: millis(status.refresh_expires_at),
        renew_at: millis(status.renew_at),
        last_renewal: status.last_renewal.map(|r| r.as_str()),
        failure: status.failure.as_ref().map(FailureView::from),
    }
}
