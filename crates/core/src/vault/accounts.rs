//! Accounts with their secrets, as the app and the command line use them: add an
//! account, and get a fresh access token that is renewed at most once however many
//! processes ask at the same moment.

use std::sync::Arc;

use time::Duration;

use super::audit::{AuditEvent, AuditKind, AuditLog};
use super::catalog::{AccountRecord, Catalog, CatalogFile};
use super::home::Home;
use super::lock::{FileLock, account_lock};
use super::new_account::NewAccount;
use super::secrets::{SecretKey, SecretKind, SecretStore, blocking};
use crate::auth::{
    Authenticator, CreatedPrivateToken, HttpOptions, OttOutcome, PrivateTokenInfo, Target, Token,
    TokenSet,
};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::freshness::{FreshnessPolicy, Renewal};
use crate::profile::{Profile, preset};
use crate::secret::Secret;

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

/// The accounts of one data folder and their secrets.
#[derive(Debug)]
pub struct Accounts {
    home: Home,
    catalog: CatalogFile,
    store: Arc<dyn SecretStore>,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
    policy: FreshnessPolicy,
    /// Access tokens read from or written to the store, by account id, with the instant
    /// they were obtained. The catalog records that instant for every renewal, by any
    /// process, so a cached token is used only while the catalog still names it: a
    /// long-running process (the agent) then serves tokens without a keyring call.
    cached: std::sync::Mutex<std::collections::HashMap<String, (time::OffsetDateTime, Secret)>>,
    /// Whether tokens may be cached at all: not while a locked agent holds this vault.
    caching: std::sync::atomic::AtomicBool,
    /// One HTTP client for the accounts that trust no extra CA, so a long-running process
    /// keeps its connections and TLS set-up between calls.
    http: std::sync::OnceLock<Authenticator>,
}

impl Accounts {
    /// The accounts of `home`, with secrets in `store`.
    pub fn new(home: Home, store: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog: CatalogFile::new(home.catalog()),
            audit: AuditLog::new(home.audit(), 512 * 1024),
            home,
            store,
            clock,
            policy: FreshnessPolicy::default(),
            cached: std::sync::Mutex::default(),
            caching: std::sync::atomic::AtomicBool::new(true),
            http: std::sync::OnceLock::new(),
        }
    }

    /// Drops every cached token and caches none until [`Self::resume_caching`] (the agent
    /// does both when it is locked and unlocked): a renewal that finishes meanwhile stores
    /// its token in the secret store only.
    pub fn pause_caching(&self) {
        use std::sync::atomic::Ordering;
        self.caching.store(false, Ordering::SeqCst);
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Caches tokens again.
    pub fn resume_caching(&self) {
        self.caching
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn cache(&self, id: &str, obtained_at: time::OffsetDateTime, value: &Secret) {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        // Checked under the cache's lock, so a pause either sees this entry and clears it
        // or comes first and this adds nothing.
        if self.caching.load(std::sync::atomic::Ordering::SeqCst) {
            cached.insert(id.to_owned(), (obtained_at, value.clone()));
        }
    }

    fn uncache(&self, id: &str) {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// The catalog file's path.
    pub fn catalog_path(&self) -> std::path::PathBuf {
        self.catalog.path().to_path_buf()
    }

    /// The catalog as it is on disk now.
    pub fn catalog(&self) -> Result<Catalog> {
        self.catalog.load()
    }

    /// The secret store in use.
    pub fn store(&self) -> &Arc<dyn SecretStore> {
        &self.store
    }

    /// The audit trail.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Adds an account: the password goes to the secret store first, then the record
    /// to the catalog, so a catalog entry never lacks its password.
    pub async fn add(&self, record: AccountRecord, password: Secret) -> Result<()> {
        self.addable(&record)?;
        let key = SecretKey::new(&record.id, SecretKind::Password);
        blocking(&self.store, move |s| s.set(&key, &password)).await?;
        self.catalog.update(|c| {
            c.accounts.push(record.clone());
            Ok(())
        })?;
        self.record(&record.id, AuditKind::AccountChange, "ok");
        Ok(())
    }

    /// Logs in as a new account would, storing nothing: the "Test login" of a form.
    pub async fn try_login(&self, account: &NewAccount, password: &Secret) -> Result<TokenSet> {
        let target = account.target()?;
        if password.is_empty() {
            return Err(Error::InvalidAccount {
                field: "password",
                problem: "give the password".into(),
            });
        }
        authenticator(account.ca_cert_pem.as_deref())?
            .login(&target, account.identity.trim(), password, self.clock.now())
            .await
    }

    /// Adds an account only if it can log in: the login is tried first, and nothing is
    /// stored when it fails. Then the password, the account (with its custom profile, if
    /// any) and its tokens are kept.
    pub async fn add_after_login(&self, account: NewAccount, password: Secret) -> Result<TokenSet> {
        let (record, profile) = account.record()?;
        self.check_name_is_free(&record)?;
        let tokens = match self.try_login(&account, &password).await {
            Ok(tokens) => tokens,
            Err(e) => {
                self.record(&record.id, AuditKind::Login, e.code());
                return Err(e);
            }
        };
        let key = SecretKey::new(&record.id, SecretKind::Password);
        blocking(&self.store, move |s| s.set(&key, &password)).await?;
        self.catalog.update(|c| {
            if let Some(profile) = &profile {
                c.profiles.retain(|p| p.id != profile.id);
                c.profiles.push(profile.clone());
            }
            c.accounts.push(record.clone());
            Ok(())
        })?;
        self.keep(&record, &tokens).await?;
        self.record(&record.id, AuditKind::AccountChange, "ok");
        self.record(&record.id, AuditKind::Login, "ok");
        Ok(tokens)
    }

    /// Changes an account (its name, environment, profile, base URL, identity, and the
    /// password when one is given) only if the changed account can log in; its id, and so
    /// its secrets' names, stay. The new tokens replace the old ones.
    pub async fn edit_after_login(
        &self,
        id: &str,
        account: NewAccount,
        password: Option<Secret>,
    ) -> Result<TokenSet> {
        let existing = self.catalog()?.account(id)?.clone();
        let (mut record, profile) = account.record()?;
        record.id = existing.id.clone();
        record.overrides = existing.overrides.clone();
        record.ca_cert_pem = existing.ca_cert_pem.clone();
        let taken = self
            .catalog()?
            .accounts
            .iter()
            .any(|a| a.id != existing.id && (a.name == record.name || a.id == account.id()));
        if taken {
            return Err(Error::InvalidAccount {
                field: "name",
                problem: format!("an account named `{}` already exists", record.name),
            });
        }
        let _lock = self.lock(&existing.id).await?;
        let password = match password.filter(|p| !p.is_empty()) {
            Some(new) => new,
            None => {
                let key = SecretKey::new(&existing.id, SecretKind::Password);
                blocking(&self.store, move |s| s.get(&key))
                    .await?
                    .ok_or_else(|| Error::InvalidAccount {
                        field: "password",
                        problem: "no password is saved for this account; give it".into(),
                    })?
            }
        };
        let tokens = self.try_login(&account, &password).await?;
        let key = SecretKey::new(&existing.id, SecretKind::Password);
        blocking(&self.store, move |s| s.set(&key, &password)).await?;
        self.catalog.update(|c| {
            if let Some(profile) = &profile {
                c.profiles.retain(|p| p.id != profile.id);
                c.profiles.push(profile.clone());
            }
            if let Some(kept) = c.accounts.iter_mut().find(|a| a.id == record.id) {
                *kept = record.clone();
            }
            Ok(())
        })?;
        self.keep(&record, &tokens).await?;
        self.record(&record.id, AuditKind::AccountChange, "ok");
        Ok(tokens)
    }

    /// The target of a new account, if its profile resolves and its name is free.
    fn addable(&self, record: &AccountRecord) -> Result<Target> {
        let target = self.target(record, &self.catalog()?)?;
        self.check_name_is_free(record)?;
        Ok(target)
    }

    fn check_name_is_free(&self, record: &AccountRecord) -> Result<()> {
        let catalog = self.catalog()?;
        if catalog
            .accounts
            .iter()
            .any(|a| a.name == record.name || a.id == record.id)
        {
            return Err(Error::InvalidAccount {
                field: "name",
                problem: format!("an account named `{}` already exists", record.name),
            });
        }
        Ok(())
    }

    /// Removes an account and every secret of it.
    pub async fn remove(&self, name: &str) -> Result<AccountRecord> {
        let record = self.catalog()?.account(name)?.clone();
        let _lock = self.lock(&record.id).await?;
        for kind in [
            SecretKind::Password,
            SecretKind::AccessToken,
            SecretKind::RefreshToken,
        ] {
            let key = SecretKey::new(&record.id, kind);
            blocking(&self.store, move |s| s.delete(&key)).await?;
        }
        self.catalog.update(|c| {
            c.accounts.retain(|a| a.id != record.id);
            Ok(())
        })?;
        self.uncache(&record.id);
        self.record(&record.id, AuditKind::AccountChange, "ok");
        Ok(record)
    }

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

    /// Verifies a one-time token with the account's fresh access token.
    pub async fn verify_ott(&self, name: &str, ott: &Secret) -> Result<OttOutcome> {
        let (record, target, access) = self.call_context(name).await?;
        let outcome = self
            .authenticator(&record)?
            .verify_ott(&target, &access.value, ott)
            .await;
        let audit = match &outcome {
            Ok(o) if o.valid => "ok",
            Ok(_) => "ott_invalid",
            Err(e) => e.code(),
        };
        self.record(&record.id, AuditKind::OttVerify, audit);
        outcome
    }

    /// Creates a private token; it is kept in the secret store and shown once.
    pub async fn create_private_token(
        &self,
        name: &str,
        label: &str,
        expires_at: time::OffsetDateTime,
    ) -> Result<CreatedPrivateToken> {
        let (record, target, access) = self.call_context(name).await?;
        let created = self
            .authenticator(&record)?
            .create_private_token(&target, &access.value, label, expires_at, self.clock.now())
            .await;
        self.record(
            &record.id,
            AuditKind::PrivateTokenCreate,
            created.as_ref().map_or_else(|e| e.code(), |_| "ok"),
        );
        let created = created?;
        let key = SecretKey::new(
            &record.id,
            SecretKind::PrivateToken(created.info.id.clone()),
        );
        let value = created.token.clone();
        blocking(&self.store, move |s| s.set(&key, &value)).await?;
        Ok(created)
    }

    /// Lists the account's private tokens.
    pub async fn list_private_tokens(&self, name: &str) -> Result<Vec<PrivateTokenInfo>> {
        let (record, target, access) = self.call_context(name).await?;
        self.authenticator(&record)?
            .list_private_tokens(&target, &access.value)
            .await
    }

    /// The value of a private token this vault created, if it still has it.
    pub async fn private_token(&self, name: &str, id: &str) -> Result<Option<Secret>> {
        let record = self.catalog()?.account(name)?.clone();
        let key = SecretKey::new(&record.id, SecretKind::PrivateToken(id.to_owned()));
        blocking(&self.store, move |s| s.get(&key)).await
    }

    /// Revokes one of the account's private tokens, and forgets its value.
    pub async fn revoke_private_token(&self, name: &str, id: &str) -> Result<()> {
        let (record, target, access) = self.call_context(name).await?;
        let revoked = self
            .authenticator(&record)?
            .revoke_private_token(&target, &access.value, id)
            .await;
        self.record(
            &record.id,
            AuditKind::PrivateTokenRevoke,
            revoked.as_ref().map_or_else(|e| e.code(), |_| "ok"),
        );
        revoked?;
        let key = SecretKey::new(&record.id, SecretKind::PrivateToken(id.to_owned()));
        blocking(&self.store, move |s| s.delete(&key)).await
    }

    async fn call_context(&self, name: &str) -> Result<(AccountRecord, Target, Token)> {
        let (access, _) = self.access_token(name, Duration::seconds(30)).await?;
        let catalog = self.catalog()?;
        let record = catalog.account(name)?.clone();
        let target = self.target(&record, &catalog)?;
        Ok((record, target, access))
    }

    /// Records an event in the audit trail (never a secret: kinds, ids and codes).
    pub fn audit_event(&self, account: &str, kind: AuditKind, outcome: &str) {
        self.record(account, kind, outcome);
    }

    /// The profile and base URL of an account, overrides applied.
    pub fn target(&self, record: &AccountRecord, catalog: &Catalog) -> Result<Target> {
        let profile = match preset(&record.profile) {
            Some(p) => p.profile.clone(),
            None => {
                let stored = catalog
                    .profiles
                    .iter()
                    .find(|p| p.id == record.profile)
                    .ok_or_else(|| Error::InvalidProfile {
                        origin: format!("account {}", record.name),
                        field: "profile".into(),
                        problem: format!(
                            "no preset or saved profile is called `{}`",
                            record.profile
                        ),
                    })?;
                Profile::from_toml(&format!("saved profile {}", stored.id), &stored.source)?
            }
        };
        let profile = profile.with_overrides(&record.overrides)?;
        Target::new(profile, &record.base_url, record.allow_plain_http)
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
        let record = self.catalog()?.account(name)?.clone();
        let _lock = self.lock(&record.id).await?;
        self.fresh_login(&record, AuditKind::Login).await
    }

    async fn renew(&self, record: &AccountRecord) -> Result<(TokenSet, Source)> {
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
            match self
                .authenticator(record)?
                .refresh(&target, &refresh.value, now)
                .await
            {
                Ok(mut tokens) => {
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
                    self.record(&record.id, AuditKind::Refresh, other.code());
                    return Err(other);
                }
            }
        }
        let kind = if record.tokens.access_obtained_at.is_some() {
            AuditKind::Relogin
        } else {
            AuditKind::Login
        };
        let tokens = self.fresh_login(record, kind).await?;
        Ok((tokens, Source::LoggedIn))
    }

    async fn fresh_login(&self, record: &AccountRecord, kind: AuditKind) -> Result<TokenSet> {
        let target = self.target(record, &self.catalog()?)?;
        let password_key = SecretKey::new(&record.id, SecretKind::Password);
        let password = blocking(&self.store, move |s| s.get(&password_key))
            .await?
            .ok_or_else(|| Error::Storage {
                action: "find",
                path: format!("the password of {}", record.name),
                problem: "it is not in the secret store; set it again".into(),
            })?;
        let outcome = self
            .authenticator(record)?
            .login(&target, &record.identity, &password, self.clock.now())
            .await;
        match outcome {
            Ok(tokens) => {
                self.keep(record, &tokens).await?;
                self.record(&record.id, kind, "ok");
                Ok(tokens)
            }
            Err(e) => {
                self.record(&record.id, kind, e.code());
                Err(e)
            }
        }
    }

    /// Stores new tokens: a rotated refresh token first (the old one is already spent),
    /// then the access token, then the instants in the catalog.
    async fn keep(&self, record: &AccountRecord, tokens: &TokenSet) -> Result<()> {
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

    async fn lock(&self, account_id: &str) -> Result<FileLock> {
        let folder = self.home.locks();
        let id = account_id.to_owned();
        tokio::task::spawn_blocking(move || account_lock(&folder, &id))
            .await
            .map_err(|e| Error::Storage {
                action: "lock",
                path: account_id.to_owned(),
                problem: e.to_string(),
            })?
    }

    fn authenticator(&self, record: &AccountRecord) -> Result<Authenticator> {
        if record.ca_cert_pem.is_some() {
            return authenticator(record.ca_cert_pem.as_deref());
        }
        if let Some(shared) = self.http.get() {
            return Ok(shared.clone());
        }
        let shared = authenticator(None)?;
        Ok(self.http.get_or_init(|| shared).clone())
    }

    fn record(&self, account: &str, kind: AuditKind, outcome: &str) {
        let event = AuditEvent {
            at: self.clock.now(),
            account: account.to_owned(),
            kind,
            outcome: outcome.to_owned(),
        };
        if let Err(e) = self.audit.record(&event) {
            tracing::warn!("could not write the audit trail: {e}");
        }
    }
}

/// An HTTP client that also trusts `ca_cert_pem`, when given.
fn authenticator(ca_cert_pem: Option<&str>) -> Result<Authenticator> {
    Authenticator::new(HttpOptions {
        extra_ca_pem: ca_cert_pem.map(|p| p.as_bytes().to_vec()),
        ..HttpOptions::default()
    })
}
