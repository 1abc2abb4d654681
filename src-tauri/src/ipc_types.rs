//! The window's TypeScript types are generated from the Rust types that cross IPC, into
//! `ui/src/lib/ipc.ts`. A test fails when that file is not what these types give, so the
//! two sides cannot drift apart; `./dev types` writes it again.

#[cfg(test)]
mod tests {
    use ts_rs::{Config, TS};

    use crate::commands::accounts::{
        AccountDetails, AccountForm, Added, FormSecrets, LoginPreview, ProfileView, SignInView,
    };
    use crate::commands::app::{AgentState, AppInfo};
    use crate::commands::calls::{CreatedView, OttVerdict, PrivateTokenView, ValidationView};
    use crate::commands::copy::CopyReceipt;
    use crate::settings::{Density, Settings, Theme, WindowPlace};
    use crate::view::{AccountView, FailureCode, FailureView, ShellCode};
    use tokenvault_core::ErrorCode;
    use tokenvault_core::handover::TokenForm;
    use tokenvault_core::inspect::{Report, TimeReport, VerificationReport};
    use tokenvault_core::vault::audit::{AuditEvent, AuditKind};
    use tokenvault_core::vault::status::{RenewalOutcome, TokenState};

    const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/ipc.ts");

    /// Every declaration, in the order a reader meets them.
    fn generated() -> String {
        let cfg = Config::default().with_large_int("number");
        let declarations = [
            AccountView::decl(&cfg),
            TokenState::decl(&cfg),
            RenewalOutcome::decl(&cfg),
            FailureView::decl(&cfg),
            FailureCode::decl(&cfg),
            ErrorCode::decl(&cfg),
            ShellCode::decl(&cfg),
            AppInfo::decl(&cfg),
            ProfileView::decl(&cfg),
            AccountForm::decl(&cfg),
            FormSecrets::decl(&cfg),
            SignInView::decl(&cfg),
            Added::decl(&cfg),
            crate::commands::accounts::RemovedView::decl(&cfg),
            LoginPreview::decl(&cfg),
            AccountDetails::decl(&cfg),
            Report::decl(&cfg),
            crate::commands::inspector::IntrospectionView::decl(&cfg),
            TimeReport::decl(&cfg),
            VerificationReport::decl(&cfg),
            TokenForm::decl(&cfg),
            CopyReceipt::decl(&cfg),
            ValidationView::decl(&cfg),
            OttVerdict::decl(&cfg),
            PrivateTokenView::decl(&cfg),
            CreatedView::decl(&cfg),
            AuditEvent::decl(&cfg),
            AuditKind::decl(&cfg),
            Settings::decl(&cfg),
            Theme::decl(&cfg),
            Density::decl(&cfg),
            WindowPlace::decl(&cfg),
            AgentState::decl(&cfg),
            crate::commands::proxy::ProxyView::decl(&cfg),
            crate::commands::import::CurlForm::decl(&cfg),
            crate::commands::import::CurlDraftView::decl(&cfg),
            crate::shortcut::ShortcutStatus::decl(&cfg),
            crate::commands::teams::TeamView::decl(&cfg),
            crate::commands::teams::TeamSyncView::decl(&cfg),
        ];
        let mut text = String::from(
            "// Generated from the Rust types that cross IPC (src-tauri/src/ipc_types.rs): do not\n\
             // edit. `./dev types` writes it again; a test fails when it drifts.\n",
        );
        for declaration in declarations {
            text.push_str("\nexport ");
            text.push_str(&declaration);
            text.push('\n');
        }
        let codes: Vec<FailureCode> = ErrorCode::ALL
            .into_iter()
            .map(FailureCode::from)
            .chain(ShellCode::ALL.into_iter().map(FailureCode::from))
            .collect();
        let codes = serde_json::to_string(&codes).expect("codes serialize");
        text.push_str(&format!(
            "\n/** Every failure code the backend can send. */\nexport const FAILURE_CODES: FailureCode[] = {codes};\n"
        ));
        text
    }

    #[test]
    fn the_window_types_are_the_ones_these_rust_types_give() {
        let wanted = generated();
        if std::env::var_os("TOKENVAULT_WRITE_IPC_TYPES").is_some() {
            std::fs::write(FILE, &wanted).expect("ui/src/lib/ipc.ts is writable");
        }
        let found = std::fs::read_to_string(FILE).unwrap_or_default();
        assert!(
            found == wanted,
            "ui/src/lib/ipc.ts is not what the Rust types give: run `./dev types`"
        );
    }
}
