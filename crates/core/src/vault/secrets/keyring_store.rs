//! The OS keyring: the Secret Service over one kept D-Bus connection on Linux, and the
//! `keyring` crate, with each platform's store enabled explicitly in Cargo.toml, elsewhere
//! (through [`super::parts`], for Credential Manager's short entries).

use std::hash::BuildHasher;

use super::{SecretKey, SecretStore, StoreTier};
use crate::error::Error;
use crate::secret::Secret;

/// Secrets in the OS keyring under one service name.
#[derive(Debug)]
pub struct KeyringStore {
    #[cfg(not(target_os = "linux"))]
    service: String,
    #[cfg(target_os = "linux")]
    connection: super::secret_service::Connection,
}

impl KeyringStore {
    /// Opens the keyring and proves that it keeps what it is given: a probe secret is
    /// written, read back through a fresh handle, and deleted. (A keyring crate built
    /// without a platform store accepts everything and keeps nothing.)
    pub fn open(service: &str) -> Result<Self, Error> {
        let store = Self::unproven(service);
        let random = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
        let probe = SecretKey::new(format!("probe-{random:016x}"), super::SecretKind::Password);
        let value = Secret::new(format!("probe-value-{random:x}"));
        store.set(&probe, &value)?;
        let read = store.get(&probe);
        let _ = store.delete(&probe);
        match read? {
            Some(back) if back == value => Ok(store),
            _ => Err(Error::KeyringUnavailable {
                reason: "it accepted a probe secret but did not give it back".into(),
            }),
        }
    }

    /// Like [`KeyringStore::open`], but probes only the first time for this data folder:
    /// once a probe has passed, `marker` remembers it, and later opens (every command-line
    /// call) cost nothing. Compiled-in platform stores make the mock-store trap impossible
    /// afterwards; a keyring that stops working fails on its first real call instead.
    pub fn open_remembering(service: &str, marker: &std::path::Path) -> Result<Self, Error> {
        let proven = std::fs::read_to_string(marker).is_ok_and(|text| text.trim() == service);
        if proven {
            return Ok(Self::unproven(service));
        }
        let store = Self::open(service)?;
        let _ = std::fs::write(marker, service);
        Ok(store)
    }

    fn unproven(service: &str) -> Self {
        Self {
            #[cfg(not(target_os = "linux"))]
            service: service.to_owned(),
            #[cfg(target_os = "linux")]
            connection: super::secret_service::Connection::new(service),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn parted(&self) -> super::parts::Parted<Entries<'_>> {
        super::parts::Parted::new(Entries(&self.service), ENTRY_UNITS)
    }
}

/// How much text one entry holds, in UTF-16 units: Credential Manager keeps 2,560 bytes
/// per credential, and the keyring crate stores text as UTF-16. The Keychain has no such
/// limit.
#[cfg(windows)]
const ENTRY_UNITS: usize = 1280;
#[cfg(all(not(windows), not(target_os = "linux")))]
const ENTRY_UNITS: usize = usize::MAX;

/// The keyring crate's entries of one service.
#[cfg(not(target_os = "linux"))]
struct Entries<'a>(&'a str);

#[cfg(not(target_os = "linux"))]
impl super::parts::Entries for Entries<'_> {
    fn get(&self, name: &str) -> Result<Option<Secret>, Error> {
        match keyring::Entry::new(self.0, name).and_then(|entry| entry.get_password()) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), Error> {
        keyring::Entry::new(self.0, name)
            .and_then(|entry| entry.set_password(value))
            .map_err(unavailable)
    }

    fn delete(&self, name: &str) -> Result<(), Error> {
        match keyring::Entry::new(self.0, name).and_then(|entry| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn unavailable(error: keyring::Error) -> Error {
    Error::KeyringUnavailable {
        reason: error.to_string(),
    }
}

#[cfg(target_os = "linux")]
impl SecretStore for KeyringStore {
    fn tier(&self) -> StoreTier {
        StoreTier::OsKeyring
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        self.connection.get(&key.name())
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        self.connection.set(&key.name(), value)
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        self.connection.delete(&key.name())
    }
}

#[cfg(not(target_os = "linux"))]
impl SecretStore for KeyringStore {
    fn tier(&self) -> StoreTier {
        StoreTier::OsKeyring
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        self.parted().get(&key.name())
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        self.parted().set(&key.name(), value)
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        self.parted().delete(&key.name())
    }
}
