//! Secret hygiene of the command line and the agent, with every log switched on:
//!
//! - every command, through every dialect and through failures, keeps passwords and tokens
//!   out of stderr, out of stdout (except the token a command is asked to print), and out
//!   of every file in the data folder: accounts made from a curl command, a HAR recording
//!   and a Postman collection holding passwords, cookies and tokens of their own,
//!   `exec --mask`, and the proxy with its logs on included;
//! - two members of a team on one OpenBao keep the shared password, TOTP secret and their
//!   engine passwords out of every file of both data folders and out of every output;
//! - a locked agent's memory, read whole through `/proc/<pid>/mem` (what a core dump would
//!   hold), contains no password and no token it handled. (Under Wine too: a Windows
//!   program there is a Linux process.)

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{
    RunningAgent, add, demo, home, platform_files, recordings, stderr, stdout, tokenvault_with_env,
    under_wine, user,
};
use tokenvault_demo_api::{Dialect, Endpoint, Fault, FaultRule};

/// Held by each test against the Windows build: reading Wine's registry stops the prefix's
/// wineserver, and every Windows program with it, a running agent included.
static ONE_AT_A_TIME_UNDER_WINE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn my_turn() -> Option<tokio::sync::MutexGuard<'static, ()>> {
    if under_wine() {
        Some(ONE_AT_A_TIME_UNDER_WINE.lock().await)
    } else {
        None
    }
}

/// The command line with every log line switched on.
fn tokenvault(home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    tokenvault_with_env(
        home,
        args,
        stdin,
        &[("TOKENVAULT_LOG", "trace"), ("RUST_LOG", "trace")],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn no_command_lets_a_password_or_token_reach_stderr_a_log_or_a_file() {
    let _turn = my_turn().await;
    let server = demo(300).await;
    let home = home("hygiene-commands");
    let mut said = Said::default();
    let mut secrets: Vec<String> = Vec::new();
    for dialect in Dialect::PRESETS {
        let name = dialect.as_str();
        secrets.push(user(dialect).password.to_owned());
        secrets.extend(user(dialect).totp_secret().map(str::to_owned));
        said.quiet(add(&home, &server, name, dialect));
        let token = said.prints_a_token(tokenvault(&home, &["token", name], None));
        secrets.push(token);
        let renewed =
            said.prints_a_token(tokenvault(&home, &["token", name, "--force-refresh"], None));
        secrets.push(renewed);
        for format in ["bearer", "header", "json"] {
            said.prints_a_token(tokenvault(
                &home,
                &["token", name, "--format", format],
                None,
            ));
        }
        said.quiet(tokenvault(&home, &["status", "--json"], None));
        said.quiet(tokenvault(&home, &["login", name, "--json"], None));
        said.quiet(tokenvault(&home, &["status", name, "--json"], None));
        said.quiet(tokenvault(
            &home,
            &["inspect", "--account", name, "--json"],
            None,
        ));
        // Failures: a server error, garbage, a refused refresh, a wrong password.
        for fault in [
            Fault::Http500,
            Fault::MalformedJson,
            Fault::RefreshTokenReused,
        ] {
            server.inject(FaultRule {
                fault,
                dialect: Some(dialect),
                endpoint: None,
                times: Some(1),
            });
            said.quiet(tokenvault(&home, &["token", name, "--force-refresh"], None));
        }
        server.clear_faults();
        // A wrong password, or for an OAuth client a wrong client secret.
        let wrong = format!("wrong-secret-{name}");
        secrets.push(wrong.clone());
        let wrong_name = format!("{name}-wrong");
        let url = server.base_url(dialect);
        let (who, secret_flag) = if user(dialect).is_client() {
            ("--client-id", "--client-secret-stdin")
        } else {
            ("--username", "--password-stdin")
        };
        said.quiet(tokenvault(
            &home,
            &[
                "account",
                "add",
                &wrong_name,
                "--preset",
                name,
                "--base-url",
                &url,
                who,
                user(dialect).identity,
                secret_flag,
            ],
            Some(&format!("{wrong}\n")),
        ));
    }
    // An account made from a curl command that holds a password of its own: neither that
    // one nor the real one is kept or said.
    let in_the_command = "the-password-in-the-command";
    secrets.push(in_the_command.to_owned());
    let command = format!(
        "curl -X POST {}/kms/api/v1/auth/token -H 'Content-Type: application/json' \
         -d '{{\"email\": \"{}\", \"password\": \"{in_the_command}\"}}'",
        server.base_url(Dialect::Finvera),
        user(Dialect::Finvera).identity
    );
    said.quiet(tokenvault(
        &home,
        &[
            "account",
            "add",
            "from-curl",
            "--from-curl",
            &command,
            "--password-stdin",
            "--try-refresh",
        ],
        Some(&format!("{}\n", user(Dialect::Finvera).password)),
    ));
    secrets.push(said.prints_a_token(tokenvault(&home, &["token", "from-curl"], None)));
    // Accounts made from a browser's recording and from a Postman collection, each holding a
    // password or client secret of its own, and the recording cookies and tokens: none of it
    // is kept or said. The files lie outside the data folder, as a user's downloads do.
    let recording = recordings::finvera_har(&server, &home.with_extension("har")).await;
    secrets.extend(recording.secrets);
    said.quiet(tokenvault(
        &home,
        &[
            "account",
            "add",
            "from-har",
            "--from-har",
            recording.path.to_str().expect("utf-8"),
            "--password-stdin",
        ],
        Some(&format!("{}\n", user(Dialect::Finvera).password)),
    ));
    secrets.push(said.prints_a_token(tokenvault(&home, &["token", "from-har"], None)));
    let collection = recordings::client_credentials_collection(
        &server,
        &home.with_extension("postman_collection.json"),
    );
    secrets.extend(collection.secrets);
    said.quiet(tokenvault(
        &home,
        &[
            "import-postman",
            collection.path.to_str().expect("utf-8"),
            "--password-stdin",
        ],
        Some(&format!(
            "{}\n",
            user(Dialect::Oauth2ClientCredentials).password
        )),
    ));
    secrets.push(said.prints_a_token(tokenvault(&home, &["token", "reporting"], None)));
    // A command run with the tokens of two accounts, masked; and the proxy with its logs on.
    said.quiet(tokenvault(
        &home,
        &[
            "exec",
            "--account",
            "prive",
            "--account",
            "from-curl",
            "--mask",
            "--",
            "env",
        ],
        None,
    ));
    said.quiet(proxied(&home, "traderevolution", &server));
    said.quiet(tokenvault(
        &home,
        &["ott", "verify", "traderevolution", "not-an-ott"],
        None,
    ));
    let private = said.prints_a_token(tokenvault(
        &home,
        &[
            "private-token",
            "create",
            "private-tokens",
            "--label",
            "ci",
            "--expires-in",
            "1d",
        ],
        None,
    ));
    secrets.push(private);
    said.quiet(tokenvault(
        &home,
        &["private-token", "list", "private-tokens", "--json"],
        None,
    ));
    let export = home.join("team.json");
    said.quiet(tokenvault(
        &home,
        &["export", export.to_str().expect("utf-8")],
        None,
    ));
    said.quiet(tokenvault(&home, &["account", "list", "--json"], None));
    said.quiet(tokenvault(&home, &["status"], None));
    secrets.extend(server.issued_refresh_tokens());
    assert!(
        server.count(Dialect::Traderevolution, Endpoint::Refresh) > 0,
        "refreshes happened"
    );

    assert!(
        said.stderr
            .iter()
            .any(|e| e.contains("DEBUG") || e.contains("TRACE")),
        "the logs were on"
    );
    let written: Vec<PathBuf> = files_under(&home)
        .into_iter()
        .chain(platform_files())
        .collect();
    said.never_holds(&secrets, &written);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_shared_secret_reaches_a_file_or_a_log_of_either_member_of_a_team() {
    if under_wine() {
        return; // the teams' engine runs on this machine's side; Windows is covered by the core
    }
    let bao = tokenvault_tests::openbao::DevServer::start().await;
    let admin = bao.admin();
    let prefix = "tokenvault/hygiene";
    admin
        .member("alice", "alice-engine-pass", prefix, true)
        .await;
    admin.member("bob", "bob-engine-pass", prefix, false).await;
    let server = demo(300).await;
    let (alice, bob) = (home("hygiene-team-alice"), home("hygiene-team-bob"));
    let mut said = Said::default();
    let dialect = Dialect::Directus; // a password and a TOTP secret
    said.quiet(add(&alice, &server, "shared", dialect));
    for (home, who) in [(&alice, "alice"), (&bob, "bob")] {
        said.quiet(tokenvault(
            home,
            &[
                "team",
                "connect",
                "hygiene",
                "--addr",
                bao.address(),
                "--prefix",
                prefix,
                "--userpass",
                who,
                "--password-stdin",
            ],
            Some(&format!("{who}-engine-pass")),
        ));
    }
    said.quiet(tokenvault(
        &alice,
        &["team", "share", "shared", "--team", "hygiene"],
        None,
    ));
    said.quiet(tokenvault(&bob, &["team", "sync", "--json"], None));
    said.quiet(tokenvault(&bob, &["team", "status", "--json"], None));
    // Alice's login spent this step's one-time code a moment ago: bob's first login is refused
    // it, and tries once more with the next step's code.
    let token = said.prints_a_token(tokenvault(&bob, &["--no-agent", "token", "shared"], None));
    let mut secrets = vec![
        user(dialect).password.to_owned(),
        "alice-engine-pass".to_owned(),
        "bob-engine-pass".to_owned(),
        token,
    ];
    secrets.extend(user(dialect).totp_secret().map(str::to_owned));
    let written: Vec<PathBuf> = files_under(&alice)
        .into_iter()
        .chain(files_under(&bob))
        .collect();
    said.never_holds(&secrets, &written);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_agent_holds_no_password_or_token_in_its_memory() {
    // The Linux agent is not dumpable: only CAP_SYS_PTRACE (root) reads its memory.
    if !under_wine() && rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: only root can read the memory of an agent that is not dumpable");
        return;
    }
    let _turn = my_turn().await;
    let server = demo(300).await;
    let home = home("hygiene-memory");
    let mut secrets = Vec::new();
    for dialect in [Dialect::Traderevolution, Dialect::Oauth2Password] {
        assert!(
            add(&home, &server, dialect.as_str(), dialect)
                .status
                .success()
        );
        secrets.push(user(dialect).password.to_owned());
    }
    let agent = RunningAgent::start(&home);
    for dialect in [Dialect::Traderevolution, Dialect::Oauth2Password] {
        let name = dialect.as_str();
        for args in [
            vec!["token", name],
            vec!["token", name, "--force-refresh"],
            vec!["login", name],
            vec!["token", name],
        ] {
            let out = tokenvault(&home, &args, None);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            if args[0] == "token" {
                secrets.push(stdout(&out).trim().to_owned());
            }
        }
    }
    secrets.extend(server.issued_refresh_tokens());
    let unlocked = process_memory(agent.0.id());
    let cached = secrets
        .iter()
        .filter(|s| s.starts_with("eyJ") && contains(&unlocked, s.as_bytes()))
        .count();
    assert!(
        cached > 0,
        "the scan finds what an unlocked agent holds: its cached tokens"
    );
    assert!(tokenvault(&home, &["lock"], None).status.success());
    std::thread::sleep(std::time::Duration::from_millis(300));

    let memory = process_memory(agent.0.id());
    assert!(memory.len() > 1_000_000, "the agent's memory was read");
    let found: Vec<_> = secrets
        .iter()
        .filter(|s| contains(&memory, s.as_bytes()))
        .map(|s| format!("{}…", &s[..s.len().min(12)]))
        .collect();
    eprintln!(
        "agent memory: {} bytes read, {} of {} secrets found",
        memory.len(),
        found.len(),
        secrets.len()
    );
    assert!(found.is_empty(), "in the locked agent's memory: {found:?}");
}

/// `tokenvault proxy NAME` with every log on, asked for the account's protected endpoint
/// once, then ended: what it printed.
fn proxied(home: &Path, name: &str, server: &tokenvault_demo_api::DemoServer) -> Output {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut proxy = support::spawn_tokenvault(
        home,
        &["proxy", name, "--port", "0"],
        None,
        &[("TOKENVAULT_LOG", "trace"), ("RUST_LOG", "trace")],
    );
    let mut stdout = BufReader::new(proxy.stdout.take().expect("stdout"));
    let mut url = String::new();
    stdout.read_line(&mut url).expect("the proxy's address");
    let authority = url.trim().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&authority).expect("the proxy accepts");
    stream
        .write_all(b"GET /accounts/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("a request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(server.count(Dialect::Traderevolution, Endpoint::Resource) > 0);
    let _ = proxy.kill();
    let mut output = proxy.wait_with_output().expect("the proxy ends");
    output.stdout = url.into_bytes();
    output
}

/// What the commands said, to search afterwards.
#[derive(Default)]
struct Said {
    stderr: Vec<String>,
    stdout: Vec<String>,
}

impl Said {
    /// A command whose stdout must hold no secret either.
    fn quiet(&mut self, output: Output) {
        self.stderr.push(stderr(&output));
        self.stdout.push(stdout(&output));
    }

    /// A command asked to print a token: its stdout is the token (in the format asked
    /// for), set aside; its stderr is kept to search.
    fn prints_a_token(&mut self, output: Output) -> String {
        assert!(output.status.success(), "{}", stderr(&output));
        self.stderr.push(stderr(&output));
        stdout(&output).trim().to_owned()
    }

    /// No secret in anything said, nor in any of `files`.
    fn never_holds(&self, secrets: &[String], files: &[PathBuf]) {
        for secret in secrets {
            self.never_shows(secret);
            for file in files {
                let content = std::fs::read(file).expect("readable");
                assert!(
                    !contains(&content, secret.as_bytes()),
                    "a secret is in {}",
                    file.display()
                );
            }
        }
    }

    fn never_shows(&self, secret: &str) {
        for text in &self.stderr {
            assert!(!text.contains(secret), "a secret reached stderr: {text}");
        }
        for text in &self.stdout {
            assert!(!text.contains(secret), "a secret reached stdout: {text}");
        }
    }
}

fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every readable mapping of a process, as a core dump would hold it.
fn process_memory(pid: u32) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).expect("mem");
    let mut all = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let path = fields.nth(3).unwrap_or("");
        if !perms.starts_with('r') || path.starts_with("[v") || path.starts_with('/') {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        let mut region = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        if mem.seek(SeekFrom::Start(start)).is_ok() && mem.read_exact(&mut region).is_ok() {
            all.extend_from_slice(&region);
        }
    }
    all
}
