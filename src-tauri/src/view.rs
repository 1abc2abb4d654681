//! What crosses IPC: account statuses with instants as Unix milliseconds, and no secret.

use serde::Serialize;
use time::OffsetDateTime;
use tokenvault_core::keeper::{AccountStatus, Failure, TokenState};
use tokenvault_core::session::RenewalOutcome;

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

/// A failure as `{code, message}`.
#[derive(Debug, Clone, Serialize)]
pub struct FailureView {
    code: &'static str,
    message: String,
}

impl FailureView {
    /// A failure of the shell itself (not of the core).
    pub fn new(code: &'static str, message: String) -> Self {
        Self { code, message }
    }
}

impl From<&Failure> for FailureView {
    fn from(failure: &Failure) -> Self {
        Self {
            code: failure.code,
            message: failure.message.clone(),
        }
    }
}

fn millis(at: Option<OffsetDateTime>) -> Option<i64> {
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
        state: match status.state {
            TokenState::LoggingIn => "logging-in",
            TokenState::Fresh => "fresh",
            TokenState::Renewing => "renewing",
            TokenState::Failing => "failing",
            TokenState::Expired => "expired",
        },
        access_expires_at: millis(status.access_expires_at),
        access_obtained_at: millis(status.access_obtained_at),
        refresh_expires_at: millis(status.refresh_expires_at),
        renew_at: millis(status.renew_at),
        last_renewal: status.last_renewal.map(|r| match r {
            RenewalOutcome::LoggedIn => "logged-in",
            RenewalOutcome::Refreshed => "refreshed",
            RenewalOutcome::LoggedInAgain => "logged-in-again",
        }),
        failure: status.failure.as_ref().map(FailureView::from),
    }
}
