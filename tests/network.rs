//! A company's network on loopback: TLS servers with the test certificates of `testdata/`, a
//! TLS-inspecting proxy that forges each server's certificate with "Test Corp"'s CA (what
//! a company's proxy does, and why its CA must be in the trust store), and Debian's tinyproxy
//! as a forward proxy whose log says what went through it. Every server stops when its value
//! is dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{self, RootCertStore};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// The test certificate of 127.0.0.1 (self-signed), and its key.
pub const LOOPBACK_CERT: &str = include_str!("testdata/loopback-cert.pem");
/// The key of [`LOOPBACK_CERT`].
pub const LOOPBACK_KEY: &str = include_str!("testdata/loopback-key.pem");
/// The CA of Test Corp's TLS-inspecting proxy: what a company installs in its machines'
/// trust stores.
pub const CORP_PROXY_CA: &str = include_str!("testdata/corp-proxy-ca.pem");
const CORP_PROXY_LEAF: &str = include_str!("testdata/corp-proxy-leaf.pem");
const CORP_PROXY_LEAF_KEY: &str = include_str!("testdata/corp-proxy-leaf-key.pem");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS with `cert_pem` and its key.
pub fn acceptor(cert_pem: &str, key_pem: &str) -> TlsAcceptor {
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("a certificate");
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("a key");
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("a server configuration");
    TlsAcceptor::from(Arc::new(config))
}

/// TLS with the loopback test certificate.
pub fn loopback_acceptor() -> TlsAcceptor {
    acceptor(LOOPBACK_CERT, LOOPBACK_KEY)
}

/// A server on loopback that speaks TLS with the loopback certificate and relays each
/// connection, decrypted, to `upstream`: an HTTP server put behind https. Returns its port;
/// it runs as long as the test's runtime.
pub async fn behind_tls(upstream: SocketAddr) -> u16 {
    let acceptor = loopback_acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// A TLS-inspecting proxy: it answers `CONNECT host:port`, speaks TLS to the client with a
/// certificate for the host signed by Test Corp's CA ([`CORP_PROXY_CA`]), and relays what it
/// reads to the real server over a TLS connection of its own (which trusts the loopback
/// test certificate). It can only forge certificates for 127.0.0.1.
#[derive(Debug)]
pub struct InspectingProxy {
    port: u16,
    connects: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl InspectingProxy {
    /// Starts one on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let forged = acceptor(CORP_PROXY_LEAF, CORP_PROXY_LEAF_KEY);
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(LOOPBACK_CERT.as_bytes()).expect("a certificate"))
            .expect("a root");
        let upstream = TlsConnector::from(Arc::new(
            rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth(),
        ));
        let seen = Arc::clone(&connects);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (forged, upstream, seen) = (forged.clone(), upstream.clone(), seen.clone());
                tokio::spawn(async move {
                    let _ = inspect(client, forged, upstream, seen).await;
                });
            }
        });
        Self {
            port,
            connects,
            task,
        }
    }

    /// Its address, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `host:port` of every CONNECT it was asked, in order.
    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().expect("not poisoned").clone()
    }
}

impl Drop for InspectingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn inspect(
    mut client: TcpStream,
    forged: TlsAcceptor,
    upstream: TlsConnector,
    seen: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let head = read_head(&mut client).await?;
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("CONNECT "))
        .and_then(|rest| rest.split(' ').next())
        .map(str::to_owned);
    let Some(target) = target else {
        client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    seen.lock().expect("not poisoned").push(target.clone());
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    let mut inside = forged.accept(client).await?;
    let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut server = upstream
        .connect(name, TcpStream::connect(&target).await?)
        .await?;
    tokio::io::copy_bidirectional(&mut inside, &mut server).await?;
    Ok(())
}

/// A request's head, up to its blank line (the client sends nothing more before an answer).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await?;
        if read == 0 || head.len() > 16 * 1024 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&chunk[..read]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// Debian's tinyproxy (`tinyproxy-bin`, which `scripts/install-deps.sh` installs) on a free
/// loopback port, logging each connection it makes; killed on drop.
#[derive(Debug)]
pub struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Tinyproxy {
    /// Starts one and waits until it accepts connections.
    pub async fn start() -> Self {
        let dir = crate::scratch(&format!(
            "tinyproxy-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        // Its port is chosen here, and another process may take it first: then again.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            let (config, log) = (dir.join("tinyproxy.conf"), dir.join("tinyproxy.log"));
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 16\n\
                     LogFile \"{}\"\nLogLevel Connect\n",
                    log.display()
                ),
            )
            .expect("the configuration is written");
            let child = Command::new("tinyproxy")
                .arg("-d")
                .arg("-c")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tinyproxy runs (scripts/install-deps.sh installs tinyproxy-bin)");
            let mut proxy = Self { child, port, log };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if matches!(proxy.child.try_wait(), Ok(Some(_))) {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    return proxy;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            proxy.stop();
        }
        panic!("tinyproxy did not start (see {})", dir.display());
    }

    /// Its address, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        self.stop();
    }
}
