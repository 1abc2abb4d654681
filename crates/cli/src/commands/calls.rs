//! `tokenvault ott verify` and `tokenvault private-token`: the profile's calls.

use serde_json::{Value, json};
use time::OffsetDateTime;
use tokenvault_agent::protocol::TokenFormat;
use tokenvault_core::auth::Token;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use crate::exit::Failure;
use crate::output;

/// `tokenvault ott verify NAME OTT`: exits 3 when the server says it is not valid.
pub async fn verify_ott(vault: &Vault, name: &str, ott: String, json: bool) -> Outcome {
    let outcome = vault.verify_ott(name, &Secret::new(ott)).await?;
    if json {
        output::json(
            &json!({"valid": outcome.valid, "identity": outcome.identity, "reason": outcome.reason}),
        );
    } else if outcome.valid {
        output::line(&format!(
            "valid: {}",
            outcome.identity.as_deref().unwrap_or("(no identity given)")
        ));
    }
    if outcome.valid {
        Ok(())
    } else {
        Err(Failure::OttInvalid(
            outcome.reason.unwrap_or_else(|| "no reason given".into()),
        ))
    }
}

/// `tokenvault private-token create`: the value is printed, and kept for `show`.
pub async fn create_private_token(
    vault: &Vault,
    name: &str,
    label: &str,
    expires_at: OffsetDateTime,
    json: bool,
) -> Outcome {
    let created = vault.create_private_token(name, label, expires_at).await?;
    if json {
        output::json(
            &json!({"id": created.info.id, "label": created.info.label, "expires_at": output::instant(created.info.expires_at), "token": created.token.expose()}),
        );
    } else {
        output::note(&format!(
            "created private token {} ({}), expires in {}; `private-token show` prints it again:",
            created.info.id,
            created.info.label,
            output::left_in_words(created.info.expires_at, SystemClock.now())
        ));
        output::line(created.token.expose());
    }
    Ok(())
}

/// `tokenvault private-token list`.
pub async fn list_private_tokens(vault: &Vault, name: &str, json: bool) -> Outcome {
    let tokens = vault.list_private_tokens(name).await?;
    if json {
        let list: Vec<Value> = tokens
            .iter()
            .map(|t| json!({"id": t.id, "label": t.label, "expires_at": output::instant(t.expires_at)}))
            .collect();
        output::json(&Value::Array(list));
    } else {
        let now = SystemClock.now();
        let rows: Vec<Vec<String>> = tokens
            .iter()
            .map(|t| {
                vec![
                    t.id.clone(),
                    t.label.clone(),
                    output::left_in_words(t.expires_at, now),
                ]
            })
            .collect();
        output::table(&["ID", "LABEL", "EXPIRES IN"], &rows);
    }
    Ok(())
}

/// `tokenvault private-token show`: the value this vault kept when it created the token.
pub async fn show_private_token(
    vault: &Vault,
    name: &str,
    id: &str,
    format: TokenFormat,
) -> Outcome {
    let token = vault.private_token(name, id).await?;
    match format {
        TokenFormat::Json => {
            output::json(&json!({"account": name, "id": id, "token": token.expose()}));
        }
        format => super::tokens::print(
            format,
            name,
            &Token {
                value: token,
                expires_at: None,
                obtained_at: SystemClock.now(),
            },
        ),
    }
    Ok(())
}

/// `tokenvault private-token revoke`.
pub async fn revoke_private_token(vault: &Vault, name: &str, id: &str) -> Outcome {
    vault.revoke_private_token(name, id).await?;
    output::note(&format!("revoked private token {id}"));
    Ok(())
}
