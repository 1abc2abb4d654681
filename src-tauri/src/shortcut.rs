//! The global shortcut (Ctrl+Shift+Space unless changed in Settings): brings the window up
//! with the quick switcher open, where typing a name and Enter copies its Bearer token.
//! Where it cannot be registered (a Wayland session, or another application holding the
//! keys), Settings says so instead of the keys silently doing nothing.

use std::str::FromStr;
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

/// The shortcut a new vault's app uses.
pub const DEFAULT: &str = "Ctrl+Shift+Space";

/// The shortcut in force, and why the one asked for is not, as Settings shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShortcutStatus {
    /// The keys that open the quick switcher now, as the user wrote them.
    active: Option<String>,
    /// Why the keys asked for do nothing.
    problem: Option<String>,
}

/// The app's shortcut state.
#[derive(Debug, Default)]
pub struct Shortcuts {
    now: Mutex<Option<Shortcut>>,
    status: Mutex<ShortcutStatus>,
}

impl Shortcuts {
    /// How it stands.
    pub fn status(&self) -> ShortcutStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The keys of `text` (`Ctrl+Shift+Space`, `Alt+F9`), none for an empty text, or why they are
/// not a shortcut.
pub fn parse(text: &str) -> Result<Option<Shortcut>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Shortcut::from_str(text).map(Some).map_err(|e| {
        format!("`{text}` is not a shortcut ({e}); write it as modifiers and one key, such as Ctrl+Shift+Space")
    })
}

/// Why global shortcuts cannot work in this session, when they cannot.
fn unsupported_here() -> Option<String> {
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some()
        && !std::env::var("GDK_BACKEND").is_ok_and(|b| b == "x11");
    wayland.then(|| {
        "a Wayland session lets no application take global keys: bind a key to \
         `tokenvault-desktop` in the desktop's keyboard settings instead (a second launch \
         brings the window up)"
            .to_owned()
    })
}

/// Installs the shortcut plugin and registers `text`.
pub fn register(app: &AppHandle, text: &str) {
    app.manage(Shortcuts::default());
    let plugin = tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, pressed, event| {
            let ours = *app
                .state::<Shortcuts>()
                .now
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if ours.as_ref() == Some(pressed) && event.state() == ShortcutState::Pressed {
                open_switcher(app);
            }
        })
        .build();
    if let Err(e) = app.plugin(plugin) {
        tracing::warn!("global shortcuts are not available: {e}");
        *app.state::<Shortcuts>()
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = ShortcutStatus {
            active: None,
            problem: Some(format!("global shortcuts are not available here: {e}")),
        };
        return;
    }
    apply(app, text);
}

/// Lets go of the shortcut in force and takes `text` instead; says how that went.
pub fn apply(app: &AppHandle, text: &str) -> ShortcutStatus {
    let state = app.state::<Shortcuts>();
    let mut now = state.now.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(old) = now.take()
        && let Err(e) = app.global_shortcut().unregister(old)
    {
        tracing::warn!("cannot let go of the global shortcut: {e}");
    }
    let status = match parse(text) {
        Ok(None) => ShortcutStatus::default(),
        Err(problem) => ShortcutStatus {
            active: None,
            problem: Some(problem),
        },
        Ok(Some(wanted)) => match unsupported_here() {
            Some(problem) => ShortcutStatus {
                active: None,
                problem: Some(problem),
            },
            None => match app.global_shortcut().register(wanted) {
                Ok(()) => {
                    *now = Some(wanted);
                    ShortcutStatus {
                        active: Some(text.trim().to_owned()),
                        problem: None,
                    }
                }
                Err(e) => {
                    // The plugin passes global-hotkey's errors on as text.
                    let problem = if e.to_string().contains("already registered") {
                        format!(
                            "{} is taken by another application: choose other keys",
                            text.trim()
                        )
                    } else {
                        format!("{} cannot be registered: {e}", text.trim())
                    };
                    tracing::warn!("global shortcut: {problem}");
                    ShortcutStatus {
                        active: None,
                        problem: Some(problem),
                    }
                }
            },
        },
    };
    *state.status.lock().unwrap_or_else(|e| e.into_inner()) = status.clone();
    status
}

/// Shows the window with the quick switcher open.
pub fn open_switcher(app: &AppHandle) {
    crate::tray::show_window(app);
    if let Err(e) = app.emit("open-switcher", ()) {
        tracing::warn!("cannot open the quick switcher: {e}");
    }
}
