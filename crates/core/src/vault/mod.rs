//! The vault: where accounts and their secrets live between runs, shared by the
//! desktop app and the command line. [`Vault`] is the one engine both run: it adds and
//! edits accounts, hands out fresh tokens (renewed at most once however many processes ask
//! at the same moment), and makes the profile's calls with them.
//!
//! - [`home`]: the data folder (OS conventions, `TOKENVAULT_HOME`, a separate one for
//!   development builds).
//! - [`catalog`]: the secret-free accounts file, written atomically.
//! - [`secrets`]: passwords and tokens in the OS keyring, or an encrypted file where no
//!   keyring is usable.
//! - `accounts`, `renewal`, `calls`: what [`Vault`] does, one file per job.
//! - [`keeper`]: follows the catalog and renews its accounts from a long-running process.
//! - [`status`]: where each account stands, as the window and `status` show it.
//! - [`exchange`]: import and export of accounts and custom profiles, with no secret.
//! - [`lock`]: one renewal per account across processes.
//! - [`audit`]: a bounded trail of what happened, without any secret.
//! - [`new_account`]: a new account as a user describes it, checked field by field.
//! - `teams`: connecting to a team's engine, sharing accounts there, syncing them here.

mod accounts;
pub mod audit;
mod calls;
pub mod catalog;
pub mod exchange;
mod files;
pub mod home;
pub mod keeper;
pub mod lock;
pub mod new_account;
mod renewal;
pub mod secrets;
pub mod status;
mod teams;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration as StdDuration;

use time::OffsetDateTime;

pub use accounts::{Removed, Revocation};
pub use calls::PRIVATE_TOKEN_LIFETIME;
pub(crate) use files::{restrict_to_owner, write_atomically};
pub use renewal::Source;
pub use teams::{SyncReport, TeamCredentials};

use self::audit::{AuditEvent, AuditKind, AuditLog};
use self::catalog::{AccountRecord, Catalog, CatalogFile};
use self::home::{Home, app_name};
use self::lock::{FileLock, account_lock};
use self::secrets::{SecretStore, open_store_patiently};
use crate::auth::{Authenticator, HttpOptions, Target};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::freshness::FreshnessPolicy;
use crate::secret::Secret;

/// The vault of one data folder: its accounts, their secrets, and fresh tokens.
#[derive(Debug)]
pub struct Vault {
    home: Home,
    catalog: CatalogFile,
    store: Arc<dyn SecretStore>,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
    policy: FreshnessPolicy,
    /// Access tokens read from or written to the store, by account id, with the instant
    /// they were obtained. The catalog records that instant for every renewal, by any
    /// process, so a cached token is used only while the catalog still names it: a
    /// long-running process (the agent) then serves tokens without a keyring call.
    cached: Mutex<HashMap<String, (OffsetDateTime, Secret)>>,
    /// Whether tokens may be cached at all: not while a locked agent holds this vault.
    caching: AtomicBool,
    /// One HTTP client for the accounts that trust no extra CA, so a long-running process
    /// keeps its connections and TLS set-up between calls.
    http: OnceLock<Authenticator>,
}

impl Vault {
    /// Opens the vault of `home`: its secret store (the OS keyring, or the encrypted file
    /// that `passphrase` opens), waiting at most `patience` for a keyring to answer.
    pub async fn open(
        home: Home,
        passphrase: Option<Secret>,
        patience: StdDuration,
    ) -> Result<Self> {
        let store =
            open_store_patiently(home.clone(), app_name().to_owned(), passphrase, patience).await?;
        Ok(Self::with_store(home, store, Arc::new(SystemClock)))
    }

    /// The vault of `home` with secrets in `store` and time from `clock`.
    pub fn with_store(home: Home, store: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog: CatalogFile::new(home.catalog()),
            audit: AuditLog::new(home.audit(), 512 * 1024),
            home,
            store,
            clock,
            policy: FreshnessPolicy::default(),
            cached: Mutex::default(),
            caching: AtomicBool::new(true),
            http: OnceLock::new(),
        }
    }

    /// The data folder.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The clock its decisions read.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Drops every cached token and caches none until [`Self::resume_caching`] (the agent
    /// does both when it is locked and unlocked): a renewal that finishes meanwhile stores
    /// its token in the secret store only.
    pub fn pause_caching(&self) {
        self.caching.store(false, Ordering::SeqCst);
        lock(&self.cached).clear();
    }

    /// Caches tokens again.
    pub fn resume_caching(&self) {
        self.caching.store(true, Ordering::SeqCst);
    }

    fn cache(&self, id: &str, obtained_at: OffsetDateTime, value: &Secret) {
        let mut cached = lock(&self.cached);
        // Checked under the cache's lock, so a pause either sees this entry and clears it
        // or comes first and this adds nothing.
        if self.caching.load(Ordering::SeqCst) {
            cached.insert(id.to_owned(), (obtained_at, value.clone()));
        }
    }

    fn uncache(&self, id: &str) {
        lock(&self.cached).remove(id);
    }

    /// The catalog file's path.
    pub fn catalog_path(&self) -> std::path::PathBuf {
        self.catalog.path().to_path_buf()
    }

    /// The catalog as it is on disk now.
    pub fn catalog(&self) -> Result<Catalog> {
        self.catalog.load()
    }

    /// The catalog file, for imports.
    pub fn catalog_file(&self) -> &CatalogFile {
        &self.catalog
    }

    /// The secret store in use.
    pub fn store(&self) -> &Arc<dyn SecretStore> {
        &self.store
    }

    /// The audit trail.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Records an event in the audit trail (never a secret: kinds, ids and codes).
    pub fn audit_event(&self, account: &str, kind: AuditKind, outcome: &str) {
        self.record(account, kind, outcome);
    }

    /// The profile and base URL of an account, overrides applied.
    pub fn target(&self, record: &AccountRecord, catalog: &Catalog) -> Result<Target> {
        let profile = catalog.profile_of(record)?;
        Target::new(profile, &record.base_url, record.allow_plain_http)
    }

    async fn lock(&self, account_id: &str) -> Result<FileLock> {
        let folder = self.home.locks();
        let id = account_id.to_owned();
        tokio::task::spawn_blocking(move || account_lock(&folder, &id))
            .await
            .map_err(|e| Error::Storage {
                action: "lock",
                path: account_id.to_owned(),
                problem: e.to_string(),
            })?
    }

    fn authenticator(&self, record: &AccountRecord) -> Result<Authenticator> {
        if record.ca_cert_pem.is_some() {
            return authenticator(record.ca_cert_pem.as_deref());
        }
        if let Some(shared) = self.http.get() {
            return Ok(shared.clone());
        }
        let shared = authenticator(None)?;
        Ok(self.http.get_or_init(|| shared).clone())
    }

    fn record(&self, account: &str, kind: AuditKind, outcome: &str) {
        let event = AuditEvent {
            at: self.clock.now(),
            account: account.to_owned(),
            kind,
            outcome: outcome.to_owned(),
        };
        if let Err(e) = self.audit.record(&event) {
            tracing::warn!("could not write the audit trail: {e}");
        }
    }
}

/// An HTTP client that also trusts `ca_cert_pem`, when given.
fn authenticator(ca_cert_pem: Option<&str>) -> Result<Authenticator> {
    Authenticator::new(HttpOptions {
        extra_ca_pem: ca_cert_pem.map(|p| p.as_bytes().to_vec()),
        ..HttpOptions::default()
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
