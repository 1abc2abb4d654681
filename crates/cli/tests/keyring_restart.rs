//! The keyring daemon stops and comes back, as gnome-keyring does when it aborts and
//! systemd (or D-Bus activation, in the test session) starts it again: the vault asks
//! again on a new connection and loses nothing, in a short command and in the agent that
//! keeps its connection.
//!
//! A test binary of its own, with its tests in sequence, because it stops the daemon
//! that every test of the session shares.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{RunningAgent, add, demo, home, is_running, stderr, stdout, tokenvault};
use tokenvault_demo_api::{Dialect, Endpoint};

/// Held by each test: one stops the daemon the other may be talking to.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread")]
async fn after_the_keyring_daemon_stops_every_secret_is_still_there() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = demo(300).await;
    let home = home("keyring-restart");
    assert!(
        add(&home, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    let first = tokenvault(&home, &["--no-agent", "token", "te"], None);
    assert!(first.status.success(), "{}", stderr(&first));
    let logins = server.count(Dialect::Traderevolution, Endpoint::Login);

    stop_the_keyring_daemon();
    let again = tokenvault(&home, &["--no-agent", "token", "te"], None);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stdout(&again), stdout(&first), "the stored token is served");

    stop_the_keyring_daemon();
    let refreshed = tokenvault(
        &home,
        &["--no-agent", "token", "te", "--force-refresh"],
        None,
    );
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert_ne!(stdout(&refreshed), stdout(&first), "a new token");

    stop_the_keyring_daemon();
    let relogged = tokenvault(&home, &["--no-agent", "login", "te"], None);
    assert!(
        relogged.status.success(),
        "the password is still there: {}",
        stderr(&relogged)
    );
    assert_eq!(
        server.count(Dialect::Traderevolution, Endpoint::Login),
        logins + 1,
        "only the login asked for"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_whose_keyring_daemon_stopped_asks_the_new_one() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = demo(300).await;
    let home = home("keyring-restart-agent");
    assert!(
        add(&home, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    let _agent = RunningAgent::start(&home);
    let first = tokenvault(&home, &["token", "te"], None);
    assert!(first.status.success(), "{}", stderr(&first));

    stop_the_keyring_daemon();
    let refreshed = tokenvault(&home, &["token", "te", "--force-refresh"], None);
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert_ne!(stdout(&refreshed), stdout(&first));
    // What the agent stored through its new connection, a new command reads.
    let direct = tokenvault(&home, &["--no-agent", "token", "te"], None);
    assert_eq!(stdout(&direct), stdout(&refreshed));
}

/// Aborts the test session's keyring daemon (SIGABRT, as its failed assertions do) and
/// returns once it is gone; the next call to the Secret Service starts a new one.
fn stop_the_keyring_daemon() {
    let session = std::env::var_os("TOKENVAULT_IN_TEST_SESSION").expect("a test session");
    let pids = std::fs::read_to_string(PathBuf::from(session).join("keyring.pids"))
        .expect("the test session lists its keyring daemons");
    let pid: u32 = pids
        .lines()
        .last()
        .and_then(|pid| pid.trim().parse().ok())
        .expect("a keyring daemon");
    let status = Command::new("kill")
        .args(["-ABRT", &pid.to_string()])
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "the daemon {pid} is stopped"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while is_running(pid) {
        assert!(Instant::now() < deadline, "the daemon {pid} did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
}
