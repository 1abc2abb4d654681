//! Vault mode: the accounts of the data folder, kept fresh by the core's vault keeper,
//! which follows the catalog so changes made by the command line show at once.

use std::sync::Arc;

use tokenvault_core::Secret;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::keeper::Failure;
use tokenvault_core::vault::accounts::Accounts;
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::keeper::VaultKeeper;
use tokenvault_core::vault::secrets::open_store;
use tokio::sync::watch;

use crate::{About, Shell};

/// Opens the vault and starts keeping it. A vault that cannot be opened (no keyring,
/// a damaged catalog) gives an empty window that says why, not a crash.
pub fn start() -> Shell {
    match open() {
        Ok((keeper, about)) => {
            let statuses = keeper.subscribe();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = keeper.run().await {
                    tracing::error!(code = e.code(), "the vault keeper stopped: {e}");
                }
            });
            Shell {
                statuses,
                about,
                _demo: None,
            }
        }
        Err(error) => {
            tracing::error!(code = error.code(), "the vault cannot be opened: {error}");
            let (_, statuses) = watch::channel(Vec::new());
            let about = About {
                problem: Some(Failure::from(&error)),
                ..About::default()
            };
            Shell {
                statuses,
                about,
                _demo: None,
            }
        }
    }
}

fn open() -> Result<(Arc<VaultKeeper>, About), tokenvault_core::Error> {
    let home = Home::resolve()?;
    let passphrase = std::env::var("TOKENVAULT_PASSPHRASE").ok().map(Secret::new);
    let store = open_store(&home, app_name(), passphrase.as_ref())?;
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
