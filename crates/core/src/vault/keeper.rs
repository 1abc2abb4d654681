//! Keeps the vault's accounts fresh from a long-running process (the desktop app):
//! it follows the catalog on disk, so accounts added or renewed by another process
//! (the command line) show at once, and renews each account when the freshness
//! policy says, through [`Vault`], so renewals stay one at a time across processes.
//! Statuses come from the catalog, so a failure seen by another process shows here too.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, SystemTime};

use time::{Duration, OffsetDateTime};
use tokio::sync::watch;

use super::catalog::{AccountRecord, Catalog};
use super::status::{AccountInfo, AccountStatus, RenewalFailure, RenewalOutcome, TokenState};
use super::{Source, Vault};
use crate::auth::Token;
use crate::clock::Clock;
use crate::error::Error;
use crate::freshness::FreshnessPolicy;
use crate::secret::Secret;

/// What this process knows of an account beyond the catalog.
#[derive(Debug, Default, Clone)]
struct Local {
    renewing: bool,
    failures: u32,
    /// A failure the catalog does not hold (the lock or the catalog itself failed).
    failure: Option<RenewalFailure>,
    retry_at: Option<OffsetDateTime>,
    /// Set after a failure that retrying cannot fix, until the account's record changes
    /// (its failure note aside).
    paused_for: Option<AccountRecord>,
    last_renewal: Option<RenewalOutcome>,
}

/// Renewals under way at once, at most: enough to keep up with many accounts due
/// together, few enough not to flood a server or the secret store.
pub const MAX_CONCURRENT_RENEWALS: usize = 8;

/// How often the teams' accounts are synced (their engine's token renewed on the way).
pub const TEAM_SYNC_EVERY: StdDuration = StdDuration::from_secs(60);

/// The keeper of a vault.
#[derive(Debug)]
pub struct Keeper {
    /// When the teams are synced next (None: now).
    next_team_sync: Mutex<Option<tokio::time::Instant>>,
    /// A team sync is under way.
    syncing: AtomicBool,
    renewals: tokio::sync::Semaphore,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
    policy: Mutex<FreshnessPolicy>,
    local: Mutex<HashMap<String, Local>>,
    seen: Mutex<Option<(SystemTime, u64)>>,
    catalog: Mutex<Catalog>,
    publish: watch::Sender<Vec<AccountStatus>>,
    seed: u64,
}

impl Keeper {
    /// A keeper of `vault`, on the vault's clock.
    pub fn new(vault: Arc<Vault>) -> Self {
        Self {
            next_team_sync: Mutex::new(None),
            syncing: AtomicBool::new(false),
            renewals: tokio::sync::Semaphore::new(MAX_CONCURRENT_RENEWALS),
            clock: Arc::clone(vault.clock()),
            vault,
            policy: Mutex::new(FreshnessPolicy::default()),
            local: Mutex::new(HashMap::new()),
            seen: Mutex::new(None),
            catalog: Mutex::new(Catalog::default()),
            publish: watch::Sender::new(Vec::new()),
            seed: std::collections::hash_map::RandomState::new().hash_one(std::process::id()),
        }
    }

    /// Renews this long before expiry from now on (short tokens still renew when a
    /// fifth of their life is left, if that comes later).
    pub fn set_refresh_lead(&self, lead: Duration) {
        lock(&self.policy).refresh_lead = lead.max(Duration::ZERO);
        self.publish();
    }

    /// The vault it keeps.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// The statuses now, and every later change.
    pub fn subscribe(&self) -> watch::Receiver<Vec<AccountStatus>> {
        self.publish.subscribe()
    }

    /// The statuses now.
    pub fn statuses(&self) -> Vec<AccountStatus> {
        self.publish.borrow().clone()
    }

    /// Follows the catalog and renews accounts until the task is dropped. Returns at
    /// once with the error if the catalog cannot be read at the start.
    pub async fn run(self: Arc<Self>) -> Result<(), Error> {
        self.reload(true)?;
        loop {
            if let Err(e) = self.reload(false) {
                tracing::warn!(code = %e.code(), "cannot read the catalog: {e}");
            }
            self.renew_what_is_due();
            self.sync_teams_when_due();
            tokio::time::sleep(StdDuration::from_secs(1)).await;
        }
    }

    /// Syncs the teams' accounts now (the window's "Sync now"), at the next tick.
    pub fn sync_teams_soon(&self) {
        *lock(&self.next_team_sync) = None;
    }

    /// Every [`TEAM_SYNC_EVERY`], one sync of each team, one team at a time, in the
    /// background: a slow or unreachable engine never holds up renewals.
    fn sync_teams_when_due(self: &Arc<Self>) {
        let teams: Vec<String> = lock(&self.catalog)
            .teams
            .iter()
            .map(|t| t.name.clone())
            .collect();
        if teams.is_empty() {
            return;
        }
        {
            let now = tokio::time::Instant::now();
            let mut next = lock(&self.next_team_sync);
            if next.is_some_and(|at| now < at) {
                return;
            }
            *next = Some(now + TEAM_SYNC_EVERY);
        }
        if self.syncing.swap(true, Ordering::SeqCst) {
            return;
        }
        let keeper = Arc::clone(self);
        tokio::spawn(async move {
            for team in teams {
                match keeper.vault.sync_team(&team).await {
                    Ok(report) => tracing::debug!("team {team}: {}", report.summary()),
                    Err(e) => tracing::warn!(code = %e.code(), "team {team} not synced: {e}"),
                }
            }
            keeper.syncing.store(false, Ordering::SeqCst);
        });
    }

    /// Reads the catalog again when its file changed (or when `force`), and publishes.
    fn reload(&self, force: bool) -> Result<(), Error> {
        let path = self.vault.catalog_path();
        let stamp = std::fs::metadata(&path)
            .ok()
            .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()));
        let changed = {
            let mut seen = lock(&self.seen);
            let changed = force || *seen != stamp;
            *seen = stamp;
            changed
        };
        if changed {
            *lock(&self.catalog) = self.vault.catalog()?;
            self.publish();
        }
        Ok(())
    }

    fn renew_what_is_due(self: &Arc<Self>) {
        let now = self.clock.now();
        let catalog = lock(&self.catalog).clone();
        for record in catalog.accounts {
            let mut local = lock(&self.local);
            let entry = local.entry(record.id.clone()).or_default();
            if entry.renewing {
                continue;
            }
            if let Some(paused) = &entry.paused_for {
                if *paused == without_note(&record) {
                    continue;
                }
                entry.paused_for = None;
                entry.retry_at = None;
            }
            let due = match entry.retry_at {
                Some(retry_at) => retry_at <= now,
                None => self.renew_at(&record).is_none_or(|at| at <= now),
            };
            if !due
                || record.tokens.access_expires_at.is_none()
                    && record.tokens.access_obtained_at.is_some()
            {
                continue;
            }
            entry.renewing = true;
            drop(local);
            self.publish();
            let keeper = Arc::clone(self);
            tokio::spawn(async move { keeper.renew(record).await });
        }
    }

    /// When the account's access token should be renewed; `None` when it has none.
    fn renew_at(&self, record: &AccountRecord) -> Option<OffsetDateTime> {
        let token = Token {
            value: Secret::new(""),
            expires_at: Some(record.tokens.access_expires_at?),
            obtained_at: record.tokens.access_obtained_at?,
        };
        // Stable for one token of one account in this process, different across them.
        let mut hasher = std::hash::DefaultHasher::new();
        hasher.write_u64(self.seed);
        hasher.write(record.id.as_bytes());
        hasher.write_i64(token.obtained_at.unix_timestamp());
        let sample = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
        lock(&self.policy).jittered(&token, sample)
    }

    async fn renew(self: Arc<Self>, record: AccountRecord) {
        // Waits its turn; the semaphore is never closed, so a permit always comes.
        let _permit = self.renewals.acquire().await.ok();
        // Ask for a window that the held token cannot give, so a due token is renewed,
        // unless another process renewed it meanwhile.
        let window = match (record.tokens.access_expires_at, self.renew_at(&record)) {
            (Some(expires), Some(at)) => expires - at + Duration::seconds(1),
            _ => Duration::seconds(1),
        };
        let outcome = self.vault.access_token(&record.id, window).await;
        let now = self.clock.now();
        {
            let mut local = lock(&self.local);
            let entry = local.entry(record.id.clone()).or_default();
            entry.renewing = false;
            match outcome {
                Ok((_, source)) => {
                    entry.failures = 0;
                    entry.failure = None;
                    entry.retry_at = None;
                    entry.last_renewal = match source {
                        Source::Refreshed => Some(RenewalOutcome::Refreshed),
                        Source::LoggedIn if record.tokens.access_obtained_at.is_some() => {
                            Some(RenewalOutcome::LoggedInAgain)
                        }
                        Source::LoggedIn => Some(RenewalOutcome::LoggedIn),
                        Source::Stored | Source::RenewedElsewhere => entry.last_renewal,
                    };
                }
                Err(error) => {
                    tracing::warn!(account = %record.id, code = %error.code(), "renewal failed: {error}");
                    entry.failures += 1;
                    entry.failure = Some(RenewalFailure::new(&error, now));
                    if matches!(
                        error,
                        Error::CredentialsRejected { .. }
                            | Error::ClientRejected { .. }
                            | Error::OtpRequired { .. }
                            | Error::OtpRejected { .. }
                            | Error::SignInRequired { .. }
                            | Error::SignInDenied { .. }
                            | Error::SignInExpired { .. }
                            | Error::SignInMismatch
                            | Error::InvalidAccount { .. }
                            | Error::InvalidProfile { .. }
                            | Error::InvalidBaseUrl { .. }
                            | Error::Storage { .. }
                    ) {
                        // Retrying cannot help and may lock the account: wait for a change.
                        entry.paused_for = Some(without_note(&record));
                        entry.retry_at = None;
                    } else {
                        let retry_after = match &error {
                            Error::ServerError { retry_after, .. } => *retry_after,
                            _ => None,
                        };
                        entry.retry_at =
                            Some(now + lock(&self.policy).retry_delay(entry.failures, retry_after));
                    }
                }
            }
        }
        let _ = self.reload(true);
    }

    fn publish(&self) {
        let catalog = lock(&self.catalog).clone();
        let local = lock(&self.local).clone();
        let now = self.clock.now();
        let statuses = catalog
            .accounts
            .iter()
            .map(|record| {
                let mut mine = local.get(&record.id).cloned().unwrap_or_default();
                // The catalog's note is every process's; this one's stands in only for
                // failures that could not be noted there.
                if let Some(noted) = &record.tokens.last_failure {
                    mine.failure = Some(noted.clone());
                }
                let times = &record.tokens;
                let valid = times.access_expires_at.is_none_or(|at| at > now)
                    && times.access_obtained_at.is_some();
                let state = match (&mine, valid) {
                    (m, _) if m.renewing && times.access_obtained_at.is_none() => {
                        TokenState::LoggingIn
                    }
                    (m, _) if m.renewing => TokenState::Renewing,
                    (m, true) if m.failure.is_some() => TokenState::Failing,
                    (_, true) => TokenState::Fresh,
                    (m, false) if times.access_obtained_at.is_none() && m.failure.is_none() => {
                        TokenState::LoggingIn
                    }
                    (_, false) => TokenState::Expired,
                };
                AccountStatus {
                    account: AccountInfo {
                        id: record.id.clone(),
                        name: record.name.clone(),
                        environment: record.environment.clone(),
                        profile: record.profile.clone(),
                        base_url: record.base_url.clone(),
                        identity: record.identity.clone(),
                        team: record.team.as_ref().map(|l| l.team.clone()),
                    },
                    state,
                    access_expires_at: times.access_expires_at,
                    access_obtained_at: times.access_obtained_at,
                    refresh_expires_at: times.refresh_expires_at,
                    renew_at: mine.retry_at.or_else(|| self.renew_at(record)),
                    last_renewal: mine.last_renewal,
                    failure: mine.failure,
                }
            })
            .collect::<Vec<_>>();
        self.publish.send_if_modified(|current| {
            if *current == statuses {
                false
            } else {
                *current = statuses;
                true
            }
        });
    }
}

/// The record as a pause compares it: a new failure note, or the step of a one-time code
/// sent, is the vault's own bookkeeping, no change by the user.
fn without_note(record: &AccountRecord) -> AccountRecord {
    let mut record = record.clone();
    record.tokens.last_failure = None;
    record.tokens.otp_step = None;
    record
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
