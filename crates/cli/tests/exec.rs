//! Tokens handed to other programs without copying: `tokenvault exec`, `token --format
//! env|dotenv`, `status --format env` and `kubectl-credential`, with the built binary
//! against the demo API (on Linux, and the Windows build under Wine where the command run
//! is one Windows has).

mod support;

use std::collections::BTreeMap;

use support::{
    RunningAgent, add, demo, home, not_under_wine, stderr, stdout, stdout_json, tokenvault,
    under_wine,
};
use tokenvault_demo_api::{Dialect, Endpoint, Fault, FaultRule};

/// A shell command line for the platform of the binary under test.
fn shell(posix: &str, windows: &str) -> Vec<String> {
    if under_wine() {
        vec!["cmd".into(), "/c".into(), windows.into()]
    } else {
        vec!["sh".into(), "-c".into(), posix.into()]
    }
}

fn exec(dir: &std::path::Path, before: &[&str], command: &[String]) -> std::process::Output {
    let mut args: Vec<&str> = vec!["exec"];
    args.extend(before);
    args.push("--");
    args.extend(command.iter().map(String::as_str));
    tokenvault(dir, &args, None)
}

#[tokio::test(flavor = "multi_thread")]
async fn curl_run_by_exec_reaches_the_protected_endpoint_with_the_token_it_was_given() {
    if not_under_wine("curl and sh are this machine's") {
        return;
    }
    let server = demo(120).await;
    let dir = home("exec-curl");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let url = format!("{}/users/me", server.base_url(Dialect::Prive));
    let out = exec(
        &dir,
        &["prive"],
        &shell(
            &format!(
                r#"curl -s -o /dev/null -w '%{{http_code}}' -H "Authorization: $TOKENVAULT_AUTHORIZATION" {url}"#
            ),
            "",
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "200");
    assert_eq!(server.count(Dialect::Prive, Endpoint::Resource), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_commands_exit_code_is_the_exit_code_of_exec() {
    let server = demo(120).await;
    let dir = home("exec-exit");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let out = exec(&dir, &["prive"], &shell("exit 7", "exit 7"));
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "",
        "exec adds no words of its own to the command's ending"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_mask_the_command_prints_the_accounts_name_where_the_token_was() {
    let server = demo(120).await;
    let dir = home("exec-mask");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let token = stdout(&tokenvault(&dir, &["token", "prive"], None))
        .trim()
        .to_owned();
    let out = exec(
        &dir,
        &["prive", "--mask"],
        &shell(
            "echo $TOKENVAULT_TOKEN; echo \"$TOKENVAULT_AUTHORIZATION\" >&2",
            "echo %TOKENVAULT_TOKEN% & echo %TOKENVAULT_AUTHORIZATION% 1>&2",
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "<tokenvault:prive>");
    assert_eq!(stderr(&out).trim(), "Bearer <tokenvault:prive>");
    assert!(!stdout(&out).contains(&token) && !stderr(&out).contains(&token));
    let unmasked = exec(
        &dir,
        &["prive"],
        &shell("echo $TOKENVAULT_TOKEN", "echo %TOKENVAULT_TOKEN%"),
    );
    assert_eq!(
        stdout(&unmasked).trim(),
        token,
        "without --mask the command sees and prints it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_does_not_exist_exits_127_as_in_a_shell() {
    let server = demo(120).await;
    let dir = home("exec-missing");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let out = exec(&dir, &["prive"], &["no-such-command-here".to_owned()]);
    assert_eq!(out.status.code(), Some(127), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot run `no-such-command-here`: command not found"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_whose_token_cannot_be_had_runs_nothing_and_exits_with_that_failure() {
    let server = demo(2).await;
    let dir = home("exec-no-token");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while stdout_json(&tokenvault(&dir, &["status", "prive", "--json"], None))[0]["state"]
        != "expired"
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the 2 s token did not expire"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    server.inject(FaultRule {
        fault: Fault::Http500,
        dialect: Some(Dialect::Prive),
        endpoint: Some(Endpoint::Login),
        times: None,
    });
    let marker = dir.join("ran");
    let touch = shell(
        &format!("touch '{}'", marker.display()),
        &format!("type nul > \"{}\"", marker.display()),
    );
    // The token expired: the new login it needs fails.
    let out = exec(&dir, &["prive"], &touch);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("[server_error]"), "{}", stderr(&out));
    assert!(!marker.exists(), "the command was not run");
    let unknown = exec(&dir, &["nobody"], &touch);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(!marker.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn several_accounts_each_get_variables_of_their_own_also_through_the_agent() {
    if not_under_wine("the check is a POSIX shell's") {
        return;
    }
    let server = demo(120).await;
    let dir = home("exec-several");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    assert!(
        add(&dir, &server, "te-uat", Dialect::Traderevolution)
            .status
            .success()
    );
    let check = shell(
        r#"test -n "$PRIVE_TOKEN" && test "$PRIVE_AUTHORIZATION" = "Bearer $PRIVE_TOKEN" &&
           test "$TE_TOKEN" != "$PRIVE_TOKEN" && test "$TE_AUTHORIZATION" = "Bearer $TE_TOKEN" &&
           test -n "$TE_TOKEN_EXPIRES_AT" && test "$TE_TOKEN_EXPIRES_AT_UNIX" -gt 0 &&
           test -z "$TOKENVAULT_TOKEN""#,
        "",
    );
    let alone = exec(
        &dir,
        &["--account", "prive", "--account", "te-uat=TE"],
        &check,
    );
    assert!(alone.status.success(), "{}", stderr(&alone));
    let _agent = RunningAgent::start(&dir);
    let through_agent = exec(
        &dir,
        &["--account", "prive", "--account", "te-uat=TE"],
        &check,
    );
    assert!(through_agent.status.success(), "{}", stderr(&through_agent));
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Login),
        1,
        "the stored tokens were used"
    );
}

/// `NAME=value` lines, with the quotes of `export NAME='value'` taken off.
fn variables(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.trim_start_matches("export ").split_once('='))
        .map(|(name, value)| (name.to_owned(), value.trim_matches('\'').to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_prints_as_shell_exports_dotenv_lines_and_a_kubernetes_credential() {
    let server = demo(120).await;
    let dir = home("token-formats");
    assert!(
        add(&dir, &server, "te-uat", Dialect::Traderevolution)
            .status
            .success()
    );
    let token = stdout(&tokenvault(&dir, &["token", "te-uat"], None))
        .trim()
        .to_owned();
    let json = stdout_json(&tokenvault(
        &dir,
        &["token", "te-uat", "--format", "json"],
        None,
    ));

    let env = stdout(&tokenvault(
        &dir,
        &["token", "te-uat", "--format", "env"],
        None,
    ));
    assert!(env.lines().all(|l| l.starts_with("export ")), "{env}");
    let env = variables(&env);
    assert_eq!(env["TOKENVAULT_TOKEN"], token);
    assert_eq!(env["TOKENVAULT_AUTHORIZATION"], format!("Bearer {token}"));
    assert_eq!(
        env["TOKENVAULT_TOKEN_EXPIRES_AT"],
        json["expires_at"].as_str().unwrap()
    );
    let unix: i64 = env["TOKENVAULT_TOKEN_EXPIRES_AT_UNIX"].parse().unwrap();
    let at = time::OffsetDateTime::parse(
        json["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(unix, at.unix_timestamp());

    let dotenv = stdout(&tokenvault(
        &dir,
        &["token", "te-uat", "--format", "dotenv"],
        None,
    ));
    assert!(
        dotenv.contains(&format!("TOKENVAULT_AUTHORIZATION=Bearer {token}\n")),
        "{dotenv}"
    );
    assert!(!dotenv.contains("export") && !dotenv.contains('\''));

    let credential = stdout_json(&tokenvault(&dir, &["kubectl-credential", "te-uat"], None));
    assert_eq!(credential["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(credential["status"]["token"], token.as_str());
    assert_eq!(
        credential["status"]["expirationTimestamp"],
        json["expires_at"]
    );

    let status = stdout(&tokenvault(&dir, &["status", "--format", "env"], None));
    let status = variables(&status);
    assert_eq!(status["TOKENVAULT_TE_UAT_STATE"], "fresh");
    assert_eq!(
        status["TOKENVAULT_TE_UAT_EXPIRES_AT"],
        json["expires_at"].as_str().unwrap()
    );
    assert!(
        !status.values().any(|v| v.contains(&token)),
        "status holds no token"
    );
    assert_eq!(server.count(Dialect::Traderevolution, Endpoint::Login), 1);
}
