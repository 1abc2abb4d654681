//! A helper process for the vault tests: opens the secret store of a data folder, or
//! writes the catalog in a loop until it is killed.
//!
//! ```text
//! vault-probe store HOME          prints `tier: <tier>` or `error[<code>]: <message>`
//! vault-probe catalog-writer HOME prints each write's number once it is durable
//! vault-probe token HOME NAME MS  prints how a token valid for MS ms was had, and the token
//! vault-probe add HOME NAME PRESET BASE_URL IDENTITY   adds an account; the password is stdin
//! ```

use std::io::Write;

use std::sync::Arc;

use tokenvault_core::Secret;
use tokenvault_core::Vault;
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::clock::SystemClock;
use tokenvault_core::vault::catalog::{AccountRecord, CatalogFile};
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::secrets::{SecretKey, SecretKind, open_store};

fn main() {
    tokenvault_core::logging::init("warn");
    let args: Vec<String> = std::env::args().collect();
    let (Some(command), Some(home)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: vault-probe (store | catalog-writer) HOME");
        std::process::exit(2);
    };
    let home = Home::at(home.into()).expect("the data folder can be made");
    match command.as_str() {
        "store" => store(&home),
        "catalog-writer" => catalog_writer(&home),
        "token" => token(home, &args[3], args[4].parse().expect("milliseconds")),
        "add" => add(home, &args[3..]),
        other => {
            eprintln!("unknown command {other}");
            std::process::exit(2);
        }
    }
}

fn store(home: &Home) {
    let passphrase = std::env::var("TOKENVAULT_PASSPHRASE").ok().map(Secret::new);
    let outcome = open_store(home, app_name(), passphrase.as_ref()).and_then(|store| {
        let key = SecretKey::new("probe-account", SecretKind::Password);
        store.set(&key, &Secret::new("probe-password-value"))?;
        let back = store.get(&key)?;
        assert_eq!(back, Some(Secret::new("probe-password-value")));
        Ok(store.tier())
    });
    let mut out = std::io::stdout().lock();
    match outcome {
        Ok(tier) => {
            let _ = writeln!(out, "tier: {tier}");
        }
        Err(e) => {
            let _ = writeln!(out, "error[{}]: {e}", e.code());
            std::process::exit(1);
        }
    }
}

fn token(home: Home, name: &str, min_valid_ms: i64) {
    let store = open_store(&home, app_name(), None).expect("the test keyring");
    let accounts = Vault::with_store(home, store, Arc::new(SystemClock));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let outcome =
        runtime.block_on(accounts.access_token(name, time::Duration::milliseconds(min_valid_ms)));
    let mut out = std::io::stdout().lock();
    match outcome {
        Ok((token, source)) => {
            let _ = writeln!(out, "{source:?} {}", token.value.expose());
        }
        Err(e) => {
            let _ = writeln!(out, "error[{}]: {e}", e.code());
            std::process::exit(1);
        }
    }
}

fn add(home: Home, args: &[String]) {
    let [name, preset, base_url, identity] = args else {
        eprintln!("usage: vault-probe add HOME NAME PRESET BASE_URL IDENTITY");
        std::process::exit(2);
    };
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .expect("a password on stdin");
    let store = open_store(&home, app_name(), None).expect("the test keyring");
    let accounts = Vault::with_store(home, store, Arc::new(SystemClock));
    let record = AccountRecord {
        id: name.to_lowercase().replace(' ', "-"),
        name: name.clone(),
        environment: "UAT".into(),
        profile: preset.clone(),
        base_url: base_url.clone(),
        identity: identity.clone(),
        client_id: None,
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
        tokens: Default::default(),
        team: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    if let Err(e) = runtime.block_on(accounts.add(
        record,
        LoginSecrets::password(Secret::new(password.trim_end())),
    )) {
        eprintln!("error[{}]: {e}", e.code());
        std::process::exit(1);
    }
}

fn catalog_writer(home: &Home) {
    let file = CatalogFile::new(home.catalog());
    let start = file.load().map(|c| c.accounts.len()).unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for n in start + 1.. {
        file.update(|catalog| {
            catalog.accounts.push(AccountRecord {
                id: format!("acct-{n}"),
                name: format!("Account {n}"),
                environment: "UAT".into(),
                profile: "prive".into(),
                base_url: "https://uat.example.com".into(),
                identity: format!("user{n}@example.com"),
                client_id: None,
                second_factor: None,
                overrides: Vec::new(),
                allow_plain_http: false,
                ca_cert_pem: None,
                tokens: Default::default(),
                team: None,
            });
            Ok(())
        })
        .expect("the catalog is written");
        let _ = writeln!(out, "{n}");
        let _ = out.flush();
    }
}
