//! Device sign-in (RFC 8628) against the demo API: a person approves the code on the
//! server's own page (a form posted over HTTP, as their browser would), and the vault
//! polls at the server's pace. No password is kept; a refused refresh needs the person
//! again, and nothing signs in without them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenvault_core::auth::{DeviceSignIn, LoginSecrets, SignIn, SignInPrompt};
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::vault::secrets::{SecretKey, SecretKind};
use tokenvault_demo_api::{Config, DEVICE_CLIENT, DemoServer, Dialect, Endpoint, Fault, FaultRule};
use tokenvault_tests::{memory_vault as vault, user};

/// A person at a browser: shown a code, they approve (or deny) it on the page given.
#[derive(Debug, Clone)]
struct Person {
    approves: bool,
    shown: Arc<Mutex<Vec<DeviceSignIn>>>,
}

impl Person {
    fn approving() -> Self {
        Self {
            approves: true,
            shown: Arc::default(),
        }
    }

    fn denying() -> Self {
        Self {
            approves: false,
            ..Self::approving()
        }
    }

    fn away() -> Away {
        Away
    }
}

impl SignInPrompt for Person {
    fn show(&self, sign_in: &SignIn) {
        let SignIn::Device(sign_in) = sign_in else {
            panic!("a device sign-in shows a code, got {sign_in:?}");
        };
        self.shown
            .lock()
            .expect("not poisoned")
            .push(sign_in.clone());
        let who = user(Dialect::Oauth2Device);
        let decision = if self.approves { "approve" } else { "deny" };
        let form = [
            ("user_code", sign_in.user_code.clone()),
            ("username", who.identity.to_owned()),
            ("password", who.password.to_owned()),
            ("decision", decision.to_owned()),
        ];
        let page = sign_in.verification_uri.clone();
        tokio::spawn(async move {
            let answer = reqwest::Client::new()
                .post(page)
                .form(&form)
                .send()
                .await
                .expect("the device page answers");
            assert!(answer.status().is_success(), "the page took the answer");
        });
    }
}

/// Nobody there: the code is shown to no one and never answered.
#[derive(Debug)]
struct Away;

impl SignInPrompt for Away {
    fn show(&self, _: &SignIn) {}
}

async fn device_server(config: Config) -> DemoServer {
    DemoServer::start(
        Config {
            device_interval_secs: 1,
            ..config
        },
        0,
    )
    .await
    .expect("the demo API starts")
}

fn field_device(server: &DemoServer) -> NewAccount {
    NewAccount {
        name: "Field".into(),
        environment: "UAT".into(),
        profile: ProfileChoice::Preset("oauth2-device".into()),
        base_url: server.base_url(Dialect::Oauth2Device),
        identity: String::new(),
        client_id: Some(DEVICE_CLIENT.into()),
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
    }
}

#[tokio::test]
async fn an_approved_code_adds_the_account_as_the_person_who_approved_it_and_slow_down_is_honoured()
{
    let server = device_server(Config {
        device_slow_down_polls: 1,
        ..Config::default()
    })
    .await;
    let vault = vault("device-approved");
    let person = Person::approving();
    vault
        .add_after_sign_in(field_device(&server), LoginSecrets::default(), &person)
        .await
        .expect("the approved sign-in adds the account");
    let shown = person.shown.lock().expect("not poisoned").clone();
    assert_eq!(shown.len(), 1, "the code is shown once");
    assert!(shown[0].verification_uri.ends_with("/oauth2-device/device"));
    // The first poll was told to slow down: the next came five seconds later, not one.
    assert_eq!(server.count(Dialect::Oauth2Device, Endpoint::Login), 2);

    let record = vault.catalog().unwrap().account("Field").unwrap().clone();
    assert_eq!(record.identity, "field.engineer", "the token says who");
    assert!(
        vault
            .store()
            .get(&SecretKey::new(&record.id, SecretKind::Password))
            .unwrap()
            .is_none(),
        "no password is kept"
    );
    let (_, source) = vault.renew_now("Field").await.expect("the refresh works");
    assert_eq!(source, tokenvault_core::vault::Source::Refreshed);
}

#[tokio::test]
async fn a_refused_refresh_needs_the_person_again_and_nothing_signs_in_without_them() {
    let server = device_server(Config::default()).await;
    let vault = vault("device-again");
    vault
        .add_after_sign_in(
            field_device(&server),
            LoginSecrets::default(),
            &Person::approving(),
        )
        .await
        .expect("added");
    server.inject(FaultRule {
        fault: Fault::RefreshTokenReused,
        dialect: Some(Dialect::Oauth2Device),
        endpoint: Some(Endpoint::Refresh),
        times: Some(1),
    });
    let error = vault.renew_now("Field").await.unwrap_err();
    assert_eq!(error.code(), "sign_in_required", "{error}");
    assert!(
        error.to_string().contains("tokenvault login Field"),
        "{error}"
    );
    let record = vault.catalog().unwrap().account("Field").unwrap().clone();
    assert_eq!(
        record
            .tokens
            .last_failure
            .map(|f| f.code.as_str().to_owned()),
        Some("sign_in_required".to_owned()),
        "the account says it needs a sign-in"
    );
    assert_eq!(
        server.count(Dialect::Oauth2Device, Endpoint::Login),
        1,
        "no device code was asked for without a person"
    );
    vault
        .sign_in("Field", &Person::approving())
        .await
        .expect("the person signs in again");
    let record = vault.catalog().unwrap().account("Field").unwrap().clone();
    assert!(
        record.tokens.last_failure.is_none(),
        "the failure is cleared"
    );
}

#[tokio::test]
async fn a_denied_or_expired_code_is_said_so_and_keeps_nothing() {
    let server = device_server(Config {
        device_code_ttl: Duration::from_secs(3),
        ..Config::default()
    })
    .await;
    let vault = vault("device-denied");
    let denied = vault
        .add_after_sign_in(
            field_device(&server),
            LoginSecrets::default(),
            &Person::denying(),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.code(), "sign_in_denied", "{denied}");
    let expired = vault
        .add_after_sign_in(
            field_device(&server),
            LoginSecrets::default(),
            &Person::away(),
        )
        .await
        .unwrap_err();
    assert_eq!(expired.code(), "sign_in_expired", "{expired}");
    assert!(expired.to_string().contains("start again"), "{expired}");
    assert!(vault.catalog().unwrap().accounts.is_empty(), "nothing kept");

    let no_one = vault
        .add_after_login(field_device(&server), LoginSecrets::default())
        .await
        .unwrap_err();
    assert_eq!(no_one.code(), "sign_in_required", "{no_one}");
}
