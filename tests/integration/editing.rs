//! Adding and editing accounts as the app's form does: nothing is kept unless the login
//! works, and an edit keeps the account's id (and so its secrets' names).

use std::sync::Arc;

use tokenvault_core::Secret;
use tokenvault_core::Vault;
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::clock::SystemClock;
use tokenvault_core::vault::home::Home;
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::vault::secrets::MemoryStore;
use tokenvault_demo_api::Dialect;

fn accounts(name: &str) -> Vault {
    let dir =
        std::env::temp_dir().join(format!("tokenvault-editing-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Vault::with_store(
        Home::at(dir).expect("a scratch data folder"),
        Arc::new(MemoryStore::default()),
        Arc::new(SystemClock),
    )
}

fn te_account(name: &str, base_url: String) -> NewAccount {
    NewAccount {
        name: name.into(),
        environment: "UAT".into(),
        profile: ProfileChoice::Preset("traderevolution".into()),
        base_url,
        identity: "bo.trader".into(),
        client_id: None,
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
    }
}

fn password() -> LoginSecrets {
    LoginSecrets::password(Secret::new(
        tokenvault_tests::user(Dialect::Traderevolution).password,
    ))
}

#[tokio::test]
async fn a_test_login_stores_nothing() {
    let server = tokenvault_tests::demo_api(120).await;
    let accounts = accounts("test-login");
    let account = te_account("TE UAT", server.base_url(Dialect::Traderevolution));
    let tokens = accounts.try_login(&account, &password()).await.unwrap();
    assert!(tokens.refresh.is_some());
    assert!(accounts.catalog().unwrap().accounts.is_empty());
}

#[tokio::test]
async fn a_name_already_taken_is_refused_at_the_name_field() {
    let server = tokenvault_tests::demo_api(120).await;
    let accounts = accounts("taken");
    let url = server.base_url(Dialect::Traderevolution);
    accounts
        .add_after_login(te_account("TE UAT", url.clone()), password())
        .await
        .unwrap();
    let error = accounts
        .add_after_login(te_account("TE UAT", url), password())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_account");
    assert!(error.to_string().starts_with("name: "), "{error}");
}

#[tokio::test]
async fn an_edit_keeps_the_id_and_the_saved_password_when_none_is_given() {
    let server = tokenvault_tests::demo_api(120).await;
    let accounts = accounts("edit");
    let url = server.base_url(Dialect::Traderevolution);
    accounts
        .add_after_login(te_account("TE UAT", url.clone()), password())
        .await
        .unwrap();
    let mut renamed = te_account("TE Production", url);
    renamed.environment = "Production".into();
    accounts
        .edit_after_login("te-uat", renamed, LoginSecrets::default())
        .await
        .unwrap();
    let catalog = accounts.catalog().unwrap();
    let record = catalog.account("te-uat").unwrap();
    assert_eq!(record.name, "TE Production");
    assert_eq!(record.environment, "Production");
    assert!(
        accounts
            .stored_access_token("te-uat")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn an_edit_whose_login_fails_changes_nothing() {
    let server = tokenvault_tests::demo_api(120).await;
    let accounts = accounts("edit-fails");
    let url = server.base_url(Dialect::Traderevolution);
    accounts
        .add_after_login(te_account("TE UAT", url.clone()), password())
        .await
        .unwrap();
    let before = accounts.catalog().unwrap();
    let error = accounts
        .edit_after_login(
            "te-uat",
            te_account("TE renamed", url),
            LoginSecrets::password(Secret::new("wrong")),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "credentials_rejected");
    assert_eq!(
        accounts.catalog().unwrap(),
        before,
        "the catalog is as it was"
    );
    let (token, _) = accounts
        .access_token("te-uat", time::Duration::seconds(30))
        .await
        .unwrap();
    assert!(!token.value.is_empty(), "the saved password still logs in");
}
