//! A demo API on one loopback port that speaks the four login dialects Tokenvault
//! starts from, each under its own path prefix:
//!
//! | prefix              | dialect                                                            |
//! |---------------------|--------------------------------------------------------------------|
//! | `/prive`            | login only, no refresh (re-login before expiry)                    |
//! | `/finvera`          | tokens as cookies, refresh cookie, validate call                   |
//! | `/traderevolution`  | login/refresh pair, refresh token in a `token` header, OTT verify  |
//! | `/private-tokens`   | short login token that creates, lists and revokes private tokens   |
//! | `/oauth2-password`  | RFC 6749 password and refresh_token grants, form-encoded           |
//! | `/oauth2-client-credentials` | RFC 6749 client credentials grant, HTTP Basic or body     |
//! |                     | client authentication, no refresh token                            |
//! | `/simplejwt`        | Django SimpleJWT: token, refresh and verify                        |
//! | `/directus`         | Directus 11: JSON login with a TOTP code (two-factor on), expiry   |
//! |                     | in milliseconds, rotating refresh                                  |
//! | `/oauth2-device`    | RFC 8628 device authorization grant: a code approved on a page     |
//! | `/oidc`   | authorization code grant with PKCE: a sign-in page that sends the  |
//! |                     | browser back to the client's loopback redirect                     |
//! | `/acme`             | a dialect no preset knows: form login, token in a response header, |
//! |                     | ISO-8601 expiry, rotating renew token in a JSON body               |
//!
//! Tokens are real HS256 JWTs with short, configurable lifetimes. Faults can be
//! switched on per dialect and endpoint, and every call is counted, so tests can
//! assert how many logins and refreshes a server saw. Control endpoints live under
//! `/_demo/` (see [`control`]).
//!
//! It is the desktop app's built-in demo and the test suites' fake server; it is
//! not a model of any vendor's full API.

pub mod connection;
pub mod control;
mod dialects;

pub use dialects::browser::BROWSER_CLIENT;
pub use dialects::device::DEVICE_CLIENT;
pub use dialects::oauth2::{CONFIDENTIAL_CLIENT, PUBLIC_CLIENT};
pub mod faults;
mod state;
pub mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultRule};
pub use state::{Counts, DemoState};

/// The four dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// Privé.
    Prive,
    /// Finvera.
    Finvera,
    /// TraderEvolution.
    Traderevolution,
    /// The private-token API.
    PrivateTokens,
    /// OAuth 2.0 password grant (Keycloak-like).
    Oauth2Password,
    /// Django REST framework SimpleJWT.
    Simplejwt,
    /// OAuth 2.0 client credentials grant: a service with a client id and secret.
    Oauth2ClientCredentials,
    /// Directus, with two-factor login on for its demo user.
    Directus,
    /// The OAuth 2.0 device authorization grant.
    Oauth2Device,
    /// The OAuth 2.0 authorization code grant with PKCE, signed in in a browser.
    Oidc,
    /// A dialect that no preset describes, for custom profiles.
    Acme,
}

impl Dialect {
    /// Every dialect that has a preset of the same id.
    pub const PRESETS: [Dialect; 8] = [
        Dialect::Prive,
        Dialect::Finvera,
        Dialect::Traderevolution,
        Dialect::PrivateTokens,
        Dialect::Oauth2Password,
        Dialect::Simplejwt,
        Dialect::Oauth2ClientCredentials,
        Dialect::Directus,
    ];

    /// The path prefix and preset id (`prive`, `private-tokens`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Prive => "prive",
            Dialect::Finvera => "finvera",
            Dialect::Traderevolution => "traderevolution",
            Dialect::PrivateTokens => "private-tokens",
            Dialect::Oauth2Password => "oauth2-password",
            Dialect::Simplejwt => "simplejwt",
            Dialect::Oauth2ClientCredentials => "oauth2-client-credentials",
            Dialect::Directus => "directus",
            Dialect::Oauth2Device => "oauth2-device",
            Dialect::Oidc => "oidc",
            Dialect::Acme => "acme",
        }
    }
}

/// The kinds of call a dialect serves, for faults and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Endpoint {
    /// Log in with identity and password.
    Login,
    /// Renew with a refresh token.
    Refresh,
    /// Check an access token (Finvera's validate).
    Validate,
    /// A protected resource that needs a Bearer token.
    Resource,
    /// Issue a one-time token (demo only).
    OttIssue,
    /// Verify a one-time token.
    OttVerify,
    /// Create a private token.
    PrivateTokenCreate,
    /// List private tokens.
    PrivateTokenList,
    /// Revoke a private token.
    PrivateTokenRevoke,
    /// Revoke an OAuth token (RFC 7009).
    TokenRevocation,
}

/// Token lifetimes and delays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Access token lifetime for every dialect...
    pub access_ttl: Duration,
    /// ...except these.
    pub access_ttl_overrides: Vec<(Dialect, Duration)>,
    /// Refresh token lifetime.
    pub refresh_ttl: Duration,
    /// One-time token lifetime.
    pub ott_ttl: Duration,
    /// How long the timeout fault keeps a call waiting.
    pub timeout_delay: Duration,
    /// How long a rotated-away refresh token is still accepted (zero: reuse is refused
    /// at once and revokes the user's refresh tokens).
    pub refresh_reuse_grace: Duration,
    /// A `scope` claim for every private token (empty: none). Servers that list scopes or
    /// permissions in their tokens make them thousands of characters long.
    pub private_token_scope: String,
    /// How far the server's clock is from the machine's, in seconds, where it checks
    /// one-time codes (a server whose clock is off refuses good codes).
    pub clock_offset_secs: i64,
    /// The time step of the TOTP codes it accepts, in seconds (30, as authenticator apps;
    /// tests of many logins make it short).
    pub totp_period_secs: i64,
    /// How long a device code waits for its person.
    pub device_code_ttl: Duration,
    /// The polling interval a device authorization asks for, in seconds.
    pub device_interval_secs: u64,
    /// How many of each device code's first polls are told `slow_down`.
    pub device_slow_down_polls: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(300),
            access_ttl_overrides: Vec::new(),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            ott_ttl: Duration::from_secs(60),
            timeout_delay: Duration::from_secs(60),
            refresh_reuse_grace: Duration::ZERO,
            private_token_scope: String::new(),
            clock_offset_secs: 0,
            totp_period_secs: 30,
            device_code_ttl: Duration::from_secs(600),
            device_interval_secs: 5,
            device_slow_down_polls: 0,
        }
    }
}

impl Config {
    /// Lifetimes that make the demo lively: every token renews within a few minutes.
    pub fn lively() -> Self {
        Self {
            access_ttl: Duration::from_secs(180),
            access_ttl_overrides: vec![
                (Dialect::Finvera, Duration::from_secs(120)),
                (Dialect::Traderevolution, Duration::from_secs(150)),
                (Dialect::PrivateTokens, Duration::from_secs(240)),
                (Dialect::Oauth2Password, Duration::from_secs(90)),
                (Dialect::Simplejwt, Duration::from_secs(300)),
                (Dialect::Oauth2ClientCredentials, Duration::from_secs(100)),
                (Dialect::Directus, Duration::from_secs(140)),
            ],
            ..Self::default()
        }
    }

    /// The access token lifetime for a dialect.
    pub fn access_ttl(&self, dialect: Dialect) -> Duration {
        self.access_ttl_overrides
            .iter()
            .find(|(d, _)| *d == dialect)
            .map_or(self.access_ttl, |(_, ttl)| *ttl)
    }
}

/// A demo user: who can log in to which dialect. For the client-credentials dialect the
/// user is an OAuth client: its identity is the client id, its password the client secret
/// ([`DemoUser::is_client`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    /// The dialect, which is also the preset id and path prefix.
    pub dialect: Dialect,
    /// A display name for the demo account.
    pub account_name: &'static str,
    /// The login identity.
    pub identity: &'static str,
    /// The password, or a client's secret (public: it is a demo).
    pub password: &'static str,
    /// Roles put in the tokens.
    pub roles: &'static [&'static str],
}

/// One user per dialect.
pub const DEMO_USERS: [DemoUser; 11] = [
    DemoUser {
        dialect: Dialect::Prive,
        account_name: "Privé advisor",
        identity: "advisor@prive.demo",
        password: "prive-demo-password",
        roles: &["ADVISOR"],
    },
    DemoUser {
        dialect: Dialect::Finvera,
        account_name: "Finvera analyst",
        identity: "analyst@finvera.demo",
        password: "finvera-demo-password",
        roles: &["analyst"],
    },
    DemoUser {
        dialect: Dialect::Traderevolution,
        account_name: "TraderEvolution back office",
        identity: "bo.trader",
        password: "traderevolution-demo-password",
        roles: &["BO_ADMIN", "OTT_VERIFY"],
    },
    DemoUser {
        dialect: Dialect::PrivateTokens,
        account_name: "Private-token ops",
        identity: "ops@private-tokens.demo",
        password: "private-tokens-demo-password",
        roles: &["owner"],
    },
    DemoUser {
        dialect: Dialect::Oauth2Password,
        account_name: "Keycloak-style realm",
        identity: "support.agent",
        password: "oauth2-demo-password",
        roles: &["support", "offline_access"],
    },
    DemoUser {
        dialect: Dialect::Simplejwt,
        account_name: "Django back office",
        identity: "analyst",
        password: "simplejwt-demo-password",
        roles: &["staff"],
    },
    DemoUser {
        dialect: Dialect::Oauth2ClientCredentials,
        account_name: "Reporting service",
        identity: "reporting-service",
        password: "client-credentials-demo-secret",
        roles: &["reports:read"],
    },
    DemoUser {
        dialect: Dialect::Directus,
        account_name: "Directus editor (two-factor)",
        identity: "editor@directus.demo",
        password: "directus-demo-password",
        roles: &["Editor"],
    },
    DemoUser {
        dialect: Dialect::Oauth2Device,
        account_name: "Field engineer (device sign-in)",
        identity: "field.engineer",
        password: "device-demo-password",
        roles: &["field", "offline_access"],
    },
    DemoUser {
        dialect: Dialect::Oidc,
        account_name: "Support desk (browser sign-in)",
        identity: "desk.agent",
        password: "browser-demo-password",
        roles: &["support", "offline_access"],
    },
    DemoUser {
        dialect: Dialect::Acme,
        account_name: "Acme Ledger",
        identity: "ledger-bot",
        password: "acme-demo-password",
        roles: &["ledger:read"],
    },
];

/// The TOTP secret (base32) of the Directus demo user, who has two-factor login on: what
/// an authenticator app would be given (public: it is a demo).
pub const DIRECTUS_TOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

impl DemoUser {
    /// The base32 TOTP secret of a user with two-factor login on.
    pub fn totp_secret(&self) -> Option<&'static str> {
        (self.dialect == Dialect::Directus).then_some(DIRECTUS_TOTP_SECRET)
    }

    /// The key of [`Self::totp_secret`], decoded.
    pub fn totp_key(&self) -> Option<Vec<u8>> {
        let text = self.totp_secret()?;
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let (mut bits, mut held, mut key) = (0u64, 0u32, Vec::new());
        for c in text.bytes() {
            bits = (bits << 5) | alphabet.iter().position(|&a| a == c)? as u64;
            held += 5;
            if held >= 8 {
                held -= 8;
                key.push((bits >> held) as u8);
                bits &= (1 << held) - 1;
            }
        }
        Some(key)
    }

    /// Whether this user is an OAuth client (identity: client id, password: client
    /// secret), which logs in with no user.
    pub fn is_client(&self) -> bool {
        self.dialect == Dialect::Oauth2ClientCredentials
    }
}

/// A running demo server; it stops when dropped.
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    state: Arc<DemoState>,
    task: JoinHandle<()>,
    connections: Arc<std::sync::atomic::AtomicU64>,
}

impl DemoServer {
    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub async fn start(config: Config, port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(DemoState::new(config));
        state
            .port
            .store(addr.port(), std::sync::atomic::Ordering::SeqCst);
        let router = dialects::router(state.clone()).merge(control::router(state.clone()));
        let connections = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let task = tokio::spawn(connection::serve(
            listener,
            router,
            Arc::clone(&connections),
        ));
        Ok(Self {
            addr,
            state,
            task,
            connections,
        })
    }

    /// Requests that a redirect fault's target received.
    pub fn elsewhere_hits(&self) -> u64 {
        self.state
            .elsewhere_hits
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/<dialect>`: the base URL of one dialect.
    pub fn base_url(&self, dialect: Dialect) -> String {
        format!("http://{}/{}", self.addr, dialect.as_str())
    }

    /// Switches a fault on.
    pub fn inject(&self, rule: FaultRule) {
        self.state.faults.add(rule);
    }

    /// Waits, blocking this thread, until the server has taken and answered every
    /// connection that reached it: none waits to be accepted and none is open. A test that
    /// killed a client calls this before reading the counts, so a request the client sent
    /// just before dying is counted whatever the scheduling. Gives up after a minute.
    pub fn settle(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        let quiet = || {
            connection::waiting_to_be_accepted(self.addr.port()) == 0
                && self.connections.load(SeqCst) == 0
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if quiet() {
                // Twice, a moment apart: an accept and its connection's count are two steps.
                std::thread::sleep(std::time::Duration::from_millis(5));
                if quiet() {
                    return true;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        false
    }

    /// The most requests to the dialects answered at once so far.
    pub fn peak_in_flight(&self) -> u64 {
        self.state.in_flight.peak()
    }

    /// How many refreshes used a rotated-away refresh token within the reuse grace.
    pub fn grace_reuses(&self) -> u64 {
        self.state.issuer.grace_reuses()
    }

    /// Every refresh token this server issued (the newest 10,000), through any dialect.
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        self.state.issuer.issued_refresh_tokens()
    }

    /// Switches every fault off.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// How many calls each endpoint of a dialect has seen.
    pub fn count(&self, dialect: Dialect, endpoint: Endpoint) -> u64 {
        self.state.counts.get(dialect, endpoint)
    }

    /// The shared state, for issuing one-time tokens and other test set-up.
    pub fn state(&self) -> &Arc<DemoState> {
        &self.state
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
