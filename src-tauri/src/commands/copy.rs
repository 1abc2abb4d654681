//! Copying tokens: fresh for at least a minute, in the form the user pastes, cleared
//! from the clipboard after the chosen delay if still there.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tokenvault_core::Secret;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::vault::audit::AuditKind;

use super::{IpcResult, vault};
use crate::Shell;
use crate::settings::Preferences;
use crate::view::{FailureView, millis};

/// The app's clipboard, alive as long as the app.
#[derive(Debug)]
pub struct Clipboard(pub &'static crate::clipboard::Clipboard);

/// A copied token is valid at least this long.
const MIN_VALID_SECONDS: i64 = 60;

/// What a copy did: never the token itself.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    format: &'static str,
    expires_at: Option<i64>,
    clears_at: Option<i64>,
    clears_in_seconds: u32,
}

/// The text for each copy format.
fn formatted(format: &str, token: &str, base_url: &str) -> (&'static str, String) {
    match format {
        "raw" => ("raw", token.to_owned()),
        "header" => ("header", format!("Authorization: Bearer {token}")),
        "curl" => (
            "curl",
            format!(
                "curl -H 'Authorization: Bearer {token}' '{}/'",
                base_url.trim_end_matches('/')
            ),
        ),
        _ => ("bearer", format!("Bearer {token}")),
    }
}

/// Makes sure the account's token stays valid for a minute (renewing first if not) and
/// copies it as `Bearer <token>`, the raw token, an `Authorization:` header line, or a
/// curl command.
#[tauri::command]
pub async fn copy_token(app: AppHandle, id: String, format: String) -> IpcResult<CopyReceipt> {
    copy_fresh(&app, &id, &format).await
}

/// [`copy_token`] for any part of the app (the tray, the quick switcher).
pub async fn copy_fresh(app: &AppHandle, id: &str, format: &str) -> IpcResult<CopyReceipt> {
    let shell = app.state::<Shell>();
    let vault = vault(&shell)?;
    let (token, _) = vault
        .access_token(id, time::Duration::seconds(MIN_VALID_SECONDS))
        .await?;
    let base_url = vault.catalog()?.account(id)?.base_url.clone();
    let (format, text) = formatted(format, token.value.expose(), &base_url);
    let receipt = put(
        &app.state::<Clipboard>(),
        &app.state::<Preferences>(),
        Secret::new(text),
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
    let token = vault.private_token(&id, &token_id).await?.ok_or_else(|| {
        FailureView::new(
            "not_found",
            "this vault does not hold that private token's value: it was created elsewhere \
                 or before this vault; create a new one to copy it"
                .into(),
        )
    })?;
    let receipt = put(&clipboard, &preferences, token, "raw")?;
    vault.audit_event(&id, AuditKind::Copy, "ok");
    Ok(receipt)
}

/// Clears the clipboard now if it still holds the last token copied; says whether it did.
#[tauri::command]
pub fn clear_clipboard(clipboard: State<'_, Clipboard>) -> bool {
    clipboard.0.clear_now()
}

fn put(
    clipboard: &Clipboard,
    preferences: &Preferences,
    text: Secret,
    format: &'static str,
) -> IpcResult<CopyReceipt> {
    let delay = preferences.get().clipboard_clear_seconds;
    clipboard
        .0
        .copy(text, std::time::Duration::from_secs(u64::from(delay)))
        .map_err(|problem| {
            FailureView::new("clipboard", format!("cannot use the clipboard: {problem}"))
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

#[cfg(test)]
mod tests {
    use super::formatted;

    #[test]
    fn each_format_wraps_the_token_as_it_is_pasted() {
        assert_eq!(formatted("bearer", "t0k", "").1, "Bearer t0k");
        assert_eq!(formatted("raw", "t0k", "").1, "t0k");
        assert_eq!(
            formatted("header", "t0k", "").1,
            "Authorization: Bearer t0k"
        );
        assert_eq!(
            formatted("curl", "t0k", "https://api.example/v1/").1,
            "curl -H 'Authorization: Bearer t0k' 'https://api.example/v1/'"
        );
    }
}
