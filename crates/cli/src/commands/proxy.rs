//! `tokenvault proxy`: the accounts' APIs on a local port, each request sent on with the
//! account's fresh token, until Ctrl+C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use time::Duration;
use tokenvault_core::vault::catalog::CatalogFile;
use tokenvault_proxy::{Options, Proxy, Routing, Upstream};

use super::Outcome;
use super::fresh::Fresh;
use crate::args::ProxyArgs;
use crate::exit::Failure;
use crate::output;

/// Serves until stopped. Prints each account's local URL on stdout, one line each, once
/// it listens.
pub async fn proxy(fresh: Fresh, args: ProxyArgs) -> Outcome {
    let catalog = CatalogFile::new(fresh.home().catalog()).load()?;
    let upstream_timeout = StdDuration::from_secs(args.upstream_timeout.max(1));
    let routing = match &args.name {
        Some(name) => Routing::One(Arc::new(Upstream::of(
            catalog.account(name)?,
            &catalog,
            upstream_timeout,
        )?)),
        None => {
            let all = Upstream::all(&catalog, upstream_timeout)?;
            if all.is_empty() {
                return Err(Failure::Usage(
                    "the vault has no account to proxy: add one first (`tokenvault account add`)"
                        .into(),
                ));
            }
            Routing::ByName(
                all.into_iter()
                    .map(|u| (u.account.clone(), Arc::new(u)))
                    .collect(),
            )
        }
    };
    let bases: Vec<(String, String)> = match &routing {
        Routing::One(u) => vec![(u.account.clone(), u.base_url.to_string())],
        Routing::ByName(all) => all
            .values()
            .map(|u| (u.account.clone(), u.base_url.to_string()))
            .collect(),
    };
    let options = Options {
        min_valid: Duration::seconds(i64::from(args.min_valid)),
        upstream_timeout,
        ..Options::default()
    };
    fresh.ready().await?;
    let addr = SocketAddr::new(args.bind, args.port);
    let started = Proxy::new(routing, Arc::new(fresh), options)
        .start(addr)
        .await
        .map_err(|e| cannot_listen(addr, &e))?;
    if !args.bind.is_loopback() {
        output::note(&format!(
            "tokenvault proxy: listening on {addr}, beyond this machine: whoever reaches it \
             sends requests with your accounts' tokens"
        ));
    }
    for ((account, url), (_, base)) in started.urls().iter().zip(&bases) {
        output::line(url);
        output::note(&format!("tokenvault proxy: {url}/ -> {base} ({account})"));
    }
    stopped().await;
    output::note("tokenvault proxy: stopping");
    started.stop().await;
    Ok(())
}

fn cannot_listen(addr: SocketAddr, error: &std::io::Error) -> Failure {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => Failure::Usage(format!(
            "{addr} is in use by another program: choose another --port"
        )),
        std::io::ErrorKind::AddrNotAvailable => Failure::Usage(format!(
            "{} is not an address of this machine: choose another --bind",
            addr.ip()
        )),
        _ => Failure::Relayed {
            message: format!("cannot listen on {addr}: {error}"),
            exit: crate::exit::LOCAL,
        },
    }
}

/// Until Ctrl+C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
