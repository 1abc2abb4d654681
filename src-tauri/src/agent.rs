//! While the app runs on a vault, it is that vault's token agent: the command line's
//! `tokenvault token` and the others are answered from the app's open vault, the same way
//! `tokenvault agent` answers them (see tokenvault-cli's `agent`). If another agent already
//! serves the folder, the app leaves it be.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokenvault_cli::agent::server::{self, Agent};
use tokenvault_cli::run::Vault;
use tokenvault_core::vault::accounts::Accounts;
use tokenvault_core::vault::home::Home;

/// The running agent, for the tray's lock item.
static RUNNING: OnceLock<Arc<Agent>> = OnceLock::new();

/// The socket the app listens on, removed when it exits.
static SOCKET: OnceLock<PathBuf> = OnceLock::new();

/// Whether a screen lock locks the agent (a preference; on unless the user turns it off).
static LOCK_ON_SCREEN_LOCK: AtomicBool = AtomicBool::new(true);

/// Follows the preference.
pub fn lock_on_screen_lock(enabled: bool) {
    LOCK_ON_SCREEN_LOCK.store(enabled, Ordering::SeqCst);
}

/// Starts serving the command line for `home` in the background.
pub fn serve(home: Home, accounts: Arc<Accounts>) {
    tauri::async_runtime::spawn(async move {
        let (listener, socket) = match server::bind(home.path()).await {
            Ok(bound) => bound,
            Err(e) => {
                tracing::warn!("not serving the command line: {e}");
                return;
            }
        };
        let _ = SOCKET.set(socket.clone());
        let agent = Agent::new(Arc::new(Vault::from_open(home, accounts)));
        let _ = RUNNING.set(Arc::clone(&agent));
        #[cfg(target_os = "linux")]
        {
            let watched = Arc::clone(&agent);
            tokenvault_cli::agent::screen::on_screen_lock(move || {
                if LOCK_ON_SCREEN_LOCK.load(Ordering::SeqCst) && !watched.is_locked() {
                    tracing::info!("the command-line agent locked: the screen locked");
                    watched.lock();
                }
            });
        }
        tracing::info!("serving the command line at {}", socket.display());
        server::serve(agent, listener, std::future::pending()).await;
    });
}

/// Removes the app's socket as it exits, so no client finds a socket nobody answers.
pub fn stop_serving() {
    if let Some(socket) = SOCKET.get() {
        let _ = std::fs::remove_file(socket);
    }
}

/// Locks or unlocks the agent; says whether it is locked now (`None` when not serving).
pub fn set_locked(locked: bool) -> Option<bool> {
    let agent = RUNNING.get()?;
    if locked {
        agent.lock();
    } else {
        agent.unlock();
    }
    Some(agent.is_locked())
}

/// Whether the agent is locked (`None` when not serving).
pub fn is_locked() -> Option<bool> {
    RUNNING.get().map(|a| a.is_locked())
}
