//! Second factors at login against the demo API's Directus, whose demo user has two-factor
//! login on: codes generated from a kept TOTP secret, codes asked from the user, and what a
//! refused or missing code is called.

use tokenvault_core::Secret;
use tokenvault_core::totp::Totp;
use tokenvault_core::vault::catalog::SecondFactor;
use tokenvault_core::vault::secrets::{SecretKey, SecretKind};
use tokenvault_demo_api::{Config, DIRECTUS_TOTP_SECRET, DemoServer, Dialect, Endpoint};
use tokenvault_tests::{DemoAccount, account};

async fn directus(config: Config) -> DemoServer {
    DemoServer::start(config, 0)
        .await
        .expect("the demo API starts on loopback")
}

/// The account's kept TOTP secret replaced by `uri`.
fn keep_totp(account: &DemoAccount, uri: &str) {
    let key = SecretKey::new(account.record().id, SecretKind::Totp);
    account
        .vault
        .store()
        .set(&key, &Secret::new(uri))
        .expect("the store keeps it");
}

fn answer_codes(account: &DemoAccount, factor: Option<SecondFactor>) {
    let id = account.record().id;
    account
        .vault
        .catalog_file()
        .update(|c| {
            if let Some(a) = c.accounts.iter_mut().find(|a| a.id == id) {
                a.second_factor = factor;
            }
            Ok(())
        })
        .expect("the catalog is written");
}

#[tokio::test]
async fn a_kept_totp_secret_answers_the_code_and_a_second_login_waits_for_the_next_one() {
    let server = directus(Config {
        totp_period_secs: 2,
        ..Config::default()
    })
    .await;
    let directus = account(&server, Dialect::Directus).await;
    keep_totp(
        &directus,
        &format!("otpauth://totp/Directus:editor?secret={DIRECTUS_TOTP_SECRET}&period=2"),
    );
    directus
        .vault
        .login(&directus.name)
        .await
        .expect("the first code is accepted");
    // The demo server accepts each code once: the vault must not send it again.
    directus
        .vault
        .login(&directus.name)
        .await
        .expect("the next step's code is accepted");
    assert_eq!(server.count(Dialect::Directus, Endpoint::Login), 2);
    assert!(
        directus.record().tokens.otp_step.is_some(),
        "the step is noted"
    );
}

#[tokio::test]
async fn a_wrong_totp_secret_or_a_server_clock_90_s_off_is_a_refused_code_not_a_wrong_password() {
    let server = directus(Config::default()).await;
    let wrong = account(&server, Dialect::Directus).await;
    keep_totp(&wrong, "JBSWY3DPEHPK3PXP");
    let error = wrong.vault.login(&wrong.name).await.unwrap_err();
    assert_eq!(error.code(), "otp_rejected", "{error}");
    assert!(error.to_string().contains("clock"), "{error}");
    assert!(!error.to_string().contains("JBSWY3DPEHPK3PXP"), "{error}");
    assert_eq!(wrong.last_failure().expect("noted").code, "otp_rejected");

    let skewed = directus(Config {
        clock_offset_secs: 90,
        ..Config::default()
    })
    .await;
    let late = account(&skewed, Dialect::Directus).await;
    let error = late.vault.login(&late.name).await.unwrap_err();
    assert_eq!(error.code(), "otp_rejected", "{error}");
}

#[tokio::test]
async fn an_account_without_a_second_factor_is_told_the_server_wants_one() {
    let server = directus(Config::default()).await;
    let directus = account(&server, Dialect::Directus).await;
    answer_codes(&directus, None);
    let error = directus.vault.login(&directus.name).await.unwrap_err();
    assert_eq!(error.code(), "otp_required", "{error}");
    assert!(error.to_string().contains("--otp totp"), "{error}");
}

#[tokio::test]
async fn an_asked_code_is_used_once_and_never_asked_of_nobody() {
    let server = directus(Config::default()).await;
    let directus = account(&server, Dialect::Directus).await;
    answer_codes(&directus, Some(SecondFactor::Ask));
    let error = directus.vault.login(&directus.name).await.unwrap_err();
    assert_eq!(error.code(), "otp_required", "{error}");
    assert!(error.to_string().contains("--otp"), "{error}");
    assert_eq!(
        server.count(Dialect::Directus, Endpoint::Login),
        0,
        "no login is sent without the code"
    );

    let totp = Totp::parse(&Secret::new(DIRECTUS_TOTP_SECRET)).expect("the demo secret");
    let code = totp.code_at(time::OffsetDateTime::now_utc().unix_timestamp());
    directus
        .vault
        .login_with_code(&directus.name, code)
        .await
        .expect("the user's code logs in");
    assert!(
        directus.record().tokens.otp_step.is_none(),
        "asked codes are not tracked"
    );
}
