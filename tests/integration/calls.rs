//! The optional calls of the presets: validate, OTT verification, private tokens.

use time::{Duration, OffsetDateTime};
use tokenvault_core::{Error, Secret};
use tokenvault_demo_api::{DemoServer, Dialect, Endpoint};
use tokenvault_tests::{account, authenticator, demo_api, target};

async fn access(server: &DemoServer, dialect: Dialect) -> Secret {
    account(server, dialect)
        .await
        .access_token(Duration::seconds(30))
        .await
        .expect("login")
        .value
}

#[tokio::test]
async fn finvera_validate_names_the_user_of_the_access_token() {
    let server = demo_api(120).await;
    let token = access(&server, Dialect::Finvera).await;
    let validation = authenticator()
        .validate(&target(&server, Dialect::Finvera), &token)
        .await
        .unwrap();
    assert_eq!(validation.identity.as_deref(), Some("analyst@finvera.demo"));
    assert_eq!(validation.details["licensing_tier_id"], "enterprise");
}

#[tokio::test]
async fn simplejwt_verify_sends_the_token_in_the_body_and_refuses_a_forged_one() {
    let server = demo_api(120).await;
    let token = access(&server, Dialect::Simplejwt).await;
    let simplejwt = target(&server, Dialect::Simplejwt);
    authenticator()
        .validate(&simplejwt, &token)
        .await
        .expect("a fresh token verifies");
    let forged = Secret::new(format!("{}x", token.expose()));
    let error = authenticator()
        .validate(&simplejwt, &forged)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error}");
    assert!(
        error.to_string().contains("Token is invalid or expired"),
        "{error}"
    );
    assert!(
        !error.to_string().contains(forged.expose()),
        "the token is not quoted"
    );
}

#[tokio::test]
async fn a_one_time_token_is_valid_once_with_its_login_then_invalid_with_a_reason() {
    let server = demo_api(120).await;
    let token = access(&server, Dialect::Traderevolution).await;
    let te = target(&server, Dialect::Traderevolution);
    let ott = Secret::new(server.state().issue_ott("bo.trader"));
    let first = authenticator().verify_ott(&te, &token, &ott).await.unwrap();
    assert!(first.valid);
    assert_eq!(first.identity.as_deref(), Some("bo.trader"));
    let again = authenticator().verify_ott(&te, &token, &ott).await.unwrap();
    assert!(!again.valid, "a one-time token is used up");
    assert_eq!(
        again.reason.as_deref(),
        Some("token is not valid: already used")
    );
    let unknown = authenticator()
        .verify_ott(&te, &token, &Secret::new("ott-bogus"))
        .await
        .unwrap();
    assert_eq!(
        unknown.reason.as_deref(),
        Some("token is not valid: unknown token")
    );
    assert_eq!(
        server.count(Dialect::Traderevolution, Endpoint::OttVerify),
        3
    );
}

#[tokio::test]
async fn a_profile_without_ott_says_so() {
    let server = demo_api(120).await;
    let token = access(&server, Dialect::Prive).await;
    let error = authenticator()
        .verify_ott(&target(&server, Dialect::Prive), &token, &Secret::new("x"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the prive profile has no OTT verification call"
    );
}

#[tokio::test]
async fn private_tokens_are_created_listed_revoked_and_useless_after_revocation() {
    let server = demo_api(120).await;
    let token = access(&server, Dialect::PrivateTokens).await;
    let api = target(&server, Dialect::PrivateTokens);
    let now = OffsetDateTime::now_utc();
    let expires = now + Duration::days(30);
    let created = authenticator()
        .create_private_token(&api, &token, "nightly-export", expires, now)
        .await
        .unwrap();
    assert_eq!(created.info.label, "nightly-export");
    assert_eq!(
        created.info.expires_at.map(|t| t.unix_timestamp()),
        Some(expires.unix_timestamp())
    );

    let listed = authenticator()
        .list_private_tokens(&api, &token)
        .await
        .unwrap();
    assert_eq!(listed, vec![created.info.clone()]);

    let me = format!("{}/api/v1/me", server.base_url(Dialect::PrivateTokens));
    let http = reqwest::Client::new();
    let before = http
        .get(&me)
        .bearer_auth(created.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(
        before.status(),
        reqwest::StatusCode::OK,
        "the private token works"
    );

    authenticator()
        .revoke_private_token(&api, &token, &created.info.id)
        .await
        .unwrap();
    assert!(
        authenticator()
            .list_private_tokens(&api, &token)
            .await
            .unwrap()
            .is_empty()
    );
    let after = http
        .get(&me)
        .bearer_auth(created.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        reqwest::StatusCode::UNAUTHORIZED,
        "revoked means refused"
    );

    let missing = authenticator()
        .revoke_private_token(&api, &token, "999")
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "not_found");
}

#[tokio::test]
async fn a_token_is_verified_against_the_servers_published_jwks() {
    use tokenvault_core::inspect::{Verification, verify_with_jwks};
    let server = demo_api(120).await;
    let token = access(&server, Dialect::Simplejwt).await;
    let url = format!("http://{}/_demo/jwks.json", server.addr());
    let jwks = authenticator().fetch_jwks(&url).await.unwrap();
    assert!(
        matches!(
            verify_with_jwks(token.expose(), &jwks, &url),
            Verification::Verified { .. }
        ),
        "a demo token verifies against the demo's JWKS"
    );
    let foreign = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    assert!(matches!(
        verify_with_jwks(foreign, &jwks, &url),
        Verification::Failed { .. }
    ));
}

#[tokio::test]
async fn a_private_token_without_a_label_or_with_a_lifetime_out_of_range_is_refused_before_any_call()
 {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::PrivateTokens).await;
    let now = OffsetDateTime::now_utc();
    let refused = |error: Error| match error {
        Error::InvalidPrivateToken { field, .. } => field,
        other => panic!("not a refusal of the request: {other}"),
    };
    let unlabelled = session
        .vault
        .create_private_token(&session.name, "  ", now + Duration::days(1))
        .await
        .unwrap_err();
    assert_eq!(refused(unlabelled), "label");
    for expires_at in [now + Duration::seconds(30), now + Duration::days(11 * 365)] {
        let error = session
            .vault
            .create_private_token(&session.name, "ci", expires_at)
            .await
            .unwrap_err();
        assert_eq!(refused(error), "lifetime", "{expires_at}");
    }
    assert_eq!(
        server.count(Dialect::PrivateTokens, Endpoint::Login),
        0,
        "nothing reached the API"
    );
    let created = session
        .vault
        .create_private_token(&session.name, "  ci  ", now + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(created.info.label, "ci", "the label is kept trimmed");
}

#[tokio::test]
async fn a_one_time_token_is_checked_as_pasted_without_the_spaces_around_it() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Traderevolution).await;
    let empty = session
        .vault
        .verify_ott(&session.name, &Secret::new("  \n"))
        .await
        .unwrap_err();
    assert_eq!(empty.code(), "invalid_ott");
    let ott = server.state().issue_ott("bo.trader");
    let outcome = session
        .vault
        .verify_ott(&session.name, &Secret::new(format!("  {ott}\n")))
        .await
        .unwrap();
    assert!(outcome.valid, "{:?}", outcome.reason);
}
