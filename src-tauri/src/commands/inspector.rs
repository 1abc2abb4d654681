//! The JWT inspector: a pasted token or an account's, decoded offline, and checked
//! against a secret, a PEM key or a JWKS only when the user gives one.

use serde::Deserialize;
use tauri::State;
use tokenvault_core::Secret;
use tokenvault_core::auth::{Authenticator, HttpOptions};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::{
    Report, Verification, inspect, verify_with_jwks, verify_with_pem, verify_with_secret,
};

use super::{IpcResult, vault};
use crate::Shell;
use crate::view::{FailureView, ShellCode};

/// A key to check the signature with.
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
    let token = match (account_id, token) {
        (Some(id), _) => vault(&shell)?
            .stored_access_token(&id)
            .await?
            .map(|t| t.value)
            .ok_or_else(|| {
                FailureView::new(ShellCode::NoToken, "this account holds no token yet".into())
            })?,
        (None, Some(text)) => Secret::new(strip_bearer(&text).to_owned()),
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
    let verification = match key {
        None => Verification::Unverified,
        Some(KeyInput::Secret(secret)) => verify_with_secret(token.expose(), &Secret::new(secret)),
        Some(KeyInput::Pem(pem)) => verify_with_pem(token.expose(), pem.as_bytes()),
        Some(KeyInput::Jwks(url)) => {
            let jwks = Authenticator::new(HttpOptions::default())?
                .fetch_jwks(url.trim())
                .await?;
            verify_with_jwks(token.expose(), &jwks, url.trim())
        }
    };
    Ok(Report::new(&seen, &verification))
}

/// A token pasted with its `Bearer ` prefix or `Authorization:` header name.
fn strip_bearer(text: &str) -> &str {
    let text = text.trim();
    let text = text
        .strip_prefix("Authorization:")
        .map_or(text, str::trim_start);
    text.strip_prefix("Bearer ").map_or(text, str::trim_start)
}

#[cfg(test)]
mod tests {
    use super::strip_bearer;

    #[test]
    fn a_pasted_header_line_or_bearer_prefix_is_taken_off() {
        assert_eq!(strip_bearer(" eyJ.a.b "), "eyJ.a.b");
        assert_eq!(strip_bearer("Bearer eyJ.a.b"), "eyJ.a.b");
        assert_eq!(strip_bearer("Authorization: Bearer eyJ.a.b\n"), "eyJ.a.b");
    }
}
