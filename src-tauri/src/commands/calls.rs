//! Calls an account makes with its fresh access token: one-time token verification,
//! and private tokens (list, create, revoke).

use serde::Serialize;
use tauri::State;
use tokenvault_core::Secret;
use tokenvault_core::auth::PrivateTokenInfo;

use super::{IpcResult, vault};
use crate::Shell;
use crate::view::millis;

/// A one-time token's verdict.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OttVerdict {
    valid: bool,
    identity: Option<String>,
    reason: Option<String>,
}

/// What the profile's validate call said of the account's token.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ValidationView {
    /// Whose token it is, when the answer names them.
    identity: Option<String>,
    /// The whole answer (user details; never a token).
    #[ts(type = "unknown")]
    details: serde_json::Value,
}

/// Checks the account's fresh token with its profile's validate call.
#[tauri::command]
pub async fn validate_account(shell: State<'_, Shell>, id: String) -> IpcResult<ValidationView> {
    let validation = vault(&shell)?.validate(&id).await?;
    Ok(ValidationView {
        identity: validation.identity,
        details: validation.details,
    })
}

/// Asks the account's API whether a one-time token is valid.
#[tauri::command]
pub async fn verify_ott(shell: State<'_, Shell>, id: String, ott: String) -> IpcResult<OttVerdict> {
    let outcome = vault(&shell)?.verify_ott(&id, &Secret::new(ott)).await?;
    Ok(OttVerdict {
        valid: outcome.valid,
        identity: outcome.identity,
        reason: outcome.reason,
    })
}

/// A private token as listed: never its value.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PrivateToken")]
pub struct PrivateTokenView {
    id: String,
    label: String,
    expires_at: Option<i64>,
}

impl From<&PrivateTokenInfo> for PrivateTokenView {
    fn from(info: &PrivateTokenInfo) -> Self {
        Self {
            id: info.id.clone(),
            label: info.label.clone(),
            expires_at: millis(info.expires_at),
        }
    }
}

/// The account's private tokens, as its API lists them.
#[tauri::command]
pub async fn list_private_tokens(
    shell: State<'_, Shell>,
    id: String,
) -> IpcResult<Vec<PrivateTokenView>> {
    let tokens = vault(&shell)?.list_private_tokens(&id).await?;
    Ok(tokens.iter().map(PrivateTokenView::from).collect())
}

/// A private token just created. Its value is in this one reply because the user asked
/// to see it once; it is also kept in the secret store, from where "copy" takes it.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "CreatedPrivateToken")]
pub struct CreatedView {
    info: PrivateTokenView,
    token: String,
}

/// Creates a private token that lives `lifetime_seconds`.
#[tauri::command]
pub async fn create_private_token(
    shell: State<'_, Shell>,
    id: String,
    label: String,
    lifetime_seconds: i64,
) -> IpcResult<CreatedView> {
    let vault = vault(&shell)?;
    let expires_at = vault
        .clock()
        .now()
        .saturating_add(time::Duration::seconds(lifetime_seconds));
    let created = vault.create_private_token(&id, &label, expires_at).await?;
    Ok(CreatedView {
        info: PrivateTokenView::from(&created.info),
        token: created.token.expose().to_owned(),
    })
}

/// Revokes a private token.
#[tauri::command]
pub async fn revoke_private_token(
    shell: State<'_, Shell>,
    id: String,
    token_id: String,
) -> IpcResult<()> {
    vault(&shell)?.revoke_private_token(&id, &token_id).await?;
    Ok(())
}
