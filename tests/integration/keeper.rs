//! The keeper (what the app and the agent run) renews every account ahead of expiry, once
//! per renewal, and keeps a still-valid token, saying why, when the server fails. Each
//! test waits for what it checks, with a deadline, never for a fixed time.

use std::sync::Arc;
use std::time::Duration;

use tokenvault_core::Secret;
use tokenvault_core::vault::keeper::Keeper;
use tokenvault_core::vault::secrets::{SecretKey, SecretKind};
use tokenvault_core::vault::status::{AccountStatus, TokenState};
use tokenvault_demo_api::{Dialect, Endpoint, Fault, FaultRule};
use tokenvault_tests::{demo_api, vault_of};

/// The first statuses that satisfy `wanted`, within a deadline that only a broken keeper
/// misses.
async fn until(keeper: &Keeper, wanted: impl Fn(&[AccountStatus]) -> bool) -> Vec<AccountStatus> {
    let mut changes = keeper.subscribe();
    let waiting = async {
        loop {
            let now = changes.borrow_and_update().clone();
            if wanted(&now) {
                return now;
            }
            changes.changed().await.expect("the keeper runs");
        }
    };
    tokio::time::timeout(Duration::from_secs(60), waiting)
        .await
        .expect("the keeper got there within a minute")
}

fn status(statuses: &[AccountStatus], dialect: Dialect) -> &AccountStatus {
    statuses
        .iter()
        .find(|s| s.account.id == dialect.as_str())
        .expect("the account is kept")
}

#[tokio::test]
async fn every_preset_is_renewed_once_before_its_short_token_expires() {
    let server = demo_api(10).await;
    let keeper = Arc::new(Keeper::new(vault_of(&server, &Dialect::PRESETS).await));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let calls =
        |dialect| server.count(dialect, Endpoint::Login) + server.count(dialect, Endpoint::Refresh);
    let statuses = until(&keeper, |_| Dialect::PRESETS.iter().all(|d| calls(*d) >= 2)).await;
    running.abort();
    for dialect in Dialect::PRESETS {
        let status = status(&statuses, dialect);
        assert_eq!(
            calls(dialect),
            2,
            "{dialect:?}: one login, then one renewal ahead of expiry"
        );
        let expected = if tokenvault_core::profile::preset(dialect.as_str())
            .unwrap()
            .profile
            .has_refresh()
        {
            Endpoint::Refresh
        } else {
            Endpoint::Login
        };
        assert_eq!(
            server.count(dialect, expected),
            if expected == Endpoint::Login { 2 } else { 1 },
            "{dialect:?} renews the way its dialect does"
        );
        assert!(
            status.failure.is_none(),
            "{dialect:?}: {:?}",
            status.failure
        );
    }
}

#[tokio::test]
async fn a_failing_server_leaves_the_valid_token_in_place_and_the_status_says_why() {
    let server = demo_api(6).await;
    let vault = vault_of(&server, &[Dialect::Prive]).await;
    let keeper = Arc::new(Keeper::new(Arc::clone(&vault)));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let first = until(&keeper, |s| {
        s.first().is_some_and(|a| a.state == TokenState::Fresh)
    })
    .await[0]
        .clone();
    server.inject(FaultRule {
        fault: Fault::Http500,
        dialect: None,
        endpoint: None,
        times: None,
    });
    let failing =
        until(&keeper, |s| s.first().is_some_and(|a| a.failure.is_some())).await[0].clone();
    running.abort();
    assert_eq!(
        failing.state,
        TokenState::Failing,
        "the token is still valid"
    );
    assert_eq!(failing.failure.as_ref().unwrap().code, "server_error");
    assert_eq!(
        failing.access_expires_at, first.access_expires_at,
        "the held token is kept"
    );
    assert!(failing.renew_at.is_some(), "a retry is planned");
    let noted = vault.catalog().unwrap().accounts[0]
        .tokens
        .last_failure
        .clone();
    assert_eq!(
        noted.map(|f| f.code.as_str()),
        Some("server_error"),
        "the failure is in the catalog, for every process to see"
    );
}

#[tokio::test]
async fn a_rate_limited_renewal_waits_as_long_as_the_server_asks() {
    let server = demo_api(120).await;
    server.inject(FaultRule {
        fault: Fault::TooManyRequests,
        dialect: Some(Dialect::Prive),
        endpoint: None,
        times: None,
    });
    let keeper = Arc::new(Keeper::new(vault_of(&server, &[Dialect::Prive]).await));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let failed =
        until(&keeper, |s| s.first().is_some_and(|a| a.failure.is_some())).await[0].clone();
    running.abort();
    let wait = failed.renew_at.expect("a retry is planned") - time::OffsetDateTime::now_utc();
    assert!(
        wait > time::Duration::seconds(25),
        "Retry-After: 30 is honoured over the 2 s first backoff, got {wait}"
    );
    assert_eq!(failed.failure.unwrap().code, "server_error");
    assert_eq!(
        failed.state,
        TokenState::Expired,
        "no token was ever obtained"
    );
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Login),
        1,
        "no retry storm"
    );
}

#[tokio::test]
async fn a_refused_password_is_tried_once_and_not_again_until_the_account_changes() {
    refused_once_and_not_again(Dialect::Prive, SecretKind::Password, "credentials_rejected").await;
}

#[tokio::test]
async fn a_refused_client_secret_is_tried_once_and_not_again_until_the_account_changes() {
    refused_once_and_not_again(
        Dialect::Oauth2ClientCredentials,
        SecretKind::ClientSecret,
        "client_rejected",
    )
    .await;
}

/// The keeper of an account whose `secret` is wrong logs in once, notes `code`, and does not
/// try again while nothing changes.
async fn refused_once_and_not_again(dialect: Dialect, secret: SecretKind, code: &str) {
    let server = demo_api(120).await;
    let vault = vault_of(&server, &[dialect]).await;
    let key = SecretKey::new(dialect.as_str(), secret);
    vault
        .store()
        .set(&key, &Secret::new("not-the-secret"))
        .expect("the wrong secret is stored");
    let keeper = Arc::new(Keeper::new(Arc::clone(&vault)));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let failed =
        until(&keeper, |s| s.first().is_some_and(|a| a.failure.is_some())).await[0].clone();
    assert_eq!(failed.failure.expect("a failure").code, code);
    // The keeper looks again every second: three looks are enough to see a retry.
    tokio::time::sleep(Duration::from_secs(3)).await;
    running.abort();
    assert_eq!(
        server.count(dialect, Endpoint::Login),
        1,
        "its failure note in the catalog is no change that would make it try again"
    );
}

#[tokio::test]
async fn an_account_with_a_kept_totp_secret_logs_in_again_by_itself_three_times_in_a_row() {
    // Three-second tokens, two-second codes, and every refresh refused: each renewal is a
    // new login with a new code, as after a refused refresh on a real Directus.
    let server = tokenvault_demo_api::DemoServer::start(
        tokenvault_demo_api::Config {
            access_ttl: Duration::from_secs(3),
            totp_period_secs: 2,
            ..tokenvault_demo_api::Config::default()
        },
        0,
    )
    .await
    .expect("the demo API starts");
    server.inject(FaultRule {
        fault: Fault::RefreshTokenReused,
        dialect: Some(Dialect::Directus),
        endpoint: Some(Endpoint::Refresh),
        times: None,
    });
    let vault = vault_of(&server, &[Dialect::Directus]).await;
    let key = SecretKey::new(Dialect::Directus.as_str(), SecretKind::Totp);
    let uri = format!(
        "otpauth://totp/Directus:editor?secret={}&period=2",
        tokenvault_demo_api::DIRECTUS_TOTP_SECRET
    );
    vault
        .store()
        .set(&key, &Secret::new(uri))
        .expect("the TOTP secret is kept");
    let keeper = Arc::new(Keeper::new(Arc::clone(&vault)));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let logins = || server.count(Dialect::Directus, Endpoint::Login);
    let statuses = until(&keeper, |_| logins() >= 4).await;
    running.abort();
    let directus = status(&statuses, Dialect::Directus);
    assert!(
        directus.failure.is_none(),
        "no login failed: {:?}",
        directus.failure
    );
    // The server takes each code once: four logins are four codes the vault made itself.
    assert!(logins() >= 4);
    assert!(server.count(Dialect::Directus, Endpoint::Refresh) >= 3);
}

#[tokio::test]
async fn an_account_whose_code_is_asked_is_never_logged_in_by_the_keeper() {
    let server = demo_api(120).await;
    let vault = vault_of(&server, &[Dialect::Directus]).await;
    vault
        .catalog_file()
        .update(|c| {
            for account in &mut c.accounts {
                account.second_factor = Some(tokenvault_core::vault::catalog::SecondFactor::Ask);
            }
            Ok(())
        })
        .expect("the catalog is written");
    let keeper = Arc::new(Keeper::new(Arc::clone(&vault)));
    let running = tokio::spawn(Arc::clone(&keeper).run());
    let failed =
        until(&keeper, |s| s.first().is_some_and(|a| a.failure.is_some())).await[0].clone();
    assert_eq!(failed.failure.expect("a failure").code, "otp_required");
    // The keeper looks again every second: three looks are enough to see a retry.
    tokio::time::sleep(Duration::from_secs(3)).await;
    running.abort();
    assert_eq!(
        server.count(Dialect::Directus, Endpoint::Login),
        0,
        "nobody is there to give a code, so no login is sent"
    );
}
