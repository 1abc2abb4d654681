//! The commands the window may call.

use serde::Serialize;
use tauri::State;

use crate::Shell;
use crate::view::{self, AccountView};

/// Every account with its token status.
#[tauri::command]
pub fn list_accounts(shell: State<'_, Shell>) -> Vec<AccountView> {
    view::accounts(&shell.keeper.statuses())
}

/// What the app runs on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    mode: &'static str,
    demo_api: Option<String>,
}

/// The version, and whether this is the demo.
#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        mode: if shell.demo.is_some() {
            "demo"
        } else {
            "vault"
        },
        demo_api: shell
            .demo
            .as_ref()
            .map(|d| format!("http://{}", d.server.addr())),
    }
}
