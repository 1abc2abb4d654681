//! Secrets in memory, for tests of logic that needs a store.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{SecretKey, SecretStore, StoreTier};
use crate::error::Error;
use crate::secret::Secret;

/// Keeps secrets for the life of the value.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<HashMap<String, Secret>>);

impl SecretStore for MemoryStore {
    fn tier(&self) -> StoreTier {
        StoreTier::Memory
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key.name())
            .cloned())
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.name(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key.name());
        Ok(())
    }
}
