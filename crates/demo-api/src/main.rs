//! `tokenvault-demo-api`: runs the demo API on loopback until interrupted.
//!
//! ```text
//! tokenvault-demo-api [--port N] [--access-ttl SECONDS] [--refresh-reuse-grace SECONDS] [--lively]
//! tokenvault-demo-api --users
//! ```
//! Prints `listening on http://127.0.0.1:PORT` once ready. `--users` prints, and starts
//! nothing, one line per user a preset logs in (for scripts that add the demo's accounts):
//! preset, account name, identity, password (or client secret), TOTP secret (`-`: none),
//! tab-separated.

use std::time::Duration;

use tokenvault_demo_api::{Config, DEMO_USERS, DemoServer, Dialect};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut port = 0u16;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = parse(args.next(), "--port"),
            "--access-ttl" => {
                config.access_ttl = Duration::from_secs(parse(args.next(), "--access-ttl"));
            }
            "--refresh-reuse-grace" => {
                config.refresh_reuse_grace =
                    Duration::from_secs(parse(args.next(), "--refresh-reuse-grace"));
            }
            "--lively" => config = Config::lively(),
            "--users" => {
                print_users();
                return;
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: tokenvault-demo-api [--port N] [--access-ttl SECONDS] [--refresh-reuse-grace SECONDS] [--lively]\n       tokenvault-demo-api --users"
                );
                return;
            }
            other => {
                eprintln!("tokenvault-demo-api: unknown argument `{other}` (try --help)");
                std::process::exit(2);
            }
        }
    }
    let server = match DemoServer::start(config, port).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("tokenvault-demo-api: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    #[allow(clippy::print_stdout)]
    {
        println!("listening on http://{}", server.addr());
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn parse<T: std::str::FromStr>(value: Option<String>, flag: &str) -> T {
    match value.as_deref().map(str::parse) {
        Some(Ok(v)) => v,
        _ => {
            eprintln!("tokenvault-demo-api: {flag} needs a number");
            std::process::exit(2);
        }
    }
}

#[allow(clippy::print_stdout)]
fn print_users() {
    for user in DEMO_USERS
        .iter()
        .filter(|u| Dialect::PRESETS.contains(&u.dialect))
    {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            user.dialect.as_str(),
            user.account_name,
            user.identity,
            user.password,
            user.totp_secret().unwrap_or("-")
        );
    }
}
