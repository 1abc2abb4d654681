//! Adding, editing and removing accounts: nothing is kept unless its login works, and a
//! catalog entry never lacks its password or client secret.

use super::Vault;
use super::audit::AuditKind;
use super::catalog::{AccountRecord, SecondFactor};
use super::new_account::NewAccount;
use super::secrets::{SecretKey, SecretKind, blocking};
use crate::auth::{LoginSecrets, SignInPrompt, Target, TokenHint, TokenSet};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::totp::Totp;

impl Vault {
    /// Adds an account: its secrets go to the secret store first, then the record to the
    /// catalog, so a catalog entry never lacks its password or client secret.
    pub async fn add(&self, record: AccountRecord, secrets: LoginSecrets) -> Result<()> {
        let target = self.addable(&record)?;
        secrets.check_for(target.profile())?;
        self.keep_secrets(&record.id, secrets).await?;
        self.catalog.update(|c| {
            c.accounts.push(record.clone());
            Ok(())
        })?;
        self.record(&record.id, AuditKind::AccountChange, "ok");
        Ok(())
    }

    /// The account pointed at the server an issuer describes (OIDC Discovery): its
    /// endpoints, keys, revocation and introspection become overrides of the account's
    /// profile (the user's own overrides win), and the issuer its base URL when none was
    /// given. The issuer's URL follows the base URL's rules (https, or loopback http).
    pub async fn discovered(&self, account: NewAccount, issuer: &str) -> Result<NewAccount> {
        let profile = account.profile()?;
        Target::new(profile, issuer, account.allow_plain_http).map_err(|e| match e {
            Error::InvalidBaseUrl { url, problem } => Error::InvalidAccount {
                field: "issuer",
                problem: format!("{url}: {problem}"),
            },
            other => other,
        })?;
        let discovery = super::authenticator(account.ca_cert_pem.as_deref())?
            .discover(issuer)
            .await?;
        account.with_discovery(&discovery)
    }

    /// A profile made from the curl command of an API's login (see [`crate::import`]): the
    /// login runs once with `password`, and nothing is stored.
    pub async fn draft_from_curl(
        &self,
        import: &crate::import::draft::CurlImport,
        password: &crate::secret::Secret,
        ca_cert_pem: Option<&str>,
    ) -> Result<crate::import::draft::Draft> {
        let authenticator = super::authenticator(ca_cert_pem)?;
        crate::import::draft::from_curl(&authenticator, import, password, self.clock.now()).await
    }

    /// Logs in as a new account would, storing nothing: the "Test login" of a form.
    pub async fn try_login(
        &self,
        account: &NewAccount,
        secrets: &LoginSecrets,
    ) -> Result<TokenSet> {
        Ok(self.attempt(account, secrets, None).await?.0)
    }

    /// A new account's login, and the TOTP step whose code it sent, if any.
    async fn attempt(
        &self,
        account: &NewAccount,
        secrets: &LoginSecrets,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<(TokenSet, Option<u64>)> {
        let target = account.target()?;
        if target.profile().needs_person() {
            let prompt = prompt.ok_or_else(|| Error::SignInRequired {
                account: account.name.trim().to_owned(),
                advice: "this API signs in in a browser: add it from a terminal or the app".into(),
            })?;
            let tokens = super::authenticator(account.ca_cert_pem.as_deref())?
                .sign_in(&target, secrets, prompt)
                .await?;
            return Ok((tokens, None));
        }
        secrets.check_for(target.profile())?;
        let identity = account.identity(target.profile());
        let now = self.clock.now();
        let mut secrets = secrets.clone();
        let mut step = None;
        match account.second_factor {
            None => secrets.one_time_code = None,
            Some(SecondFactor::Totp) => {
                let totp = secrets
                    .totp_secret
                    .as_ref()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| Error::InvalidAccount {
                        field: "totp_secret",
                        problem: "give the TOTP secret (the otpauth:// URI or the base32 text \
                                  the authenticator set-up shows)"
                            .into(),
                    })
                    .and_then(Totp::parse)?;
                step = Some(totp.step_at(now.unix_timestamp()));
                secrets.one_time_code = Some(totp.code_at(now.unix_timestamp()));
            }
            Some(SecondFactor::Ask) => {
                if secrets.one_time_code.as_ref().is_none_or(|c| c.is_empty()) {
                    return Err(Error::OtpRequired {
                        identity,
                        advice: "give the code the authenticator shows".into(),
                    });
                }
            }
        }
        let tokens = super::authenticator(account.ca_cert_pem.as_deref())?
            .login(&target, &identity, &secrets, now)
            .await?;
        Ok((tokens, step))
    }

    /// Stores the secrets given (a password, a client secret, a TOTP secret in the form
    /// it is read back from); those not given are left.
    async fn keep_secrets(&self, id: &str, secrets: LoginSecrets) -> Result<()> {
        let totp = secrets
            .totp_secret
            .as_ref()
            .map(|s| Totp::parse(s).map(|t| t.to_secret()))
            .transpose()?;
        for (kind, value) in [
            (SecretKind::Password, secrets.password),
            (SecretKind::ClientSecret, secrets.client_secret),
            (SecretKind::Totp, totp),
        ] {
            if let Some(value) = value {
                let key = SecretKey::new(id, kind);
                blocking(&self.store, move |s| s.set(&key, &value)).await?;
            }
        }
        Ok(())
    }

    /// Adds an account only if it can log in: the login is tried first, and nothing is
    /// stored when it fails. Then the password, the account (with its custom profile, if
    /// any) and its tokens are kept.
    pub async fn add_after_login(
        &self,
        account: NewAccount,
        secrets: LoginSecrets,
    ) -> Result<TokenSet> {
        self.add_with(account, secrets, None).await
    }

    /// [`Self::add_after_login`] for an API whose sign-in needs a person (the device flow):
    /// `prompt` shows them what to do, and the account is kept once they approved.
    pub async fn add_after_sign_in(
        &self,
        account: NewAccount,
        secrets: LoginSecrets,
        prompt: &dyn SignInPrompt,
    ) -> Result<TokenSet> {
        self.add_with(account, secrets, Some(prompt)).await
    }

    async fn add_with(
        &self,
        account: NewAccount,
        secrets: LoginSecrets,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<TokenSet> {
        let (mut record, profile) = account.record()?;
        self.check_name_is_free(&record)?;
        let tokens = match self.attempt(&account, &secrets, prompt).await {
            Ok((tokens, step)) => {
                record.tokens.otp_step = step;
                if account.identity.trim().is_empty()
                    && let Some(named) = identity_in(&tokens, self.clock.now())
                {
                    // Signed in in a browser: the token says who.
                    record.identity = named;
                }
                tokens
            }
            Err(e) => {
                self.record(&record.id, AuditKind::Login, e.code().as_str());
                return Err(e);
            }
        };
        self.keep_secrets(&record.id, secrets).await?;
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

    /// Changes an account (its name, environment, profile, base URL, identity, client id,
    /// and the password or client secret when one is given) only if the changed account
    /// can log in; its id, and so its secrets' names, stay. The new tokens replace the old
    /// ones.
    pub async fn edit_after_login(
        &self,
        id: &str,
        account: NewAccount,
        given: LoginSecrets,
    ) -> Result<TokenSet> {
        self.edit_with(id, account, given, None).await
    }

    /// [`Self::edit_after_login`] for an API whose sign-in needs a person: `prompt` shows
    /// them what to do. The account's lock is taken once they have signed in, so nothing
    /// else waits on them.
    pub async fn edit_after_sign_in(
        &self,
        id: &str,
        account: NewAccount,
        given: LoginSecrets,
        prompt: &dyn SignInPrompt,
    ) -> Result<TokenSet> {
        self.edit_with(id, account, given, Some(prompt)).await
    }

    async fn edit_with(
        &self,
        id: &str,
        account: NewAccount,
        given: LoginSecrets,
        prompt: Option<&dyn SignInPrompt>,
    ) -> Result<TokenSet> {
        let existing = self.catalog()?.account(id)?.clone();
        // A form that names no overrides keeps the account's (discovered endpoints among them).
        let mut account = account;
        if account.overrides.is_empty() {
            account.overrides = existing.overrides.clone();
        }
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
        let mut lock = match prompt {
            None => Some(self.lock(&existing.id).await?),
            Some(_) => None,
        };
        let secrets = LoginSecrets {
            password: self
                .given_or_kept(&existing.id, SecretKind::Password, given.password)
                .await?,
            client_secret: self
                .given_or_kept(&existing.id, SecretKind::ClientSecret, given.client_secret)
                .await?,
            totp_secret: self
                .given_or_kept(&existing.id, SecretKind::Totp, given.totp_secret)
                .await?,
            one_time_code: given.one_time_code,
        };
        let (tokens, step) =
            self.attempt(&account, &secrets, prompt)
                .await
                .map_err(|e| match e {
                    // Nothing was given and nothing is kept: say so, not "give the password".
                    Error::InvalidAccount { field, .. }
                        if matches!(field, "password" | "client_secret" | "totp_secret") =>
                    {
                        Error::InvalidAccount {
                            field,
                            problem: format!(
                                "no {} is saved for this account; give it",
                                field.replace('_', " ")
                            ),
                        }
                    }
                    other => other,
                })?;
        if lock.is_none() {
            lock = Some(self.lock(&existing.id).await?);
        }
        record.tokens.otp_step = step;
        if account.identity.trim().is_empty()
            && let Some(named) = identity_in(&tokens, self.clock.now())
        {
            // Signed in in a browser: the token says who.
            record.identity = named;
        }
        self.keep_secrets(&existing.id, secrets).await?;
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
        drop(lock);
        Ok(tokens)
    }

    /// The secret given in a form, or when it is left empty the one kept.
    async fn given_or_kept(
        &self,
        id: &str,
        kind: SecretKind,
        given: Option<Secret>,
    ) -> Result<Option<Secret>> {
        if let Some(given) = given.filter(|s| !s.is_empty()) {
            return Ok(Some(given));
        }
        let key = SecretKey::new(id, kind);
        blocking(&self.store, move |s| s.get(&key)).await
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
    pub async fn remove(&self, name: &str) -> Result<Removed> {
        let record = self.catalog()?.account(name)?.clone();
        let _lock = self.lock(&record.id).await?;
        let revocation = self.revoke_at_server(&record).await;
        for kind in [
            SecretKind::Password,
            SecretKind::ClientSecret,
            SecretKind::Totp,
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
        Ok(Removed { record, revocation })
    }

    /// Revokes the account's refresh token (or, without one, its access token) where its
    /// server offers revocation. Whatever the server says, the account is removed after.
    async fn revoke_at_server(&self, record: &AccountRecord) -> Revocation {
        let attempt = async {
            let target = self.target(record, &self.catalog()?)?;
            if target.profile().oauth.revocation_path.is_none() {
                return Ok(Revocation::NotOffered);
            }
            let held = |kind| {
                let key = SecretKey::new(&record.id, kind);
                blocking(&self.store, move |s| s.get(&key))
            };
            let (token, hint) = match held(SecretKind::RefreshToken).await? {
                Some(refresh) => (refresh, TokenHint::RefreshToken),
                None => match held(SecretKind::AccessToken).await? {
                    Some(access) => (access, TokenHint::AccessToken),
                    None => return Ok(Revocation::NotOffered),
                },
            };
            let secrets = self.client_secret(record, &target).await?;
            self.authenticator(record)?
                .revoke_token(&target, &token, hint, &secrets)
                .await?;
            Ok::<_, Error>(Revocation::Revoked)
        };
        attempt.await.unwrap_or_else(|error| {
            tracing::warn!(account = %record.id, code = %error.code(), "revocation failed: {error}");
            Revocation::Failed(error)
        })
    }
}

/// An account removed, and what its server was told.
#[derive(Debug)]
pub struct Removed {
    /// The account as it was.
    pub record: AccountRecord,
    /// Whether its token was revoked at the server.
    pub revocation: Revocation,
}

/// What removing an account did at its server (RFC 7009).
#[derive(Debug)]
pub enum Revocation {
    /// The server offers no revocation (or no token was held): nothing was sent.
    NotOffered,
    /// The server was told to forget the refresh token (or the access token).
    Revoked,
    /// Telling the server failed; the account was removed all the same.
    Failed(Error),
}

/// Who a token says it belongs to, when it is a JWT that names someone.
fn identity_in(tokens: &TokenSet, now: time::OffsetDateTime) -> Option<String> {
    crate::inspect::inspect(tokens.access.value.expose(), now)
        .ok()
        .and_then(|seen| seen.identity)
}
