//! The commands the window may call.

use serde::Serialize;
use tauri::State;

use crate::view::{self, AccountView, FailureView};
use crate::{About, Shell};

/// Every account with its token status.
#[tauri::command]
pub fn list_accounts(shell: State<'_, Shell>) -> Vec<AccountView> {
    view::accounts(&shell.statuses.borrow())
}

/// What the app runs on (also sent as the `app-info-changed` event).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    mode: &'static str,
    opening: bool,
    demo_api: Option<String>,
    secret_store: Option<String>,
    data_folder: Option<String>,
    problem: Option<FailureView>,
}

impl From<&About> for AppInfo {
    fn from(about: &About) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION"),
            mode: if about.demo_api.is_some() {
                "demo"
            } else {
                "vault"
            },
            opening: about.opening,
            demo_api: about.demo_api.clone(),
            secret_store: about.secret_store.clone(),
            data_folder: about.data_folder.clone(),
            problem: about.problem.as_ref().map(FailureView::from),
        }
    }
}

/// The version, the mode, where secrets are kept, and any problem opening the vault.
#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> AppInfo {
    AppInfo::from(&*shell.about.borrow())
}
