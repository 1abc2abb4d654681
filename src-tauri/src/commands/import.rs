//! An account's profile from what the user has: the curl command of its login, pasted in
//! the add form.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenvault_core::Secret;
use tokenvault_core::import::draft::CurlImport;

use super::{IpcResult, vault};
use crate::Shell;

/// The curl command and what the form already says.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CurlForm {
    /// The account's name.
    name: String,
    /// The curl command of the login (its password is never kept).
    command: String,
    /// The base URL, when the form has one.
    #[serde(default)]
    base_url: Option<String>,
    /// Who logs in, when the form has it.
    #[serde(default)]
    identity: Option<String>,
    /// Whether up to three usual refresh calls may be tried.
    #[serde(default)]
    try_refresh: bool,
    #[serde(default)]
    allow_plain_http: bool,
}

/// The profile made from a curl command: its text for the form, and each decision.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CurlDraftView {
    /// The profile file's text (no secret in it).
    profile_source: String,
    base_url: String,
    identity: String,
    /// One line per decision: what was found where.
    decisions: Vec<String>,
}

fn filled(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Reads the command, logs in once with `password`, and finds where the tokens are;
/// nothing is stored.
#[tauri::command]
pub async fn draft_from_curl(
    shell: State<'_, Shell>,
    form: CurlForm,
    password: String,
) -> IpcResult<CurlDraftView> {
    let vault = vault(&shell)?;
    let import = CurlImport {
        name: form.name,
        command: form.command,
        base_url: filled(form.base_url),
        identity: filled(form.identity),
        try_refresh: form.try_refresh,
        allow_plain_http: form.allow_plain_http,
    };
    let draft = vault
        .draft_from_curl(&import, &Secret::new(password), None)
        .await?;
    Ok(CurlDraftView {
        profile_source: draft.toml(),
        base_url: draft.base_url,
        identity: draft.identity,
        decisions: draft.decisions,
    })
}
