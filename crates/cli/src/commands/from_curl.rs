//! `tokenvault account add NAME --from-curl 'curl ...'` (or `--from-har FILE`): an account
//! whose profile is made from the curl command of its API's login and the answer to it, or
//! from a browser's recording of it.

use std::io::Read;

use tokenvault_core::auth::{Authenticator, HttpOptions, LoginSecrets};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::import::draft::{CurlImport, Draft};
use tokenvault_core::import::from_har::HarImport;
use tokenvault_core::vault::new_account::NewAccount;
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use super::accounts::read;
use crate::args::AddArgs;
use crate::exit::Failure;
use crate::output;

/// Makes the profile (one login with the password asked for), then prints it
/// (`--print-profile`) or adds the account with it, logging in again as every add does.
pub async fn add(vault: &Vault, args: AddArgs) -> Outcome {
    let Some((draft, password)) = draft(&args).await? else {
        return Ok(());
    };
    keep(vault, args, draft, password).await
}

/// `--print-profile`: the profile made, printed; no vault is opened for it.
pub async fn print(args: AddArgs) -> Outcome {
    draft(&args).await.map(|_| ())
}

/// The profile made and the password asked for (`None` once printed).
async fn draft(args: &AddArgs) -> Result<Option<(Draft, Secret)>, Failure> {
    match &args.from_har {
        Some(file) => from_har(file.clone(), args).await,
        None => from_curl(args).await,
    }
}

/// The profile made from a HAR file (printed with `--print-profile`, then `None`).
async fn from_har(
    file: std::path::PathBuf,
    args: &AddArgs,
) -> Result<Option<(Draft, Secret)>, Failure> {
    let import = HarImport {
        name: args.name.clone(),
        entry: args.entry,
        base_url: args.base_url.clone(),
        identity: args.username.clone(),
    };
    let draft = tokio::task::spawn_blocking(move || {
        tokenvault_core::import::from_har::from_har(
            || std::fs::File::open(&file),
            &import,
            SystemClock.now(),
        )
    })
    .await
    .map_err(|e| Failure::Usage(format!("cannot read the HAR file: {e}")))??;
    if args.print_profile {
        output::line(draft.toml().trim_end());
        return Ok(None);
    }
    let password = password(args)?;
    Ok(Some((draft, password)))
}

/// The profile made from a curl command (printed with `--print-profile`, then `None`).
async fn from_curl(args: &AddArgs) -> Result<Option<(Draft, Secret)>, Failure> {
    let from_stdin = args
        .from_curl_file
        .as_deref()
        .is_some_and(|f| f.as_os_str() == "-");
    if from_stdin && args.password_stdin {
        return Err(Failure::Usage(
            "the curl command and the password cannot both come from stdin: give the command \
             with --from-curl or a file"
                .into(),
        ));
    }
    let command = match (&args.from_curl, &args.from_curl_file) {
        (Some(command), _) => command.clone(),
        (None, Some(_)) if from_stdin => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("cannot read the curl command: {e}")))?;
            text
        }
        (None, Some(file)) => read(file)?,
        (None, None) => {
            return Err(Failure::Usage(
                "give --from-curl or --from-curl-file".into(),
            ));
        }
    };
    let password = password(args)?;
    let import = CurlImport {
        name: args.name.clone(),
        command,
        base_url: args.base_url.clone(),
        identity: args.username.clone(),
        try_refresh: args.try_refresh,
        allow_plain_http: args.allow_http,
    };
    let ca_cert_pem = args.ca_cert.as_deref().map(read).transpose()?;
    let authenticator = Authenticator::new(HttpOptions {
        extra_ca_pem: ca_cert_pem.map(String::into_bytes),
        ..HttpOptions::default()
    })?;
    let draft = tokenvault_core::import::draft::from_curl(
        &authenticator,
        &import,
        &password,
        SystemClock.now(),
    )
    .await?;
    if args.print_profile {
        output::line(draft.toml().trim_end());
        return Ok(None);
    }
    Ok(Some((draft, password)))
}

/// Adds the account with the profile made, logging in as every add does.
async fn keep(vault: &Vault, args: AddArgs, draft: Draft, password: Secret) -> Outcome {
    let ca_cert_pem = args.ca_cert.as_deref().map(read).transpose()?;
    for decision in &draft.decisions {
        output::note(&format!("  {decision}"));
    }
    let origin = if args.from_har.is_some() {
        "the HAR file"
    } else {
        "the curl command"
    };
    let account = NewAccount {
        allow_plain_http: args.allow_http,
        ca_cert_pem,
        ..draft.account(&args.name, &args.environment, origin)
    };
    let tokens = vault
        .add_after_login(account, LoginSecrets::password(password))
        .await?;
    output::note(&format!(
        "added {}: logged in, access token valid for {}",
        args.name,
        output::left_in_words(tokens.access.expires_at, SystemClock.now())
    ));
    Ok(())
}

/// The password: the first line of stdin, or a prompt.
fn password(args: &AddArgs) -> Result<Secret, Failure> {
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?;
        Secret::new(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        Secret::new(
            rpassword::prompt_password(format!(
                "password of {} (never taken from the curl command): ",
                args.name
            ))
            .map_err(|e| {
                Failure::Usage(format!(
                    "cannot read the password (use --password-stdin): {e}"
                ))
            })?,
        )
    };
    if password.is_empty() {
        return Err(Failure::Usage("the password is empty".into()));
    }
    Ok(password)
}
