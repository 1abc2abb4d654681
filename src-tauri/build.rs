//! Tauri's build step. Every app command gets an `allow-<command>` permission, and the
//! window may call only those its capability file grants.

/// The app's commands, as registered in `main.rs`.
const COMMANDS: &[&str] = &[
    "list_accounts",
    "presets",
    "test_login",
    "add_account",
    "remove_account",
    "account_form",
    "edit_account",
    "account_details",
    "app_info",
    "get_settings",
    "set_settings",
    "audit_events",
    "agent_state",
    "set_agent_locked",
    "verify_ott",
    "list_private_tokens",
    "create_private_token",
    "revoke_private_token",
    "copy_token",
    "copy_private_token",
    "clear_clipboard",
    "inspect_token",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
