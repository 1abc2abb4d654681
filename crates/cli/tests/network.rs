//! A company's network: the command line logs in through a TLS-inspecting proxy once the
//! proxy's CA is in the trust store (`SSL_CERT_FILE` stands for the system's store: it
//! replaces it), refuses it with a TLS error otherwise, and goes through the forward proxy
//! `HTTPS_PROXY` names (Debian's tinyproxy, whose log shows the connection).

mod support;

use std::path::Path;
use std::process::Output;

use support::{demo, home, spawn_tokenvault_without, stderr, user};
use tokenvault_demo_api::Dialect;
use tokenvault_tests::network::{
    CORP_PROXY_CA, InspectingProxy, LOOPBACK_CERT, Tinyproxy, behind_tls,
};

/// What a user's shell may hold that would change where a request goes or whom it trusts.
const NETWORK_VARIABLES: [&str; 10] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// `tokenvault account add` of the Privé demo user at `base_url`, with exactly the network
/// variables given.
fn add_prive(home: &Path, base_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let who = user(Dialect::Prive);
    let mut args = vec!["account", "add", "Privé UAT", "--preset", "prive"];
    args.extend([
        "--base-url",
        base_url,
        "--username",
        who.identity,
        "--password-stdin",
    ]);
    args.extend(extra);
    let password = format!("{}\n", who.password);
    spawn_tokenvault_without(home, &args, Some(&password), env, &NETWORK_VARIABLES)
        .wait_with_output()
        .expect("the binary finishes")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_through_a_tls_inspecting_proxy_works_once_its_ca_is_in_the_trust_store() {
    let server = demo(300).await;
    let api = format!(
        "https://127.0.0.1:{}/prive",
        behind_tls(server.addr()).await
    );
    let proxy = InspectingProxy::start().await;

    let untrusted = home("corp-untrusted");
    let refused = add_prive(&untrusted, &api, &[], &[("HTTPS_PROXY", &proxy.url())]);
    assert!(
        !refused.status.success(),
        "the forged certificate is refused"
    );
    let said = stderr(&refused);
    assert!(
        said.contains("TLS") && said.contains("certificate"),
        "a TLS error that names the certificate: {said}"
    );
    assert!(
        !said.contains(user(Dialect::Prive).password),
        "the password is not in it"
    );

    let trusted = home("corp-trusted");
    let store = trusted.join("trust-store.pem");
    std::fs::write(&store, CORP_PROXY_CA).expect("the trust store is written");
    let store = store.to_string_lossy().into_owned();
    let added = add_prive(
        &trusted,
        &api,
        &[],
        &[("HTTPS_PROXY", &proxy.url()), ("SSL_CERT_FILE", &store)],
    );
    assert!(
        added.status.success(),
        "with Test Corp's CA in the trust store, and no --ca-cert: {}",
        stderr(&added)
    );
    let target = api
        .trim_start_matches("https://")
        .trim_end_matches("/prive")
        .to_owned();
    let connects = proxy.connects();
    assert!(
        connects.len() >= 2 && connects.iter().all(|c| *c == target),
        "both logins went through the proxy: {connects:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_through_the_forward_proxy_of_https_proxy_reaches_the_api_through_it() {
    let server = demo(300).await;
    let port = behind_tls(server.addr()).await;
    let api = format!("https://127.0.0.1:{port}/prive");
    let proxy = Tinyproxy::start().await;
    let home = home("forward-proxy");
    let ca = home.join("loopback-cert.pem");
    std::fs::write(&ca, LOOPBACK_CERT).expect("the API's certificate is written");
    let ca = ca.to_string_lossy().into_owned();

    let added = add_prive(
        &home,
        &api,
        &["--ca-cert", &ca],
        &[("HTTPS_PROXY", &proxy.url())],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{port}")),
        "tinyproxy carried the login: {log}"
    );

    // NO_PROXY sends it straight to the API: tinyproxy sees nothing more.
    let before = proxy.log().matches("CONNECT ").count();
    let direct = add_prive(
        &support::home("forward-proxy-bypassed"),
        &api,
        &["--ca-cert", &ca],
        &[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", "127.0.0.1")],
    );
    assert!(direct.status.success(), "{}", stderr(&direct));
    assert_eq!(proxy.log().matches("CONNECT ").count(), before);
}
