//! The global shortcut (Ctrl+Shift+Space): brings the window up with the quick
//! switcher open, where typing a name and Enter copies its Bearer token.

use tauri::{AppHandle, Emitter};
use tauri_plugin_global_shortcut::{Code, GlobalShortcutExt, Modifiers, Shortcut, ShortcutState};

/// The shortcut, as shown to users.
pub const LABEL: &str = "Ctrl+Shift+Space";

fn shortcut() -> Shortcut {
    Shortcut::new(Some(Modifiers::CONTROL | Modifiers::SHIFT), Code::Space)
}

/// Registers the shortcut. Where the desktop does not allow global shortcuts (some
/// Wayland compositors), the app goes on without it and says so in its log.
pub fn register(app: &AppHandle) {
    let plugin = tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, pressed, event| {
            if *pressed == shortcut() && event.state() == ShortcutState::Pressed {
                open_switcher(app);
            }
        })
        .build();
    if let Err(e) = app.plugin(plugin) {
        tracing::warn!("global shortcuts are not available: {e}");
        return;
    }
    if let Err(e) = app.global_shortcut().register(shortcut()) {
        tracing::warn!("cannot register the global shortcut {LABEL}: {e}");
    }
}

/// Shows the window with the quick switcher open.
pub fn open_switcher(app: &AppHandle) {
    crate::tray::show_window(app);
    if let Err(e) = app.emit("open-switcher", ()) {
        tracing::warn!("cannot open the quick switcher: {e}");
    }
}
