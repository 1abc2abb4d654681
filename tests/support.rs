//! Shared set-up for the integration tests: a demo API on loopback and the
//! accounts that log in to it.

pub mod network;
pub mod openbao;

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokenvault_core::auth::{Authenticator, HttpOptions, LoginSecrets, Target, Token, TokenSet};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::profile::preset;
use tokenvault_core::vault::catalog::{AccountRecord, SecondFactor, StoredProfile, TokenTimes};
use tokenvault_core::vault::home::Home;
use tokenvault_core::vault::secrets::{MemoryStore, SecretKey, SecretKind};
use tokenvault_core::vault::status::{RenewalFailure, RenewalOutcome};
use tokenvault_core::vault::{Source, Vault};
use tokenvault_core::{Error, Secret};
use tokenvault_demo_api::{Config, DEMO_USERS, DemoServer, DemoUser, Dialect};

/// A demo API with the given access token lifetime (seconds), on a free port.
pub async fn demo_api(access_ttl_secs: u64) -> DemoServer {
    let config = Config {
        access_ttl: Duration::from_secs(access_ttl_secs),
        timeout_delay: Duration::from_secs(5),
        ..Config::default()
    };
    DemoServer::start(config, 0)
        .await
        .expect("the demo API starts on loopback")
}

/// The demo user of a dialect.
pub fn user(dialect: Dialect) -> DemoUser {
    DEMO_USERS
        .into_iter()
        .find(|u| u.dialect == dialect)
        .expect("every dialect has a demo user")
}

/// A vault in a fresh scratch data folder, its secrets in memory, on the system clock.
pub fn memory_vault(name: &str) -> Vault {
    Vault::with_store(
        Home::at(scratch(name)).expect("a scratch data folder"),
        Arc::new(MemoryStore::default()),
        Arc::new(SystemClock),
    )
}

/// The preset's target on the demo API.
pub fn target(server: &DemoServer, dialect: Dialect) -> Target {
    let who = user(dialect);
    let profile = preset(dialect.as_str())
        .expect("a preset per dialect")
        .profile
        .clone()
        .with_client_id(who.is_client().then_some(who.identity))
        .expect("a client's preset takes its id");
    Target::new(profile, &server.base_url(dialect), false).expect("a loopback base URL is valid")
}

/// An authenticator with a short timeout, so timeout faults are quick to see.
pub fn authenticator() -> Authenticator {
    Authenticator::new(HttpOptions {
        timeout: Duration::from_secs(1),
        ..HttpOptions::default()
    })
    .expect("the HTTP client builds")
}

/// A vault of its own (a scratch data folder, secrets in memory) holding one account of
/// the dialect's demo user, not logged in yet: the engine the app and the CLI run.
#[derive(Debug)]
pub struct DemoAccount {
    /// The vault.
    pub vault: Arc<Vault>,
    /// The account's name.
    pub name: String,
}

/// The dialect's demo user as an account of a vault of its own, with its preset.
pub async fn account(server: &DemoServer, dialect: Dialect) -> DemoAccount {
    account_with_profile(server, dialect, dialect.as_str(), None).await
}

/// The dialect's demo user as an account of a vault of its own, speaking `profile`: a
/// preset id, or the id of `custom` (a profile's TOML) saved in the catalog.
pub async fn account_with_profile(
    server: &DemoServer,
    dialect: Dialect,
    profile: &str,
    custom: Option<&str>,
) -> DemoAccount {
    account_on_clock(server, dialect, profile, custom, Arc::new(SystemClock)).await
}

/// [`account_with_profile`], its vault's decisions taken on `clock` (a `ManualClock`, for
/// tests of when a token is served or renewed).
pub async fn account_on_clock(
    server: &DemoServer,
    dialect: Dialect,
    profile: &str,
    custom: Option<&str>,
    clock: Arc<dyn Clock>,
) -> DemoAccount {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let home = Home::at(scratch(&format!("vault-{}-{n}", dialect.as_str())))
        .expect("a scratch data folder");
    let vault = Vault::with_store(home, Arc::new(MemoryStore::default()), clock);
    if let Some(source) = custom {
        vault
            .catalog_file()
            .update(|c| {
                c.profiles.push(StoredProfile {
                    id: profile.to_owned(),
                    source: source.to_owned(),
                });
                Ok(())
            })
            .expect("the profile is saved");
    }
    add_demo_user(&vault, server, dialect, profile).await;
    DemoAccount {
        vault: Arc::new(vault),
        name: user(dialect).account_name.to_owned(),
    }
}

/// Adds the dialect's demo user to `vault`, speaking `profile`, not logged in yet.
async fn add_demo_user(vault: &Vault, server: &DemoServer, dialect: Dialect, profile: &str) {
    let who = user(dialect);
    let record = AccountRecord {
        id: dialect.as_str().to_owned(),
        name: who.account_name.to_owned(),
        environment: "Test".to_owned(),
        profile: profile.to_owned(),
        base_url: server.base_url(dialect),
        identity: who.identity.to_owned(),
        client_id: who.is_client().then(|| who.identity.to_owned()),
        second_factor: who.totp_secret().map(|_| SecondFactor::Totp),
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
        tokens: TokenTimes::default(),
        team: None,
    };
    vault
        .add(record, secrets_of(&who))
        .await
        .expect("the account is added");
}

/// What a demo user logs in with: a password (and the TOTP secret of a user with
/// two-factor login on, with its code for now), or for an OAuth client its client secret.
pub fn secrets_of(who: &DemoUser) -> LoginSecrets {
    let secret = Secret::new(who.password);
    if who.is_client() {
        return LoginSecrets::client_secret(secret);
    }
    // A login straight through the authenticator sends this code; the vault makes its own.
    let code = who.totp_secret().map(|base32| {
        tokenvault_core::totp::Totp::parse(&Secret::new(base32))
            .expect("the demo TOTP secret reads")
            .code_at(OffsetDateTime::now_utc().unix_timestamp())
    });
    LoginSecrets {
        totp_secret: who.totp_secret().map(Secret::new),
        one_time_code: code,
        ..LoginSecrets::password(secret)
    }
}

/// The demo user's account record fields that depend on how it logs in: its client id,
/// and its second factor.
pub fn login_fields_of(who: &DemoUser) -> (Option<String>, Option<SecondFactor>) {
    (
        who.is_client().then(|| who.identity.to_owned()),
        who.totp_secret().map(|_| SecondFactor::Totp),
    )
}

/// One vault holding the demo user of each dialect, none logged in yet.
pub async fn vault_of(server: &DemoServer, dialects: &[Dialect]) -> Arc<Vault> {
    let (first, others) = dialects.split_first().expect("at least one dialect");
    let vault = account(server, *first).await.vault;
    for dialect in others {
        add_demo_user(&vault, server, *dialect, dialect.as_str()).await;
    }
    vault
}

impl DemoAccount {
    /// Renews now, whatever the tokens held, and says how.
    pub async fn renew(&self) -> Result<RenewalOutcome, Error> {
        let had_tokens = self.record().tokens.access_obtained_at.is_some();
        let (_, source) = self.vault.renew_now(&self.name).await?;
        Ok(match source {
            Source::Refreshed => RenewalOutcome::Refreshed,
            Source::LoggedIn if had_tokens => RenewalOutcome::LoggedInAgain,
            Source::LoggedIn | Source::Stored | Source::RenewedElsewhere => {
                RenewalOutcome::LoggedIn
            }
        })
    }

    /// An access token valid for `min_valid`, as `tokenvault token` asks for one.
    pub async fn access_token(&self, min_valid: time::Duration) -> Result<Token, Error> {
        Ok(self.vault.access_token(&self.name, min_valid).await?.0)
    }

    /// The tokens the vault holds now, if any.
    pub async fn tokens(&self) -> Option<TokenSet> {
        let record = self.record();
        let access = self
            .vault
            .stored_access_token(&self.name)
            .await
            .expect("the store answers")?;
        let refresh = self
            .vault
            .store()
            .get(&SecretKey::new(&record.id, SecretKind::RefreshToken))
            .expect("the store answers")
            .map(|value| Token {
                value,
                expires_at: record.tokens.refresh_expires_at,
                obtained_at: access.obtained_at,
            });
        Some(TokenSet { access, refresh })
    }

    /// The account's catalog record now.
    pub fn record(&self) -> AccountRecord {
        self.vault
            .catalog()
            .expect("the catalog reads")
            .account(&self.name)
            .expect("the account is there")
            .clone()
    }

    /// The failure the catalog notes for the account, if any.
    pub fn last_failure(&self) -> Option<RenewalFailure> {
        self.record().tokens.last_failure
    }
}

/// Panics, saying how to run it, unless this runs inside the throwaway keyring session of
/// `scripts/with-test-session.sh` (as `./dev test rust` does): a test that touches the
/// keyring must never write into the developer's own.
pub fn require_test_session() {
    assert!(
        std::env::var_os("TOKENVAULT_IN_TEST_SESSION").is_some()
            && std::env::var_os("TOKENVAULT_HOME").is_some(),
        "this test uses the OS keyring and runs only in a throwaway one: \
         `scripts/with-test-session.sh cargo test --workspace`, or `./dev test rust`"
    );
}

/// A scratch folder of its own per test, inside the test session's data folder when
/// there is one, emptied first.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let base = std::env::var_os("TOKENVAULT_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder can be made");
    dir
}

/// A clock that moves only when told to, for tests of time-dependent decisions.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<OffsetDateTime>);

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn at(start: OffsetDateTime) -> Self {
        Self(std::sync::Mutex::new(start))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
