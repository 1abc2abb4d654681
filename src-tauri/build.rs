//! Tauri's build step. Every app command (listed once, in src/commands/list.rs) gets an
//! `allow-<command>` permission, and the window may call only those its capability file
//! grants: the build fails unless that file grants every command and nothing else.

include!("src/commands/list.rs");

macro_rules! names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

const COMMANDS: &[&str] = app_commands!(names);

fn main() {
    check_capability();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}

/// The app's own permissions the capability grants are exactly `allow-<command>` for each
/// command (core and plugin permissions, `prefix:...`, are the file's own business).
fn check_capability() {
    const FILE: &str = "capabilities/main.json";
    println!("cargo:rerun-if-changed={FILE}");
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let capability: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("{FILE} has no permissions list"))
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .map(str::to_owned)
        .collect();
    let mut wanted: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    granted.sort();
    wanted.sort();
    if granted != wanted {
        let missing: Vec<_> = wanted.iter().filter(|w| !granted.contains(w)).collect();
        let extra: Vec<_> = granted.iter().filter(|g| !wanted.contains(g)).collect();
        panic!(
            "{FILE} does not grant the app's commands (src/commands/list.rs): \
             missing {missing:?}, not a command {extra:?}"
        );
    }
}
