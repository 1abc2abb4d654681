//! Desktop preferences: refresh lead, clipboard-clear delay, theme and window place,
//! kept with tauri-plugin-store in `desktop-settings.json` beside the vault's catalog.
//! They hold no secret.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use tokenvault_core::ErrorCode;

use crate::view::{FailureView, ShellCode};

/// The store's file name, in the data folder.
pub const FILE_NAME: &str = "desktop-settings.json";
const KEY: &str = "settings";

/// The user's preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Renew this many seconds before a token expires (short tokens: at a fifth of their life).
    pub refresh_lead_seconds: u32,
    /// Clear a copied token from the clipboard after this many seconds.
    pub clipboard_clear_seconds: u32,
    /// `system`, `light` or `dark`.
    pub theme: Theme,
    /// `comfortable` or `compact` rows in the accounts list.
    pub density: Density,
    /// Lock the command-line agent when the screen locks.
    pub lock_agent_on_screen_lock: bool,
    /// Closing the window hides it: the app, its renewals and its agent go on in the tray
    /// (Quit in the tray's menu ends them).
    pub close_to_tray: bool,
    /// The global shortcut that opens the quick switcher (`Ctrl+Shift+Space`); empty: none.
    pub shortcut: String,
    /// Where the window was last.
    pub window: Option<WindowPlace>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_lead_seconds: 300,
            clipboard_clear_seconds: 30,
            theme: Theme::System,
            density: Density::Comfortable,
            lock_agent_on_screen_lock: true,
            close_to_tray: true,
            shortcut: crate::shortcut::DEFAULT.to_owned(),
            window: None,
        }
    }
}

/// The colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the OS.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// How much room each account's row takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    /// Three lines a row: identity, profile and the refresh token's countdown too.
    Comfortable,
    /// One line a row, for long lists.
    Compact,
}

/// The window's size and position, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct WindowPlace {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
}

/// Limits a user may choose within.
pub const REFRESH_LEAD_RANGE: (u32, u32) = (10, 3600);
/// Limits of the clipboard-clear delay.
pub const CLEAR_DELAY_RANGE: (u32, u32) = (5, 600);

impl Settings {
    /// Checks every field, naming the one at fault.
    pub fn check(&self) -> Result<(), FailureView> {
        let within = |value: u32, (low, high): (u32, u32), field: &'static str, what: &str| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(FailureView::invalid(
                    ShellCode::InvalidSettings,
                    field,
                    format!("{what} must be between {low} and {high} seconds"),
                ))
            }
        };
        within(
            self.refresh_lead_seconds,
            REFRESH_LEAD_RANGE,
            "refreshLeadSeconds",
            "the refresh lead",
        )?;
        within(
            self.clipboard_clear_seconds,
            CLEAR_DELAY_RANGE,
            "clipboardClearSeconds",
            "the clipboard-clear delay",
        )?;
        crate::shortcut::parse(&self.shortcut).map_err(|problem| {
            FailureView::invalid(ShellCode::InvalidSettings, "shortcut", problem)
        })?;
        Ok(())
    }
}

/// The preferences in force, and where they are kept.
#[derive(Debug)]
pub struct Preferences {
    path: Option<PathBuf>,
    now: Mutex<Settings>,
}

impl Preferences {
    /// Reads the preferences kept at `path` (defaults when there are none, or when they
    /// cannot be read: a broken preferences file never stops the app).
    pub fn load<R: Runtime>(app: &AppHandle<R>, path: Option<PathBuf>) -> Self {
        let now = path
            .as_ref()
            .and_then(|p| match app.store(p) {
                Ok(store) => store.get(KEY),
                Err(e) => {
                    tracing::warn!("cannot read the preferences in {}: {e}", p.display());
                    None
                }
            })
            .and_then(|value| serde_json::from_value::<Settings>(value).ok())
            .filter(|s| s.check().is_ok())
            .unwrap_or_default();
        Self {
            path,
            now: Mutex::new(now),
        }
    }

    /// The preferences now.
    pub fn get(&self) -> Settings {
        self.now.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes the preferences and keeps them.
    pub fn set<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        settings: Settings,
    ) -> Result<(), FailureView> {
        settings.check()?;
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = settings.clone();
        self.save(app, &settings)
    }

    /// Remembers where the window is (kept when the app closes).
    pub fn remember_window(&self, place: WindowPlace) {
        self.now.lock().unwrap_or_else(|e| e.into_inner()).window = Some(place);
    }

    /// Writes the preferences now in force.
    pub fn save_now<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), FailureView> {
        self.save(app, &self.get())
    }

    fn save<R: Runtime>(&self, app: &AppHandle<R>, settings: &Settings) -> Result<(), FailureView> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let failed = |e: tauri_plugin_store::Error| {
            FailureView::new(
                ErrorCode::Storage,
                format!("cannot keep the preferences in {}: {e}", path.display()),
            )
        };
        let store = app.store(path).map_err(failed)?;
        store.set(KEY, serde_json::to_value(settings).unwrap_or_default());
        store.save().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_within_limits() {
        assert!(Settings::default().check().is_ok());
    }

    #[test]
    fn a_clear_delay_out_of_range_names_its_field() {
        let settings = Settings {
            clipboard_clear_seconds: 2,
            ..Settings::default()
        };
        let error = settings.check().unwrap_err();
        assert_eq!(error.field(), Some("clipboardClearSeconds"));
    }

    #[test]
    fn a_shortcut_that_is_not_keys_names_its_field_and_an_empty_one_means_none() {
        let settings = Settings {
            shortcut: "Ctrl+Shift+Spacebarr".to_owned(),
            ..Settings::default()
        };
        let error = settings.check().unwrap_err();
        assert_eq!(error.field(), Some("shortcut"));
        for fine in ["", "Alt+F9", "CommandOrControl+Shift+K"] {
            let settings = Settings {
                shortcut: fine.to_owned(),
                ..Settings::default()
            };
            assert!(settings.check().is_ok(), "{fine}");
        }
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let settings: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        assert_eq!(settings.theme, Theme::Dark);
        assert_eq!(settings.clipboard_clear_seconds, 30);
    }
}
