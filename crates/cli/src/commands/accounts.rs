//! `tokenvault account add|list|remove`, `export` and `import`.

use std::path::Path;

use serde_json::{Value, json};
use tokenvault_core::auth::LoginSecrets;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::vault::Revocation;
use tokenvault_core::vault::catalog::SecondFactor;
use tokenvault_core::vault::exchange;
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::{Error, Secret, Vault};

use super::Outcome;
use crate::args::{AddArgs, OtpChoice};
use crate::exit::Failure;
use crate::output;

pub(super) fn read(file: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))
}

/// `tokenvault account add`: the account is kept only if it logs in.
pub async fn add(vault: &Vault, args: AddArgs) -> Outcome {
    if args.from_curl.is_some() || args.from_curl_file.is_some() || args.from_har.is_some() {
        return super::from_curl::add(vault, args).await;
    }
    let profile = match (&args.preset, &args.profile, &args.issuer) {
        (Some(preset), _, _) => ProfileChoice::Preset(preset.clone()),
        (None, Some(file), _) => ProfileChoice::Custom {
            origin: file.display().to_string(),
            source: read(file)?,
        },
        (None, None, Some(_)) => ProfileChoice::Preset("oidc".into()),
        (None, None, None) => return Err(Failure::Usage("give --preset or --profile".into())),
    };
    let overrides = args
        .overrides
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| Failure::Usage(format!("--set `{pair}` is not KEY=VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ca_cert_pem = args.ca_cert.as_deref().map(read).transpose()?;
    let account = NewAccount {
        name: args.name.clone(),
        environment: args.environment,
        profile,
        base_url: args.base_url.unwrap_or_default(),
        identity: args.username.unwrap_or_default(),
        client_id: args.client_id,
        second_factor: args.otp.map(|otp| match otp {
            OtpChoice::Totp => SecondFactor::Totp,
            OtpChoice::Ask => SecondFactor::Ask,
        }),
        overrides,
        allow_plain_http: args.allow_http,
        ca_cert_pem,
    };
    let account = match &args.issuer {
        Some(issuer) => vault.discovered(account, issuer).await?,
        None => account,
    };
    let speaks = account.profile()?;
    if speaks.needs_password() && account.identity.trim().is_empty() {
        return Err(Failure::Usage(format!(
            "give --username: the {} profile logs in a user",
            speaks.id
        )));
    }
    // One line each, in this order, from stdin; a prompt for what is not read from there.
    let mut stdin = std::io::stdin().lock();
    let mut ask = |what: &str, flag: &str, from_stdin: bool| -> Result<Secret, Failure> {
        let secret = if from_stdin {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut stdin, &mut line)
                .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))?;
            Secret::new(line.trim_end_matches(['\r', '\n']).to_owned())
        } else {
            Secret::new(
                rpassword::prompt_password(format!("{what} for {}: ", account.base_url)).map_err(
                    |e| Failure::Usage(format!("cannot read the {what} (use --{flag}): {e}")),
                )?,
            )
        };
        if secret.is_empty() {
            return Err(Failure::Usage(format!("the {what} is empty")));
        }
        Ok(secret)
    };
    let secrets = LoginSecrets {
        password: speaks
            .needs_password()
            .then(|| ask("password", "password-stdin", args.password_stdin))
            .transpose()?,
        client_secret: speaks
            .needs_client_secret()
            .then(|| {
                ask(
                    "client secret",
                    "client-secret-stdin",
                    args.client_secret_stdin,
                )
            })
            .transpose()?,
        totp_secret: (args.otp == Some(OtpChoice::Totp))
            .then(|| ask("TOTP secret", "totp-secret-stdin", args.totp_secret_stdin))
            .transpose()?,
        one_time_code: (args.otp == Some(OtpChoice::Ask))
            .then(|| ask("one-time code", "otp-stdin", args.otp_stdin))
            .transpose()?,
    };
    let tokens = if speaks.needs_person() {
        vault
            .add_after_sign_in(
                account,
                secrets,
                &super::sign_in::StderrPrompt::new(args.sign_in),
            )
            .await?
    } else {
        vault.add_after_login(account, secrets).await?
    };
    output::note(&format!(
        "added {}: logged in, access token valid for {}",
        args.name,
        output::left_in_words(tokens.access.expires_at, SystemClock.now())
    ));
    Ok(())
}

/// `tokenvault account list`.
pub fn list(vault: &Vault, json: bool) -> Outcome {
    let catalog = vault.catalog()?;
    if json {
        let list: Vec<Value> = catalog
            .accounts
            .iter()
            .map(|a| json!({"name": a.name, "id": a.id, "environment": a.environment, "profile": a.profile, "base_url": a.base_url, "identity": a.identity, "team": a.team.as_ref().map(|l| &l.team)}))
            .collect();
        output::json(&Value::Array(list));
    } else {
        let rows: Vec<Vec<String>> = catalog
            .accounts
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    a.environment.clone(),
                    a.profile.clone(),
                    a.identity.clone(),
                    a.base_url.clone(),
                ]
            })
            .collect();
        output::table(&["NAME", "ENV", "PROFILE", "IDENTITY", "BASE URL"], &rows);
    }
    Ok(())
}

/// `tokenvault account remove NAME`: the account and every secret of it.
pub async fn remove(vault: &Vault, name: &str) -> Outcome {
    let removed = vault.remove(name).await?;
    let server = match &removed.revocation {
        Revocation::NotOffered => String::new(),
        Revocation::Revoked => "; its server revoked its token".to_owned(),
        Revocation::Failed(e) => format!("; its server could not be told to revoke its token: {e}"),
    };
    output::note(&format!(
        "removed {} and its secrets{server}",
        removed.record.name
    ));
    Ok(())
}

/// `tokenvault export FILE`: accounts and custom profiles, no secret.
pub fn export(vault: &Vault, file: &Path) -> Outcome {
    let export = exchange::export(&vault.catalog()?);
    let text = serde_json::to_string_pretty(&export).unwrap_or_default();
    std::fs::write(file, text).map_err(|e| {
        Failure::Core(Error::Storage {
            action: "write",
            path: file.display().to_string(),
            problem: e.to_string(),
        })
    })?;
    output::note(&format!(
        "exported {} accounts and {} profiles to {} (no secrets)",
        export.accounts.len(),
        export.profiles.len(),
        file.display()
    ));
    Ok(())
}

/// `tokenvault import FILE`: all or nothing; accounts already there are skipped.
pub fn import(vault: &Vault, file: &Path) -> Outcome {
    let text = read(file)?;
    let export = exchange::parse(&file.display().to_string(), &text)?;
    let report = exchange::import(vault.catalog_file(), &export)?;
    for name in &report.added {
        output::note(&format!(
            "added {name} (set its password with `tokenvault account remove` and `add`, or log in from the app)"
        ));
    }
    for (name, why) in &report.skipped {
        output::note(&format!("skipped {name}: {why}"));
    }
    Ok(())
}
