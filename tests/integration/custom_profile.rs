//! A profile written from an API's documentation alone, for a dialect that is none
//! of the presets, works with no code change.

use time::OffsetDateTime;
use tokenvault_core::Secret;
use tokenvault_core::auth::{LoginSecrets, Target};
use tokenvault_core::profile::Profile;
use tokenvault_core::vault::status::RenewalOutcome;
use tokenvault_demo_api::{Dialect, Endpoint};
use tokenvault_tests::{account_with_profile, authenticator, demo_api, user};

fn acme_profile() -> Profile {
    Profile::from_toml("acme.toml", include_str!("profiles/acme.toml"))
        .expect("the profile is valid")
}

#[tokio::test]
async fn a_custom_profile_logs_in_renews_with_rotation_and_the_token_opens_the_api() {
    let server = demo_api(120).await;
    let session = account_with_profile(
        &server,
        Dialect::Acme,
        "acme",
        Some(include_str!("profiles/acme.toml")),
    )
    .await;
    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::LoggedIn);
    let first = session.tokens().await.unwrap();
    assert!(
        first.access.value.expose().starts_with("acme_"),
        "the token came from the header"
    );
    let left = first
        .access
        .seconds_left(OffsetDateTime::now_utc())
        .expect("ISO-8601 expiry read");
    assert!((115..=121).contains(&left), "about 120 s left, got {left}");

    assert_eq!(session.renew().await.unwrap(), RenewalOutcome::Refreshed);
    let second = session.tokens().await.unwrap();
    assert_ne!(
        second.refresh.map(|r| r.value),
        first.refresh.map(|r| r.value),
        "the renew token rotated"
    );
    assert_eq!(server.count(Dialect::Acme, Endpoint::Login), 1);
    assert_eq!(server.count(Dialect::Acme, Endpoint::Refresh), 1);

    let me = reqwest::Client::new()
        .get(format!("{}/me", server.base_url(Dialect::Acme)))
        .bearer_auth(second.access.value.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        reqwest::StatusCode::OK,
        "the renewed session token works"
    );
}

#[tokio::test]
async fn without_the_documented_header_the_same_profile_fails_with_the_server_reason() {
    let server = demo_api(120).await;
    let acme = user(Dialect::Acme);
    let mut profile = acme_profile();
    profile.login.headers.clear();
    let target = Target::new(profile, &server.base_url(Dialect::Acme), false).unwrap();
    let error = authenticator()
        .login(
            &target,
            acme.identity,
            &LoginSecrets::password(Secret::new(acme.password)),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "credentials_rejected");
    assert!(error.to_string().contains("HTTP 400"), "{error}");
}
