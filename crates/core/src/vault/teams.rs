//! Teams on the vault: connecting to a team's engine, sharing an account there, and syncing
//! the team's accounts into this vault. See [`crate::team`] for what is kept where.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use time::{Duration, OffsetDateTime};

use super::Vault;
use super::audit::AuditKind;
use super::catalog::{AccountRecord, Catalog, StoredProfile, TokenTimes};
use super::secrets::{SecretKey, SecretKind, blocking};
use crate::auth::LoginSecrets;
use crate::error::{Error, Result};
use crate::profile::preset;
use crate::secret::Secret;
use crate::team::engine::Engine;
use crate::team::shared::{self, Definition, SharedAccount};
use crate::team::{SyncRecord, TeamLink, TeamLogin, TeamRecord, check_name};

/// The engine's token is renewed when less than this is left of it.
const RENEW_WITHIN: Duration = Duration::minutes(15);

/// Accounts a sync writes to the catalog together, this many at a time: a catalog of a thousand
/// accounts rewritten once per account would make a first sync quadratic.
const SYNC_BATCH: usize = 100;

/// Entries a sync reads from the engine at once.
const READS_AT_ONCE: usize = 8;

/// Accounts (and their custom profiles) a sync has made, not yet in the catalog.
#[derive(Debug, Default)]
struct Pending {
    accounts: Vec<AccountRecord>,
    profiles: Vec<StoredProfile>,
}

/// The version of a shared entry being taken into this vault, and whether its secrets are
/// kept here now (at a login) or left in the engine until one (at a sync).
#[derive(Debug, Clone, Copy)]
struct Taken {
    version: u64,
    keep_secrets: bool,
}

/// How a member proves who they are when connecting a team.
#[derive(Debug)]
pub enum TeamCredentials {
    /// A token the engine gave them.
    Token(Secret),
    /// A userpass name and password.
    Userpass {
        /// The userpass name.
        user: String,
        /// Its password (kept, to log in again when the token runs out).
        password: Secret,
    },
}

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Accounts new in this vault, by name.
    pub added: Vec<String>,
    /// Accounts whose shared entry changed, by name.
    pub updated: Vec<String>,
    /// Accounts removed here because the team removed them, by name.
    pub removed: Vec<String>,
    /// Accounts held at their current version.
    pub unchanged: usize,
    /// Entries of the team that are not shared accounts (written by hand, or by a newer
    /// release), with the reason: reported, never guessed at.
    pub skipped: Vec<(String, String)>,
    /// Requests made to the team's engine.
    pub requests: usize,
}

impl SyncReport {
    /// One line for people.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} removed, {} unchanged{}",
            self.added.len(),
            self.updated.len(),
            self.removed.len(),
            self.unchanged,
            if self.skipped.is_empty() {
                String::new()
            } else {
                format!(", {} skipped", self.skipped.len())
            }
        )
    }
}

/// The secret store's account name of a team's own secrets.
fn team_secrets(team: &str) -> String {
    format!("team:{team}")
}

fn engine_of(team: &TeamRecord) -> Result<Engine> {
    Engine::new(
        &team.addresses,
        &team.mount,
        team.ca_cert_pem.as_deref().map(str::as_bytes),
    )
}

fn entry_path(team: &TeamRecord, key: &str) -> String {
    format!("{}/{key}", team.prefix.trim_matches('/'))
}

impl Catalog {
    /// The team of that name.
    pub fn team(&self, name: &str) -> Result<&TeamRecord> {
        self.teams
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::InvalidAccount {
                field: "team",
                problem: format!("no team named `{name}` is connected (`tokenvault team list`)"),
            })
    }
}

impl Definition {
    fn of(record: &AccountRecord) -> Self {
        Self {
            name: record.name.clone(),
            environment: record.environment.clone(),
            profile: record.profile.clone(),
            base_url: record.base_url.clone(),
            identity: record.identity.clone(),
            client_id: record.client_id.clone(),
            second_factor: record.second_factor,
            overrides: record.overrides.clone(),
            allow_plain_http: record.allow_plain_http,
            ca_cert_pem: record.ca_cert_pem.clone(),
        }
    }

    /// Whether a login would go elsewhere, or as someone else: the tokens held are then not
    /// this account's any more.
    fn logs_in_differently(&self, record: &AccountRecord) -> bool {
        self.profile != record.profile
            || self.base_url != record.base_url
            || self.identity != record.identity
            || self.client_id != record.client_id
            || self.overrides != record.overrides
    }
}

impl Vault {
    /// Connects this vault to a team's engine: checks the credentials and the KV version 2
    /// mount, keeps the token (and a userpass password) in the secret store, and the team in
    /// the catalog. Nothing is kept when any check fails.
    pub async fn connect_team(
        &self,
        mut team: TeamRecord,
        credentials: TeamCredentials,
    ) -> Result<TeamRecord> {
        check_name(&team.name)?;
        if self.catalog()?.teams.iter().any(|t| t.name == team.name) {
            return Err(Error::InvalidAccount {
                field: "team",
                problem: format!(
                    "a team named `{}` is connected already (`tokenvault team disconnect {}` first)",
                    team.name, team.name
                ),
            });
        }
        team.prefix = team.prefix.trim_matches('/').to_owned();
        let engine = engine_of(&team)?;
        let (token, password) = match credentials {
            TeamCredentials::Token(token) => {
                team.login = TeamLogin::Token;
                (token, None)
            }
            TeamCredentials::Userpass { user, password } => {
                let lease = engine.login_userpass(&user, &password).await?;
                team.login = TeamLogin::Userpass { user };
                (lease.token, Some(password))
            }
        };
        let info = engine.lookup_self(&token).await?;
        if engine.kv_version(&token).await? != 2 {
            return Err(Error::UnexpectedResponse {
                url: format!("{}/v1/{}", team.addresses[0], engine.mount()),
                expected: "a KV version 2 secrets engine".to_owned(),
                got: "KV version 1, which keeps no versions to sync by".to_owned(),
            });
        }
        team.member = info.display_name;
        team.token_expires_at =
            (info.ttl > 0).then(|| self.clock.now() + Duration::seconds(info.ttl as i64));
        team.last_sync = None;
        let owner = team_secrets(&team.name);
        let key = SecretKey::new(&owner, SecretKind::EngineToken);
        blocking(&self.store, move |s| s.set(&key, &token)).await?;
        if let Some(password) = password {
            let key = SecretKey::new(&owner, SecretKind::Password);
            blocking(&self.store, move |s| s.set(&key, &password)).await?;
        }
        let kept = team.clone();
        self.catalog.update(move |c| {
            c.teams.push(kept);
            Ok(())
        })?;
        Ok(team)
    }

    /// The team's token, renewed first when it runs out soon (or, for userpass, replaced by
    /// a new login when it can no longer be renewed). A token still valid is kept when a
    /// renewal fails for a reason the engine did not say about the token.
    async fn team_token(&self, team: &TeamRecord, engine: &Engine) -> Result<Secret> {
        let owner = team_secrets(&team.name);
        let key = SecretKey::new(&owner, SecretKind::EngineToken);
        let token = blocking(&self.store, move |s| s.get(&key))
            .await?
            .ok_or_else(|| Error::TeamTokenRejected {
                detail: format!("no token is kept for team `{}`", team.name),
            })?;
        let now = self.clock.now();
        let Some(expires) = team.token_expires_at else {
            return Ok(token);
        };
        if expires - now > RENEW_WITHIN {
            return Ok(token);
        }
        let renewed = match engine.renew_self(&token).await {
            Ok(lease) => Ok((token.clone(), lease.ttl)),
            Err(e) => match &team.login {
                TeamLogin::Userpass { user } if !e.is_transient() || expires <= now => {
                    let key = SecretKey::new(&owner, SecretKind::Password);
                    let password = blocking(&self.store, move |s| s.get(&key)).await?;
                    match password {
                        Some(password) => engine
                            .login_userpass(user, &password)
                            .await
                            .map(|lease| (lease.token, lease.ttl)),
                        None => Err(e),
                    }
                }
                _ => Err(e),
            },
        };
        match renewed {
            Ok((token, ttl)) => {
                let key = SecretKey::new(&owner, SecretKind::EngineToken);
                let kept = token.clone();
                blocking(&self.store, move |s| s.set(&key, &kept)).await?;
                let name = team.name.clone();
                let at = (ttl > 0).then(|| now + Duration::seconds(ttl as i64));
                self.catalog.update(move |c| {
                    if let Some(team) = c.teams.iter_mut().find(|t| t.name == name) {
                        team.token_expires_at = at;
                    }
                    Ok(())
                })?;
                Ok(token)
            }
            Err(e) if expires > now && e.is_transient() => {
                tracing::warn!("the token of team `{}` was not renewed: {e}", team.name);
                Ok(token)
            }
            Err(e) => Err(e),
        }
    }

    /// Shares an account in a team: its definition and secrets are written to the team's
    /// engine with check-and-set, so a change someone else made meanwhile is never
    /// overwritten (the conflict names who made it). Returns the version written.
    pub async fn share(&self, account: &str, team_name: &str) -> Result<u64> {
        let catalog = self.catalog()?;
        let record = catalog.account(account)?.clone();
        let team = catalog.team(team_name)?.clone();
        if let Some(link) = record.team.as_ref().filter(|l| l.team != team.name) {
            return Err(Error::InvalidAccount {
                field: "team",
                problem: format!("{} is shared in team `{}` already", record.name, link.team),
            });
        }
        let profile_source = if preset(&record.profile).is_some() {
            None
        } else {
            catalog
                .profiles
                .iter()
                .find(|p| p.id == record.profile)
                .map(|p| p.source.clone())
        };
        let mut secrets = LoginSecrets::default();
        for kind in [
            SecretKind::Password,
            SecretKind::ClientSecret,
            SecretKind::Totp,
        ] {
            let key = SecretKey::new(&record.id, kind.clone());
            let value = blocking(&self.store, move |s| s.get(&key)).await?;
            match kind {
                SecretKind::Password => secrets.password = value,
                SecretKind::ClientSecret => secrets.client_secret = value,
                _ => secrets.totp_secret = value,
            }
        }
        let engine = engine_of(&team)?;
        let token = self.team_token(&team, &engine).await?;
        let key = record
            .team
            .as_ref()
            .map(|l| l.key.clone())
            .unwrap_or_else(|| shared::key_of(&record.name));
        let path = entry_path(&team, &key);
        let expected = match &record.team {
            Some(link) => link.version,
            None => match engine.state(&token, &path).await? {
                None => 0,
                Some(state) if state.deleted => state.version,
                Some(state) => {
                    return Err(Error::TeamConflict {
                        entry: key,
                        detail: format!(
                            "another account is shared under this name (version {}{})",
                            state.version,
                            self.shared_by(&engine, &token, &path).await
                        ),
                    });
                }
            },
        };
        let entry = SharedAccount {
            definition: Definition::of(&record),
            profile_source,
            secrets,
            shared_by: team.member.clone(),
        };
        let version = match engine.write(&token, &path, entry.to_data(), expected).await {
            Ok(version) => version,
            Err(Error::TeamConflict { entry, .. }) => {
                return Err(Error::TeamConflict {
                    detail: format!(
                        "you shared version {expected}; it is newer now{}",
                        self.shared_by(&engine, &token, &path).await
                    ),
                    entry,
                });
            }
            Err(e) => return Err(e),
        };
        let (id, team_name) = (record.id.clone(), team.name.clone());
        self.catalog.update(move |c| {
            if let Some(account) = c.accounts.iter_mut().find(|a| a.id == id) {
                account.team = Some(TeamLink {
                    team: team_name,
                    key,
                    version,
                    // What was shared is what this vault holds.
                    secrets_of: Some(version),
                });
            }
            Ok(())
        })?;
        self.record(&record.id, AuditKind::AccountChange, "ok");
        Ok(version)
    }

    /// `, shared by <member>` of the entry's current version, when it can be read.
    async fn shared_by(&self, engine: &Engine, token: &Secret, path: &str) -> String {
        match engine.read(token, path).await {
            Ok(Some(entry)) => match SharedAccount::from_data(entry.data) {
                Ok(shared) if !shared.shared_by.is_empty() => {
                    format!(", shared by {}", shared.shared_by)
                }
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    /// Brings the team's accounts into this vault: new ones are added, changed ones updated
    /// (a changed password is used at the next login), removed ones removed. Only the entries
    /// whose version changed are read. The outcome is noted on the team.
    pub async fn sync_team(&self, team_name: &str) -> Result<SyncReport> {
        let team = self.catalog()?.team(team_name)?.clone();
        let outcome = self.sync_with(&team).await;
        let note = SyncRecord {
            at: self.clock.now(),
            outcome: match &outcome {
                Ok(_) => "ok".to_owned(),
                Err(e) => e.code().as_str().to_owned(),
            },
            message: match &outcome {
                Ok(report) => report.summary(),
                Err(e) => e.to_string(),
            },
        };
        let name = team.name.clone();
        self.catalog.update(move |c| {
            if let Some(team) = c.teams.iter_mut().find(|t| t.name == name) {
                team.last_sync = Some(note);
            }
            Ok(())
        })?;
        outcome
    }

    async fn sync_with(&self, team: &TeamRecord) -> Result<SyncReport> {
        let engine = engine_of(team)?;
        let token = self.team_token(team, &engine).await?;
        let remote = engine.states(&token, &team.prefix).await?;
        let mut catalog = self.catalog()?;
        let held: BTreeMap<String, u64> = catalog
            .accounts
            .iter()
            .filter_map(|a| a.team.as_ref().filter(|l| l.team == team.name))
            .map(|l| (l.key.clone(), l.version))
            .collect();
        let plan = shared::plan(&remote, &held);
        let mut report = SyncReport {
            unchanged: plan.unchanged,
            ..SyncReport::default()
        };
        let mut gone = plan.remove;
        let mut pending = Pending::default();
        for keys in plan.fetch.chunks(READS_AT_ONCE) {
            let paths: Vec<String> = keys.iter().map(|key| entry_path(team, key)).collect();
            let reads = join_all(paths.iter().map(|path| engine.read(&token, path))).await;
            for (key, read) in keys.iter().zip(reads) {
                let Some(entry) = read? else {
                    gone.push(key.clone());
                    continue;
                };
                match SharedAccount::from_data(entry.data) {
                    Ok(shared) => {
                        let taken = Taken {
                            version: entry.version,
                            // Secrets are read at the account's first login, not here: a
                            // first sync of many accounts writes nothing to the secret store.
                            keep_secrets: false,
                        };
                        self.take_shared(
                            team,
                            &catalog,
                            key,
                            taken,
                            shared,
                            &mut report,
                            &mut pending,
                        )
                        .await?;
                        if pending.accounts.len() >= SYNC_BATCH {
                            self.write_pending(&mut pending)?;
                            catalog = self.catalog()?;
                        }
                    }
                    Err(reason) => {
                        tracing::warn!("team `{}`: entry `{key}` skipped: {reason}", team.name);
                        report.skipped.push((key.clone(), reason));
                    }
                }
            }
        }
        self.write_pending(&mut pending)?;
        for key in gone {
            let found = self.catalog()?.accounts.iter().find_map(|a| {
                a.team
                    .as_ref()
                    .filter(|l| l.team == team.name && l.key == key)
                    .map(|_| a.id.clone())
            });
            if let Some(id) = found {
                let removed = self.remove(&id).await?;
                report.removed.push(removed.record.name);
            }
        }
        report.requests = engine.requests();
        Ok(report)
    }

    /// Adds or updates the account of one shared entry (`catalog`: this vault's, as it was
    /// before the accounts in `pending`).
    #[allow(clippy::too_many_arguments)]
    async fn take_shared(
        &self,
        team: &TeamRecord,
        catalog: &Catalog,
        key: &str,
        taken: Taken,
        shared: SharedAccount,
        report: &mut SyncReport,
        pending: &mut Pending,
    ) -> Result<()> {
        let Taken {
            version,
            keep_secrets,
        } = taken;
        let existing = catalog
            .accounts
            .iter()
            .find(|a| {
                a.team
                    .as_ref()
                    .is_some_and(|l| l.team == team.name && l.key == key)
            })
            .cloned();
        let id = existing
            .as_ref()
            .map(|a| a.id.clone())
            .unwrap_or_else(|| format!("team-{}-{key}", team.name));
        // Two teams (or a team and this vault) may use one name: the team's is told apart.
        let name_taken = |name: &str| {
            catalog
                .accounts
                .iter()
                .chain(&pending.accounts)
                .any(|a| a.name == name && a.id != id)
        };
        let mut name = shared.definition.name.clone();
        if name_taken(&name) {
            name = format!("{name} ({})", team.name);
            if name_taken(&name) {
                report.skipped.push((
                    key.to_owned(),
                    format!(
                        "an account named `{}` exists here already",
                        shared.definition.name
                    ),
                ));
                return Ok(());
            }
        }
        if let Some(source) = &shared.profile_source
            && let Some(local) = catalog
                .profiles
                .iter()
                .find(|p| p.id == shared.definition.profile)
            && &local.source != source
        {
            report.skipped.push((
                key.to_owned(),
                format!(
                    "it speaks profile `{}`, which differs from this vault's own profile of that id",
                    shared.definition.profile
                ),
            ));
            return Ok(());
        }
        if shared.profile_source.is_none()
            && preset(&shared.definition.profile).is_none()
            && !catalog
                .profiles
                .iter()
                .any(|p| p.id == shared.definition.profile)
        {
            report.skipped.push((
                key.to_owned(),
                format!(
                    "its profile `{}` is neither a preset nor shared with it",
                    shared.definition.profile
                ),
            ));
            return Ok(());
        }
        let definition = &shared.definition;
        let relogin = existing
            .as_ref()
            .is_some_and(|a| definition.logs_in_differently(a));
        let record = AccountRecord {
            id: id.clone(),
            name: name.clone(),
            environment: definition.environment.clone(),
            profile: definition.profile.clone(),
            base_url: definition.base_url.clone(),
            identity: definition.identity.clone(),
            client_id: definition.client_id.clone(),
            second_factor: definition.second_factor,
            overrides: definition.overrides.clone(),
            allow_plain_http: definition.allow_plain_http,
            ca_cert_pem: definition.ca_cert_pem.clone(),
            tokens: match &existing {
                Some(a) if !relogin => a.tokens.clone(),
                _ => TokenTimes::default(),
            },
            team: Some(TeamLink {
                team: team.name.clone(),
                key: key.to_owned(),
                version,
                secrets_of: if keep_secrets {
                    Some(version)
                } else {
                    existing
                        .as_ref()
                        .and_then(|a| a.team.as_ref())
                        .and_then(|l| l.secrets_of)
                },
            }),
        };
        // The profile must make sense of it before anything is kept.
        if let Err(e) = catalog
            .profile_with(&record, shared.profile_source.as_deref())
            .and_then(|profile| {
                crate::auth::Target::new(profile, &record.base_url, record.allow_plain_http)
            })
        {
            report.skipped.push((key.to_owned(), e.to_string()));
            return Ok(());
        }
        if keep_secrets {
            self.replace_secrets(&id, shared.secrets, existing.is_some())
                .await?;
        }
        if relogin {
            for kind in [SecretKind::AccessToken, SecretKind::RefreshToken] {
                let key = SecretKey::new(&id, kind);
                blocking(&self.store, move |s| s.delete(&key)).await?;
            }
        }
        if let Some(source) = shared.profile_source {
            pending.profiles.push(StoredProfile {
                id: definition.profile.clone(),
                source,
            });
        }
        pending.accounts.push(record);
        self.record(&id, AuditKind::AccountChange, "ok");
        if existing.is_some() {
            report.updated.push(name);
        } else {
            report.added.push(name);
        }
        Ok(())
    }

    /// Writes the accounts a sync made to the catalog, in one write.
    fn write_pending(&self, pending: &mut Pending) -> Result<()> {
        if pending.accounts.is_empty() && pending.profiles.is_empty() {
            return Ok(());
        }
        let Pending { accounts, profiles } = std::mem::take(pending);
        self.catalog.update(move |c| {
            for profile in profiles {
                c.profiles.retain(|p| p.id != profile.id);
                c.profiles.push(profile);
            }
            for kept in accounts {
                match c.accounts.iter_mut().find(|a| a.id == kept.id) {
                    Some(account) => *account = kept,
                    None => c.accounts.push(kept),
                }
            }
            Ok(())
        })
    }

    /// Keeps exactly the secrets given: a secret the team no longer has is removed here too
    /// (an account new here has none to remove).
    async fn replace_secrets(&self, id: &str, secrets: LoginSecrets, held: bool) -> Result<()> {
        for (kind, value) in [
            (SecretKind::Password, secrets.password),
            (SecretKind::ClientSecret, secrets.client_secret),
            (SecretKind::Totp, secrets.totp_secret),
        ] {
            let key = SecretKey::new(id, kind);
            match value {
                Some(value) => blocking(&self.store, move |s| s.set(&key, &value)).await?,
                None if held => blocking(&self.store, move |s| s.delete(&key)).await?,
                None => {}
            }
        }
        Ok(())
    }

    /// Before a team account logs in: the secrets of its entry's current version, read from
    /// the team's engine (the copy kept here is what an offline login uses). An entry the
    /// team removed ends the account's logins with a clear error.
    pub(super) async fn refresh_team_secrets(&self, record: &AccountRecord) -> Result<()> {
        let Some(link) = &record.team else {
            return Ok(());
        };
        let catalog = self.catalog()?;
        let team = catalog.team(&link.team)?.clone();
        let engine = engine_of(&team)?.with_patience(std::time::Duration::from_secs(5));
        let read = async {
            let token = self.team_token(&team, &engine).await?;
            engine.read(&token, &entry_path(&team, &link.key)).await
        };
        match read.await {
            Ok(Some(entry))
                if entry.version == link.version && link.secrets_of == Some(entry.version) =>
            {
                Ok(())
            }
            Ok(Some(entry)) => {
                let shared = SharedAccount::from_data(entry.data).map_err(|reason| {
                    Error::UnexpectedResponse {
                        url: entry_path(&team, &link.key),
                        expected: "a shared account".to_owned(),
                        got: reason,
                    }
                })?;
                let mut report = SyncReport::default();
                let mut pending = Pending::default();
                let taken = Taken {
                    version: entry.version,
                    keep_secrets: true,
                };
                self.take_shared(
                    &team,
                    &catalog,
                    &link.key,
                    taken,
                    shared,
                    &mut report,
                    &mut pending,
                )
                .await?;
                if let Some((_, reason)) = report.skipped.into_iter().next() {
                    return Err(Error::InvalidAccount {
                        field: "team",
                        problem: format!(
                            "team `{}`'s entry for {} cannot be used here: {reason}",
                            team.name, record.name
                        ),
                    });
                }
                self.write_pending(&mut pending)
            }
            Ok(None) => Err(Error::InvalidAccount {
                field: "team",
                problem: format!(
                    "{} is no longer shared in team `{}`; `tokenvault team sync {}` removes it",
                    record.name, team.name, team.name
                ),
            }),
            // Offline, an account logs in with the secrets kept here; one that never logged
            // in has none, and the engine's error is the reason it cannot.
            Err(e) if e.is_transient() && link.secrets_of.is_some() => {
                tracing::info!(
                    "team `{}` unreachable ({e}): {} logs in with the secrets kept here",
                    team.name,
                    record.name
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Disconnects a team: its accounts and their secrets and tokens leave this vault, and
    /// so do the team's own token and password. Nothing changes in the engine.
    pub async fn disconnect_team(&self, team_name: &str) -> Result<Vec<String>> {
        let catalog = self.catalog()?;
        let team = catalog.team(team_name)?.clone();
        let ids: Vec<String> = catalog
            .accounts
            .iter()
            .filter(|a| a.team.as_ref().is_some_and(|l| l.team == team.name))
            .map(|a| a.id.clone())
            .collect();
        let mut removed = Vec::new();
        for id in ids {
            removed.push(self.remove(&id).await?.record.name);
        }
        let owner = team_secrets(&team.name);
        for kind in [SecretKind::EngineToken, SecretKind::Password] {
            let key = SecretKey::new(&owner, kind);
            blocking(&self.store, move |s| s.delete(&key)).await?;
        }
        let name = team.name.clone();
        self.catalog.update(move |c| {
            c.teams.retain(|t| t.name != name);
            Ok(())
        })?;
        Ok(removed)
    }

    /// Whether the team's token is due for renewal now (for the keeper).
    pub fn team_token_due(team: &TeamRecord, now: OffsetDateTime) -> bool {
        team.token_expires_at
            .is_some_and(|at| at - now <= RENEW_WITHIN)
    }
}
