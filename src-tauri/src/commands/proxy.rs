//! An account's local proxy: switched on and off from its panel, its URL shown to copy.

use serde::Serialize;
use tauri::State;

use super::{IpcResult, vault};
use crate::Shell;
use crate::proxies::{Proxies, Refused};
use crate::view::{FailureView, ShellCode};

/// Whether an account's proxy runs, and where.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProxyView {
    account_id: String,
    /// `http://127.0.0.1:PORT` while it runs.
    url: Option<String>,
}

/// The account's proxy as it is.
#[tauri::command]
pub async fn account_proxy(proxies: State<'_, Proxies>, id: String) -> IpcResult<ProxyView> {
    Ok(ProxyView {
        url: proxies.url(&id).await,
        account_id: id,
    })
}

/// Starts (`on`) or stops the account's proxy, and says where it listens.
#[tauri::command]
pub async fn set_account_proxy(
    shell: State<'_, Shell>,
    proxies: State<'_, Proxies>,
    id: String,
    on: bool,
) -> IpcResult<ProxyView> {
    if !on {
        proxies.stop(&id).await;
        return Ok(ProxyView {
            account_id: id,
            url: None,
        });
    }
    let vault = vault(&shell)?;
    let url = proxies
        .start(vault, &id)
        .await
        .map_err(|refused| match refused {
            Refused::Core(error) => FailureView::from(error),
            Refused::Port(port, error) => FailureView::new(
                ShellCode::PortUnavailable,
                format!("cannot listen on 127.0.0.1:{port}: {error}"),
            ),
        })?;
    Ok(ProxyView {
        account_id: id,
        url: Some(url),
    })
}
