//! One account's live session: its tokens, kept fresh by refresh or re-login,
//! with exactly one renewal in flight however many callers ask at once.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

use crate::auth::{Authenticator, Target, Token, TokenSet};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::freshness::{FreshnessPolicy, Renewal};
use crate::secret::Secret;

/// What happened in a renewal, for status and the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewalOutcome {
    /// A first login.
    LoggedIn,
    /// The refresh call gave a new access token.
    Refreshed,
    /// A new login replaced the tokens (no refresh, or refresh rejected).
    LoggedInAgain,
}

/// The live tokens of one account.
#[derive(Debug)]
pub struct Session {
    target: Target,
    identity: String,
    password: Secret,
    authenticator: Authenticator,
    policy: FreshnessPolicy,
    clock: Arc<dyn Clock>,
    tokens: Mutex<Option<TokenSet>>,
}

impl Session {
    /// A session with no tokens yet.
    pub fn new(
        target: Target,
        identity: impl Into<String>,
        password: Secret,
        authenticator: Authenticator,
        policy: FreshnessPolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            target,
            identity: identity.into(),
            password,
            authenticator,
            policy,
            clock,
            tokens: Mutex::new(None),
        }
    }

    /// The freshness policy in force.
    pub fn policy(&self) -> &FreshnessPolicy {
        &self.policy
    }

    /// A copy of the current tokens, if any.
    pub async fn tokens(&self) -> Option<TokenSet> {
        self.tokens.lock().await.clone()
    }

    /// An access token valid for at least `min_valid`, renewing first if needed.
    pub async fn access_token(&self, min_valid: Duration) -> Result<Token> {
        let mut tokens = self.tokens.lock().await;
        let now = self.clock.now();
        if let Some(set) = tokens.as_ref()
            && self.policy.can_serve(&set.access, now, min_valid)
        {
            return Ok(set.access.clone());
        }
        self.renew_locked(&mut tokens).await?;
        tokens
            .as_ref()
            .map(|set| set.access.clone())
            .ok_or(Error::TokenExpired)
    }

    /// Renews now: refresh where possible, else log in again. On a transient failure the
    /// tokens held are kept untouched.
    pub async fn renew(&self) -> Result<RenewalOutcome> {
        let mut tokens = self.tokens.lock().await;
        self.renew_locked(&mut tokens).await
    }

    /// When the held access token should next be renewed, moved earlier by `jitter_sample`
    /// (0..1) of the policy's jitter.
    pub async fn renew_at(&self, jitter_sample: f64) -> Option<OffsetDateTime> {
        let tokens = self.tokens.lock().await;
        tokens
            .as_ref()
            .and_then(|set| self.policy.jittered(&set.access, jitter_sample))
    }

    async fn renew_locked(&self, tokens: &mut Option<TokenSet>) -> Result<RenewalOutcome> {
        let now = self.clock.now();
        let Some(current) = tokens.as_ref() else {
            *tokens = Some(self.login(now).await?);
            return Ok(RenewalOutcome::LoggedIn);
        };
        let refresh = current
            .refresh
            .as_ref()
            .filter(|_| self.target.profile().has_refresh());
        if self.policy.renewal(refresh, now) == Renewal::Refresh {
            let refresh = refresh.cloned().ok_or(Error::TokenExpired)?;
            match self
                .authenticator
                .refresh(&self.target, &refresh.value, now)
                .await
            {
                Ok(mut fresh) => {
                    if fresh.refresh.is_none() {
                        fresh.refresh = Some(refresh);
                    }
                    *tokens = Some(fresh);
                    return Ok(RenewalOutcome::Refreshed);
                }
                Err(Error::RefreshRejected { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        *tokens = Some(self.login(now).await?);
        Ok(RenewalOutcome::LoggedInAgain)
    }

    async fn login(&self, now: OffsetDateTime) -> Result<TokenSet> {
        self.authenticator
            .login(&self.target, &self.identity, &self.password, now)
            .await
    }
}
