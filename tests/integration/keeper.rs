//! The keeper renews every account ahead of expiry, once per renewal, and keeps a
//! still-valid token (and says why) when the server fails.

use std::sync::Arc;
use std::time::Duration;

use tokenvault_core::clock::SystemClock;
use tokenvault_core::keeper::{AccountInfo, AccountStatus, Keeper, TokenState};
use tokenvault_demo_api::{DemoServer, Dialect, Endpoint, Fault, FaultRule};
use tokenvault_tests::{demo_api, session};

fn keeper_of(server: &DemoServer, dialects: &[Dialect]) -> Arc<Keeper> {
    let mut keeper = Keeper::new(Arc::new(SystemClock));
    for dialect in dialects {
        let account = AccountInfo {
            id: dialect.as_str().to_owned(),
            name: dialect.as_str().to_owned(),
            environment: "Test".to_owned(),
            profile: dialect.as_str().to_owned(),
            base_url: server.base_url(*dialect),
            identity: String::new(),
        };
        keeper.add(account, session(server, *dialect));
    }
    Arc::new(keeper)
}

fn status(statuses: &[AccountStatus], dialect: Dialect) -> &AccountStatus {
    statuses
        .iter()
        .find(|s| s.account.id == dialect.as_str())
        .expect("the account is kept")
}

#[tokio::test]
async fn every_preset_is_renewed_once_before_its_short_token_expires() {
    let server = demo_api(6).await;
    let keeper = keeper_of(&server, &Dialect::PRESETS);
    keeper.start();
    tokio::time::sleep(Duration::from_millis(6_500)).await;
    let statuses = keeper.statuses();
    for dialect in Dialect::PRESETS {
        let calls =
            server.count(dialect, Endpoint::Login) + server.count(dialect, Endpoint::Refresh);
        assert_eq!(
            calls, 2,
            "{dialect:?}: one login, then one renewal ahead of expiry"
        );
        let status = status(&statuses, dialect);
        assert_eq!(
            status.state,
            TokenState::Fresh,
            "{dialect:?}: {:?}",
            status.failure
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
            if expected == Endpoint::Login { 2 } else { 1 }
        );
    }
}

#[tokio::test]
async fn a_failing_server_leaves_the_valid_token_in_place_and_the_status_says_why() {
    let server = demo_api(6).await;
    let keeper = keeper_of(&server, &[Dialect::Prive]);
    let mut changes = keeper.subscribe();
    keeper.start();
    let first = loop {
        changes.changed().await.unwrap();
        let now = changes.borrow_and_update().clone();
        if now[0].state == TokenState::Fresh {
            break now[0].clone();
        }
    };
    server.inject(FaultRule {
        fault: Fault::Http500,
        dialect: None,
        endpoint: None,
        times: None,
    });
    let failing = loop {
        changes.changed().await.unwrap();
        let now = changes.borrow_and_update().clone();
        if now[0].failure.is_some() {
            break now[0].clone();
        }
    };
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
    let keeper = keeper_of(&server, &[Dialect::Prive]);
    let mut changes = keeper.subscribe();
    keeper.start();
    let failed = loop {
        changes.changed().await.unwrap();
        let now = changes.borrow_and_update().clone();
        if now[0].failure.is_some() {
            break now[0].clone();
        }
    };
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
