//! The tray: every account with "copy Bearer", and a way back to the window. Its menu
//! follows the accounts (added or removed here or from the command line).

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager};
use tokenvault_core::vault::status::AccountStatus;

use crate::commands::copy::{CopyReceipt, copy_fresh};

/// The tray icon's id.
pub const ID: &str = "main";
/// At most this many accounts are in the tray's menu (in name order); the quick switcher
/// finds the others. A menu of a thousand entries helps nobody and costs at every change.
const MENU_ACCOUNTS: usize = 25;
const SHOW: &str = "show";
const QUIT: &str = "quit";
const LOCK: &str = "lock-agent";
const COPY: &str = "copy:";
const MORE: &str = "more";

/// One account entry of the menu: its id and label.
pub fn entries(statuses: &[AccountStatus]) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = statuses
        .iter()
        .map(|s| {
            (
                format!("{COPY}{}", s.account.id),
                format!(
                    "Copy Bearer: {} ({})",
                    s.account.name, s.account.environment
                ),
            )
        })
        .collect();
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    if entries.len() > MENU_ACCOUNTS {
        let more = entries.len() - (MENU_ACCOUNTS - 1);
        entries.truncate(MENU_ACCOUNTS - 1);
        entries.push((
            MORE.to_owned(),
            format!("{more} more: find them in the quick switcher…"),
        ));
    }
    entries
}

/// Builds the tray icon with its menu.
pub fn create(app: &AppHandle) -> tauri::Result<TrayIcon> {
    let mut builder = TrayIconBuilder::with_id(ID)
        .tooltip("Tokenvault")
        .menu(&menu(app, &[])?)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// Puts the accounts' entries in the tray's menu.
pub fn update(app: &AppHandle, statuses: &[AccountStatus]) {
    let Some(tray) = app.tray_by_id(ID) else {
        return;
    };
    match menu(app, &entries(statuses)) {
        Ok(menu) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                tracing::warn!("cannot update the tray menu: {e}");
            }
        }
        Err(e) => tracing::warn!("cannot build the tray menu: {e}"),
    }
}

fn menu(app: &AppHandle, entries: &[(String, String)]) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(
        app,
        SHOW,
        "Show Tokenvault",
        true,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    if entries.is_empty() {
        menu.append(&MenuItem::with_id(
            app,
            "none",
            "No accounts",
            false,
            None::<&str>,
        )?)?;
    }
    for (id, label) in entries {
        menu.append(&MenuItem::with_id(app, id, label, true, None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    if crate::agent::is_locked().is_some() {
        menu.append(&MenuItem::with_id(
            app,
            LOCK,
            "Lock or unlock the command-line agent",
            true,
            None::<&str>,
        )?)?;
    }
    menu.append(&MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

fn on_menu(app: &AppHandle, id: &str) {
    if id == SHOW {
        show_window(app);
    } else if id == MORE {
        crate::shortcut::open_switcher(app);
    } else if id == QUIT {
        app.exit(0);
    } else if id == LOCK {
        let locked = crate::agent::is_locked().is_some_and(|l| !l);
        if let Some(now) = crate::agent::set_locked(locked) {
            crate::alerts::notify(
                app,
                "Tokenvault",
                if now {
                    "The command-line agent is locked: it serves nothing until unlocked."
                } else {
                    "The command-line agent is unlocked."
                },
            );
        }
    } else if let Some(account) = id.strip_prefix(COPY) {
        let app = app.clone();
        let account = account.to_owned();
        tauri::async_runtime::spawn(async move {
            match copy_fresh(&app, &account, tokenvault_core::handover::TokenForm::Bearer).await {
                Ok(receipt) => announce_copy(&app, &account, receipt),
                Err(failure) => crate::alerts::notify(
                    &app,
                    "Tokenvault could not copy a token",
                    failure.message(),
                ),
            }
        });
    }
}

/// Tells the window about a copy made outside it, so its clipboard bar counts down.
pub fn announce_copy(app: &AppHandle, account: &str, receipt: CopyReceipt) {
    #[derive(serde::Serialize, Clone)]
    #[serde(rename_all = "camelCase")]
    struct Copied {
        account: String,
        receipt: CopyReceipt,
    }
    let copied = Copied {
        account: account.to_owned(),
        receipt,
    };
    if let Err(e) = app.emit("copied", copied) {
        tracing::warn!("cannot tell the window about a copy: {e}");
    }
}

/// Brings the main window to the front.
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
