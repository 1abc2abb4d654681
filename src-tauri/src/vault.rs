//! The vault behind the window: opened in the background (a keyring may take a while,
//! or wait on an unlock prompt, and the window says so meanwhile instead of staying
//! blank), then kept fresh by the core's vault keeper, which follows the catalog so
//! changes made by the command line show at once.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokenvault_agent::ShowWindow;
use tokenvault_core::vault::home::Home;
use tokenvault_core::vault::keeper::Keeper;
use tokenvault_core::vault::status::{AccountStatus, RenewalFailure};
use tokenvault_core::{Error, Vault};
use tokio::sync::watch;

use crate::{About, Shell, agent};

/// How long the keyring may take to open before the window says it did not answer.
const KEYRING_PATIENCE: Duration = Duration::from_secs(30);

/// The keeper, once the vault has opened.
#[derive(Debug, Clone, Default)]
pub struct OpenedVault(Arc<OnceLock<Arc<Keeper>>>);

impl OpenedVault {
    /// The keeper, or an error saying the vault is not open (yet).
    pub fn keeper(&self) -> Result<&Arc<Keeper>, Error> {
        self.0.get().ok_or_else(|| Error::Storage {
            action: "open",
            path: "the vault".into(),
            problem: "it is not open yet".into(),
        })
    }

    /// The vault, once it is open.
    pub fn vault(&self) -> Result<&Arc<Vault>, Error> {
        self.keeper().map(|k| k.vault())
    }
}

/// What opening gives: the keeper, the facts for the header, and anything that must
/// live as long as the app (the demo API).
pub struct Opening<Guard> {
    /// The keeper of the opened vault.
    pub keeper: Arc<Keeper>,
    /// Facts for the window's header.
    pub about: About,
    /// Kept alive while the keeper runs.
    pub guard: Guard,
    /// Whether the app serves the vault's command line as its agent.
    pub serves_command_line: bool,
}

/// Returns at once; `open` runs in the background and the shell's channels say how
/// it went.
pub fn start<G, F>(open: F, refresh_lead: time::Duration, show: ShowWindow) -> Shell
where
    G: Send + 'static,
    F: Future<Output = Result<Opening<G>, Error>> + Send + 'static,
{
    let (statuses_tx, statuses) = watch::channel(Vec::new());
    let vault = OpenedVault::default();
    let (about_tx, about) = watch::channel(About {
        opening: true,
        ..About::default()
    });
    let opened = vault.clone();
    tauri::async_runtime::spawn(async move {
        match open.await {
            Ok(opening) => {
                opening.keeper.set_refresh_lead(refresh_lead);
                let _ = opened.0.set(Arc::clone(&opening.keeper));
                about_tx.send_replace(opening.about);
                let _guard = opening.guard;
                if opening.serves_command_line {
                    agent::serve(Arc::clone(opening.keeper.vault()), show);
                }
                forward(opening.keeper, statuses_tx).await;
            }
            Err(error) => {
                tracing::error!(code = %error.code(), "the vault cannot be opened: {error}");
                about_tx.send_replace(About {
                    problem: Some(RenewalFailure::new(&error, time::OffsetDateTime::now_utc())),
                    ..About::default()
                });
            }
        }
    });
    Shell {
        statuses,
        about,
        vault,
        sign_in_cancel: tokio::sync::Notify::new(),
    }
}

/// Opens the vault of `TOKENVAULT_HOME` (or the OS's data folder).
pub async fn open_home() -> Result<Opening<()>, Error> {
    let home = Home::resolve()?;
    let passphrase = std::env::var("TOKENVAULT_PASSPHRASE")
        .ok()
        .map(tokenvault_core::Secret::new);
    let vault = Vault::open(home, passphrase, KEYRING_PATIENCE).await?;
    vault.catalog()?;
    let about = About {
        secret_store: Some(vault.store().tier().to_string()),
        data_folder: Some(vault.home().path().display().to_string()),
        ..About::default()
    };
    Ok(Opening {
        keeper: Arc::new(Keeper::new(Arc::new(vault))),
        about,
        guard: (),
        serves_command_line: true,
    })
}

/// Runs the keeper and passes its statuses on to the shell's channel.
async fn forward(keeper: Arc<Keeper>, to: watch::Sender<Vec<AccountStatus>>) {
    let mut changes = keeper.subscribe();
    let running = tauri::async_runtime::spawn(Arc::clone(&keeper).run());
    loop {
        to.send_replace(changes.borrow_and_update().clone());
        if changes.changed().await.is_err() {
            break;
        }
    }
    if let Ok(Err(e)) = running.await {
        tracing::error!(code = %e.code(), "the vault keeper stopped: {e}");
    }
}
