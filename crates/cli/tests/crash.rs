//! kill -9 at random moments, many times over, against the demo API and the test
//! session's keyring:
//!
//! - the command line while it logs in, while it refreshes with a rotating refresh token,
//!   while it adds an account and while it imports;
//! - the headless agent while it refreshes for a client.
//!
//! After every kill the vault opens, no account is lost, and the next refresh works
//! without a new login wherever the server allows it (a server with a reuse grace for
//! rotated refresh tokens). With a strict server, a kill that lands after the server
//! rotated the token but before the vault stored the new one costs one new login, and
//! nothing else; the tests count how often that happens.
//!
//! Each test prints its tally (run with `--nocapture`); `TOKENVAULT_CRASH_TRIALS` sets
//! the trials per test (default 40) and `TOKENVAULT_CRASH_SEED` replays a run.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use support::{
    RunningAgent, add, demo_with, home, spawn_tokenvault, stderr, stdout_json, tokenvault, user,
};
use tokenvault_demo_api::{Config, DemoServer, Dialect, Endpoint};

/// The dialects whose server rotates the refresh token on every refresh: the token in a
/// `token` header, and in a form body.
const ROTATING: [(&str, Dialect); 2] = [
    ("te", Dialect::Traderevolution),
    ("kc", Dialect::Oauth2Password),
];

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_killed_at_any_moment_loses_no_rotated_refresh_token() {
    let server = server_with_reuse_grace(Duration::from_secs(600)).await;
    let home = vault_with_rotating_accounts(&server, "crash-refresh");
    let mut dice = Dice::new();
    let mut tally = Tally::new("refresh (server with a reuse grace)");
    let window = typical_duration(&home, &forced_refresh("te"), None);
    for trial in 0..trials() {
        let t = refresh_killed_then_left_alone(&server, &home, dice.up_to(window), trial);
        assert_eq!(
            server.count(t.dialect, Endpoint::Login),
            t.before.logins,
            "trial {trial}: the next refresh needed no new login"
        );
        tally.add(
            t.killed,
            t.seen,
            server.grace_reuses() > t.before.grace_reuses,
        );
        assert_every_account_is_there(&home, &["te", "kc"]);
    }
    tally.print_and_check();
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_strict_server_a_refresh_killed_after_rotation_costs_one_login_and_nothing_else() {
    let server = server_with_reuse_grace(Duration::ZERO).await;
    let home = vault_with_rotating_accounts(&server, "crash-strict");
    let mut dice = Dice::new();
    let mut tally = Tally::new("refresh (strict server: reuse revokes)");
    let window = typical_duration(&home, &forced_refresh("te"), None);
    for trial in 0..trials() {
        let t = refresh_killed_then_left_alone(&server, &home, dice.up_to(window), trial);
        let logins = server.count(t.dialect, Endpoint::Login) - t.before.logins;
        assert!(
            logins <= 1 && (logins == 0 || t.killed && t.seen),
            "trial {trial}: a new login only after a kill that the server saw ({logins} logins)"
        );
        tally.add(t.killed, t.seen, logins == 1);
        // The login after a refused reuse stored a refresh token that works.
        let after = Counts::of(&server, t.dialect);
        assert!(tokenvault(&home, &t.refresh, None).status.success());
        assert_eq!(server.count(t.dialect, Endpoint::Login), after.logins);
        assert_every_account_is_there(&home, &["te", "kc"]);
    }
    tally.print_and_check();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_killed_at_any_moment_leaves_an_account_that_serves_a_token() {
    let server = server_with_reuse_grace(Duration::ZERO).await;
    let home = vault_with_rotating_accounts(&server, "crash-login");
    let mut dice = Dice::new();
    let mut tally = Tally::new("login");
    let window = typical_duration(&home, &["--no-agent", "login", "te"], None);
    for trial in 0..trials() {
        let (name, dialect) = ROTATING[trial % ROTATING.len()];
        let before = Counts::of(&server, dialect);
        let killed = kill_at_random(
            dice.up_to(window),
            &home,
            &["--no-agent", "login", name],
            None,
        );
        // Whatever the scheduling, a request the killed process sent is answered first.
        assert!(server.settle(), "the demo API answers what reached it");
        let seen = server.count(dialect, Endpoint::Login) > before.logins;

        let next = tokenvault(
            &home,
            &["--no-agent", "token", name, "--force-refresh"],
            None,
        );
        assert!(next.status.success(), "trial {trial}: {}", stderr(&next));
        tally.add(killed, seen, false);
        assert_every_account_is_there(&home, &["te", "kc"]);
    }
    tally.print_and_check();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_add_killed_at_any_moment_leaves_it_whole_or_absent() {
    let server = server_with_reuse_grace(Duration::ZERO).await;
    let home = home("crash-add");
    let who = user(Dialect::Prive);
    let url = server.base_url(Dialect::Prive);
    let mut dice = Dice::new();
    let (mut whole, mut absent) = (0, 0);
    let mut tally = Tally::new("account add");
    let adding = |name: &str| {
        [
            "--no-agent",
            "account",
            "add",
            name,
            "--preset",
            "prive",
            "--base-url",
            &url,
            "--username",
            who.identity,
            "--password-stdin",
        ]
        .map(str::to_owned)
    };
    let window = median_of_three(|i| {
        let owned = adding(&format!("prive-first-{i}"));
        let _ = start(&home, &strs(&owned), Some(who.password)).wait_with_output();
    });
    for trial in 0..trials() {
        let name = format!("prive-{trial}");
        let owned = adding(&name);
        let args = strs(&owned);
        let logins = server.count(Dialect::Prive, Endpoint::Login);
        let killed = kill_at_random(dice.up_to(window), &home, &args, Some(who.password));
        // Whatever the scheduling, a request the killed process sent is answered first.
        assert!(server.settle(), "the demo API answers what reached it");
        let seen = server.count(Dialect::Prive, Endpoint::Login) > logins;
        tally.add(killed, seen, false);

        if listed_names(&home).contains(&name) {
            whole += 1;
            let token = tokenvault(&home, &["--no-agent", "token", &name], None);
            assert!(
                token.status.success(),
                "trial {trial}: a listed account serves a token: {}",
                stderr(&token)
            );
        } else {
            absent += 1;
            let again = tokenvault(&home, &args, Some(&format!("{}\n", who.password)));
            assert!(
                again.status.success(),
                "trial {trial}: an account that is absent can be added again: {}",
                stderr(&again)
            );
        }
    }
    eprintln!("account add: {whole} whole, {absent} absent and added again");
    tally.print_and_check();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_at_any_moment_adds_everything_or_nothing() {
    let server = server_with_reuse_grace(Duration::ZERO).await;
    let source = home("crash-import-source");
    assert!(
        add(&source, &server, "prive", Dialect::Prive)
            .status
            .success()
    );
    let file = export_of_many(&source, 50);
    let base = source.join("base.json");
    assert!(
        tokenvault(&source, &["export", base.to_str().expect("utf-8")], None)
            .status
            .success()
    );
    let mut dice = Dice::new();
    let (mut all, mut none) = (0, 0);
    let mut tally = Tally::new("import of 50 accounts");
    let window = {
        let scratch = home("crash-import-timed");
        let file = file.to_str().expect("utf-8");
        let taken = typical_duration(&scratch, &["--no-agent", "import", file], None);
        let _ = std::fs::remove_dir_all(&scratch);
        taken
    };
    for trial in 0..trials() {
        let home = home(&format!("crash-import-{trial}"));
        assert!(
            tokenvault(&home, &["import", base.to_str().expect("utf-8")], None)
                .status
                .success()
        );
        let importing = ["--no-agent", "import", file.to_str().expect("utf-8")];
        let killed = kill_at_random(dice.up_to(window), &home, &importing, None);
        tally.add(killed, false, false);

        let names = listed_names(&home);
        assert!(names.contains(&"prive".to_owned()), "trial {trial}");
        match names.len() {
            1 => none += 1,
            51 => all += 1,
            n => panic!("trial {trial}: {n} accounts after a killed import: half an import"),
        }
        let _ = std::fs::remove_dir_all(&home);
    }
    eprintln!("import: {all} complete, {none} not applied");
    tally.print_and_check();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_killed_while_it_refreshes_loses_no_rotated_refresh_token() {
    let server = server_with_reuse_grace(Duration::from_secs(600)).await;
    let home = vault_with_rotating_accounts(&server, "crash-agent");
    let mut dice = Dice::new();
    let mut tally = Tally::new("agent refreshing for a client");
    let window = {
        let _agent = RunningAgent::start(&home);
        typical_duration(&home, &["token", "te", "--force-refresh"], None)
    };
    for trial in 0..trials() {
        let (name, dialect) = ROTATING[trial % ROTATING.len()];
        let before = Counts::of(&server, dialect);
        let mut agent = RunningAgent::start(&home);
        let client = start(&home, &["token", name, "--force-refresh"], None);
        std::thread::sleep(dice.up_to(window));
        let killed = matches!(agent.0.try_wait(), Ok(None));
        agent.kill();
        let answer = client.wait_with_output().expect("the client ends");
        assert!(
            answer.status.success() || answer.status.code() == Some(5),
            "trial {trial}: the client gets a token or a clear error: {:?} {}",
            answer.status,
            stderr(&answer)
        );
        // Whatever the scheduling, a request the killed process sent is answered first.
        assert!(server.settle(), "the demo API answers what reached it");
        let seen = server.count(dialect, Endpoint::Refresh) > before.refreshes;

        let next = tokenvault(
            &home,
            &["--no-agent", "token", name, "--force-refresh"],
            None,
        );
        assert!(next.status.success(), "trial {trial}: {}", stderr(&next));
        assert_eq!(
            server.count(dialect, Endpoint::Login),
            before.logins,
            "trial {trial}: the next refresh needed no new login"
        );
        tally.add(
            killed && !answer.status.success(),
            seen,
            server.grace_reuses() > before.grace_reuses,
        );
        assert_every_account_is_there(&home, &["te", "kc"]);
    }
    tally.print_and_check();
}

// ----------------------------------------------------------------------------------

async fn server_with_reuse_grace(grace: Duration) -> DemoServer {
    demo_with(Config {
        access_ttl: Duration::from_secs(300),
        refresh_reuse_grace: grace,
        ..Config::default()
    })
    .await
}

fn vault_with_rotating_accounts(server: &DemoServer, name: &str) -> PathBuf {
    let home = home(name);
    for (account, dialect) in ROTATING {
        let added = add(&home, server, account, dialect);
        assert!(added.status.success(), "{}", stderr(&added));
    }
    home
}

/// `--no-agent token NAME --force-refresh`.
fn forced_refresh(name: &str) -> [&str; 4] {
    ["--no-agent", "token", name, "--force-refresh"]
}

/// One refresh trial, on the accounts in turn.
struct RefreshTrial {
    dialect: Dialect,
    refresh: [&'static str; 4],
    before: Counts,
    killed: bool,
    seen: bool,
}

/// A forced refresh killed after `delay`, then one left alone, which must work.
fn refresh_killed_then_left_alone(
    server: &DemoServer,
    home: &Path,
    delay: Duration,
    trial: usize,
) -> RefreshTrial {
    let (name, dialect) = ROTATING[trial % ROTATING.len()];
    let refresh = forced_refresh(name);
    let before = Counts::of(server, dialect);
    let killed = kill_at_random(delay, home, &refresh, None);
    // Whatever the scheduling, a request the killed process sent is answered first.
    assert!(server.settle(), "the demo API answers what reached it");
    let seen = server.count(dialect, Endpoint::Refresh) > before.refreshes;
    let next = tokenvault(home, &refresh, None);
    assert!(next.status.success(), "trial {trial}: {}", stderr(&next));
    RefreshTrial {
        dialect,
        refresh,
        before,
        killed,
        seen,
    }
}

/// Calls seen by the server before a trial.
struct Counts {
    logins: u64,
    refreshes: u64,
    grace_reuses: u64,
}

impl Counts {
    fn of(server: &DemoServer, dialect: Dialect) -> Self {
        Self {
            logins: server.count(dialect, Endpoint::Login),
            refreshes: server.count(dialect, Endpoint::Refresh),
            grace_reuses: server.grace_reuses(),
        }
    }
}

fn trials() -> usize {
    std::env::var("TOKENVAULT_CRASH_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// The binary on `home`, with `stdin` as one line.
fn start(home: &Path, args: &[&str], stdin: Option<&str>) -> Child {
    let line = stdin.map(|text| format!("{text}\n"));
    spawn_tokenvault(home, args, line.as_deref(), &[])
}

/// How long the command takes when left alone (the median of three runs; a command
/// that changes something gives the same result, or a refusal, after the first).
fn typical_duration(home: &Path, args: &[&str], stdin: Option<&str>) -> Duration {
    median_of_three(|_| {
        let _ = start(home, args, stdin).wait_with_output();
    })
}

/// The median time of `run(0)`, `run(1)` and `run(2)`.
fn median_of_three(mut run: impl FnMut(usize)) -> Duration {
    let mut taken: Vec<Duration> = (0..3)
        .map(|i| {
            let started = Instant::now();
            run(i);
            started.elapsed()
        })
        .collect();
    taken.sort();
    taken[1]
}

/// Runs the command and sends it SIGKILL after `delay`; whether the signal ended it.
fn kill_at_random(delay: Duration, home: &Path, args: &[&str], stdin: Option<&str>) -> bool {
    let mut child = start(home, args, stdin);
    std::thread::sleep(delay);
    let _ = child.kill();
    let status = child.wait().expect("the child is reaped");
    status.signal() == Some(9)
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn listed_names(home: &Path) -> Vec<String> {
    let list = tokenvault(home, &["--no-agent", "account", "list", "--json"], None);
    assert!(list.status.success(), "the vault opens: {}", stderr(&list));
    stdout_json(&list)
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect()
}

fn assert_every_account_is_there(home: &Path, names: &[&str]) {
    let listed = listed_names(home);
    for name in names {
        assert!(listed.iter().any(|l| l == name), "{name} is still there");
    }
}

/// An export of `n` accounts made from the one in `source`, under new names and ids.
fn export_of_many(source: &Path, n: usize) -> PathBuf {
    let one = source.join("one.json");
    assert!(
        tokenvault(source, &["export", one.to_str().expect("utf-8")], None)
            .status
            .success()
    );
    let mut export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&one).expect("written")).expect("JSON");
    let template = export["accounts"][0].clone();
    export["accounts"] = (0..n)
        .map(|i| {
            let mut account = template.clone();
            account["id"] = format!("imported-{i}").into();
            account["name"] = format!("imported-{i}").into();
            account
        })
        .collect();
    let many = source.join("many.json");
    std::fs::write(&many, export.to_string()).expect("written");
    many
}

/// Random delays from a seeded xorshift, so a failing run can be replayed.
struct Dice {
    state: u64,
}

impl Dice {
    fn new() -> Self {
        let seed = std::env::var("TOKENVAULT_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("seed {seed} (TOKENVAULT_CRASH_SEED={seed} replays it)");
        Self { state: seed | 1 }
    }

    /// A delay between zero and 1.2 times `window`, so some runs finish first.
    fn up_to(&mut self, window: Duration) -> Duration {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let micros = u64::try_from(window.as_micros()).unwrap_or(u64::MAX) * 6 / 5;
        Duration::from_micros(self.state % micros.max(1))
    }
}

/// Where the kills of one test landed.
struct Tally {
    what: &'static str,
    trials: usize,
    finished: usize,
    killed: usize,
    seen_by_the_server: usize,
    in_the_window: usize,
}

impl Tally {
    fn new(what: &'static str) -> Self {
        Self {
            what,
            trials: 0,
            finished: 0,
            killed: 0,
            seen_by_the_server: 0,
            in_the_window: 0,
        }
    }

    /// One trial: whether the kill ended the run, whether the server had seen its call,
    /// and whether the kill fell between the server's rotation and the vault's write.
    fn add(&mut self, killed: bool, seen: bool, in_the_window: bool) {
        self.trials += 1;
        if killed {
            self.killed += 1;
            self.seen_by_the_server += usize::from(seen);
        } else {
            self.finished += 1;
        }
        self.in_the_window += usize::from(in_the_window);
    }

    fn print_and_check(&self) {
        eprintln!(
            "{}: {} trials: {} killed mid-run ({} after the server had the call, {} between \
             the server's rotation and the vault's write), {} finished before the kill; nothing lost",
            self.what,
            self.trials,
            self.killed,
            self.seen_by_the_server,
            self.in_the_window,
            self.finished,
        );
        assert!(
            self.killed > 0,
            "{}: at least one kill must land mid-run",
            self.what
        );
    }
}
