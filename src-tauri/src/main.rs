//! Tokenvault's desktop app: a window over the core's keeper of accounts.
//!
//! `tokenvault-desktop --demo` (or `TOKENVAULT_DEMO=1`) starts the built-in demo API
//! in-process and shows one account per login dialect.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod demo;
mod view;

use std::sync::Arc;

use tauri::{Emitter, Manager};
use tokenvault_core::keeper::Keeper;

/// What the window shows: a demo or (soon) the user's vault.
#[derive(Debug)]
pub struct Shell {
    keeper: Arc<Keeper>,
    demo: Option<demo::Demo>,
}

fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TOKENVAULT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();

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
                    Ok(Shell::empty())
                }
            })?;
            let keeper = Arc::clone(&shell.keeper);
            let handle = app.handle().clone();
            app.manage(shell);
            tauri::async_runtime::spawn(async move {
                let mut changes = keeper.subscribe();
                keeper.start();
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

impl Shell {
    fn empty() -> Self {
        Self {
            keeper: Arc::new(Keeper::new(Arc::new(tokenvault_core::clock::SystemClock))),
            demo: None,
        }
    }
}
