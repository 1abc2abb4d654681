//! Keeps every account's access token fresh in the background: each account renews
//! on its own schedule (ahead of expiry, as the freshness policy says), failures back
//! off, and every change is published as a list of statuses that a window or an
//! agent can show.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};
use tokio::sync::watch;

use crate::auth::Token;
use crate::clock::Clock;
use crate::error::Error;
use crate::session::{RenewalOutcome, Session};

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
}

/// Where an account's token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A renewal failure as shown to users: a stable code and a message with no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// [`Error::code`].
    pub code: &'static str,
    /// [`Error`]'s message.
    pub message: String,
}

impl From<&Error> for Failure {
    fn from(error: &Error) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
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
    pub failure: Option<Failure>,
}

struct Kept {
    session: Session,
    status: Mutex<AccountStatus>,
}

/// The background renewer of a set of accounts.
pub struct Keeper {
    accounts: Vec<Arc<Kept>>,
    clock: Arc<dyn Clock>,
    publish: watch::Sender<Vec<AccountStatus>>,
}

impl std::fmt::Debug for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper")
            .field("accounts", &self.accounts.len())
            .finish()
    }
}

impl Keeper {
    /// A keeper of no accounts.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            accounts: Vec::new(),
            clock,
            publish: watch::Sender::new(Vec::new()),
        }
    }

    /// Adds an account and its session (before [`Keeper::start`]).
    pub fn add(&mut self, account: AccountInfo, session: Session) {
        let status = AccountStatus {
            account,
            state: TokenState::LoggingIn,
            access_expires_at: None,
            access_obtained_at: None,
            refresh_expires_at: None,
            renew_at: None,
            last_renewal: None,
            failure: None,
        };
        self.accounts.push(Arc::new(Kept {
            session,
            status: Mutex::new(status),
        }));
        self.publish();
    }

    /// An access token of the account valid for at least `min_valid`, renewing first if
    /// needed; the account's status follows.
    pub async fn access_token(
        &self,
        account_id: &str,
        min_valid: Duration,
    ) -> Result<Token, Error> {
        let kept = self
            .accounts
            .iter()
            .find(|k| lock(&k.status).account.id == account_id)
            .ok_or_else(|| Error::UnknownAccount(account_id.to_owned()))?;
        let token = kept.session.access_token(min_valid).await?;
        if let Some(tokens) = kept.session.tokens().await {
            self.update(kept, |s| {
                s.access_expires_at = tokens.access.expires_at;
                s.access_obtained_at = Some(tokens.access.obtained_at);
            });
        }
        Ok(token)
    }

    /// The statuses now, and every later change.
    pub fn subscribe(&self) -> watch::Receiver<Vec<AccountStatus>> {
        self.publish.subscribe()
    }

    /// The statuses now.
    pub fn statuses(&self) -> Vec<AccountStatus> {
        self.accounts
            .iter()
            .map(|k| lock(&k.status).clone())
            .collect()
    }

    /// Starts one renewal task per account on the current Tokio runtime.
    pub fn start(self: &Arc<Self>) {
        for index in 0..self.accounts.len() {
            let keeper = Arc::clone(self);
            tokio::spawn(async move { keeper.keep(index).await });
        }
    }

    async fn keep(&self, index: usize) {
        let kept = Arc::clone(&self.accounts[index]);
        let mut failures = 0u32;
        loop {
            self.update(&kept, |s| {
                if s.state != TokenState::LoggingIn {
                    s.state = TokenState::Renewing;
                }
            });
            let wait = match kept.session.renew().await {
                Ok(outcome) => {
                    failures = 0;
                    let tokens = kept.session.tokens().await;
                    let renew_at = kept.session.renew_at(jitter_sample(index)).await;
                    self.update(&kept, |s| {
                        s.state = TokenState::Fresh;
                        s.failure = None;
                        s.last_renewal = Some(outcome);
                        s.access_expires_at = tokens.as_ref().and_then(|t| t.access.expires_at);
                        s.access_obtained_at = tokens.as_ref().map(|t| t.access.obtained_at);
                        s.refresh_expires_at = tokens
                            .as_ref()
                            .and_then(|t| t.refresh.as_ref())
                            .and_then(|r| r.expires_at);
                        s.renew_at = renew_at;
                    });
                    match renew_at {
                        Some(at) => until(at, self.clock.now()),
                        // Unknown expiry: check back in a while rather than never.
                        None => StdDuration::from_secs(15 * 60),
                    }
                }
                Err(error) => {
                    let now = self.clock.now();
                    failures += 1;
                    let retry_after = match &error {
                        Error::ServerError { retry_after, .. } => *retry_after,
                        _ => None,
                    };
                    let delay = kept.session.policy().retry_delay(failures, retry_after);
                    let retry = StdDuration::try_from(delay).unwrap_or(StdDuration::from_secs(60));
                    tracing::warn!(account = %lock(&kept.status).account.id, code = error.code(), "renewal failed: {error}");
                    self.update(&kept, |s| {
                        let still_valid = s.access_expires_at.is_none_or(|at| at > now)
                            && s.access_obtained_at.is_some();
                        s.state = if still_valid {
                            TokenState::Failing
                        } else {
                            TokenState::Expired
                        };
                        s.failure = Some(Failure::from(&error));
                        s.renew_at = Some(now + Duration::try_from(retry).unwrap_or_default());
                    });
                    if matches!(
                        error,
                        Error::CredentialsRejected { .. } | Error::InvalidProfile { .. }
                    ) {
                        // Retrying a refused password could lock the account: wait for the user.
                        self.update(&kept, |s| s.renew_at = None);
                        return;
                    }
                    retry
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    fn update(&self, kept: &Kept, change: impl FnOnce(&mut AccountStatus)) {
        change(&mut lock(&kept.status));
        self.publish();
    }

    fn publish(&self) {
        self.publish.send_replace(self.statuses());
    }
}

/// A number in 0..1 that differs between accounts and between calls.
fn jitter_sample(index: usize) -> f64 {
    use std::hash::BuildHasher;
    let bits = std::collections::hash_map::RandomState::new().hash_one(index);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

fn until(at: OffsetDateTime, now: OffsetDateTime) -> StdDuration {
    StdDuration::try_from(at - now).unwrap_or(StdDuration::ZERO)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
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
mod notice_tests {
    use super::*;

    fn status(id: &str, state: TokenState, failure: Option<&str>) -> AccountStatus {
        AccountStatus {
            account: AccountInfo {
                id: id.into(),
                name: id.into(),
                environment: "UAT".into(),
                profile: "prive".into(),
                base_url: "https://x.example".into(),
                identity: "ana".into(),
            },
            state,
            access_expires_at: None,
            access_obtained_at: None,
            refresh_expires_at: None,
            renew_at: None,
            last_renewal: None,
            failure: failure.map(|code| Failure {
                code: "server_error",
                message: code.into(),
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
}
