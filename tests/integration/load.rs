//! Load: a vault of 1,000 accounts whose access tokens all expire within the same
//! minute, kept by the app's keeper (`Keeper`) against the demo API, with its
//! secrets where the app keeps them: passwords in the test session's keyring, tokens in
//! the token files whose key the keyring keeps. Every token is renewed before it expires,
//! once, by refresh, with at most `MAX_CONCURRENT_RENEWALS` calls at the server at once,
//! while the runtime the app's IPC also runs on keeps answering.
//!
//! It prints its figures (run with `--nocapture`). `./dev test` runs it with 300 accounts on
//! the debug build; `./dev load` runs it with 1,000 on an optimised build, as users run it
//! (`TOKENVAULT_LOAD_ACCOUNTS` sets the number).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokenvault_core::Secret;
use tokenvault_core::Vault;
use tokenvault_core::clock::SystemClock;
use tokenvault_core::vault::catalog::{AccountRecord, Catalog, CatalogFile, TokenTimes};
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::keeper::{Keeper, MAX_CONCURRENT_RENEWALS};
use tokenvault_core::vault::secrets::{SecretKey, SecretKind, SecretStore, StoreTier, open_store};
use tokenvault_demo_api::tokens::Kind;
use tokenvault_demo_api::{DemoServer, Dialect, Endpoint};

/// Two dialects whose servers rotate the refresh token: a reused one would show.
const DIALECTS: [Dialect; 2] = [Dialect::Traderevolution, Dialect::Oauth2Password];

/// The first token expires this long after set-up, the last one a minute later.
const FIRST_EXPIRY: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn tokens_expiring_in_the_same_minute_are_each_renewed_once_before_expiry() {
    tokenvault_tests::require_test_session();
    let n: usize = std::env::var("TOKENVAULT_LOAD_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let server = tokenvault_tests::demo_api(300).await;
    let home = Home::at(tokenvault_tests::scratch("load")).expect("a data folder");
    let store = open_store(&home, app_name(), None).expect("the keyring and the token files");
    assert_eq!(store.tier(), StoreTier::OsKeyring);

    let set_up = Instant::now();
    let expiries = vault_of_accounts_expiring_in_one_minute(&server, &home, &store, n);
    let set_up = set_up.elapsed();
    let accounts = Arc::new(Vault::with_store(
        home.clone(),
        store,
        Arc::new(SystemClock),
    ));
    let keeper = Arc::new(Keeper::new(accounts));
    let mut statuses = keeper.subscribe();
    let stall = StallProbe::start();
    let keeping = tokio::spawn(Arc::clone(&keeper).run());

    // Wait until every account shows a token obtained after set-up, or the last expiry.
    let deadline = expiries.values().max().copied().expect("accounts") + time::Duration::seconds(5);
    let mut renewed: HashMap<String, OffsetDateTime> = HashMap::new();
    let mut read_times = Vec::new();
    while renewed.len() < n && OffsetDateTime::now_utc() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(500), statuses.changed()).await;
        let asked = Instant::now();
        let now = keeper.statuses();
        read_times.push(asked.elapsed());
        for status in now {
            let old = expiries[&status.account.id];
            if let Some(at) = status
                .access_obtained_at
                .filter(|_| status.access_expires_at > Some(old))
            {
                renewed.entry(status.account.id.clone()).or_insert(at);
            }
        }
    }
    keeping.abort();
    let stalls = stall.stop().await;

    let late: Vec<_> = expiries
        .iter()
        .filter(|(id, expires)| renewed.get(*id).is_none_or(|at| at >= *expires))
        .map(|(id, _)| id.clone())
        .collect();
    let margin = renewed
        .iter()
        .map(|(id, at)| expiries[id] - *at)
        .min()
        .unwrap_or(time::Duration::ZERO);
    let (first, last) = (
        renewed.values().min().copied(),
        renewed.values().max().copied(),
    );
    let refreshes: u64 = DIALECTS
        .iter()
        .map(|d| server.count(*d, Endpoint::Refresh))
        .sum();
    let logins: u64 = DIALECTS
        .iter()
        .map(|d| server.count(*d, Endpoint::Login))
        .sum();
    read_times.sort();
    eprintln!(
        "load: {n} accounts expiring within one minute; set-up {:.1} s; renewed {} of {n} \
         before expiry, the tightest {:.1} s before; renewals spread over {:.1} s; \
         {refreshes} refreshes and {logins} logins at the server, at most {} at once \
         (bound {MAX_CONCURRENT_RENEWALS}); runtime stalls: median {:.1} ms, p99 {:.1} ms, \
         worst {:.1} ms; reading all {n} statuses: median {:.2} ms, worst {:.2} ms",
        set_up.as_secs_f64(),
        n - late.len(),
        margin.as_seconds_f64(),
        match (first, last) {
            (Some(a), Some(b)) => (b - a).as_seconds_f64(),
            _ => 0.0,
        },
        server.peak_in_flight(),
        stalls.median_ms,
        stalls.p99_ms,
        stalls.worst_ms,
        ms(read_times[read_times.len() / 2]),
        ms(*read_times.last().expect("read at least once")),
    );
    assert!(
        late.is_empty(),
        "{} renewed late or not at all: {late:?}",
        late.len()
    );
    assert_eq!(refreshes, n as u64, "exactly one refresh per account");
    assert_eq!(logins, 0, "no account had to log in again");
    assert!(server.peak_in_flight() <= MAX_CONCURRENT_RENEWALS as u64);
}

/// Writes `n` accounts with a password and a refresh token, then gives each an access
/// token issued by the demo API, the access tokens expiring evenly over one minute from
/// `FIRST_EXPIRY` after set-up; returns each account's access expiry.
fn vault_of_accounts_expiring_in_one_minute(
    server: &DemoServer,
    home: &Home,
    store: &Arc<dyn SecretStore>,
    n: usize,
) -> HashMap<String, OffsetDateTime> {
    let dialect_of = |i: usize| DIALECTS[i % DIALECTS.len()];
    let id_of = |i: usize| format!("load-{i:04}");
    let issue = |i: usize, kind, ttl| {
        let user = tokenvault_tests::user(dialect_of(i));
        server.state().issuer.issue(
            dialect_of(i),
            user.identity,
            user.roles,
            kind,
            Duration::from_secs(ttl),
        )
    };
    let started = Instant::now();
    store_in_parallel(
        store,
        (0..n)
            .flat_map(|i| {
                let password = tokenvault_tests::user(dialect_of(i)).password;
                let (refresh, _) = issue(i, Kind::Refresh, 30 * 24 * 3600);
                [
                    (
                        SecretKey::new(id_of(i), SecretKind::Password),
                        Secret::new(password),
                    ),
                    (
                        SecretKey::new(id_of(i), SecretKind::RefreshToken),
                        Secret::new(refresh),
                    ),
                ]
            })
            .collect(),
    );
    eprintln!(
        "set-up: {n} passwords (keyring) and {n} refresh tokens (token files) stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let now = OffsetDateTime::now_utc();
    let mut access = Vec::with_capacity(n);
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        let dialect = dialect_of(i);
        // Whole seconds, as a JWT's `exp` has them.
        let ttl = FIRST_EXPIRY.as_secs() + (60 * i / n) as u64;
        let (token, claims) = issue(i, Kind::Access, ttl);
        access.push((
            SecretKey::new(id_of(i), SecretKind::AccessToken),
            Secret::new(token),
        ));
        records.push(AccountRecord {
            id: id_of(i),
            name: id_of(i),
            environment: "Load".into(),
            profile: dialect.as_str().into(),
            base_url: server.base_url(dialect),
            identity: tokenvault_tests::user(dialect).identity.into(),
            client_id: None,
            second_factor: None,
            overrides: Vec::new(),
            allow_plain_http: false,
            ca_cert_pem: None,
            tokens: TokenTimes {
                access_obtained_at: Some(now),
                access_expires_at: Some(
                    OffsetDateTime::from_unix_timestamp(claims.exp).expect("an instant"),
                ),
                refresh_expires_at: None,
                last_failure: None,
                otp_step: None,
            },
            team: None,
        });
    }
    let started = Instant::now();
    store_in_parallel(store, access);
    eprintln!(
        "set-up: {n} access tokens (token files) stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let expiries = records
        .iter()
        .map(|r| (r.id.clone(), r.tokens.access_expires_at.expect("set")))
        .collect();
    CatalogFile::new(home.catalog())
        .save(&Catalog {
            accounts: records,
            ..Catalog::default()
        })
        .expect("the catalog is written");
    expiries
}

fn store_in_parallel(store: &Arc<dyn SecretStore>, secrets: Vec<(SecretKey, Secret)>) {
    std::thread::scope(|scope| {
        for part in secrets.chunks(secrets.len().div_ceil(8).max(1)) {
            scope.spawn(move || {
                for (key, value) in part {
                    store.set(key, value).expect("the store keeps it");
                }
            });
        }
    });
}

/// Measures how late a 10 ms tick of the async runtime comes while the keeper works:
/// what an IPC call from the window would wait at least.
struct StallProbe {
    task: tokio::task::JoinHandle<Vec<Duration>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

struct Stalls {
    median_ms: f64,
    p99_ms: f64,
    worst_ms: f64,
}

impl StallProbe {
    fn start() -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut lateness = Vec::new();
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                let asked = Instant::now();
                tokio::time::sleep(Duration::from_millis(10)).await;
                lateness.push(asked.elapsed().saturating_sub(Duration::from_millis(10)));
            }
            lateness
        });
        Self { task, stop }
    }

    async fn stop(self) -> Stalls {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut lateness = self.task.await.expect("the probe ends");
        lateness.sort();
        let at = |q: f64| ms(lateness[((lateness.len() - 1) as f64 * q) as usize]);
        Stalls {
            median_ms: at(0.5),
            p99_ms: at(0.99),
            worst_ms: at(1.0),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
