//! Vault mode: the accounts of the data folder, kept fresh by the core's vault keeper,
//! which follows the catalog so changes made by the command line show at once.
//!
//! The vault is opened after the window is up: a keyring may take a while (or wait on
//! an unlock prompt), and the window says so meanwhile instead of staying blank.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::keeper::{AccountStatus, Failure};
use tokenvault_core::vault::accounts::Accounts;
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::keeper::VaultKeeper;
use tokenvault_core::vault::secrets::open_store_patiently;
use tokenvault_core::{Error, Secret};
use tokio::sync::watch;

use crate::{About, Shell, Tokens};

/// How long the keyring may take to open before the window says it did not answer.
const KEYRING_PATIENCE: Duration = Duration::from_secs(30);

/// Returns at once; the vault opens in the background and the shell's channels say
/// how it went.
pub fn start() -> Shell {
    let (statuses_tx, statuses) = watch::channel(Vec::new());
    let opened_accounts = Arc::new(OnceLock::new());
    let tokens = Tokens::Vault(Arc::clone(&opened_accounts));
    let (about_tx, about) = watch::channel(About {
        opening: true,
        ..About::default()
    });
    tauri::async_runtime::spawn(async move {
        match open().await {
            Ok((keeper, opened)) => {
                let _ = opened_accounts.set(Arc::clone(keeper.accounts()));
                about_tx.send_replace(opened);
                forward(keeper, statuses_tx).await;
            }
            Err(error) => {
                tracing::error!(code = error.code(), "the vault cannot be opened: {error}");
                about_tx.send_replace(About {
                    problem: Some(Failure::from(&error)),
                    ..About::default()
                });
            }
        }
    });
    Shell {
        statuses,
        about,
        tokens,
        _demo: None,
    }
}

async fn open() -> Result<(Arc<VaultKeeper>, About), Error> {
    let home = Home::resolve()?;
    let passphrase = std::env::var("TOKENVAULT_PASSPHRASE").ok().map(Secret::new);
    let store = open_store_patiently(
        home.clone(),
        app_name().to_owned(),
        passphrase,
        KEYRING_PATIENCE,
    )
    .await?;
    let about = About {
        secret_store: Some(store.tier().to_string()),
        data_folder: Some(home.path().display().to_string()),
        ..About::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let accounts = Arc::new(Accounts::new(home, store, Arc::clone(&clock)));
    accounts.catalog()?;
    Ok((Arc::new(VaultKeeper::new(accounts, clock)), about))
}

/// Runs the keeper and passes its statuses on to the shell's channel.
async fn forward(keeper: Arc<VaultKeeper>, to: watch::Sender<Vec<AccountStatus>>) {
    let mut changes = keeper.subscribe();
    let running = tauri::async_runtime::spawn(Arc::clone(&keeper).run());
    loop {
        to.send_replace(changes.borrow_and_update().clone());
        if changes.changed().await.is_err() {
            break;
        }
    }
    if let Ok(Err(e)) = running.await {
        tracing::error!(code = e.code(), "the vault keeper stopped: {e}");
    }
}
