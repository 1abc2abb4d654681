//! While the app runs on a vault, it is that vault's token agent: the command line's
//! `tokenvault token` and the others are answered from the app's open vault, started the
//! same way `tokenvault agent` starts (tokenvault-cli's `start_agent`). If another agent
//! already serves the folder, the app leaves it be.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use tokenvault_agent::client::{Asked, ask};
use tokenvault_agent::protocol::Request;
use tokenvault_agent::{Options, ShowWindow, Started};
use tokenvault_core::Vault;
use tokenvault_core::vault::home::Home;

/// The running agent, for the tray's lock item and the exit.
static RUNNING: OnceLock<Started> = OnceLock::new();

/// Whether a screen lock locks the agent (a preference; on unless the user turns it off).
static LOCK_ON_SCREEN_LOCK: LazyLock<Arc<AtomicBool>> =
    LazyLock::new(|| Arc::new(AtomicBool::new(true)));

/// Follows the preference.
pub fn lock_on_screen_lock(enabled: bool) {
    LOCK_ON_SCREEN_LOCK.store(enabled, Ordering::SeqCst);
}

/// Starts serving the command line for `vault` in the background; a second launch of the
/// app on the vault asks this agent to `show` the window.
pub fn serve(vault: Arc<Vault>, show: ShowWindow) {
    tauri::async_runtime::spawn(async move {
        let options = Options {
            lock_after: None,
            lock_on_screen_lock: Arc::clone(&LOCK_ON_SCREEN_LOCK),
            show_window: Some(show),
        };
        match tokenvault_cli::commands::start_agent(vault, options).await {
            Ok(started) => {
                tracing::info!(
                    "serving the command line at {}",
                    started.address().display()
                );
                let _ = RUNNING.set(started);
            }
            Err(e) => tracing::warn!("not serving the command line: {e}"),
        }
    });
}

/// Whether an app already serves the vault of `TOKENVAULT_HOME` (or the OS's data folder):
/// if so, it was asked to show its window. An agent of the command line, which has no window,
/// or none at all, gives false: this launch opens the vault itself.
pub fn show_running_app() -> bool {
    let Ok(home) = Home::resolve() else {
        return false;
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return false;
    };
    let asked = runtime.block_on(async {
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            ask(home.path(), Request::Show),
        )
        .await
    });
    matches!(asked, Ok(Asked::Answered(reply)) if reply.refused.is_none())
}

/// Removes the app's socket as it exits, so no client finds a socket nobody answers.
pub fn stop_serving() {
    if let Some(started) = RUNNING.get() {
        started.stop();
    }
}

/// Locks or unlocks the agent; says whether it is locked now (`None` when not serving).
pub fn set_locked(locked: bool) -> Option<bool> {
    let agent = RUNNING.get()?.agent();
    if locked {
        agent.lock();
    } else {
        agent.unlock();
    }
    Some(agent.is_locked())
}

/// Whether the agent is locked (`None` when not serving).
pub fn is_locked() -> Option<bool> {
    RUNNING.get().map(|s| s.agent().is_locked())
}
