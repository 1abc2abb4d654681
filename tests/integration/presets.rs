//! Every preset against its dialect on the demo API.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokenvault_core::Error;
use tokenvault_core::Secret;
use tokenvault_core::auth::{LoginSecrets, Target};
use tokenvault_core::jwt::UnverifiedJwt;
use tokenvault_core::profile::preset;
use tokenvault_core::vault::status::RenewalOutcome;
use tokenvault_demo_api::{CONFIDENTIAL_CLIENT, DemoServer, Dialect, Endpoint, PUBLIC_CLIENT};
use tokenvault_tests::{
    DemoAccount, ManualClock, account, account_on_clock, authenticator, demo_api, secrets_of,
    target, user,
};

#[tokio::test]
async fn every_preset_logs_in_and_reads_the_token_expiry() {
    let server = demo_api(120).await;
    for dialect in Dialect::PRESETS {
        let now = OffsetDateTime::now_utc();
        let tokens = authenticator()
            .login(
                &target(&server, dialect),
                user(dialect).identity,
                &secrets_of(&user(dialect)),
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
async fn a_login_path_missing_its_trailing_slash_is_named_with_the_override_that_fixes_it() {
    let server = demo_api(120).await;
    let profile = preset("simplejwt")
        .unwrap()
        .profile
        .with_overrides(&[("login.path".into(), "/api/token".into())])
        .unwrap();
    let simplejwt = Target::new(profile, &server.base_url(Dialect::Simplejwt), false).unwrap();
    let error = authenticator()
        .login(
            &simplejwt,
            user(Dialect::Simplejwt).identity,
            &LoginSecrets::password(Secret::new(user(Dialect::Simplejwt).password)),
            OffsetDateTime::now_utc(),
        )
        .await
        .expect_err("the redirect is not followed");
    assert_eq!(error.code(), "unexpected_response");
    assert!(
        error
            .to_string()
            .contains("add `--set login.path=/api/token/` to the account"),
        "{error}"
    );
    assert_eq!(server.count(Dialect::Simplejwt, Endpoint::Login), 0);
}

#[tokio::test]
async fn a_wrong_password_is_rejected_naming_the_identity_but_not_the_password() {
    let server = demo_api(120).await;
    for dialect in Dialect::PRESETS
        .into_iter()
        .filter(|d| !user(*d).is_client())
    {
        let wrong = LoginSecrets::password(Secret::new("not-the-password-42"));
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
    let session = account(&server, Dialect::Prive).await;
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
    let session = account(&server, Dialect::Finvera).await;
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
        after.refresh.map(|r| r.value),
        before.refresh.map(|r| r.value),
        "the refresh cookie does not rotate"
    );
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Refresh), 1);
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Login), 1);
}

#[tokio::test]
async fn traderevolution_refreshes_with_a_token_header_and_the_refresh_token_rotates() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Traderevolution).await;
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
            &LoginSecrets::default(),
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
    let session = account(&server, Dialect::PrivateTokens).await;
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
    let session = std::sync::Arc::new(account(&server, Dialect::Traderevolution).await);
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

/// The TraderEvolution demo user in a vault whose decisions follow a clock that moves only
/// when told (the server's tokens still carry real instants: it starts at the real now).
async fn traderevolution_on_a_manual_clock(server: &DemoServer) -> (DemoAccount, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at(OffsetDateTime::now_utc()));
    let account = account_on_clock(
        server,
        Dialect::Traderevolution,
        "traderevolution",
        None,
        clock.clone(),
    )
    .await;
    (account, clock)
}

#[tokio::test]
async fn a_token_too_close_to_expiry_for_the_caller_is_renewed_first() {
    let server = demo_api(120).await;
    let (session, clock) = traderevolution_on_a_manual_clock(&server).await;
    let first = session.access_token(Duration::seconds(60)).await.unwrap();
    clock.advance(Duration::seconds(90));
    let second = session.access_token(Duration::seconds(60)).await.unwrap();
    assert_ne!(
        first.value, second.value,
        "about 30 s left is less than the 60 s asked for"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Refresh), 1);
}

#[tokio::test]
async fn a_token_that_lives_less_than_the_window_asked_is_served_until_a_fifth_of_it_is_left() {
    let server = demo_api(120).await;
    let (session, clock) = traderevolution_on_a_manual_clock(&server).await;
    let first = session.access_token(Duration::minutes(5)).await.unwrap();
    clock.advance(Duration::seconds(60));
    let again = session.access_token(Duration::minutes(5)).await.unwrap();
    assert_eq!(
        first.value, again.value,
        "no 120 s token lasts 5 min: asking for that renews only as the keeper would"
    );
    clock.advance(Duration::seconds(40));
    let renewed = session.access_token(Duration::minutes(5)).await.unwrap();
    assert_ne!(
        first.value, renewed.value,
        "with under 24 s left it is renewed"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Refresh), 1);
}

#[tokio::test]
async fn oauth2_password_refreshes_with_the_refresh_token_grant_and_rotates() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Oauth2Password).await;
    session.renew().await.unwrap();
    let first = session.tokens().await.unwrap();
    let refresh_left = first
        .refresh
        .as_ref()
        .and_then(|r| r.seconds_left(OffsetDateTime::now_utc()));
    assert_eq!(
        refresh_left.map(|s| s / 60),
        Some(29),
        "refresh_expires_in is read"
    );
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let second = session.tokens().await.unwrap();
    assert_ne!(
        second.refresh.map(|r| r.value),
        first.refresh.map(|r| r.value),
        "the refresh token rotates"
    );
    assert_eq!(server.count(Dialect::Oauth2Password, Endpoint::Refresh), 1);
}

#[tokio::test]
async fn a_public_client_id_goes_with_both_calls_and_an_unknown_one_is_a_refused_client() {
    let server = demo_api(120).await;
    let url = server.base_url(Dialect::Oauth2Password);
    let oauth2 = || preset("oauth2-password").unwrap().profile.clone();
    let public = oauth2().with_client_id(Some(PUBLIC_CLIENT)).unwrap();
    let target = Target::new(public, &url, false).unwrap();
    let who = user(Dialect::Oauth2Password);
    let password = LoginSecrets::password(Secret::new(who.password));
    let tokens = authenticator()
        .login(&target, who.identity, &password, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let refresh = tokens.refresh.expect("a refresh token");
    authenticator()
        .refresh(
            &target,
            &refresh.value,
            &password,
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();

    let stranger = oauth2().with_client_id(Some("someone-else")).unwrap();
    let target = Target::new(stranger, &url, false).unwrap();
    let error = authenticator()
        .login(&target, who.identity, &password, OffsetDateTime::now_utc())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "client_rejected", "{error}");
    assert!(error.to_string().contains("`someone-else`"), "{error}");
}

#[tokio::test]
async fn a_confidential_client_proves_itself_with_http_basic_at_login_and_at_refresh() {
    let server = demo_api(120).await;
    let (id, secret) = CONFIDENTIAL_CLIENT;
    let profile = |auth: &str| {
        preset("oauth2-password")
            .unwrap()
            .profile
            .with_overrides(&[("client.auth".into(), auth.into())])
            .unwrap()
            .with_client_id(Some(id))
            .unwrap()
    };
    let url = server.base_url(Dialect::Oauth2Password);
    let who = user(Dialect::Oauth2Password);
    let secrets = LoginSecrets {
        password: Some(Secret::new(who.password)),
        client_secret: Some(Secret::new(secret)),
        ..LoginSecrets::default()
    };
    let basic = Target::new(profile("client_secret_basic"), &url, false).unwrap();
    let tokens = authenticator()
        .login(&basic, who.identity, &secrets, OffsetDateTime::now_utc())
        .await
        .expect("the login authenticates the client with HTTP Basic");
    let refresh = tokens.refresh.expect("a refresh token");
    authenticator()
        .refresh(&basic, &refresh.value, &secrets, OffsetDateTime::now_utc())
        .await
        .expect("the refresh authenticates the client with HTTP Basic too");

    // The server registered this client for HTTP Basic: its secret in the body is refused,
    // and that is said to be the client's fault, not the user's password.
    let post = Target::new(profile("client_secret_post"), &url, false).unwrap();
    let error = authenticator()
        .login(&post, who.identity, &secrets, OffsetDateTime::now_utc())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "client_rejected", "{error}");
    let message = error.to_string();
    assert!(!message.contains(secret), "{message}");
    assert!(!message.contains(who.password), "{message}");
}

#[tokio::test]
async fn client_credentials_authenticate_with_basic_or_body_fields_and_a_wrong_secret_blames_the_client()
 {
    let server = demo_api(120).await;
    let client = user(Dialect::Oauth2ClientCredentials);
    let url = server.base_url(Dialect::Oauth2ClientCredentials);
    for auth in ["client_secret_basic", "client_secret_post"] {
        let profile = preset("oauth2-client-credentials")
            .unwrap()
            .profile
            .with_overrides(&[("client.auth".into(), auth.into())])
            .unwrap()
            .with_client_id(Some(client.identity))
            .unwrap();
        let target = Target::new(profile, &url, false).unwrap();
        let tokens = authenticator()
            .login(
                &target,
                client.identity,
                &secrets_of(&client),
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap_or_else(|e| panic!("{auth}: {e}"));
        assert!(tokens.refresh.is_none(), "{auth}: no refresh token");
        let claims = UnverifiedJwt::decode(tokens.access.value.expose())
            .expect("a JWT")
            .claims;
        assert_eq!(claims["sub"], client.identity, "{auth}");

        let wrong = LoginSecrets::client_secret(Secret::new("not-the-client-secret"));
        let error = authenticator()
            .login(&target, client.identity, &wrong, OffsetDateTime::now_utc())
            .await
            .unwrap_err();
        assert_eq!(error.code(), "client_rejected", "{auth}: {error}");
        assert!(!error.to_string().contains("not-the-client-secret"));
    }
    assert_eq!(
        server.count(Dialect::Oauth2ClientCredentials, Endpoint::Login),
        4
    );
}

#[tokio::test]
async fn simplejwt_refresh_gives_a_new_access_token_and_keeps_the_refresh_token() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Simplejwt).await;
    session.renew().await.unwrap();
    let first = session.tokens().await.unwrap();
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let second = session.tokens().await.unwrap();
    assert_ne!(second.access.value, first.access.value);
    assert_eq!(
        second.refresh.map(|r| r.value),
        first.refresh.map(|r| r.value),
        "the answer had no new refresh token"
    );
}

#[tokio::test]
async fn many_callers_needing_a_longer_window_cause_exactly_one_refresh() {
    let server = demo_api(20).await;
    let session = std::sync::Arc::new(account(&server, Dialect::Finvera).await);
    session.renew().await.unwrap();
    // After 1.5 s a 20 s token has at most 18.5 s left: every caller's 18.9 s window needs
    // a new token, and the first caller's refresh gives one that serves all the others.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let callers: Vec<_> = (0..25)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move {
                session
                    .access_token(time::Duration::milliseconds(18_900))
                    .await
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap().unwrap();
    }
    assert_eq!(
        server.count(Dialect::Finvera, Endpoint::Refresh),
        1,
        "no refresh storm"
    );
}

#[tokio::test]
async fn a_profile_that_says_its_refresh_tokens_do_not_rotate_keeps_the_one_it_holds() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Traderevolution).await;
    session
        .vault
        .catalog_file()
        .update(|c| {
            c.accounts[0]
                .overrides
                .push(("refresh.rotates".into(), "false".into()));
            Ok(())
        })
        .unwrap();
    session.renew().await.unwrap();
    let held = session.tokens().await.unwrap().refresh.unwrap().value;
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let kept = session.tokens().await.unwrap().refresh.unwrap().value;
    assert_eq!(
        kept, held,
        "the new refresh token in the answer is not taken"
    );
}
