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

/// The app's clipboard, alive as long as the app.
#[derive(Debug)]
pub struct Clipboard(pub &'static crate::clipboard::Clipboard);

/// How long a copied token stays on the clipboard.
const CLEAR_AFTER_SECONDS: u64 = 30;

/// A copied token is valid at least this long.
const MIN_VALID_SECONDS: i64 = 60;

/// What a copy did: never the token itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    format: &'static str,
    expires_at: Option<i64>,
    clears_in_seconds: u64,
}

/// Makes sure the account's token stays valid for a minute (renewing first if not) and
/// copies it as `Bearer <token>`, the raw token, or an `Authorization:` header line.
#[tauri::command]
pub async fn copy_token(
    shell: State<'_, Shell>,
    clipboard: State<'_, Clipboard>,
    id: String,
    format: String,
) -> Result<CopyReceipt, FailureView> {
    let token = shell
        .tokens
        .fresh(&id, time::Duration::seconds(MIN_VALID_SECONDS))
        .await
        .map_err(|e| FailureView::from(&tokenvault_core::keeper::Failure::from(&e)))?;
    let (format, text) = match format.as_str() {
        "raw" => ("raw", token.value.expose().to_owned()),
        "header" => (
            "header",
            format!("Authorization: Bearer {}", token.value.expose()),
        ),
        _ => ("bearer", format!("Bearer {}", token.value.expose())),
    };
    clipboard
        .0
        .copy(
            tokenvault_core::Secret::new(text),
            std::time::Duration::from_secs(CLEAR_AFTER_SECONDS),
        )
        .map_err(|problem| {
            FailureView::new("clipboard", format!("cannot use the clipboard: {problem}"))
        })?;
    Ok(CopyReceipt {
        format,
        expires_at: token
            .expires_at
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
        clears_in_seconds: CLEAR_AFTER_SECONDS,
    })
}
