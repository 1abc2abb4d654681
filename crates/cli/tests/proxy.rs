//! `tokenvault proxy`, the built binary against the demo API: requests sent without any
//! credential reach the protected endpoints; an expired or refused token is renewed once;
//! bodies stream; bad requests, a hung API, a gone API and a taken port get clear answers.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{
    RunningAgent, add, demo, demo_with, home, stderr, stdout_json, tokenvault, tokenvault_command,
    under_wine,
};
use tokenvault_demo_api::{Config, Dialect, Endpoint, Fault, FaultRule};

/// A running `tokenvault proxy`, ended when dropped.
struct RunningProxy {
    child: Child,
    /// The first URL it printed.
    url: String,
}

impl RunningProxy {
    fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = tokenvault_command()
            .arg("--home")
            .arg(dir)
            .arg("proxy")
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the proxy starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its first line");
        if line.trim().is_empty() {
            let _ = child.wait();
            let mut why = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut why));
            panic!("the proxy did not start: {why}");
        }
        Self {
            child,
            url: line.trim().to_owned(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

/// A file of `size` bytes in `dir`.
fn dir_file(dir: &Path, name: &str, size: usize) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, vec![b'x'; size]).expect("a scratch file");
    path
}

/// A GET of `url` with no credentials.
async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.expect("an answer")
}

/// A demo API whose tokens live 120 s, its Privé user added as `prive`, and a proxy of that
/// account started with `args`.
async fn prive_behind_proxy(
    name: &str,
    args: &[&str],
) -> (
    tokenvault_demo_api::DemoServer,
    std::path::PathBuf,
    RunningProxy,
) {
    let server = demo(120).await;
    let dir = home(name);
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let mut all = vec!["prive"];
    all.extend(args);
    let proxy = RunningProxy::start(&dir, &all);
    (server, dir, proxy)
}

/// Sends `request` as it is, over a new connection, and returns the answer's first line.
fn raw(url: &str, request: &str) -> String {
    raw_answer(url, request)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The whole answer to `request` (which should ask the proxy to close the connection).
fn raw_answer(url: &str, request: &str) -> String {
    let authority = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    let mut stream = TcpStream::connect(authority).expect("the proxy accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    stream
        .write_all(request.as_bytes())
        .expect("the request is sent");
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_to_string(&mut answer);
    answer
}

fn renewals(server: &tokenvault_demo_api::DemoServer, dialect: Dialect) -> u64 {
    server.count(dialect, Endpoint::Login) + server.count(dialect, Endpoint::Refresh)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_with_no_credentials_reaches_the_protected_endpoint_with_the_accounts_token() {
    let (server, _dir, proxy) = prive_behind_proxy("proxy-plain", &[]).await;
    let me = get(&format!("{}/users/me", proxy.url)).await;
    assert_eq!(me.status(), 200);
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["username"], support::user(Dialect::Prive).identity);
    let forged = client()
        .get(format!("{}/users/me", proxy.url))
        .header("authorization", "Bearer forged.by.client")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        200,
        "the client's own Authorization is dropped"
    );
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Login),
        1,
        "the stored token was used"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_account_is_served_under_its_name_and_through_a_running_agent() {
    let server = demo(120).await;
    let dir = home("proxy-by-name");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    assert!(
        add(&dir, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    let _agent = RunningAgent::start(&dir);
    let proxy = RunningProxy::start(&dir, &[]);
    let root = proxy
        .url
        .rsplit_once('/')
        .map(|(root, _)| root.to_owned())
        .unwrap();
    let prive = get(&format!("{root}/prive/users/me")).await;
    assert_eq!(prive.status(), 200);
    let te = get(&format!("{root}/te/accounts/me")).await;
    assert_eq!(te.status(), 200);
    let nobody = get(&format!("{root}/nobody/users/me")).await;
    assert_eq!(nobody.status(), 404);
    assert_eq!(nobody.headers()["x-tokenvault-error"], "unknown_account");
    let text = nobody.text().await.unwrap();
    assert!(
        text.contains("no account named `nobody`") && text.contains("/prive/"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_token_expires_the_next_request_succeeds_after_exactly_one_renewal() {
    let server = demo(3).await;
    let dir = home("proxy-expiry");
    assert!(
        add(&dir, &server, "te", Dialect::Traderevolution)
            .status
            .success()
    );
    let proxy = RunningProxy::start(&dir, &["te"]);
    let url = format!("{}/accounts/me", proxy.url);
    assert_eq!(get(&url).await.status(), 200);
    let before = renewals(&server, Dialect::Traderevolution);
    // The token the proxy holds is the vault's: wait until the vault says it expired.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = stdout_json(&tokenvault(&dir, &["status", "te", "--json"], None));
        if status[0]["state"] == "expired" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the 3 s token did not expire: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(get(&url).await.status(), 200);
    assert_eq!(renewals(&server, Dialect::Traderevolution), before + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_renews_the_token_once_and_sends_the_request_again_body_and_all() {
    let (server, _dir, proxy) = prive_behind_proxy("proxy-401", &[]).await;
    let refuse_once = FaultRule {
        fault: Fault::Unauthorized,
        dialect: Some(Dialect::Prive),
        endpoint: Some(Endpoint::Resource),
        times: Some(1),
    };
    server.inject(refuse_once.clone());
    let me = get(&format!("{}/users/me", proxy.url)).await;
    assert_eq!(me.status(), 200);
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Login),
        2,
        "one renewal"
    );
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Resource),
        2,
        "sent twice"
    );

    server.inject(refuse_once);
    let upload = client()
        .post(format!("{}/upload", proxy.url))
        .body(vec![7_u8; 10_000])
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 200);
    let answer: serde_json::Value = upload.json().await.unwrap();
    assert_eq!(answer["received"], 10_000, "the body was sent again whole");
    assert_eq!(server.count(Dialect::Prive, Endpoint::Login), 3);

    server.inject(FaultRule {
        fault: Fault::Unauthorized,
        dialect: Some(Dialect::Prive),
        endpoint: Some(Endpoint::Resource),
        times: None,
    });
    let refused = get(&format!("{}/users/me", proxy.url)).await;
    assert_eq!(
        refused.status(),
        401,
        "a second 401 is the API's answer, passed on"
    );
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Login),
        4,
        "and no loop of renewals"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_download_and_upload_stream_through_without_being_held_in_memory() {
    let (_server, dir, proxy) = prive_behind_proxy("proxy-download", &[]).await;
    let size: u64 = 256 * 1024 * 1024;
    let mut download = get(&format!("{}/data/{size}", proxy.url)).await;
    assert_eq!(download.status(), 200);
    let mut received: u64 = 0;
    while let Some(chunk) = download.chunk().await.unwrap() {
        received += chunk.len() as u64;
    }
    assert_eq!(received, size);
    // curl sends a body this large with `Expect: 100-continue`, which the proxy answers.
    let upload = dir_file(&dir, "upload.bin", 8 * 1024 * 1024);
    let sent = std::process::Command::new("curl")
        .args(["-s", "--fail-with-body", "-X", "POST", "-T"])
        .arg(&upload)
        .arg(format!("{}/upload", proxy.url))
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stdout)
    );
    let answer: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(answer["received"], 8 * 1024 * 1024);
    if !under_wine() {
        let status = std::fs::read_to_string(format!("/proc/{}/status", proxy.pid())).unwrap();
        let peak_kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("the peak resident size");
        assert!(
            peak_kib < 64 * 1024,
            "the proxy peaked at {peak_kib} KiB for a 256 MiB download"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_that_cannot_be_forwarded_get_a_short_clear_answer() {
    let (server, _dir, proxy) = prive_behind_proxy("proxy-bad", &[]).await;
    let host = "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
    assert_eq!(
        raw(
            &proxy.url,
            &format!("GET /users/../../admin HTTP/1.1\r\n{host}")
        ),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        raw(
            &proxy.url,
            &format!("GET /users/%2E%2e/x HTTP/1.1\r\n{host}")
        ),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        raw(
            &proxy.url,
            &format!("GET http://example.com/ HTTP/1.1\r\n{host}")
        ),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        raw(&proxy.url, "this is not HTTP\r\n\r\n"),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        server.count(Dialect::Prive, Endpoint::Resource),
        0,
        "none reached the API"
    );
    let climbing = raw_answer(
        &proxy.url,
        &format!("GET /users/%2e%2e/admin HTTP/1.1\r\n{host}"),
    );
    assert!(
        climbing.contains("x-tokenvault-error: outside_base_url")
            && climbing.contains("tokenvault proxy: the path leaves the account's base URL"),
        "{climbing}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_that_hangs_gets_504_and_one_that_is_gone_502() {
    let server = demo_with(Config {
        timeout_delay: Duration::from_secs(30),
        ..Config::default()
    })
    .await;
    let dir = home("proxy-hang");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let proxy = RunningProxy::start(&dir, &["prive", "--upstream-timeout", "1"]);
    server.inject(FaultRule {
        fault: Fault::Timeout,
        dialect: Some(Dialect::Prive),
        endpoint: Some(Endpoint::Resource),
        times: Some(1),
    });
    let hung = get(&format!("{}/users/me", proxy.url)).await;
    assert_eq!(hung.status(), 504);
    assert!(
        hung.text()
            .await
            .unwrap()
            .contains("did not answer within 1 s")
    );
    drop(server);
    let gone = get(&format!("{}/users/me", proxy.url)).await;
    assert_eq!(gone.status(), 502);
    // A new connection is refused (`unreachable`); one kept from before is cut (`network`).
    let code = gone.headers()["x-tokenvault-error"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(code == "unreachable" || code == "network", "{code}");
    let text = gone.text().await.unwrap();
    assert!(
        text.starts_with("tokenvault proxy: cannot reach 127.0.0.1:"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_in_use_is_said_plainly() {
    let server = demo(120).await;
    let dir = home("proxy-port");
    assert!(add(&dir, &server, "prive", Dialect::Prive).status.success());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = tokenvault(&dir, &["proxy", "prive", "--port", &port], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("127.0.0.1:{port} is in use by another program")),
        "{}",
        stderr(&out)
    );
}
