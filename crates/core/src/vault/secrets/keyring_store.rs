//! The OS keyring through the `keyring` crate, with each platform's store enabled
//! explicitly in Cargo.toml.

use std::hash::BuildHasher;

use super::{SecretKey, SecretStore, StoreTier};
use crate::error::Error;
use crate::secret::Secret;

/// Secrets in the OS keyring under one service name.
#[derive(Debug)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Opens the keyring and proves that it keeps what it is given: a probe secret is
    /// written, read back through a fresh handle, and deleted. (A keyring crate built
    /// without a platform store accepts everything and keeps nothing.)
    pub fn open(service: &str) -> Result<Self, Error> {
        let store = Self {
            service: service.to_owned(),
        };
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
            return Ok(Self {
                service: service.to_owned(),
            });
        }
        let store = Self::open(service)?;
        let _ = std::fs::write(marker, service);
        Ok(store)
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry, Error> {
        keyring::Entry::new(&self.service, &key.name()).map_err(unavailable)
    }
}

fn unavailable(error: keyring::Error) -> Error {
    Error::KeyringUnavailable {
        reason: error.to_string(),
    }
}

impl SecretStore for KeyringStore {
    fn tier(&self) -> StoreTier {
        StoreTier::OsKeyring
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        self.entry(key)?
            .set_password(value.expose())
            .map_err(unavailable)
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}
