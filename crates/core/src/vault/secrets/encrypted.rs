//! Secrets in one file, encrypted with XChaCha20-Poly1305 under a key derived from a
//! passphrase with Argon2id. For machines with no usable keyring (headless Linux, WSL,
//! no session bus). The file holds the KDF parameters and salt, a fresh nonce per
//! write, and the ciphertext of a JSON map of entry names to values.
//!
//! The same format, with a random key kept elsewhere instead of a passphrase (no KDF
//! parameters), holds the tokens that rotate next to a keyring: see `token_file`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{SecretKey, SecretStore, StoreTier};
use crate::error::Error;
use crate::random;
use crate::secret::Secret;
use crate::vault::lock::FileLock;
use crate::vault::write_atomically;

const FORMAT: &str = "tokenvault-secrets-v1";

/// Argon2id cost parameters, stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            m_cost: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    format: String,
    /// Absent when the key is not derived from a passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<KdfParams>,
    #[serde(default)]
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// The encrypted secret file, unlocked.
pub struct EncryptedFileStore {
    path: PathBuf,
    key: Zeroizing<[u8; 32]>,
    kdf: Option<KdfParams>,
    salt: Vec<u8>,
    writing: Mutex<()>,
}

impl std::fmt::Debug for EncryptedFileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedFileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EncryptedFileStore {
    /// Creates an empty encrypted file protected by `passphrase`.
    pub fn create(path: &Path, passphrase: &Secret, kdf: KdfParams) -> Result<Self, Error> {
        if passphrase.expose().chars().count() < 8 {
            return Err(Error::NoSecretStore {
                reason: "the passphrase is shorter than 8 characters".into(),
                advice: "Choose a longer passphrase.".into(),
            });
        }
        let salt: [u8; 16] = random::bytes();
        let store = Self {
            path: path.to_owned(),
            key: derive(passphrase, &salt, kdf, path)?,
            kdf: Some(kdf),
            salt: salt.to_vec(),
            writing: Mutex::new(()),
        };
        store.write(&BTreeMap::new())?;
        Ok(store)
    }

    /// Opens an existing file; a wrong passphrase is [`Error::WrongPassphrase`].
    pub fn open(path: &Path, passphrase: &Secret) -> Result<Self, Error> {
        let envelope = read_envelope(path)?;
        let salt = decode(&envelope.salt, path)?;
        let kdf = envelope
            .kdf
            .ok_or_else(|| damaged(path, "it is not opened with a passphrase"))?;
        let store = Self {
            path: path.to_owned(),
            key: derive(passphrase, &salt, kdf, path)?,
            kdf: envelope.kdf,
            salt,
            writing: Mutex::new(()),
        };
        store.decrypt(&envelope)?;
        Ok(store)
    }

    /// The file at `path` encrypted with `key` (no passphrase): it reads as empty until
    /// the first write creates it, and a file that `key` does not open is
    /// [`Error::WrongPassphrase`] when read.
    pub fn with_key(path: &Path, key: Zeroizing<[u8; 32]>) -> Self {
        Self {
            path: path.to_owned(),
            key,
            kdf: None,
            salt: Vec::new(),
            writing: Mutex::new(()),
        }
    }

    /// Checks that the key opens the file, creating it empty when there is none.
    pub fn open_or_create(&self) -> Result<(), Error> {
        if self.path.exists() {
            self.read().map(drop)
        } else {
            self.write(&BTreeMap::new())
        }
    }

    /// A new random key for [`Self::with_key`].
    pub fn new_key() -> Zeroizing<[u8; 32]> {
        Zeroizing::new(random::bytes())
    }

    fn read(&self) -> Result<BTreeMap<String, Zeroizing<String>>, Error> {
        if self.kdf.is_none() && !self.path.exists() {
            return Ok(BTreeMap::new());
        }
        self.decrypt(&read_envelope(&self.path)?)
    }

    fn decrypt(&self, envelope: &Envelope) -> Result<BTreeMap<String, Zeroizing<String>>, Error> {
        let nonce = decode(&envelope.nonce, &self.path)?;
        let ciphertext = decode(&envelope.ciphertext, &self.path)?;
        let nonce: [u8; 24] = nonce
            .try_into()
            .map_err(|_| damaged(&self.path, "the nonce has the wrong length"))?;
        let cipher = XChaCha20Poly1305::new(self.key.as_ref().into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(&XNonce::from(nonce), ciphertext.as_ref())
                .map_err(|_| Error::WrongPassphrase {
                    path: self.path.display().to_string(),
                })?,
        );
        let map: BTreeMap<String, String> = serde_json::from_slice(&plain)
            .map_err(|_| damaged(&self.path, "the decrypted content is not a secret map"))?;
        Ok(map
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect())
    }

    fn write(&self, map: &BTreeMap<String, Zeroizing<String>>) -> Result<(), Error> {
        let plain: BTreeMap<&str, &str> =
            map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let plain = Zeroizing::new(serde_json::to_vec(&plain).unwrap_or_default());
        let cipher = XChaCha20Poly1305::new(self.key.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(&nonce, plain.as_ref())
            .map_err(|_| damaged(&self.path, "encryption failed"))?;
        let envelope = Envelope {
            format: FORMAT.into(),
            kdf: self.kdf,
            salt: STANDARD.encode(&self.salt),
            nonce: STANDARD.encode(nonce),
            ciphertext: STANDARD.encode(ciphertext),
        };
        let bytes = serde_json::to_vec_pretty(&envelope).unwrap_or_default();
        write_atomically(&self.path, &bytes)
    }

    /// Reads, changes and writes the map under the file's lock, so two processes
    /// writing at once both keep their change.
    fn change(
        &self,
        edit: impl FnOnce(&mut BTreeMap<String, Zeroizing<String>>),
    ) -> Result<(), Error> {
        let _in_process = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let _across_processes = FileLock::exclusive(&self.path.with_extension("lock"))?;
        let mut map = self.read()?;
        edit(&mut map);
        self.write(&map)
    }
}

impl SecretStore for EncryptedFileStore {
    fn tier(&self) -> StoreTier {
        StoreTier::EncryptedFile
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        Ok(self
            .read()?
            .get(&key.name())
            .map(|v| Secret::new(v.as_str())))
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        self.change(|map| {
            map.insert(key.name(), Zeroizing::new(value.expose().to_owned()));
        })
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        self.change(|map| {
            map.remove(&key.name());
        })
    }
}

fn derive(
    passphrase: &Secret,
    salt: &[u8],
    kdf: KdfParams,
    path: &Path,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let params = Params::new(kdf.m_cost, kdf.t_cost, kdf.p_cost, Some(32))
        .map_err(|e| damaged(path, &format!("its key parameters are invalid: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), salt, key.as_mut())
        .map_err(|e| damaged(path, &format!("the key cannot be derived: {e}")))?;
    Ok(key)
}

fn read_envelope(path: &Path) -> Result<Envelope, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Storage {
        action: "read",
        path: path.display().to_string(),
        problem: e.to_string(),
    })?;
    let envelope: Envelope = serde_json::from_slice(&bytes)
        .map_err(|_| damaged(path, "it is not an encrypted secret file"))?;
    if envelope.format != FORMAT {
        return Err(damaged(
            path,
            &format!("unknown format `{}`", envelope.format),
        ));
    }
    Ok(envelope)
}

fn decode(text: &str, path: &Path) -> Result<Vec<u8>, Error> {
    STANDARD
        .decode(text)
        .map_err(|_| damaged(path, "a field is not base64"))
}

fn damaged(path: &Path, problem: &str) -> Error {
    Error::Storage {
        action: "read",
        path: path.display().to_string(),
        problem: problem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::secrets::SecretKind;

    /// Cheap parameters: these tests are about the format, not the cost.
    const FAST: KdfParams = KdfParams {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    fn scratch() -> PathBuf {
        use std::hash::BuildHasher;
        let n = std::collections::hash_map::RandomState::new().hash_one(0);
        let dir = std::env::temp_dir().join(format!("tokenvault-enc-{}-{n:x}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("secrets.enc")
    }

    #[test]
    fn secrets_written_are_read_back_after_reopening_and_not_visible_in_the_file() {
        let path = scratch();
        let passphrase = Secret::new("correct horse battery");
        let key = SecretKey::new("acct", SecretKind::RefreshToken);
        let store = EncryptedFileStore::create(&path, &passphrase, FAST).unwrap();
        store
            .set(&key, &Secret::new("refresh-token-value-123"))
            .unwrap();
        let reopened = EncryptedFileStore::open(&path, &passphrase).unwrap();
        assert_eq!(
            reopened.get(&key).unwrap(),
            Some(Secret::new("refresh-token-value-123"))
        );
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(
            !on_disk.contains("refresh-token-value-123"),
            "the value is encrypted"
        );
        assert!(
            !on_disk.contains("acct/refresh"),
            "entry names are encrypted too"
        );
        reopened.delete(&key).unwrap();
        reopened.delete(&key).unwrap();
        assert_eq!(
            store.get(&key).unwrap(),
            None,
            "delete is idempotent and seen by both"
        );
    }

    #[test]
    fn a_wrong_passphrase_is_refused_with_a_clear_error() {
        let path = scratch();
        EncryptedFileStore::create(&path, &Secret::new("correct horse battery"), FAST).unwrap();
        let error =
            EncryptedFileStore::open(&path, &Secret::new("wrong horse battery")).unwrap_err();
        assert_eq!(error.code(), "wrong_passphrase");
        assert_eq!(
            error.to_string(),
            format!("the passphrase does not open {}", path.display())
        );
    }

    #[test]
    fn a_short_passphrase_is_refused() {
        let error =
            EncryptedFileStore::create(&scratch(), &Secret::new("short"), FAST).unwrap_err();
        assert!(
            error.to_string().contains("shorter than 8 characters"),
            "{error}"
        );
    }
}
