//! Teams against a real OpenBao: a dev server for each test, and a three-node Raft cluster for
//! the one that kills the active node in the middle of a sync.

use std::time::Duration;

use serde_json::{Value, json};
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::team::{TeamLogin, TeamRecord};
use tokenvault_core::vault::catalog::{AccountRecord, SecondFactor, TokenTimes};
use tokenvault_core::vault::secrets::{SecretKey, SecretKind};
use tokenvault_core::vault::{TeamCredentials, Vault};
use tokenvault_core::{ErrorCode, Secret};
use tokenvault_demo_api::Dialect;
use tokenvault_tests::openbao::{Admin, Cluster, DevServer};
use tokenvault_tests::{account, demo_api, memory_vault, user};

const PREFIX: &str = "tokenvault/support";

fn team_at(addresses: Vec<String>) -> TeamRecord {
    TeamRecord {
        name: "support".to_owned(),
        addresses,
        mount: "secret".to_owned(),
        prefix: PREFIX.to_owned(),
        ca_cert_pem: None,
        login: TeamLogin::Token,
        token_expires_at: None,
        member: String::new(),
        last_sync: None,
    }
}

/// A dev server whose userpass members (`NAME-pass` their password) may write, or only read,
/// the team's prefix.
async fn engine_with(members: &[(&str, bool)]) -> (DevServer, Admin) {
    let bao = DevServer::start().await;
    let admin = bao.admin();
    for (name, writes) in members {
        admin
            .member(name, &format!("{name}-pass"), PREFIX, *writes)
            .await;
    }
    (bao, admin)
}

/// Connects `vault` to the team as the member `user` (password `USER-pass`).
async fn connect(vault: &Vault, addresses: Vec<String>, user: &str) {
    vault
        .connect_team(
            team_at(addresses),
            TeamCredentials::Userpass {
                user: user.to_owned(),
                password: Secret::new(format!("{user}-pass")),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{user} connects: {e}"));
}

/// The entry's data as the engine holds it now, and its version.
async fn entry(admin: &Admin, key: &str) -> (Value, u64) {
    let body = admin
        .ok("GET", &format!("secret/data/{PREFIX}/{key}"), None)
        .await;
    (
        body["data"]["data"].clone(),
        body["data"]["metadata"]["version"]
            .as_u64()
            .expect("a version"),
    )
}

async fn set_password(admin: &Admin, key: &str, password: &str) {
    let (mut data, version) = entry(admin, key).await;
    data["secrets"]["password"] = json!(password);
    admin
        .ok(
            "POST",
            &format!("secret/data/{PREFIX}/{key}"),
            Some(json!({"options": {"cas": version}, "data": data})),
        )
        .await;
}

#[tokio::test]
async fn an_account_shared_in_one_vault_serves_tokens_in_another_with_the_teams_password() {
    let (bao, admin) = engine_with(&[("alice", true), ("bob", false)]).await;
    let server = demo_api(300).await;
    let alice = account(&server, Dialect::Finvera).await;
    connect(&alice.vault, vec![bao.address().to_owned()], "alice").await;
    let version = alice
        .vault
        .share(&alice.name, "support")
        .await
        .expect("alice shares");
    assert_eq!(version, 1);

    let bob = memory_vault("teams-bob");
    connect(&bob, vec![bao.address().to_owned()], "bob").await;
    let report = bob.sync_team("support").await.expect("bob syncs");
    assert_eq!(report.added, vec![alice.name.clone()]);
    let shared = bob.catalog().unwrap().account(&alice.name).unwrap().clone();
    assert_eq!(
        shared.team.as_ref().map(|l| l.team.as_str()),
        Some("support")
    );
    bob.access_token(&alice.name, time::Duration::seconds(30))
        .await
        .expect("bob's vault logs in with the shared password");

    // The password changes in the engine: bob's next login uses the new one.
    let key = shared.team.unwrap().key;
    set_password(&admin, &key, "not-the-password").await;
    let refused = bob
        .login(&alice.name)
        .await
        .expect_err("the engine's new (wrong) password is used");
    assert_eq!(refused.code(), ErrorCode::CredentialsRejected);
    set_password(&admin, &key, user(Dialect::Finvera).password).await;
    bob.login(&alice.name)
        .await
        .expect("the engine's corrected password is used at the next login");

    // Removed in the engine: removed from bob's vault at the next sync, and said so.
    admin
        .ok("DELETE", &format!("secret/metadata/{PREFIX}/{key}"), None)
        .await;
    let report = bob.sync_team("support").await.expect("bob syncs again");
    assert_eq!(report.removed, vec![alice.name.clone()]);
    assert!(bob.catalog().unwrap().account(&alice.name).is_err());
}

/// The team's password of `account` as `vault` keeps it in its secret store, if it does.
fn kept_password(vault: &Vault, account: &str) -> Option<Secret> {
    let catalog = vault.catalog().expect("the catalog reads");
    let id = catalog.account(account).expect("the account").id.clone();
    vault
        .store()
        .get(&SecretKey::new(id, SecretKind::Password))
        .expect("the store answers")
}

#[tokio::test]
async fn a_sync_keeps_no_secret_and_only_a_member_who_logged_in_can_log_in_offline() {
    let (bao, _) = engine_with(&[("alice", true), ("bob", false), ("carol", false)]).await;
    let server = demo_api(300).await;
    let alice = account(&server, Dialect::Finvera).await;
    connect(&alice.vault, vec![bao.address().to_owned()], "alice").await;
    alice.vault.share(&alice.name, "support").await.unwrap();
    let (bob, carol) = (memory_vault("teams-bob"), memory_vault("teams-carol"));
    for (vault, name) in [(&bob, "bob"), (&carol, "carol")] {
        connect(vault, vec![bao.address().to_owned()], name).await;
        vault.sync_team("support").await.expect("the member syncs");
        assert!(
            kept_password(vault, &alice.name).is_none(),
            "{name}'s sync keeps no secret"
        );
    }
    bob.login(&alice.name).await.expect("bob logs in");
    assert!(
        kept_password(&bob, &alice.name).is_some(),
        "a login keeps the team's password, for logging in offline"
    );

    drop(bao);
    bob.login(&alice.name)
        .await
        .expect("with the engine gone, bob logs in with the password kept at his last login");
    let offline = carol
        .login(&alice.name)
        .await
        .expect_err("carol never read the team's password");
    assert_eq!(
        offline.code(),
        ErrorCode::Unreachable,
        "the engine being out of reach is the reason: {offline}"
    );
}

#[tokio::test]
async fn a_revoked_team_token_stops_sync_clearly_and_the_token_held_keeps_serving() {
    let (bao, admin) = engine_with(&[("alice", true), ("bob", false)]).await;
    let server = demo_api(300).await;
    let alice = account(&server, Dialect::Finvera).await;
    connect(&alice.vault, vec![bao.address().to_owned()], "alice").await;
    alice.vault.share(&alice.name, "support").await.unwrap();
    let bob = memory_vault("teams-bob");
    connect(&bob, vec![bao.address().to_owned()], "bob").await;
    bob.sync_team("support").await.expect("bob syncs");
    let (held, _) = bob
        .access_token(&alice.name, time::Duration::seconds(30))
        .await
        .expect("bob logs in");

    admin
        .ok(
            "PUT",
            "sys/leases/revoke-prefix/auth/userpass/login/bob",
            None,
        )
        .await;
    let stopped = bob
        .sync_team("support")
        .await
        .expect_err("the engine refuses bob");
    assert_eq!(stopped.code(), ErrorCode::TeamTokenRejected, "{stopped}");
    let status = bob.catalog().unwrap().team("support").unwrap().clone();
    let last = status
        .last_sync
        .expect("the failed sync is noted on the team");
    assert_eq!(last.outcome, "team_token_rejected");
    assert!(
        last.message.contains("connect the team again"),
        "{}",
        last.message
    );

    let (served, _) = bob
        .access_token(&alice.name, time::Duration::seconds(30))
        .await
        .expect("the token bob holds is still served");
    assert_eq!(served.value.expose(), held.value.expose());
    assert!(
        bob.catalog().unwrap().account(&alice.name).is_ok(),
        "the account stays"
    );
    let relogin = bob
        .login(&alice.name)
        .await
        .expect_err("a new login needs the team, which refuses bob");
    assert_eq!(relogin.code(), ErrorCode::TeamTokenRejected);
}

#[tokio::test]
async fn two_members_logging_in_to_a_two_factor_account_in_one_step_both_get_in() {
    let (bao, _) = engine_with(&[("alice", true), ("bob", false)]).await;
    // Codes change every two seconds, so the second member's retry waits two at most.
    let server = tokenvault_demo_api::DemoServer::start(
        tokenvault_demo_api::Config {
            access_ttl: Duration::from_secs(300),
            totp_period_secs: 2,
            ..tokenvault_demo_api::Config::default()
        },
        0,
    )
    .await
    .expect("the demo API starts");
    let who = user(Dialect::Directus);
    let alice = memory_vault("teams-totp-alice");
    let record = AccountRecord {
        id: "directus".to_owned(),
        name: who.account_name.to_owned(),
        environment: "UAT".to_owned(),
        profile: "directus".to_owned(),
        base_url: server.base_url(Dialect::Directus),
        identity: who.identity.to_owned(),
        client_id: None,
        second_factor: Some(SecondFactor::Totp),
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
        tokens: TokenTimes::default(),
        team: None,
    };
    let totp = format!(
        "otpauth://totp/demo?secret={}&period=2",
        who.totp_secret()
            .expect("the Directus user has two-factor login on")
    );
    alice
        .add(
            record,
            LoginSecrets {
                totp_secret: Some(Secret::new(totp)),
                ..LoginSecrets::password(Secret::new(who.password))
            },
        )
        .await
        .unwrap();
    connect(&alice, vec![bao.address().to_owned()], "alice").await;
    alice.share(who.account_name, "support").await.unwrap();
    let bob = memory_vault("teams-totp-bob");
    connect(&bob, vec![bao.address().to_owned()], "bob").await;
    bob.sync_team("support").await.unwrap();
    alice
        .login(who.account_name)
        .await
        .expect("alice logs in with this step's code");
    bob.login(who.account_name)
        .await
        .expect("bob's login, refused the code alice just spent, tries the next step's");
}

#[tokio::test]
async fn a_member_who_may_only_read_is_told_so_when_sharing_and_still_syncs() {
    let (bao, _) = engine_with(&[("bob", false)]).await;
    let server = demo_api(300).await;
    let bob = account(&server, Dialect::Prive).await;
    connect(&bob.vault, vec![bao.address().to_owned()], "bob").await;
    let refused = bob.vault.share(&bob.name, "support").await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::TeamForbidden);
    assert!(
        refused.to_string().contains("no permission to write"),
        "{refused}"
    );
    let report = bob
        .vault
        .sync_team("support")
        .await
        .expect("a reader syncs");
    assert!(report.added.is_empty() && report.skipped.is_empty());
}

#[tokio::test]
async fn two_members_sharing_one_name_at_once_never_overwrite_each_other() {
    let (bao, admin) = engine_with(&[("alice", true), ("carol", true)]).await;
    let server = demo_api(300).await;
    let alice = account(&server, Dialect::Finvera).await;
    let carol = account(&server, Dialect::Finvera).await;
    connect(&alice.vault, vec![bao.address().to_owned()], "alice").await;
    connect(&carol.vault, vec![bao.address().to_owned()], "carol").await;
    alice
        .vault
        .share(&alice.name, "support")
        .await
        .expect("the first share is written");
    let conflict = carol.vault.share(&carol.name, "support").await.unwrap_err();
    assert_eq!(conflict.code(), ErrorCode::TeamConflict);
    assert!(
        conflict.to_string().contains("alice"),
        "it names who: {conflict}"
    );
    let (data, version) = entry(&admin, &tokenvault_core::team::shared::key_of(&alice.name)).await;
    assert_eq!(version, 1, "nothing was overwritten");
    assert_eq!(data["shared_by"], json!("userpass-alice"));
}

#[tokio::test]
async fn entries_written_by_hand_are_reported_and_skipped_and_the_rest_syncs() {
    let (bao, admin) = engine_with(&[("alice", true)]).await;
    let server = demo_api(300).await;
    let alice = account(&server, Dialect::Finvera).await;
    connect(&alice.vault, vec![bao.address().to_owned()], "alice").await;
    alice.vault.share(&alice.name, "support").await.unwrap();
    for (key, data) in [
        ("by-hand", json!({"password": "hunter22"})),
        ("newer", json!({"format": "tokenvault-shared-account/2"})),
        (
            "broken",
            json!({"format": "tokenvault-shared-account/1", "account": {"name": 3}}),
        ),
    ] {
        admin
            .ok(
                "POST",
                &format!("secret/data/{PREFIX}/{key}"),
                Some(json!({"data": data})),
            )
            .await;
    }
    let bob = memory_vault("teams-skip");
    connect(&bob, vec![bao.address().to_owned()], "alice").await;
    let report = bob
        .sync_team("support")
        .await
        .expect("a sync meets bad entries and goes on");
    assert_eq!(report.added, vec![alice.name.clone()]);
    let skipped: Vec<&str> = report.skipped.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(skipped, ["broken", "by-hand", "newer"]);
    assert!(
        report
            .skipped
            .iter()
            .all(|(_, why)| !why.contains("hunter22"))
    );
}

#[tokio::test]
async fn what_is_not_a_kv2_engine_is_refused_at_connect_with_the_reason() {
    let bao = DevServer::start().await;
    let admin = bao.admin();
    admin
        .ok(
            "POST",
            "sys/mounts/kv1",
            Some(json!({"type": "kv", "options": {"version": "1"}})),
        )
        .await;
    let vault = memory_vault("teams-kv1");
    let mut team = team_at(vec![bao.address().to_owned()]);
    team.mount = "kv1".to_owned();
    let refused = vault
        .connect_team(team, TeamCredentials::Token(Secret::new("root")))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("KV version 1"), "{refused}");
    assert!(vault.catalog().unwrap().teams.is_empty(), "nothing is kept");

    let server = demo_api(300).await;
    let not_bao = vault
        .connect_team(
            team_at(vec![format!("http://{}", server.addr())]),
            TeamCredentials::Token(Secret::new("root")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            not_bao.code(),
            ErrorCode::UnexpectedResponse | ErrorCode::NotFound
        ),
        "{not_bao}"
    );

    let wrong = vault
        .connect_team(
            team_at(vec![bao.address().to_owned()]),
            TeamCredentials::Token(Secret::new("not-a-token")),
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::TeamTokenRejected, "{wrong}");
}

/// Shared accounts written straight into the engine, as members would have shared them.
/// Writes a shared Finvera account named `name` at `prefix/key`, as a member's share would.
async fn share_as(admin: &Admin, prefix: &str, key: &str, name: &str, base_url: &str) {
    let data = json!({
        "format": "tokenvault-shared-account/1",
        "account": {"name": name, "environment": "UAT",
                    "profile": "finvera", "base_url": base_url,
                    "identity": user(Dialect::Finvera).identity},
        "secrets": {"password": user(Dialect::Finvera).password},
        "shared_by": "userpass-alice",
    });
    admin
        .ok(
            "POST",
            &format!("secret/data/{prefix}/{key}"),
            Some(json!({"data": data})),
        )
        .await;
}

async fn share_many(admin: &Admin, count: usize, base_url: &str) {
    for i in 0..count {
        let (key, name) = (format!("shared-{i:04}"), format!("Shared {i:04}"));
        share_as(admin, PREFIX, &key, &name, base_url).await;
    }
}

#[tokio::test]
async fn an_engine_behind_a_certificate_nobody_trusts_is_refused_at_once_until_its_ca_is_given() {
    let bao = DevServer::start_tls().await;
    let vault = memory_vault("teams-tls");
    let started = std::time::Instant::now();
    let refused = vault
        .connect_team(
            team_at(vec![bao.address().to_owned()]),
            TeamCredentials::Token(Secret::new("root")),
        )
        .await
        .expect_err("the engine's certificate is not trusted");
    assert_eq!(refused.code(), ErrorCode::Tls, "{refused}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a certificate does not mend by waiting: said at once, not after the engine's patience"
    );
    assert!(vault.catalog().unwrap().teams.is_empty(), "nothing is kept");

    let mut team = team_at(vec![bao.address().to_owned()]);
    team.ca_cert_pem = bao.ca_pem().map(str::to_owned);
    vault
        .connect_team(team, TeamCredentials::Token(Secret::new("root")))
        .await
        .expect("given the team's CA, it connects");
    vault
        .sync_team("support")
        .await
        .expect("and syncs over TLS");
}

#[tokio::test]
async fn a_sealed_node_is_passed_over_for_one_that_answers() {
    let (sealed, live) = (DevServer::start().await, DevServer::start().await);
    let server = demo_api(300).await;
    share_as(
        &live.admin(),
        PREFIX,
        "finvera-uat",
        "Finvera UAT",
        &server.base_url(Dialect::Finvera),
    )
    .await;
    sealed.admin().ok("PUT", "sys/seal", None).await;
    let vault = memory_vault("teams-sealed");
    vault
        .connect_team(
            team_at(vec![sealed.address().to_owned(), live.address().to_owned()]),
            TeamCredentials::Token(Secret::new("root")),
        )
        .await
        .expect("the live node answers the connect");
    let report = vault.sync_team("support").await.expect("and the sync");
    assert_eq!(report.added, vec!["Finvera UAT".to_owned()]);
    vault
        .access_token("Finvera UAT", time::Duration::seconds(30))
        .await
        .expect("and the login's read of the team's password");
}

#[tokio::test]
async fn a_name_taken_here_or_in_another_team_comes_in_named_after_its_team() {
    let bao = DevServer::start().await;
    let admin = bao.admin();
    let server = demo_api(300).await;
    let mine = account(&server, Dialect::Finvera).await;
    let base_url = server.base_url(Dialect::Finvera);
    for prefix in ["tokenvault/support", "tokenvault/billing"] {
        share_as(&admin, prefix, "same", &mine.name, &base_url).await;
    }
    for (name, prefix) in [
        ("support", "tokenvault/support"),
        ("billing", "tokenvault/billing"),
    ] {
        let team = TeamRecord {
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            ..team_at(vec![bao.address().to_owned()])
        };
        mine.vault
            .connect_team(team, TeamCredentials::Token(Secret::new("root")))
            .await
            .expect("connects");
        let report = mine.vault.sync_team(name).await.expect("syncs");
        assert_eq!(report.added, vec![format!("{} ({name})", mine.name)]);
    }
    let catalog = mine.vault.catalog().unwrap();
    let names: Vec<&str> = catalog.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        catalog.account(&mine.name).unwrap().team.is_none(),
        "mine stays mine"
    );
}

#[tokio::test]
async fn a_sync_of_500_accounts_survives_the_active_node_being_killed() {
    let mut cluster = Cluster::start().await;
    let admin = cluster.admin(0);
    admin.member("bob", "bob-pass", PREFIX, false).await;
    let server = demo_api(300).await;
    share_many(&admin, 500, &server.base_url(Dialect::Finvera)).await;

    let bob = std::sync::Arc::new(memory_vault("teams-cluster"));
    connect(&bob, cluster.addresses.clone(), "bob").await;
    // A first account, logged in before the sync, keeps serving tokens throughout.
    let first = bob.clone();
    let sync = tokio::spawn(async move { first.sync_team("support").await });
    loop {
        let held = bob.catalog().unwrap().accounts.len();
        if held >= 50 {
            break;
        }
        assert!(
            !sync.is_finished(),
            "the sync ended before the node could be killed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let active = cluster.active().await;
    cluster.kill(active);
    bob.access_token("Shared 0000", time::Duration::seconds(30))
        .await
        .expect("an account synced already serves a token while the cluster elects a leader");
    let report = sync
        .await
        .unwrap()
        .expect("the sync completes while a new leader is elected");
    let leader = cluster.wait_for_leader(Duration::from_secs(60)).await;
    assert_ne!(leader, active, "another node leads");
    // The cluster takes writes again, through the new leader.
    cluster
        .admin(leader)
        .ok(
            "POST",
            &format!("secret/data/{PREFIX}/after"),
            Some(json!({"data": {"x": 1}})),
        )
        .await;

    let catalog = bob.catalog().unwrap();
    let mut keys: Vec<String> = catalog
        .accounts
        .iter()
        .filter_map(|a| a.team.as_ref().map(|l| l.key.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 500, "no account lost or duplicated");
    assert_eq!(catalog.accounts.len(), 500);
    assert_eq!(report.added.len(), 500);
    bob.access_token("Shared 0499", time::Duration::seconds(30))
        .await
        .expect("the last account synced serves a token");
}
