//! `tokenvault team ...` on two vaults (two data folders, each with its own keyring items)
//! connected to one real OpenBao: what one member shares, the other uses.

mod support;

use serde_json::json;
use support::{add, demo, home, stderr, stdout, stdout_json, tokenvault, user};
use tokenvault_demo_api::Dialect;
use tokenvault_tests::openbao::DevServer;

const PREFIX: &str = "tokenvault/support";

fn connect(home: &std::path::Path, bao: &DevServer, who: &str) {
    let out = tokenvault(
        home,
        &[
            "team",
            "connect",
            "support",
            "--addr",
            bao.address(),
            "--userpass",
            who,
            "--password-stdin",
        ],
        Some(&format!("{who}-pass")),
    );
    assert!(out.status.success(), "{who} connects: {}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn what_one_member_shares_the_other_uses_with_the_teams_password_until_it_is_gone() {
    let bao = DevServer::start().await;
    let admin = bao.admin();
    admin.member("alice", "alice-pass", PREFIX, true).await;
    admin.member("bob", "bob-pass", PREFIX, false).await;
    let server = demo(300).await;
    let (alice, bob) = (home("team-alice"), home("team-bob"));
    let added = add(&alice, &server, "Finvera UAT", Dialect::Finvera);
    assert!(added.status.success(), "{}", stderr(&added));
    connect(&alice, &bao, "alice");
    connect(&bob, &bao, "bob");

    let shared = tokenvault(
        &alice,
        &["team", "share", "Finvera UAT", "--team", "support"],
        None,
    );
    assert!(shared.status.success(), "{}", stderr(&shared));
    let refused = tokenvault(
        &bob,
        &["team", "share", "Finvera UAT", "--team", "support"],
        None,
    );
    assert!(!refused.status.success());

    let synced = tokenvault(&bob, &["team", "sync", "--json"], None);
    assert!(synced.status.success(), "{}", stderr(&synced));
    assert_eq!(stdout_json(&synced)[0]["added"], json!(["Finvera UAT"]));
    let listed = stdout_json(&tokenvault(&bob, &["account", "list", "--json"], None));
    assert_eq!(listed[0]["team"], json!("support"));
    let token = tokenvault(&bob, &["--no-agent", "token", "Finvera UAT"], None);
    assert!(
        token.status.success(),
        "bob's vault logs in: {}",
        stderr(&token)
    );
    assert!(!stdout(&token).trim().is_empty());

    // A password changed in the engine is the one bob's next login sends.
    let key = "finvera-uat";
    let read = admin
        .ok("GET", &format!("secret/data/{PREFIX}/{key}"), None)
        .await;
    let mut data = read["data"]["data"].clone();
    let version = read["data"]["metadata"]["version"].clone();
    data["secrets"]["password"] = json!("a-changed-wrong-password");
    admin
        .ok(
            "POST",
            &format!("secret/data/{PREFIX}/{key}"),
            Some(json!({"options": {"cas": version}, "data": data})),
        )
        .await;
    let relogin = tokenvault(&bob, &["--no-agent", "login", "Finvera UAT"], None);
    assert!(
        !relogin.status.success(),
        "the engine's (wrong) password was sent"
    );
    assert!(
        stderr(&relogin).contains("rejected the login"),
        "{}",
        stderr(&relogin)
    );
    data["secrets"]["password"] = json!(user(Dialect::Finvera).password);
    admin
        .ok(
            "POST",
            &format!("secret/data/{PREFIX}/{key}"),
            Some(json!({"data": data})),
        )
        .await;
    let relogin = tokenvault(&bob, &["--no-agent", "login", "Finvera UAT"], None);
    assert!(relogin.status.success(), "{}", stderr(&relogin));

    // Deleted in the engine: gone from bob's vault at the next sync, which says so.
    admin
        .ok("DELETE", &format!("secret/metadata/{PREFIX}/{key}"), None)
        .await;
    let synced = tokenvault(&bob, &["team", "sync"], None);
    assert!(synced.status.success(), "{}", stderr(&synced));
    assert!(
        stderr(&synced).contains("removed Finvera UAT"),
        "{}",
        stderr(&synced)
    );
    let listed = stdout_json(&tokenvault(&bob, &["account", "list", "--json"], None));
    assert_eq!(listed, json!([]));

    let status = stdout_json(&tokenvault(&bob, &["team", "status", "--json"], None));
    assert_eq!(status[0]["team"], json!("support"));
    assert_eq!(status[0]["last_sync"]["outcome"], json!("ok"));
    let gone = tokenvault(&bob, &["team", "disconnect", "support"], None);
    assert!(gone.status.success(), "{}", stderr(&gone));
    let status = stdout_json(&tokenvault(&bob, &["team", "list", "--json"], None));
    assert_eq!(status, json!([]));
}
