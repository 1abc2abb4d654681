//! https for real: a TLS server on loopback with a test certificate (in `tests/testdata`)
//! that the account trusts as an extra CA. A login it redirects to plain http is refused:
//! the password is never downgraded to http, and the error shows no query string. Without
//! the extra CA, nothing is sent and the error names the certificate. The local proxy speaks
//! TLS to such an API with the account's CA.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use tokenvault_core::auth::{Authenticator, HttpOptions, LoginSecrets, Target};
use tokenvault_core::profile::preset;
use tokenvault_core::vault::catalog::{AccountRecord, TokenTimes};
use tokenvault_core::{Secret, Vault};
use tokenvault_demo_api::Dialect;
use tokenvault_proxy::{Options, Proxy, Routing, Started, TokenSource, Upstream};
use tokenvault_tests::network::{LOOPBACK_CERT, behind_tls, loopback_acceptor};
use tokenvault_tests::{demo_api, user};

/// A TLS server on loopback (the test certificate in `tests/testdata`) that answers every
/// request with a 307 to `location`, and counts the requests it read.
async fn tls_server_redirecting_to(location: String) -> (u16, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let acceptor = loopback_acceptor();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let requests = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, counted, location) =
                (acceptor.clone(), counted.clone(), location.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut seen = Vec::new();
                let mut buffer = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buffer[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, requests)
}

/// The Privé demo user's login at `https://127.0.0.1:{port}/prive`.
async fn prive_login(
    authenticator: &Authenticator,
    port: u16,
) -> Result<tokenvault_core::auth::TokenSet, tokenvault_core::Error> {
    let target = Target::new(
        preset("prive").expect("a preset").profile.clone(),
        &format!("https://127.0.0.1:{port}/prive"),
        false,
    )
    .expect("an https base URL");
    let user = user(Dialect::Prive);
    authenticator
        .login(
            &target,
            user.identity,
            &tokenvault_core::auth::LoginSecrets::password(Secret::new(user.password)),
            OffsetDateTime::now_utc(),
        )
        .await
}

#[tokio::test]
async fn an_https_login_redirected_to_plain_http_is_refused_and_the_password_goes_nowhere() {
    let plain = demo_api(60).await;
    let downgrade = format!("http://{}/_demo/elsewhere?code=x", plain.addr());
    let (port, requests) = tls_server_redirecting_to(downgrade).await;
    let trusting = Authenticator::new(HttpOptions {
        extra_ca_pem: Some(LOOPBACK_CERT.as_bytes().to_vec()),
        timeout: Duration::from_secs(5),
        ..HttpOptions::default()
    })
    .expect("the client trusts the test certificate");

    let error = prive_login(&trusting, port)
        .await
        .expect_err("a redirect is not a login");

    assert_eq!(
        requests.load(Ordering::SeqCst),
        1,
        "the login reached the TLS server"
    );
    assert_eq!(error.code(), "unexpected_response");
    let said = error.to_string();
    assert!(said.contains("HTTP 307 to http://"), "{said}");
    assert!(!said.contains("code=x"), "no query string is shown: {said}");
    assert_eq!(
        plain.elsewhere_hits(),
        0,
        "nothing reached the plain-http origin"
    );
}

#[tokio::test]
async fn a_server_whose_certificate_is_not_trusted_gets_no_request_and_the_user_is_told_why() {
    let (port, requests) = tls_server_redirecting_to("http://127.0.0.1:9/".to_owned()).await;
    let default = Authenticator::new(HttpOptions::default()).expect("a client");

    let error = prive_login(&default, port)
        .await
        .expect_err("an untrusted certificate");

    assert_eq!(requests.load(Ordering::SeqCst), 0, "nothing was sent");
    assert_eq!(error.code(), "tls");
    assert!(
        error.to_string().contains("invalid peer certificate"),
        "{error}"
    );
}

/// A vault whose one account, `name`, is the Privé demo user at `base_url`, trusting
/// `ca_cert_pem`.
async fn prive_account_at(name: &str, base_url: String, ca_cert_pem: Option<&str>) -> Arc<Vault> {
    let vault = tokenvault_tests::memory_vault(name);
    let who = user(Dialect::Prive);
    let record = AccountRecord {
        id: name.to_owned(),
        name: name.to_owned(),
        environment: "Test".to_owned(),
        profile: "prive".to_owned(),
        base_url,
        identity: who.identity.to_owned(),
        client_id: None,
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: ca_cert_pem.map(str::to_owned),
        tokens: TokenTimes::default(),
        team: None,
    };
    vault
        .add(record, LoginSecrets::password(Secret::new(who.password)))
        .await
        .expect("the account is added");
    Arc::new(vault)
}

/// The account's proxy, listening on a free port of loopback.
async fn proxy_of(vault: &Arc<Vault>, name: &str) -> Started {
    let catalog = vault.catalog().expect("the catalog");
    let upstream = Upstream::of(
        catalog.account(name).expect("the account"),
        &catalog,
        Duration::from_secs(10),
    )
    .expect("an upstream");
    let source: Arc<dyn TokenSource> = Arc::new(vault.clone());
    Proxy::new(Routing::One(Arc::new(upstream)), source, Options::default())
        .start("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the proxy listens")
}

#[tokio::test]
async fn the_proxy_speaks_tls_to_an_api_whose_certificate_only_the_accounts_ca_vouches_for() {
    let demo = demo_api(120).await;
    let port = behind_tls(demo.addr()).await;
    let base_url = format!("https://127.0.0.1:{port}/prive");
    let trusting = prive_account_at("tls-trusting", base_url.clone(), Some(LOOPBACK_CERT)).await;
    let proxy = proxy_of(&trusting, "tls-trusting").await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");

    let me = client
        .get(format!("http://{}/users/me", proxy.addr()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(me.status(), 200);
    let body: serde_json::Value = me.json().await.expect("JSON");
    assert_eq!(body["username"], user(Dialect::Prive).identity);
    proxy.stop().await;

    let untrusting = prive_account_at("tls-untrusting", base_url, None).await;
    let proxy = proxy_of(&untrusting, "tls-untrusting").await;
    let refused = client
        .get(format!("http://{}/users/me", proxy.addr()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 502);
    assert_eq!(refused.headers()["x-tokenvault-error"], "tls");
    let text = refused.text().await.expect("a text");
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert_eq!(
        demo.count(Dialect::Prive, tokenvault_demo_api::Endpoint::Resource),
        1
    );
    proxy.stop().await;
}
