// The app's commands, written once. `main.rs` registers them (`tauri::generate_handler!`);
// `build.rs` gives each an `allow-<name>` permission and fails the build unless the window's
// capability file grants exactly these. Both `include!` this file.
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            accounts::list_accounts,
            accounts::presets,
            accounts::test_login,
            accounts::add_account,
            accounts::remove_account,
            accounts::account_form,
            accounts::edit_account,
            accounts::log_in_with_code,
            accounts::sign_in_again,
            accounts::cancel_sign_in,
            accounts::account_details,
            app::app_info,
            app::get_settings,
            app::set_settings,
            app::audit_events,
            app::agent_state,
            app::set_agent_locked,
            app::window_painted,
            app::shortcut_status,
            calls::validate_account,
            calls::verify_ott,
            calls::list_private_tokens,
            calls::create_private_token,
            calls::revoke_private_token,
            copy::copy_token,
            copy::copy_private_token,
            copy::clear_clipboard,
            inspector::inspect_token,
            import::draft_from_curl,
            inspector::introspect_account,
            proxy::account_proxy,
            proxy::set_account_proxy,
            teams::list_teams,
            teams::sync_team,
        }
    };
}
