//! The bare Tauri app `./dev bench` measures the desktop app against: one window, one
//! static page, and the one command by which the page says it painted (logged like the
//! desktop app's own `window painted` line, so both are timed the same way).

use std::time::Instant;

use tauri::State;

struct Launched(Instant);

#[tauri::command]
fn painted(launched: State<'_, Launched>) {
    eprintln!(
        "window painted with 0 accounts, {} ms after launch",
        launched.0.elapsed().as_millis()
    );
}

fn main() {
    let launched = Launched(Instant::now());
    let app = tauri::Builder::default()
        .manage(launched)
        .invoke_handler(tauri::generate_handler![painted])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("bare: cannot start: {e}");
            std::process::exit(1);
        }
    }
}
