//! Demo mode: the demo API in-process, and one account per dialect logged in to it.

use std::sync::Arc;

use tokenvault_core::auth::{Authenticator, HttpOptions, Target};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::freshness::FreshnessPolicy;
use tokenvault_core::keeper::{AccountInfo, Keeper};
use tokenvault_core::profile::preset;
use tokenvault_core::session::Session;
use tokenvault_core::{Error, Secret};
use tokenvault_demo_api::{Config, DEMO_USERS, DemoServer, Dialect};

use crate::{About, Shell};

/// The running demo API, kept alive as long as the app.
#[derive(Debug)]
pub struct Demo {
    _server: DemoServer,
    _keeper: Arc<Keeper>,
}

/// Starts the demo API on a free loopback port and a keeper of one account per preset.
pub async fn start() -> Result<Shell, Box<dyn std::error::Error>> {
    let server = DemoServer::start(Config::lively(), 0).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let authenticator = Authenticator::new(HttpOptions::default())?;
    let mut keeper = Keeper::new(Arc::clone(&clock));
    // One account per preset; the dialect no preset knows is for custom-profile tests.
    for user in DEMO_USERS
        .into_iter()
        .filter(|u| Dialect::PRESETS.contains(&u.dialect))
    {
        let id = user.dialect.as_str();
        let profile = preset(id)
            .ok_or_else(|| Error::InvalidProfile {
                origin: format!("preset:{id}"),
                field: "id".into(),
                problem: "no such preset".into(),
            })?
            .profile
            .clone();
        let base_url = server.base_url(user.dialect);
        let target = Target::new(profile, &base_url, false)?;
        let session = Session::new(
            target,
            user.identity,
            Secret::new(user.password),
            authenticator.clone(),
            FreshnessPolicy::default(),
            Arc::clone(&clock),
        );
        let account = AccountInfo {
            id: format!("demo-{id}"),
            name: user.account_name.to_owned(),
            environment: "Demo".to_owned(),
            profile: id.to_owned(),
            base_url,
            identity: user.identity.to_owned(),
        };
        keeper.add(account, session);
    }
    tracing::info!("demo API listening on http://{}", server.addr());
    let keeper = Arc::new(keeper);
    let statuses = keeper.subscribe();
    keeper.start();
    let about = About {
        demo_api: Some(format!("http://{}", server.addr())),
        secret_store: Some("memory only (demo)".to_owned()),
        ..About::default()
    };
    Ok(Shell {
        statuses,
        about: tokio::sync::watch::channel(about).1,
        tokens: crate::Tokens::Demo(Arc::clone(&keeper)),
        _demo: Some(Demo {
            _server: server,
            _keeper: keeper,
        }),
    })
}
