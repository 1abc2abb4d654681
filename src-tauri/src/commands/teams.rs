//! The teams this vault is connected to, and syncing them on demand (the window's "Sync now").
//! Connecting and sharing stay on the command line (`tokenvault team`), which asks for the
//! engine's token or password where a terminal can keep it off the screen.

use serde::Serialize;
use tauri::State;
use tokenvault_core::team::TeamRecord;
use tokenvault_core::vault::catalog::Catalog;

use super::{IpcResult, vault};
use crate::Shell;
use crate::view::millis;

/// A connected team as the window shows it: no secret, the engine's token only as its expiry.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    name: String,
    addresses: Vec<String>,
    /// Who this vault is to the engine (`userpass-alice`).
    member: String,
    /// The team's accounts held in this vault.
    accounts: usize,
    token_expires_at: Option<i64>,
    last_sync: Option<TeamSyncView>,
}

/// How the last sync of a team ended.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamSyncView {
    at: i64,
    /// `ok`, or the error's code.
    outcome: String,
    /// What it did (`2 added, 0 updated, ...`), or why it failed.
    message: String,
}

fn view_of(team: &TeamRecord, catalog: &Catalog) -> TeamView {
    TeamView {
        name: team.name.clone(),
        addresses: team.addresses.clone(),
        member: team.member.clone(),
        accounts: catalog
            .accounts
            .iter()
            .filter(|a| a.team.as_ref().is_some_and(|l| l.team == team.name))
            .count(),
        token_expires_at: millis(team.token_expires_at),
        last_sync: team.last_sync.as_ref().map(|s| TeamSyncView {
            at: millis(Some(s.at)).unwrap_or_default(),
            outcome: s.outcome.clone(),
            message: s.message.clone(),
        }),
    }
}

/// The connected teams.
#[tauri::command]
pub fn list_teams(shell: State<'_, Shell>) -> IpcResult<Vec<TeamView>> {
    let catalog = vault(&shell)?.catalog()?;
    Ok(catalog.teams.iter().map(|t| view_of(t, &catalog)).collect())
}

/// Syncs the team now and answers how it stands after. A failed sync is not an error of
/// this call: it is the team's last sync, with its code and reason.
#[tauri::command]
pub async fn sync_team(shell: State<'_, Shell>, name: String) -> IpcResult<TeamView> {
    let vault = vault(&shell)?;
    if let Err(e) = vault.sync_team(&name).await {
        tracing::warn!(code = %e.code(), "team {name} not synced: {e}");
    }
    let catalog = vault.catalog()?;
    Ok(view_of(catalog.team(&name)?, &catalog))
}
