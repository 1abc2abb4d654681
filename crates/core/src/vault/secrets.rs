//! Where passwords and tokens live: the OS keyring (with the tokens that rotate in
//! files encrypted under a key the keyring keeps), or, where no keyring is usable, a file
//! encrypted with a key derived from a passphrase. Never a plain file, and never a
//! silent fallback: the tier in use is always named.

mod encrypted;
mod keyring_store;
mod memory;
#[cfg(any(not(target_os = "linux"), test))]
mod parts;
#[cfg(target_os = "linux")]
mod secret_service;
mod token_files;

use std::fmt;
use std::sync::Arc;

pub use encrypted::{EncryptedFileStore, KdfParams};
pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;
pub use token_files::KeyringWithTokenFiles;

use super::home::Home;
use crate::error::Error;
use crate::secret::Secret;

/// Which secret of an account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// The login password.
    Password,
    /// The OAuth client's secret.
    ClientSecret,
    /// The TOTP secret of a generated second factor.
    Totp,
    /// The access token.
    AccessToken,
    /// The refresh token.
    RefreshToken,
    /// A private token, by its id.
    PrivateToken(String),
    /// The key of the vault's token files (its account is empty).
    TokenFileKey,
    /// A team's token for its secret engine (its account is `team:<name>`).
    EngineToken,
}

impl SecretKind {
    /// Access and refresh tokens: they change at every renewal.
    pub fn rotates(&self) -> bool {
        matches!(self, SecretKind::AccessToken | SecretKind::RefreshToken)
    }
}

/// The name of one secret: an account and a kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    /// The account id.
    pub account: String,
    /// Which secret.
    pub kind: SecretKind,
}

impl SecretKey {
    /// A key.
    pub fn new(account: impl Into<String>, kind: SecretKind) -> Self {
        Self {
            account: account.into(),
            kind,
        }
    }

    /// The entry name in the store: `<account>/password`, `<account>/private/<id>`.
    pub fn name(&self) -> String {
        match &self.kind {
            SecretKind::Password => format!("{}/password", self.account),
            SecretKind::ClientSecret => format!("{}/client-secret", self.account),
            SecretKind::Totp => format!("{}/totp", self.account),
            SecretKind::AccessToken => format!("{}/access", self.account),
            SecretKind::RefreshToken => format!("{}/refresh", self.account),
            SecretKind::PrivateToken(id) => format!("{}/private/{id}", self.account),
            SecretKind::TokenFileKey => "token-file-key".to_owned(),
            SecretKind::EngineToken => format!("{}/engine-token", self.account),
        }
    }
}

/// Which kind of store holds the secrets; shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreTier {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    OsKeyring,
    /// An encrypted file in the data folder.
    EncryptedFile,
    /// Memory only, for tests: nothing survives the process.
    Memory,
}

impl fmt::Display for StoreTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreTier::OsKeyring => "OS keyring",
            StoreTier::EncryptedFile => "encrypted file",
            StoreTier::Memory => "memory only",
        })
    }
}

/// A place for secrets. Calls may block (a keyring is a D-Bus round trip, a key
/// derivation takes time): from async code, go through [`blocking`].
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// Which tier this is.
    fn tier(&self) -> StoreTier;
    /// The secret, or `None` when there is none.
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error>;
    /// Stores (or replaces) a secret.
    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error>;
    /// Removes a secret; removing a missing one is not an error.
    fn delete(&self, key: &SecretKey) -> Result<(), Error>;
}

/// Runs a store call on Tokio's blocking pool, off the async runtime's threads.
pub async fn blocking<T: Send + 'static>(
    store: &Arc<dyn SecretStore>,
    call: impl FnOnce(&dyn SecretStore) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| Error::Storage {
            action: "use",
            path: "the secret store".into(),
            problem: e.to_string(),
        })?
}

/// [`open_store`] from async code, giving up after `patience`: a keyring can wait
/// forever on an unlock prompt nobody answers (a locked keyring on a headless display).
pub async fn open_store_patiently(
    home: Home,
    service: String,
    passphrase: Option<Secret>,
    patience: std::time::Duration,
) -> Result<Arc<dyn SecretStore>, Error> {
    let encrypted = home.encrypted_secrets();
    let opening =
        tokio::task::spawn_blocking(move || open_store(&home, &service, passphrase.as_ref()));
    match tokio::time::timeout(patience, opening).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Err(Error::KeyringUnavailable {
            reason: e.to_string(),
        }),
        Err(_) => Err(Error::NoSecretStore {
            reason: format!(
                "the OS keyring did not answer within {} s; it may be waiting for you to unlock it",
                patience.as_secs()
            ),
            advice: passphrase_advice(&encrypted),
        }),
    }
}

/// The keyring service name of a data folder: the app's name for the OS's default folder,
/// and the name with the folder's path for any other (`TOKENVAULT_HOME`, `--home`), so two
/// vaults on one keyring never read or overwrite each other's secrets.
pub fn keyring_service(home: &Home, app: &str) -> String {
    let default = dirs::data_dir().map(|dir| dir.join(app));
    if default.as_deref() == Some(home.path()) {
        app.to_owned()
    } else {
        format!("{app} {}", home.path().display())
    }
}

/// Opens the secret store of this data folder:
/// - an existing encrypted file is opened with the passphrase (it was chosen before);
/// - otherwise the OS keyring, if a probe shows it really keeps what it is given, with
///   the token files beside it;
/// - otherwise a new encrypted file, if a passphrase was given;
/// - otherwise an error that says what to do.
pub fn open_store(
    home: &Home,
    service: &str,
    passphrase: Option<&Secret>,
) -> Result<Arc<dyn SecretStore>, Error> {
    let encrypted = home.encrypted_secrets();
    if encrypted.exists() {
        let passphrase = passphrase.ok_or_else(|| Error::NoSecretStore {
            reason: format!(
                "the secrets are in the encrypted file {}",
                encrypted.display()
            ),
            advice: "Give its passphrase (TOKENVAULT_PASSPHRASE or --passphrase-stdin).".into(),
        })?;
        return Ok(Arc::new(EncryptedFileStore::open(&encrypted, passphrase)?));
    }
    let service = keyring_service(home, service);
    match KeyringStore::open_remembering(&service, &home.path().join("keyring-proven")) {
        Ok(store) => Ok(Arc::new(KeyringWithTokenFiles::open(
            Arc::new(store),
            &home.token_files(),
        )?)),
        Err(keyring_error) => match passphrase {
            Some(passphrase) => Ok(Arc::new(EncryptedFileStore::create(
                &encrypted,
                passphrase,
                KdfParams::default(),
            )?)),
            None => Err(Error::NoSecretStore {
                reason: keyring_error.to_string(),
                advice: passphrase_advice(&encrypted),
            }),
        },
    }
}

fn passphrase_advice(encrypted: &std::path::Path) -> String {
    format!(
        "Start a keyring in your session (GNOME Keyring, KWallet, or another Secret Service), \
         or choose a passphrase (TOKENVAULT_PASSPHRASE or --passphrase-stdin) to keep secrets \
         encrypted in {}.",
        encrypted.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_say_whose_secret_and_which() {
        assert_eq!(
            SecretKey::new("prive-uat", SecretKind::Password).name(),
            "prive-uat/password"
        );
        assert_eq!(
            SecretKey::new("a", SecretKind::PrivateToken("7".into())).name(),
            "a/private/7"
        );
    }
}
