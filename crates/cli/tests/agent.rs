//! The token agent, started for real (`tokenvault agent`, headless) on a throwaway data
//! folder and the test session's keyring, against the demo API:
//!
//! - every command it serves prints the same, and exits the same, as without it;
//! - a process of another user is refused, and a socket others could reach is not used;
//! - a process of the same user cannot read the agent's memory;
//! - a locked agent serves nothing, and one given `--lock-after` locks itself when idle;
//! - killing it mid-request leaves the command with a clear error and the vault intact;
//! - a client of another protocol version gets a clear refusal;
//! - it locks when the screen locks, and it can run in the background until stopped.
//!
//! Against the Windows build under Wine (`scripts/cross.sh wine-test`), the same tests run
//! over its named pipe, but for those of the Unix socket, signals and the screen lock.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{
    RunningAgent, add, demo, home, is_running, not_under_wine, socket, stderr, stdout, tokenvault,
};
use tokenvault_demo_api::{Dialect, Endpoint, Fault, FaultRule};

fn direct(home: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--no-agent"];
    all.extend_from_slice(args);
    tokenvault(home, &all, None)
}

/// Durations and counts in words change between two calls a moment apart.
fn without_digits(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect()
}

/// Sends one raw line to the agent and reads its reply.
fn raw_call(home: &Path, line: &str) -> serde_json::Value {
    let mut stream = UnixStream::connect(socket(home)).expect("the socket accepts");
    stream
        .write_all(format!("{line}\n").as_bytes())
        .expect("the request is sent");
    let mut reply = String::new();
    BufReader::new(stream)
        .read_line(&mut reply)
        .expect("a reply");
    serde_json::from_str(&reply).expect("the reply is JSON")
}

/// Output as it reads whenever it is printed: an inspection's times in words ("now", "5 s
/// ago") depend on when the command ran, so they are left out; anything else is kept whole.
fn timeless(output: &str) -> String {
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(output) else {
        return output.to_owned();
    };
    if let Some(times) = json.get_mut("times").and_then(|t| t.as_array_mut()) {
        for time in times {
            if let Some(time) = time.as_object_mut() {
                time.remove("relative");
            }
        }
    }
    json.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_it_serves_prints_and_exits_the_same_as_without_it() {
    let server = demo(300).await;
    let home = home("agent-same");
    assert!(
        add(&home, &server, "te-same", Dialect::Traderevolution)
            .status
            .success()
    );
    assert!(
        add(&home, &server, "pt-same", Dialect::PrivateTokens)
            .status
            .success()
    );
    let _agent = RunningAgent::start(&home);
    let exact: &[&[&str]] = &[
        &["token", "te-same"],
        &["token", "te-same", "--format", "bearer"],
        &["token", "te-same", "--format", "header"],
        &["token", "nope"],
        &["inspect", "--account", "te-same", "--json"],
        &["ott", "verify", "te-same", "ott-never-issued"],
        &["private-token", "list", "pt-same", "--json"],
        &["account", "list", "--json"],
        &["status", "nope"],
    ];
    for args in exact {
        let (through, without) = (tokenvault(&home, args, None), direct(&home, args));
        assert_eq!(
            through.status.code(),
            without.status.code(),
            "exit of {args:?}"
        );
        assert_eq!(
            timeless(&stdout(&through)),
            timeless(&stdout(&without)),
            "stdout of {args:?}"
        );
        assert_eq!(stderr(&through), stderr(&without), "stderr of {args:?}");
    }
    let timed: &[&[&str]] = &[
        &["status"],
        &["status", "te-same", "--json"],
        &["token", "te-same", "--format", "json"],
        &["login", "te-same"],
        &["token", "te-same", "--force-refresh"],
    ];
    for args in timed {
        let (through, without) = (tokenvault(&home, args, None), direct(&home, args));
        assert_eq!(
            through.status.code(),
            without.status.code(),
            "exit of {args:?}"
        );
        let shape = |o: &Output| without_digits(&stdout(o)).len();
        if args[0] == "token" && args.len() == 3 {
            // A new token each time: compare the shape.
            assert_eq!(shape(&through), shape(&without), "stdout of {args:?}");
        } else if args[0] != "token" {
            assert_eq!(
                without_digits(&stdout(&through)),
                without_digits(&stdout(&without)),
                "stdout of {args:?}"
            );
        }
        assert_eq!(
            without_digits(&stderr(&through)),
            without_digits(&stderr(&without)),
            "stderr of {args:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_it_serves_is_the_vaults_and_costs_the_server_nothing() {
    let server = demo(300).await;
    let home = home("agent-cached");
    assert!(
        add(&home, &server, "te-cached", Dialect::Traderevolution)
            .status
            .success()
    );
    let stored = stdout(&direct(&home, &["token", "te-cached"]));
    let _agent = RunningAgent::start(&home);
    let logins = server.count(Dialect::Traderevolution, Endpoint::Login);
    for _ in 0..5 {
        assert_eq!(
            stdout(&tokenvault(&home, &["token", "te-cached"], None)),
            stored
        );
    }
    assert_eq!(
        server.count(Dialect::Traderevolution, Endpoint::Login),
        logins
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Refresh), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_agent_serves_nothing_until_unlocked() {
    let server = demo(300).await;
    let home = home("agent-lock");
    assert!(
        add(&home, &server, "te-lock", Dialect::Traderevolution)
            .status
            .success()
    );
    let _agent = RunningAgent::start(&home);
    assert!(tokenvault(&home, &["lock"], None).status.success());
    for args in [
        &["token", "te-lock"][..],
        &["status"][..],
        &["login", "te-lock"][..],
    ] {
        let refused = tokenvault(&home, args, None);
        assert_eq!(refused.status.code(), Some(5), "{args:?} while locked");
        assert_eq!(stdout(&refused), "", "nothing on stdout while locked");
        assert!(stderr(&refused).contains("locked"), "{}", stderr(&refused));
    }
    assert!(tokenvault(&home, &["unlock"], None).status.success());
    assert!(
        tokenvault(&home, &["token", "te-lock"], None)
            .status
            .success()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_told_to_lock_after_an_idle_time_locks_itself() {
    let server = demo(300).await;
    let home = home("agent-lock-after");
    assert!(
        add(&home, &server, "te-idle", Dialect::Traderevolution)
            .status
            .success()
    );
    let _agent = RunningAgent::start_with(&home, &["--lock-after", "1s"]);
    // Every request counts as use, so each look waits longer than the idle time and the
    // agent's once-a-second check together: the wait grows until it has locked. (No call
    // before the first wait: on a busy machine the agent may lock before it is asked.)
    let mut quiet = Duration::from_millis(2500);
    let locked = loop {
        std::thread::sleep(quiet);
        let asked = tokenvault(&home, &["token", "te-idle"], None);
        if asked.status.code() == Some(5) {
            break asked;
        }
        assert!(asked.status.success(), "{}", stderr(&asked));
        assert!(quiet < Duration::from_secs(20), "it never locked");
        quiet *= 2;
    };
    assert!(stderr(&locked).contains("locked"), "{}", stderr(&locked));
    assert_eq!(stdout(&locked), "", "nothing on stdout while locked");
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_agent_mid_request_leaves_a_clear_error_and_the_vault_intact() {
    let server = demo(300).await;
    let home = home("agent-killed");
    assert!(
        add(&home, &server, "te-killed", Dialect::Traderevolution)
            .status
            .success()
    );
    let before = stdout(&direct(&home, &["token", "te-killed"]));
    let mut agent = RunningAgent::start(&home);
    server.inject(FaultRule {
        fault: Fault::Timeout,
        dialect: Some(Dialect::Traderevolution),
        endpoint: Some(Endpoint::Login),
        times: None,
    });
    let waiting = {
        let home = home.clone();
        std::thread::spawn(move || tokenvault(&home, &["login", "te-killed"], None))
    };
    std::thread::sleep(Duration::from_millis(800));
    agent.kill();
    let cut = waiting.join().expect("the command ends");
    assert_eq!(cut.status.code(), Some(5));
    assert!(
        stderr(&cut).contains("the agent stopped before answering"),
        "{}",
        stderr(&cut)
    );
    server.clear_faults();
    let after = direct(&home, &["token", "te-killed"]);
    assert!(after.status.success(), "{}", stderr(&after));
    assert_eq!(
        stdout(&after),
        before,
        "the stored token is as it was; audit: {}",
        std::fs::read_to_string(home.join("audit.jsonl")).unwrap_or_default()
    );
    // The socket left behind does not stop the next agent.
    let _next = RunningAgent::start(&home);
    assert_eq!(
        stdout(&tokenvault(&home, &["token", "te-killed"], None)),
        before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_agent_on_the_same_vault_is_refused() {
    let home = home("agent-twice");
    let _agent = RunningAgent::start(&home);
    let second = tokenvault(&home, &["agent"], None);
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("already serves"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn a_client_of_another_version_gets_a_clear_refusal() {
    if not_under_wine("raw lines go to the Unix socket") {
        return;
    }
    let home = home("agent-version");
    let _agent = RunningAgent::start(&home);
    let reply = raw_call(&home, r#"{"version":99,"request":"ping"}"#);
    let refused = reply["refused"].as_str().expect("a refusal");
    assert!(
        refused.contains("version 3") && refused.contains("99"),
        "{refused}"
    );
    let garbage = raw_call(&home, "GET / HTTP/1.1");
    assert!(garbage["refused"].as_str().is_some(), "{garbage}");
}

#[test]
fn the_command_lines_agent_has_no_window_to_show_so_the_app_opens_its_own() {
    if not_under_wine("raw lines go to the Unix socket") {
        return;
    }
    let home = home("agent-show");
    let _agent = RunningAgent::start(&home);
    let reply = raw_call(&home, r#"{"version":3,"request":"show"}"#);
    let refused = reply["refused"].as_str().expect("a refusal");
    assert!(refused.contains("no window"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_socket_others_could_reach_is_not_used() {
    if not_under_wine("a socket's mode is a Unix thing") {
        return;
    }
    let server = demo(300).await;
    let home = home("agent-open-socket");
    assert!(
        add(&home, &server, "te-open", Dialect::Traderevolution)
            .status
            .success()
    );
    let _agent = RunningAgent::start(&home);
    std::fs::set_permissions(socket(&home), std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let output = tokenvault(&home, &["token", "te-open"], None);
    assert!(
        output.status.success(),
        "{:?} {}",
        output.status,
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("open to others (mode 666); not using it"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        stdout(&output),
        stdout(&direct(&home, &["token", "te-open"]))
    );
}

/// A new folder under /tmp, which every user may traverse (the test session's scratch folder
/// is private), for a test that acts as another user; `None` (the test skipped) under Wine
/// or when this process cannot act as another user.
#[cfg(target_os = "linux")]
fn folder_another_user_reaches(why_linux_only: &str, name: &str) -> Option<std::path::PathBuf> {
    if not_under_wine(why_linux_only) {
        return None;
    }
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: only root can act as another user here");
        return None;
    }
    let folder = std::path::PathBuf::from(format!(
        "/tmp/tokenvault-agent-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("a folder");
    Some(folder)
}

/// Linux only: per-thread credentials (`setresuid` on one thread) are a Linux thing.
#[cfg(target_os = "linux")]
#[test]
fn a_process_of_another_user_is_refused() {
    let Some(home) =
        folder_another_user_reaches("another user is a Unix user id here", "other-user")
    else {
        return;
    };
    let _agent = RunningAgent::start(&home);
    // Let another user reach the socket at all, so the agent's own check is what refuses.
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o711)).expect("chmod");
    std::fs::set_permissions(socket(&home), std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let path = socket(&home);
    let reply = std::thread::spawn(move || {
        // Credentials are per thread for the kernel: this thread becomes `nobody`.
        rustix::thread::set_thread_res_uid(
            rustix::process::Uid::from_raw(65534),
            rustix::process::Uid::from_raw(65534),
            rustix::process::Uid::from_raw(65534),
        )
        .expect("become nobody");
        let mut stream = UnixStream::connect(path).expect("the socket accepts");
        // The agent may refuse before reading: a broken pipe here is part of the answer.
        let _ = stream
            .write_all(b"{\"version\":2,\"request\":{\"run\":{\"token\":{\"name\":\"te\",\"min_valid\":60,\"format\":\"raw\",\"force_refresh\":false}}}}\n");
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply).expect("a reply");
        reply
    })
    .join()
    .expect("the thread ends");
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    let refused = reply["refused"].as_str().expect("a refusal");
    assert!(refused.contains("not 65534"), "{refused}");
    assert!(reply["stdout"].as_str().is_none_or(str::is_empty));
    let _ = std::fs::remove_dir_all(&home);
}

/// Linux only: `PR_SET_DUMPABLE`, `/proc`, and a user id to act as.
#[cfg(target_os = "linux")]
#[test]
fn a_process_of_the_same_user_cannot_read_the_agents_memory() {
    // Both processes run as `nobody`, which holds no capability: between two processes of
    // one user, only the agent's own choice can refuse the read. With a copy of the binary,
    // so that `nobody` reaches both.
    let Some(folder) =
        folder_another_user_reaches("process memory is read through Linux's /proc", "memory")
    else {
        return;
    };
    std::fs::create_dir_all(folder.join("vault")).expect("a folder");
    let program = folder.join("tokenvault");
    std::fs::copy(env!("CARGO_BIN_EXE_tokenvault"), &program).expect("a copy of the binary");
    for path in [&folder, &folder.join("vault"), &program] {
        std::os::unix::fs::chown(path, Some(65534), Some(65534)).expect("chown");
    }
    let as_nobody = |program: &Path| {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(program)
            .env("HOME", &folder)
            // `nobody` has no keyring of its own: the agent keeps secrets in its encrypted file.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("TOKENVAULT_PASSPHRASE", "the test's own passphrase")
            .stdin(std::process::Stdio::null());
        command
    };
    let agent = RunningAgent(
        as_nobody(&program)
            .arg("--home")
            .arg(folder.join("vault"))
            .arg("agent")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the agent starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(socket(&folder.join("vault"))).is_err() {
        assert!(
            Instant::now() < deadline,
            "the agent did not listen within 10 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let plain = RunningAgent(
        as_nobody(Path::new("/bin/sleep"))
            .arg("600")
            .spawn()
            .expect("sleep starts"),
    );
    // Until it runs `sleep`, the child is `setpriv`, still root's.
    while std::fs::read_to_string(format!("/proc/{}/comm", plain.0.id()))
        .is_ok_and(|comm| comm.trim() != "sleep")
    {
        assert!(Instant::now() < deadline, "sleep did not start within 10 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    let open_memory_of = |pid: u32| {
        as_nobody(Path::new("/bin/sh"))
            .args(["-c", "exec 3< /proc/$1/mem", "open-memory"])
            .arg(pid.to_string())
            .output()
            .expect("sh runs")
    };
    let read_plain = open_memory_of(plain.0.id());
    assert!(
        read_plain.status.success(),
        "a plain process of the same user is readable, so the refusal below is the agent's: {}",
        stderr(&read_plain)
    );
    let read_agent = open_memory_of(agent.0.id());
    assert!(
        !read_agent.status.success(),
        "the agent's memory was opened"
    );
    assert!(
        stderr(&read_agent).contains("Permission denied"),
        "{}",
        stderr(&read_agent)
    );
    drop((agent, plain));
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn the_agent_locks_when_the_screen_locks() {
    if not_under_wine("screen locks are followed on Linux only") {
        return;
    }
    let home = home("agent-screen-lock");
    let _agent = RunningAgent::start_with(&home, &["--lock-on-screen-lock"]);
    let ping = || raw_call(&home, r#"{"version":3,"request":"ping"}"#);
    assert_eq!(ping()["locked"], false);
    let deadline = Instant::now() + Duration::from_secs(10);
    // The agent subscribes in a thread of its own: announce until it has heard.
    while ping()["locked"] != true {
        assert!(
            Instant::now() < deadline,
            "the agent did not lock within 10 s"
        );
        let sent = Command::new("dbus-send")
            .args([
                "--session",
                "--type=signal",
                "/org/gnome/ScreenSaver",
                "org.gnome.ScreenSaver.ActiveChanged",
                "boolean:true",
            ])
            .status()
            .expect("dbus-send runs");
        assert!(sent.success());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_agent_started_in_the_background_serves_until_stopped() {
    if not_under_wine("it is stopped with a Unix signal") {
        return;
    }
    let home = home("agent-detached");
    let started = tokenvault(&home, &["agent", "--detach"], None);
    assert!(started.status.success(), "{}", stderr(&started));
    let said = stderr(&started);
    let pid: u32 = said
        .split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {said}"));
    let again = tokenvault(&home, &["agent", "--detach"], None);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already running"),
        "a second start says so: {}",
        stderr(&again)
    );
    let locking = tokenvault(&home, &["lock"], None);
    let stopped = Command::new("kill").arg(pid.to_string()).status();
    assert!(locking.status.success(), "{}", stderr(&locking));
    assert!(stopped.expect("kill runs").success());
    // Until the process has ended, not just its socket: it says "stopped" after removing it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_running(pid) {
        assert!(
            Instant::now() < deadline,
            "the agent did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!socket(&home).exists(), "it removed its socket");
    let log = std::fs::read_to_string(home.join("agent.log")).unwrap_or_default();
    assert!(log.contains("stopped"), "{log}");
}
