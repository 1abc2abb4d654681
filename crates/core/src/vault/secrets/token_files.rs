//! Access and refresh tokens change at every renewal, for every account. An OS keyring
//! is slow to write: GNOME Keyring rewrites its whole collection file on every change, so
//! the more items it holds the fewer writes a second it manages, and a vault of 1,000
//! accounts whose tokens expire together could not renew them in time if each renewal
//! wrote keyring items. So next to a keyring, the tokens that rotate live in one small
//! file per account, encrypted with XChaCha20-Poly1305 under one random key, and only
//! that key, the passwords and the private tokens are keyring items: a renewal writes no
//! keyring item, and its file write costs the same whatever the number of accounts.
//!
//! Tokens written by earlier versions, as keyring items, are still read while an
//! account's file has none, and are deleted with it. Files that the key no longer opens
//! (the keyring was reset, a file was damaged) are set aside, not deleted, and their
//! accounts log in again with their saved passwords.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::{EncryptedFileStore, SecretKey, SecretKind, SecretStore, StoreTier};
use crate::error::Error;
use crate::secret::Secret;
use crate::vault::lock::FileLock;

/// A keyring for what is set once, and encrypted files for the tokens that rotate.
#[derive(Debug)]
pub struct KeyringWithTokenFiles {
    keyring: Arc<dyn SecretStore>,
    folder: PathBuf,
    key: Zeroizing<[u8; 32]>,
}

impl KeyringWithTokenFiles {
    /// Opens the token files in `folder` with their key from `keyring`; the first time,
    /// makes the key and the folder. Two processes doing so at once agree on one key.
    pub fn open(keyring: Arc<dyn SecretStore>, folder: &Path) -> Result<Self, Error> {
        create_private_folder(folder)?;
        let _only_one_opener = FileLock::exclusive(&folder.join("key.lock"))?;
        let name = SecretKey::new("", SecretKind::TokenFileKey);
        let stored = keyring.get(&name)?.as_ref().and_then(decode_key);
        let check = folder.join("key-check.enc");
        let key = match stored {
            Some(key) => key,
            None => {
                if check.exists() {
                    set_aside_folder(folder)?;
                }
                let key = EncryptedFileStore::new_key();
                keyring.set(&name, &Secret::new(hex(key.as_ref())))?;
                key
            }
        };
        if EncryptedFileStore::with_key(&check, key.clone())
            .open_or_create()
            .is_err()
        {
            set_aside_folder(folder)?;
            EncryptedFileStore::with_key(&check, key.clone()).open_or_create()?;
        }
        Ok(Self {
            keyring,
            folder: folder.to_owned(),
            key,
        })
    }

    /// The file of one account's tokens.
    fn file(&self, account: &str) -> EncryptedFileStore {
        EncryptedFileStore::with_key(
            &self.folder.join(format!("{}.enc", file_name(account))),
            self.key.clone(),
        )
    }

    /// Runs `call` on the account's file; a file the key does not open is set aside and
    /// `call` runs again on a new, empty one.
    fn with_file<T>(
        &self,
        account: &str,
        call: impl Fn(&EncryptedFileStore) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let file = self.file(account);
        match call(&file) {
            Err(
                Error::WrongPassphrase { path }
                | Error::Storage {
                    path,
                    action: "read",
                    ..
                },
            ) if Path::new(&path).exists() => {
                set_aside(Path::new(&path))?;
                call(&file)
            }
            other => other,
        }
    }
}

impl SecretStore for KeyringWithTokenFiles {
    fn tier(&self) -> StoreTier {
        self.keyring.tier()
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, Error> {
        if !key.kind.rotates() {
            return self.keyring.get(key);
        }
        match self.with_file(&key.account, |file| file.get(key))? {
            Some(value) => Ok(Some(value)),
            None => self.keyring.get(key),
        }
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), Error> {
        if key.kind.rotates() {
            self.with_file(&key.account, |file| file.set(key, value))
        } else {
            self.keyring.set(key, value)
        }
    }

    fn delete(&self, key: &SecretKey) -> Result<(), Error> {
        if key.kind.rotates() {
            self.with_file(&key.account, |file| file.delete(key))?;
        }
        self.keyring.delete(key)
    }
}

/// An account id as a file name: itself when it is plain, its hex bytes otherwise.
fn file_name(account: &str) -> String {
    let plain = !account.is_empty()
        && !account.starts_with('.')
        && account.len() <= 100
        && account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        account.to_owned()
    } else {
        format!("x-{}", hex(account.as_bytes()))
    }
}

fn create_private_folder(folder: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|e| Error::Storage {
        action: "create",
        path: folder.display().to_string(),
        problem: e.to_string(),
    })
}

/// Moves a file that the key does not open out of the way, keeping it.
fn set_aside(path: &Path) -> Result<(), Error> {
    let aside = aside_name(path);
    tracing::warn!(
        "{} does not open with the key in the keyring; set aside as {}, its account will log in again",
        path.display(),
        aside.display()
    );
    std::fs::rename(path, &aside).map_err(|e| Error::Storage {
        action: "move",
        path: path.display().to_string(),
        problem: e.to_string(),
    })
}

/// Moves every token file out of the way, keeping them, when the key is gone or changed.
fn set_aside_folder(folder: &Path) -> Result<(), Error> {
    let aside = folder.join(aside_name(Path::new("unreadable")));
    create_private_folder(&aside)?;
    let entries = std::fs::read_dir(folder).map_err(|e| Error::Storage {
        action: "read",
        path: folder.display().to_string(),
        problem: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "enc") {
            let _ = std::fs::rename(&path, aside.join(entry.file_name()));
        }
    }
    tracing::warn!(
        "the token files do not open with the key in the keyring; set aside in {}, accounts will log in again",
        aside.display()
    );
    Ok(())
}

fn aside_name(path: &Path) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    PathBuf::from(format!("{}.unreadable-{stamp}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_key(stored: &Secret) -> Option<Zeroizing<[u8; 32]>> {
    let text = stored.expose();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::secrets::MemoryStore;

    fn scratch() -> PathBuf {
        use std::hash::BuildHasher;
        let n = std::collections::hash_map::RandomState::new().hash_one(0);
        std::env::temp_dir().join(format!("tokenvault-tf-{}-{n:x}", std::process::id()))
    }

    fn held_by(store: &MemoryStore) -> Vec<SecretKind> {
        [
            SecretKind::Password,
            SecretKind::AccessToken,
            SecretKind::RefreshToken,
            SecretKind::TokenFileKey,
        ]
        .into_iter()
        .filter(|kind| {
            let account = if *kind == SecretKind::TokenFileKey {
                ""
            } else {
                "te"
            };
            let key = SecretKey::new(account, kind.clone());
            store.get(&key).unwrap().is_some()
        })
        .collect()
    }

    fn set(store: &dyn SecretStore, kind: SecretKind, value: &str) {
        store
            .set(&SecretKey::new("te", kind), &Secret::new(value))
            .unwrap();
    }

    fn get(store: &dyn SecretStore, kind: SecretKind) -> Option<Secret> {
        store.get(&SecretKey::new("te", kind)).unwrap()
    }

    #[test]
    fn tokens_go_to_an_encrypted_file_and_passwords_to_the_keyring() {
        let folder = scratch();
        let keyring = Arc::new(MemoryStore::default());
        let store = KeyringWithTokenFiles::open(keyring.clone(), &folder).unwrap();
        set(&store, SecretKind::Password, "pw-1");
        set(&store, SecretKind::AccessToken, "access-1");
        set(&store, SecretKind::RefreshToken, "refresh-1");
        assert_eq!(
            held_by(&keyring),
            [SecretKind::Password, SecretKind::TokenFileKey]
        );
        let on_disk = std::fs::read_to_string(folder.join("te.enc")).unwrap();
        assert!(!on_disk.contains("access-1") && !on_disk.contains("te/access"));

        let reopened = KeyringWithTokenFiles::open(keyring, &folder).unwrap();
        assert_eq!(
            get(&reopened, SecretKind::RefreshToken),
            Some(Secret::new("refresh-1"))
        );
    }

    #[test]
    fn a_token_kept_in_the_keyring_by_an_earlier_version_is_read_until_renewed_and_deleted_with_it()
    {
        let keyring = Arc::new(MemoryStore::default());
        set(keyring.as_ref(), SecretKind::AccessToken, "from-before");
        let store = KeyringWithTokenFiles::open(keyring.clone(), &scratch()).unwrap();
        assert_eq!(
            get(&store, SecretKind::AccessToken),
            Some(Secret::new("from-before"))
        );
        set(&store, SecretKind::AccessToken, "renewed");
        assert_eq!(
            get(&store, SecretKind::AccessToken),
            Some(Secret::new("renewed"))
        );
        store
            .delete(&SecretKey::new("te", SecretKind::AccessToken))
            .unwrap();
        assert_eq!(get(&store, SecretKind::AccessToken), None);
        assert_eq!(get(keyring.as_ref(), SecretKind::AccessToken), None);
    }

    #[test]
    fn token_files_the_key_does_not_open_are_set_aside_and_their_accounts_start_afresh() {
        let folder = scratch();
        let first = KeyringWithTokenFiles::open(Arc::new(MemoryStore::default()), &folder).unwrap();
        set(&first, SecretKind::AccessToken, "under-the-old-key");

        // The keyring was reset: the key is gone.
        let second =
            KeyringWithTokenFiles::open(Arc::new(MemoryStore::default()), &folder).unwrap();
        assert_eq!(get(&second, SecretKind::AccessToken), None);
        set(&second, SecretKind::AccessToken, "new");
        assert_eq!(
            get(&second, SecretKind::AccessToken),
            Some(Secret::new("new"))
        );

        // One damaged file.
        std::fs::write(folder.join("te.enc"), b"{ not a token file").unwrap();
        assert_eq!(get(&second, SecretKind::AccessToken), None);
        let kept = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
            .count();
        assert_eq!(kept, 2, "the old files are kept aside: {folder:?}");
    }

    #[test]
    fn any_account_id_makes_a_safe_file_name() {
        assert_eq!(file_name("te-uat"), "te-uat");
        assert_eq!(file_name("../x"), "x-2e2e2f78");
        assert_eq!(file_name(""), "x-");
    }
}
