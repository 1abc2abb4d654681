//! The vault with a real keyring (the throwaway gnome-keyring of the test session),
//! the encrypted fallback without a session bus, and crash-safe catalog writes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use time::OffsetDateTime;
use tokenvault_core::Secret;
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::vault::catalog::{AccountRecord, CatalogFile, TokenTimes};
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::secrets::{
    KeyringStore, SecretKey, SecretKind, SecretStore, StoreTier, keyring_service,
};
use tokenvault_tests::scratch;

fn probe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vault-probe"))
}

#[test]
fn the_keyring_keeps_secrets_a_missing_one_is_none_and_delete_is_idempotent() {
    tokenvault_tests::require_test_session();
    let store = KeyringStore::open(app_name()).expect("the test session has a keyring");
    assert_eq!(store.tier(), StoreTier::OsKeyring);
    let key = SecretKey::new(
        format!("keyring-test-{}", std::process::id()),
        SecretKind::AccessToken,
    );
    assert_eq!(store.get(&key).unwrap(), None);
    store
        .set(&key, &Secret::new("access-token-in-keyring"))
        .unwrap();
    let fresh_handle = KeyringStore::open(app_name()).unwrap();
    assert_eq!(
        fresh_handle.get(&key).unwrap(),
        Some(Secret::new("access-token-in-keyring"))
    );
    store.delete(&key).unwrap();
    store.delete(&key).unwrap();
    assert_eq!(fresh_handle.get(&key).unwrap(), None);
}

#[test]
fn accounts_and_tokens_survive_a_restart() {
    tokenvault_tests::require_test_session();
    let home = Home::at(scratch("restart")).unwrap();
    let expires =
        OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::hours(1);
    {
        let catalog = CatalogFile::new(home.catalog());
        catalog
            .update(|c| {
                c.accounts.push(AccountRecord {
                    id: "prive-uat".into(),
                    name: "Privé UAT".into(),
                    environment: "UAT".into(),
                    profile: "prive".into(),
                    base_url: "https://uat.example.com".into(),
                    identity: "ana@example.com".into(),
                    client_id: None,
                    second_factor: None,
                    overrides: Vec::new(),
                    allow_plain_http: false,
                    ca_cert_pem: None,
                    tokens: TokenTimes {
                        access_expires_at: Some(expires),
                        ..TokenTimes::default()
                    },
                    team: None,
                });
                Ok(())
            })
            .unwrap();
        let store = KeyringStore::open(&keyring_service(&home, app_name())).unwrap();
        store
            .set(
                &SecretKey::new("prive-uat", SecretKind::Password),
                &Secret::new("pw-1"),
            )
            .unwrap();
        store
            .set(
                &SecretKey::new("prive-uat", SecretKind::AccessToken),
                &Secret::new("tok-1"),
            )
            .unwrap();
    }
    // A new process would start from nothing but the folder and the keyring.
    let catalog = CatalogFile::new(home.catalog()).load().unwrap();
    let account = catalog.account("Privé UAT").unwrap();
    assert_eq!(account.tokens.access_expires_at, Some(expires));
    let store = KeyringStore::open(&keyring_service(&home, app_name())).unwrap();
    let access = store
        .get(&SecretKey::new(&account.id, SecretKind::AccessToken))
        .unwrap();
    assert_eq!(access, Some(Secret::new("tok-1")));
    let on_disk = std::fs::read_to_string(home.catalog()).unwrap();
    assert!(
        !on_disk.contains("tok-1") && !on_disk.contains("pw-1"),
        "no secret in the catalog"
    );
}

#[test]
fn with_a_session_bus_the_os_keyring_is_chosen() {
    tokenvault_tests::require_test_session();
    let out = probe()
        .args(["store"])
        .arg(scratch("with-bus"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tier: OS keyring\n");
}

#[test]
fn without_a_session_bus_the_encrypted_file_works_and_refuses_a_wrong_passphrase() {
    tokenvault_tests::require_test_session();
    let home = scratch("no-bus");
    let run = |passphrase: &str| {
        probe()
            .args(["store"])
            .arg(&home)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env("TOKENVAULT_PASSPHRASE", passphrase)
            .output()
            .unwrap()
    };
    let first = run("a long enough passphrase");
    assert_eq!(
        String::from_utf8_lossy(&first.stdout),
        "tier: encrypted file\n"
    );
    let again = run("a long enough passphrase");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "tier: encrypted file\n",
        "it reopens"
    );
    let wrong = run("not the passphrase");
    assert!(!wrong.status.success());
    assert_eq!(
        String::from_utf8_lossy(&wrong.stdout),
        format!(
            "error[wrong_passphrase]: the passphrase does not open {}\n",
            home.join("secrets.enc").display()
        )
    );
    let file = std::fs::read_to_string(home.join("secrets.enc")).unwrap();
    assert!(
        !file.contains("probe-password-value"),
        "the secret is not in the file in clear"
    );
}

#[test]
fn without_a_keyring_or_a_passphrase_the_user_is_told_what_to_do() {
    tokenvault_tests::require_test_session();
    let out = probe()
        .args(["store"])
        .arg(scratch("nothing"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("TOKENVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a clean exit, not a crash");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with(
            "error[no_secret_store]: no safe place for secrets: the OS keyring is not usable"
        ),
        "{said}"
    );
    assert!(
        said.contains("Start a keyring in your session") && said.contains("TOKENVAULT_PASSPHRASE"),
        "{said}"
    );
}

#[test]
fn two_hundred_kills_during_catalog_writes_lose_nothing() {
    tokenvault_tests::require_test_session();
    let home = scratch("kill-9");
    let catalog = CatalogFile::new(home.join("accounts.json"));
    let mut confirmed = 0usize;
    for trial in 0..200u64 {
        let mut writer = probe()
            .args(["catalog-writer"])
            .arg(&home)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
        // Let it write at least once, then kill it at a varying moment mid-write.
        if let Some(Ok(line)) = lines.next() {
            confirmed = confirmed.max(line.parse().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_micros(300 * (trial % 17)));
        writer.kill().unwrap();
        for line in lines.map_while(Result::ok) {
            confirmed = confirmed.max(line.parse().unwrap());
        }
        writer.wait().unwrap();
        let loaded = catalog
            .load()
            .unwrap_or_else(|e| panic!("trial {trial}: {e}"));
        assert!(
            loaded.accounts.len() >= confirmed,
            "trial {trial}: {} accounts on disk, {confirmed} confirmed written",
            loaded.accounts.len()
        );
    }
    assert!(
        confirmed >= 200,
        "every trial wrote at least once ({confirmed})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_asking_at_once_cause_exactly_one_refresh() {
    tokenvault_tests::require_test_session();
    use std::sync::Arc;
    use tokenvault_core::clock::SystemClock;
    use tokenvault_core::vault::{Source, Vault};
    use tokenvault_demo_api::{Dialect, Endpoint};

    let server = tokenvault_tests::demo_api(20).await;
    let home = Home::at(scratch("two-processes")).unwrap();
    let store = Arc::new(KeyringStore::open(&keyring_service(&home, app_name())).unwrap());
    let accounts = Vault::with_store(home.clone(), store, Arc::new(SystemClock));
    let trader = tokenvault_tests::user(Dialect::Traderevolution);
    accounts
        .add(
            AccountRecord {
                id: "te-uat".into(),
                name: "TE UAT".into(),
                environment: "UAT".into(),
                profile: "traderevolution".into(),
                base_url: server.base_url(Dialect::Traderevolution),
                identity: trader.identity.into(),
                client_id: None,
                second_factor: None,
                overrides: Vec::new(),
                allow_plain_http: false,
                ca_cert_pem: None,
                tokens: TokenTimes::default(),
                team: None,
            },
            LoginSecrets::password(Secret::new(trader.password)),
        )
        .await
        .unwrap();
    let (_, source) = accounts
        .access_token("TE UAT", time::Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(source, Source::LoggedIn);

    // JWT expiry has whole seconds, so a 20 s token has 19-20 s when issued. After 4 s
    // the first one has at most 16 s: both processes need a new one for a 17.5 s window,
    // and the one the first renews still has over 17.5 s when the second looks at it.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let spawn = || {
        probe()
            .args(["token"])
            .arg(home.path())
            .args(["TE UAT", "17500"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let (first, second) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    let said = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let (a, b) = (said(&first), said(&second));
    let (source_a, token_a) = a.split_once(' ').expect("source and token");
    let (source_b, token_b) = b.split_once(' ').expect("source and token");
    assert_eq!(token_a, token_b, "both got the same fresh token");
    let mut sources = [source_a, source_b];
    sources.sort();
    assert_eq!(sources, ["Refreshed", "RenewedElsewhere"]);
    assert_eq!(
        server.count(Dialect::Traderevolution, Endpoint::Refresh),
        1,
        "exactly one refresh"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Login), 1);
}

fn record_for(
    id: &str,
    name: &str,
    env: &str,
    dialect: tokenvault_demo_api::Dialect,
    base_url: String,
) -> AccountRecord {
    AccountRecord {
        id: id.into(),
        name: name.into(),
        environment: env.into(),
        profile: dialect.as_str().into(),
        base_url,
        identity: tokenvault_tests::user(dialect).identity.into(),
        client_id: None,
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
        tokens: TokenTimes::default(),
        team: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_api_as_uat_and_production_are_two_accounts_that_never_share_a_token() {
    tokenvault_tests::require_test_session();
    use std::sync::Arc;
    use tokenvault_core::Vault;
    use tokenvault_core::clock::SystemClock;
    use tokenvault_demo_api::Dialect;

    let server = tokenvault_tests::demo_api(120).await;
    let accounts = Vault::with_store(
        Home::at(scratch("environments")).unwrap(),
        Arc::new(KeyringStore::open(app_name()).unwrap()),
        Arc::new(SystemClock),
    );
    let password =
        || LoginSecrets::password(Secret::new(tokenvault_tests::user(Dialect::Prive).password));
    let url = server.base_url(Dialect::Prive);
    accounts
        .add(
            record_for("env-uat", "Privé UAT", "UAT", Dialect::Prive, url.clone()),
            password(),
        )
        .await
        .unwrap();
    accounts
        .add(
            record_for(
                "env-prod",
                "Privé Production",
                "Production",
                Dialect::Prive,
                url,
            ),
            password(),
        )
        .await
        .unwrap();
    let (uat, _) = accounts
        .access_token("Privé UAT", time::Duration::seconds(30))
        .await
        .unwrap();
    let (prod, _) = accounts
        .access_token("Privé Production", time::Duration::seconds(30))
        .await
        .unwrap();
    assert_ne!(uat.value, prod.value, "each environment logs in for itself");
    let catalog = accounts.catalog().unwrap();
    assert_eq!(catalog.account("Privé UAT").unwrap().environment, "UAT");
    assert_eq!(
        catalog.account("Privé Production").unwrap().environment,
        "Production"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_full_session_no_secret_is_in_any_file_the_audit_or_stderr() {
    tokenvault_tests::require_test_session();
    use std::sync::Arc;
    use tokenvault_core::Vault;
    use tokenvault_core::clock::SystemClock;
    use tokenvault_demo_api::{Dialect, Fault, FaultRule};

    let server = tokenvault_tests::demo_api(3).await;
    let home = Home::at(scratch("hygiene")).unwrap();
    // The store the app opens: passwords in the keyring, tokens in encrypted files.
    let store = tokenvault_core::vault::secrets::open_store(&home, app_name(), None).unwrap();
    let accounts = Vault::with_store(home.clone(), store.clone(), Arc::new(SystemClock));
    let mut secrets: Vec<String> = Vec::new();
    for dialect in Dialect::PRESETS {
        let id = format!("hygiene-{}", dialect.as_str());
        let user = tokenvault_tests::user(dialect);
        secrets.push(user.password.to_owned());
        let mut record = record_for(&id, &id, "UAT", dialect, server.base_url(dialect));
        (record.client_id, record.second_factor) = tokenvault_tests::login_fields_of(&user);
        secrets.extend(user.totp_secret().map(str::to_owned));
        accounts
            .add(record, tokenvault_tests::secrets_of(&user))
            .await
            .unwrap();
        // Log in, let the 3 s token run short, renew, then fail a renewal.
        let (first, _) = accounts
            .access_token(&id, time::Duration::seconds(1))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        let (second, _) = accounts
            .access_token(&id, time::Duration::seconds(2))
            .await
            .unwrap();
        secrets.push(first.value.expose().to_owned());
        secrets.push(second.value.expose().to_owned());
        if let Some(refresh) = store
            .get(&SecretKey::new(&id, SecretKind::RefreshToken))
            .unwrap()
        {
            secrets.push(refresh.expose().to_owned());
        }
        server.inject(FaultRule {
            fault: Fault::Http500,
            dialect: Some(dialect),
            endpoint: None,
            times: Some(2),
        });
        let failed = accounts.renew_now(&id).await;
        assert!(
            failed.is_err(),
            "{dialect:?}: a forced renewal fails while the server fails"
        );
        // The wrong-password path, too (for an OAuth client, a wrong client secret).
        let mut wrong = record_for(
            &format!("{id}-wrong"),
            &format!("{id}-wrong"),
            "UAT",
            dialect,
            server.base_url(dialect),
        );
        (wrong.client_id, wrong.second_factor) = tokenvault_tests::login_fields_of(&user);
        let bad = Secret::new(format!("wrong-password-{}", dialect.as_str()));
        secrets.push(bad.expose().to_owned());
        let bad = if user.is_client() {
            LoginSecrets::client_secret(bad)
        } else {
            LoginSecrets {
                totp_secret: user.totp_secret().map(Secret::new),
                ..LoginSecrets::password(bad)
            }
        };
        accounts.add(wrong, bad).await.unwrap();
        assert!(
            accounts
                .access_token(&format!("{id}-wrong"), time::Duration::seconds(1))
                .await
                .is_err()
        );
    }
    // Another process, with every log line switched on, asks for a token too.
    let child = probe()
        .args(["token"])
        .arg(home.path())
        .args(["hygiene-prive", "1000"])
        .env("TOKENVAULT_LOG", "trace")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr).into_owned();
    assert!(
        stderr.contains("TRACE") || stderr.contains("DEBUG"),
        "the logs were on: {stderr}"
    );

    let mut files = Vec::new();
    let mut folders = vec![home.path().to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path)
            } else {
                files.push(path)
            }
        }
    }
    assert!(
        files.iter().any(|f| f.ends_with("audit.jsonl")),
        "the session was audited"
    );
    for secret in &secrets {
        assert!(!stderr.contains(secret.as_str()), "a secret reached stderr");
        for file in &files {
            let content = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            assert!(
                !content.contains(secret.as_str()),
                "a secret is in {}",
                file.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vault_keeper_follows_catalog_changes_and_renews_before_expiry() {
    tokenvault_tests::require_test_session();
    use std::sync::Arc;
    use tokenvault_core::Vault;
    use tokenvault_core::clock::SystemClock;
    use tokenvault_core::vault::keeper::Keeper;
    use tokenvault_core::vault::status::TokenState;
    use tokenvault_demo_api::{Dialect, Endpoint};

    let server = tokenvault_tests::demo_api(5).await;
    let home = Home::at(scratch("vault-keeper")).unwrap();
    let open = || {
        Arc::new(Vault::with_store(
            home.clone(),
            Arc::new(KeyringStore::open(&keyring_service(&home, app_name())).unwrap()),
            Arc::new(SystemClock),
        ))
    };
    let app = open();
    let keeper = Arc::new(Keeper::new(app));
    let mut changes = keeper.subscribe();
    let running = tokio::spawn(Arc::clone(&keeper).run());

    // Another process (the command line) adds an account: the keeper shows it and logs in.
    let cli = open();
    let trader = tokenvault_tests::user(Dialect::Traderevolution);
    let record = record_for(
        "kept-te",
        "Kept TE",
        "UAT",
        Dialect::Traderevolution,
        server.base_url(Dialect::Traderevolution),
    );
    cli.add(record, LoginSecrets::password(Secret::new(trader.password)))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let first = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the new account became fresh in time"
        );
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), changes.changed()).await;
        let now = changes.borrow_and_update().clone();
        if let Some(s) = now
            .iter()
            .find(|s| s.account.id == "kept-te" && s.state == TokenState::Fresh)
        {
            break s.clone();
        }
    };
    // A 5 s token is renewed about a second before it expires, by refresh.
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    let later = keeper
        .statuses()
        .into_iter()
        .find(|s| s.account.id == "kept-te")
        .unwrap();
    assert!(
        later.access_expires_at > first.access_expires_at,
        "a new token was obtained"
    );
    assert_eq!(later.state, TokenState::Fresh);
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Login), 1);
    assert!(server.count(Dialect::Traderevolution, Endpoint::Refresh) >= 1);
    running.abort();
}

#[test]
fn two_data_folders_on_one_keyring_keep_their_own_secrets() {
    tokenvault_tests::require_test_session();
    use tokenvault_core::vault::secrets::open_store;

    let first = Home::at(scratch("namespaced-a")).unwrap();
    let second = Home::at(scratch("namespaced-b")).unwrap();
    let key = SecretKey::new("same-id", SecretKind::AccessToken);
    let a = open_store(&first, app_name(), None).unwrap();
    let b = open_store(&second, app_name(), None).unwrap();
    a.set(&key, &Secret::new("token-of-a")).unwrap();
    b.set(&key, &Secret::new("token-of-b")).unwrap();
    assert_eq!(a.get(&key).unwrap().unwrap().expose(), "token-of-a");
    assert_eq!(b.get(&key).unwrap().unwrap().expose(), "token-of-b");
    assert_ne!(
        keyring_service(&first, app_name()),
        keyring_service(&second, app_name())
    );
}

#[test]
fn keyring_items_keep_the_attributes_other_tools_find_them_by() {
    tokenvault_tests::require_test_session();
    let store = KeyringStore::open("tokenvault-attributes-test").unwrap();
    let key = SecretKey::new("te-uat", SecretKind::RefreshToken);
    store.set(&key, &Secret::new("refresh-value")).unwrap();
    let found = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "tokenvault-attributes-test",
            "username",
            "te-uat/refresh",
        ])
        .output()
        .expect("secret-tool runs");
    assert_eq!(String::from_utf8_lossy(&found.stdout), "refresh-value");
    store.delete(&key).unwrap();
    store.delete(&key).unwrap();
    assert_eq!(store.get(&key).unwrap(), None);
}

/// A store that counts the access-token reads it answers.
#[derive(Debug, Default)]
struct CountingStore {
    inner: tokenvault_core::vault::secrets::MemoryStore,
    token_reads: std::sync::atomic::AtomicUsize,
}

impl SecretStore for CountingStore {
    fn tier(&self) -> StoreTier {
        self.inner.tier()
    }
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, tokenvault_core::Error> {
        if key.kind == SecretKind::AccessToken {
            self.token_reads
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.get(key)
    }
    fn set(&self, key: &SecretKey, value: &Secret) -> Result<(), tokenvault_core::Error> {
        self.inner.set(key, value)
    }
    fn delete(&self, key: &SecretKey) -> Result<(), tokenvault_core::Error> {
        self.inner.delete(key)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn while_caching_is_paused_no_token_stays_in_memory_and_a_removed_account_leaves_none() {
    tokenvault_tests::require_test_session();
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use tokenvault_core::Vault;
    use tokenvault_core::clock::SystemClock;
    use tokenvault_demo_api::Dialect;

    let server = tokenvault_tests::demo_api(120).await;
    let store = Arc::new(CountingStore::default());
    let accounts = Vault::with_store(
        Home::at(scratch("paused-cache")).unwrap(),
        store.clone(),
        Arc::new(SystemClock),
    );
    let url = server.base_url(Dialect::Prive);
    let password =
        LoginSecrets::password(Secret::new(tokenvault_tests::user(Dialect::Prive).password));
    accounts
        .add(
            record_for("cache-1", "Cached", "UAT", Dialect::Prive, url),
            password,
        )
        .await
        .unwrap();
    let lead = time::Duration::seconds(30);
    let reads = || store.token_reads.load(Ordering::SeqCst);

    let (first, _) = accounts.access_token("Cached", lead).await.unwrap();
    let before = reads();
    accounts.access_token("Cached", lead).await.unwrap();
    assert_eq!(reads(), before, "a cached token costs no store read");

    accounts.pause_caching();
    accounts.access_token("Cached", lead).await.unwrap();
    accounts.access_token("Cached", lead).await.unwrap();
    assert_eq!(reads(), before + 2, "paused: every read goes to the store");

    accounts.resume_caching();
    let (again, _) = accounts.access_token("Cached", lead).await.unwrap();
    accounts.access_token("Cached", lead).await.unwrap();
    assert_eq!(reads(), before + 3, "resumed: cached again after one read");
    assert_eq!(
        again.value.expose(),
        first.value.expose(),
        "the same token throughout"
    );

    accounts.remove("Cached").await.unwrap();
    assert!(
        accounts.access_token("Cached", lead).await.is_err(),
        "a removed account serves no token, cached or not"
    );
}
