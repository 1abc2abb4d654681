//! The one-off listener on 127.0.0.1 that a browser sign-in's redirect comes back to
//! (RFC 8252 §7.3): it reads the request line of each connection, answers anything but the
//! callback path with a 404, and holds the callback's connection open until the sign-in has
//! ended, so the page the person sees says how it ended.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::error::{Error, Result};

/// The path the browser is sent back to.
pub(super) const CALLBACK_PATH: &str = "/callback";

/// The most a request's head may take; a browser's is a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;

/// How long a connection may take to send its request line. Browsers open spare
/// connections that send nothing; each is read on its own task, so none holds up another.
const READ_WAIT: Duration = Duration::from_secs(10);

/// A listener on 127.0.0.1 for one sign-in.
pub(super) struct Loopback {
    listener: TcpListener,
    port: u16,
}

/// The browser's request to the callback path, with its connection still open.
pub(super) struct Callback {
    params: Vec<(String, String)>,
    stream: TcpStream,
}

impl Loopback {
    /// Listens on `127.0.0.1:port`, or a free port when none is given.
    pub(super) async fn bind(port: Option<u16>) -> Result<Self> {
        let cannot = |e: std::io::Error| Error::InvalidProfile {
            origin: "this machine".into(),
            field: "login.redirect_port".into(),
            problem: match port {
                Some(port) => format!(
                    "cannot listen on 127.0.0.1:{port} for the browser to come back ({e}); is \
                     another sign-in running?"
                ),
                None => format!("cannot listen on 127.0.0.1 for the browser to come back ({e})"),
            },
        };
        let listener = TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))
            .await
            .map_err(cannot)?;
        let port = listener.local_addr().map_err(cannot)?.port();
        Ok(Self { listener, port })
    }

    /// The redirect URI to give the server.
    pub(super) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for the browser to come to the callback path; anything else is answered with
    /// a 404 and waited past.
    pub(super) async fn callback(&self) -> Callback {
        let mut readers = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        readers.spawn(read_head(stream));
                    }
                }
                Some(read) = readers.join_next(), if !readers.is_empty() => {
                    let Ok(Some((mut stream, target))) = read else { continue };
                    match target.split_once('?').unwrap_or((&target, "")) {
                        (CALLBACK_PATH, query) => {
                            let params = url::form_urlencoded::parse(query.as_bytes())
                                .into_owned()
                                .collect();
                            return Callback { params, stream };
                        }
                        _ => {
                            let _ = respond(&mut stream, "404 Not Found", "Not found", "").await;
                        }
                    }
                }
            }
        }
    }
}

impl Callback {
    /// The query parameter `name`, when the redirect has it once.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        let mut values = self.params.iter().filter(|(k, _)| k == name);
        match (values.next(), values.next()) {
            (Some((_, value)), None) => Some(value),
            _ => None,
        }
    }

    /// Tells the person how the sign-in ended, and closes the connection.
    pub(super) async fn answer(mut self, outcome: &Result<()>) {
        let (title, text) = match outcome {
            Ok(()) => (
                "Signed in",
                "Tokenvault has the account's tokens. You can close this tab.".to_owned(),
            ),
            Err(error) => (
                "Sign-in failed",
                format!("{error}. You can close this tab and start again from Tokenvault."),
            ),
        };
        let _ = respond(&mut self.stream, "200 OK", title, &text).await;
    }
}

/// The request target of a `GET` (`/callback?code=...`), once its head has arrived.
async fn read_head(mut stream: TcpStream) -> Option<(TcpStream, String)> {
    let mut head = Vec::with_capacity(1024);
    let read = async {
        let mut chunk = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(READ_WAIT, read).await.ok()??;
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    let (Some("GET"), Some(target)) = (words.next(), words.next()) else {
        let _ = respond(
            &mut stream,
            "405 Method Not Allowed",
            "Not allowed",
            "This address only takes the browser coming back from a sign-in.",
        )
        .await;
        return None;
    };
    let target = target.to_owned();
    Some((stream, target))
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · \
         Tokenvault</title><style>body{{font:16px system-ui,sans-serif;max-width:32rem;\
         margin:4rem auto;padding:0 1rem;color:#1f2933}}h1{{font-size:1.4rem}}</style></head>\
         <body><h1>{title}</h1><p>{}</p></body></html>",
        escape(text)
    );
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn the_callback_comes_back_with_its_parameters_past_other_requests() {
        let loopback = Loopback::bind(None).await.unwrap();
        let port = loopback.port;
        assert_eq!(
            loopback.redirect_uri(),
            format!("http://127.0.0.1:{port}/callback")
        );
        // A connection that never sends anything does not hold up the others.
        let _silent = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let browser = tokio::spawn(async move {
            let favicon = get(port, "/favicon.ico").await;
            assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
            get(port, "/callback?code=a%2Bb&state=s1").await
        });
        let callback = loopback.callback().await;
        assert_eq!(callback.param("code"), Some("a+b"));
        assert_eq!(callback.param("state"), Some("s1"));
        assert_eq!(callback.param("error"), None);
        callback.answer(&Ok(())).await;
        let page = browser.await.unwrap();
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("You can close this tab"), "{page}");
    }

    #[tokio::test]
    async fn a_parameter_given_twice_counts_as_not_given() {
        let loopback = Loopback::bind(None).await.unwrap();
        let port = loopback.port;
        let browser = tokio::spawn(async move { get(port, "/callback?state=a&state=b").await });
        let callback = loopback.callback().await;
        assert_eq!(callback.param("state"), None);
        callback
            .answer(&Err(Error::SignInExpired {
                after: Duration::from_secs(1),
            }))
            .await;
        let page = browser.await.unwrap();
        assert!(page.contains("Sign-in failed"), "{page}");
    }

    #[test]
    fn page_text_is_escaped() {
        assert_eq!(
            escape("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
