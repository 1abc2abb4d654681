//! The profile's calls made with an account's fresh access token: validate, one-time
//! token verification, and private tokens (kept in the secret store, shown once).

use time::Duration;

use super::Vault;
use super::audit::AuditKind;
use super::catalog::AccountRecord;
use super::secrets::{SecretKey, SecretKind, blocking};
use crate::auth::{
    CreatedPrivateToken, Introspection, OttOutcome, PrivateTokenInfo, Target, Token, Validation,
};
use crate::error::{Error, Result};
use crate::inspect::{Key, Verification};
use crate::secret::Secret;

/// The shortest and longest lifetime a private token may be asked for.
pub const PRIVATE_TOKEN_LIFETIME: (Duration, Duration) =
    (Duration::minutes(1), Duration::days(10 * 365));

impl Vault {
    /// Checks the signature of a token of the account `name`: with `key` when the user
    /// gives one, else with the signing keys its server publishes (the profile's
    /// `oauth.jwks_url`, which discovery fills in); with neither it stays unverified. The
    /// keys are fetched as the account's calls are (its extra CA trusted). Published keys
    /// that cannot be fetched leave the token unverified (and say why in the log) rather
    /// than hide its claims; a key the user gave that cannot be read is an error.
    pub async fn check_signature(
        &self,
        name: &str,
        token: &Secret,
        key: Option<Key>,
    ) -> Result<Verification> {
        let record = self.catalog()?.account(name)?.clone();
        let http = self.authenticator(&record)?;
        if let Some(key) = key {
            return key.verify(token.expose(), &http).await;
        }
        let profile = self.catalog()?.profile_of(&record)?;
        let Some(url) = profile.oauth.jwks_url else {
            return Ok(Verification::Unverified);
        };
        match Key::Jwks(url).verify(token.expose(), &http).await {
            Ok(verification) => Ok(verification),
            Err(e) => {
                tracing::warn!(account = %record.id, code = %e.code(), "the published keys: {e}");
                Ok(Verification::Unverified)
            }
        }
    }

    /// What the account's server says of its stored access token (RFC 7662), for tokens
    /// that are not JWTs; `None` when the profile names no introspection endpoint.
    pub async fn introspect(&self, name: &str) -> Result<Option<Introspection>> {
        let record = self.catalog()?.account(name)?.clone();
        let target = self.target(&record, &self.catalog()?)?;
        if target.profile().oauth.introspection_path.is_none() {
            return Ok(None);
        }
        let Some(access) = self.stored_access_token(name).await? else {
            return Err(Error::InvalidAccount {
                field: "name",
                problem: format!("{} holds no access token yet", record.name),
            });
        };
        let secrets = self.client_secret(&record, &target).await?;
        let answer = self
            .authenticator(&record)?
            .introspect(&target, &access.value, &secrets)
            .await;
        self.record(
            &record.id,
            AuditKind::Validate,
            answer.as_ref().map_or_else(|e| e.code().as_str(), |_| "ok"),
        );
        answer.map(Some)
    }

    /// Checks the account's fresh access token with the profile's validate call, and says
    /// whose it is.
    pub async fn validate(&self, name: &str) -> Result<Validation> {
        let (record, target, access) = self.call_context(name).await?;
        let validation = self
            .authenticator(&record)?
            .validate(&target, &access.value)
            .await;
        self.record(
            &record.id,
            AuditKind::Validate,
            validation
                .as_ref()
                .map_or_else(|e| e.code().as_str(), |_| "ok"),
        );
        validation
    }

    /// Verifies a one-time token, as pasted (spaces around it are not part of it), with
    /// the account's fresh access token.
    pub async fn verify_ott(&self, name: &str, ott: &Secret) -> Result<OttOutcome> {
        let ott = Secret::new(ott.expose().trim().to_owned());
        if ott.is_empty() {
            return Err(Error::InvalidOtt {
                problem: "paste the one-time token to verify".into(),
            });
        }
        let (record, target, access) = self.call_context(name).await?;
        let outcome = self
            .authenticator(&record)?
            .verify_ott(&target, &access.value, &ott)
            .await;
        let audit = match &outcome {
            Ok(o) if o.valid => "ok",
            Ok(_) => "ott_invalid",
            Err(e) => e.code().as_str(),
        };
        self.record(&record.id, AuditKind::OttVerify, audit);
        outcome
    }

    /// Creates a private token labelled `label` (trimmed, not empty) that expires at
    /// `expires_at` (a minute to ten years from now); it is kept in the secret store and
    /// shown once.
    pub async fn create_private_token(
        &self,
        name: &str,
        label: &str,
        expires_at: time::OffsetDateTime,
    ) -> Result<CreatedPrivateToken> {
        let label = label.trim();
        if label.is_empty() {
            return Err(Error::InvalidPrivateToken {
                field: "label",
                problem: "give the token a label, so you know it when you revoke it".into(),
            });
        }
        let lifetime = expires_at - self.clock.now();
        if lifetime < PRIVATE_TOKEN_LIFETIME.0 || lifetime > PRIVATE_TOKEN_LIFETIME.1 {
            return Err(Error::InvalidPrivateToken {
                field: "lifetime",
                problem: "the lifetime must be between a minute and ten years".into(),
            });
        }
        let (record, target, access) = self.call_context(name).await?;
        let created = self
            .authenticator(&record)?
            .create_private_token(&target, &access.value, label, expires_at, self.clock.now())
            .await;
        self.record(
            &record.id,
            AuditKind::PrivateTokenCreate,
            created
                .as_ref()
                .map_or_else(|e| e.code().as_str(), |_| "ok"),
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

    /// The value of a private token this vault created and has not revoked.
    pub async fn private_token(&self, name: &str, id: &str) -> Result<Secret> {
        let record = self.catalog()?.account(name)?.clone();
        let key = SecretKey::new(&record.id, SecretKind::PrivateToken(id.to_owned()));
        blocking(&self.store, move |s| s.get(&key))
            .await?
            .ok_or_else(|| Error::PrivateTokenNotHeld {
                account: record.name.clone(),
                id: id.to_owned(),
            })
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
            revoked
                .as_ref()
                .map_or_else(|e| e.code().as_str(), |_| "ok"),
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
}
