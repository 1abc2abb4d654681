//! Tokenvault's desktop app: a window over the core's vault.
//!
//! `tokenvault-desktop` shows the vault of `TOKENVAULT_HOME` (or the OS's data folder);
//! `tokenvault-desktop --demo` (or `TOKENVAULT_DEMO=1`) starts the built-in demo API
//! in-process and a throwaway vault of one account per preset instead.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

include!("commands/list.rs");

/// The Tauri handler of the commands in commands/list.rs.
macro_rules! handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$module::$command),*]
    };
}

mod agent;
mod alerts;
mod clipboard;
mod commands;
mod demo;
mod ipc_types;
mod placement;
mod proxies;
mod settings;
mod shortcut;
mod tray;
mod vault;
mod view;

use tauri::{Emitter, Manager, RunEvent, WindowEvent};
use tokenvault_core::vault::home::Home;
use tokenvault_core::vault::status::{AccountStatus, RenewalFailure};
use tokio::sync::watch;

use crate::commands::app::AppInfo;
use crate::settings::{Preferences, WindowPlace};
use crate::vault::OpenedVault;

/// Freed memory holds zeros, not the tokens and passwords that passed through it.
#[global_allocator]
static ALLOCATOR: tokenvault_core::memory::ZeroingAllocator =
    tokenvault_core::memory::ZeroingAllocator;

/// What the window shows.
#[derive(Debug)]
pub struct Shell {
    statuses: watch::Receiver<Vec<AccountStatus>>,
    about: watch::Receiver<About>,
    vault: OpenedVault,
    /// Ends the sign-in waiting for its person (the window's Cancel).
    sign_in_cancel: tokio::sync::Notify,
}

/// Facts about this run, for the window's header.
#[derive(Debug, Clone, Default)]
pub struct About {
    opening: bool,
    demo_api: Option<String>,
    secret_store: Option<String>,
    data_folder: Option<String>,
    problem: Option<RenewalFailure>,
}

fn main() {
    let launched = commands::app::Launched(std::time::Instant::now());
    tokenvault_core::logging::init("info");
    if let Err(e) = tokenvault_core::memory::keep_private() {
        tracing::warn!("this process's memory stays readable by its user's other processes: {e}");
    }

    let demo_mode = std::env::args().any(|a| a == "--demo")
        || std::env::var("TOKENVAULT_DEMO").is_ok_and(|v| v == "1");

    // A second launch on a vault the app already has open brings that window up and ends,
    // instead of opening the vault twice; a launch on another vault is an app of its own.
    if !demo_mode && agent::show_running_app() {
        tracing::info!("the app already runs on this vault: its window is shown");
        return;
    }
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .manage(clipboard::Clipboard::default())
        .manage(proxies::Proxies::default())
        .manage(launched)
        .invoke_handler(app_commands!(handler))
        .on_window_event(|window, event| {
            let preferences = window.state::<Preferences>();
            match event {
                WindowEvent::Resized(_) | WindowEvent::Moved(_) => {
                    if let Some(place) = place_of(window) {
                        preferences.remember_window(place);
                    }
                }
                WindowEvent::CloseRequested { api, .. } => {
                    if let Err(e) = preferences.save_now(window.app_handle()) {
                        tracing::warn!("{}", e.message());
                    }
                    // Where a tray icon is there to bring it back, closing only hides the
                    // window: renewals and the agent go on until Quit.
                    let app = window.app_handle();
                    if preferences.get().close_to_tray && app.tray_by_id(tray::ID).is_some() {
                        api.prevent_close();
                        if let Err(e) = window.hide() {
                            tracing::warn!("cannot hide the window: {e}");
                        }
                    }
                }
                _ => {}
            }
        })
        .setup(move |app| {
            exit_on_termination(app.handle().clone());
            let folder = if demo_mode {
                Some(demo::folder())
            } else {
                Home::resolve().ok().map(|h| h.path().to_path_buf())
            };
            let preferences =
                Preferences::load(app.handle(), folder.map(|f| f.join(settings::FILE_NAME)));
            let lead = time::Duration::seconds(i64::from(preferences.get().refresh_lead_seconds));
            agent::lock_on_screen_lock(preferences.get().lock_agent_on_screen_lock);
            if let (Some(place), Some(window)) =
                (preferences.get().window, app.get_webview_window("main"))
            {
                restore(&window, place);
            }
            app.manage(preferences);
            let handle = app.handle().clone();
            let show = tokenvault_agent::ShowWindow(std::sync::Arc::new(move || {
                tray::show_window(&handle);
            }));
            let shell = if demo_mode {
                vault::start(demo::open(), lead, show)
            } else {
                vault::start(vault::open_home(), lead, show)
            };
            forward_events(app.handle(), &shell);
            app.manage(shell);
            if let Err(e) = tray::create(app.handle()) {
                tracing::warn!("no tray icon: {e}");
            }
            shortcut::register(app.handle(), &app.state::<Preferences>().get().shortcut);
            alerts::remind_of_private_tokens(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("tokenvault could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(move |_, event| {
        if let RunEvent::Exit = event {
            agent::stop_serving();
            if demo_mode {
                demo::clean_up();
            }
        }
    });
}

/// SIGTERM (a logout, a shutdown, `kill`) and SIGINT end the app the way its Quit item does,
/// so what it does at exit runs: its agent socket is removed, a demo vault is deleted. The
/// handlers are in place when this returns.
fn exit_on_termination(handle: tauri::AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let runtime = tauri::async_runtime::handle();
        let _inside = runtime.inner().enter();
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("no signal handlers: SIGTERM ends the app without its exit steps");
            return;
        };
        tauri::async_runtime::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            tracing::info!("asked to stop: exiting");
            handle.exit(0);
        });
    }
    #[cfg(not(unix))]
    drop(handle);
}

/// Sends every change of the accounts and of the app's facts to the window.
fn forward_events(handle: &tauri::AppHandle, shell: &Shell) {
    let mut about = shell.about.clone();
    let info_handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        while about.changed().await.is_ok() {
            let info = AppInfo::from(&*about.borrow_and_update());
            if let Err(e) = info_handle.emit("app-info-changed", info) {
                tracing::warn!("could not send app facts to the window: {e}");
            }
        }
    });
    let mut changes = shell.statuses.clone();
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        let mut before: Vec<AccountStatus> = Vec::new();
        loop {
            let after = changes.borrow_and_update().clone();
            if let Err(e) = handle.emit("accounts-changed", view::accounts(&after)) {
                tracing::warn!("could not send account changes to the window: {e}");
            }
            alerts::on_statuses(&handle, &before, &after);
            if tray::entries(&before) != tray::entries(&after) {
                tray::update(&handle, &after);
            }
            before = after;
            if changes.changed().await.is_err() {
                break;
            }
        }
    });
}

/// The window's size and position in logical pixels.
fn place_of(window: &tauri::Window) -> Option<WindowPlace> {
    let scale = window.scale_factor().ok()?;
    let size = window.inner_size().ok()?.to_logical::<f64>(scale);
    let position = window.outer_position().ok()?.to_logical::<f64>(scale);
    Some(WindowPlace {
        width: size.width,
        height: size.height,
        x: position.x,
        y: position.y,
    })
}

/// Puts the window back as it was: its size if sensible, its place if that is on a connected
/// monitor (centred otherwise).
fn restore(window: &tauri::WebviewWindow, place: WindowPlace) {
    let Some((width, height)) = placement::size(&place) else {
        return;
    };
    let _ = window.set_size(tauri::LogicalSize::new(width, height));
    let monitors: Vec<placement::Area> = window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let scale = m.scale_factor();
            let position = m.position().to_logical::<f64>(scale);
            let size = m.size().to_logical::<f64>(scale);
            placement::Area {
                x: position.x,
                y: position.y,
                width: size.width,
                height: size.height,
            }
        })
        .collect();
    if placement::position_is_visible(&place, &monitors) {
        let _ = window.set_position(tauri::LogicalPosition::new(place.x, place.y));
    } else {
        tracing::info!("the window's last place is on no connected monitor: it opens centred");
        let _ = window.center();
    }
}
