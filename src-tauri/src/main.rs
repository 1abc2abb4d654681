//! Tokenvault's desktop app: a window over the core's keepers of accounts.
//!
//! `tokenvault-desktop` shows the vault of `TOKENVAULT_HOME` (or the OS's data folder);
//! `tokenvault-desktop --demo` (or `TOKENVAULT_DEMO=1`) starts the built-in demo API
//! in-process and shows one account per preset instead.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod clipboard;
mod commands;
mod demo;
mod vault;
mod view;

use std::sync::{Arc, OnceLock};

use tauri::{Emitter, Manager};
use time::Duration;
use tokenvault_core::Error;
use tokenvault_core::auth::Token;
use tokenvault_core::keeper::{AccountStatus, Failure, Keeper};
use tokenvault_core::vault::accounts::Accounts;
use tokenvault_core::vault::audit::AuditKind;
use tokio::sync::watch;

/// What the window shows, whichever backs it.
#[derive(Debug)]
pub struct Shell {
    statuses: watch::Receiver<Vec<AccountStatus>>,
    about: watch::Receiver<About>,
    tokens: Tokens,
    /// Keeps the demo API running as long as the app.
    _demo: Option<demo::Demo>,
}

/// Where fresh tokens come from: the demo's sessions, or the vault once it is open.
#[derive(Debug, Clone)]
pub enum Tokens {
    /// The demo's in-memory sessions.
    Demo(Arc<Keeper>),
    /// The vault's accounts, set when the vault has opened.
    Vault(Arc<OnceLock<Arc<Accounts>>>),
}

impl Tokens {
    /// An access token of the account valid for at least `min_valid`.
    pub async fn fresh(&self, id: &str, min_valid: Duration) -> Result<Token, Error> {
        match self {
            Tokens::Demo(keeper) => keeper.access_token(id, min_valid).await,
            Tokens::Vault(accounts) => {
                let accounts = accounts.get().ok_or_else(|| Error::Storage {
                    action: "open",
                    path: "the vault".into(),
                    problem: "it is still opening".into(),
                })?;
                let (token, _) = accounts.access_token(id, min_valid).await?;
                accounts.audit_event(id, AuditKind::Copy, "ok");
                Ok(token)
            }
        }
    }
}

/// Facts about this run, for the window's header.
#[derive(Debug, Clone, Default)]
pub struct About {
    opening: bool,
    demo_api: Option<String>,
    secret_store: Option<String>,
    data_folder: Option<String>,
    problem: Option<Failure>,
}

fn main() {
    tokenvault_core::logging::init("info");

    let demo_mode = std::env::args().any(|a| a == "--demo")
        || std::env::var("TOKENVAULT_DEMO").is_ok_and(|v| v == "1");

    let result = tauri::Builder::default()
        .manage(commands::Clipboard(Box::leak(Box::default())))
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::app_info,
            commands::copy_token
        ])
        .setup(move |app| {
            let shell = tauri::async_runtime::block_on(async {
                if demo_mode {
                    demo::start().await
                } else {
                    Ok(vault::start())
                }
            })?;
            let mut changes = shell.statuses.clone();
            let mut about = shell.about.clone();
            let handle = app.handle().clone();
            app.manage(shell);
            let info_handle = handle.clone();
            tauri::async_runtime::spawn(async move {
                while about.changed().await.is_ok() {
                    let info = commands::AppInfo::from(&*about.borrow_and_update());
                    if let Err(e) = info_handle.emit("app-info-changed", info) {
                        tracing::warn!("could not send app facts to the window: {e}");
                    }
                }
            });
            tauri::async_runtime::spawn(async move {
                loop {
                    let accounts = view::accounts(&changes.borrow_and_update());
                    if let Err(e) = handle.emit("accounts-changed", accounts) {
                        tracing::warn!("could not send account changes to the window: {e}");
                    }
                    if changes.changed().await.is_err() {
                        break;
                    }
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("tokenvault could not start: {e}");
        std::process::exit(1);
    }
}
