//! Desktop notifications: an account whose token can no longer be renewed (once per
//! failure, not per retry), and a private token that expires within a week (once per
//! token and run).

use std::collections::HashSet;
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::vault::status::{AccountStatus, newly_failing};

use crate::Shell;

/// How far ahead a private token's expiry is announced.
const PRIVATE_TOKEN_NOTICE: time::Duration = time::Duration::days(7);
/// How often private tokens are listed for the reminder.
const PRIVATE_TOKEN_CHECK: Duration = Duration::from_secs(3600);

/// Shows a notification; where the desktop has no notification service, it is logged.
pub fn notify(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::info!("no notification service ({e}): {title}: {body}");
    }
}

/// Notifies the accounts that have just become impossible to renew.
pub fn on_statuses(app: &AppHandle, before: &[AccountStatus], after: &[AccountStatus]) {
    for status in newly_failing(before, after) {
        let reason = status
            .failure
            .as_ref()
            .map_or("unknown reason", |f| f.message.as_str());
        notify(
            app,
            &format!("{} cannot be renewed", status.account.name),
            reason,
        );
    }
}

/// Lists the private tokens of every account that has them, now and every hour, and
/// reminds of those that expire within a week.
pub fn remind_of_private_tokens(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut reminded: HashSet<(String, String)> = HashSet::new();
        loop {
            tokio::time::sleep(Duration::from_secs(20)).await;
            check_private_tokens(&app, &mut reminded).await;
            tokio::time::sleep(PRIVATE_TOKEN_CHECK).await;
        }
    });
}

async fn check_private_tokens(app: &AppHandle, reminded: &mut HashSet<(String, String)>) {
    let shell = app.state::<Shell>();
    let Ok(accounts) = shell.vault.vault() else {
        return;
    };
    let Ok(catalog) = accounts.catalog() else {
        return;
    };
    let now = SystemClock.now();
    for record in &catalog.accounts {
        let has_private_tokens = accounts
            .target(record, &catalog)
            .is_ok_and(|t| t.profile().private_tokens.is_some());
        if !has_private_tokens {
            continue;
        }
        let Ok(tokens) = accounts.list_private_tokens(&record.id).await else {
            continue;
        };
        for token in tokens {
            let Some(expires_at) = token.expires_at else {
                continue;
            };
            let soon = expires_at > now && expires_at - now <= PRIVATE_TOKEN_NOTICE;
            if soon && reminded.insert((record.id.clone(), token.id.clone())) {
                let days = (expires_at - now).whole_days();
                notify(
                    app,
                    &format!("A private token of {} expires soon", record.name),
                    &format!(
                        "“{}” expires in {}; create a new one before then.",
                        token.label,
                        if days >= 1 {
                            format!("{days} day(s)")
                        } else {
                            "less than a day".to_owned()
                        }
                    ),
                );
            }
        }
    }
}
