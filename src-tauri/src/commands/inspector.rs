//! The JWT inspector: a pasted token or an account's, decoded offline, and checked
//! against a secret, a PEM key or a JWKS only when the user gives one (an account's token
//! also with the keys its server publishes). An account's token that is not a JWT is
//! described by its server instead, where the profile can ask (introspection).

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenvault_core::Secret;
use tokenvault_core::auth::{Authenticator, HttpOptions};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::{Key, Report, Verification, bare_token, inspect};

use super::{IpcResult, vault};
use crate::Shell;
use crate::view::{FailureView, ShellCode};

/// What an account's server says of its opaque token (RFC 7662); never the token.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IntrospectionView {
    /// The endpoint that answered.
    by: String,
    active: bool,
    identity: Option<String>,
    subject: Option<String>,
    client: Option<String>,
    scope: Option<String>,
    /// Unix milliseconds.
    expires_at: Option<i64>,
}

/// Asks the account's server about its stored access token, where the profile names an
/// introspection endpoint; `null` where it does not.
#[tauri::command]
pub async fn introspect_account(
    shell: State<'_, Shell>,
    account_id: String,
) -> IpcResult<Option<IntrospectionView>> {
    let answer = vault(&shell)?.introspect(&account_id).await?;
    Ok(answer.map(|answer| IntrospectionView {
        by: answer.url.clone(),
        active: answer.active,
        identity: answer.text("username").map(str::to_owned),
        subject: answer.text("sub").map(str::to_owned),
        client: answer.text("client_id").map(str::to_owned),
        scope: answer.text("scope").map(str::to_owned),
        expires_at: crate::view::millis(answer.expires_at()),
    }))
}

/// A key to check the signature with, as the window sends it.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum KeyInput {
    /// A shared HMAC secret.
    Secret(String),
    /// A PEM public key's text.
    Pem(String),
    /// A JWKS URL.
    Jwks(String),
}

/// Decodes a pasted token, or the account's access token when `account_id` is given,
/// and checks its signature when a key is given.
#[tauri::command]
pub async fn inspect_token(
    shell: State<'_, Shell>,
    token: Option<String>,
    account_id: Option<String>,
    key: Option<KeyInput>,
) -> IpcResult<Report> {
    let account = account_id.clone();
    let token = match (account_id, token) {
        (Some(id), _) => vault(&shell)?
            .stored_access_token(&id)
            .await?
            .map(|t| t.value)
            .ok_or_else(|| {
                FailureView::new(ShellCode::NoToken, "this account holds no token yet".into())
            })?,
        (None, Some(text)) => Secret::new(bare_token(&text).to_owned()),
        (None, None) => {
            return Err(FailureView::invalid(
                ShellCode::NotAJwt,
                "token",
                "paste a token to inspect".into(),
            ));
        }
    };
    let seen = inspect(token.expose(), SystemClock.now()).map_err(|e| {
        FailureView::invalid(
            ShellCode::NotAJwt,
            "token",
            format!("this is not a readable JWT: {e}"),
        )
    })?;
    let key = key.map(Key::from);
    let verification = match (account, key) {
        // An account's token: the key given, or the keys its server publishes.
        (Some(id), key) => vault(&shell)?.check_signature(&id, &token, key).await?,
        (None, None) => Verification::Unverified,
        (None, Some(key)) => {
            let http = Authenticator::new(HttpOptions::default())?;
            key.verify(token.expose(), &http).await?
        }
    };
    Ok(Report::new(&seen, &verification))
}

impl From<KeyInput> for Key {
    fn from(input: KeyInput) -> Self {
        match input {
            KeyInput::Secret(secret) => Key::Secret(Secret::new(secret)),
            KeyInput::Pem(pem) => Key::Pem(pem.into_bytes()),
            KeyInput::Jwks(url) => Key::Jwks(url),
        }
    }
}
