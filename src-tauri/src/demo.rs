//! Demo mode: the demo API in-process, and a throwaway vault (a temporary folder, and
//! secrets in memory only) with one account per preset logged in to it. Everything
//! the app does with a real vault works here too: add an account, verify a one-time
//! token, create a private token.

use std::path::PathBuf;
use std::sync::Arc;

use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::clock::SystemClock;
use tokenvault_core::vault::catalog::{AccountRecord, SecondFactor, TokenTimes};
use tokenvault_core::vault::home::Home;
use tokenvault_core::vault::keeper::Keeper;
use tokenvault_core::vault::secrets::MemoryStore;
use tokenvault_core::{Error, Secret, Vault};
use tokenvault_demo_api::{Config, DEMO_USERS, DemoServer, Dialect};

use crate::About;
use crate::vault::Opening;

/// The running demo API, kept alive as long as the app.
#[derive(Debug)]
pub struct Demo {
    _server: DemoServer,
}

/// The demo's data folder for this process; removed when the app exits.
pub fn folder() -> PathBuf {
    std::env::temp_dir().join(format!("tokenvault-demo-{}", std::process::id()))
}

/// Starts the demo API on a free loopback port and a vault of one account per preset.
pub async fn open() -> Result<Opening<Demo>, Error> {
    let server = DemoServer::start(Config::lively(), 0)
        .await
        .map_err(|e| Error::Storage {
            action: "start",
            path: "the demo API".into(),
            problem: e.to_string(),
        })?;
    let home = Home::at(folder())?;
    let vault = Arc::new(Vault::with_store(
        home.clone(),
        Arc::new(MemoryStore::default()),
        Arc::new(SystemClock),
    ));
    // One account per preset; the dialect no preset knows is for custom-profile tests.
    for user in DEMO_USERS
        .into_iter()
        .filter(|u| Dialect::PRESETS.contains(&u.dialect))
    {
        let id = user.dialect.as_str();
        let record = AccountRecord {
            id: format!("demo-{id}"),
            name: user.account_name.to_owned(),
            environment: "Demo".to_owned(),
            profile: id.to_owned(),
            base_url: server.base_url(user.dialect),
            identity: user.identity.to_owned(),
            client_id: user.is_client().then(|| user.identity.to_owned()),
            second_factor: user.totp_secret().map(|_| SecondFactor::Totp),
            overrides: Vec::new(),
            allow_plain_http: false,
            ca_cert_pem: None,
            tokens: TokenTimes::default(),
            team: None,
        };
        let secret = Secret::new(user.password);
        let secrets = if user.is_client() {
            LoginSecrets::client_secret(secret)
        } else {
            LoginSecrets {
                totp_secret: user.totp_secret().map(Secret::new),
                ..LoginSecrets::password(secret)
            }
        };
        vault.add(record, secrets).await?;
    }
    tracing::info!("demo API listening on http://{}", server.addr());
    let about = About {
        demo_api: Some(format!("http://{}", server.addr())),
        secret_store: Some("memory only (demo)".to_owned()),
        data_folder: Some(home.path().display().to_string()),
        ..About::default()
    };
    Ok(Opening {
        keeper: Arc::new(Keeper::new(vault)),
        about,
        guard: Demo { _server: server },
        // The demo's folder is a throwaway: no command line is served for it.
        serves_command_line: false,
    })
}

/// Removes the demo's data folder (it holds no secret, but nobody needs it after).
pub fn clean_up() {
    let folder = folder();
    if folder.exists()
        && let Err(e) = std::fs::remove_dir_all(&folder)
    {
        tracing::warn!("could not remove the demo folder {}: {e}", folder.display());
    }
}
