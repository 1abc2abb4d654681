//! Copying tokens: fresh for at least a minute, in the form the user pastes, cleared
//! from the clipboard after the chosen delay if still there.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tokenvault_core::Secret;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::handover::TokenForm;
use tokenvault_core::vault::audit::AuditKind;

use super::{IpcResult, vault};
use crate::Shell;
use crate::clipboard::Clipboard;
use crate::settings::Preferences;
use crate::view::{FailureView, ShellCode, millis};

/// A copied token is valid at least this long.
const MIN_VALID_SECONDS: i64 = 60;

/// What a copy did: never the token itself.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    format: TokenForm,
    expires_at: Option<i64>,
    clears_at: Option<i64>,
    clears_in_seconds: u32,
}

/// Makes sure the account's token stays valid for a minute (renewing first if not) and
/// copies it as `Bearer <token>`, the raw token, an `Authorization:` header line, or a
/// curl command.
#[tauri::command]
pub async fn copy_token(app: AppHandle, id: String, format: TokenForm) -> IpcResult<CopyReceipt> {
    copy_fresh(&app, &id, format).await
}

/// [`copy_token`] for any part of the app (the tray, the quick switcher).
pub async fn copy_fresh(app: &AppHandle, id: &str, format: TokenForm) -> IpcResult<CopyReceipt> {
    let shell = app.state::<Shell>();
    let vault = vault(&shell)?;
    let (token, _) = vault
        .access_token(id, time::Duration::seconds(MIN_VALID_SECONDS))
        .await?;
    let base_url = vault.catalog()?.account(id)?.base_url.clone();
    let receipt = put(
        &app.state::<Clipboard>(),
        &app.state::<Preferences>(),
        format.text(&token.value, &base_url),
        format,
    )?;
    vault.audit_event(id, AuditKind::Copy, "ok");
    Ok(CopyReceipt {
        expires_at: millis(token.expires_at),
        ..receipt
    })
}

/// Copies a private token this vault created.
#[tauri::command]
pub async fn copy_private_token(
    shell: State<'_, Shell>,
    clipboard: State<'_, Clipboard>,
    preferences: State<'_, Preferences>,
    id: String,
    token_id: String,
) -> IpcResult<CopyReceipt> {
    let vault = vault(&shell)?;
    let token = vault.private_token(&id, &token_id).await?;
    let receipt = put(&clipboard, &preferences, token, TokenForm::Raw)?;
    vault.audit_event(&id, AuditKind::Copy, "ok");
    Ok(receipt)
}

/// Clears the clipboard now if it still holds the last token copied; says whether it did.
#[tauri::command]
pub fn clear_clipboard(clipboard: State<'_, Clipboard>) -> bool {
    clipboard.clear_now()
}

fn put(
    clipboard: &Clipboard,
    preferences: &Preferences,
    text: Secret,
    format: TokenForm,
) -> IpcResult<CopyReceipt> {
    let delay = preferences.get().clipboard_clear_seconds;
    clipboard
        .copy(text, std::time::Duration::from_secs(u64::from(delay)))
        .map_err(|problem| {
            FailureView::new(
                ShellCode::Clipboard,
                format!("cannot use the clipboard: {problem}"),
            )
        })?;
    Ok(CopyReceipt {
        format,
        expires_at: None,
        clears_at: millis(Some(
            SystemClock.now() + time::Duration::seconds(i64::from(delay)),
        )),
        clears_in_seconds: delay,
    })
}
