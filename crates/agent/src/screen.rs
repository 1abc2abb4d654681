//! Locking the agent when the screen locks. Desktops announce it on the session bus:
//! `ActiveChanged(true)` of `org.freedesktop.ScreenSaver` (KDE, Xfce and others) or of
//! `org.gnome.ScreenSaver` (GNOME). Where there is no session bus, nothing is reported and
//! the agent says so in its log.

use std::sync::Arc;
use std::time::Duration;

use dbus::blocking::Connection;
use dbus::message::MatchRule;

/// Calls `locked` each time the desktop says the screen locked.
pub fn on_screen_lock(locked: impl Fn() + Send + Sync + 'static) {
    let locked = Arc::new(locked);
    let watching = std::thread::Builder::new()
        .name("screen-lock".into())
        .spawn(move || {
            let bus = match Connection::new_session() {
                Ok(bus) => bus,
                Err(e) => {
                    tracing::warn!("no session bus, so no screen-lock events: {e}");
                    return;
                }
            };
            for interface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
                let locked = Arc::clone(&locked);
                let rule = MatchRule::new_signal(interface, "ActiveChanged");
                let added = bus.add_match(rule, move |(active,): (bool,), _, _| {
                    if active {
                        locked();
                    }
                    true
                });
                if let Err(e) = added {
                    tracing::warn!("cannot follow {interface}: {e}");
                }
            }
            while bus.process(Duration::from_secs(3600)).is_ok() {}
        });
    if let Err(e) = watching {
        tracing::warn!("cannot watch for the screen lock: {e}");
    }
}
