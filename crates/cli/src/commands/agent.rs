//! `tokenvault agent` (in the foreground, or `--detach`ed), `lock` and `unlock`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration as StdDuration;

use time::Duration;
use tokenvault_agent::client::{Asked, ask};
use tokenvault_agent::protocol::Request;
use tokenvault_agent::{Options, StartError, Started};
use tokenvault_core::Vault;
use tokenvault_core::vault::keeper::Keeper;

use super::{Outcome, handler, home_at, open_vault, relay};
use crate::exit::{self, Failure};
use crate::output;

/// Starts serving the command line for an open vault, with the command line's handler:
/// what `tokenvault agent` and the desktop app both call.
pub async fn start_agent(vault: Arc<Vault>, options: Options) -> Result<Started, Failure> {
    tokenvault_agent::start(vault, handler(), options)
        .await
        .map_err(|e| match e {
            StartError::AlreadyServed(_) | StartError::Unchecked { .. } => {
                Failure::Usage(e.to_string())
            }
            StartError::Local(error) => Failure::Core(error),
        })
}

fn options(lock_after: Option<Duration>, lock_on_screen_lock: bool) -> Options {
    Options {
        lock_after: lock_after.map(|after| {
            StdDuration::from_secs(u64::try_from(after.whole_seconds().max(1)).unwrap_or(1))
        }),
        lock_on_screen_lock: Arc::new(AtomicBool::new(lock_on_screen_lock)),
        show_window: None,
    }
}

/// `tokenvault agent`: holds the vault open, keeps its tokens fresh, and serves the
/// command line until SIGINT or SIGTERM.
pub async fn serve(
    home: Option<&Path>,
    passphrase_stdin: bool,
    lock_after: Option<Duration>,
    lock_on_screen_lock: bool,
) -> Outcome {
    let vault = Arc::new(open_vault(home, passphrase_stdin).await?);
    let started = start_agent(Arc::clone(&vault), options(lock_after, lock_on_screen_lock)).await?;
    let keeping = tokio::spawn(Arc::new(Keeper::new(Arc::clone(&vault))).run());
    #[cfg(not(target_os = "linux"))]
    if lock_on_screen_lock {
        output::note("tokenvault agent: screen-lock events are only followed on Linux");
    }
    output::note(&format!(
        "tokenvault agent: serving {} (store: {}); stop with Ctrl+C",
        started.address().display(),
        vault.store().tier()
    ));
    stopped().await;
    keeping.abort();
    started.stop();
    output::note("tokenvault agent: stopped");
    Ok(())
}

/// `tokenvault agent --detach`: the same agent in the background, its own process group
/// (so the terminal's Ctrl+C does not reach it), its output in `agent.log`; returns once it
/// listens.
pub async fn detach(
    home: Option<&Path>,
    lock_after: Option<Duration>,
    lock_on_screen_lock: bool,
) -> Outcome {
    let home = home_at(home)?;
    if matches!(ask(home.path(), Request::Ping).await, Asked::Answered(_)) {
        // Starting on demand is safe to repeat: the agent that answers stays.
        output::note("tokenvault agent: already running for this folder");
        return Ok(());
    }
    let log_path = home.path().join("agent.log");
    let cannot_log =
        |e: std::io::Error| Failure::Usage(format!("cannot write {}: {e}", log_path.display()));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(cannot_log)?;
    let me = std::env::current_exe()
        .map_err(|e| Failure::Usage(format!("cannot find this program: {e}")))?;
    let mut command = std::process::Command::new(me);
    command.arg("--home").arg(home.path()).arg("agent");
    if let Some(after) = lock_after {
        command
            .arg("--lock-after")
            .arg(format!("{}s", after.whole_seconds()));
    }
    if lock_on_screen_lock {
        command.arg("--lock-on-screen-lock");
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    // No console of its own, and its own process group: the terminal's Ctrl+C stays there.
    #[cfg(windows)]
    std::os::windows::process::CommandExt::creation_flags(&mut command, 0x0000_0008 | 0x0000_0200);
    let err = log.try_clone().map_err(cannot_log)?;
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(err)
        .spawn()
        .map_err(|e| Failure::Usage(format!("cannot start the agent: {e}")))?;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().ok().flatten() {
            return Err(Failure::Relayed {
                message: format!(
                    "the agent stopped at once ({status}); see {}",
                    log_path.display()
                ),
                exit: exit::LOCAL,
            });
        }
        if matches!(ask(home.path(), Request::Ping).await, Asked::Answered(_)) {
            output::note(&format!(
                "tokenvault agent: started in the background (pid {}); log: {}",
                child.id(),
                log_path.display()
            ));
            return Ok(());
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    Err(Failure::Relayed {
        message: format!(
            "the agent did not answer within 10 s; see {}",
            log_path.display()
        ),
        exit: exit::LOCAL,
    })
}

/// Completes on Ctrl+C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `tokenvault lock` and `unlock`.
pub async fn set_locked(home: Option<&Path>, lock: bool) -> Outcome {
    let home = home_at(home)?;
    let request = if lock { Request::Lock } else { Request::Unlock };
    match ask(home.path(), request).await {
        Asked::Answered(reply) if reply.refused.is_none() => {
            output::note(if reply.locked {
                "the agent is locked: it serves nothing until `tokenvault unlock`"
            } else {
                "the agent is unlocked"
            });
            Ok(())
        }
        Asked::Answered(reply) => relay(reply),
        Asked::NoAgent => Err(Failure::Usage(format!(
            "no agent serves {}; start one with `tokenvault agent`",
            home.path().display()
        ))),
        Asked::Unsafe(why) | Asked::Broken(why) => Err(Failure::Relayed {
            message: why,
            exit: exit::LOCAL,
        }),
    }
}
