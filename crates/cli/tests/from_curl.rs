//! `account add --from-curl`: the login curl commands of the four API documents the product
//! started from (their request bodies as the documents give them, the host replaced by the
//! demo API's), each made into an account that serves a token and renews it the way its
//! document says, with no profile written by hand.

mod support;

use support::{demo, home, stderr, stdout, tokenvault, user};
use tokenvault_demo_api::{DemoServer, Dialect, Endpoint};

/// The document's login, as a curl command against the demo API.
fn login_command(server: &DemoServer, dialect: Dialect) -> String {
    let base = server.base_url(dialect);
    let who = user(dialect).identity;
    match dialect {
        // "POST /restful/login/ {username, password}"
        Dialect::Prive => format!(
            "curl -X POST \"{base}/restful/login/\" \\\n-H \"Content-Type: application/json\" \\\n\
             -d '{{\"username\": \"{who}\", \"password\": \"SecurePassword123!\"}}'"
        ),
        // The document's own curl command.
        Dialect::Finvera => format!(
            "curl -X POST {base}/kms/api/v1/auth/token \\\n-H \"Content-Type: application/json\" \\\n\
             -d '{{\n\"email\": \"{who}\",\n\"password\": \"your_password\"\n}}'"
        ),
        // "POST /auth/token" with the body fields login and password.
        Dialect::Traderevolution => format!(
            "curl -X POST '{base}/auth/token' -H 'Content-Type: application/json' \
             --data-raw '{{\"login\":\"{who}\",\"password\":\"pass\"}}'"
        ),
        // "receive a short-living token by providing their account credentials (email and password)"
        Dialect::PrivateTokens => format!(
            "curl {base}/api/v1/auth/login --json '{{\"email\": \"{who}\", \"password\": \"***\"}}'"
        ),
        other => panic!("no document for {other:?}"),
    }
}

fn renewals(server: &DemoServer, dialect: Dialect) -> (u64, u64) {
    (
        server.count(dialect, Endpoint::Login),
        server.count(dialect, Endpoint::Refresh),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn each_documents_login_command_becomes_an_account_that_renews_as_its_document_says() {
    let server = demo(300).await;
    let dir = home("from-curl");
    for (dialect, refreshes) in [
        (Dialect::Prive, false),
        (Dialect::Finvera, true),
        (Dialect::Traderevolution, true),
        (Dialect::PrivateTokens, false),
    ] {
        let name = dialect.as_str();
        let command = login_command(&server, dialect);
        let password = format!("{}\n", user(dialect).password);
        let added = tokenvault(
            &dir,
            &[
                "account",
                "add",
                name,
                "--from-curl",
                &command,
                "--password-stdin",
                "--try-refresh",
            ],
            Some(&password),
        );
        assert!(added.status.success(), "{dialect:?}: {}", stderr(&added));
        let said = stderr(&added);
        assert!(said.contains("access token: "), "{dialect:?}: {said}");
        let token = tokenvault(&dir, &["token", name], None);
        assert!(token.status.success(), "{dialect:?}: {}", stderr(&token));
        assert_eq!(
            stdout(&token).trim().split('.').count(),
            3,
            "{dialect:?}: a JWT"
        );

        let (logins, refreshed) = renewals(&server, dialect);
        let renewed = tokenvault(&dir, &["token", name, "--force-refresh"], None);
        assert!(
            renewed.status.success(),
            "{dialect:?}: {}",
            stderr(&renewed)
        );
        assert_ne!(stdout(&renewed), stdout(&token), "{dialect:?}: a new token");
        let after = renewals(&server, dialect);
        if refreshes {
            assert_eq!(
                after,
                (logins, refreshed + 1),
                "{dialect:?}: renewed by its refresh call"
            );
        } else {
            assert_eq!(
                after,
                (logins + 1, refreshed),
                "{dialect:?}: renewed by logging in again"
            );
        }
    }
    let list = stdout(&tokenvault(&dir, &["account", "list"], None));
    assert!(list.contains("curl-finvera"), "{list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_printed_profile_explains_each_decision_passes_the_profile_check_and_keeps_nothing() {
    let server = demo(300).await;
    let dir = home("from-curl-print");
    let command = login_command(&server, Dialect::Traderevolution);
    let printed = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "te",
            "--from-curl",
            &command,
            "--password-stdin",
            "--try-refresh",
            "--print-profile",
        ],
        Some(&format!("{}\n", user(Dialect::Traderevolution).password)),
    );
    assert!(printed.status.success(), "{}", stderr(&printed));
    let profile = stdout(&printed);
    for line in [
        "# - login: POST /traderevolution/auth/token below http://127.0.0.1:",
        "# - identity: the field `login`; password: the field `password`, asked for",
        "# - refresh tried: POST /traderevolution/auth/refresh with the refresh token in the body field",
        "# - refresh: GET /traderevolution/auth/token/refresh with the refresh token in a `token` header: it answered a new access token (try 3 of at most 3)",
    ] {
        assert!(profile.contains(line), "missing `{line}` in:\n{profile}");
    }
    assert!(
        !profile.contains("\"pass\"") && !profile.contains(user(Dialect::Traderevolution).password)
    );
    let file = dir.join("te.toml");
    std::fs::write(&file, &profile).unwrap();
    let checked = tokenvault(&dir, &["profile", "check", file.to_str().unwrap()], None);
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        stdout(&tokenvault(&dir, &["account", "list", "--json"], None)).trim() == "[]",
        "nothing kept"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_is_not_a_login_says_what_it_found_and_keeps_nothing() {
    let server = demo(300).await;
    let dir = home("from-curl-bad");
    let base = server.base_url(Dialect::Prive);
    let search = format!("curl {base}/users/search -d '{{\"query\": \"ana\", \"page\": 2}}'");
    let out = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "x",
            "--from-curl",
            &search,
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("it is not a login: no field carries a password (found `page`, `query`"),
        "{}",
        stderr(&out)
    );
    let unclosed = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "x",
            "--from-curl",
            "curl -d '{\"a\" https://x",
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    assert_eq!(unclosed.status.code(), Some(2));
    assert!(
        stderr(&unclosed).contains("[invalid_import]"),
        "{}",
        stderr(&unclosed)
    );
    let elsewhere = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "x",
            "--from-curl",
            &login_command(&server, Dialect::Prive),
            "--base-url",
            "https://api.example.com",
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(
        stderr(&elsewhere).contains("not below the base URL https://api.example.com"),
        "{}",
        stderr(&elsewhere)
    );
    let wrong = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "x",
            "--from-curl",
            &login_command(&server, Dialect::Prive),
            "--password-stdin",
        ],
        Some("not-the-password\n"),
    );
    assert_eq!(wrong.status.code(), Some(3), "{}", stderr(&wrong));
    assert!(stdout(&tokenvault(&dir, &["account", "list", "--json"], None)).trim() == "[]");
}

/// A Postman collection of a Finvera login request, a Keycloak-like OAuth 2.0 password
/// set-up, a TraderEvolution login sent by a pre-request script, and an API-key request it
/// cannot use; and an environment for the demo API.
fn postman_files(dir: &std::path::Path, server: &DemoServer) -> (String, String) {
    let collection = r#"{
      "info": {"name": "Desk APIs", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
      "item": [
        {"name": "Finvera", "item": [{"name": "Log in", "request": {"method": "POST",
          "header": [{"key": "Content-Type", "value": "application/json"}],
          "body": {"mode": "raw", "raw": "{\"email\": \"{{finveraUser}}\", \"password\": \"{{finveraPassword}}\"}"},
          "url": {"raw": "{{demo}}/finvera/kms/api/v1/auth/token"}}}]},
        {"name": "Support realm", "auth": {"type": "oauth2", "oauth2": [
          {"key": "grant_type", "value": "password_credentials"},
          {"key": "accessTokenUrl", "value": "{{demo}}/oauth2-password/token"},
          {"key": "clientId", "value": "tokenvault-demo"},
          {"key": "username", "value": "support.agent"},
          {"key": "password", "value": "kept-in-postman"}]},
          "request": {"method": "GET", "url": "{{demo}}/oauth2-password/me"}},
        {"name": "Back office", "request": {"method": "GET", "url": "{{demo}}/traderevolution/accounts/me"},
          "event": [{"listen": "prerequest", "script": {"exec": [
            "pm.sendRequest({",
            "  url: pm.environment.get('demo') + '/traderevolution/auth/token',",
            "  method: 'POST',",
            "  header: { 'Content-Type': 'application/json' },",
            "  body: { mode: 'raw', raw: JSON.stringify({ login: pm.environment.get('teUser'), password: pm.environment.get('tePassword') }) }",
            "}, (err, res) => pm.environment.set('te', res.json().access_token));"]}}]},
        {"name": "Legacy", "auth": {"type": "apikey"}, "request": {"method": "GET", "url": "{{demo}}/legacy"}}
      ]}"#;
    let environment = format!(
        r#"{{"name": "UAT", "values": [
          {{"key": "demo", "value": "{}", "enabled": true}},
          {{"key": "finveraUser", "value": "{}", "enabled": true}},
          {{"key": "finveraPassword", "value": "in-the-environment", "enabled": true}},
          {{"key": "teUser", "value": "{}", "enabled": true}},
          {{"key": "tePassword", "value": "in-the-environment-too", "enabled": true}}]}}"#,
        server
            .base_url(Dialect::Finvera)
            .trim_end_matches("/finvera"),
        user(Dialect::Finvera).identity,
        user(Dialect::Traderevolution).identity
    );
    let collection_file = dir.join("desk.postman_collection.json");
    let environment_file = dir.join("uat.postman_environment.json");
    std::fs::write(&collection_file, collection).expect("the collection is written");
    std::fs::write(&environment_file, environment).expect("the environment is written");
    (
        collection_file.to_str().expect("a UTF-8 path").to_owned(),
        environment_file.to_str().expect("a UTF-8 path").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postman_collections_logins_become_accounts_of_its_environment_and_the_rest_is_listed() {
    let server = demo(300).await;
    let dir = home("postman");
    let (collection, environment) = postman_files(&dir, &server);
    let listed = tokenvault(
        &dir,
        &[
            "import-postman",
            &collection,
            "--environment",
            &environment,
            "--list",
        ],
        None,
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listed = stdout(&listed);
    for line in [
        "add finvera-log-in-uat: the login request POST http://127.0.0.1:",
        "add support-realm-uat: OAuth 2.0 password grant at http://127.0.0.1:",
        "add back-office-pre-request-script-uat: the login request POST http://127.0.0.1:",
        "not understood: Legacy: auth of type `apikey`",
    ] {
        assert!(listed.contains(line), "missing `{line}` in:\n{listed}");
    }
    let passwords = format!(
        "{}\n{}\n{}\n",
        user(Dialect::Finvera).password,
        user(Dialect::Oauth2Password).password,
        user(Dialect::Traderevolution).password
    );
    let imported = tokenvault(
        &dir,
        &[
            "import-postman",
            &collection,
            "--environment",
            &environment,
            "--password-stdin",
            "--try-refresh",
        ],
        Some(&passwords),
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    for name in [
        "finvera-log-in-uat",
        "support-realm-uat",
        "back-office-pre-request-script-uat",
    ] {
        let token = tokenvault(&dir, &["token", name], None);
        assert!(token.status.success(), "{name}: {}", stderr(&token));
    }
    let status = stdout(&tokenvault(&dir, &["status", "--json"], None));
    assert!(status.contains("\"environment\": \"UAT\""), "{status}");
    for file in walk(&dir.join("tokens"))
        .into_iter()
        .chain([dir.join("accounts.json")])
    {
        let content = std::fs::read(&file).unwrap_or_default();
        for secret in [
            "in-the-environment",
            "in-the-environment-too",
            "kept-in-postman",
            user(Dialect::Finvera).password,
        ] {
            assert!(
                !content
                    .windows(secret.len())
                    .any(|w| w == secret.as_bytes()),
                "{secret} is in {}",
                file.display()
            );
        }
    }
}

fn walk(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(folder)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}
