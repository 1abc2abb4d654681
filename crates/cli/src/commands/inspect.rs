//! `tokenvault inspect`: a token decoded for people, its signature checked when a key is
//! given. A signature that does not hold exits 3, so a script can tell a forged token.

use std::io::Read;

use serde_json::{Value, json};
use tokenvault_core::auth::{Authenticator, Introspection};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::{Inspection, Key, Report, Verification, inspect};
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use crate::args::InspectArgs;
use crate::exit::Failure;
use crate::output;

/// The key `--secret`, `--key` or `--jwks` gives, if any.
pub fn key_of(args: &InspectArgs) -> Result<Option<Key>, Failure> {
    Ok(if let Some(secret) = &args.secret {
        Some(Key::Secret(Secret::new(secret.clone())))
    } else if let Some(file) = &args.key {
        Some(Key::Pem(std::fs::read(file).map_err(|e| {
            Failure::Usage(format!("cannot read {}: {e}", file.display()))
        })?))
    } else {
        args.jwks.clone().map(Key::Jwks)
    })
}

/// `tokenvault inspect [TOKEN]`: a token given as an argument or on stdin.
pub async fn pasted(args: InspectArgs) -> Outcome {
    let token = match &args.token {
        Some(token) => Secret::new(token.clone()),
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("cannot read stdin: {e}")))?;
            Secret::new(text.trim().to_owned())
        }
    };
    let key = key_of(&args)?;
    pasted_token(&token, key, args.json).await
}

/// `tokenvault inspect --account NAME`: the account's stored access token, checked with
/// the key given, or with the keys its server publishes (found by discovery).
pub async fn stored(vault: &Vault, account: &str, key: Option<Key>, json: bool) -> Outcome {
    let stored = vault.stored_access_token(account).await?.ok_or_else(|| {
        Failure::Usage(format!(
            "{account} holds no access token yet; run `tokenvault login {account}`"
        ))
    })?;
    let seen = match readable(&stored.value) {
        Ok(seen) => seen,
        // An opaque token: what its server says of it, where the profile can ask.
        Err(not_a_jwt) => match vault.introspect(account).await? {
            Some(answer) => return introspected(&answer, json),
            None => return Err(not_a_jwt),
        },
    };
    let verification = vault.check_signature(account, &stored.value, key).await?;
    show(&seen, &verification, json)
}

/// What the server said of an opaque token (RFC 7662); an inactive one exits 3.
fn introspected(answer: &Introspection, json: bool) -> Outcome {
    if json {
        let mut shown = answer.fields.clone();
        shown.insert("active".into(), Value::Bool(answer.active));
        output::json(&json!({"introspection": shown, "by": answer.url}));
    } else {
        let verdict = if answer.active {
            "ACTIVE"
        } else {
            "NOT ACTIVE"
        };
        output::line(&format!("{verdict}, says {}", answer.url));
        for (label, name) in [
            ("identity", "username"),
            ("subject", "sub"),
            ("client", "client_id"),
            ("scope", "scope"),
        ] {
            output::line(&format!(
                "{:<9} {}",
                format!("{label}:"),
                answer.text(name).unwrap_or("-")
            ));
        }
        let expires = answer.expires_at();
        output::line(&format!(
            "expires:  {} ({})",
            output::instant(expires).as_str().unwrap_or("-"),
            output::left_in_words(expires, SystemClock.now())
        ));
    }
    if answer.active {
        Ok(())
    } else {
        Err(Failure::TokenInactive {
            url: answer.url.clone(),
        })
    }
}

/// A pasted token, checked with the key given.
async fn pasted_token(token: &Secret, key: Option<Key>, json: bool) -> Outcome {
    let seen = readable(token)?;
    let verification = match key {
        None => Verification::Unverified,
        Some(key) => {
            key.verify(token.expose(), &Authenticator::new(Default::default())?)
                .await?
        }
    };
    show(&seen, &verification, json)
}

fn readable(token: &Secret) -> Result<Inspection, Failure> {
    inspect(token.expose(), SystemClock.now())
        .map_err(|e| Failure::Usage(format!("not a readable JWT: {e}")))
}

fn show(seen: &Inspection, verification: &Verification, json: bool) -> Outcome {
    let report = Report::new(seen, verification);
    if json {
        output::json(&report);
    } else {
        let v = &report.verification;
        let by = v.by.clone().unwrap_or_default();
        let verdict = match v.status {
            "verified" => format!(
                "VERIFIED with {by} ({})",
                v.algorithm.clone().unwrap_or_default()
            ),
            "failed" => format!(
                "SIGNATURE NOT VALID with {by}: {}",
                v.reason.clone().unwrap_or_default()
            ),
            _ => "UNVERIFIED: the signature was not checked; the claims may be forged".to_owned(),
        };
        output::line(&verdict);
        output::line(&format!(
            "identity: {}",
            seen.identity.as_deref().unwrap_or("-")
        ));
        output::line(&format!(
            "roles:    {}",
            if seen.roles.is_empty() {
                "-".to_owned()
            } else {
                seen.roles.join(", ")
            }
        ));
        for t in &seen.times {
            output::line(&format!(
                "{:<9} {} ({})",
                format!("{}:", t.name),
                output::instant(Some(t.at)).as_str().unwrap_or_default(),
                t.relative
            ));
        }
        output::line(&format!("header:   {}", Value::Object(seen.header.clone())));
        output::line(&format!(
            "claims:   {}",
            serde_json::to_string_pretty(&seen.claims).unwrap_or_default()
        ));
    }
    match report.verification.status {
        "failed" => Err(Failure::SignatureInvalid {
            by: report.verification.by.clone().unwrap_or_default(),
            reason: report.verification.reason.clone().unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}
