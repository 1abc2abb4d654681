//! `tokenvault import-postman COLLECTION [--environment FILE]...`: the accounts a Postman
//! collection logs in with, each asked for its password (or client secret), each added only
//! if it logs in.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use tokenvault_core::auth::{Authenticator, HttpOptions, LoginSecrets};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::import::draft::{CurlImport, from_request};
use tokenvault_core::import::postman::{self, Collection, Grant, Proposed};
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice, account_id};
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use super::accounts::read;
use crate::args::ImportPostmanArgs;
use crate::exit::Failure;
use crate::output;

/// Lists (`--list`) or adds what the collection proposes.
pub async fn run(home: Option<&Path>, args: ImportPostmanArgs) -> Outcome {
    let read = collection(&args.collection, &args.environments)?;
    if args.list {
        return list(&read);
    }
    let vault = super::open_vault(home, false).await?;
    import(&vault, &read, &args).await
}

/// The collection read with its environments.
pub fn collection(path: &Path, environments: &[PathBuf]) -> Result<Collection, Failure> {
    let environments = environments
        .iter()
        .map(|file| Ok(postman::environment(&read(file)?)?))
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(postman::read(&read(path)?, &environments)?)
}

/// `--list`: what would be added, and what is not understood.
pub fn list(collection: &Collection) -> Outcome {
    output::line(&format!("{}:", collection.name));
    for proposed in &collection.proposed {
        output::line(&format!(
            "  add {}: {}",
            name_of(proposed),
            described(proposed)
        ));
    }
    for line in &collection.not_understood {
        output::line(&format!("  not understood: {line}"));
    }
    output::line(&format!(
        "  {} other request(s): not logins",
        collection.other_requests
    ));
    Ok(())
}

/// Adds each proposed account that logs in; says which did not and why, and exits with the
/// first failure's code when any failed.
pub async fn import(vault: &Vault, collection: &Collection, args: &ImportPostmanArgs) -> Outcome {
    let mut stdin = std::io::stdin().lock();
    let mut failed = None;
    for proposed in &collection.proposed {
        let name = name_of(proposed);
        let secret = if args.password_stdin {
            let mut line = String::new();
            stdin
                .read_line(&mut line)
                .map_err(|e| Failure::Usage(format!("cannot read a password: {e}")))?;
            Secret::new(line.trim_end_matches(['\r', '\n']).to_owned())
        } else {
            let what = match proposed {
                Proposed::OAuth {
                    grant: Grant::ClientCredentials,
                    ..
                } => "client secret",
                _ => "password",
            };
            Secret::new(
                rpassword::prompt_password(format!("{what} of {name} ({}): ", described(proposed)))
                    .map_err(|e| {
                        Failure::Usage(format!("cannot read it (use --password-stdin): {e}"))
                    })?,
            )
        };
        match add(vault, proposed, &name, secret, args.try_refresh).await {
            Ok(()) => output::note(&format!("added {name}")),
            Err(failure) => {
                output::note(&format!("not added {name}: {failure}"));
                failed.get_or_insert(failure);
            }
        }
    }
    for line in &collection.not_understood {
        output::note(&format!("not understood: {line}"));
    }
    failed.map_or(Ok(()), Err)
}

async fn add(
    vault: &Vault,
    proposed: &Proposed,
    name: &str,
    secret: Secret,
    try_refresh: bool,
) -> Outcome {
    let environment = |e: &Option<String>| e.clone().unwrap_or_else(|| "Postman".to_owned());
    let (account, secrets) = match proposed {
        Proposed::Login {
            environment: env,
            request,
            ..
        } => {
            let import = CurlImport {
                name: name.to_owned(),
                command: String::new(),
                base_url: None,
                identity: None,
                try_refresh,
                allow_plain_http: false,
            };
            let authenticator = Authenticator::new(HttpOptions::default())?;
            let draft = from_request(
                &authenticator,
                request,
                &import,
                "Postman",
                &secret,
                SystemClock.now(),
            )
            .await?;
            (
                draft.account(name, &environment(env), "the Postman collection"),
                LoginSecrets::password(secret),
            )
        }
        Proposed::OAuth {
            environment: env,
            grant,
            token_url,
            client_id,
            username,
            ..
        } => {
            let path = token_url.path().trim_end_matches('/');
            let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
            let mut base = token_url.clone();
            base.set_path(parent);
            base.set_query(None);
            let mut overrides = Vec::new();
            if last != "token" {
                overrides.push(("login.path".to_owned(), format!("/{last}")));
                if *grant == Grant::Password {
                    overrides.push(("refresh.path".to_owned(), format!("/{last}")));
                }
            }
            let (preset, identity, secrets) = match grant {
                Grant::Password => (
                    "oauth2-password",
                    username.clone().ok_or_else(|| {
                        Failure::Usage(format!("{name}: the OAuth set-up names no user"))
                    })?,
                    LoginSecrets::password(secret),
                ),
                Grant::ClientCredentials => (
                    "oauth2-client-credentials",
                    String::new(),
                    LoginSecrets {
                        client_secret: Some(secret),
                        ..LoginSecrets::default()
                    },
                ),
            };
            (
                NewAccount {
                    name: name.to_owned(),
                    environment: environment(env),
                    profile: ProfileChoice::Preset(preset.to_owned()),
                    base_url: base.as_str().trim_end_matches('/').to_owned(),
                    identity,
                    client_id: (!client_id.is_empty()).then(|| client_id.clone()),
                    second_factor: None,
                    overrides,
                    allow_plain_http: false,
                    ca_cert_pem: None,
                },
                secrets,
            )
        }
    };
    vault.add_after_login(account, secrets).await?;
    Ok(())
}

/// A proposed account's name: its item's, and its environment's.
fn name_of(proposed: &Proposed) -> String {
    let (item, environment) = match proposed {
        Proposed::Login {
            item, environment, ..
        }
        | Proposed::OAuth {
            item, environment, ..
        } => (item, environment),
    };
    match environment {
        Some(environment) => account_id(&format!("{item} {environment}")),
        None => account_id(item),
    }
}

fn described(proposed: &Proposed) -> String {
    match proposed {
        Proposed::Login { request, .. } => format!(
            "the login request {} {}{}",
            request.method,
            request.url.origin().ascii_serialization(),
            request.url.path()
        ),
        Proposed::OAuth {
            grant,
            token_url,
            client_id,
            ..
        } => format!(
            "OAuth 2.0 {} grant at {}{}, client `{client_id}`",
            match grant {
                Grant::Password => "password",
                Grant::ClientCredentials => "client credentials",
            },
            token_url.origin().ascii_serialization(),
            token_url.path()
        ),
    }
}
