//! The commands the window may call.

use serde::Serialize;
use tauri::State;

use crate::Shell;
use crate::view::{self, AccountView, FailureView};

/// Every account with its token status.
#[tauri::command]
pub fn list_accounts(shell: State<'_, Shell>) -> Vec<AccountView> {
    view::accounts(&shell.statuses.borrow())
}

/// What the app runs on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    mode: &'static str,
    demo_api: Option<String>,
    secret_store: Option<String>,
    data_folder: Option<String>,
    problem: Option<FailureView>,
}

/// The version, the mode, where secrets are kept, and any problem opening the vault.
#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> AppInfo {
    let about = &shell.about;
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        mode: if about.demo_api.is_some() {
            "demo"
        } else {
            "vault"
        },
        demo_api: about.demo_api.clone(),
        secret_store: about.secret_store.clone(),
        data_folder: about.data_folder.clone(),
        problem: about.problem.as_ref().map(FailureView::from),
    }
}
