//! While the app runs on a vault, it is that vault's token agent: the command line's
//! `tokenvault token` and the others are answered from the app's open vault, started the
//! same way `tokenvault agent` starts (tokenvault-cli's `start_agent`). If another agent
//! already serves the folder, the app leaves it be.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use tokenvault_agent::{Options, Started};
use tokenvault_core::Vault;

/// The running agent, for the tray's lock item and the exit.
static RUNNING: OnceLock<Started> = OnceLock::new();

/// Whether a screen lock locks the agent (a preference; on unless the user turns it off).
static LOCK_ON_SCREEN_LOCK: LazyLock<Arc<AtomicBool>> =
    LazyLock::new(|| Arc::new(AtomicBool::new(true)));

/// Follows the preference.
pub fn lock_on_screen_lock(enabled: bool) {
    LOCK_ON_SCREEN_LOCK.store(enabled, Ordering::SeqCst);
}

/// Starts serving the command line for `vault` in the background.
pub fn serve(vault: Arc<Vault>) {
    tauri::async_runtime::spawn(async move {
        let options = Options {
            lock_after: None,
            lock_on_screen_lock: Arc::clone(&LOCK_ON_SCREEN_LOCK),
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
