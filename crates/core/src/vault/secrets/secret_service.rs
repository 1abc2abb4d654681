//! The Secret Service (GNOME Keyring, KWallet) over one D-Bus connection kept for the
//! life of the store. The keyring crate opens a new connection, with a new encrypted
//! session, for every call (two for a write); a long-running process such as the agent
//! or the app would pay that on every token. Items keep the keyring crate's attributes
//! (`service`, `username`, `target = default`, `application = rust-keyring`), so entries
//! written either way are the same entries, and `secret-tool` finds them.

use std::collections::HashMap;
use std::sync::Mutex;

use dbus_secret_service::{EncryptionType, Error as SsError, SecretService};

use crate::error::Error;
use crate::secret::Secret;

/// How long a call waits for the user to answer an unlock prompt, in seconds, before it
/// fails (the library's own default is a year: a headless agent would wait that long).
const PROMPT_PATIENCE: u64 = 60;

/// One kept connection to the Secret Service.
pub struct Connection {
    service: String,
    open: Mutex<Option<SecretService>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A connection for the items of `service`, opened on first use.
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
            open: Mutex::new(None),
        }
    }

    fn attributes<'a>(&'a self, user: &'a str) -> HashMap<&'a str, &'a str> {
        HashMap::from([
            ("service", self.service.as_str()),
            ("username", user),
            ("target", "default"),
            ("application", "rust-keyring"),
        ])
    }

    /// Runs `call` on the kept connection, or a new one; if it fails, once more on a new
    /// one: the keyring daemon may have restarted since, or stopped in the middle of this
    /// very call (gnome-keyring can abort when another client is killed mid-call, and
    /// D-Bus activation or systemd starts it again). Every call here may be asked twice:
    /// reads, a write that replaces, a delete of what is there.
    /// Only a failure of the connection itself is retried: a dismissed unlock prompt is the
    /// user's answer, and asking again would show a second prompt.
    fn with<T>(&self, call: impl Fn(&SecretService) -> Result<T, SsError>) -> Result<T, Error> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mut retried = false;
        loop {
            let connected = match open.take() {
                Some(ss) => Ok(ss),
                None => SecretService::connect_with_max_prompt_timeout(
                    EncryptionType::Dh,
                    PROMPT_PATIENCE,
                ),
            };
            let ss = match connected {
                Ok(ss) => ss,
                Err(e) if retried => return Err(unavailable(e)),
                Err(_) => {
                    retried = true;
                    continue;
                }
            };
            match call(&ss) {
                Ok(value) => {
                    *open = Some(ss);
                    return Ok(value);
                }
                Err(e @ (SsError::Prompt | SsError::Locked)) => {
                    *open = Some(ss);
                    return Err(unavailable(e));
                }
                Err(e) if retried => return Err(unavailable(e)),
                Err(_) => retried = true,
            }
        }
    }

    /// The secret of `user`, or `None`.
    pub fn get(&self, user: &str) -> Result<Option<Secret>, Error> {
        let attributes = self.attributes(user);
        let bytes = self.with(|ss| {
            let found = ss.search_items(attributes.clone())?;
            let Some(item) = found.unlocked.first().or(found.locked.first()) else {
                return Ok(None);
            };
            item.ensure_unlocked()?;
            item.get_secret().map(Some)
        })?;
        bytes
            .map(|bytes| {
                String::from_utf8(bytes)
                    .map(Secret::new)
                    .map_err(|_| Error::KeyringUnavailable {
                        reason: format!("the keyring item {user} is not UTF-8 text"),
                    })
            })
            .transpose()
    }

    /// Stores the secret of `user`, replacing any.
    pub fn set(&self, user: &str, value: &Secret) -> Result<(), Error> {
        let attributes = self.attributes(user);
        let label = format!("{user}@{}:default (keyring v3.6.3)", self.service);
        self.with(|ss| {
            let found = ss.search_items(attributes.clone())?;
            if let Some(item) = found.unlocked.first().or(found.locked.first()) {
                item.ensure_unlocked()?;
                return item.set_secret(value.expose().as_bytes(), "text/plain");
            }
            let collection = ss.get_default_collection()?;
            collection.ensure_unlocked()?;
            collection
                .create_item(
                    &label,
                    attributes.clone(),
                    value.expose().as_bytes(),
                    true,
                    "text/plain",
                )
                .map(|_| ())
        })
    }

    /// Removes the secret of `user`; a missing one is not an error.
    pub fn delete(&self, user: &str) -> Result<(), Error> {
        let attributes = self.attributes(user);
        self.with(|ss| {
            let found = ss.search_items(attributes.clone())?;
            for item in found.unlocked.iter().chain(found.locked.iter()) {
                item.delete()?;
            }
            Ok(())
        })
    }
}

fn unavailable(error: SsError) -> Error {
    Error::KeyringUnavailable {
        reason: error.to_string(),
    }
}
