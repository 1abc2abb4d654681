//! Helpers shared by the command-line tests: a data folder per test, running the built
//! binary, reading its output, and the demo API.
#![allow(dead_code)]

pub mod recordings;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokenvault_demo_api::{Config, DEMO_USERS, DemoServer, Dialect};

/// A data folder of its own per test, inside the test session's scratch folder.
pub fn home(name: &str) -> PathBuf {
    assert!(
        std::env::var_os("TOKENVAULT_IN_TEST_SESSION").is_some()
            && std::env::var_os("TOKENVAULT_HOME").is_some(),
        "the command-line tests use the OS keyring and run only in a throwaway one: \
         `scripts/with-test-session.sh cargo test --workspace`, or `./dev test rust`"
    );
    let base = std::env::var_os("TOKENVAULT_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The tokenvault binary under test: the one cargo built for this machine, or, when
/// `scripts/cross.sh wine-test` runs these tests, the Windows build under Wine
/// (`TOKENVAULT_TEST_WINE` names Wine, `TOKENVAULT_TEST_EXE` the `.exe`). Wine hands the
/// `.exe` this machine's paths as drive Z: (`/tmp/x` is `Z:\tmp\x`) and its environment.
pub fn tokenvault_command() -> Command {
    match std::env::var_os("TOKENVAULT_TEST_WINE") {
        Some(wine) => {
            let mut command = Command::new(wine);
            command.arg(std::env::var_os("TOKENVAULT_TEST_EXE").expect("TOKENVAULT_TEST_EXE"));
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_tokenvault")),
    }
}

/// Whether the binary under test is the Windows build, under Wine.
pub fn under_wine() -> bool {
    std::env::var_os("TOKENVAULT_TEST_WINE").is_some()
}

/// Files outside the data folder where the binary under test keeps what it keeps: under
/// Wine, the prefix's registry, which holds Credential Manager. The wineserver writes the
/// registry to its files only when it stops: this stops it, and every Windows program of the
/// prefix with it.
pub fn platform_files() -> Vec<PathBuf> {
    let Some(prefix) = std::env::var_os("TOKENVAULT_TEST_WINEPREFIX") else {
        return Vec::new();
    };
    let wineserver = std::env::var_os("TOKENVAULT_TEST_WINESERVER").expect("the wineserver");
    // Stopped, waited for, and started again to stay (as scripts/cross.sh starts it), with
    // the prefix's services: the next Windows program would start them otherwise, and they
    // would hold its output pipes open after it ends.
    for how in ["-k", "-w", "-p"] {
        let _ = Command::new(&wineserver).arg(how).status();
    }
    let wine = std::env::var_os("TOKENVAULT_TEST_WINE").expect("Wine");
    let _ = Command::new(wine)
        .arg("wineboot")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let registry: Vec<PathBuf> = std::fs::read_dir(&prefix)
        .expect("the Wine prefix")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "reg"))
        .collect();
    let user = std::fs::read_to_string(PathBuf::from(&prefix).join("user.reg")).unwrap_or_default();
    assert!(
        user.contains("Credential Manager\\\\Generic: token-file-key."),
        "the registry holds the vault's Credential Manager entries"
    );
    registry
}

pub fn tokenvault(home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    tokenvault_with_env(home, args, stdin, &[])
}

/// [`tokenvault`] with extra environment variables.
pub fn tokenvault_with_env(
    home: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    spawn_tokenvault(home, args, stdin, env)
        .wait_with_output()
        .expect("the binary finishes")
}

/// Starts the built binary on `home` with `args`, writes `stdin` (and a newline) to it,
/// and returns it running.
pub fn spawn_tokenvault(
    home: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Child {
    spawn_tokenvault_without(home, args, stdin, env, &[])
}

/// [`spawn_tokenvault`] with the variables named in `without` taken out of the environment
/// it inherits (before `env` is added).
pub fn spawn_tokenvault_without(
    home: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
    without: &[&str],
) -> Child {
    let mut command = tokenvault_command();
    for name in without {
        command.env_remove(name);
    }
    let mut child = command
        .arg("--home")
        .arg(home)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // A command killed early may not read it: a broken pipe is fine.
        let _ = pipe.write_all(text.as_bytes());
    }
    drop(child.stdin.take());
    child
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stdout read as JSON, with what the command said on stderr when it is not.
pub fn stdout_json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {}", stderr(output)))
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A demo API whose tokens live `access_ttl` seconds. Its one-time codes change every two
/// seconds, not thirty: a second login soon after the first waits for the next code, and
/// the suites need not wait half a minute for it.
pub async fn demo(access_ttl: u64) -> DemoServer {
    demo_with(Config {
        access_ttl: Duration::from_secs(access_ttl),
        totp_period_secs: 2,
        ..Config::default()
    })
    .await
}

pub async fn demo_with(config: Config) -> DemoServer {
    DemoServer::start(config, 0)
        .await
        .expect("the demo API starts")
}

pub fn user(dialect: Dialect) -> tokenvault_demo_api::DemoUser {
    DEMO_USERS
        .into_iter()
        .find(|u| u.dialect == dialect)
        .expect("a demo user")
}

/// Adds the dialect's demo user as `name`: a user with its password (and its TOTP secret
/// when it has two-factor login on), or an OAuth client with its client id and secret.
pub fn add(home: &Path, server: &DemoServer, name: &str, dialect: Dialect) -> Output {
    let who = user(dialect);
    let url = server.base_url(dialect);
    let mut args = vec![
        "account",
        "add",
        name,
        "--preset",
        dialect.as_str(),
        "--base-url",
        &url,
    ];
    let mut stdin = format!("{}\n", who.password);
    if who.is_client() {
        args.extend(["--client-id", who.identity, "--client-secret-stdin"]);
    } else {
        args.extend(["--username", who.identity, "--password-stdin"]);
    }
    if let Some(totp) = who.totp_secret() {
        // The server's period, as the authenticator set-up would give it.
        let period = server.state().config.totp_period_secs;
        args.extend(["--otp", "totp", "--totp-secret-stdin"]);
        stdin.push_str(&format!(
            "otpauth://totp/demo?secret={totp}&period={period}\n"
        ));
    }
    tokenvault(home, &args, Some(&stdin))
}

/// A running `tokenvault agent` (headless), stopped when dropped.
pub struct RunningAgent(pub Child);

impl RunningAgent {
    pub fn start(home: &Path) -> Self {
        Self::start_with(home, &[])
    }

    /// Starts it with extra options and returns once its socket answers.
    pub fn start_with(home: &Path, options: &[&str]) -> Self {
        let child = tokenvault_command()
            .arg("--home")
            .arg(home)
            .arg("agent")
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the agent starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !listening(home) {
            assert!(
                Instant::now() < deadline,
                "the agent did not listen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Self(child)
    }

    /// SIGKILL, then reaps it.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for RunningAgent {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The agent's socket in a data folder.
pub fn socket(home: &Path) -> PathBuf {
    home.join("agent.sock")
}

/// Whether an agent listens on the data folder: its socket accepts, or, for the Windows
/// build, the file naming its pipe is there (written once the pipe exists).
fn listening(home: &Path) -> bool {
    if under_wine() {
        home.join("agent.pipe").exists()
    } else {
        UnixStream::connect(socket(home)).is_ok()
    }
}

/// Whether process `pid` runs: not gone, and not a zombie waiting for whoever adopted it.
pub fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Says why a test does not run against the Windows build, and whether it should not.
pub fn not_under_wine(why: &str) -> bool {
    if under_wine() {
        eprintln!("not under Wine: {why}");
    }
    under_wine()
}

/// A demo API on a given port (one that a stopped server used, say).
pub async fn demo_on(access_ttl: u64, port: u16) -> DemoServer {
    DemoServer::start(
        Config {
            access_ttl: Duration::from_secs(access_ttl),
            ..Config::default()
        },
        port,
    )
    .await
    .expect("the demo API starts again on its port")
}
