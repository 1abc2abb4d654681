//! Adding, editing and removing accounts: nothing is kept unless its login works, and a
//! catalog entry never lacks its password.

use super::Vault;
use super::audit::AuditKind;
use super::catalog::AccountRecord;
use super::new_account::NewAccount;
use super::secrets::{SecretKey, SecretKind, blocking};
use crate::auth::{Target, TokenSet};
use crate::error::{Error, Result};
use crate::secret::Secret;

impl Vault {
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
        super::authenticator(account.ca_cert_pem.as_deref())?
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
                self.record(&record.id, AuditKind::Login, e.code().as_str());
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
}
