//! `tokenvault token`, `login`, `status` and `validate`: fresh tokens and where they stand.

use serde_json::{Value, json};
use time::Duration;
use tokenvault_agent::protocol::StatusFormat;
use tokenvault_agent::protocol::TokenFormat;
use tokenvault_core::auth::Token;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::handover::TokenForm;
use tokenvault_core::vault::audit::AuditKind;
use tokenvault_core::vault::catalog::AccountRecord;
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use crate::exit::Failure;
use crate::output;
use crate::variables::{self, Names, Syntax};

/// `tokenvault token NAME`: a token valid for `min_valid` seconds (or, for tokens that
/// live less than that, until the keeper would renew them), printed as asked.
pub async fn token(
    vault: &Vault,
    name: &str,
    min_valid: u32,
    format: TokenFormat,
    force_refresh: bool,
) -> Outcome {
    let (token, _) = if force_refresh {
        vault.renew_now(name).await?
    } else {
        let min_valid = Duration::seconds(i64::from(min_valid));
        vault.access_token(name, min_valid).await?
    };
    print(format, name, &token);
    audit_copy(vault, name)
}

/// Prints `token` of account `name` as `format` says.
pub(super) fn print(format: TokenFormat, name: &str, token: &Token) {
    let now = SystemClock.now();
    let form = match format {
        TokenFormat::Raw => TokenForm::Raw,
        TokenFormat::Bearer => TokenForm::Bearer,
        TokenFormat::Header => TokenForm::Header,
        TokenFormat::Json => {
            return output::json(&json!({
                "account": name, "token": token.value.expose(), "token_type": "Bearer",
                "expires_at": output::instant(token.expires_at),
                "obtained_at": output::instant(Some(token.obtained_at)),
                "seconds_left": output::seconds_left(token.expires_at, now)
            }));
        }
        TokenFormat::Env | TokenFormat::Dotenv => {
            let syntax = if format == TokenFormat::Env {
                Syntax::Shell
            } else {
                Syntax::Dotenv
            };
            let text = variables::lines(&Names::default().of(token), syntax);
            return output::line(text.expose().trim_end());
        }
        TokenFormat::KubernetesExecCredential => {
            let mut status = json!({"token": token.value.expose()});
            if let Value::String(at) = output::instant(token.expires_at) {
                status["expirationTimestamp"] = Value::String(at);
            }
            return output::json(&json!({
                "apiVersion": "client.authentication.k8s.io/v1",
                "kind": "ExecCredential",
                "status": status
            }));
        }
    };
    output::line(form.text(&token.value, "").expose());
}

fn audit_copy(vault: &Vault, name: &str) -> Outcome {
    let id = vault.catalog()?.account(name)?.id.clone();
    vault.audit_event(&id, AuditKind::Copy, "ok");
    Ok(())
}

/// `tokenvault login NAME`: a new login whatever the tokens held.
pub async fn login(vault: &Vault, name: &str, json: bool, how: Login) -> Outcome {
    let tokens = match how {
        Login::Kept => vault.login(name).await?,
        Login::WithCode(code) => vault.login_with_code(name, code).await?,
        Login::SignIn(prompt) => vault.sign_in(name, &prompt).await?,
    };
    let now = SystemClock.now();
    if json {
        output::json(&json!({
            "name": name, "access_expires_at": output::instant(tokens.access.expires_at),
            "seconds_left": output::seconds_left(tokens.access.expires_at, now),
            "refresh": tokens.refresh.is_some()
        }));
    } else {
        output::note(&format!(
            "logged in to {name}: access token valid for {}",
            output::left_in_words(tokens.access.expires_at, now)
        ));
    }
    Ok(())
}

/// How `tokenvault login` logs in.
#[derive(Debug)]
pub enum Login {
    /// With the kept secrets (a TOTP code made from the kept secret too).
    Kept,
    /// With the one-time code the user gave.
    WithCode(Secret),
    /// With a person there to sign in (a device code, or the browser), shown how here.
    SignIn(super::sign_in::StderrPrompt),
}

/// The one-time code of `login --otp` (a no-echo prompt) or `--otp-stdin` (a line).
pub fn one_time_code(name: &str, from_stdin: bool) -> Result<Secret, Failure> {
    let code = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the one-time code: {e}")))?;
        line.trim().to_owned()
    } else {
        rpassword::prompt_password(format!("one-time code for {name}: "))
            .map_err(|e| {
                Failure::Usage(format!(
                    "cannot read the one-time code (use --otp-stdin): {e}"
                ))
            })?
            .trim()
            .to_owned()
    };
    if code.is_empty() {
        return Err(Failure::Usage("the one-time code is empty".into()));
    }
    Ok(Secret::new(code))
}

/// `tokenvault validate NAME`: the profile's validate call, and whose token it is.
pub async fn validate(vault: &Vault, name: &str, json: bool) -> Outcome {
    let validation = vault.validate(name).await?;
    if json {
        output::json(&json!({
            "account": name, "valid": true, "identity": validation.identity,
            "details": validation.details
        }));
    } else {
        output::line(&format!(
            "valid: {}",
            validation
                .identity
                .as_deref()
                .unwrap_or("(the answer names no identity)")
        ));
    }
    Ok(())
}

/// `tokenvault status [NAME]`: every account's token times and last failure, from the
/// catalog alone (no keyring read, no call).
pub fn status(vault: &Vault, name: Option<&str>, format: StatusFormat) -> Outcome {
    let catalog = vault.catalog()?;
    let accounts: Vec<&AccountRecord> = match name {
        Some(name) => vec![catalog.account(name)?],
        None => catalog.accounts.iter().collect(),
    };
    let now = SystemClock.now();
    let state = |a: &AccountRecord| {
        let t = &a.tokens;
        match (t.access_obtained_at, t.access_expires_at) {
            (None, _) if t.last_failure.is_some() => "failing",
            (None, _) => "no-token",
            (Some(_), Some(at)) if at <= now => "expired",
            (Some(_), _) if t.last_failure.is_some() => "failing",
            (Some(_), None) => "unknown-expiry",
            (Some(_), Some(at)) if at - now < Duration::seconds(60) => "expiring",
            _ => "fresh",
        }
    };
    if format == StatusFormat::Env {
        let mut lines = Vec::new();
        for a in &accounts {
            let var = format!("TOKENVAULT_{}", variables::prefix_of(&a.name));
            lines.push((format!("{var}_STATE"), Secret::new(state(a))));
            lines.extend(variables::expiry(&var, a.tokens.access_expires_at));
            if let Some(failure) = &a.tokens.last_failure {
                lines.push((
                    format!("{var}_LAST_FAILURE"),
                    Secret::new(failure.code.to_string()),
                ));
            }
        }
        if !lines.is_empty() {
            output::line(variables::lines(&lines, Syntax::Shell).expose().trim_end());
        }
    } else if format == StatusFormat::Json {
        let list: Vec<Value> = accounts
            .iter()
            .map(|a| json!({
                "name": a.name, "environment": a.environment, "profile": a.profile, "state": state(a),
                "access_expires_at": output::instant(a.tokens.access_expires_at),
                "seconds_left": output::seconds_left(a.tokens.access_expires_at, now),
                "refresh_expires_at": output::instant(a.tokens.refresh_expires_at),
                "last_failure": a.tokens.last_failure.as_ref().map(|f| json!({
                    "code": f.code, "message": f.message, "since": output::instant(Some(f.since))
                }))
            }))
            .collect();
        output::json(&Value::Array(list));
    } else {
        let rows: Vec<Vec<String>> = accounts
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    a.environment.clone(),
                    state(a).to_owned(),
                    output::left_in_words(a.tokens.access_expires_at, now),
                    a.tokens.refresh_expires_at.map_or("-".to_owned(), |_| {
                        output::left_in_words(a.tokens.refresh_expires_at, now)
                    }),
                    a.tokens
                        .last_failure
                        .as_ref()
                        .map_or("-".to_owned(), |f| f.code.to_string()),
                ]
            })
            .collect();
        output::table(
            &[
                "NAME",
                "ENV",
                "STATE",
                "ACCESS LEFT",
                "REFRESH LEFT",
                "LAST FAILURE",
            ],
            &rows,
        );
        for a in &accounts {
            if let Some(failure) = &a.tokens.last_failure {
                output::note(&format!("{}: {}", a.name, failure.message));
            }
        }
    }
    Ok(())
}
