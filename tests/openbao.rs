//! A real OpenBao for the teams tests: a dev server (in memory, unsealed, KV version 2 at
//! `secret/`), or a three-node cluster on integrated Raft storage, initialised and unsealed
//! here. The binary is the one `scripts/install-deps.sh` puts in `.tools/bin` (or
//! `$TOKENVAULT_BAO`). Every server is killed when its value is dropped, whatever the test did.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The dev server's root token.
pub const ROOT: &str = "root";

/// Where the `bao` binary is.
pub fn bao_binary() -> PathBuf {
    std::env::var_os("TOKENVAULT_BAO")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/bao"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One `bao server` process, killed on drop.
#[derive(Debug)]
struct Server {
    child: Child,
    /// Its API address (`http://127.0.0.1:PORT`).
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str], log: &Path) -> Child {
    let out = std::fs::File::create(log).expect("a log file for the server");
    Command::new(bao_binary())
        .args(args)
        // A test trying wrong passwords must not lock its own users out.
        .env("BAO_DISABLE_USER_LOCKOUT", "true")
        .env_remove("BAO_ADDR")
        .env_remove("VAULT_ADDR")
        .stdout(out.try_clone().expect("the log file"))
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); scripts/install-deps.sh installs it",
                bao_binary().display()
            )
        })
}

/// An admin's HTTP calls on the engine, for setting up what a test needs.
#[derive(Debug, Clone)]
pub struct Admin {
    http: reqwest::Client,
    /// The address called.
    pub address: String,
    /// The root token.
    pub token: String,
}

impl Admin {
    fn new(address: &str, token: &str) -> Self {
        Self::trusting(address, token, None)
    }

    fn trusting(address: &str, token: &str, ca_pem: Option<&str>) -> Self {
        Self {
            http: client_trusting(ca_pem)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client"),
            address: address.to_owned(),
            token: token.to_owned(),
        }
    }

    /// Sends a request; returns the status and the JSON body (null when empty).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request = self
            .http
            .request(method, format!("{}/v1/{path}", self.address))
            .header("X-Vault-Token", &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the engine answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A call that must succeed.
    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(method, path, body).await;
        assert!(
            status == 200 || status == 204,
            "{method} {path}: HTTP {status}: {body}"
        );
        body
    }

    /// Userpass enabled, with a policy that `reads` (or also writes) the prefix's entries, and
    /// a user holding it.
    pub async fn member(&self, user: &str, password: &str, prefix: &str, writes: bool) {
        let (status, _) = self.call("GET", "sys/auth/userpass", None).await;
        if status != 200 {
            let (status, body) = self
                .call(
                    "POST",
                    "sys/auth/userpass",
                    Some(json!({"type": "userpass"})),
                )
                .await;
            assert!(
                status == 204 || status == 400,
                "enable userpass: {status} {body}"
            );
        }
        let data = if writes {
            r#"["create", "update", "read", "delete"]"#
        } else {
            r#"["read"]"#
        };
        let metadata = if writes {
            r#"["read", "list", "delete"]"#
        } else {
            r#"["read", "list"]"#
        };
        let policy = format!(
            "path \"secret/data/{prefix}/*\" {{ capabilities = {data} }}\n\
             path \"secret/metadata/{prefix}/*\" {{ capabilities = {metadata} }}\n\
             path \"secret/metadata/{prefix}\" {{ capabilities = [\"list\"] }}\n\
             path \"secret/detailed-metadata/{prefix}/*\" {{ capabilities = [\"list\"] }}\n\
             path \"secret/detailed-metadata/{prefix}\" {{ capabilities = [\"list\"] }}\n"
        );
        let name = format!("{user}-policy");
        self.ok(
            "PUT",
            &format!("sys/policies/acl/{name}"),
            Some(json!({"policy": policy})),
        )
        .await;
        self.ok(
            "POST",
            &format!("auth/userpass/users/{user}"),
            Some(json!({"password": password, "token_policies": [name], "token_ttl": "1h"})),
        )
        .await;
    }
}

/// A dev server.
#[derive(Debug)]
pub struct DevServer {
    server: Server,
    ca_pem: Option<String>,
    _dir: Scratch,
}

impl DevServer {
    /// Starts one and waits until it answers.
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    /// Starts one on https, with a certificate of a CA it makes ([`Self::ca_pem`]), which
    /// nothing trusts unless told to.
    pub async fn start_tls() -> Self {
        Self::start_with(true).await
    }

    async fn start_with(tls: bool) -> Self {
        let dir = Scratch::new("bao-dev");
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let certs = dir.path.join("tls");
        let mut args = vec![
            "server".to_owned(),
            "-dev".to_owned(),
            "-dev-root-token-id=root".to_owned(),
            format!("-dev-listen-address={listen}"),
            "-dev-no-store-token".to_owned(),
        ];
        if tls {
            std::fs::create_dir_all(&certs).expect("a folder for the certificates");
            args.push("-dev-tls".to_owned());
            args.push(format!("-dev-tls-cert-dir={}", certs.display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = spawn(&args, &dir.path.join("bao.log"));
        let scheme = if tls { "https" } else { "http" };
        let server = Server {
            child,
            address: format!("{scheme}://{listen}"),
        };
        let ca_pem = if tls {
            Some(ca_written_in(&certs, Duration::from_secs(60)).await)
        } else {
            None
        };
        wait_for_health_trusting(
            &server.address,
            &[200],
            Duration::from_secs(60),
            ca_pem.as_deref(),
        )
        .await;
        Self {
            server,
            ca_pem,
            _dir: dir,
        }
    }

    /// The CA certificate (PEM) of a server started with [`Self::start_tls`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Its address.
    pub fn address(&self) -> &str {
        &self.server.address
    }

    /// The root's calls.
    pub fn admin(&self) -> Admin {
        Admin::trusting(self.address(), ROOT, self.ca_pem())
    }
}

/// The CA certificate a `-dev-tls` server writes into `folder` as it starts.
async fn ca_written_in(folder: &Path, within: Duration) -> String {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let found = std::fs::read_dir(folder).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.to_string_lossy().ends_with("-ca.pem"))
        });
        if let Some(pem) = found.and_then(|p| std::fs::read_to_string(p).ok())
            && pem.contains("END CERTIFICATE")
        {
            return pem;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no CA certificate appeared in {}", folder.display());
}

/// Three nodes on integrated Raft storage, initialised and unsealed, KV version 2 at
/// `secret/`.
#[derive(Debug)]
pub struct Cluster {
    nodes: Vec<Option<Server>>,
    /// The nodes' addresses, in order.
    pub addresses: Vec<String>,
    /// The root token.
    pub root: String,
    _dir: Scratch,
}

impl Cluster {
    /// Starts three nodes and forms the cluster (node 0 is the first active node).
    pub async fn start() -> Self {
        let dir = Scratch::new("bao-cluster");
        let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
        let addresses: Vec<String> = ports
            .iter()
            .map(|(api, _)| format!("http://127.0.0.1:{api}"))
            .collect();
        let mut nodes = Vec::new();
        for (i, (api, cluster)) in ports.iter().enumerate() {
            let data = dir.path.join(format!("node{i}"));
            std::fs::create_dir_all(&data).expect("a node's data folder");
            let joins: String = addresses
                .iter()
                .map(|a| format!("  retry_join {{ leader_api_addr = \"{a}\" }}\n"))
                .collect();
            let config = format!(
                "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"node{i}\"\n  performance_multiplier = 1\n{joins}}}\n\
                 listener \"tcp\" {{\n  address = \"127.0.0.1:{api}\"\n  cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
                 api_addr = \"http://127.0.0.1:{api}\"\ncluster_addr = \"https://127.0.0.1:{cluster}\"\ndisable_mlock = true\n",
                data.display()
            );
            let file = dir.path.join(format!("node{i}.hcl"));
            std::fs::write(&file, config).expect("a node's config");
            let child = spawn(
                &["server", &format!("-config={}", file.display())],
                &dir.path.join(format!("node{i}.log")),
            );
            nodes.push(Some(Server {
                child,
                address: addresses[i].clone(),
            }));
        }
        // Not initialised yet: 501.
        for address in &addresses {
            wait_for_health(address, &[501, 503], Duration::from_secs(60)).await;
        }
        let first = Admin::new(&addresses[0], "");
        let init = first
            .ok(
                "POST",
                "sys/init",
                Some(json!({"secret_shares": 1, "secret_threshold": 1})),
            )
            .await;
        let key = init["keys_base64"][0]
            .as_str()
            .expect("an unseal key")
            .to_owned();
        let root = init["root_token"]
            .as_str()
            .expect("a root token")
            .to_owned();
        first
            .ok("POST", "sys/unseal", Some(json!({"key": key})))
            .await;
        wait_for_health(&addresses[0], &[200], Duration::from_secs(60)).await;
        for address in &addresses[1..] {
            // The node joins (retry_join) while it is unsealed with the same key.
            let node = Admin::new(address, "");
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let (status, body) = node
                    .call("POST", "sys/unseal", Some(json!({"key": key})))
                    .await;
                if status == 200 && body["sealed"] == json!(false) {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "node {address} did not join: {status} {body}"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            wait_for_health(address, &[429], Duration::from_secs(60)).await;
        }
        let admin = Admin::new(&addresses[0], &root);
        // Joined nodes vote only once autopilot finds them stable (10 s by default): until
        // then, losing the active node loses the quorum. Quicker here, and waited for.
        admin
            .ok(
                "POST",
                "sys/storage/raft/autopilot/configuration",
                Some(json!({"server_stabilization_time": "1s", "cleanup_dead_servers": false})),
            )
            .await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let body = admin
                .ok("GET", "sys/storage/raft/configuration", None)
                .await;
            let servers = body["data"]["config"]["servers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let voters = servers.iter().filter(|s| s["voter"] == json!(true)).count();
            if voters == 3 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the nodes did not all become voters: {body}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        admin
            .ok(
                "POST",
                "sys/mounts/secret",
                Some(json!({"type": "kv", "options": {"version": "2"}})),
            )
            .await;
        Self {
            nodes,
            addresses,
            root,
            _dir: dir,
        }
    }

    /// The root's calls, through the node at `index`.
    pub fn admin(&self, index: usize) -> Admin {
        Admin::new(&self.addresses[index], &self.root)
    }

    /// The index of the active node, as `sys/leader` says.
    pub async fn active(&self) -> usize {
        for (i, address) in self.addresses.iter().enumerate() {
            if self.nodes[i].is_none() {
                continue;
            }
            let (status, _) = Admin::new(address, "")
                .call("GET", "sys/health", None)
                .await;
            if status == 200 {
                return i;
            }
        }
        panic!("no active node");
    }

    /// Kills a node outright (SIGKILL), as a crash would.
    pub fn kill(&mut self, index: usize) {
        self.nodes[index] = None;
    }

    /// Waits until one of the nodes still running is active.
    pub async fn wait_for_leader(&self, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            for (i, address) in self.addresses.iter().enumerate() {
                if self.nodes[i].is_some() {
                    let (status, _) = Admin::new(address, "")
                        .call("GET", "sys/health", None)
                        .await;
                    if status == 200 {
                        return i;
                    }
                }
            }
            assert!(Instant::now() < deadline, "no new leader within {within:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A client builder that also trusts `ca_pem`.
fn client_trusting(ca_pem: Option<&str>) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    match ca_pem {
        Some(pem) => builder.add_root_certificate(
            reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate"),
        ),
        None => builder,
    }
}

async fn wait_for_health(address: &str, wanted: &[u16], within: Duration) {
    wait_for_health_trusting(address, wanted, within, None).await;
}

async fn wait_for_health_trusting(
    address: &str,
    wanted: &[u16],
    within: Duration,
    ca_pem: Option<&str>,
) {
    let client = client_trusting(ca_pem)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("an HTTP client");
    let deadline = Instant::now() + within;
    let mut last = String::new();
    while Instant::now() < deadline {
        match client.get(format!("{address}/v1/sys/health")).send().await {
            Ok(response) if wanted.contains(&response.status().as_u16()) => return,
            Ok(response) => last = format!("HTTP {}", response.status()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{address} did not answer {wanted:?} within {within:?} (last: {last})");
}

/// A scratch folder, removed on drop.
#[derive(Debug)]
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = crate::scratch(&format!("{name}-{}", NEXT.fetch_add(1, Ordering::SeqCst)));
        Self { path }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
