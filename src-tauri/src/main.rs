//! Tokenvault's desktop app: a window over the core's keepers of accounts.
//!
//! `tokenvault-desktop` shows the vault of `TOKENVAULT_HOME` (or the OS's data folder);
//! `tokenvault-desktop --demo` (or `TOKENVAULT_DEMO=1`) starts the built-in demo API
//! in-process and shows one account per preset instead.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod demo;
mod vault;
mod view;

use tauri::{Emitter, Manager};
use tokenvault_core::keeper::{AccountStatus, Failure};
use tokio::sync::watch;

/// What the window shows, whichever backs it.
#[derive(Debug)]
pub struct Shell {
    statuses: watch::Receiver<Vec<AccountStatus>>,
    about: watch::Receiver<About>,
    /// Keeps the demo API running as long as the app.
    _demo: Option<demo::Demo>,
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
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::app_info
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
