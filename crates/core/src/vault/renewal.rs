//! Fresh access tokens: served from the store while the freshness policy allows, renewed
//! otherwise (refresh where the profile has one, a new login where not) under the
//! account's lock, so however many processes ask at once only the first renews. A failed
//! renewal keeps the tokens held and is noted in the catalog until one succeeds.

use time::Duration;

use super::Vault;
use super::audit::AuditKind;
use super::catalog::{AccountRecord, SecondFactor};
use super::secrets::{SecretKey, SecretKind, blocking};
use super::status::RenewalFailure;
use crate::auth::{LoginSecrets, SignInPrompt, Target, Token, TokenSet};
use crate::error::{Error, Result};
use crate::freshness::Renewal;
use crate::secret::Secret;
use crate::totp::Totp;

/// How a token was obtained, for callers that report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The stored token was fresh enough.
    Stored,
    /// Another process renewed it while this one waited for the lock.
    RenewedElsewhere,
    /// This call refreshed it.
    Refreshed,
    /// This call logged in.
    LoggedIn,
}

impl Vault {
    /// Renews now (refresh, or login), whatever the tokens held.
    pub async fn renew_now(&self, name: &str) -> Result<(Token, Source)> {
        let record = self.catalog()?.account(name)?.clone();
        let _lock = self.lock(&record.id).await?;
        let (tokens, source) = self.renew(&record).await?;
        Ok((tokens.access, source))
    }

    /// The stored access token of an account, fresh or not, without any call.
    pub async fn stored_access_token(&self, name: &str) -> Result<Option<Token>> {
        let record = self.catalog()?.account(name)?.clone();
        self.stored_access(&record).await
    }

    /// An access token of `name` valid for at least `min_valid`. Renewal happens under
    /// the account's lock, and the stored tokens are read again once the lock is held,
    /// so when several processes ask at once only the first renews.
    pub async fn access_token(&self, name: &str, min_valid: Duration) -> Result<(Token, Source)> {
        let record = self.catalog()?.account(name)?.clone();
        if let Some(token) = self.stored_access(&record).await?
            && self.policy.can_serve(&token, self.clock.now(), min_valid)
        {
            return Ok((token, Source::Stored));
        }
        let _lock = self.lock(&record.id).await?;
        let record = self.catalog()?.account(name)?.clone();
        if let Some(token) = self.stored_access(&record).await?
            && self.policy.can_serve(&token, self.clock.now(), min_valid)
        {
            return Ok((token, Source::RenewedElsewhere));
        }
        let (tokens, source) = self.renew(&record).await?;
        Ok((tokens.access, source))
    }

    /// Logs in now, whatever the tokens held.
    pub async fn login(&self, name: &str) -> Result<TokenSet> {
        self.login_with(name, None, None).await
    }

    /// Logs in now with a one-time code the user gave (accounts whose code is asked).
    pub async fn login_with_code(&self, name: &str, code: Secret) -> Result<TokenSet> {
        self.login_with(name, Some(code), None).await
    }

    /// Signs in again with a person there (the device flow): `prompt` shows them what to do.
    pub async fn sign_in(&self, name: &str, prompt: &dyn SignInPrompt) -> Result<TokenSet> {
        self.login_with(name, None, Some(prompt)).await
    }

    async fn login_with(
        &self,
        name: &str,
        code: Option<Secret>,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<TokenSet> {
        let record = self.catalog()?.account(name)?.clone();
        let _lock = self.lock(&record.id).await?;
        let record = self.catalog()?.account(name)?.clone();
        let outcome = self
            .fresh_login(&record, AuditKind::Login, code, prompt)
            .await;
        if let Err(error) = &outcome {
            self.note_failure(&record, error).await;
        }
        outcome
    }

    /// Renews, and notes a failure in the catalog (a success clears it as it stores the
    /// new tokens).
    async fn renew(&self, record: &AccountRecord) -> Result<(TokenSet, Source)> {
        let outcome = self.refresh_or_login(record).await;
        if let Err(error) = &outcome {
            self.note_failure(record, error).await;
        }
        outcome
    }

    /// Notes a failed renewal in the catalog, so `status` and every window see it. The
    /// same failure again keeps its first instant (and costs no write). Failing to write
    /// the note is logged, never put in place of the failure itself.
    async fn note_failure(&self, record: &AccountRecord, error: &Error) {
        let failure = RenewalFailure::new(error, self.clock.now());
        let id = record.id.clone();
        let catalog = self.catalog.clone();
        let noted = tokio::task::spawn_blocking(move || {
            let same = |noted: &RenewalFailure| {
                noted.code == failure.code && noted.message == failure.message
            };
            let unchanged = catalog.load().ok().is_some_and(|c| {
                c.account(&id)
                    .is_ok_and(|a| a.tokens.last_failure.as_ref().is_some_and(same))
            });
            if unchanged {
                return Ok(());
            }
            catalog.update(|c| {
                if let Some(account) = c.accounts.iter_mut().find(|a| a.id == id) {
                    account.tokens.last_failure = Some(failure.clone());
                }
                Ok(())
            })
        })
        .await;
        match noted {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(code = %e.code(), "could not note the failure: {e}"),
            Err(e) => tracing::warn!("could not note the failure: {e}"),
        }
    }

    async fn refresh_or_login(&self, record: &AccountRecord) -> Result<(TokenSet, Source)> {
        let catalog = self.catalog()?;
        let target = self.target(record, &catalog)?;
        let now = self.clock.now();
        let refresh_key = SecretKey::new(&record.id, SecretKind::RefreshToken);
        let refresh = blocking(&self.store, move |s| s.get(&refresh_key)).await?;
        let refresh = refresh
            .filter(|_| target.profile().has_refresh())
            .map(|value| Token {
                value,
                expires_at: record.tokens.refresh_expires_at,
                obtained_at: now,
            });
        if let Some(refresh) =
            refresh.filter(|r| self.policy.renewal(Some(r), now) == Renewal::Refresh)
        {
            let client = self.client_secret(record, &target).await?;
            match self
                .authenticator(record)?
                .refresh(&target, &refresh.value, &client, now)
                .await
            {
                Ok(mut tokens) => {
                    // A profile that says its refresh tokens do not rotate keeps the one
                    // it holds, whatever the answer carries.
                    if !target.profile().refresh.as_ref().is_none_or(|r| r.rotates) {
                        tokens.refresh = None;
                    }
                    let new_refresh = tokens.refresh.is_some();
                    if !new_refresh {
                        tokens.refresh = Some(refresh);
                    }
                    self.keep_with(record, &tokens, new_refresh).await?;
                    self.record(&record.id, AuditKind::Refresh, "ok");
                    return Ok((tokens, Source::Refreshed));
                }
                Err(Error::RefreshRejected { .. }) => {
                    self.record(&record.id, AuditKind::Refresh, "refresh_rejected");
                }
                Err(other) => {
                    self.record(&record.id, AuditKind::Refresh, other.code().as_str());
                    return Err(other);
                }
            }
        }
        let kind = if record.tokens.access_obtained_at.is_some() {
            AuditKind::Relogin
        } else {
            AuditKind::Login
        };
        let tokens = self.fresh_login(record, kind, None, None).await?;
        Ok((tokens, Source::LoggedIn))
    }

    /// Logs in with the account's kept secrets, and for a second factor a code: generated
    /// from its TOTP secret, or `code` when the user gave one. An account that signs in in
    /// a browser does so only when a person is there to be shown how (`prompt`).
    async fn fresh_login(
        &self,
        record: &AccountRecord,
        kind: AuditKind,
        code: Option<Secret>,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<TokenSet> {
        match self.fresh_login_once(record, kind, code, prompt).await {
            // The members of a team log in to one account with one TOTP secret: another
            // member's login may have spent this step's code a moment before. One more try,
            // with the next step's code (a code is never sent twice).
            Err(Error::OtpRejected { .. })
                if record.team.is_some() && record.second_factor == Some(SecondFactor::Totp) =>
            {
                let record = self.catalog()?.account(&record.id)?.clone();
                self.fresh_login_once(&record, kind, None, prompt).await
            }
            outcome => outcome,
        }
    }

    async fn fresh_login_once(
        &self,
        record: &AccountRecord,
        kind: AuditKind,
        code: Option<Secret>,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<TokenSet> {
        // A team's account logs in with the secrets its team has now.
        self.refresh_team_secrets(record).await?;
        let target = self.target(record, &self.catalog()?)?;
        let mut secrets = self.client_secret(record, &target).await?;
        let (outcome, step) = if target.profile().needs_person() {
            let Some(prompt) = prompt else {
                self.record(&record.id, kind, "sign_in_required");
                return Err(Error::SignInRequired {
                    account: record.name.clone(),
                    advice: format!(
                        "run `tokenvault login {}` to sign in in a browser, or sign in from the app",
                        record.name
                    ),
                });
            };
            let authenticator = self.authenticator(record)?;
            (authenticator.sign_in(&target, &secrets, prompt).await, None)
        } else {
            if target.profile().needs_password() {
                let password_key = SecretKey::new(&record.id, SecretKind::Password);
                secrets.password = Some(
                    blocking(&self.store, move |s| s.get(&password_key))
                        .await?
                        .ok_or_else(|| missing(record, "password"))?,
                );
            }
            let step = match record.second_factor {
                None => None,
                Some(SecondFactor::Totp) => {
                    let (code, step) = self.totp_code(record).await?;
                    secrets.one_time_code = Some(code);
                    Some(step)
                }
                Some(SecondFactor::Ask) => {
                    secrets.one_time_code = Some(code.filter(|c| !c.is_empty()).ok_or_else(
                        || Error::OtpRequired {
                            identity: record.identity.clone(),
                            advice: format!(
                                "its code is asked at every login: run `tokenvault login {} \
                                 --otp`, or log in from the app",
                                record.name
                            ),
                        },
                    )?);
                    None
                }
            };
            let authenticator = self.authenticator(record)?;
            let outcome = authenticator
                .login(&target, &record.identity, &secrets, self.clock.now())
                .await;
            (outcome, step)
        };
        if let Some(step) = step {
            self.note_otp_step(record, step).await;
        }
        match outcome {
            Ok(tokens) => {
                self.keep(record, &tokens).await?;
                self.record(&record.id, kind, "ok");
                Ok(tokens)
            }
            Err(e) => {
                self.record(&record.id, kind, e.code().as_str());
                Err(e)
            }
        }
    }

    /// The code of the account's TOTP secret for now, and its time step. A code is never
    /// sent twice: when the last login used this step's code, this waits for the next.
    async fn totp_code(&self, record: &AccountRecord) -> Result<(Secret, u64)> {
        let key = SecretKey::new(&record.id, SecretKind::Totp);
        let kept = blocking(&self.store, move |s| s.get(&key))
            .await?
            .ok_or_else(|| missing(record, "TOTP secret"))?;
        let totp = Totp::parse(&kept)?;
        let mut now = self.clock.now().unix_timestamp();
        if record.tokens.otp_step == Some(totp.step_at(now)) {
            let wait = totp.seconds_to_next_step(now);
            tracing::info!(account = %record.id, "waiting {wait} s for the next one-time code");
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            now = self.clock.now().unix_timestamp().max(now + wait as i64);
        }
        Ok((totp.code_at(now), totp.step_at(now)))
    }

    /// Notes the TOTP step whose code was sent, so no later login sends it again.
    async fn note_otp_step(&self, record: &AccountRecord, step: u64) {
        let id = record.id.clone();
        let catalog = self.catalog.clone();
        let noted = tokio::task::spawn_blocking(move || {
            catalog.update(|c| {
                if let Some(account) = c.accounts.iter_mut().find(|a| a.id == id) {
                    account.tokens.otp_step = Some(step);
                }
                Ok(())
            })
        })
        .await;
        if !matches!(noted, Ok(Ok(()))) {
            tracing::warn!(account = %record.id, "could not note the one-time code's step");
        }
    }

    /// The client secret of an account whose profile authenticates its client with one
    /// (read only then: a keyring call costs), as the secrets of a refresh.
    pub(super) async fn client_secret(
        &self,
        record: &AccountRecord,
        target: &Target,
    ) -> Result<LoginSecrets> {
        if !target.profile().needs_client_secret() {
            return Ok(LoginSecrets::default());
        }
        let key = SecretKey::new(&record.id, SecretKind::ClientSecret);
        let secret = blocking(&self.store, move |s| s.get(&key))
            .await?
            .ok_or_else(|| missing(record, "client secret"))?;
        Ok(LoginSecrets::client_secret(secret))
    }

    /// Stores new tokens: a rotated refresh token first (the old one is already spent),
    /// then the access token, then the instants in the catalog.
    pub(super) async fn keep(&self, record: &AccountRecord, tokens: &TokenSet) -> Result<()> {
        self.keep_with(record, tokens, true).await
    }

    /// [`Self::keep`], writing the refresh token only when `new_refresh` says it changed
    /// (a keyring write is the dearest step of a renewal).
    async fn keep_with(
        &self,
        record: &AccountRecord,
        tokens: &TokenSet,
        new_refresh: bool,
    ) -> Result<()> {
        if let Some(refresh) = tokens.refresh.clone().filter(|_| new_refresh) {
            let key = SecretKey::new(&record.id, SecretKind::RefreshToken);
            blocking(&self.store, move |s| s.set(&key, &refresh.value)).await?;
        }
        let access = tokens.access.value.clone();
        let key = SecretKey::new(&record.id, SecretKind::AccessToken);
        blocking(&self.store, move |s| s.set(&key, &access)).await?;
        self.cache(&record.id, tokens.access.obtained_at, &tokens.access.value);
        let id = record.id.clone();
        let (obtained_at, expires_at) = (tokens.access.obtained_at, tokens.access.expires_at);
        let refresh_expires_at = tokens.refresh.as_ref().and_then(|r| r.expires_at);
        // Off the async threads: with many accounts, encoding and syncing the catalog
        // takes long enough to hold up everything else the runtime does.
        let catalog = self.catalog.clone();
        tokio::task::spawn_blocking(move || {
            catalog.update(|c| {
                if let Some(account) = c.accounts.iter_mut().find(|a| a.id == id) {
                    account.tokens.access_obtained_at = Some(obtained_at);
                    account.tokens.access_expires_at = expires_at;
                    if refresh_expires_at.is_some() {
                        account.tokens.refresh_expires_at = refresh_expires_at;
                    }
                    account.tokens.last_failure = None;
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| Error::Storage {
            action: "write",
            path: self.catalog.path().display().to_string(),
            problem: e.to_string(),
        })?
    }

    async fn stored_access(&self, record: &AccountRecord) -> Result<Option<Token>> {
        if let Some(obtained_at) = record.tokens.access_obtained_at {
            let cached = self
                .cached
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&record.id)
                .filter(|(at, _)| *at == obtained_at)
                .map(|(_, value)| value.clone());
            if let Some(value) = cached {
                return Ok(Some(Token {
                    value,
                    expires_at: record.tokens.access_expires_at,
                    obtained_at,
                }));
            }
        }
        let key = SecretKey::new(&record.id, SecretKind::AccessToken);
        let value = blocking(&self.store, move |s| s.get(&key)).await?;
        if let (Some(value), Some(obtained_at)) = (&value, record.tokens.access_obtained_at) {
            self.cache(&record.id, obtained_at, value);
        }
        Ok(value.map(|value| Token {
            value,
            expires_at: record.tokens.access_expires_at,
            obtained_at: record.tokens.access_obtained_at.unwrap_or(self.clock.now()),
        }))
    }
}

/// A secret the account needs that the store does not hold.
fn missing(record: &AccountRecord, what: &str) -> Error {
    Error::Storage {
        action: "find",
        path: format!("the {what} of {}", record.name),
        problem: "it is not in the secret store; set it again".into(),
    }
}
