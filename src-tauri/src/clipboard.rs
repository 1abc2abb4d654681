//! Copying a token: marked to stay out of clipboard history (where the OS has such a
//! mark), and cleared after a delay only if the clipboard still holds what we put there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenvault_core::Secret;

/// The app's handle on the OS clipboard (one per app, in its managed state; clones share it).
#[derive(Default, Clone)]
pub struct Clipboard(Arc<Held>);

#[derive(Default)]
struct Held {
    // Kept for the app's life: on X11 the clipboard's content lives in its owner.
    os: Mutex<Option<arboard::Clipboard>>,
    /// What the last copy put there.
    last: Mutex<Option<Secret>>,
    copies: AtomicU64,
}

impl std::fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clipboard")
    }
}

impl Clipboard {
    /// Puts `text` on the clipboard and clears it after `clear_after` unless it changed.
    pub fn copy(&self, text: Secret, clear_after: Duration) -> Result<(), String> {
        {
            let mut os = self.0.os.lock().unwrap_or_else(|e| e.into_inner());
            if os.is_none() {
                *os = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
            }
            let Some(clipboard) = os.as_mut() else {
                return Err("no clipboard".into());
            };
            let set = clipboard.set();
            #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
            let set = exclude_from_history(set);
            set.text(text.expose().to_owned())
                .map_err(|e| e.to_string())?;
            *self.0.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
        }
        let copy = self.0.copies.fetch_add(1, Ordering::SeqCst) + 1;
        let clipboard = self.clone();
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            // A later copy owns the clipboard now.
            if clipboard.0.copies.load(Ordering::SeqCst) == copy {
                clipboard.clear_now();
            }
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the last copy; says whether it did.
    pub fn clear_now(&self) -> bool {
        let Some(ours) = self.0.last.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return false;
        };
        let mut os = self.0.os.lock().unwrap_or_else(|e| e.into_inner());
        let Some(clipboard) = os.as_mut() else {
            return false;
        };
        // The user copied something else since: theirs stays.
        clipboard.get_text().is_ok_and(|now| now == ours.expose()) && clipboard.clear().is_ok()
    }
}

#[cfg(target_os = "linux")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtLinux;
    set.exclude_from_history()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtApple;
    set.exclude_from_history()
}

#[cfg(target_os = "windows")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows;
    set.exclude_from_history()
}
