//! The app's local proxies: one per account the user switched on, each on its own port of
//! 127.0.0.1, adding the account's fresh token from the app's vault to every request.
//! An account keeps its port for the app's run, so a URL copied stays right when its proxy
//! is switched off and on again.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokenvault_core::Vault;
use tokenvault_proxy::{Options, Proxy, Routing, Started, TokenSource, Upstream};
use tokio::sync::Mutex;

/// How long an API may keep a request through the app's proxy waiting.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// The running proxies, by account id.
#[derive(Debug, Default)]
pub struct Proxies {
    running: Mutex<HashMap<String, Started>>,
    ports: std::sync::Mutex<HashMap<String, u16>>,
}

impl Proxies {
    /// The local URL of the account's proxy, when it runs.
    pub async fn url(&self, account_id: &str) -> Option<String> {
        self.running
            .lock()
            .await
            .get(account_id)
            .map(|started| format!("http://{}", started.addr()))
    }

    /// Starts the account's proxy (if it is not running) and answers its URL.
    pub async fn start(&self, vault: &Arc<Vault>, account_id: &str) -> Result<String, Refused> {
        let mut running = self.running.lock().await;
        if let Some(started) = running.get(account_id) {
            return Ok(format!("http://{}", started.addr()));
        }
        let catalog = vault.catalog().map_err(Refused::Core)?;
        let record = catalog.account(account_id).map_err(Refused::Core)?;
        let upstream = Upstream::of(record, &catalog, UPSTREAM_TIMEOUT).map_err(Refused::Core)?;
        let source: Arc<dyn TokenSource> = Arc::new(vault.clone());
        let options = Options {
            upstream_timeout: UPSTREAM_TIMEOUT,
            ..Options::default()
        };
        let proxy = Proxy::new(Routing::One(Arc::new(upstream)), source, options);
        let kept = self.port(account_id);
        let started = match proxy.start(at(kept)).await {
            Ok(started) => started,
            Err(e) => return Err(Refused::Port(kept, e)),
        };
        self.remember(account_id, started.addr().port());
        let url = format!("http://{}", started.addr());
        running.insert(account_id.to_owned(), started);
        Ok(url)
    }

    /// Stops the account's proxy, if it runs.
    pub async fn stop(&self, account_id: &str) {
        let started = self.running.lock().await.remove(account_id);
        if let Some(started) = started {
            started.stop().await;
        }
    }

    fn port(&self, account_id: &str) -> u16 {
        let ports = self.ports.lock().unwrap_or_else(|e| e.into_inner());
        ports.get(account_id).copied().unwrap_or(0)
    }

    fn remember(&self, account_id: &str, port: u16) {
        let mut ports = self.ports.lock().unwrap_or_else(|e| e.into_inner());
        ports.insert(account_id.to_owned(), port);
    }
}

fn at(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Why a proxy did not start.
#[derive(Debug)]
pub enum Refused {
    /// The account or its profile.
    Core(tokenvault_core::Error),
    /// The port it had (0: any) could not be listened on.
    Port(u16, std::io::Error),
}
