//! The team's secret engine over HTTP: OpenBao, or HashiCorp Vault, which speaks the same API.
//! Only what sharing accounts needs: a userpass login, the token's own lookup and renewal, and
//! KV version 2 (read, check-and-set write, list, metadata, delete).
//!
//! Several addresses may be given (the nodes of a cluster): a request goes to the one that
//! answered last, and on to the next when a node cannot be reached, is sealed, has no active
//! node to forward to, or answers with a redirect (a standby that cannot forward). While a
//! cluster elects a new leader every node may say so for some seconds: the request is tried
//! again, round after round, for at most [`Engine::patience`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read: a listing of a few thousand entries with their metadata fits.
const MAX_ANSWER: usize = 32 * 1024 * 1024;
/// The KV v2 check-and-set refusal, as OpenBao and Vault word it.
const CAS_MISMATCH: &str = "check-and-set parameter did not match";

/// A token the engine gave, and how long it lives.
#[derive(Debug, Clone)]
pub struct Lease {
    /// The token.
    pub token: Secret,
    /// Seconds it lives from now (0: no expiry, such as a root token).
    pub ttl: u64,
    /// Whether `renew-self` can extend it.
    pub renewable: bool,
}

/// What the engine says of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Seconds left (0: no expiry).
    pub ttl: u64,
    /// Whether it can be renewed.
    pub renewable: bool,
    /// The name the engine shows for it (`userpass-alice`), for the audit trail and conflicts.
    pub display_name: String,
    /// Its policies.
    pub policies: Vec<String>,
}

/// One entry of a KV v2 listing: its current version, and whether that version is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryState {
    /// The current version (1 for the first write).
    pub version: u64,
    /// The current version is deleted or destroyed: the entry is gone for readers.
    pub deleted: bool,
}

/// A KV v2 entry as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's data (the `data` object written).
    pub data: Value,
    /// The version read.
    pub version: u64,
}

/// An answer of the engine.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    url: String,
}

impl Answer {
    /// The engine's own words (`errors`), joined.
    fn errors(&self) -> String {
        self.body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    /// Whether another node, or the same a little later, may answer this request: the node is
    /// sealed, standing by without a leader to forward to, or redirecting.
    fn is_transitional(&self) -> bool {
        matches!(self.status, 307 | 500 | 502 | 503 | 504)
    }
}

/// The team's engine: its addresses, its KV v2 mount, one HTTP client.
#[derive(Debug)]
pub struct Engine {
    addresses: Vec<String>,
    mount: String,
    http: reqwest::Client,
    /// The address that answered last, tried first.
    preferred: AtomicUsize,
    /// Requests sent so far (every try counted).
    sent: AtomicUsize,
    patience: Duration,
}

impl Engine {
    /// An engine at `addresses` (tried in turn), its KV v2 engine at `mount`, trusting the
    /// extra CA of `ca_pem` beside the usual roots.
    pub fn new(addresses: &[String], mount: &str, ca_pem: Option<&[u8]>) -> Result<Self> {
        if addresses.is_empty() {
            return Err(Error::InvalidAccount {
                field: "addr",
                problem: "give the engine's address (--addr URL), one per cluster node".to_owned(),
            });
        }
        let mut checked = Vec::with_capacity(addresses.len());
        for address in addresses {
            checked.push(check_address(address)?);
        }
        let mount = mount.trim_matches('/');
        if mount.is_empty() || mount.contains("..") {
            return Err(Error::InvalidAccount {
                field: "mount",
                problem: format!("`{mount}` is not a mount path (such as `secret`)"),
            });
        }
        let http = crate::auth::trusting(reqwest::Client::builder(), ca_pem)?
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // A standby that cannot forward redirects to the node it believes active, which in
            // a failover may be the one that just died: the next address is tried instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tokenvault/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Tls {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            addresses: checked,
            mount: mount.to_owned(),
            http,
            preferred: AtomicUsize::new(0),
            sent: AtomicUsize::new(0),
            patience: Duration::from_secs(45),
        })
    }

    /// How long a request keeps trying while no node can answer it (a leader election takes
    /// seconds): 45 s unless set.
    pub fn with_patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// How many requests this engine has sent, every try counted.
    pub fn requests(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// The KV v2 mount.
    pub fn mount(&self) -> &str {
        &self.mount
    }

    /// Logs in with userpass.
    pub async fn login_userpass(&self, user: &str, password: &Secret) -> Result<Lease> {
        let path = format!("auth/userpass/login/{}", segment(user)?);
        let answer = self
            .call(
                reqwest::Method::POST,
                &path,
                None,
                Some(json!({ "password": password.expose() })),
                &[password],
            )
            .await?;
        match answer.status {
            200 => lease_of(&answer),
            400 | 403 => Err(Error::CredentialsRejected {
                identity: format!("{user} (userpass)"),
                status: answer.status,
                detail: Some(answer.errors()).filter(|e| !e.is_empty()),
            }),
            _ => Err(unexpected(&answer, "a userpass login")),
        }
    }

    /// What the engine says of `token`.
    pub async fn lookup_self(&self, token: &Secret) -> Result<TokenInfo> {
        let answer = self
            .call(
                reqwest::Method::GET,
                "auth/token/lookup-self",
                Some(token),
                None,
                &[token],
            )
            .await?;
        let data = self
            .ok(&answer, "read its own token")?
            .get("data")
            .cloned()
            .unwrap_or_default();
        Ok(TokenInfo {
            ttl: data.get("ttl").and_then(Value::as_u64).unwrap_or(0),
            renewable: data
                .get("renewable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            display_name: data
                .get("display_name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            policies: data
                .get("policies")
                .and_then(Value::as_array)
                .map(|p| {
                    p.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Extends `token`'s life (`renew-self`).
    pub async fn renew_self(&self, token: &Secret) -> Result<Lease> {
        let answer = self
            .call(
                reqwest::Method::POST,
                "auth/token/renew-self",
                Some(token),
                Some(json!({})),
                &[token],
            )
            .await?;
        self.ok(&answer, "renew its own token")?;
        let mut lease = lease_of(&answer)?;
        // The engine answers with the same token; keep the one we hold.
        lease.token = token.clone();
        Ok(lease)
    }

    /// The version of the KV engine at the mount: 2 is what sharing needs. A KV v1 mount
    /// would take a v2 write as a plain entry named `data/...`, silently.
    pub async fn kv_version(&self, token: &Secret) -> Result<u8> {
        let path = format!("sys/internal/ui/mounts/{}", self.mount);
        let answer = self
            .call(reqwest::Method::GET, &path, Some(token), None, &[token])
            .await?;
        if answer.status == 403 {
            return Err(Error::Forbidden {
                url: answer.url.clone(),
                detail: Some(format!(
                    "no mount `{}` that this token may use{}",
                    self.mount,
                    suffix(&answer.errors())
                )),
            });
        }
        let body = self.ok(&answer, "describe its mount")?;
        let data = body.get("data").unwrap_or(body);
        if data
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "kv")
        {
            return Err(Error::UnexpectedResponse {
                url: answer.url.clone(),
                expected: format!("a KV secrets engine at `{}`", self.mount),
                got: format!("a `{}` engine", data["type"].as_str().unwrap_or_default()),
            });
        }
        let version = data
            .pointer("/options/version")
            .and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| v.as_u64().map(|n| n.to_string()))
            })
            .unwrap_or_default();
        Ok(if version == "2" { 2 } else { 1 })
    }

    /// Every entry under `prefix` with its current version, in as few requests as the engine
    /// allows: OpenBao's `detailed-metadata` listing answers in one; elsewhere (Vault) each
    /// entry's metadata is read.
    pub async fn states(
        &self,
        token: &Secret,
        prefix: &str,
    ) -> Result<std::collections::BTreeMap<String, EntryState>> {
        let prefix = prefix.trim_matches('/');
        let path = format!("{}/detailed-metadata/{prefix}/", self.mount);
        let answer = self
            .call(list(), &path, Some(token), None, &[token])
            .await?;
        match answer.status {
            200 => return Ok(states_of(&answer.body)),
            404 if answer.errors().is_empty() && !unsupported_path(&answer) => {
                return Ok(Default::default());
            }
            403 => return Err(forbidden(&answer, "list the team's accounts")),
            _ => {}
        }
        // No detailed listing here (HashiCorp Vault, or OpenBao before 2.2): keys, then each.
        let mut states = std::collections::BTreeMap::new();
        for key in self.keys(token, prefix).await? {
            if let Some(state) = self.state(token, &format!("{prefix}/{key}")).await? {
                states.insert(key, state);
            }
        }
        Ok(states)
    }

    /// The keys directly under `prefix` (folders left out).
    pub async fn keys(&self, token: &Secret, prefix: &str) -> Result<Vec<String>> {
        let path = format!("{}/metadata/{}/", self.mount, prefix.trim_matches('/'));
        let answer = self
            .call(list(), &path, Some(token), None, &[token])
            .await?;
        if answer.status == 404 {
            return Ok(Vec::new());
        }
        let body = self.ok(&answer, "list the team's accounts")?;
        Ok(body
            .pointer("/data/keys")
            .and_then(Value::as_array)
            .map(|keys| {
                keys.iter()
                    .filter_map(Value::as_str)
                    .filter(|k| !k.ends_with('/'))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The current version of the entry at `path`, or None when there is none.
    pub async fn state(&self, token: &Secret, path: &str) -> Result<Option<EntryState>> {
        let Some(answer) = self
            .found(token, &format!("metadata/{}", path.trim_matches('/')))
            .await?
        else {
            return Ok(None);
        };
        let body = self.ok(&answer, "read the team's accounts")?;
        Ok(body.get("data").and_then(state_of))
    }

    /// A GET of `kind/path` below the mount, or None when the engine has nothing there (404).
    async fn found(&self, token: &Secret, kind_and_path: &str) -> Result<Option<Answer>> {
        let path = format!("{}/{}", self.mount, kind_and_path.trim_matches('/'));
        let answer = self
            .call(reqwest::Method::GET, &path, Some(token), None, &[token])
            .await?;
        Ok((answer.status != 404).then_some(answer))
    }

    /// The entry at `path`, or None when there is none (never written, or deleted).
    pub async fn read(&self, token: &Secret, path: &str) -> Result<Option<Entry>> {
        let Some(answer) = self
            .found(token, &format!("data/{}", path.trim_matches('/')))
            .await?
        else {
            return Ok(None);
        };
        let body = self.ok(&answer, "read the team's accounts")?;
        let data = body.pointer("/data/data").cloned().unwrap_or(Value::Null);
        let version = body
            .pointer("/data/metadata/version")
            .and_then(Value::as_u64);
        match (data, version) {
            (Value::Object(map), Some(version)) => Ok(Some(Entry {
                data: Value::Object(map),
                version,
            })),
            _ => Err(Error::UnexpectedResponse {
                url: answer.url.clone(),
                expected: "a KV version 2 entry (data.data and data.metadata.version)".to_owned(),
                got: "something else: is the mount KV version 1?".to_owned(),
            }),
        }
    }

    /// Writes `data` at `path` if its current version is still `expected` (0: if there is
    /// none): two people sharing at once never overwrite each other. Returns the new version.
    pub async fn write(
        &self,
        token: &Secret,
        path: &str,
        data: Value,
        expected: u64,
    ) -> Result<u64> {
        let url_path = format!("{}/data/{}", self.mount, path.trim_matches('/'));
        let answer = self
            .call(
                reqwest::Method::POST,
                &url_path,
                Some(token),
                Some(json!({ "options": { "cas": expected }, "data": data })),
                &[token],
            )
            .await?;
        match answer.status {
            200 => answer
                .body
                .pointer("/data/version")
                .and_then(Value::as_u64)
                .ok_or_else(|| not_kv2(&answer)),
            204 => Err(not_kv2(&answer)),
            400 if answer.errors().contains(CAS_MISMATCH) => Err(Error::TeamConflict {
                entry: path.to_owned(),
                detail: format!("it changed since version {expected}"),
            }),
            403 => Err(forbidden(&answer, "write the team's accounts")),
            _ => Err(unexpected(&answer, "a KV version 2 write")),
        }
    }

    /// Removes the entry at `path`, every version of it.
    pub async fn delete(&self, token: &Secret, path: &str) -> Result<()> {
        let path = format!("{}/metadata/{}", self.mount, path.trim_matches('/'));
        let answer = self
            .call(reqwest::Method::DELETE, &path, Some(token), None, &[token])
            .await?;
        match answer.status {
            200 | 204 | 404 => Ok(()),
            403 => Err(forbidden(&answer, "remove the team's accounts")),
            _ => Err(unexpected(&answer, "a KV version 2 delete")),
        }
    }

    /// A successful answer's body; the engine's refusal as an error otherwise.
    fn ok<'a>(&self, answer: &'a Answer, action: &str) -> Result<&'a Value> {
        match answer.status {
            200 => Ok(&answer.body),
            403 => Err(forbidden(answer, action)),
            _ => Err(unexpected(answer, action)),
        }
    }

    /// Sends one request to the preferred address, and on to the others while a node cannot
    /// answer it; rounds of all addresses again, a little later each time, for at most
    /// `patience`. A refusal (4xx) is an answer, returned at once.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&Secret>,
        body: Option<Value>,
        secrets: &[&Secret],
    ) -> Result<Answer> {
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            let first = self.preferred.load(Ordering::Relaxed) % self.addresses.len();
            let mut last = None;
            // Every node failing in a way waiting does not mend (a certificate not trusted,
            // an address that is not a server's) is said at once.
            let mut lasting = true;
            for step in 0..self.addresses.len() {
                let at = (first + step) % self.addresses.len();
                let url = format!("{}/v1/{path}", self.addresses[at]);
                match self
                    .send(&method, &url, token, body.as_ref(), secrets)
                    .await
                {
                    Ok(answer) if !answer.is_transitional() => {
                        self.preferred.store(at, Ordering::Relaxed);
                        return Ok(answer);
                    }
                    Ok(answer) => {
                        lasting = false;
                        last = Some(transitional(&answer));
                    }
                    Err(error) => {
                        lasting &= !error.is_transient();
                        last = Some(error);
                    }
                }
            }
            let error = last.unwrap_or_else(|| Error::Unreachable {
                url: self.addresses.join(", "),
                reason: "no address to try".to_owned(),
            });
            if lasting || started.elapsed() + pause > self.patience {
                return Err(error);
            }
            tracing::debug!("no node of the team's engine answered ({error}); trying again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    async fn send(
        &self,
        method: &reqwest::Method,
        url: &str,
        token: Option<&Secret>,
        body: Option<&Value>,
        secrets: &[&Secret],
    ) -> Result<Answer> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method.clone(), url);
        if let Some(token) = token {
            request = request.header("X-Vault-Token", token.expose());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport(url, &e, secrets))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(url, &e, secrets))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(Error::UnexpectedResponse {
                    url: url.to_owned(),
                    expected: format!("an answer under {} MiB", MAX_ANSWER >> 20),
                    got: "a larger one".to_owned(),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| Error::UnexpectedResponse {
                url: url.to_owned(),
                expected: "JSON from an OpenBao or Vault server".to_owned(),
                got: describe_body(&bytes),
            })?
        };
        Ok(Answer {
            status,
            body,
            url: url.to_owned(),
        })
    }
}

/// `LIST`, the verb OpenBao and Vault list with.
fn list() -> reqwest::Method {
    reqwest::Method::from_bytes(b"LIST").unwrap_or(reqwest::Method::GET)
}

/// An address as requests are built on it: http(s), no path, no trailing slash. Plain http
/// only on loopback, as for accounts.
fn check_address(address: &str) -> Result<String> {
    let invalid = |problem: String| Error::InvalidBaseUrl {
        url: address.to_owned(),
        problem,
    };
    let url = url::Url::parse(address).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if crate::auth::is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http would send the team's token and secrets in the clear; use https"
                    .to_owned(),
            ));
        }
        other => return Err(invalid(format!("`{other}` is not http or https"))),
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err(invalid(
            "give the server's address alone, without a path".to_owned(),
        ));
    }
    Ok(address.trim_end_matches('/').to_owned())
}

/// A path segment as the engine's paths take it: no slash, nothing a URL would misread.
fn segment(name: &str) -> Result<&str> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
    {
        return Err(Error::InvalidAccount {
            field: "userpass",
            problem: format!("`{name}` is not a userpass name (letters, digits, - _ . @)"),
        });
    }
    Ok(name)
}

fn lease_of(answer: &Answer) -> Result<Lease> {
    let auth = answer
        .body
        .get("auth")
        .ok_or_else(|| Error::UnexpectedResponse {
            url: answer.url.clone(),
            expected: "an `auth` object with a client token".to_owned(),
            got: "none".to_owned(),
        })?;
    let token = auth
        .get("client_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::UnexpectedResponse {
            url: answer.url.clone(),
            expected: "auth.client_token".to_owned(),
            got: "no token".to_owned(),
        })?;
    Ok(Lease {
        token: Secret::new(token),
        ttl: auth
            .get("lease_duration")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        renewable: auth
            .get("renewable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// The listing of `detailed-metadata`: each key's current version and whether it is deleted.
fn states_of(body: &Value) -> std::collections::BTreeMap<String, EntryState> {
    let mut states = std::collections::BTreeMap::new();
    let Some(info) = body.pointer("/data/key_info").and_then(Value::as_object) else {
        return states;
    };
    for (key, metadata) in info {
        if key.ends_with('/') {
            continue;
        }
        if let Some(state) = state_of(metadata) {
            states.insert(key.clone(), state);
        }
    }
    states
}

/// An entry's state from its metadata: a soft delete leaves `current_version` alone and
/// marks that version's `deletion_time`.
fn state_of(metadata: &Value) -> Option<EntryState> {
    let version = metadata.get("current_version").and_then(Value::as_u64)?;
    let current = metadata.pointer(&format!("/versions/{version}"));
    let deleted = current.is_some_and(|v| {
        v.get("destroyed").and_then(Value::as_bool).unwrap_or(false)
            || v.get("deletion_time")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty())
    });
    Some(EntryState { version, deleted })
}

/// A 404 that says the path itself is unknown (an engine without `detailed-metadata`), as
/// opposed to an empty listing.
fn unsupported_path(answer: &Answer) -> bool {
    answer.body.get("warnings").is_some() || answer.errors().contains("unsupported path")
}

fn forbidden(answer: &Answer, action: &str) -> Error {
    let words = answer.errors();
    if words.trim() == "permission denied" {
        // The token itself is refused: revoked, expired, or never valid.
        return Error::TeamTokenRejected {
            detail: format!("the engine at {} did not accept the token", answer.url),
        };
    }
    Error::TeamForbidden {
        action: action.to_owned(),
        detail: format!("{}{}", answer.url, suffix(&words)),
    }
}

fn transitional(answer: &Answer) -> Error {
    let words = answer.errors();
    Error::ServerError {
        url: answer.url.clone(),
        status: answer.status,
        detail: Some(if words.is_empty() {
            if answer.status == 307 {
                "a standby node redirected to another".to_owned()
            } else {
                "no answer from the cluster's active node".to_owned()
            }
        } else {
            words
        }),
        retry_after: None,
    }
}

fn unexpected(answer: &Answer, action: &str) -> Error {
    Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected: format!("the engine to {action}"),
        got: format!("HTTP {}{}", answer.status, suffix(&answer.errors())),
    }
}

fn not_kv2(answer: &Answer) -> Error {
    Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected: "a KV version 2 write (an answer with the new version)".to_owned(),
        got: "none: the mount is not KV version 2".to_owned(),
    }
}

fn suffix(words: &str) -> String {
    if words.is_empty() {
        String::new()
    } else {
        format!(": {words}")
    }
}

fn transport(url: &str, error: &reqwest::Error, secrets: &[&Secret]) -> Error {
    crate::auth::transport_failure(url, error, REQUEST_TIMEOUT, secrets)
}

/// A few words on a body that is not JSON: an HTML page says it is one.
fn describe_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        "an HTML page: is this address an OpenBao or Vault server?".to_owned()
    } else {
        format!("{} bytes that are not JSON", bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body,
            url: "http://127.0.0.1:8200/v1/secret/data/x".to_owned(),
        }
    }

    #[test]
    fn a_listing_with_metadata_gives_each_entrys_version() {
        let body = json!({"data": {"keys": ["a", "b", "team/"], "key_info": {
            "a": {"current_version": 3, "versions": {"3": {"deletion_time": "", "destroyed": false}}},
            "b": {"current_version": 1, "versions": {"1": {"deletion_time": "2026-12-07T10:00:00Z", "destroyed": false}}},
            "team/": {}
        }}});
        let states = states_of(&body);
        assert_eq!(states.len(), 2);
        assert_eq!(
            states["a"],
            EntryState {
                version: 3,
                deleted: false
            }
        );
        assert_eq!(
            states["b"],
            EntryState {
                version: 1,
                deleted: true
            }
        );
    }

    #[test]
    fn a_destroyed_current_version_is_a_deleted_entry() {
        let metadata = json!({"current_version": 2, "versions": {"2": {"deletion_time": "", "destroyed": true}}});
        assert_eq!(
            state_of(&metadata),
            Some(EntryState {
                version: 2,
                deleted: true
            })
        );
    }

    #[test]
    fn a_token_refused_outright_is_told_apart_from_a_policy_that_forbids() {
        let revoked = forbidden(
            &answer(403, json!({"errors": ["permission denied"]})),
            "write",
        );
        assert_eq!(revoked.code(), crate::ErrorCode::TeamTokenRejected);
        let policy = forbidden(
            &answer(
                403,
                json!({"errors": ["1 error occurred:\n\t* permission denied\n\n"]}),
            ),
            "write the team's accounts",
        );
        assert_eq!(policy.code(), crate::ErrorCode::TeamForbidden);
        assert!(
            policy.to_string().contains("write the team's accounts"),
            "{policy}"
        );
    }

    #[test]
    fn sealed_standby_and_redirecting_nodes_are_passed_over() {
        for status in [307, 500, 503] {
            assert!(answer(status, json!({"errors": ["Vault is sealed"]})).is_transitional());
        }
        assert!(!answer(403, json!({})).is_transitional());
        assert!(!answer(400, json!({})).is_transitional());
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        assert!(check_address("http://127.0.0.1:8200").is_ok());
        assert!(check_address("https://bao.example.com/").is_ok());
        let error = check_address("http://bao.example.com:8200").unwrap_err();
        assert!(error.to_string().contains("in the clear"), "{error}");
        assert!(check_address("https://bao.example.com/v1").is_err());
    }

    #[test]
    fn an_html_page_is_named_as_such() {
        assert!(describe_body(b"<!doctype html><title>Login</title>").contains("HTML page"));
        assert!(describe_body(b"garbage").contains("not JSON"));
    }

    #[test]
    fn a_userpass_name_with_a_slash_is_refused_before_any_request() {
        assert!(segment("alice").is_ok());
        assert!(segment("../sys").is_err());
        assert!(segment("").is_err());
    }
}
