//! Every fault mode of the demo API, and how the engine reports it. A failed
//! renewal never throws away the token held.

use time::OffsetDateTime;
use tokenvault_core::Error;
use tokenvault_core::Secret;
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::vault::status::RenewalOutcome;
use tokenvault_demo_api::{Dialect, Endpoint, Fault, FaultRule};
use tokenvault_tests::{account, authenticator, demo_api, target, user};

fn once(fault: Fault, dialect: Dialect, endpoint: Endpoint) -> FaultRule {
    FaultRule {
        fault,
        dialect: Some(dialect),
        endpoint: Some(endpoint),
        times: Some(1),
    }
}

async fn login_error(fault: Fault, dialect: Dialect) -> Error {
    login_with(fault, dialect)
        .await
        .expect_err("a faulty login fails")
}

/// One login of the dialect's demo user, with `fault` on; exactly one attempt is made.
async fn login_with(
    fault: Fault,
    dialect: Dialect,
) -> Result<tokenvault_core::auth::TokenSet, Error> {
    let server = demo_api(120).await;
    server.inject(once(fault, dialect, Endpoint::Login));
    let outcome = authenticator()
        .login(
            &target(&server, dialect),
            user(dialect).identity,
            &tokenvault_tests::secrets_of(&user(dialect)),
            OffsetDateTime::now_utc(),
        )
        .await;
    assert_eq!(
        server.count(dialect, Endpoint::Login),
        1,
        "exactly one attempt was made"
    );
    outcome
}

#[tokio::test]
async fn http_500_is_a_server_error_with_the_server_message() {
    let error = login_error(Fault::Http500, Dialect::Prive).await;
    assert!(
        matches!(error, Error::ServerError { status: 500, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("internal server error"),
        "{error}"
    );
}

#[tokio::test]
async fn an_html_error_page_is_named_as_such() {
    let error = login_error(Fault::HtmlErrorPage, Dialect::Finvera).await;
    assert!(
        matches!(error, Error::ServerError { status: 503, .. }),
        "{error}"
    );
    assert!(
        error.to_string().ends_with("HTTP 503 with an HTML page"),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_that_does_not_answer_times_out() {
    let started = std::time::Instant::now();
    let error = login_error(Fault::Timeout, Dialect::Traderevolution).await;
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "the client gave up first"
    );
}

#[tokio::test]
async fn malformed_json_is_an_unexpected_response_that_quotes_nothing() {
    let error = login_error(Fault::MalformedJson, Dialect::Prive).await;
    assert_eq!(error.code(), "unexpected_response");
    let message = error.to_string();
    assert!(message.contains("malformed JSON"), "{message}");
    assert!(
        !message.contains("eyJ"),
        "no part of a token is quoted: {message}"
    );
}

#[tokio::test]
async fn a_missing_token_field_says_where_the_token_was_expected() {
    let error = login_error(Fault::MissingTokenField, Dialect::Prive).await;
    assert!(
        error
            .to_string()
            .contains("expected the access token in the JSON field `accessToken`"),
        "{error}"
    );
    let error = login_error(Fault::MissingTokenField, Dialect::Finvera).await;
    assert!(
        error.to_string().contains("in a `DT_AUTH_TOKEN` cookie"),
        "{error}"
    );
    let error = login_error(Fault::MissingTokenField, Dialect::PrivateTokens).await;
    assert!(error.to_string().contains("fields [detail]"), "{error}");
}

#[tokio::test]
async fn a_reset_connection_is_unreachable() {
    let error = login_error(Fault::ResetConnection, Dialect::PrivateTokens).await;
    assert!(matches!(error, Error::Unreachable { .. }), "{error}");
}

#[tokio::test]
async fn a_reused_refresh_token_falls_back_to_logging_in_again() {
    let server = demo_api(120).await;
    let session = account(&server, Dialect::Traderevolution).await;
    session.renew().await.unwrap();
    server.inject(once(
        Fault::RefreshTokenReused,
        Dialect::Traderevolution,
        Endpoint::Refresh,
    ));
    assert_eq!(
        session.renew().await.unwrap(),
        RenewalOutcome::LoggedInAgain
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Refresh), 1);
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Login), 2);
}

#[tokio::test]
async fn a_failed_renewal_keeps_the_still_valid_token() {
    for fault in [
        Fault::Http500,
        Fault::HtmlErrorPage,
        Fault::MalformedJson,
        Fault::ResetConnection,
        Fault::DeepJson,
        Fault::InvalidUtf8,
        Fault::HugeBody,
        Fault::CloseMidBody,
        Fault::RedirectElsewhere,
    ] {
        let server = demo_api(120).await;
        let session = account(&server, Dialect::Finvera).await;
        session.renew().await.unwrap();
        let held = session.tokens().await.unwrap();
        server.inject(FaultRule {
            fault,
            dialect: Some(Dialect::Finvera),
            endpoint: None,
            times: None,
        });
        let error = session.renew().await.expect_err("renewal fails");
        assert!(error.is_transient(), "{fault:?}: {error}");
        assert_eq!(
            session.last_failure().map(|f| f.code),
            Some(error.code()),
            "{fault:?}: the failure is noted in the catalog"
        );
        assert_eq!(
            session.tokens().await.unwrap(),
            held,
            "{fault:?}: the held token is kept"
        );
        server.clear_faults();
        assert_eq!(
            session.renew().await.unwrap(),
            RenewalOutcome::Refreshed,
            "{fault:?}"
        );
        assert_eq!(
            session.last_failure(),
            None,
            "{fault:?}: a renewal that works clears the note"
        );
    }
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_without_reading_it_all() {
    let server = demo_api(120).await;
    let small = tokenvault_core::auth::Authenticator::new(tokenvault_core::auth::HttpOptions {
        max_body_bytes: 100,
        ..Default::default()
    })
    .unwrap();
    let error = small
        .login(
            &target(&server, Dialect::Prive),
            user(Dialect::Prive).identity,
            &LoginSecrets::password(Secret::new(user(Dialect::Prive).password)),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "unexpected answer from {}/restful/login/: expected a body under 100 bytes, got HTTP \
             200 with a larger body",
            server.base_url(Dialect::Prive)
        )
    );
}

#[tokio::test]
async fn too_many_requests_is_a_server_error_that_carries_retry_after() {
    let error = login_error(Fault::TooManyRequests, Dialect::Simplejwt).await;
    assert!(
        matches!(
            error,
            Error::ServerError {
                status: 429,
                retry_after: Some(30),
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("too many requests"), "{error}");
}

#[tokio::test]
async fn json_nested_a_hundred_thousand_deep_is_refused_without_a_crash() {
    let error = login_error(Fault::DeepJson, Dialect::Prive).await;
    assert_eq!(error.code(), "unexpected_response", "{error}");
    assert!(
        error
            .to_string()
            .contains("malformed JSON (nested too deeply"),
        "{error}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_an_unexpected_response() {
    let error = login_error(Fault::InvalidUtf8, Dialect::Prive).await;
    assert_eq!(error.code(), "unexpected_response", "{error}");
    assert!(
        error
            .to_string()
            .ends_with("HTTP 200 with a body that is not UTF-8 text"),
        "{error}"
    );
}

#[tokio::test]
async fn a_hundred_megabyte_answer_is_cut_at_the_cap() {
    let started = std::time::Instant::now();
    let error = login_error(Fault::HugeBody, Dialect::Prive).await;
    assert_eq!(error.code(), "unexpected_response", "{error}");
    assert!(error.to_string().contains("with a larger body"), "{error}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "stopped reading early: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_server_dribbling_a_byte_a_second_times_out() {
    let started = std::time::Instant::now();
    let error = login_error(Fault::Dribble, Dialect::Simplejwt).await;
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(6),
        "the client's whole-call timeout held: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_unreachable_not_garbage() {
    let error = login_error(Fault::CloseMidBody, Dialect::Traderevolution).await;
    assert!(matches!(error, Error::Unreachable { .. }), "{error}");
    assert!(!error.to_string().contains("eyJ"), "{error}");
}

#[tokio::test]
async fn a_login_redirected_to_another_origin_sends_the_password_nowhere_else() {
    let server = demo_api(120).await;
    server.inject(once(
        Fault::RedirectElsewhere,
        Dialect::Prive,
        Endpoint::Login,
    ));
    let error = authenticator()
        .login(
            &target(&server, Dialect::Prive),
            user(Dialect::Prive).identity,
            &LoginSecrets::password(Secret::new(user(Dialect::Prive).password)),
            OffsetDateTime::now_utc(),
        )
        .await
        .expect_err("a redirected login fails");
    assert_eq!(error.code(), "unexpected_response", "{error}");
    assert!(
        error.to_string().contains("HTTP 307 to http://localhost:"),
        "{error}"
    );
    assert_eq!(server.elsewhere_hits(), 0, "the redirect was not followed");
}

#[tokio::test]
async fn a_refresh_redirected_elsewhere_sends_the_refresh_token_nowhere_and_keeps_the_tokens() {
    for dialect in [
        Dialect::Traderevolution,
        Dialect::Oauth2Password,
        Dialect::Finvera,
    ] {
        let server = demo_api(120).await;
        let session = account(&server, dialect).await;
        session.renew().await.unwrap();
        let held = session.tokens().await.unwrap();
        server.inject(once(Fault::RedirectElsewhere, dialect, Endpoint::Refresh));
        let error = session
            .renew()
            .await
            .expect_err("a redirected refresh fails");
        assert_eq!(error.code(), "unexpected_response", "{dialect:?}: {error}");
        assert_eq!(server.elsewhere_hits(), 0, "{dialect:?}: not followed");
        assert_eq!(
            session.tokens().await.unwrap(),
            held,
            "{dialect:?}: tokens kept"
        );
    }
}

#[tokio::test]
async fn an_already_expired_token_is_refused_so_renewals_cannot_storm_the_server() {
    let error = login_with(Fault::ExpiredToken, Dialect::Prive)
        .await
        .expect_err("an expired token is no login");
    assert_eq!(error.code(), "unexpected_response");
    let said = error.to_string();
    assert!(
        said.contains("an access token that is still valid"),
        "{said}"
    );
    assert!(
        said.contains("expired at") && said.contains("clock"),
        "{said}"
    );

    let server = demo_api(120).await;
    let session = account(&server, Dialect::Prive).await;
    session.renew().await.unwrap();
    let held = session.tokens().await.unwrap();
    server.inject(FaultRule {
        fault: Fault::ExpiredToken,
        dialect: Some(Dialect::Prive),
        endpoint: None,
        times: None,
    });
    assert!(session.renew().await.unwrap_err().is_transient());
    assert_eq!(
        session.tokens().await.unwrap(),
        held,
        "the held token is kept"
    );
}

#[tokio::test]
async fn an_unsigned_token_is_kept_as_sent_and_never_passes_verification() {
    let tokens = login_with(Fault::UnsignedToken, Dialect::Prive)
        .await
        .expect("the server's token is the server's business");
    let value = tokens.access.value.expose().to_owned();
    let inspection = tokenvault_core::inspect::inspect(&value, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(inspection.header["alg"], "none");
    assert!(
        tokens.access.expires_at.is_some(),
        "its expiry is read from its claims"
    );
    assert_eq!(
        tokenvault_core::inspect::verify_with_secret(
            &value,
            &Secret::new(tokenvault_demo_api::tokens::SIGNING_SECRET)
        ),
        tokenvault_core::inspect::Verification::Failed {
            by: tokenvault_core::inspect::KeyKind::HmacSecret,
            reason: "alg `none` is never accepted".into()
        }
    );
}

#[tokio::test]
async fn a_token_expiring_in_the_year_99999_has_an_unknown_expiry_not_a_crash() {
    let tokens = login_with(Fault::FarFutureExpiry, Dialect::Prive)
        .await
        .expect("the login works");
    assert_eq!(tokens.access.expires_at, None);
}
