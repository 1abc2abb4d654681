//! Every preset against its dialect on the demo API.

use time::OffsetDateTime;
use tokenvault_core::Error;
use tokenvault_core::Secret;
use tokenvault_core::jwt::UnverifiedJwt;
use tokenvault_core::session::RenewalOutcome;
use tokenvault_demo_api::{Dialect, Endpoint};
use tokenvault_tests::{authenticator, demo_api, session, target, user};

#[tokio::test]
async fn every_preset_logs_in_and_reads_the_token_expiry() {
    let server = demo_api(120).await;
    for dialect in Dialect::ALL {
        let now = OffsetDateTime::now_utc();
        let tokens = authenticator()
            .login(
                &target(&server, dialect),
                user(dialect).identity,
                &Secret::new(user(dialect).password),
                now,
            )
            .await
            .unwrap_or_else(|e| panic!("{dialect:?} login failed: {e}"));
        let claims = UnverifiedJwt::decode(tokens.access.value.expose())
            .expect("a JWT")
            .claims;
        assert_eq!(
            claims["sub"],
            user(dialect).identity,
            "{dialect:?}: token is for the user"
        );
        let left = tokens.access.seconds_left(now).expect("expiry is known");
        assert!(
            (118..=121).contains(&left),
            "{dialect:?}: ~120 s left, got {left}"
        );
        assert_eq!(server.count(dialect, Endpoint::Login), 1);
    }
}

#[tokio::test]
async fn a_wrong_password_is_rejected_naming_the_identity_but_not_the_password() {
    let server = demo_api(120).await;
    for dialect in Dialect::ALL {
        let wrong = Secret::new("not-the-password-42");
        let error = authenticator()
            .login(
                &target(&server, dialect),
                user(dialect).identity,
                &wrong,
                OffsetDateTime::now_utc(),
            )
            .await
            .expect_err("a wrong password must fail");
        assert_eq!(error.code(), "credentials_rejected", "{dialect:?}: {error}");
        let message = error.to_string();
        assert!(message.contains(user(dialect).identity), "{message}");
        assert!(!message.contains("not-the-password-42"), "{message}");
    }
}

#[tokio::test]
async fn prive_has_no_refresh_so_renewal_logs_in_again() {
    let server = demo_api(120).await;
    let session = session(&server, Dialect::Prive);
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::LoggedIn);
    assert_eq!(
        session.renew().await.unwrap(),
        RenewalOutcome::LoggedInAgain
    );
    assert_eq!(server.count(Dialect::Prive, Endpoint::Login), 2);
    assert_eq!(server.count(Dialect::Prive, Endpoint::Refresh), 0);
}

#[tokio::test]
async fn finvera_refreshes_with_its_refresh_cookie_and_keeps_it() {
    let server = demo_api(120).await;
    let session = session(&server, Dialect::Finvera);
    session.renew().await.unwrap();
    let before = session.tokens().await.unwrap();
    assert!(
        before.refresh.is_some(),
        "the login set a DT_REFRESH_TOKEN cookie"
    );
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let after = session.tokens().await.unwrap();
    assert_ne!(
        after.access.value, before.access.value,
        "a new access token"
    );
    assert_eq!(
        after.refresh, before.refresh,
        "the refresh cookie does not rotate"
    );
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Refresh), 1);
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Login), 1);
}

#[tokio::test]
async fn traderevolution_refreshes_with_a_token_header_and_the_refresh_token_rotates() {
    let server = demo_api(120).await;
    let session = session(&server, Dialect::Traderevolution);
    session.renew().await.unwrap();
    let first = session
        .tokens()
        .await
        .unwrap()
        .refresh
        .expect("a refresh token");
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let second = session
        .tokens()
        .await
        .unwrap()
        .refresh
        .expect("a new refresh token");
    assert_ne!(first.value, second.value, "the pair is replaced");

    let reuse = authenticator()
        .refresh(
            &target(&server, Dialect::Traderevolution),
            &first.value,
            OffsetDateTime::now_utc(),
        )
        .await
        .expect_err("a rotated refresh token is refused");
    assert!(
        matches!(reuse, Error::RefreshRejected { status: 401, .. }),
        "{reuse}"
    );
    assert!(reuse.to_string().contains("already used"), "{reuse}");
}

#[tokio::test]
async fn private_tokens_login_token_is_renewed_by_logging_in_again() {
    let server = demo_api(120).await;
    let session = session(&server, Dialect::PrivateTokens);
    session.renew().await.unwrap();
    assert_eq!(
        session.renew().await.unwrap(),
        RenewalOutcome::LoggedInAgain
    );
    assert_eq!(server.count(Dialect::PrivateTokens, Endpoint::Login), 2);
}

#[tokio::test]
async fn many_callers_at_once_cause_exactly_one_login() {
    let server = demo_api(120).await;
    let session = std::sync::Arc::new(session(&server, Dialect::Traderevolution));
    let callers: Vec<_> = (0..25)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.access_token(time::Duration::seconds(60)).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap().unwrap().value);
    }
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "every caller got the same token"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Login), 1);
}

#[tokio::test]
async fn a_token_too_close_to_expiry_for_the_caller_is_renewed_first() {
    let server = demo_api(120).await;
    let session = session(&server, Dialect::Traderevolution);
    let first = session
        .access_token(time::Duration::seconds(60))
        .await
        .unwrap();
    let second = session
        .access_token(time::Duration::seconds(300))
        .await
        .unwrap();
    assert_ne!(
        first.value, second.value,
        "120 s left is less than the 300 s asked for"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Refresh), 1);
}
