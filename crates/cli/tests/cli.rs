//! The built `tokenvault` binary against the demo API, on a throwaway data folder and
//! the test session's keyring.
//!
//! - presets and profiles: listing, checking a good and a broken profile file;
//! - accounts: every preset added and serving tokens in every format; a wrong password;
//! - freshness: concurrent `token` calls, a server killed mid-session;
//! - calls: OTT verification, private tokens, a custom profile;
//! - sharing: export and import; completions; exit codes.

mod support;

use serde_json::Value;
use std::process::Stdio;
use support::{
    add, demo, demo_with, home, spawn_tokenvault, stderr, stdout, stdout_json, tokenvault,
    tokenvault_command, user,
};

use tokenvault_demo_api::{Config, Dialect, Endpoint};

#[test]
fn presets_are_listed_as_stable_json() {
    let out = tokenvault(&home("presets"), &["presets", "--json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout_json(&out);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "prive",
            "finvera",
            "traderevolution",
            "private-tokens",
            "oauth2-password",
            "simplejwt",
            "oauth2-client-credentials",
            "directus",
            "oauth2-device",
            "oidc"
        ]
    );
    assert_eq!(list[2]["calls"], serde_json::json!(["ott"]));
    assert_eq!(list[4]["client_auth"], "none");
    assert_eq!(list[6]["flow"], "client-credentials");
    assert_eq!(list[6]["client_auth"], "client_secret_basic");
    assert_eq!(list[0]["flow"], "password");
}

#[test]
fn profile_check_says_what_is_wrong_and_where() {
    let dir = home("profile-check");
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "id = \"x\"\nname = \"X\"\n[login]\npath = \"login\"\nidentity_field = \"u\"\npassword_field = \"p\"\n").unwrap();
    let out = tokenvault(&dir, &["profile", "check", broken.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("login.path: `login` must start with `/`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_preset_is_added_and_serves_its_token_in_every_format() {
    let server = demo(120).await;
    let dir = home("every-preset");
    for dialect in Dialect::PRESETS {
        let name = format!("{}-uat", dialect.as_str());
        let out = add(&dir, &server, &name, dialect);
        assert!(out.status.success(), "{dialect:?}: {}", stderr(&out));
        let raw = stdout(&tokenvault(&dir, &["token", &name], None));
        let token = raw.trim_end();
        assert_eq!(
            token.split('.').count(),
            3,
            "{dialect:?}: a JWT alone on stdout"
        );
        assert_eq!(
            stdout(&tokenvault(
                &dir,
                &["token", &name, "--format", "bearer"],
                None
            )),
            format!("Bearer {token}\n")
        );
        assert_eq!(
            stdout(&tokenvault(
                &dir,
                &["token", &name, "--format", "header"],
                None
            )),
            format!("Authorization: Bearer {token}\n")
        );
        let json = stdout_json(&tokenvault(
            &dir,
            &["token", &name, "--format", "json"],
            None,
        ));
        assert_eq!(json["token"], token);
        assert!(json["seconds_left"].as_i64().unwrap() > 100);
        assert_eq!(
            server.count(dialect, Endpoint::Login),
            1,
            "{dialect:?}: the stored token was reused"
        );
    }
    let status: Value = stdout_json(&tokenvault(&dir, &["status", "--json"], None));
    assert_eq!(status.as_array().unwrap().len(), Dialect::PRESETS.len());
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "fresh"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_exits_3_and_stores_nothing() {
    let server = demo(120).await;
    let dir = home("wrong-password");
    let url = server.base_url(Dialect::Prive);
    let out = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "prive",
            "--preset",
            "prive",
            "--base-url",
            &url,
            "--username",
            "advisor@prive.demo",
            "--password-stdin",
        ],
        Some("not-the-password\n"),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("rejected the login for advisor@prive.demo"));
    assert!(
        !stderr(&out).contains("not-the-password"),
        "the password is never echoed"
    );
    let list = stdout(&tokenvault(&dir, &["account", "list", "--json"], None));
    assert_eq!(list.trim(), "[]", "nothing was stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_credentials_account_needs_no_user_and_a_wrong_secret_is_a_refused_client() {
    let server = demo(120).await;
    let dir = home("client-credentials");
    let url = server.base_url(Dialect::Oauth2ClientCredentials);
    let client = user(Dialect::Oauth2ClientCredentials);
    let add = |name: &str, secret: &str| {
        tokenvault(
            &dir,
            &[
                "account",
                "add",
                name,
                "--preset",
                "oauth2-client-credentials",
                "--base-url",
                &url,
                "--client-id",
                client.identity,
                "--client-secret-stdin",
            ],
            Some(&format!("{secret}\n")),
        )
    };
    let refused = add("reports-wrong", "not-the-client-secret");
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("rejected the OAuth client `reporting-service`"),
        "{}",
        stderr(&refused)
    );
    assert!(!stderr(&refused).contains("not-the-client-secret"));

    let added = add("reports", client.password);
    assert!(added.status.success(), "{}", stderr(&added));
    let token = stdout(&tokenvault(&dir, &["token", "reports"], None));
    assert_eq!(token.trim().split('.').count(), 3, "a JWT alone on stdout");
    let list = stdout_json(&tokenvault(&dir, &["account", "list", "--json"], None));
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the refused one was not kept"
    );
    assert_eq!(list[0]["identity"], "reporting-service");

    // A password profile still needs its user; the client id of one without a client is refused.
    let no_user = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "p",
            "--preset",
            "prive",
            "--base-url",
            &url,
        ],
        None,
    );
    assert_eq!(no_user.status.code(), Some(2), "{}", stderr(&no_user));
    assert!(
        stderr(&no_user).contains("give --username"),
        "{}",
        stderr(&no_user)
    );
    let stray = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "p",
            "--preset",
            "prive",
            "--base-url",
            &url,
            "--username",
            "x",
            "--client-id",
            "web",
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    assert_eq!(stray.status.code(), Some(2), "{}", stderr(&stray));
    assert!(stderr(&stray).contains("client_id"), "{}", stderr(&stray));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_token_calls_cause_exactly_one_refresh() {
    let server = demo(20).await;
    let dir = home("concurrent");
    assert!(
        add(&dir, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    // The JWT's whole-second expiry leaves 19-20 s at first; after 4 s at most 16 s are
    // left, so every caller asking for 17.5 s... in whole seconds, 17 s, needs a new token.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let callers: Vec<_> = (0..4)
        .map(|_| {
            tokenvault_command()
                .arg("--home")
                .arg(&dir)
                .args(["token", "te", "--min-valid", "17"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens: Vec<String> = callers
        .into_iter()
        .map(|c| stdout(&c.wait_with_output().unwrap()))
        .collect();
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "every caller got the same token"
    );
    assert_eq!(
        server.count(Dialect::Traderevolution, Endpoint::Refresh),
        1,
        "exactly one refresh"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_session_exits_4_and_the_valid_token_is_still_served() {
    let server = demo(120).await;
    let dir = home("killed");
    assert!(
        add(&dir, &server, "finvera", Dialect::Finvera)
            .status
            .success()
    );
    let before = stdout(&tokenvault(&dir, &["token", "finvera"], None));
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let forced = tokenvault(&dir, &["token", "finvera", "--force-refresh"], None);
    assert_eq!(forced.status.code(), Some(4), "{}", stderr(&forced));
    assert!(
        stderr(&forced).contains("[unreachable]"),
        "{}",
        stderr(&forced)
    );
    let after = tokenvault(&dir, &["token", "finvera"], None);
    assert!(after.status.success(), "{}", stderr(&after));
    assert_eq!(
        stdout(&after),
        before,
        "the still-valid token is kept and served"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_time_token_verifies_once_then_exits_3() {
    let server = demo(120).await;
    let dir = home("ott");
    assert!(
        add(&dir, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    let ott = server.state().issue_ott("bo.trader");
    let first = tokenvault(&dir, &["ott", "verify", "te", &ott, "--json"], None);
    assert!(first.status.success(), "{}", stderr(&first));
    let verdict = stdout_json(&first);
    assert_eq!(
        verdict,
        serde_json::json!({"valid": true, "identity": "bo.trader", "reason": null})
    );
    let again = tokenvault(&dir, &["ott", "verify", "te", &ott], None);
    assert_eq!(again.status.code(), Some(3));
    assert!(
        stderr(&again).contains("already used"),
        "{}",
        stderr(&again)
    );
}

/// `private-token create` for the account `pt`, with JSON output.
fn create_private_token(
    dir: &std::path::Path,
    label: &str,
    lifetime: &str,
) -> std::process::Output {
    tokenvault(
        dir,
        &[
            "private-token",
            "create",
            "pt",
            "--label",
            label,
            "--expires-in",
            lifetime,
            "--json",
        ],
        None,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn private_tokens_are_created_listed_and_revoked() {
    let server = demo(120).await;
    let dir = home("private");
    assert!(
        add(&dir, &server, "pt", Dialect::PrivateTokens)
            .status
            .success()
    );
    let created = create_private_token(&dir, "ci", "30d");
    assert!(created.status.success(), "{}", stderr(&created));
    let too_far = tokenvault(
        &dir,
        &[
            "private-token",
            "create",
            "pt",
            "--label",
            "forever",
            "--expires-in",
            "99999999999w",
        ],
        None,
    );
    assert_eq!(too_far.status.code(), Some(2), "{}", stderr(&too_far));
    assert!(stderr(&too_far).contains("too far in the future"));
    let created = stdout_json(&created);
    assert_eq!(created["label"], "ci");
    assert_eq!(created["token"].as_str().unwrap().split('.').count(), 3);
    let listed = stdout_json(&tokenvault(
        &dir,
        &["private-token", "list", "pt", "--json"],
        None,
    ));
    assert_eq!(listed[0]["id"], created["id"]);
    assert!(listed[0].get("token").is_none());
    let id = created["id"].as_str().unwrap();
    assert!(
        tokenvault(&dir, &["private-token", "revoke", "pt", id], None)
            .status
            .success()
    );
    let listed = stdout(&tokenvault(
        &dir,
        &["private-token", "list", "pt", "--json"],
        None,
    ));
    assert_eq!(listed.trim(), "[]");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_token_of_4000_characters_is_kept_whole_and_shown_again() {
    // Longer than one Windows Credential Manager entry holds (2,560 bytes).
    let scope: Vec<String> = (0..260).map(|i| format!("read:ledger-{i:04}")).collect();
    let server = demo_with(Config {
        private_token_scope: scope.join(" "),
        ..Config::default()
    })
    .await;
    let dir = home("private-long");
    assert!(
        add(&dir, &server, "pt", Dialect::PrivateTokens)
            .status
            .success()
    );
    let created = create_private_token(&dir, "reporting", "90d");
    assert!(created.status.success(), "{}", stderr(&created));
    let created = stdout_json(&created);
    let token = created["token"].as_str().unwrap();
    assert!(
        token.len() >= 4000,
        "a long token: {} characters",
        token.len()
    );
    let id = created["id"].as_str().unwrap();

    let shown = tokenvault(&dir, &["private-token", "show", "pt", id], None);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert_eq!(stdout(&shown).trim_end(), token, "the same token, whole");
    let bearer = tokenvault(
        &dir,
        &["private-token", "show", "pt", id, "--format", "bearer"],
        None,
    );
    assert_eq!(stdout(&bearer).trim_end(), format!("Bearer {token}"));

    assert!(
        tokenvault(&dir, &["private-token", "revoke", "pt", id], None)
            .status
            .success()
    );
    let gone = tokenvault(&dir, &["private-token", "show", "pt", id], None);
    assert_eq!(gone.status.code(), Some(2), "{}", stderr(&gone));
    assert!(
        stderr(&gone).contains("does not hold the value of private token"),
        "{}",
        stderr(&gone)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_file_for_a_dialect_no_preset_knows_works() {
    let server = demo(120).await;
    let dir = home("custom");
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/integration/profiles/acme.toml"
    );
    assert!(
        tokenvault(&dir, &["profile", "check", profile], None)
            .status
            .success()
    );
    let url = server.base_url(Dialect::Acme);
    let out = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "acme",
            "--profile",
            profile,
            "--base-url",
            &url,
            "--username",
            "ledger-bot",
            "--password-stdin",
        ],
        Some("acme-demo-password\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&tokenvault(
        &dir,
        &["token", "acme", "--force-refresh"],
        None,
    ));
    assert!(token.starts_with("acme_"), "{token}");
    assert_eq!(server.count(Dialect::Acme, Endpoint::Refresh), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn export_and_import_share_accounts_without_secrets() {
    let server = demo(120).await;
    let dir = home("export");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let file = dir.join("team.json");
    assert!(
        tokenvault(&dir, &["export", file.to_str().unwrap()], None)
            .status
            .success()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(user(Dialect::Prive).password),
        "no password in the export"
    );
    let other = home("import");
    assert!(
        tokenvault(&other, &["import", file.to_str().unwrap()], None)
            .status
            .success()
    );
    let list = stdout_json(&tokenvault(&other, &["account", "list", "--json"], None));
    assert_eq!(list[0]["name"], "prive");
}

#[test]
fn completions_are_printed_for_each_shell_and_unknown_accounts_exit_2() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = tokenvault(&home("completions"), &["completions", shell], None);
        assert!(
            out.status.success() && stdout(&out).contains("tokenvault"),
            "{shell}"
        );
    }
    let out = tokenvault(&home("unknown"), &["token", "nobody"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "tokenvault: no account named `nobody` [unknown_account]\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_inspect_and_remove_work_on_a_stored_account() {
    let server = demo(120).await;
    let dir = home("login-inspect-remove");
    assert!(
        add(&dir, &server, "simple", Dialect::Simplejwt)
            .status
            .success()
    );

    let login = tokenvault(&dir, &["login", "simple", "--json"], None);
    assert!(login.status.success(), "{}", stderr(&login));
    let login = stdout_json(&login);
    assert_eq!(login["refresh"], true);
    assert!(login["seconds_left"].as_i64().unwrap() > 100);
    assert_eq!(
        server.count(Dialect::Simplejwt, Endpoint::Login),
        2,
        "login logs in again"
    );

    let unverified = tokenvault(&dir, &["inspect", "--account", "simple"], None);
    assert!(
        stdout(&unverified).starts_with("UNVERIFIED"),
        "{}",
        stdout(&unverified)
    );
    let verified = tokenvault(
        &dir,
        &[
            "inspect",
            "--account",
            "simple",
            "--json",
            "--secret",
            "tokenvault-demo-signing-secret",
        ],
        None,
    );
    let verified = stdout_json(&verified);
    assert_eq!(verified["verification"]["status"], "verified");
    assert_eq!(verified["identity"], "analyst");
    assert_eq!(verified["roles"], serde_json::json!(["staff"]));
    let forged = tokenvault(
        &dir,
        &[
            "inspect",
            "--account",
            "simple",
            "--json",
            "--secret",
            "guess",
        ],
        None,
    );
    let forged = stdout_json(&forged);
    assert_eq!(forged["verification"]["status"], "failed");
    let token = stdout(&tokenvault(&dir, &["token", "simple"], None));
    let pasted = tokenvault(&dir, &["inspect", token.trim()], None);
    assert!(
        stdout(&pasted).contains("identity: analyst"),
        "{}",
        stdout(&pasted)
    );

    let removed = tokenvault(&dir, &["account", "remove", "simple"], None);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert_eq!(
        stdout(&tokenvault(&dir, &["account", "list", "--json"], None)).trim(),
        "[]"
    );
    assert_eq!(
        tokenvault(&dir, &["token", "simple"], None).status.code(),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_names_the_last_failure_until_a_renewal_works_again() {
    let server = demo(120).await;
    let port = server.addr().port();
    let dir = home("last-failure");
    assert!(
        add(&dir, &server, "finvera", Dialect::Finvera)
            .status
            .success()
    );
    drop(server);
    let forced = tokenvault(&dir, &["token", "finvera", "--force-refresh"], None);
    assert_eq!(forced.status.code(), Some(4), "{}", stderr(&forced));
    let status = stdout_json(&tokenvault(&dir, &["status", "finvera", "--json"], None));
    let failure = &status[0]["last_failure"];
    assert_eq!(failure["code"], "unreachable", "{status}");
    assert!(
        failure["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not reach")),
        "{status}"
    );
    assert_eq!(
        status[0]["state"], "failing",
        "the token is still valid, its renewal is not"
    );
    let words = stderr(&tokenvault(&dir, &["status"], None));
    assert!(words.contains("finvera: could not reach"), "{words}");

    let _back = support::demo_on(120, port).await;
    let renewed = tokenvault(&dir, &["token", "finvera", "--force-refresh"], None);
    assert!(renewed.status.success(), "{}", stderr(&renewed));
    let status = stdout_json(&tokenvault(&dir, &["status", "finvera", "--json"], None));
    assert_eq!(status[0]["last_failure"], Value::Null, "{status}");
    assert_eq!(status[0]["state"], "fresh", "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_with_the_wrong_secret_exits_3_and_says_the_signature_is_not_valid() {
    let server = demo(120).await;
    let dir = home("inspect-wrong-secret");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let token = stdout(&tokenvault(&dir, &["token", "prive"], None));
    let wrong = tokenvault(&dir, &["inspect", token.trim(), "--secret", "WRONG"], None);
    assert_eq!(wrong.status.code(), Some(3), "{}", stderr(&wrong));
    assert!(
        stdout(&wrong).starts_with(
            "SIGNATURE NOT VALID with hmac-secret: the HS256 signature does not match this key"
        ),
        "{}",
        stdout(&wrong)
    );
    assert!(
        stderr(&wrong).contains("the signature is not valid"),
        "{}",
        stderr(&wrong)
    );
    assert!(
        !stdout(&wrong).contains("InvalidSignature"),
        "words, not the library's name"
    );
    let unchecked = tokenvault(&dir, &["inspect", token.trim()], None);
    assert_eq!(
        unchecked.status.code(),
        Some(0),
        "no key, no verdict: an unverified token is shown, and says so"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_shorter_lived_than_min_valid_are_not_renewed_on_every_call() {
    let server = demo(20).await;
    let dir = home("short-tokens");
    assert!(
        add(&dir, &server, "simplejwt", Dialect::Simplejwt)
            .status
            .success()
    );
    let renewals = || {
        server.count(Dialect::Simplejwt, Endpoint::Login)
            + server.count(Dialect::Simplejwt, Endpoint::Refresh)
    };
    let after_add = renewals();
    let first = tokenvault(&dir, &["token", "simplejwt"], None);
    let second = tokenvault(&dir, &["token", "simplejwt"], None);
    assert!(first.status.success() && second.status.success());
    assert!(
        renewals() - after_add <= 1,
        "a 20 s token cannot last the default 60 s; it is served until a fifth of its life is left ({} renewals)",
        renewals() - after_add
    );
    assert_eq!(stdout(&first), stdout(&second), "the same token, twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_calls_the_profile_validate_and_names_the_user() {
    let server = demo(120).await;
    let dir = home("validate");
    assert!(
        add(&dir, &server, "finvera", Dialect::Finvera)
            .status
            .success()
    );
    let valid = tokenvault(&dir, &["validate", "finvera"], None);
    assert!(valid.status.success(), "{}", stderr(&valid));
    assert_eq!(stdout(&valid).trim(), "valid: analyst@finvera.demo");
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Validate), 1);
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let none = tokenvault(&dir, &["validate", "prive"], None);
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert!(
        stderr(&none).contains("has no validate call"),
        "{}",
        stderr(&none)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_whose_code_is_asked_logs_in_only_with_a_code_given_to_it() {
    // Thirty-second codes, as authenticator apps show them: the test computes each code
    // before the command that sends it, and a slow command must not miss its step.
    let server = demo_with(Config {
        access_ttl: std::time::Duration::from_secs(120),
        ..Config::default()
    })
    .await;
    let dir = home("otp-ask");
    let editor = user(Dialect::Directus);
    let totp = tokenvault_core::totp::Totp::parse(&tokenvault_core::Secret::new(
        editor.totp_secret().expect("two-factor login is on"),
    ))
    .expect("the demo secret reads");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let url = server.base_url(Dialect::Directus);
    let added = tokenvault(
        &dir,
        &[
            "account",
            "add",
            "cms",
            "--preset",
            "directus",
            "--base-url",
            &url,
            "--username",
            editor.identity,
            "--password-stdin",
            "--otp",
            "ask",
            "--otp-stdin",
        ],
        Some(&format!(
            "{}\n{}\n",
            editor.password,
            totp.code_at(now).expose()
        )),
    );
    assert!(added.status.success(), "{}", stderr(&added));

    // A refresh needs no code; a login does, and nobody gave one.
    let refreshed = tokenvault(&dir, &["token", "cms", "--force-refresh"], None);
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    let login = tokenvault(&dir, &["login", "cms"], None);
    assert_eq!(login.status.code(), Some(3), "{}", stderr(&login));
    assert!(
        stderr(&login).contains("tokenvault login cms --otp"),
        "{}",
        stderr(&login)
    );

    // The server accepts the next step's code once the current one was used.
    let next = totp.code_at(now + 30);
    let login = tokenvault(
        &dir,
        &["login", "cms", "--otp-stdin"],
        Some(&format!("{}\n", next.expose())),
    );
    assert!(login.status.success(), "{}", stderr(&login));
    let again = tokenvault(
        &dir,
        &["login", "cms", "--otp-stdin"],
        Some(&format!("{}\n", next.expose())),
    );
    assert_eq!(
        again.status.code(),
        Some(3),
        "a code is taken once: {}",
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("refused the one-time code"),
        "{}",
        stderr(&again)
    );
    assert!(
        !stderr(&again).contains(next.expose()),
        "the code is not repeated"
    );
    assert_eq!(server.count(Dialect::Directus, Endpoint::Login), 3);
}

/// A child process ended when dropped, whatever the test did meanwhile.
struct Ended(std::process::Child);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the command's stderr until it shows a device sign-in, and approves it on the page
/// it names, as the person at the browser would; returns the code and what was said.
async fn approve_what_it_shows(child: &mut Ended) -> (String, String) {
    use std::io::BufRead;
    let stderr = child.0.stderr.take().expect("stderr is piped");
    let (said, line) = tokio::task::spawn_blocking(move || {
        let mut said = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.expect("stderr reads");
            said.push_str(&line);
            said.push('\n');
            if line.contains("enter the code") {
                return (said, line);
            }
        }
        panic!("the command ended without showing a code: {said}");
    })
    .await
    .expect("the reader ends");
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = |word: &str| words.iter().position(|w| *w == word).expect("the words");
    let page = words[at("open") + 1].to_owned();
    let code = words[at("code") + 1].to_owned();
    let editor = user(Dialect::Oauth2Device);
    let answer = reqwest::Client::new()
        .post(page.split('?').next().expect("a page"))
        .form(&[
            ("user_code", code.as_str()),
            ("username", editor.identity),
            ("password", editor.password),
            ("decision", "approve"),
        ])
        .send()
        .await
        .expect("the page answers");
    assert!(answer.status().is_success());
    (code, said)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_sign_in_shows_its_code_on_stderr_and_signing_in_again_is_a_login() {
    let server = demo_with(Config {
        device_interval_secs: 1,
        ..Config::default()
    })
    .await;
    let dir = home("device");
    let url = server.base_url(Dialect::Oauth2Device);
    let args = [
        "account",
        "add",
        "field",
        "--preset",
        "oauth2-device",
        "--base-url",
        &url,
        "--client-id",
        tokenvault_demo_api::DEVICE_CLIENT,
    ];
    let mut adding = Ended(spawn_tokenvault(&dir, &args, None, &[]));
    let (code, said) = approve_what_it_shows(&mut adding).await;
    assert_eq!(code.len(), 9, "a code such as ABCD-EFGH: {said}");
    let status = tokio::task::spawn_blocking(move || adding.0.wait().expect("it ends"))
        .await
        .expect("waited");
    assert!(status.success(), "{said}");
    let list = stdout_json(&tokenvault(&dir, &["account", "list", "--json"], None));
    assert_eq!(list[0]["identity"], "field.engineer");
    let token = tokenvault(&dir, &["token", "field"], None);
    assert!(token.status.success(), "{}", stderr(&token));

    // `login` signs in again with a person, here rather than through an agent.
    let mut again = Ended(spawn_tokenvault(&dir, &["login", "field"], None, &[]));
    approve_what_it_shows(&mut again).await;
    let status = tokio::task::spawn_blocking(move || again.0.wait().expect("it ends"))
        .await
        .expect("waited");
    assert!(status.success());
    assert_eq!(server.count(Dialect::Oauth2Device, Endpoint::Login), 2);
}

/// Reads the command's stderr until it prints the sign-in page's address, and signs in
/// there as the person at the browser would: the page, its form, and the redirect back to
/// the command. Returns the address and the page the browser ended on.
async fn sign_in_where_it_says(child: &mut Ended) -> (String, String) {
    use std::io::BufRead;
    let stderr = child.0.stderr.take().expect("stderr is piped");
    let url = tokio::task::spawn_blocking(move || {
        let mut said = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.expect("stderr reads");
            if line.starts_with("http") {
                return line;
            }
            said.push_str(&line);
        }
        panic!("the command ended without a sign-in page: {said}");
    })
    .await
    .expect("the reader ends");
    let page = reqwest::Url::parse(&url).expect("an address");
    let desk = user(Dialect::Oidc);
    let mut form: Vec<(String, String)> = page.query_pairs().into_owned().collect();
    form.extend(
        [
            ("username", desk.identity),
            ("password", desk.password),
            ("decision", "approve"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let mut action = page.clone();
    action.set_query(None);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let answer = http.post(action).form(&form).send().await.expect("posted");
    assert_eq!(answer.status(), 302, "the sign-in sends the browser back");
    let back = answer.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    let shown = http.get(back).send().await.expect("the command answers");
    (url, shown.text().await.expect("a page"))
}

async fn ended(child: Ended) -> std::process::ExitStatus {
    let mut child = child;
    tokio::task::spawn_blocking(move || child.0.wait().expect("it ends"))
        .await
        .expect("waited")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_sign_in_prints_its_page_with_no_browser_and_ends_on_a_page_that_says_so() {
    let server = demo(300).await;
    let dir = home("browser");
    let url = server.base_url(Dialect::Oidc);
    let args = [
        "account",
        "add",
        "desk",
        "--preset",
        "oidc",
        "--base-url",
        &url,
        "--client-id",
        tokenvault_demo_api::BROWSER_CLIENT,
        "--no-browser",
    ];
    let mut adding = Ended(spawn_tokenvault(&dir, &args, None, &[]));
    let (page, shown) = sign_in_where_it_says(&mut adding).await;
    assert!(page.contains("code_challenge_method=S256"), "{page}");
    assert!(shown.contains("You can close this tab"), "{shown}");
    assert!(ended(adding).await.success());
    let list = stdout_json(&tokenvault(&dir, &["account", "list", "--json"], None));
    assert_eq!(list[0]["identity"], "desk.agent", "the token says who");
    let token = tokenvault(&dir, &["token", "desk", "--force-refresh"], None);
    assert!(token.status.success(), "{}", stderr(&token));

    // Nobody comes back: the command gives up after the wait it printed.
    let away = tokenvault(
        &dir,
        &["login", "desk", "--no-browser", "--wait", "1"],
        None,
    );
    assert_eq!(away.status.code(), Some(3), "{}", stderr(&away));
    assert!(stderr(&away).contains("waiting up to"), "{}", stderr(&away));
    assert!(stderr(&away).contains("within 1 s"), "{}", stderr(&away));
    assert_eq!(server.count(Dialect::Oidc, Endpoint::Login), 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_sign_in_opens_the_page_with_the_browser_the_user_named() {
    use std::os::unix::fs::PermissionsExt;
    let server = demo(300).await;
    let dir = home("browser-opened");
    // A "browser" that notes the address it was given, whole.
    let browser = dir.join("note-address");
    let noted = dir.join("address");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            noted.display()
        ),
    )
    .expect("written");
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
        .expect("made runnable");
    let url = server.base_url(Dialect::Oidc);
    let args = [
        "account",
        "add",
        "desk",
        "--preset",
        "oidc",
        "--base-url",
        &url,
        "--client-id",
        tokenvault_demo_api::BROWSER_CLIENT,
    ];
    let env = [("BROWSER", browser.to_str().expect("a path"))];
    let mut adding = Ended(spawn_tokenvault(&dir, &args, None, &env));
    let (page, _) = sign_in_where_it_says(&mut adding).await;
    assert!(ended(adding).await.success());
    // The browser runs on its own: wait for its note (it is written in one go, by a rename).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !noted.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let opened = std::fs::read_to_string(&noted).expect("the browser was started");
    assert_eq!(
        opened, page,
        "the browser got the whole address, query and all"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_from_an_issuer_alone_is_verified_by_inspect_and_revoked_on_removal() {
    let server = demo(300).await;
    let dir = home("issuer");
    let issuer = server.base_url(Dialect::Oidc);
    let args = [
        "account",
        "add",
        "work",
        "--issuer",
        &issuer,
        "--client-id",
        tokenvault_demo_api::BROWSER_CLIENT,
        "--no-browser",
    ];
    let mut adding = Ended(spawn_tokenvault(&dir, &args, None, &[]));
    let (page, _) = sign_in_where_it_says(&mut adding).await;
    assert!(page.starts_with(&format!("{issuer}/authorize?")), "{page}");
    assert!(ended(adding).await.success());

    let inspected = tokenvault(&dir, &["inspect", "--account", "work"], None);
    assert!(inspected.status.success(), "{}", stderr(&inspected));
    assert!(
        stdout(&inspected).starts_with("VERIFIED with"),
        "the discovered keys check the signature: {}",
        stdout(&inspected)
    );
    let removed = tokenvault(&dir, &["account", "remove", "work"], None);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(
        stderr(&removed).contains("its server revoked its token"),
        "{}",
        stderr(&removed)
    );
    assert_eq!(server.count(Dialect::Oidc, Endpoint::TokenRevocation), 1);
}
