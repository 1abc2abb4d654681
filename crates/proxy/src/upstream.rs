//! One account's API as the proxy reaches it.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use tokenvault_core::auth::{Target, trusting};
use tokenvault_core::profile::TokenPlacement;
use tokenvault_core::vault::catalog::{AccountRecord, Catalog};
use tokenvault_core::{Error, Secret};

/// Where the API's calls carry the access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A header of this name holding the bare token.
    Header(HeaderName),
    /// A cookie of this name.
    Cookie(String),
}

impl Placement {
    /// The header a request carries the token in, and its value.
    pub(crate) fn header(&self, token: &Secret) -> Option<(HeaderName, HeaderValue)> {
        let (name, text) = match self {
            Placement::Bearer => (
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", token.expose()),
            ),
            Placement::Header(name) => (name.clone(), token.expose().to_owned()),
            Placement::Cookie(_) => return None,
        };
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some((name, value))
    }
}

/// An account's API: where requests go, how they carry its token, and the client that
/// sends them (trusting the account's extra CA).
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The account's name, as routes and messages name it.
    pub account: String,
    /// The account's base URL.
    pub base_url: Url,
    /// Where its calls carry the token.
    pub placement: Placement,
    pub(crate) http: reqwest::Client,
}

impl Upstream {
    /// The API of `record`, with `idle_timeout` as the longest silence allowed from it
    /// (the proxy answers 504 when its answer does not start in that time).
    pub fn of(
        record: &AccountRecord,
        catalog: &Catalog,
        idle_timeout: Duration,
    ) -> Result<Self, Error> {
        let profile = catalog.profile_of(record)?;
        let placement = match &profile.api.send {
            None | Some(TokenPlacement::Body { .. }) => Placement::Bearer,
            Some(TokenPlacement::Header { name }) => {
                Placement::Header(HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| {
                    Error::InvalidProfile {
                        origin: format!("preset:{}", profile.id),
                        field: "api.send".into(),
                        problem: format!("`{name}` is not a header name: {e}"),
                    }
                })?)
            }
            Some(TokenPlacement::Cookie { name }) => Placement::Cookie(name.trim().to_owned()),
        };
        let target = Target::new(profile, &record.base_url, record.allow_plain_http)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(idle_timeout.min(Duration::from_secs(10)))
            .read_timeout(idle_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90));
        let http = trusting(builder, record.ca_cert_pem.as_ref().map(String::as_bytes))?
            .build()
            .map_err(|e| Error::Tls {
                url: record.base_url.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            account: record.name.clone(),
            base_url: target.base_url().clone(),
            placement,
            http,
        })
    }

    /// Every account of the catalog.
    pub fn all(catalog: &Catalog, idle_timeout: Duration) -> Result<Vec<Self>, Error> {
        catalog
            .accounts
            .iter()
            .map(|record| Self::of(record, catalog, idle_timeout))
            .collect()
    }

    /// The URL of `path_and_query` (as the client sent it, below the base URL).
    pub(crate) fn url(&self, path_and_query: &str) -> Result<Url, String> {
        let base = self.base_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path_and_query}")).map_err(|e| e.to_string())
    }
}
