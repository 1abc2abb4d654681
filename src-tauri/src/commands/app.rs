//! The app's facts, preferences and audit trail.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tokenvault_core::vault::audit::AuditEvent;

use super::{IpcResult, vault};
use crate::settings::{Preferences, Settings};
use crate::view::{FailureView, ShellCode};
use crate::{About, Shell};

/// What the app runs on (also sent as the `app-info-changed` event).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    #[ts(type = "\"demo\" | \"vault\"")]
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

/// The preferences in force.
#[tauri::command]
pub fn get_settings(preferences: State<'_, Preferences>) -> Settings {
    preferences.get()
}

/// Changes the preferences; a new refresh lead applies at once.
#[tauri::command]
pub fn set_settings(
    app: AppHandle,
    shell: State<'_, Shell>,
    preferences: State<'_, Preferences>,
    settings: Settings,
) -> IpcResult<Settings> {
    let mut settings = settings;
    let before = preferences.get();
    settings.window = before.window;
    preferences.set(&app, settings.clone())?;
    if settings.shortcut != before.shortcut {
        crate::shortcut::apply(&app, &settings.shortcut);
    }
    crate::agent::lock_on_screen_lock(settings.lock_agent_on_screen_lock);
    if let Ok(keeper) = shell.vault.keeper() {
        keeper.set_refresh_lead(time::Duration::seconds(i64::from(
            settings.refresh_lead_seconds,
        )));
    }
    Ok(settings)
}

/// The global shortcut in force, and why the one asked for is not.
#[tauri::command]
pub fn shortcut_status(app: AppHandle) -> crate::shortcut::ShortcutStatus {
    app.try_state::<crate::shortcut::Shortcuts>()
        .map(|s| s.status())
        .unwrap_or_default()
}

/// The most recent events of the audit trail, newest first (kinds, accounts and
/// outcomes: never a secret).
#[tauri::command]
pub async fn audit_events(
    shell: State<'_, Shell>,
    limit: Option<usize>,
) -> IpcResult<Vec<AuditEvent>> {
    let vault = vault(&shell)?;
    let mut events = vault.audit().recent(limit.unwrap_or(200).min(2000))?;
    events.reverse();
    Ok(events)
}

/// The command-line agent the app runs: whether it serves, and whether it is locked.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentState {
    serving: bool,
    locked: bool,
}

/// Whether the app serves the command line, and whether that is locked.
#[tauri::command]
pub fn agent_state() -> AgentState {
    let locked = crate::agent::is_locked();
    AgentState {
        serving: locked.is_some(),
        locked: locked.unwrap_or(false),
    }
}

/// Locks or unlocks the command-line agent.
#[tauri::command]
pub fn set_agent_locked(locked: bool) -> IpcResult<AgentState> {
    crate::agent::set_locked(locked).ok_or_else(|| {
        FailureView::new(
            ShellCode::NoAgent,
            "the app does not serve the command line (another agent serves this vault, or the vault is not open)".into(),
        )
    })?;
    Ok(agent_state())
}

/// The instant the app started, for how long its window took to show the accounts.
#[derive(Debug, Clone, Copy)]
pub struct Launched(pub std::time::Instant);

/// The window has painted its first list of accounts: the log says how long after launch,
/// the figure a slow start is judged by (and the one `./dev bench` reads).
#[tauri::command]
pub fn window_painted(launched: State<'_, Launched>, accounts: u32) {
    tracing::info!(
        "window painted with {accounts} accounts, {} ms after launch",
        launched.0.elapsed().as_millis()
    );
}
