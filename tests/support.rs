//! Shared set-up for the integration tests: a demo API on loopback and the
//! accounts that log in to it.

use std::sync::Arc;
use std::time::Duration;

use tokenvault_core::Secret;
use tokenvault_core::auth::{Authenticator, HttpOptions, Target};
use tokenvault_core::clock::SystemClock;
use tokenvault_core::freshness::FreshnessPolicy;
use tokenvault_core::profile::preset;
use tokenvault_core::session::Session;
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

/// The preset's target on the demo API.
pub fn target(server: &DemoServer, dialect: Dialect) -> Target {
    let profile = preset(dialect.as_str())
        .expect("a preset per dialect")
        .profile
        .clone();
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

/// A session for the dialect's demo user.
pub fn session(server: &DemoServer, dialect: Dialect) -> Session {
    Session::new(
        target(server, dialect),
        user(dialect).identity,
        Secret::new(user(dialect).password),
        authenticator(),
        FreshnessPolicy::default(),
        Arc::new(SystemClock),
    )
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
