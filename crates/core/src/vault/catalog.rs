//! The accounts catalog: every account and its token instants, and no secret, in one
//! JSON file. Writes are atomic and serialized across processes; a damaged file is
//! moved aside and reported, never overwritten.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::lock::FileLock;
use super::status::RenewalFailure;
use super::write_atomically;
use crate::error::Error;
use crate::profile::{Profile, preset};

/// The catalog format this build writes.
pub const CATALOG_VERSION: u32 = 1;

/// Everything the vault knows apart from secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Format version.
    pub version: u32,
    /// The accounts.
    #[serde(default)]
    pub accounts: Vec<AccountRecord>,
    /// Custom profiles, as the TOML they were loaded from.
    #[serde(default)]
    pub profiles: Vec<StoredProfile>,
    /// The teams this vault is connected to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<crate::team::TeamRecord>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self {
            version: CATALOG_VERSION,
            accounts: Vec::new(),
            profiles: Vec::new(),
            teams: Vec::new(),
        }
    }
}

/// One account, without its password or tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRecord {
    /// Stable id (also the keyring key prefix).
    pub id: String,
    /// Display name, unique.
    pub name: String,
    /// Environment label: `UAT`, `Production`, ...
    pub environment: String,
    /// Preset or custom profile id.
    pub profile: String,
    /// Base URL.
    pub base_url: String,
    /// Login identity (for the client-credentials flow, the client id).
    pub identity: String,
    /// The OAuth client id, for profiles that speak for a client (`[client]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The second factor its logins answer, for profiles with `login.otp_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
    /// Per-account profile overrides, as `key=value` pairs.
    #[serde(default)]
    pub overrides: Vec<(String, String)>,
    /// Whether plain http off loopback is allowed for this account.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// An extra CA certificate (PEM text) to trust.
    #[serde(default)]
    pub ca_cert_pem: Option<String>,
    /// What is known of its tokens.
    #[serde(default)]
    pub tokens: TokenTimes,
    /// The team it is shared in, if any: its secrets come from the team's engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<crate::team::TeamLink>,
}

/// How an account answers a login's request for a one-time code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecondFactor {
    /// Codes generated from a TOTP secret the vault keeps (`<account>/totp`), so background
    /// logins keep working.
    Totp,
    /// A code asked from the user at every login: the keeper never logs in by itself.
    Ask,
}

/// The instants of an account's tokens: enough for a countdown without a keyring read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenTimes {
    /// When the access token was obtained.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub access_obtained_at: Option<OffsetDateTime>,
    /// When the access token expires.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub access_expires_at: Option<OffsetDateTime>,
    /// When the refresh token expires.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub refresh_expires_at: Option<OffsetDateTime>,
    /// The last renewal failure, until a renewal succeeds.
    #[serde(default)]
    pub last_failure: Option<RenewalFailure>,
    /// The TOTP time step of the last code sent: a code is never sent twice (RFC 6238
    /// §5.2), so a login in the same step waits for the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp_step: Option<u64>,
}

/// A custom profile kept in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredProfile {
    /// The profile's id.
    pub id: String,
    /// Its TOML.
    pub source: String,
}

impl Catalog {
    /// The profile an account speaks (its preset, or its saved custom profile), with the
    /// account's overrides and client id applied.
    pub fn profile_of(&self, record: &AccountRecord) -> Result<Profile, Error> {
        self.profile_with(record, None)
    }

    /// The profile `record` would log in with if its custom profile's source were `source` (a
    /// profile that comes with a shared account); the catalog's own when `source` is None.
    pub fn profile_with(
        &self,
        record: &AccountRecord,
        source: Option<&str>,
    ) -> Result<Profile, Error> {
        let profile = match (preset(&record.profile), source) {
            (Some(p), _) => p.profile.clone(),
            (None, Some(source)) => {
                Profile::from_toml(&format!("shared profile {}", record.profile), source)?
            }
            (None, None) => {
                let stored = self
                    .profiles
                    .iter()
                    .find(|p| p.id == record.profile)
                    .ok_or_else(|| Error::InvalidProfile {
                        origin: format!("account {}", record.name),
                        field: "profile".into(),
                        problem: format!(
                            "no preset or saved profile is called `{}`",
                            record.profile
                        ),
                    })?;
                Profile::from_toml(&format!("saved profile {}", stored.id), &stored.source)?
            }
        };
        profile
            .with_overrides(&record.overrides)?
            .with_client_id(record.client_id.as_deref())
    }

    /// The account with this name or id.
    pub fn account(&self, name_or_id: &str) -> Result<&AccountRecord, Error> {
        self.accounts
            .iter()
            .find(|a| a.name == name_or_id || a.id == name_or_id)
            .ok_or_else(|| Error::UnknownAccount(name_or_id.to_owned()))
    }
}

/// The catalog's file.
#[derive(Debug, Clone)]
pub struct CatalogFile {
    path: PathBuf,
    /// The last catalog read or written, with the file's bytes then: a vault of many
    /// accounts is read far more often than it changes, and reading the bytes again costs
    /// little next to parsing them.
    last: Arc<Mutex<Option<Remembered>>>,
}

/// A catalog and the bytes it was read from or written as.
#[derive(Debug)]
struct Remembered {
    bytes: Vec<u8>,
    catalog: Catalog,
}

impl CatalogFile {
    /// The catalog at `path` (it need not exist yet).
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last: Arc::new(Mutex::new(None)),
        }
    }

    fn remembered(&self, bytes: &[u8]) -> Option<Catalog> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.as_ref()
            .filter(|seen| seen.bytes == bytes)
            .map(|seen| seen.catalog.clone())
    }

    fn remember(&self, bytes: Vec<u8>, catalog: &Catalog) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        *last = Some(Remembered {
            bytes,
            catalog: catalog.clone(),
        });
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the catalog; a missing file is an empty catalog. A damaged file is moved
    /// aside (`accounts.json.damaged-<unix time>`) and reported with both paths.
    pub fn load(&self) -> Result<Catalog, Error> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::default()),
            Err(e) => {
                return Err(Error::Storage {
                    action: "read",
                    path: self.path.display().to_string(),
                    problem: e.to_string(),
                });
            }
        };
        if let Some(catalog) = self.remembered(&bytes) {
            return Ok(catalog);
        }
        match serde_json::from_slice::<Catalog>(&bytes) {
            Ok(catalog) if catalog.version <= CATALOG_VERSION => {
                self.remember(bytes, &catalog);
                Ok(catalog)
            }
            Ok(catalog) => Err(Error::Storage {
                action: "read",
                path: self.path.display().to_string(),
                problem: format!(
                    "it is format {} and this version of Tokenvault reads up to {CATALOG_VERSION}; \
                     update Tokenvault",
                    catalog.version
                ),
            }),
            Err(e) => Err(self.set_aside(&e.to_string())),
        }
    }

    /// Writes the catalog atomically.
    pub fn save(&self, catalog: &Catalog) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(catalog).map_err(|e| Error::Storage {
            action: "encode",
            path: self.path.display().to_string(),
            problem: e.to_string(),
        })?;
        write_atomically(&self.path, &bytes)?;
        self.remember(bytes, catalog);
        Ok(())
    }

    /// Reads, changes and writes the catalog while holding its lock, so two processes
    /// changing it at once both keep their change.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Catalog) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let _lock = FileLock::exclusive(&self.path.with_extension("lock"))?;
        let mut catalog = self.load()?;
        let out = change(&mut catalog)?;
        self.save(&catalog)?;
        Ok(out)
    }

    fn set_aside(&self, problem: &str) -> Error {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let kept = PathBuf::from(format!("{}.damaged-{stamp}", self.path.display()));
        let kept_at = match std::fs::rename(&self.path, &kept) {
            Ok(()) => kept.display().to_string(),
            Err(_) => self.path.display().to_string(),
        };
        Error::CorruptCatalog {
            path: self.path.display().to_string(),
            kept_at,
            problem: problem.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str) -> AccountRecord {
        AccountRecord {
            id: name.to_lowercase(),
            name: name.to_owned(),
            environment: "UAT".into(),
            profile: "prive".into(),
            base_url: "https://uat.example.com".into(),
            identity: "ana@example.com".into(),
            client_id: None,
            second_factor: None,
            overrides: vec![("login.path".into(), "/v2/login".into())],
            allow_plain_http: false,
            ca_cert_pem: None,
            tokens: TokenTimes {
                access_expires_at: Some(time::macros::datetime!(2026-01-01 13:00 UTC)),
                ..TokenTimes::default()
            },
            team: None,
        }
    }

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tokenvault-catalog-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn rand_suffix() -> u64 {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0)
    }

    #[test]
    fn a_missing_catalog_is_empty() {
        let file = CatalogFile::new(scratch().join("accounts.json"));
        assert_eq!(file.load().unwrap(), Catalog::default());
    }

    #[test]
    fn what_is_saved_is_what_is_loaded_and_no_temporary_file_is_left() {
        let dir = scratch();
        let file = CatalogFile::new(dir.join("accounts.json"));
        let catalog = Catalog {
            accounts: vec![record("Prive UAT")],
            ..Catalog::default()
        };
        file.save(&catalog).unwrap();
        assert_eq!(file.load().unwrap(), catalog);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["accounts.json"]);
    }

    #[test]
    fn a_damaged_catalog_is_kept_aside_and_reported_with_its_path() {
        let dir = scratch();
        let path = dir.join("accounts.json");
        std::fs::write(&path, b"{\"version\": 1, \"accounts\": [").unwrap();
        let error = CatalogFile::new(path.clone()).load().unwrap_err();
        let Error::CorruptCatalog {
            path: reported,
            kept_at,
            ..
        } = &error
        else {
            panic!("expected a corrupt catalog error, got {error}");
        };
        assert_eq!(reported, &path.display().to_string());
        assert_eq!(
            std::fs::read(kept_at).unwrap(),
            b"{\"version\": 1, \"accounts\": ["
        );
        assert!(
            !path.exists(),
            "the damaged file was moved, not overwritten"
        );
    }

    #[test]
    fn a_catalog_from_a_newer_version_is_refused_not_rewritten() {
        let dir = scratch();
        let path = dir.join("accounts.json");
        std::fs::write(&path, b"{\"version\": 9}").unwrap();
        let error = CatalogFile::new(path.clone()).load().unwrap_err();
        assert!(error.to_string().contains("update Tokenvault"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"version\": 9}");
    }

    #[test]
    fn update_keeps_changes_made_in_turn() {
        let file = CatalogFile::new(scratch().join("accounts.json"));
        file.update(|c| {
            c.accounts.push(record("A"));
            Ok(())
        })
        .unwrap();
        file.update(|c| {
            c.accounts.push(record("B"));
            Ok(())
        })
        .unwrap();
        let names: Vec<String> = file
            .load()
            .unwrap()
            .accounts
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["A", "B"]);
    }
}
