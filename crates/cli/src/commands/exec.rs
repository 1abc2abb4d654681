//! `tokenvault exec`: a command run with fresh tokens in its environment, its input,
//! output, signals and exit code passed through; with `--mask`, the tokens replaced in
//! what it prints.

use std::ffi::OsString;
use std::process::{ExitStatus, Stdio};

use time::Duration;
use tokenvault_core::Secret;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, Command};

use super::Outcome;
use super::fresh::Fresh;
use crate::args::ExecArgs;
use crate::exit::Failure;
use crate::mask::Masker;
use crate::variables::{self, Names};

/// One account a command gets the token of, and the variables it goes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The account.
    pub account: String,
    /// The variables' names.
    pub names: Names,
}

/// The accounts of `exec`'s arguments: the one named first (in `TOKENVAULT_TOKEN` and
/// `TOKENVAULT_AUTHORIZATION`, or `--env` and `--header-env`), then each `--account
/// NAME[=PREFIX]` (in `PREFIX_TOKEN` and `PREFIX_AUTHORIZATION`).
pub fn wanted(args: &ExecArgs) -> Result<Vec<Wanted>, Failure> {
    let mut wanted = Vec::new();
    if let Some(account) = &args.name {
        let defaults = Names::default();
        wanted.push(Wanted {
            account: account.clone(),
            names: Names {
                token: args.token_var.clone().unwrap_or(defaults.token),
                authorization: args
                    .authorization_var
                    .clone()
                    .unwrap_or(defaults.authorization),
            },
        });
    }
    for given in &args.accounts {
        let (account, prefix) = match given.split_once('=') {
            Some((account, prefix)) => (account.to_owned(), prefix.to_owned()),
            None => (given.clone(), variables::prefix_of(given)),
        };
        wanted.push(Wanted {
            account,
            names: Names::with_prefix(&prefix),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for w in &wanted {
        for name in [&w.names.token, &w.names.authorization] {
            if !variables::is_variable_name(name) {
                return Err(Failure::Usage(format!(
                    "`{name}` cannot be an environment variable's name (letters, digits and _)"
                )));
            }
            if !seen.insert(name.clone()) {
                return Err(Failure::Usage(format!(
                    "`{name}` would hold two tokens: give each account its own names"
                )));
            }
        }
    }
    Ok(wanted)
}

/// Runs the command with the tokens of `wanted`; its exit code becomes this process's.
pub async fn exec(fresh: &Fresh, args: ExecArgs) -> Outcome {
    let wanted = wanted(&args)?;
    let min_valid = Duration::seconds(i64::from(args.min_valid));
    let mut environment = Vec::new();
    let mut masked = Vec::new();
    for w in &wanted {
        let token = fresh.token(&w.account, min_valid, false).await?;
        environment.extend(w.names.of(&token));
        masked.push((token.value.clone(), w.account.clone()));
    }
    let (program, arguments) = args
        .command
        .split_first()
        .ok_or_else(|| Failure::Usage("give the command to run after --".into()))?;
    let status = run(
        program,
        arguments,
        &environment,
        args.mask.then_some(masked),
    )
    .await?;
    match code_of(status) {
        0 => Ok(()),
        code => Err(Failure::CommandEnded { code }),
    }
}

async fn run(
    program: &OsString,
    arguments: &[OsString],
    environment: &[(String, Secret)],
    masked: Option<Vec<(Secret, String)>>,
) -> Result<ExitStatus, Failure> {
    let mut command = Command::new(program);
    command.args(arguments).stdin(Stdio::inherit());
    for (name, value) in environment {
        command.env(name, value.expose());
    }
    if masked.is_some() {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let shown = program.to_string_lossy().into_owned();
    let mut child = command.spawn().map_err(|e| cannot_run(&shown, &e))?;
    let copies = masked.map(|tokens| {
        let out = child.stdout.take().map(|from| {
            tokio::spawn(copy_masked(
                from,
                tokio::io::stdout(),
                Masker::new(tokens.clone()),
            ))
        });
        let err = child
            .stderr
            .take()
            .map(|from| tokio::spawn(copy_masked(from, tokio::io::stderr(), Masker::new(tokens))));
        (out, err)
    });
    let status = wait_passing_signals(&mut child)
        .await
        .map_err(|e| Failure::Relayed {
            message: format!("lost track of `{shown}`: {e}"),
            exit: crate::exit::LOCAL,
        })?;
    if let Some((out, err)) = copies {
        for copy in [out, err].into_iter().flatten() {
            let _ = copy.await;
        }
    }
    Ok(status)
}

/// A shell's answer to a command it cannot run: 127 when there is no such command, 126
/// when it cannot be executed.
fn cannot_run(program: &str, error: &std::io::Error) -> Failure {
    let (exit, why) = match error.kind() {
        std::io::ErrorKind::NotFound => (127, "command not found".to_owned()),
        std::io::ErrorKind::PermissionDenied => (126, "permission denied".to_owned()),
        _ => (126, error.to_string()),
    };
    Failure::Relayed {
        message: format!("cannot run `{program}`: {why}"),
        exit,
    }
}

/// Copies a child's output with its tokens masked, writing each read at once.
async fn copy_masked(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    mut masker: Masker,
) {
    let mut buffer = vec![0_u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let out = masker.pass(&buffer[..read]);
        if to.write_all(&out).await.is_err() || to.flush().await.is_err() {
            return;
        }
    }
    let _ = to.write_all(&masker.finish()).await;
    let _ = to.flush().await;
}

/// Waits for the child, passing on the signals asking this process to end or reload
/// (TERM, HUP, USR1, USR2). Ctrl+C and Ctrl+\ reach the child from the terminal itself,
/// as they reach every process of the foreground job: this process only outlives them, so
/// the child's exit code still comes out.
#[cfg(unix)]
async fn wait_passing_signals(child: &mut Child) -> std::io::Result<ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    let pid = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(i32::try_from(id).ok()?));
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut user1 = signal(SignalKind::user_defined1())?;
    let mut user2 = signal(SignalKind::user_defined2())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut quit = signal(SignalKind::quit())?;
    loop {
        let passed = tokio::select! {
            status = child.wait() => return status,
            _ = terminate.recv() => Some(rustix::process::Signal::TERM),
            _ = hangup.recv() => Some(rustix::process::Signal::HUP),
            _ = user1.recv() => Some(rustix::process::Signal::USR1),
            _ = user2.recv() => Some(rustix::process::Signal::USR2),
            _ = interrupt.recv() => None,
            _ = quit.recv() => None,
        };
        if let (Some(signal), Some(pid)) = (passed, pid) {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }
}

/// Waits for the child; Ctrl+C reaches it through the console, and this process outlives
/// it so the child's exit code still comes out.
#[cfg(windows)]
async fn wait_passing_signals(child: &mut Child) -> std::io::Result<ExitStatus> {
    loop {
        tokio::select! {
            status = child.wait() => return status,
            _ = tokio::signal::ctrl_c() => {}
        }
    }
}

#[cfg(not(any(unix, windows)))]
async fn wait_passing_signals(child: &mut Child) -> std::io::Result<ExitStatus> {
    child.wait().await
}

/// The exit code as a shell reports it: the command's own, or 128 + the signal that
/// ended it.
fn code_of(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parsed(line: &[&str]) -> ExecArgs {
        let cli = crate::args::Cli::try_parse_from(line).expect("the line parses");
        match cli.command {
            crate::args::Command::Exec(args) => args,
            other => panic!("not exec: {other:?}"),
        }
    }

    #[test]
    fn the_first_account_gets_the_plain_names_and_each_other_its_own_prefix() {
        let args = parsed(&[
            "tokenvault",
            "exec",
            "prive-uat",
            "--account",
            "te-prod",
            "--account",
            "b=BILLING",
            "--",
            "curl",
            "-s",
        ]);
        let wanted = wanted(&args).expect("valid names");
        let names: Vec<(&str, &str, &str)> = wanted
            .iter()
            .map(|w| {
                (
                    w.account.as_str(),
                    w.names.token.as_str(),
                    w.names.authorization.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("prive-uat", "TOKENVAULT_TOKEN", "TOKENVAULT_AUTHORIZATION"),
                ("te-prod", "TE_PROD_TOKEN", "TE_PROD_AUTHORIZATION"),
                ("b", "BILLING_TOKEN", "BILLING_AUTHORIZATION"),
            ]
        );
        assert_eq!(args.command, ["curl", "-s"]);
    }

    #[test]
    fn names_of_its_own_replace_the_plain_ones() {
        let args = parsed(&[
            "tokenvault",
            "exec",
            "a",
            "--env",
            "API_TOKEN",
            "--header-env",
            "API_AUTH",
            "--",
            "env",
        ]);
        let wanted = wanted(&args).expect("valid names");
        assert_eq!(wanted[0].names.token, "API_TOKEN");
        assert_eq!(wanted[0].names.authorization, "API_AUTH");
    }

    #[test]
    fn two_accounts_cannot_share_a_variable_nor_use_a_name_no_shell_reads() {
        let twice = parsed(&[
            "tokenvault",
            "exec",
            "--account",
            "a=X",
            "--account",
            "b=X",
            "--",
            "env",
        ]);
        assert!(wanted(&twice).is_err());
        let bad = parsed(&["tokenvault", "exec", "a", "--env", "MY-TOKEN", "--", "env"]);
        assert!(wanted(&bad).unwrap_err().to_string().contains("MY-TOKEN"));
    }
}
