//! Where each account stands, as a window, the agent and `tokenvault status` show it:
//! everything a countdown needs, and no secret.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, ErrorCode};

/// What an account is, apart from its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Environment label (`UAT`, `Production`, `Demo`).
    pub environment: String,
    /// Profile id.
    pub profile: String,
    /// Base URL.
    pub base_url: String,
    /// Login identity.
    pub identity: String,
    /// The team it is shared in, if any.
    pub team: Option<String>,
}

/// Where an account's token stands; named in kebab case at the edges (`logging-in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum TokenState {
    /// No token yet; the first login is under way.
    LoggingIn,
    /// A valid token is held.
    Fresh,
    /// A renewal is under way (the held token is still served).
    Renewing,
    /// The last renewal failed; the held token, if still valid, is kept.
    Failing,
    /// No valid token is held.
    Expired,
}

/// What happened in a renewal, for status and the audit trail; named in kebab case at the
/// edges (`logged-in-again`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum RenewalOutcome {
    /// A first login.
    LoggedIn,
    /// The refresh call gave a new access token.
    Refreshed,
    /// A new login replaced the tokens (no refresh, or refresh rejected).
    LoggedInAgain,
}

/// A renewal that failed, as users are told of it: a stable code and a message with no
/// secret. Kept in the catalog until a renewal succeeds, so every process sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalFailure {
    /// [`Error::code`].
    pub code: ErrorCode,
    /// [`Error`]'s message.
    pub message: String,
    /// Since when renewals fail this way (the same failure again keeps this instant).
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

impl RenewalFailure {
    /// The failure of `error`, seen at `since`.
    pub fn new(error: &Error, since: OffsetDateTime) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
            since,
        }
    }
}

/// One account's status: everything a countdown needs, and no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountStatus {
    /// The account.
    pub account: AccountInfo,
    /// Token state.
    pub state: TokenState,
    /// When the access token expires.
    pub access_expires_at: Option<OffsetDateTime>,
    /// When the access token was obtained.
    pub access_obtained_at: Option<OffsetDateTime>,
    /// When the refresh token expires, where there is one and it is known.
    pub refresh_expires_at: Option<OffsetDateTime>,
    /// When the next renewal is planned.
    pub renew_at: Option<OffsetDateTime>,
    /// How the last renewal went.
    pub last_renewal: Option<RenewalOutcome>,
    /// The last failure, until a renewal succeeds.
    pub failure: Option<RenewalFailure>,
}

/// The accounts that have just stopped being renewable: failing or expired now, with a
/// failure to tell, and not so before. A window or an agent notifies the user of these
/// once, not on every retry.
pub fn newly_failing<'a>(
    before: &[AccountStatus],
    after: &'a [AccountStatus],
) -> Vec<&'a AccountStatus> {
    let failing = |s: &AccountStatus| {
        matches!(s.state, TokenState::Failing | TokenState::Expired) && s.failure.is_some()
    };
    after
        .iter()
        .filter(|now| failing(now))
        .filter(|now| {
            !before
                .iter()
                .any(|was| was.account.id == now.account.id && failing(was))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn status(id: &str, state: TokenState, failure: Option<&str>) -> AccountStatus {
        AccountStatus {
            account: AccountInfo {
                id: id.into(),
                name: id.into(),
                environment: "UAT".into(),
                profile: "prive".into(),
                base_url: "https://x.example".into(),
                identity: "ana".into(),
                team: None,
            },
            state,
            access_expires_at: None,
            access_obtained_at: None,
            refresh_expires_at: None,
            renew_at: None,
            last_renewal: None,
            failure: failure.map(|message| RenewalFailure {
                code: ErrorCode::ServerError,
                message: message.into(),
                since: datetime!(2026-01-01 0:00 UTC),
            }),
        }
    }

    #[test]
    fn an_account_that_starts_failing_is_told_once() {
        let fresh = [status("a", TokenState::Fresh, None)];
        let failing = [status("a", TokenState::Failing, Some("HTTP 500"))];
        assert_eq!(newly_failing(&fresh, &failing).len(), 1);
        assert!(
            newly_failing(&failing, &failing).is_empty(),
            "not again on a retry"
        );
    }

    #[test]
    fn an_account_that_recovers_and_fails_again_is_told_again() {
        let failing = [status("a", TokenState::Failing, Some("HTTP 500"))];
        let fresh = [status("a", TokenState::Fresh, None)];
        assert!(newly_failing(&failing, &fresh).is_empty());
        assert_eq!(newly_failing(&fresh, &failing).len(), 1);
    }

    #[test]
    fn a_renewal_under_way_is_no_failure() {
        let fresh = [status("a", TokenState::Fresh, None)];
        let renewing = [status("a", TokenState::Renewing, None)];
        assert!(newly_failing(&fresh, &renewing).is_empty());
    }

    #[test]
    fn a_failure_is_kept_as_its_code_its_words_and_its_instant() {
        let failure = status("a", TokenState::Failing, Some("HTTP 500")).failure;
        let json = serde_json::to_string(&failure).unwrap();
        assert_eq!(
            json,
            r#"{"code":"server_error","message":"HTTP 500","since":"2026-01-01T00:00:00Z"}"#
        );
        let back: Option<RenewalFailure> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, failure);
    }
}
